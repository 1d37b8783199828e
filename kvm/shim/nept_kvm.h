/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KVM structures that are too entangled to take from the tree
 * (struct kvm, kvm_vcpu, kvm_vcpu_arch, vcpu_vmx, nested_vmx, memslots),
 * with only the fields the extracted code touches, under the kernel's
 * names.  Everything they contain that KVM defines (struct kvm_mmu, the
 * role unions, struct vmcs12, struct nested_vmx_msrs, union
 * vmx_exit_reason, struct kvm_queued_exception) is the tree's own, from
 * kvm_defs.h, which is included before this file.
 */
#ifndef NEPT_SHIM_KVM_H
#define NEPT_SHIM_KVM_H

/*
 * Where the kernel's own structs differ between trees, so do these (only
 * in the fields listed), decided by what the tree contains:
 * `#if NEPT_HAS(vcpu_vt)` tests a probe of kvm/recipe.txt (tree.h, included
 * first, answers each).
 */

/* include/linux/kvm_host.h: one memslot per backed page of the scenario. */
struct kvm_memory_slot {
	gfn_t base_gfn;
	unsigned long npages;
	unsigned long userspace_addr;
	u32 flags;
	short id;
};

/* arch/x86/include/asm/kvm_host.h */
struct kvm_arch {
	unsigned long vm_type;
	gfn_t gfn_direct_bits;
	u64 disabled_quirks; /* none: every quirk is on, KVM's default */
	/* KVM's MSR write: no userspace MSR filter (kvm_msr_allowed), no
	 * Xen hypercall page (kvm_set_msr_common before 7.2), no PV wall
	 * clock written. */
	struct kvm_x86_msr_filter *msr_filter;
	bool guest_can_read_msr_platform_info; /* kvm_get_msr_common */
	struct {
		u32 msr;
	} xen_hvm_config;
	gpa_t wall_clock;
	/* The x86 emulator: no shadow pages of L0's own (TDP), and an
	 * emulation failure exits to userspace only by KVM's default. */
	unsigned int indirect_shadow_pages;
	bool exit_on_emulation_error;
};

/* include/linux/srcu.h: the read side is a no-op (one thread). */
struct srcu_struct {
	int unused;
};

struct kvm {
	rwlock_t mmu_lock; /* FNAME(page_fault) takes it (a no-op) */
#if NEPT_HAS(stale_takes_mmu_seq)
	/* FNAME(page_fault) reads it for is_page_fault_stale (6.1); no
	 * MMU notifier runs here, so it stays 0. */
	unsigned long mmu_invalidate_seq;
#endif
	struct srcu_struct srcu;
	bool vm_bugged; /* KVM_BUG_ON fired (the emulator asks) */
	struct kvm_arch arch;
};

struct kvm_vcpu_stat {
	u64 pf_guest;
	u64 guest_mode;
	u64 insn_emulation, insn_emulation_fail; /* x86_emulate_instruction */
	u64 mmio_exits;
};

struct kvm_vcpu_arch {
	/* Register cache (regs.h): a set bit means "value in vcpu->arch". */
#if NEPT_HAS(regs_avail_bitmap)
	DECLARE_BITMAP(regs_avail, 64);
	DECLARE_BITMAP(regs_dirty, 64); /* load_pdptrs marks PDPTR dirty */
#else
	u32 regs_avail;
	u32 regs_dirty;
#endif
	/* The general-purpose registers (a MOV to CR's source operand,
	 * nested_vmx_exit_handled_cr), and RIP (the emulator's). */
	unsigned long regs[32]; /* at least NR_VCPU_GENERAL_PURPOSE_REGS */
#if NEPT_HAS(rip_field)
	unsigned long rip;
#endif
	int last_vmentry_cpu; /* handle_exception_nmi's internal error */
	/* Never set here: no SEV-ES/TDX guest, no async #PF from the host,
	 * no pending nested VM entry (nested_vmx_reflect_vmexit). */
	bool guest_state_protected;
	struct {
		u32 host_apf_flags;
		bool pageready_pending;
		u64 msr_en_val, msr_int_val; /* kvm_get_msr_common's cases */
	} apf;
	u8 nested_run_pending;
	unsigned long cr0;
	unsigned long cr0_guest_owned_bits;
	unsigned long cr2;
	unsigned long cr3;
	unsigned long cr4;
	unsigned long cr4_guest_owned_bits;
	u64 efer;
	u64 pdptrs[4];
	u32 pkru;
	u32 hflags;
	unsigned long dr6;

	/*
	 * The three MMUs are embedded, as in the kernel: the code compares
	 * `mmu == &vcpu->arch.nested_mmu` and the like.
	 */
	struct kvm_mmu *mmu;
	struct kvm_mmu root_mmu;
	struct kvm_mmu guest_mmu;
	struct kvm_mmu nested_mmu;
	struct kvm_mmu *walk_mmu;

	struct kvm_queued_exception exception;
	struct kvm_queued_exception exception_vmexit;

	/* The event being delivered when the exit came
	 * (__vmx_complete_interrupts requeues it here). */
	u8 event_exit_inst_len;
	struct kvm_queued_interrupt {
		bool injected;
		bool soft;
		u8 nr;
	} interrupt;
	bool nmi_injected;

#if !NEPT_HAS(qual_in_exception)
	/*
	 * The EPT violation's qualification as handle_ept_violation saved it,
	 * which the EPT walker rewrites and nested_ept_inject_page_fault
	 * injects (struct x86_exception carries it from 6.12).  vCPU state:
	 * it persists from one exit to the next, as in the kernel.
	 */
	unsigned long exit_qualification;
#endif

	/* CPUID (cpuid.c): MAXPHYADDR and the features L2's paging uses. */
#if NEPT_HAS(cpu_caps_array)
	u32 cpu_caps[NR_KVM_CPU_CAPS];
#elif NEPT_HAS(governed_features)
	struct {
		DECLARE_BITMAP(enabled, KVM_NR_GOVERNED_FEATURES);
	} governed_features;
#endif
	bool is_amd_compatible;
	int maxphyaddr;
	u64 reserved_gpa_bits;
	/* CR4 bits L1's CPUID leaves reserved (kvm_vcpu_after_set_cpuid). */
	u64 cr4_guest_rsvd_bits;
#if !NEPT_HAS(cpu_caps_array)
	/* L1's CPUID table, which guest_cpuid_has reads (before 7.2). */
	int cpuid_nent;
	struct kvm_cpuid_entry2 *cpuid_entries;
#endif
	/* IA32_APIC_BASE: X2APIC_ENABLE is L1's x2APIC mode, which the
	 * MSR-load checks read. */
	u64 apic_base;
	/* Set on a successful entry only (6.1, 6.12). */
	bool l1tf_flush_l1d;
	u32 mp_state;
	/* What prepare_vmcs02 loads for L2 besides the control registers:
	 * DR7, PAT, the TSC offset and ratio (no offsetting or scaling
	 * here), and the PDPTRs' origin; the host's DEBUGCTL bits (none). */
	unsigned long dr7;
	u64 pat;
	u64 l1_tsc_offset, l1_tsc_scaling_ratio, tsc_scaling_ratio;
	bool pdptrs_from_userspace;
	u64 host_debugctl;

	/* Nested VM entry (nested_vmx_run): no Hyper-V for L1, no pending
	 * EOI-exit-bitmap load, no TSC offsetting in vmcs12. */
	bool hyperv_enabled;
	bool load_eoi_exitmap_pending;
	u64 tsc_offset;

	/*
	 * KVM's MSR write (kvm_set_msr_common, vmx_set_msr): the state of
	 * the MSRs outside facts §13.3's closed set, which their cases read
	 * or write.  A closed-set MSR never reaches them; they are here for
	 * the switches to compile, and stay 0.
	 */
	struct kvm_lapic *apic; /* the in-kernel local APIC */
	u64 arch_capabilities, perf_capabilities, microcode_version;
	u64 ia32_misc_enable_msr, ia32_xss, guest_supported_xss;
	s64 ia32_tsc_adjust_msr;
	u64 mcg_ext_ctl, msr_hwcr, msr_ia32_power_ctl, msr_platform_info;
	u64 msr_misc_features_enables, msr_kvm_poll_control;
	u64 smbase, smi_count;
	bool cpuid_dynamic_bits_dirty, xfd_no_write_intercept;
	bool guest_tsc_protected;
	struct {
		u64 length, status;
	} osvw;
	struct {
		u64 msr_val;
	} st, pv_eoi;
	u64 time; /* kvm_get_msr_common's PV-clock cases */
#if NEPT_HAS(pat_in_mtrr)
	struct kvm_mtrr mtrr_state; /* 6.1: kvm_mtrr_get_msr's other MSRs */
#endif
	struct fpu_guest {
		u64 xfd_err;
		struct fpstate {
			u64 xfd;
		} * fpstate;
	} guest_fpu;

	/*
	 * The x86 emulator (x86_emulate_instruction, emulate.c): its context,
	 * the retry and MMIO caches, port I/O (never completed here: a PIO
	 * exit to userspace is a stand-in), and what it asks of debugging
	 * (no breakpoints set).
	 */
	struct x86_emulate_ctxt *emulate_ctxt;
	u64 xcr0; /* emulator_get_xcr (7.2): XGETBV */
	bool emulate_regs_need_sync_to_vcpu;
	bool emulate_regs_need_sync_from_vcpu;
	int (*complete_userspace_io)(struct kvm_vcpu *vcpu);
	bool write_fault_to_shadow_pgtable;
	unsigned long last_retry_eip;
	unsigned long last_retry_addr;
	u64 mmio_gva;
	unsigned mmio_access;
	gfn_t mmio_gfn;
	u64 mmio_gen;
	struct kvm_pio_request {
		unsigned long linear_rip;
		unsigned long count;
		int in;
		int port;
		int size;
	} pio;
	void *pio_data;
	void *sev_pio_data;
	unsigned sev_pio_count;
	int halt_request;
	unsigned long db[4]; /* KVM_NR_DB_REGS */
	u32 switch_db_regs;
	unsigned long eff_db[4];
	unsigned long guest_debug_dr7;
	u64 singlestep_rip;
};

/* lapic.h: what kvm_x2apic_msr_write reads of the local APIC (its mode
 * is apic->vcpu->arch.apic_base's). */
struct kvm_lapic {
	struct kvm_vcpu *vcpu;
};

/* include/uapi/linux/kvm.h: what nested_vmx_run reports to userspace on
 * an internal error (the driver reports it as unsupported). */
struct kvm_run {
	u32 exit_reason;
	struct {
		u32 suberror;
		u32 ndata;
		u64 data[16];
	} internal;
	/* handle_exception_nmi's exits to userspace (#DB, #BP, others). */
	struct {
		struct {
			u32 exception, pad;
			u64 pc, dr6, dr7;
		} arch;
	} debug;
	struct {
		u32 exception, error_code;
	} ex;
	/* The emulator's exits to userspace (MMIO, port I/O, a failed
	 * emulation): each a stand-in here, the fields only written. */
	struct {
		u64 phys_addr;
		u8 data[8];
		u32 len;
		u8 is_write;
	} mmio;
	struct {
		u8 direction;
		u8 size;
		u16 port;
		u32 count;
		u64 data_offset;
	} io;
	struct {
		u32 suberror;
		u32 ndata;
		u64 flags;
		union {
			struct {
				u8 insn_size;
				u8 insn_bytes[15];
			};
		};
	} emulation_failure;
};

/* include/linux/kvm_host.h */
struct kvm_vcpu {
	struct kvm *kvm;
	struct kvm_run *run;
	bool wants_to_run; /* in KVM_RUN */
	u64 requests;
	unsigned long guest_debug; /* 0: no userspace debugging of L2 */
	struct kvm_vcpu_stat stat;
	/* The emulator's MMIO fragments (kvm_host.h): an access to L1
	 * memory no memslot backs. */
	int mmio_needed;
	int mmio_read_completed;
	int mmio_is_write;
	int mmio_cur_fragment;
	int mmio_nr_fragments;
	struct kvm_mmio_fragment mmio_fragments[KVM_MAX_MMIO_FRAGMENTS];
	struct kvm_vcpu_arch arch;
};

#if NEPT_HAS(vcpu_vt)
/* arch/x86/kvm/vmx/common.h: the exit information of the current exit. */
struct vcpu_vt {
	union vmx_exit_reason exit_reason;
	unsigned long exit_qualification;
	u32 exit_intr_info;
	bool guest_state_loaded; /* never: no VM entry has run */
};
#endif

/* arch/x86/kvm/vmx/vmcs.h: the NMI state KVM keeps per loaded VMCS. */
struct loaded_vmcs {
	bool nmi_known_unmasked;
	/* Only without virtual NMIs on the host (enable_vnmi = false). */
	int soft_vnmi_blocked;
};

struct hv_enlightened_vmcs;

/* arch/x86/kvm/vmx/vmx.h */
struct nested_vmx {
	struct vmcs12 *cached_vmcs12;
	struct nested_vmx_msrs msrs;
	bool pml_full;
	bool mtf_pending; /* vmx_update_emulated_instruction (L1's MTF) */
	bool nested_run_pending; /* before 7.2; never set here */

	/* Nested VM entry (nested_vmx_run). */
	bool vmxon;
	gpa_t current_vmptr;
	bool need_vmcs12_to_shadow_sync;
	struct gfn_to_hva_cache shadow_vmcs12_cache;
	struct loaded_vmcs vmcs02;
	u64 pre_vmenter_debugctl;
	u64 pre_vmenter_bndcfgs;
	u64 pre_vmenter_s_cet;
	u64 pre_vmenter_ssp;
	u64 pre_vmenter_ssp_tbl;
	unsigned long pre_vmenter_cr3;
	bool dirty_vmcs12; /* VMPTRLD sets it: prepare_vmcs02_rare runs */
	bool has_preemption_timer_deadline;
	bool preemption_timer_expired;
	/* The pages nested_get_vmcs12_pages maps (none here) and posted
	 * interrupts (never enabled), which 6.1 and 6.12 release or read in
	 * nested_vmx_enter_non_root_mode and nested_vmx_run. */
	struct kvm_host_map apic_access_page_map, virtual_apic_map, pi_desc_map;
	struct pi_desc *pi_desc;
	u16 posted_intr_nv;
	bool pi_pending;
	/* Hyper-V's enlightened VMCS: never enabled here. */
	u64 hv_evmcs_vmptr;
	struct hv_enlightened_vmcs *hv_evmcs;
	bool enlightened_vmcs_enabled;
};

struct vcpu_vmx {
	struct kvm_vcpu vcpu;
#if NEPT_HAS(vcpu_vt)
	struct vcpu_vt vt;
#else
	/* The exit information of the current exit (in vcpu_vt from 7.2). */
	union vmx_exit_reason exit_reason;
	unsigned long exit_qualification;
	u32 exit_intr_info;
#endif
	u32 idt_vectoring_info;
	bool fail;
	/* Real mode emulated with vm86 (L1 without unrestricted guest):
	 * never here. */
	struct {
		int vm86_active;
		struct kvm_segment segs[8];
	} rmode;
	/* vmx_read_guest_seg_*'s cache of vmcs02's segment fields, empty at
	 * every run (the vCPU is set up afresh). */
	struct {
		u32 bitmask;
		struct kvm_save_segment {
			u16 selector;
			unsigned long base;
			u32 limit;
			u32 ar;
		} seg[8];
	} segment_cache;
	/* The #VE information page (6.12 on): L2 never gets a #VE here. */
	struct vmx_ve_information *ve_info;
	/* The current VMCS: vmcs02 while L2 runs, vmcs01 while L1 does. */
	struct loaded_vmcs *loaded_vmcs;
	struct loaded_vmcs vmcs01;
	struct nested_vmx nested;

	/*
	 * KVM's MSR write (vmx_set_msr): the user-return MSRs (STAR, LSTAR,
	 * CSTAR, FMASK, TSC_AUX...) and the kernel GS base, which the closed
	 * set of facts §13.3 reaches; the rest, as in kvm_vcpu_arch above,
	 * only for the switch.  The guest state is never loaded on this CPU
	 * (no VM entry has run).
	 */
	struct vmx_uret_msr guest_uret_msrs[MAX_NR_USER_RETURN_MSRS];
	bool guest_uret_msrs_loaded;
	bool guest_state_loaded;
	u64 msr_guest_kernel_gs_base;
	u64 msr_ia32_feature_control, spec_ctrl;
	u32 msr_ia32_umwait_control;
	u64 msr_ia32_sgxlepubkeyhash[4];
	struct {
		void *event;
	} lbr_desc;
	struct {
		u32 num_address_ranges;
		u32 caps[4];
		struct {
			u64 ctl, status, output_base, output_mask, cr3_match;
			u64 addr_a[4], addr_b[4];
		} guest;
	} pt_desc;
};

/* arch/x86/include/asm/hyperv-tlfs.h: only named, as nested_vmx_run reads
 * a field of it on a path L1 without an enlightened VMCS never takes. */
struct hv_enlightened_vmcs {
	u32 hv_clean_fields;
};

/*
 * Guest memory (virt/kvm/kvm_main.c; arch/x86/include/asm/uaccess.h for the
 * user accessors), over the scenario's L1 memory: kvm_impl.c.
 */
static struct kvm_memory_slot *kvm_vcpu_gfn_to_memslot(struct kvm_vcpu *vcpu,
						       gfn_t gfn);
static unsigned long gfn_to_hva_memslot_prot(struct kvm_memory_slot *slot,
					     gfn_t gfn, bool *writable);
static void kvm_vcpu_mark_page_dirty(struct kvm_vcpu *vcpu, gfn_t gfn);
#if NEPT_HAS(walker_hva_prot)
static unsigned long kvm_vcpu_gfn_to_hva_prot(struct kvm_vcpu *vcpu, gfn_t gfn,
					      bool *writable);
#endif
static int kvm_vcpu_read_guest_page(struct kvm_vcpu *vcpu, gfn_t gfn,
				    void *data, int offset, int len);
static int kvm_write_guest_page(struct kvm *kvm, gfn_t gfn, const void *data,
				int offset, int len);
static int kvm_vcpu_write_guest(struct kvm_vcpu *vcpu, gpa_t gpa,
				const void *data, unsigned long len);
static int kvm_vcpu_read_guest(struct kvm_vcpu *vcpu, gpa_t gpa, void *data,
			       unsigned long len);
static int nept_user_read(unsigned long hva, unsigned size, u64 *val);
static int nept_user_cmpxchg(unsigned long hva, unsigned size, u64 *old,
			     u64 new);

#define get_user(x, ptr)                                                  \
	({                                                                \
		u64 __gu_val;                                             \
		int __gu_err = nept_user_read((unsigned long)(ptr),       \
					      sizeof(*(ptr)), &__gu_val); \
		(x) = (__typeof__(*(ptr)))__gu_val;                       \
		__gu_err;                                                 \
	})

/* The unchecked flavour (no access_ok()): the same here. */
#define __get_user(x, ptr) get_user(x, ptr)

/* 0: exchanged; 1: *oldp was stale and now holds memory's value;
 * -EFAULT: no memory there.  The label is the kernel's fault path. */
#define __try_cmpxchg_user(ptr, oldp, nval, label)                            \
	({                                                                    \
		u64 __cx_old = *(oldp);                                       \
		int __cx_ret =                                                \
			nept_user_cmpxchg((unsigned long)(ptr),               \
					  sizeof(*(ptr)), &__cx_old, (nval)); \
		*(oldp) = (__typeof__(*(ptr)))__cx_old;                       \
		__cx_ret;                                                     \
	})

/*
 * Vendor ops: kvm_x86_call()/kvm_nested_call() are static calls through
 * vt_x86_ops / vmx_nested_ops; here they resolve at compile time to the
 * function those tables name (the extracted one where there is one).
 */
#define kvm_x86_call(func) nept_x86_##func
#define kvm_nested_call(func) nept_nested_##func
/* Before 6.12 (kvm_x86_call from 6.11): static_call(kvm_x86_<func>). */
#define static_call(name) nept_static_##name
#define nept_static_kvm_x86_get_cpl vmx_get_cpl
#define nept_static_kvm_x86_get_rflags vmx_get_rflags
#define nept_static_kvm_x86_cache_reg vmx_cache_reg
#define nept_x86_get_cpl vmx_get_cpl
#define nept_x86_get_rflags vmx_get_rflags
#define nept_x86_cache_reg vmx_cache_reg
#define nept_static_kvm_x86_get_cs_db_l_bits vmx_get_cs_db_l_bits
#define nept_x86_get_cs_db_l_bits vmx_get_cs_db_l_bits
#define nept_nested_translate_nested_gpa vmx_translate_nested_gpa
#define nept_nested_is_exception_vmexit nested_vmx_is_exception_vmexit
#define nept_nested_write_log_dirty nested_vmx_write_pml_buffer

/*
 * Without kvm_nested_call() the nested ops are called through kvm_x86_ops.nested_ops
 * (struct kvm_x86_nested_ops is the tree's); the emulator asks whether
 * the vendor untags addresses (LAM, 6.12 on: vmx_get_untagged_addr).  Of
 * kvm_x86_ops, only those members; both tables are filled in kvm_impl.c
 * with the real functions.
 */
struct kvm_x86_ops {
#if !NEPT_HAS(nested_call)
	struct kvm_x86_nested_ops *nested_ops;
#endif
	gva_t (*get_untagged_addr)(struct kvm_vcpu *vcpu, gva_t gva,
				   unsigned int flags);
};
#define nept_x86_get_untagged_addr vmx_get_untagged_addr

/*
 * Stand-ins for kernel functions that cannot run here (kvm_impl.c; each
 * says why, kvm/STANDINS.md lists them).
 */
static unsigned long vmcs_readl(unsigned long field);
static u16 vmcs_read16(unsigned long field);
static u32 vmcs_read32(unsigned long field);
static u64 vmcs_read64(unsigned long field);
static void vmcs_set_bits(unsigned long field, u32 mask);
static int vmx_get_cpl(struct kvm_vcpu *vcpu);
static unsigned long vmx_get_rflags(struct kvm_vcpu *vcpu);
static void vmx_cache_reg(struct kvm_vcpu *vcpu, enum kvm_reg reg);
static void vmx_get_cs_db_l_bits(struct kvm_vcpu *vcpu, int *db, int *l);
#if NEPT_HAS(hv_l2_tlb_flush)
static bool guest_hv_cpuid_has_l2_tlb_flush(struct kvm_vcpu *vcpu);
static bool nested_evmcs_l2_tlb_flush_enabled(struct kvm_vcpu *vcpu);
static bool kvm_hv_is_tlb_flush_hcall(struct kvm_vcpu *vcpu);
#endif
#if NEPT_HAS(cpuid_allowed)
static bool kvm_is_cpuid_allowed(struct kvm_vcpu *vcpu);
#endif
static void vmx_set_nmi_mask(struct kvm_vcpu *vcpu, bool masked);
/* FNAME(page_fault)'s callees past a successful walk: L0's shadow MMU.
 * FNAME(fetch) for each PTTYPE the template is compiled for (the walker
 * structs are paging_tmpl.h's, declared here at file scope). */
struct guest_walkerEPT;
struct guest_walker64;
struct guest_walker32;
static int ept_fetch(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault,
		     struct guest_walkerEPT *gw);
static int paging64_fetch(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault,
			  struct guest_walker64 *gw);
static int paging32_fetch(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault,
			  struct guest_walker32 *gw);
static bool page_fault_handle_page_track(struct kvm_vcpu *vcpu,
					 struct kvm_page_fault *fault);
static void shadow_page_table_clear_flood(struct kvm_vcpu *vcpu, gva_t addr);
static int mmu_topup_memory_caches(struct kvm_vcpu *vcpu, bool maybe_indirect);
#if NEPT_HAS(mmu_faultin_pfn)
static int kvm_mmu_faultin_pfn(struct kvm_vcpu *vcpu,
			       struct kvm_page_fault *fault,
			       unsigned int access);
#elif NEPT_HAS(faultin_pfn_access)
static int kvm_faultin_pfn(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault,
			   unsigned int access);
#else
static int kvm_faultin_pfn(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault);
#endif
#if NEPT_HAS(abnormal_pfn)
static int handle_abnormal_pfn(struct kvm_vcpu *vcpu,
			       struct kvm_page_fault *fault,
			       unsigned int access);
#endif
static int make_mmu_pages_available(struct kvm_vcpu *vcpu);
#if NEPT_HAS(stale_takes_mmu_seq)
static bool is_page_fault_stale(struct kvm_vcpu *vcpu,
				struct kvm_page_fault *fault,
				unsigned long mmu_seq);
#else
static bool is_page_fault_stale(struct kvm_vcpu *vcpu,
				struct kvm_page_fault *fault);
#endif
#if NEPT_HAS(finish_page_fault)
static void kvm_mmu_finish_page_fault(struct kvm_vcpu *vcpu,
				      struct kvm_page_fault *fault, int r);
#else
static void kvm_release_pfn_clean(kvm_pfn_t pfn);
#endif
#if NEPT_HAS(sync_spte)
static int ept_sync_spte(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp, int i);
#else
static int ept_sync_page(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp);
#endif
#if !NEPT_HAS(invalidate_addr)
static void ept_invlpg(struct kvm_vcpu *vcpu, gva_t gva, hpa_t root_hpa);
static void kvm_mmu_invalidate_gva(struct kvm_vcpu *vcpu, struct kvm_mmu *mmu,
				   gva_t gva, hpa_t root_hpa);
#endif
static void init_kvm_tdp_mmu(struct kvm_vcpu *vcpu,
			     union kvm_cpu_role cpu_role);
static void init_kvm_softmmu(struct kvm_vcpu *vcpu,
			     union kvm_cpu_role cpu_role);
static void kvm_mmu_new_pgd(struct kvm_vcpu *vcpu, gpa_t new_pgd);
#if NEPT_HAS(invalidate_addr)
static void kvm_mmu_invalidate_addr(struct kvm_vcpu *vcpu, struct kvm_mmu *mmu,
				    u64 addr, unsigned long roots);
#endif
static int kvm_mmu_page_fault(struct kvm_vcpu *vcpu, gpa_t cr2_or_gpa,
			      u64 error_code, void *insn, int insn_len);
static int kvm_emulate_instruction(struct kvm_vcpu *vcpu, int emulation_type);
/*
 * Nested VM entry (nested_vmx_run, nested_vmx_enter_non_root_mode): what
 * they call that is not extracted.  kvm_impl.c says, for each, why it
 * decides nothing the scenario compares, or that no scenario reaches it
 * (those abort: reaching one is a gap in the driver, not a result).
 */
/* pmu.h: what vmx_set_msr reads of the PMU for MSRs outside facts
 * §13.3's set (6.1, 6.12); no PMU here. */
struct kvm_pmu {
	u8 version;
};
static void vmx_set_rflags(struct kvm_vcpu *vcpu, unsigned long rflags);
static int kvm_skip_emulated_instruction(struct kvm_vcpu *vcpu);
static enum nested_evmptrld_status
nested_vmx_handle_enlightened_vmptrld(struct kvm_vcpu *vcpu, bool launch);
static void kvm_pmu_branch_retired(struct kvm_vcpu *vcpu);
static void copy_enlightened_to_vmcs12(struct vcpu_vmx *vmx,
				       u32 hv_clean_fields);
static void copy_shadow_to_vmcs12(struct vcpu_vmx *vmx);
static int nested_evmcs_check_controls(struct vmcs12 *vmcs12);
static bool kvm_is_valid_u_s_cet(struct kvm_vcpu *vcpu, u64 data);
static struct kvm_pmu *vcpu_to_pmu(struct kvm_vcpu *vcpu);
static bool kvm_valid_perf_global_ctrl(struct kvm_pmu *pmu, u64 data);
static bool intel_pmu_lbr_is_enabled(struct kvm_vcpu *vcpu);
static int kvm_read_guest(struct kvm *kvm, gpa_t gpa, void *data,
			  unsigned long len);
static int kvm_gfn_to_hva_cache_init(struct kvm *kvm,
				     struct gfn_to_hva_cache *ghc, gpa_t gpa,
				     unsigned long len);
static int kvm_read_guest_offset_cached(struct kvm *kvm,
					struct gfn_to_hva_cache *ghc,
					void *data, unsigned int offset,
					unsigned long len);
static void kvm_service_local_tlb_flush_requests(struct kvm_vcpu *vcpu);
static void vmx_switch_vmcs(struct kvm_vcpu *vcpu, struct loaded_vmcs *vmcs);
static void prepare_vmcs02_early(struct vcpu_vmx *vmx,
				 struct loaded_vmcs *vmcs01,
				 struct vmcs12 *vmcs12);
static bool nested_get_vmcs12_pages(struct kvm_vcpu *vcpu);
static void prepare_vmcs02_rare(struct vcpu_vmx *vmx, struct vmcs12 *vmcs12);
static int kvm_set_dr(struct kvm_vcpu *vcpu, int dr, unsigned long val);
static void vmcs_write16(unsigned long field, u16 value);
static void vmcs_write32(unsigned long field, u32 value);
static void vmcs_write64(unsigned long field, u64 value);
static void vmx_update_exception_bitmap(struct kvm_vcpu *vcpu);
static u64 kvm_calc_nested_tsc_offset(u64 l1_offset, u64 l2_offset,
				      u64 l2_multiplier);
static u64 kvm_calc_nested_tsc_multiplier(u64 l1_multiplier, u64 l2_multiplier);
static u64 vmx_get_l2_tsc_offset(struct kvm_vcpu *vcpu);
static u64 vmx_get_l2_tsc_multiplier(struct kvm_vcpu *vcpu);
static void nested_vmx_transition_tlb_flush(struct kvm_vcpu *vcpu,
					    struct vmcs12 *vmcs12,
					    bool is_vmenter);
static void vmx_set_cr0(struct kvm_vcpu *vcpu, unsigned long cr0);
static void vmx_set_cr4(struct kvm_vcpu *vcpu, unsigned long cr4);
static bool vmx_guest_state_valid(struct kvm_vcpu *vcpu);
static bool kvm_pmu_has_perf_global_ctrl(struct kvm_pmu *pmu);
static bool intel_pmu_has_perf_global_ctrl(struct kvm_pmu *pmu);
static void kvm_mmu_free_roots(struct kvm *kvm, struct kvm_mmu *mmu,
			       ulong roots_to_free);
static u32 __exec_controls_get(struct loaded_vmcs *vmcs);
static bool kvm_apic_has_pending_init_or_sipi(struct kvm_vcpu *vcpu);
static int kvm_apic_has_interrupt(struct kvm_vcpu *vcpu);
static u64 vmx_calc_preemption_timer_value(struct kvm_vcpu *vcpu);
static void vmx_start_preemption_timer(struct kvm_vcpu *vcpu,
				       u64 preemption_timeout);
static void nested_put_vmcs12_pages(struct kvm_vcpu *vcpu);
static void load_vmcs12_host_state(struct kvm_vcpu *vcpu,
				   struct vmcs12 *vmcs12);
static void kvm_request_l1tf_flush_l1d(void);
static void nested_cache_shadow_vmcs12(struct kvm_vcpu *vcpu,
				       struct vmcs12 *vmcs12);
static int kvm_emulate_halt_noskip(struct kvm_vcpu *vcpu);
static int kvm_set_mp_state(struct kvm_vcpu *vcpu, int mp_state);
/* Before 7.2 (6.1, 6.12) nested_vmx_enter_non_root_mode and nested_vmx_run
 * also call these. */
struct pi_desc;
static u32 exec_controls_get(struct vcpu_vmx *vmx);
static bool kvm_vcpu_apicv_active(struct kvm_vcpu *vcpu);
static bool vmx_has_apicv_interrupt(struct kvm_vcpu *vcpu);
static void vmcs_writel(unsigned long field, unsigned long value);
static int nested_vmx_check_vmentry_hw(struct kvm_vcpu *vcpu);
static void kvm_vcpu_unmap(struct kvm_vcpu *vcpu, struct kvm_host_map *map,
			   bool dirty);
static void kvm_apic_clear_irr(struct kvm_vcpu *vcpu, int vec);
/* pmu.c: counts VMLAUNCH as a retired branch in L1's PMU counters, which
 * no scenario programs (the event's name is not evaluated). */
#define kvm_pmu_trigger_event(...) \
	do {                       \
	} while (0)
/* ... and an emulated instruction as retired (6.12 on). */
#define kvm_pmu_instruction_retired(vcpu) \
	do {                              \
	} while (0)
/* x86.c's logging of an ignored WRMSR (report_ignored_msrs): none here. */
#define kvm_pr_unimpl_wrmsr(vcpu, msr, data) \
	do {                                 \
	} while (0)

#if NEPT_HAS(vmexit_wrapper)
static void __nested_vmx_vmexit(struct kvm_vcpu *vcpu, u32 vm_exit_reason,
				u32 exit_intr_info,
				unsigned long exit_qualification,
				u32 exit_insn_len);
#else
static void nested_vmx_vmexit(struct kvm_vcpu *vcpu, u32 vm_exit_reason,
			      u32 exit_intr_info,
			      unsigned long exit_qualification);
#endif

/*
 * Module parameters and host properties the extracted code reads, at the
 * values KVM has on an EPT host with default parameters.
 */
static bool tdp_enabled = true; /* mmu.c, EPT on */
static bool enable_vnmi = true; /* vmx.c */
static bool enable_ept = true;	/* vmx.c */
/* x86.c: the scenario's `host allow-smaller-maxphyaddr` (facts §14; off
 * by default, as in KVM with EPT). */
static bool allow_smaller_maxphyaddr = false;
static int max_huge_page_level = PG_LEVEL_1G; /* mmu.c, 1-GiB EPT host */
/* nested.c: VMCS shadowing off, so vmcs12 is the one store of L1's
 * VMWRITEs (with it on, nested_vmx_run first copies the shadow VMCS into
 * vmcs12: the same values); the vTPR check that only runs to WARN about
 * missed consistency checks stays off, as by default. */
static bool enable_shadow_vmcs = false;
/* nested.c before 7.2: no early hardware check of vmcs02 (the default). */
static bool __maybe_unused nested_early_check = false;
/* vmx.c: the host's VMCS controls; loading PAT on entry is among them. */
static struct vmcs_config vmcs_config = {
	.vmentry_ctrl = VM_ENTRY_LOAD_IA32_PAT,
};
static bool warn_on_missed_cc = false;
/* x86.c: KVM's capabilities (no LBR format, no MPX state: the host the
 * facts sheet's vCPU describes), and cpuid.c's kvm_cpu_caps (LA57 set by
 * the driver, as kvm_set_cpu_caps does on a host with 5-level paging). */
static struct kvm_caps kvm_caps;
static u32 kvm_cpu_caps[NR_KVM_CPU_CAPS];
/* The host's MAXPHYADDR, the scenario's `host maxphyaddr=` (default
 * L1's), set by the driver for each scenario: x86.c's kvm_host (from
 * 6.12), mmu/spte.c's shadow_phys_bits before, and arch/x86/kernel/cpu's
 * boot_cpu_data, which vmx_need_pf_intercept reads before 6.12 (no
 * memory encryption: the same width). */
#if NEPT_HAS(kvm_host_maxphyaddr)
static struct {
	u8 maxphyaddr;
} kvm_host = { .maxphyaddr = 52 };
#else
static u8 shadow_phys_bits = 52;
#endif
static struct {
	u8 x86_phys_bits;
} boot_cpu_data = { .x86_phys_bits = 52 };

/*
 * boot_cpu_has (arch/x86/include/asm/cpufeature.h): the host's CPU
 * features, for the ones asked about (6.1's guest_can_use_gbpages, and
 * kvm_vcpu_after_set_cpuid's GBPAGES line the driver plays from 6.12: an
 * EPT host with 1-GiB pages has GBPAGES).  Any other is a gap in this shim
 * (kvm_impl.c aborts), not a value to make up.
 */
static bool nept_boot_cpu_has(int feature, const char *name);
#define boot_cpu_has(bit) nept_boot_cpu_has(bit, #bit)
#define static_cpu_has(bit) nept_boot_cpu_has(bit, #bit)

/*
 * KVM's MSR write (facts §13.3 item 6: __kvm_set_msr, vmx_set_msr,
 * kvm_set_msr_common).  Kernel infrastructure first: one thread, so no
 * preemption, per-CPU data is one copy, SRCU readers are plain reads;
 * logging goes nowhere (the outcome says what happened).
 */
#define preempt_disable() ((void)0)
#define preempt_enable() ((void)0)
#define this_cpu_ptr(ptr) (ptr)
#define per_cpu_ptr(ptr, cpu) ((void)(cpu), (ptr))
#define smp_processor_id() 0
#define srcu_read_lock(ss) ((void)(ss), 0)
#define srcu_read_unlock(ss, idx) ((void)(ss), (void)(idx))
#define srcu_dereference(p, ss) ((void)(ss), (p))
#define smp_store_mb(var, value) ((var) = (value))
#define kvm_debug_ratelimited(fmt, ...) ((void)0)
#define kvm_pr_unimpl(fmt, ...) ((void)0)
/* Static keys: no vCPU of this VM lacks an in-kernel local APIC. */
#define static_branch_unlikely(key) (*(key))
static const bool kvm_has_noapic_vcpu = false;
/* The host processor's RDMSR and WRMSR (kvm_impl.c plays them; the
 * guest's state is never loaded, so the unchecked forms are not run). */
static int rdmsrq_safe(u32 msr, u64 *val);
static int wrmsrq_safe(u32 msr, u64 val);
static void wrmsrq(u32 msr, u64 val);
static u64 nept_rdmsr_loaded(u32 msr);
/* The host's MSR read with the guest's state loaded (never, here). */
#define rdmsrl(msr, val) ((val) = nept_rdmsr_loaded(msr))
#define read_msr(msr) nept_rdmsr_loaded(msr)
#define rdmsrl_safe rdmsrq_safe /* the names before 6.16 */
#define wrmsrl_safe wrmsrq_safe
#define wrmsrl wrmsrq
#define wrmsrns(msr, val) wrmsrq(msr, val) /* non-serializing; the same */
/* Infrastructure around the user-return MSRs and the vCPU's VMCS that
 * decides nothing an MSR load is judged by (kvm_impl.c says why). */
static void kvm_user_return_register_notifier(struct kvm_user_return_msrs *m);
static bool update_transition_efer(struct vcpu_vmx *vmx);
static void vm_entry_controls_setbit(struct vcpu_vmx *vmx, u32 val);
static void vm_entry_controls_clearbit(struct vcpu_vmx *vmx, u32 val);
static void kvm_mmu_reset_context(struct kvm_vcpu *vcpu);
static bool kvm_xen_is_hypercall_page_msr(struct kvm *kvm, u32 msr);
static void kvm_on_user_return(struct user_return_notifier *urn);

/*
 * What the MSR switches call for MSRs outside the closed set of facts
 * §13.3 (PMU, Hyper-V, Xen, PV clocks, MCE, PT, SGX, TSC, XSS...): none is
 * extracted, and reaching one makes the event unsupported, never a guessed
 * result (nept_standin, nept_linux.h: its name goes in the outcome's
 * note, and it leaves KVM's code at once, back to the driver's call).
 * NEPT_STANDIN names each; the emulator's and handle_exception_nmi's
 * stand-ins below use it too.
 */
#define NEPT_STANDIN(name, ...) nept_standin(#name, ##__VA_ARGS__)
#define adjust_tsc_offset_guest(...) \
	NEPT_STANDIN(adjust_tsc_offset_guest, __VA_ARGS__)
#define cpuid_model_is_consistent(...) \
	NEPT_STANDIN(cpuid_model_is_consistent, __VA_ARGS__)
#define fpu_update_guest_xfd(...) \
	NEPT_STANDIN(fpu_update_guest_xfd, __VA_ARGS__)
#define cpuid_fault_enabled(...) NEPT_STANDIN(cpuid_fault_enabled, __VA_ARGS__)
#define kvm_get_msr_feature(...) NEPT_STANDIN(kvm_get_msr_feature, __VA_ARGS__)
#define kvm_is_msr_to_save(...) NEPT_STANDIN(kvm_is_msr_to_save, __VA_ARGS__)
#define kvm_set_apic_base(...) NEPT_STANDIN(kvm_set_apic_base, __VA_ARGS__)
#define kvm_update_cpuid_runtime(...) \
	NEPT_STANDIN(kvm_update_cpuid_runtime, __VA_ARGS__)
#define nested_vmx_allowed(...) NEPT_STANDIN(nested_vmx_allowed, __VA_ARGS__)
#define supports_cpuid_fault(...) \
	NEPT_STANDIN(supports_cpuid_fault, ##__VA_ARGS__)
#define vmx_feature_control_msr_valid(...) \
	NEPT_STANDIN(vmx_feature_control_msr_valid, __VA_ARGS__)
#define guest_has_pred_cmd_msr(...) \
	NEPT_STANDIN(guest_has_pred_cmd_msr, __VA_ARGS__)
#define guest_has_spec_ctrl_msr(...) \
	NEPT_STANDIN(guest_has_spec_ctrl_msr, __VA_ARGS__)
#define guest_pv_has(...) NEPT_STANDIN(guest_pv_has, __VA_ARGS__)
#define intel_pmu_create_guest_lbr_event(...) \
	NEPT_STANDIN(intel_pmu_create_guest_lbr_event, __VA_ARGS__)
#define intel_pt_validate_cap(...) \
	NEPT_STANDIN(intel_pt_validate_cap, __VA_ARGS__)
#define is_vmx_feature_control_msr_valid(...) \
	NEPT_STANDIN(is_vmx_feature_control_msr_valid, __VA_ARGS__)
#define kvm_apic_set_base(...) NEPT_STANDIN(kvm_apic_set_base, __VA_ARGS__)
#define kvm_check_async_pf_completion(...) \
	NEPT_STANDIN(kvm_check_async_pf_completion, __VA_ARGS__)
#define kvm_compute_l1_tsc_offset(...) \
	NEPT_STANDIN(kvm_compute_l1_tsc_offset, __VA_ARGS__)
#define kvm_guest_supported_xfd(...) \
	NEPT_STANDIN(kvm_guest_supported_xfd, __VA_ARGS__)
#define kvm_hv_set_msr_common(...) \
	NEPT_STANDIN(kvm_hv_set_msr_common, __VA_ARGS__)
#define kvm_hv_xsaves_xsavec_maybe_warn(...) \
	NEPT_STANDIN(kvm_hv_xsaves_xsavec_maybe_warn, __VA_ARGS__)
#define kvm_is_advertised_msr(...) \
	NEPT_STANDIN(kvm_is_advertised_msr, __VA_ARGS__)
#define kvm_lapic_msr_write(...) NEPT_STANDIN(kvm_lapic_msr_write, __VA_ARGS__)
#define kvm_lapic_set_pv_eoi(...) \
	NEPT_STANDIN(kvm_lapic_set_pv_eoi, __VA_ARGS__)
#define kvm_mtrr_set_msr(...) NEPT_STANDIN(kvm_mtrr_set_msr, __VA_ARGS__)
#define kvm_pmu_is_valid_msr(...) \
	NEPT_STANDIN(kvm_pmu_is_valid_msr, __VA_ARGS__)
#define kvm_pmu_refresh(...) NEPT_STANDIN(kvm_pmu_refresh, __VA_ARGS__)
#define kvm_pmu_set_msr(...) NEPT_STANDIN(kvm_pmu_set_msr, __VA_ARGS__)
#define kvm_pv_enable_async_pf(...) \
	NEPT_STANDIN(kvm_pv_enable_async_pf, __VA_ARGS__)
#define kvm_pv_enable_async_pf_int(...) \
	NEPT_STANDIN(kvm_pv_enable_async_pf_int, __VA_ARGS__)
#define kvm_set_lapic_tscdeadline_msr(...) \
	NEPT_STANDIN(kvm_set_lapic_tscdeadline_msr, __VA_ARGS__)
#define kvm_set_xstate_msr(...) NEPT_STANDIN(kvm_set_xstate_msr, __VA_ARGS__)
#define kvm_spec_ctrl_test_value(...) \
	NEPT_STANDIN(kvm_spec_ctrl_test_value, __VA_ARGS__)
#define kvm_synchronize_tsc(...) NEPT_STANDIN(kvm_synchronize_tsc, __VA_ARGS__)
#define kvm_write_system_time(...) \
	NEPT_STANDIN(kvm_write_system_time, __VA_ARGS__)
#define kvm_write_wall_clock(...) \
	NEPT_STANDIN(kvm_write_wall_clock, __VA_ARGS__)
#define kvm_xen_write_hypercall_page(...) \
	NEPT_STANDIN(kvm_xen_write_hypercall_page, __VA_ARGS__)
#define pt_can_write_msr(...) NEPT_STANDIN(pt_can_write_msr, __VA_ARGS__)
#define pt_output_base_valid(...) \
	NEPT_STANDIN(pt_output_base_valid, __VA_ARGS__)
#define pt_update_intercept_for_msr(...) \
	NEPT_STANDIN(pt_update_intercept_for_msr, __VA_ARGS__)
#define sched_info_on(...) NEPT_STANDIN(sched_info_on, ##__VA_ARGS__)
#define set_msr_mce(...) NEPT_STANDIN(set_msr_mce, __VA_ARGS__)
#define vmx_disable_intercept_for_msr(...) \
	NEPT_STANDIN(vmx_disable_intercept_for_msr, __VA_ARGS__)
#define vmx_has_waitpkg(...) NEPT_STANDIN(vmx_has_waitpkg, __VA_ARGS__)
#define vmx_leave_nested(...) NEPT_STANDIN(vmx_leave_nested, __VA_ARGS__)
#define vmx_pt_mode_is_host_guest(...) \
	NEPT_STANDIN(vmx_pt_mode_is_host_guest, ##__VA_ARGS__)
#define vmx_rtit_ctl_check(...) NEPT_STANDIN(vmx_rtit_ctl_check, __VA_ARGS__)
#define vmx_segment_cache_clear(...) \
	NEPT_STANDIN(vmx_segment_cache_clear, __VA_ARGS__)
#define vmx_set_vmx_msr(...) NEPT_STANDIN(vmx_set_vmx_msr, __VA_ARGS__)
#define vmx_update_fb_clear_dis(...) \
	NEPT_STANDIN(vmx_update_fb_clear_dis, __VA_ARGS__)
#define vmx_write_encls_bitmap(...) \
	NEPT_STANDIN(vmx_write_encls_bitmap, __VA_ARGS__)
/* KVM's MSR read (kvm_get_msr_common, vmx_get_msr), which the driver
 * calls to read back what a VM entry loaded: the same rule for what no
 * closed-set MSR reaches. */
#define get_msr_mce(...) NEPT_STANDIN(get_msr_mce, __VA_ARGS__)
#define kvm_get_apic_base(...) NEPT_STANDIN(kvm_get_apic_base, __VA_ARGS__)
#define kvm_get_lapic_tscdeadline_msr(...) \
	NEPT_STANDIN(kvm_get_lapic_tscdeadline_msr, __VA_ARGS__)
#define kvm_get_xstate_msr(...) NEPT_STANDIN(kvm_get_xstate_msr, __VA_ARGS__)
#define kvm_hv_get_msr_common(...) \
	NEPT_STANDIN(kvm_hv_get_msr_common, __VA_ARGS__)
#if !NEPT_HAS(pat_in_mtrr) /* 6.1 reads IA32_PAT there: extracted */
#define kvm_mtrr_get_msr(...) NEPT_STANDIN(kvm_mtrr_get_msr, __VA_ARGS__)
#endif
#define kvm_pmu_get_msr(...) NEPT_STANDIN(kvm_pmu_get_msr, __VA_ARGS__)
#define kvm_scale_tsc(...) NEPT_STANDIN(kvm_scale_tsc, __VA_ARGS__)
#define kvm_x2apic_msr_read(...) NEPT_STANDIN(kvm_x2apic_msr_read, __VA_ARGS__)
#define nested_evmcs_filter_control_msr(...) \
	NEPT_STANDIN(nested_evmcs_filter_control_msr, __VA_ARGS__)
#define rdtsc(...) NEPT_STANDIN(rdtsc, ##__VA_ARGS__)
#define vmx_get_vmx_msr(...) NEPT_STANDIN(vmx_get_vmx_msr, __VA_ARGS__)
#if NEPT_HAS(cpu_caps_array)
/* 7.2 asks L1's CPUID table only for IA32_XSS. */
#define guest_cpuid_has(...) NEPT_STANDIN(guest_cpuid_has, __VA_ARGS__)
#endif
/* x86.c's exported globals, one copy per module here: how many
 * user-return MSRs the host has, and the module parameter saying whether
 * ignored MSR accesses are logged (its default; ignore_msrs is off). */
static u32 kvm_nr_uret_msrs;
static bool report_ignored_msrs = true;
/* x86.c: the user-return MSRs' values on this (the only) CPU. */
#if NEPT_HAS(uret_msrs_percpu_var)
static struct kvm_user_return_msrs user_return_msrs;
#else
static struct kvm_user_return_msrs nept_user_return_msrs;
static struct kvm_user_return_msrs *user_return_msrs = &nept_user_return_msrs;
#endif
#define nept_x86_set_msr vmx_set_msr
#define nept_x86_get_msr vmx_get_msr
#define nept_static_kvm_x86_get_msr vmx_get_msr
#define nept_x86_set_efer vmx_set_efer
#define nept_static_kvm_x86_set_msr vmx_set_msr
#define nept_static_kvm_x86_set_efer vmx_set_efer

/*
 * handle_exception_nmi (facts §14): the driver reaches it only for a #PF
 * exit L0 keeps; what its other branches (#UD, #GP, #NM, #VE, #DB, #BP,
 * #AC, real mode, the shadow-paging #PF) call is not extracted, and
 * reaching one leaves KVM's code with the event unsupported.
 */
#define handle_ud(...) NEPT_STANDIN(handle_ud, __VA_ARGS__)
#define kvm_handle_page_fault(...) \
	NEPT_STANDIN(kvm_handle_page_fault, __VA_ARGS__)
#define rmode_exception(...) NEPT_STANDIN(rmode_exception, __VA_ARGS__)
#define handle_rmode_exception(...) \
	NEPT_STANDIN(handle_rmode_exception, __VA_ARGS__)
#define skip_emulated_instruction(...) \
	NEPT_STANDIN(skip_emulated_instruction, __VA_ARGS__)
#define kvm_get_linear_rip(...) NEPT_STANDIN(kvm_get_linear_rip, __VA_ARGS__)
#define handle_guest_split_lock(...) \
	NEPT_STANDIN(handle_guest_split_lock, __VA_ARGS__)
#define kvm_queue_exception_p(...) \
	NEPT_STANDIN(kvm_queue_exception_p, __VA_ARGS__)
#define dump_vmcs(...) NEPT_STANDIN(dump_vmcs, __VA_ARGS__)
#define kvm_mmu_print_sptes(...) NEPT_STANDIN(kvm_mmu_print_sptes, __VA_ARGS__)
/* vmx_handle_page_fault (7.2), for an SGX EPCM #PF only. */
#define cpu_feature_enabled(...) NEPT_STANDIN(cpu_feature_enabled, __VA_ARGS__)
#if NEPT_HAS(xfd_nm_fault)
#define is_xfd_nm_fault(...) NEPT_STANDIN(is_xfd_nm_fault, __VA_ARGS__)
#endif
/*
 * The x86 emulator (x86_emulate_instruction, emulate.c, x86.c's
 * emulate_ops): handle_ept_violation runs it for a GPA beyond L1's width
 * (facts §14).  The emulated access itself is KVM's (the callbacks, the
 * walkers, guest memory); what the emulator calls for anything else (MMIO
 * and port I/O exits to userspace, MSRs, control and debug registers,
 * descriptor tables, SMM, the PMU, CPUID, page tracking of L0's shadow
 * pages, an emulation failure's exit) is not extracted, and reaching one
 * makes the event unsupported (nept_standin), never a guessed result.
 */
#define static_call_cond(name) nept_static_##name
#define nept_static_kvm_x86_set_rflags vmx_set_rflags
#define nept_x86_set_rflags vmx_set_rflags
#define nept_static_kvm_x86_set_nmi_mask vmx_set_nmi_mask
#define nept_x86_set_nmi_mask vmx_set_nmi_mask
#define nept_static_kvm_x86_get_interrupt_shadow vmx_get_interrupt_shadow
#define nept_x86_get_interrupt_shadow vmx_get_interrupt_shadow
#define nept_static_kvm_x86_get_segment vmx_get_segment
#define nept_x86_get_segment vmx_get_segment
#define nept_static_kvm_x86_get_segment_base vmx_get_segment_base
#define nept_x86_get_segment_base vmx_get_segment_base
#define nept_static_kvm_x86_can_emulate_instruction vmx_can_emulate_instruction
#define nept_x86_check_emulate_instruction vmx_check_emulate_instruction
#define nept_static_kvm_x86_update_emulated_instruction \
	vmx_update_emulated_instruction
#define nept_x86_update_emulated_instruction vmx_update_emulated_instruction
static void vmx_set_rflags(struct kvm_vcpu *vcpu, unsigned long rflags);
#define nept_static_kvm_x86_set_interrupt_shadow(...) \
	NEPT_STANDIN(vmx_set_interrupt_shadow, __VA_ARGS__)
#define nept_x86_set_interrupt_shadow(...) \
	NEPT_STANDIN(vmx_set_interrupt_shadow, __VA_ARGS__)
#define nept_static_kvm_x86_set_segment(...) \
	NEPT_STANDIN(vmx_set_segment, __VA_ARGS__)
#define nept_x86_set_segment(...) NEPT_STANDIN(vmx_set_segment, __VA_ARGS__)
#define nept_static_kvm_x86_get_idt(...) NEPT_STANDIN(vmx_get_idt, __VA_ARGS__)
#define nept_x86_get_idt(...) NEPT_STANDIN(vmx_get_idt, __VA_ARGS__)
#define nept_static_kvm_x86_set_idt(...) NEPT_STANDIN(vmx_set_idt, __VA_ARGS__)
#define nept_x86_set_idt(...) NEPT_STANDIN(vmx_set_idt, __VA_ARGS__)
#define nept_static_kvm_x86_get_gdt(...) NEPT_STANDIN(vmx_get_gdt, __VA_ARGS__)
#define nept_x86_get_gdt(...) NEPT_STANDIN(vmx_get_gdt, __VA_ARGS__)
#define nept_static_kvm_x86_set_gdt(...) NEPT_STANDIN(vmx_set_gdt, __VA_ARGS__)
#define nept_x86_set_gdt(...) NEPT_STANDIN(vmx_set_gdt, __VA_ARGS__)
#define nept_static_kvm_x86_leave_smm(...) \
	NEPT_STANDIN(vmx_leave_smm, __VA_ARGS__)
#define nept_x86_leave_smm(...) NEPT_STANDIN(vmx_leave_smm, __VA_ARGS__)
#define nept_static_kvm_x86_get_exit_info(...) \
	NEPT_STANDIN(vmx_get_exit_info, __VA_ARGS__)
#define nept_x86_get_exit_info(...) NEPT_STANDIN(vmx_get_exit_info, __VA_ARGS__)
#define nept_static_kvm_x86_check_intercept(...) \
	NEPT_STANDIN(vmx_check_intercept, __VA_ARGS__)
#define nept_x86_check_intercept(...) \
	NEPT_STANDIN(vmx_check_intercept, __VA_ARGS__)
#define nept_static_kvm_x86_patch_hypercall(...) \
	NEPT_STANDIN(vmx_patch_hypercall, __VA_ARGS__)
#define nept_x86_patch_hypercall(...) \
	NEPT_STANDIN(vmx_patch_hypercall, __VA_ARGS__)
#define nept_x86_complete_emulated_msr(...) \
	NEPT_STANDIN(vmx_complete_emulated_msr, __VA_ARGS__)
#define kvm_mmu_unprotect_page(...) \
	NEPT_STANDIN(kvm_mmu_unprotect_page, __VA_ARGS__)
#define prepare_emulation_ctxt_failure_exit(...) \
	NEPT_STANDIN(prepare_emulation_ctxt_failure_exit, __VA_ARGS__)
static void kvm_page_track_write(struct kvm_vcpu *vcpu, gpa_t gpa,
				 const u8 *new, int bytes);
#define kvm_msr_user_space(...) NEPT_STANDIN(kvm_msr_user_space, __VA_ARGS__)
#define kvm_smm_changed(...) NEPT_STANDIN(kvm_smm_changed, __VA_ARGS__)
#define kvm_set_cr0(...) NEPT_STANDIN(kvm_set_cr0, __VA_ARGS__)
#define kvm_set_cr3(...) NEPT_STANDIN(kvm_set_cr3, __VA_ARGS__)
#define kvm_set_cr4(...) NEPT_STANDIN(kvm_set_cr4, __VA_ARGS__)
#define kvm_set_cr8(...) NEPT_STANDIN(kvm_set_cr8, __VA_ARGS__)
#define kvm_get_cr8(...) NEPT_STANDIN(kvm_get_cr8, __VA_ARGS__)
#define kvm_get_dr(...) NEPT_STANDIN(kvm_get_dr, __VA_ARGS__)
#define kvm_pmu_rdpmc(...) NEPT_STANDIN(kvm_pmu_rdpmc, __VA_ARGS__)
#define kvm_pmu_is_valid_rdpmc_ecx(...) \
	NEPT_STANDIN(kvm_pmu_is_valid_rdpmc_ecx, __VA_ARGS__)
#define kvm_mmu_invlpg(...) NEPT_STANDIN(kvm_mmu_invlpg, __VA_ARGS__)
#define kvm_io_bus_read(...) NEPT_STANDIN(kvm_io_bus_read, __VA_ARGS__)
#define kvm_io_bus_write(...) NEPT_STANDIN(kvm_io_bus_write, __VA_ARGS__)
#define kvm_get_msr(...) NEPT_STANDIN(kvm_get_msr, __VA_ARGS__)
#define kvm_get_msr_with_filter(...) \
	NEPT_STANDIN(kvm_get_msr_with_filter, __VA_ARGS__)
#define kvm_emulate_wbinvd_noskip(...) \
	NEPT_STANDIN(kvm_emulate_wbinvd_noskip, __VA_ARGS__)
#define kvm_cpuid(...) NEPT_STANDIN(kvm_cpuid, __VA_ARGS__)
#define __kvm_set_xcr(...) NEPT_STANDIN(__kvm_set_xcr, __VA_ARGS__)
#define gfn_to_pfn(...) NEPT_STANDIN(gfn_to_pfn, __VA_ARGS__)
#define is_error_noslot_pfn(...) NEPT_STANDIN(is_error_noslot_pfn, __VA_ARGS__)
#define emulator_try_cmpxchg_user(t, ...) \
	NEPT_STANDIN(emulator_try_cmpxchg_user, __VA_ARGS__)
#define kvm_vm_dead(...) NEPT_STANDIN(kvm_vm_dead, __VA_ARGS__)
#define kvm_pmu_check_rdpmc_early(...) \
	NEPT_STANDIN(kvm_pmu_check_rdpmc_early, __VA_ARGS__)
#define kvm_mmu_unprotect_gfn_and_retry(...) \
	NEPT_STANDIN(kvm_mmu_unprotect_gfn_and_retry, __VA_ARGS__)
#define __kvm_mmu_unprotect_gfn_and_retry(...) \
	NEPT_STANDIN(__kvm_mmu_unprotect_gfn_and_retry, __VA_ARGS__)
#define kvm_prepare_event_vectoring_exit(...) \
	NEPT_STANDIN(kvm_prepare_event_vectoring_exit, __VA_ARGS__)
#define kvm_prepare_emulated_mmio_exit(...) \
	NEPT_STANDIN(kvm_prepare_emulated_mmio_exit, __VA_ARGS__)
#define kvm_msr_read(...) NEPT_STANDIN(kvm_msr_read, __VA_ARGS__)
#define kvm_emulate_msr_read(...) \
	NEPT_STANDIN(kvm_emulate_msr_read, __VA_ARGS__)
#define __kvm_emulate_msr_read(...) \
	NEPT_STANDIN(__kvm_emulate_msr_read, __VA_ARGS__)
#if NEPT_HAS(smm_c)
static int emulator_leave_smm(struct x86_emulate_ctxt *ctxt);
#endif
/* The emulator context's cache (kvm_arch_init): one context per vCPU,
 * which the allocator hands out zeroed (nept_kmem_cache_zalloc). */
struct kmem_cache;
static struct kmem_cache *x86_emulator_cache;
#define GFP_KERNEL_ACCOUNT 0
static void *kmem_cache_zalloc(struct kmem_cache *cache, int flags);
#define kvm_vcpu_gfn_to_hva(...) NEPT_STANDIN(kvm_vcpu_gfn_to_hva, __VA_ARGS__)
#define kvm_is_linear_rip(...) NEPT_STANDIN(kvm_is_linear_rip, __VA_ARGS__)
#define kvm_vcpu_check_hw_bp(...) \
	NEPT_STANDIN(kvm_vcpu_check_hw_bp, __VA_ARGS__)
#define kvm_is_code_breakpoint_inhibited(...) \
	NEPT_STANDIN(kvm_is_code_breakpoint_inhibited, __VA_ARGS__)
#define complete_emulator_pio_in(...) \
	NEPT_STANDIN(complete_emulator_pio_in, __VA_ARGS__)
/* Named as completion callbacks (vcpu->arch.complete_userspace_io) or
 * read_write_emulator_ops members: functions, each a stand-in. */
static int vcpu_mmio_read(struct kvm_vcpu *vcpu, gpa_t addr, int len, void *v);
#if NEPT_HAS(mmio_write_nonconst)
#define NEPT_MMIO_WRITE_CONST
#else
#define NEPT_MMIO_WRITE_CONST const
#endif
static int vcpu_mmio_write(struct kvm_vcpu *vcpu, gpa_t addr, int len,
			   NEPT_MMIO_WRITE_CONST void *v);
static int complete_emulated_mmio(struct kvm_vcpu *vcpu);
static int complete_emulated_pio(struct kvm_vcpu *vcpu);
static int complete_emulated_rdmsr(struct kvm_vcpu *vcpu);
static int complete_emulated_msr_access(struct kvm_vcpu *vcpu);
/* virt/kvm/kvm_main.c: the memslots' generation, which the MMIO cache
 * compares against (one generation here: memory never changes). */
struct kvm_memslots {
	u64 generation;
};
static struct kvm_memslots *kvm_memslots(struct kvm *kvm);
#define kvm_vcpu_memslots(vcpu) kvm_memslots((vcpu)->kvm)
#define kvm_err(...) \
	do {         \
	} while (0)

/* x86.c: the VMware backdoor is off (the module parameter's default). */
static bool enable_vmware_backdoor = false;

#endif
