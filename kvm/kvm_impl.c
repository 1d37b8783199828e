// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm-<version>: KVM's real nested-EPT fault path behind the nept_impl
 * interface (harness/impl/impl.h).
 *
 * One translation unit per kernel version.  kvm/extract.py copies KVM's
 * code out of the tree verbatim (kvm_defs.h, kvm_protos.h, kvm_code.c and
 * the paging_tmpl.h walker template, generated per version); the shims
 * under kvm/shim/ give it kernel infrastructure; this file adds the few
 * stand-ins for kernel functions that cannot run here (each commented
 * "stand-in for", all listed in kvm/STANDINS.md) and the driver that plays
 * a scenario's events on one vCPU.
 *
 * Everything is static except the one `const struct nept_impl` named by
 * NEPT_KVM_SYMBOL (e.g. -DNEPT_KVM_SYMBOL=nept_kvm_7_2_impl), so several
 * versions link into one binary.  Extracted kernel functions that are not
 * `static` in the kernel get internal linkage from the `static` prototypes
 * in kvm_protos.h.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <ucontext.h>

#include "arch.h"
#include "impl.h"

/* Kernel warnings off from here to the end of kvm_code.c. */
#include "kernel_warnings.h"

#include "nept_linux.h"

/* Only ever pointed to, in struct kvm_x86_nested_ops (before 7.2): named
 * here so that gcc does not scope it to a parameter list. */
struct kvm_nested_state;

#include "kvm_defs.h"
#include "tree.h"

#include "nept_kvm.h"

#include "kvm_protos.h"
#include "emulate_protos.h"

#if !NEPT_HAS(nested_call)
/*
 * The vendor ops the extracted code reaches through kvm_x86_ops.nested_ops
 * before 7.2 (kvm_nested_call() from 7.2: nept_kvm.h): the members of
 * vmx_nested_ops (vmx/nested.c) it calls, each the real function.
 */
static struct kvm_x86_nested_ops vmx_nested_ops = {
	.is_exception_vmexit = nested_vmx_is_exception_vmexit,
	.write_log_dirty = nested_vmx_write_pml_buffer,
};
#endif
static struct kvm_x86_ops kvm_x86_ops = {
#if !NEPT_HAS(nested_call)
	.nested_ops = &vmx_nested_ops,
#endif
#ifdef X86EMUL_F_FETCH /* 6.12 on: vmx_x86_ops has it */
	.get_untagged_addr = vmx_get_untagged_addr,
#endif
};

#ifndef NEPT_KVM_SYMBOL
#error "build with -DNEPT_KVM_SYMBOL=nept_kvm_<major>_<minor>_impl"
#endif

/*
 * Per-run state: the vCPU (inside vcpu_vmx, as KVM allocates it), its VM,
 * vmcs12 and what hardware left in vmcs02, L1's memory, and what the
 * current event did.  One run at a time (the harness is single-threaded).
 */
struct nept_vmcs02 {
	u32 exit_reason;
	u64 exit_qual;
	u64 guest_physical_address;
	u64 guest_linear_address;
	u32 exit_intr_info, exit_intr_error_code; /* exception exits */
	u32 idt_vectoring_info;
	u32 idt_vectoring_error_code;
	/* Guest state prepare_vmcs02 loads from vmcs12. */
	u32 guest_interruptibility_info;
	u64 guest_pdptr[4];
	/* What the processor's VM entry on vmcs02 checks of what KVM wrote
	 * (nept_vmcs02_entry_check): GUEST_CR0 and GUEST_CR4 (vmx_set_cr0,
	 * vmx_set_cr4), and the "IA-32e mode guest" entry control (the real
	 * vmx_set_efer sets it from EFER.LMA). */
	u64 guest_cr0, guest_cr4;
	bool entry_ia32e;
	/* The SYSENTER MSRs as prepare_vmcs02 and KVM's MSR write (an
	 * MSR-load entry) leave them, for KVM's MSR read (vmx_get_msr). */
	u64 guest_sysenter_cs, guest_sysenter_esp, guest_sysenter_eip;
};

struct nept_state {
	struct kvm kvm;
	struct vcpu_vmx vmx;
	struct vmcs12 vmcs12;
	struct nept_vmcs02 vmcs02;
	struct loaded_vmcs loaded_vmcs02;

	/* L2's CPL and RFLAGS, as vmcs02's SS.DPL and GUEST_RFLAGS hold
	 * them (vmx_get_cpl, vmx_get_rflags). */
	int cpl;
	unsigned long rflags;
	int cs_l; /* CS.L: L2 in IA-32e mode (vmx_get_cs_db_l_bits) */
	/* GUEST_RIP at the event's exit, if the event gives one
	 * (nept_set_rip, vmx_cache_reg). */
	bool has_rip;
	u64 rip;

	/* A VM entry (nested_vmx_run): L1's RFLAGS (VMfail sets CF or ZF);
	 * kvm_run (where an internal error would go to userspace); and for
	 * any event, the stand-in it reached that is not extracted (NULL:
	 * none, nept_escape). */
	unsigned long l1_rflags;
	/* Whether the x86 emulator is running the event's instruction: its
	 * data accesses to L1 memory then record their GPA (read_gpa). */
	bool in_emulator;
	struct kvm_run run;
	const char *standin;
	struct kvm_lapic lapic;
	bool in_vm_entry; /* nested_vmx_run is running */
#if !NEPT_HAS(cpu_caps_array)
	/* L1's CPUID table (vcpu->arch.cpuid_entries), one entry per leaf
	 * the features of nept_l1_features name. */
	struct kvm_cpuid_entry2 cpuid[8];
#endif

	/* WARNs outside an event (vCPU setup), for the first event. */
	unsigned pending_warns;
	char pending_note[sizeof(((struct nept_outcome *)0)->note)];

	/* The current event. */
	struct nept_outcome *out;
	bool exited;
	u32 exit_reason, exit_intr_info;
	u64 exit_qual;
	int from_hardware; /* what KVM passed to the MMU's
			    * inject_page_fault last, -1: none (and always
			    * where the callback has no such argument) */
	bool walked;	   /* ept_page_fault reached ept_fetch, or the
			    * emulated access translated ... */
	u64 walk_gpa;	   /* ... to this L1 GPA */
	bool read_page;	   /* kvm_vcpu_read_guest_page or
			    * kvm_vcpu_write_guest was asked ... */
	u64 read_gpa;	   /* ... for this L1 GPA */
#if NEPT_HAS(from_hardware)
	/* The inject_page_fault callbacks KVM installed in vcpu->arch.mmu
	 * (guest_mmu) and walk_mmu (nested_mmu), which the recorders of
	 * from_hardware call. */
	__typeof__(((struct kvm_mmu *)0)->inject_page_fault) inject_mmu,
		inject_walk_mmu;
#endif

	/* Last, and not cleared whole per scenario (nept_vcpu_setup): L1
	 * guest-physical memory, a private copy of the scenario's, and a
	 * memslot per backed page (only the first mem.npages are read). */
	struct nept_mem mem;
	struct kvm_memory_slot slot[NEPT_MAX_PAGES];
	/* The x86 emulator's context (alloc_emulate_ctxt, once per vCPU):
	 * 2.7 KB, zeroed again only once an emulation used it. */
	struct x86_emulate_ctxt emulate_ctxt;
	bool emulate_ctxt_used;
};

static struct nept_state nept_st;

/*
 * Where the driver called into KVM (nested_vmx_run for a VM entry, the
 * exit handlers for an event): a stand-in for a function this build does
 * not compile, once reached, leaves KVM's code at once (nept_escape)
 * rather than returning a made-up value the code would go on with (a
 * "true" that walks into the next subsystem).  The event is unsupported,
 * with the function named, and so is every later event of the scenario:
 * KVM stopped half-way.  The vCPU is set up afresh for every run.
 */
static jmp_buf nept_escape_to;
static bool nept_escape_armed;

static void nept_escape(const char *standin)
{
	if (!nept_st.standin)
		nept_st.standin = standin;
	if (nept_escape_armed)
		longjmp(nept_escape_to, 1);
}

static void nept_warn_fired(const char *func, const char *file, int line)
{
	struct nept_outcome *o = nept_st.out;
	unsigned *count = o ? &o->warns : &nept_st.pending_warns;
	char *note = o ? o->note : nept_st.pending_note;
	const char *dir = strrchr(file, '/');

	/* The first WARN names its kernel function, which names it across
	 * versions, and file:line ("dir/file.c" is enough to find it). */
	if ((*count)++ == 0) {
		while (dir && dir > file && dir[-1] != '/')
			dir--;
		snprintf(note, sizeof(nept_st.pending_note),
			 "WARN in %s at %s:%d", func, dir ? dir : file, line);
	}
}

/* ------------------------------------------------------------------------
 * KVM's code, verbatim.  What it calls that is not extracted is declared
 * in nept_kvm.h and defined below.
 */
#include "kvm_code.c"

#pragma GCC diagnostic pop

/* ------------------------------------------------------------------------
 * Guest memory (virt/kvm/kvm_main.c, arch/x86/include/asm/uaccess.h): L1
 * memory is the scenario's sparse qwords.  Each backed page is a memslot;
 * a host virtual address is NEPT_HVA_BASE + GPA, and user accesses through
 * it read and write the private copy of the scenario's memory.
 */
#define NEPT_HVA_BASE 0x100000000000UL

static struct kvm_memory_slot *kvm_vcpu_gfn_to_memslot(struct kvm_vcpu *vcpu,
						       gfn_t gfn)
{
	for (unsigned i = 0; i < nept_st.mem.npages; i++)
		if (nept_st.slot[i].base_gfn == gfn)
			return &nept_st.slot[i];
	return NULL;
}

static unsigned long gfn_to_hva_memslot_prot(struct kvm_memory_slot *slot,
					     gfn_t gfn, bool *writable)
{
	if (!slot || gfn < slot->base_gfn ||
	    gfn - slot->base_gfn >= slot->npages)
		return KVM_HVA_ERR_BAD;
	if (writable)
		*writable = true;
	return slot->userspace_addr + (gfn - slot->base_gfn) * PAGE_SIZE;
}

#if NEPT_HAS(walker_hva_prot)
static unsigned long kvm_vcpu_gfn_to_hva_prot(struct kvm_vcpu *vcpu, gfn_t gfn,
					      bool *writable)
{
	return gfn_to_hva_memslot_prot(kvm_vcpu_gfn_to_memslot(vcpu, gfn), gfn,
				       writable);
}
#endif

static void kvm_vcpu_mark_page_dirty(struct kvm_vcpu *vcpu, gfn_t gfn)
{
}

/* Every write to L1 memory goes through here: it is an outcome. */
static bool nept_mem_store(u64 gpa, unsigned size, u64 val)
{
	u64 q, old, mask = size == 8 ? ~0ull : ((1ull << (8 * size)) - 1);
	unsigned shift = 8 * (gpa & 7);
	struct nept_outcome *o = nept_st.out;

	if (!nept_mem_read(&nept_st.mem, gpa, &old))
		return false;
	q = (old & ~(mask << shift)) | ((val & mask) << shift);
	if (!nept_mem_write(&nept_st.mem, gpa, q))
		return false;
	gpa &= ~7ull;
	if (o && q != old) {
		unsigned i;

		for (i = 0; i < o->n_ad_writes; i++)
			if (o->ad_write[i].gpa == gpa)
				break;
		if (i == o->n_ad_writes && i < NEPT_MAX_AD_WRITES) {
			o->ad_write[i] = (struct nept_ad_write){ .gpa = gpa,
								 .old = old };
			o->n_ad_writes++;
		}
		if (i < NEPT_MAX_AD_WRITES)
			o->ad_write[i].val = q;
		else
			o->writes_lost = 1;
	}
	return true;
}

static int nept_mem_load(u64 gpa, unsigned size, u64 *val)
{
	u64 q;

	if ((gpa & (size - 1)) || !nept_mem_read(&nept_st.mem, gpa, &q))
		return -EFAULT;
	*val = size == 8 ? q
			 : (q >> (8 * (gpa & 7))) & ((1ull << (8 * size)) - 1);
	return 0;
}

static int nept_user_read(unsigned long hva, unsigned size, u64 *val)
{
	*val = 0;
	if (hva < NEPT_HVA_BASE)
		return -EFAULT;
	return nept_mem_load(hva - NEPT_HVA_BASE, size, val);
}

/* 0: exchanged; 1: *old was stale (now updated); -EFAULT: no memory. */
static int nept_user_cmpxchg(unsigned long hva, unsigned size, u64 *old,
			     u64 new)
{
	u64 cur;

	if (nept_user_read(hva, size, &cur))
		return -EFAULT;
	if (cur != *old) {
		*old = cur;
		return 1;
	}
	return nept_mem_store(hva - NEPT_HVA_BASE, size, new) ? 0 : -EFAULT;
}

static int kvm_vcpu_read_guest_page(struct kvm_vcpu *vcpu, gfn_t gfn,
				    void *data, int offset, int len)
{
	u8 *p = data;
	u64 gpa = (gfn << PAGE_SHIFT) + offset;

	/* The emulator's fetch reads the page it translated to. */
	nept_st.read_page = true;
	nept_st.read_gpa = gpa;
	for (int i = 0; i < len; i++) {
		u64 b;

		if (nept_mem_load(gpa + i, 1, &b))
			return -EFAULT;
		p[i] = (u8)b;
	}
	return 0;
}

static int kvm_write_guest_page(struct kvm *kvm, gfn_t gfn, const void *data,
				int offset, int len)
{
	const u8 *p = data;
	u64 gpa = (gfn << PAGE_SHIFT) + offset;

	for (int i = 0; i < len; i++)
		if (!nept_mem_store(gpa + i, 1, p[i]))
			return -EFAULT;
	return 0;
}

/*
 * The emulator's data write (emulator_write_std, for an implicit write
 * such as a descriptor's busy flag): the data is not the scenario's
 * business, only where it goes.  It records the GPA, as
 * kvm_vcpu_read_guest_page does for reads, and stores nothing, so the
 * outcome's memory writes stay KVM's own A/D and PML writes; -EFAULT where
 * no memory is, as the real one.
 */
static int kvm_vcpu_write_guest(struct kvm_vcpu *vcpu, gpa_t gpa,
				const void *data, unsigned long len)
{
	nept_st.read_page = true;
	nept_st.read_gpa = gpa;
	for (unsigned long i = 0; i < len; i++) {
		u64 b;

		if (nept_mem_load(gpa + i, 1, &b))
			return -EFAULT;
	}
	return 0;
}

/* kvm_vcpu_read_guest (virt/kvm/kvm_main.c): L1 memory, as the exit
 * reflection reads L1's I/O bitmaps: not an access of the instruction
 * being emulated, so read_page stays as it is ... */
static int kvm_vcpu_read_guest(struct kvm_vcpu *vcpu, gpa_t gpa, void *data,
			       unsigned long len)
{
	u8 *p = data;

	/* ... but read_emulate's, the emulated instruction's data read. */
	if (nept_st.in_emulator) {
		nept_st.read_page = true;
		nept_st.read_gpa = gpa;
	}

	for (unsigned long i = 0; i < len; i++) {
		u64 b;

		if (nept_mem_load(gpa + i, 1, &b))
			return -EFAULT;
		p[i] = (u8)b;
	}
	return 0;
}

/* The VM-scoped read (kvm_main.c): one vCPU, one address space. */
static int kvm_read_guest(struct kvm *kvm, gpa_t gpa, void *data,
			  unsigned long len)
{
	return kvm_vcpu_read_guest(&nept_st.vmx.vcpu, gpa, data, len);
}

/* kvm_gfn_to_hva_cache_init (kvm_main.c): caches the host address of
 * [gpa, gpa + len); -EFAULT if a page of it is in no memslot. */
static int kvm_gfn_to_hva_cache_init(struct kvm *kvm,
				     struct gfn_to_hva_cache *ghc, gpa_t gpa,
				     unsigned long len)
{
	struct kvm_vcpu *vcpu = &nept_st.vmx.vcpu;

	ghc->gpa = gpa;
	ghc->len = len;
	ghc->generation = 0;
	ghc->memslot = NULL;
	ghc->hva = KVM_HVA_ERR_BAD;
	for (gfn_t gfn = gpa >> PAGE_SHIFT;
	     gfn <= (gpa + len - 1) >> PAGE_SHIFT; gfn++)
		if (!kvm_vcpu_gfn_to_memslot(vcpu, gfn))
			return -EFAULT;
	ghc->hva = NEPT_HVA_BASE + gpa;
	return 0;
}

/* kvm_read_guest_offset_cached (kvm_main.c): reads through the cache. */
static int kvm_read_guest_offset_cached(struct kvm *kvm,
					struct gfn_to_hva_cache *ghc,
					void *data, unsigned int offset,
					unsigned long len)
{
	if (WARN_ON_ONCE(len + offset > ghc->len))
		return -EINVAL;
	if (kvm_is_error_hva(ghc->hva))
		return -EFAULT;
	return kvm_read_guest(kvm, ghc->gpa + offset, data, len);
}

/* ------------------------------------------------------------------------
 * VMCS accesses (arch/x86/kvm/vmx/vmx_ops.h): vmcs02 is what hardware left
 * at the current exit, as the driver describes it.  A field nobody
 * expected is a gap in this shim, not a value to make up.
 */
/*
 * L2's segment registers in vmcs02 (the emulator's segmentation checks,
 * vmx_get_segment): flat, as docs/sdm-rules.md §16 takes them: base 0,
 * limit 4 GiB with G = 1, present, DPL = CPL; CS an accessed execute/read
 * code segment, 64-bit (L = 1) in IA-32e mode and 32-bit (D = 1)
 * otherwise; the others accessed read/write data segments; TR a busy TSS;
 * LDTR unusable (SDM 24.4.1 for the access-rights format).
 */
static bool nept_vmcs02_segment(unsigned long field, u64 *val)
{
	/* Each field kind is 8 encodings 2 apart: ES CS SS DS FS GS LDTR TR
	 * (enum vmcs_field). */
	static const unsigned long first[] = { GUEST_ES_SELECTOR, GUEST_ES_BASE,
					       GUEST_ES_LIMIT,
					       GUEST_ES_AR_BYTES };
	unsigned kind, seg;
	u32 ar;

	for (kind = 0; kind < 4; kind++)
		if (field >= first[kind] && field <= first[kind] + 14 &&
		    !((field - first[kind]) & 1))
			break;
	if (kind == 4)
		return false;
	seg = (unsigned)(field - first[kind]) / 2;
	switch (kind) {
	case 0: /* selector: RPL = CPL; LDTR null */
		*val = seg == VCPU_SREG_CS     ? 0x10u | (u32)nept_st.cpl
		       : seg == VCPU_SREG_TR   ? 0x40u
		       : seg == VCPU_SREG_LDTR ? 0
					       : 0x18u | (u32)nept_st.cpl;
		return true;
	case 1:
		*val = 0;
		return true;
	case 2:
		*val = seg == VCPU_SREG_TR ? 0x67 : 0xffffffffu;
		return true;
	}
	if (seg == VCPU_SREG_LDTR) {
		*val = 1u << 16; /* unusable */
		return true;
	}
	if (seg == VCPU_SREG_TR) {
		*val = 0xb | 1u << 7; /* busy TSS, present */
		return true;
	}
	ar = 1u << 4 | (u32)nept_st.cpl << 5 | 1u << 7 | 1u << 15;
	if (seg == VCPU_SREG_CS)
		*val = ar | 0xb | (nept_st.cs_l ? 1u << 13 : 1u << 14);
	else
		*val = ar | 0x3 | 1u << 14;
	return true;
}

static u64 nept_vmcs02_read(unsigned long field)
{
	u64 val;

	switch (field) {
	case VM_EXIT_REASON:
		return nept_st.vmcs02.exit_reason;
	case EXIT_QUALIFICATION:
		return nept_st.vmcs02.exit_qual;
	case VM_EXIT_INTR_INFO:
		return nept_st.vmcs02.exit_intr_info;
	case VM_EXIT_INTR_ERROR_CODE:
		return nept_st.vmcs02.exit_intr_error_code;
	case GUEST_PHYSICAL_ADDRESS:
		return nept_st.vmcs02.guest_physical_address;
	case GUEST_LINEAR_ADDRESS:
		return nept_st.vmcs02.guest_linear_address;
	case VM_EXIT_INSTRUCTION_LEN:
		return 0;
	case IDT_VECTORING_INFO_FIELD:
		return nept_st.vmcs02.idt_vectoring_info;
	case IDT_VECTORING_ERROR_CODE:
		return nept_st.vmcs02.idt_vectoring_error_code;
	case GUEST_INTERRUPTIBILITY_INFO:
		return nept_st.vmcs02.guest_interruptibility_info;
	case GUEST_PDPTR0:
		return nept_st.vmcs02.guest_pdptr[0];
	case GUEST_PDPTR1:
		return nept_st.vmcs02.guest_pdptr[1];
	case GUEST_PDPTR2:
		return nept_st.vmcs02.guest_pdptr[2];
	case GUEST_PDPTR3:
		return nept_st.vmcs02.guest_pdptr[3];
	case GUEST_SYSENTER_CS:
		return nept_st.vmcs02.guest_sysenter_cs;
	case GUEST_SYSENTER_ESP:
		return nept_st.vmcs02.guest_sysenter_esp;
	case GUEST_SYSENTER_EIP:
		return nept_st.vmcs02.guest_sysenter_eip;
	}
	if (nept_vmcs02_segment(field, &val))
		return val;
	fprintf(stderr, "kvm shim: vmcs02 field 0x%lx read, not modelled\n",
		field);
	abort();
}

/* vmcs01 while L1 runs (a VM entry): L1's own guest state, as KVM keeps
 * it there.  Only what nested_vmx_enter_non_root_mode saves is read. */
static u64 nept_vmcs01_read(unsigned long field)
{
	switch (field) {
	case GUEST_IA32_DEBUGCTL:
		return 0; /* L1's IA32_DEBUGCTL */
	case GUEST_INTERRUPTIBILITY_INFO:
		return 0; /* no MOV-SS or STI shadow at L1's VMLAUNCH */
	}
	fprintf(stderr, "kvm shim: vmcs01 field 0x%lx read, not modelled\n",
		field);
	abort();
}

/* Stand-in for vmcs_readl/vmcs_read32/vmcs_read64: VMREAD of the current
 * VMCS. */
static u64 nept_vmcs_read(unsigned long field)
{
	if (nept_st.vmx.loaded_vmcs == &nept_st.vmx.vmcs01)
		return nept_vmcs01_read(field);
	return nept_vmcs02_read(field);
}
static unsigned long vmcs_readl(unsigned long field)
{
	return nept_vmcs_read(field);
}
static u16 vmcs_read16(unsigned long field)
{
	return (u16)nept_vmcs_read(field);
}
static u32 vmcs_read32(unsigned long field)
{
	return (u32)nept_vmcs_read(field);
}
static u64 vmcs_read64(unsigned long field)
{
	return nept_vmcs_read(field);
}
/* Stand-in for vmcs_set_bits: VMWRITE; only handle_ept_violation calls
 * it, to re-block NMIs in vmcs02's interruptibility state. */
static void vmcs_set_bits(unsigned long field, u32 mask)
{
	if (field != GUEST_INTERRUPTIBILITY_INFO) {
		fprintf(stderr,
			"kvm shim: vmcs02 field 0x%lx written, not modelled\n",
			field);
		abort();
	}
	nept_st.vmcs02.guest_interruptibility_info |= mask;
}

/* Stand-in for vmx_get_cpl (vmx.c): it reads SS.DPL from vmcs02, which
 * holds L2's CPL from the scenario. */
static int vmx_get_cpl(struct kvm_vcpu *vcpu)
{
	return nept_st.cpl;
}

/* Stand-in for vmx_get_rflags (vmx.c): a VMREAD of GUEST_RFLAGS, which
 * in vmcs02 holds L2's RFLAGS from the scenario (of its bits only AC
 * matters, to SMAP), in vmcs01 L1's (a VM entry's VMfail sets its flags). */
static unsigned long vmx_get_rflags(struct kvm_vcpu *vcpu)
{
	if (nept_st.vmx.loaded_vmcs == &nept_st.vmx.vmcs01)
		return nept_st.l1_rflags;
	return nept_st.rflags;
}

/* Stand-in for vmx_get_cs_db_l_bits (vmx.c): it reads CS's access rights
 * from vmcs02.  The scenario has no CS: an L2 in IA-32e mode (4- or
 * 5-level paging) runs 64-bit code (CS.L = 1), as the model takes it
 * (docs/sdm-rules.md §15.4). */
static void vmx_get_cs_db_l_bits(struct kvm_vcpu *vcpu, int *db, int *l)
{
	*l = nept_st.cs_l;
	*db = !nept_st.cs_l;
}

/*
 * Stand-ins for the Hyper-V and CPUID-faulting tests of
 * nested_vmx_l0_wants_exit (hyperv.h, hyperv_evmcs.h, cpuid.h): L1 here
 * has no Hyper-V enlightenments, so the VMCALL test stops at the first
 * (false); no scenario exit is a VMCALL or CPUID, so the others are never
 * reached.
 */
#if NEPT_HAS(hv_l2_tlb_flush)
static bool guest_hv_cpuid_has_l2_tlb_flush(struct kvm_vcpu *vcpu)
{
	return false;
}
static bool nested_evmcs_l2_tlb_flush_enabled(struct kvm_vcpu *vcpu)
{
	fprintf(stderr, "kvm shim: nested_evmcs_l2_tlb_flush_enabled not "
			"modelled\n");
	abort();
}
static bool kvm_hv_is_tlb_flush_hcall(struct kvm_vcpu *vcpu)
{
	fprintf(stderr, "kvm shim: kvm_hv_is_tlb_flush_hcall not modelled\n");
	abort();
}
#endif
#if NEPT_HAS(cpuid_allowed)
static bool kvm_is_cpuid_allowed(struct kvm_vcpu *vcpu)
{
	fprintf(stderr, "kvm shim: kvm_is_cpuid_allowed not modelled\n");
	abort();
}
#endif

#if NEPT_HAS(vcpu_reg_pdptr)
#define NEPT_REG_PDPTR VCPU_REG_PDPTR
#else
#define NEPT_REG_PDPTR VCPU_EXREG_PDPTR
#endif
#if NEPT_HAS(rip_field)
#define NEPT_REG_RIP VCPU_REG_RIP
#else
#define NEPT_REG_RIP VCPU_REGS_RIP
#endif

/*
 * Stand-in for vmx_cache_reg (vmx.c): it VMREADs a register into
 * vcpu->arch.  The PDPTRs it reads with the real ept_save_pdptrs (EPT is
 * on), from vmcs02's GUEST_PDPTRn; every other register vcpu->arch already
 * holds (no CR0/CR4 bit is guest-owned, CR3 loads are not intercepted with
 * EPT, so vmcs02's GUEST_CR3 is L2's CR3).
 */
static void vmx_cache_reg(struct kvm_vcpu *vcpu, enum kvm_reg reg)
{
	/* RIP: GUEST_RIP, the event's (nept_set_rip). */
	if (reg == NEPT_REG_RIP) {
		if (!nept_st.has_rip)
			nept_escape("vmx_cache_reg (RIP: the event gives no "
				    "rip)");
#if NEPT_HAS(rip_field)
		vcpu->arch.rip = nept_st.rip;
#else
		vcpu->arch.regs[VCPU_REGS_RIP] = nept_st.rip;
#endif
	}
	kvm_register_mark_available(vcpu, reg);
	if (reg == NEPT_REG_PDPTR && enable_ept)
		ept_save_pdptrs(vcpu);
}

/* Stand-in for vmx_set_nmi_mask (vmx.c): __vmx_complete_interrupts calls
 * it for an NMI whose delivery was interrupted; the scenario's events
 * interrupt only hardware exceptions. */
static void vmx_set_nmi_mask(struct kvm_vcpu *vcpu, bool masked)
{
	fprintf(stderr, "kvm shim: vmx_set_nmi_mask not modelled\n");
	abort();
}

/* ------------------------------------------------------------------------
 * L0's shadow MMU.  FNAME(page_fault) for PTTYPE_EPT (ept_page_fault, the
 * handler kvm_init_shadow_ept_mmu installs in guest_mmu) is the kernel's:
 * its walk of EPT12 and, when the walk fails, its own injection (with
 * from_hardware = true where the tree passes it).  Past a successful walk
 * it builds L0's shadow EPT entry for L2's access; no shadow MMU is
 * modelled here, and none of that is visible to L1: the fault is resolved
 * with no exit to L1.  These stand in for what it calls there, each with
 * the answer of a shadow MMU that has nothing to refuse.
 */

/* Stand-in for page_fault_handle_page_track (mmu/mmu.c): whether the
 * faulting gfn is write-tracked because L0 shadows a guest page table in
 * it.  Nothing is shadowed here, so nothing is tracked. */
static bool page_fault_handle_page_track(struct kvm_vcpu *vcpu,
					 struct kvm_page_fault *fault)
{
	return false;
}

/* Stand-in for shadow_page_table_clear_flood (mmu/mmu.c): resets the
 * write-flood counters of L0's shadow pages; only reached after a tracked
 * write, which page_fault_handle_page_track never reports. */
static void shadow_page_table_clear_flood(struct kvm_vcpu *vcpu, gva_t addr)
{
}

/* Stand-in for mmu_topup_memory_caches (mmu/mmu.c): fills the vCPU's
 * caches of shadow-page allocations; nothing is allocated here, so it
 * cannot fail. */
static int mmu_topup_memory_caches(struct kvm_vcpu *vcpu, bool maybe_indirect)
{
	return 0;
}

/* Stand-in for kvm_mmu_faultin_pfn (mmu/mmu.c; kvm_faultin_pfn before
 * 7.2, with the walker's access from 6.12): resolves the gfn to a host
 * page (or an MMIO/no-slot pfn) for the shadow entry.  No host page
 * backs L1 memory here; the shadow entry it would feed is not built
 * (ept_fetch below), so the fault goes on, as for a present page. */
#if NEPT_HAS(mmu_faultin_pfn)
static int kvm_mmu_faultin_pfn(struct kvm_vcpu *vcpu,
			       struct kvm_page_fault *fault,
			       unsigned int access)
#elif NEPT_HAS(faultin_pfn_access)
static int kvm_faultin_pfn(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault,
			   unsigned int access)
#else
static int kvm_faultin_pfn(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault)
#endif
{
	return RET_PF_CONTINUE;
}

#if NEPT_HAS(abnormal_pfn)
/* Stand-in for handle_abnormal_pfn (mmu/mmu.c, 6.1): checks the pfn
 * kvm_faultin_pfn returned for an error or no-slot (MMIO) pfn; that one
 * returned none, so the fault goes on. */
static int handle_abnormal_pfn(struct kvm_vcpu *vcpu,
			       struct kvm_page_fault *fault,
			       unsigned int access)
{
	return RET_PF_CONTINUE;
}
#endif

/* Stand-in for make_mmu_pages_available (mmu/mmu.c): zaps old shadow
 * pages when L0's shadow-page budget runs out; no shadow page exists
 * here, so there is always room. */
static int make_mmu_pages_available(struct kvm_vcpu *vcpu)
{
	return 0;
}

/* Stand-in for is_page_fault_stale (mmu/mmu.c; it takes the MMU-notifier
 * sequence FNAME(page_fault) read in 6.1): whether the root became
 * obsolete or an MMU-notifier invalidation ran since the pfn was faulted
 * in.  One thread, no host mm, no notifier: never. */
#if NEPT_HAS(stale_takes_mmu_seq)
static bool is_page_fault_stale(struct kvm_vcpu *vcpu,
				struct kvm_page_fault *fault,
				unsigned long mmu_seq)
#else
static bool is_page_fault_stale(struct kvm_vcpu *vcpu,
				struct kvm_page_fault *fault)
#endif
{
	return false;
}

#if NEPT_HAS(finish_page_fault)
/* Stand-in for kvm_mmu_finish_page_fault (mmu/mmu.c, 7.2): releases the
 * host page kvm_mmu_faultin_pfn took; none was taken. */
static void kvm_mmu_finish_page_fault(struct kvm_vcpu *vcpu,
				      struct kvm_page_fault *fault, int r)
{
}
#else
/* Stand-in for kvm_release_pfn_clean (virt/kvm/kvm_main.c): drops the
 * reference kvm_faultin_pfn took on the host page; none was taken. */
static void kvm_release_pfn_clean(kvm_pfn_t pfn)
{
}
#endif

/*
 * Stand-in for FNAME(fetch) (mmu/paging_tmpl.h) for PTTYPE_EPT: it builds
 * L0's shadow EPT entries for the walked translation and maps the page;
 * L2's access then goes on, with no exit to L1.  What L1 can see of it is
 * the L1 GPA the access reached: recorded here, with RET_PF_FIXED, what
 * the real one returns when it installed the mapping.
 */
static int ept_fetch(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault,
		     struct guest_walkerEPT *gw)
{
	nept_st.walked = true;
	nept_st.walk_gpa = gfn_to_gpa(fault->gfn) | (fault->addr & ~PAGE_MASK);
	return RET_PF_FIXED;
}

/* Stand-ins for FNAME(fetch) for PTTYPE 64 and 32 (paging64_fetch,
 * paging32_fetch): the template's other instances of FNAME(page_fault)
 * are L1's shadow paging (init_kvm_softmmu), never installed here. */
static int paging64_fetch(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault,
			  struct guest_walker64 *gw)
{
	fprintf(stderr, "kvm shim: paging64_fetch reached\n");
	abort();
}
static int paging32_fetch(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault,
			  struct guest_walker32 *gw)
{
	fprintf(stderr, "kvm shim: paging32_fetch reached\n");
	abort();
}

/*
 * Stand-in for kvm_mmu_page_fault (mmu/mmu.c) and kvm_mmu_do_page_fault:
 * dispatch to the current MMU's page_fault handler, as they do for a fault
 * without PFERR_RSVD (the MMIO and emulation paths are not compiled).
 * Before 6.12 the error code is cut to 32 bits on the way, as there.
 */
static int kvm_mmu_page_fault(struct kvm_vcpu *vcpu, gpa_t cr2_or_gpa,
			      u64 error_code, void *insn, int insn_len)
{
#if !NEPT_HAS(error_code_u64)
	error_code = lower_32_bits(error_code);
#endif
	struct kvm_page_fault fault = {
		.addr = cr2_or_gpa,
		.error_code = error_code,
		.exec = error_code & PFERR_FETCH_MASK,
		.write = error_code & PFERR_WRITE_MASK,
		.present = error_code & PFERR_PRESENT_MASK,
		.rsvd = error_code & PFERR_RSVD_MASK,
		.user = error_code & PFERR_USER_MASK,
#if NEPT_HAS(fault_is_private)
		.is_private = error_code & PFERR_PRIVATE_ACCESS,
#endif
		.max_level = KVM_MAX_HUGEPAGE_LEVEL,
		.req_level = PG_LEVEL_4K,
		.goal_level = PG_LEVEL_4K,
	};

	if (error_code & PFERR_RSVD_MASK) {
		fprintf(stderr, "kvm shim: MMIO page fault not modelled\n");
		abort();
	}
	return vcpu->arch.mmu->page_fault(vcpu, &fault);
}

/*
 * Stand-ins for FNAME(sync_spte) (ept_sync_spte, which
 * kvm_init_shadow_ept_mmu installs; FNAME(sync_page), ept_sync_page, before
 * 6.12) and for the MMU inits kvm_init_mmu calls outside guest mode: they
 * need the shadow or TDP MMU, and nothing in a nested-EPT event reaches
 * them.
 */
#define NEPT_UNREACHABLE(what)                                   \
	do {                                                     \
		fprintf(stderr, "kvm shim: %s reached\n", what); \
		abort();                                         \
	} while (0)
#if NEPT_HAS(sync_spte)
static int ept_sync_spte(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp, int i)
{
	NEPT_UNREACHABLE("ept_sync_spte");
}
#else
static int ept_sync_page(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp)
{
	NEPT_UNREACHABLE("ept_sync_page");
}
#endif
/* L0's TDP MMU for L2 without nested EPT: only a VM entry with EPT off
 * sets it up (nested_vmx_load_cr3's kvm_init_mmu), and no access follows
 * a VM entry here, so nothing reads it. */
static void init_kvm_tdp_mmu(struct kvm_vcpu *vcpu, union kvm_cpu_role cpu_role)
{
	if (!nept_st.in_vm_entry)
		NEPT_UNREACHABLE("init_kvm_tdp_mmu");
}
static void init_kvm_softmmu(struct kvm_vcpu *vcpu, union kvm_cpu_role cpu_role)
{
	NEPT_UNREACHABLE("init_kvm_softmmu");
}

/* Stand-in for kvm_mmu_new_pgd (mmu.c): switches L0's shadow root for the
 * new EPTP; roots and TLBs are L0's business, invisible to L1. */
static void kvm_mmu_new_pgd(struct kvm_vcpu *vcpu, gpa_t new_pgd)
{
}

#if NEPT_HAS(invalidate_addr)
/* Stand-in for kvm_mmu_invalidate_addr (mmu.c): flushes L0's shadow
 * entries and TLB for an address; invisible to L1 and L2 here. */
static void kvm_mmu_invalidate_addr(struct kvm_vcpu *vcpu, struct kvm_mmu *mmu,
				    u64 addr, unsigned long roots)
{
}
#else
/* Stand-ins for kvm_mmu_invalidate_gva (mmu.c) and FNAME(invlpg)
 * (ept_invlpg, paging_tmpl.h), what kvm_mmu_invalidate_addr was before
 * 6.12: they flush L0's shadow entries and TLB for an address; invisible
 * to L1 and L2 here. */
static void kvm_mmu_invalidate_gva(struct kvm_vcpu *vcpu, struct kvm_mmu *mmu,
				   gva_t gva, hpa_t root_hpa)
{
}
static void ept_invlpg(struct kvm_vcpu *vcpu, gva_t gva, hpa_t root_hpa)
{
}
#endif

/*
 * Stand-in for __nested_vmx_vmexit (vmx/nested.c; nested_vmx_vmexit before
 * 7.2, where the inline that reads the instruction length does not exist):
 * the recorder.  The real one switches to L1 (prepare_vmcs12,
 * load_vmcs12_host_state); of what it writes to vmcs12, L1 reads the exit
 * reason, qualification, interruption information and the guest-linear
 * address that prepare_vmcs12 copies from vmcs02.  The vCPU stays in guest
 * mode: the next event is L2's again, as if L1 resumed it at once with the
 * same controls (the MMU roles a new entry computes are the ones already
 * there).
 */
#if NEPT_HAS(vmexit_wrapper)
static void __nested_vmx_vmexit(struct kvm_vcpu *vcpu, u32 vm_exit_reason,
				u32 exit_intr_info,
				unsigned long exit_qualification,
				u32 exit_insn_len)
#else
static void nested_vmx_vmexit(struct kvm_vcpu *vcpu, u32 vm_exit_reason,
			      u32 exit_intr_info,
			      unsigned long exit_qualification)
#endif
{
	struct vmcs12 *vmcs12 = get_vmcs12(vcpu);

	nept_st.exited = true;
	nept_st.exit_reason = vm_exit_reason;
	nept_st.exit_intr_info = exit_intr_info;
	nept_st.exit_qual = exit_qualification;
	vmcs12->vm_exit_reason = vm_exit_reason;
	vmcs12->vm_exit_intr_info = exit_intr_info;
	vmcs12->exit_qualification = exit_qualification;
	vmcs12->guest_linear_address = vmcs_readl(GUEST_LINEAR_ADDRESS);
}

/* ------------------------------------------------------------------------
 * The driver.
 */

/* L1's IA32_VMX_EPT_VPID_CAP as userspace may set it (a subset of what
 * KVM offers, vmx_restore_vmx_ept_vpid_cap), from the scenario's caps. */
static u32 nept_ept_caps(uint32_t caps)
{
	static const struct {
		uint32_t cap;
		u64 bit;
	} map[] = {
		{ NEPT_CAP_EXEC_ONLY, VMX_EPT_EXECUTE_ONLY_BIT },
		{ NEPT_CAP_PAGE_2M, VMX_EPT_2MB_PAGE_BIT },
		{ NEPT_CAP_PAGE_1G, VMX_EPT_1GB_PAGE_BIT },
		{ NEPT_CAP_WALK4, VMX_EPT_PAGE_WALK_4_BIT },
		{ NEPT_CAP_WALK5, VMX_EPT_PAGE_WALK_5_BIT },
		{ NEPT_CAP_AD, VMX_EPT_AD_BIT },
#if NEPT_HAS(adv_info_cap)
		{ NEPT_CAP_ADV_INFO, VMX_EPT_ADVANCED_VMEXIT_INFO_BIT },
#endif
		{ NEPT_CAP_UC, VMX_EPTP_UC_BIT },
		{ NEPT_CAP_WB, VMX_EPTP_WB_BIT },
	};
	u32 ept = VMX_EPT_INVEPT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT |
		  VMX_EPT_EXTENT_CONTEXT_BIT;

	for (unsigned i = 0; i < ARRAY_SIZE(map); i++)
		if (caps & map[i].cap)
			ept |= (u32)map[i].bit;
	return ept;
}

#if NEPT_HAS(from_hardware)
/*
 * Recorders of from_hardware (not stand-ins: each calls the callback KVM
 * installed).  __kvm_inject_emulated_page_fault hands a fault to
 * fault_mmu->inject_page_fault(vcpu, fault, from_hardware), fault_mmu
 * being vcpu->arch.mmu for a fault of the nested walk (EPT12: guest_mmu,
 * nested_ept_inject_page_fault) or walk_mmu for L2's own #PF
 * (nested_mmu, kvm_inject_page_fault).  KVM's callers choose the value:
 * FNAME(page_fault) passes true for a fault hardware reported,
 * kvm_inject_emulated_page_fault false for the emulator's.  The recorder
 * keeps what it was passed, the outcome's from_hardware.
 */
static void nept_record_mmu_inject(struct kvm_vcpu *vcpu,
				   struct x86_exception *fault,
				   bool from_hardware)
{
	nept_st.from_hardware = from_hardware;
	nept_st.inject_mmu(vcpu, fault, from_hardware);
}

static void nept_record_walk_mmu_inject(struct kvm_vcpu *vcpu,
					struct x86_exception *fault,
					bool from_hardware)
{
	nept_st.from_hardware = from_hardware;
	nept_st.inject_walk_mmu(vcpu, fault, from_hardware);
}

/* Puts the recorders in front of the callbacks KVM's MMU init installed
 * (nested_ept_init_mmu_context in guest_mmu, init_kvm_nested_mmu in
 * nested_mmu). */
static void nept_record_from_hardware(struct kvm_vcpu *vcpu)
{
	struct nept_state *st = &nept_st;

	BUG_ON(vcpu->arch.mmu == vcpu->arch.walk_mmu);
	st->inject_mmu = vcpu->arch.mmu->inject_page_fault;
	vcpu->arch.mmu->inject_page_fault = nept_record_mmu_inject;
	st->inject_walk_mmu = vcpu->arch.walk_mmu->inject_page_fault;
	vcpu->arch.walk_mmu->inject_page_fault = nept_record_walk_mmu_inject;
}
#endif

/* ------------------------------------------------------------------------
 * Nested VM entry (nested_vmx_run -> nested_vmx_enter_non_root_mode): what
 * they call that is not extracted.  Each either decides nothing the
 * scenario compares (said why), or is on a path no scenario reaches here:
 * those abort, as reaching one is a gap in the driver, not a result.
 */
/* vmx.c: a VMWRITE of GUEST_RFLAGS in the current VMCS: L1's in vmcs01
 * (where VMfail sets CF or ZF), L2's in vmcs02 (prepare_vmcs02, and the
 * emulator's result).  Its other work concerns real mode on a host
 * without unrestricted guest (rmode.vm86_active: never here). */
static __maybe_unused void vmx_set_rflags(struct kvm_vcpu *vcpu,
					  unsigned long rflags)
{
	if (to_vmx(vcpu)->loaded_vmcs == &to_vmx(vcpu)->vmcs01)
		nept_st.l1_rflags = rflags;
	else
		nept_st.rflags = rflags;
}

/* x86.c: advances L1's RIP past VMLAUNCH, which the scenario has not. */
static __maybe_unused int kvm_skip_emulated_instruction(struct kvm_vcpu *vcpu)
{
	return 1;
}

/* hyperv.c: L1 has not enabled the enlightened VMCS (no Hyper-V here; the
 * real function's first test, guest_cpu_cap_has_evmcs, is false). */
static __maybe_unused enum nested_evmptrld_status
nested_vmx_handle_enlightened_vmptrld(struct kvm_vcpu *vcpu, bool launch)
{
	return EVMPTRLD_DISABLED;
}

/* pmu.c: counts VMLAUNCH as a retired branch in L1's PMU counters, which
 * no scenario programs. */
static __maybe_unused void kvm_pmu_branch_retired(struct kvm_vcpu *vcpu)
{
}

static __maybe_unused void copy_enlightened_to_vmcs12(struct vcpu_vmx *vmx,
						      u32 hv_clean_fields)
{
	NEPT_UNREACHABLE("copy_enlightened_to_vmcs12 (no enlightened VMCS)");
}
static __maybe_unused void copy_shadow_to_vmcs12(struct vcpu_vmx *vmx)
{
	NEPT_UNREACHABLE("copy_shadow_to_vmcs12 (enable_shadow_vmcs is off)");
}
static __maybe_unused int nested_evmcs_check_controls(struct vmcs12 *vmcs12)
{
	NEPT_UNREACHABLE("nested_evmcs_check_controls (no enlightened VMCS)");
}
/* CET and PERF_GLOBAL_CTRL state: vmcs12 never loads them here. */
static __maybe_unused bool kvm_is_valid_u_s_cet(struct kvm_vcpu *vcpu, u64 data)
{
	NEPT_UNREACHABLE("kvm_is_valid_u_s_cet (CET state loaded)");
}
static __maybe_unused struct kvm_pmu *vcpu_to_pmu(struct kvm_vcpu *vcpu)
{
	/* Also what KVM's MSR write reads for IA32_PERF_CAPABILITIES (6.1,
	 * 6.12), outside facts §13.3's set: the event is unsupported. */
	nept_standin("vcpu_to_pmu");
	NEPT_UNREACHABLE("vcpu_to_pmu (PERF_GLOBAL_CTRL loaded)");
}
static __maybe_unused bool kvm_valid_perf_global_ctrl(struct kvm_pmu *pmu,
						      u64 data)
{
	NEPT_UNREACHABLE("kvm_valid_perf_global_ctrl");
}
/* kvm_caps.supported_perf_cap has no LBR format: never asked. */
static __maybe_unused bool intel_pmu_lbr_is_enabled(struct kvm_vcpu *vcpu)
{
	/* Also what KVM's MSR write asks for IA32_DEBUGCTL, outside facts
	 * §13.3's set: the event is unsupported. */
	nept_standin("intel_pmu_lbr_is_enabled");
	NEPT_UNREACHABLE("intel_pmu_lbr_is_enabled (LBR format offered)");
}

/* x86.c: flushes the TLB entries KVM's requests ask for; there is no TLB
 * here, and no check reads one. */
static __maybe_unused void
kvm_service_local_tlb_flush_requests(struct kvm_vcpu *vcpu)
{
}

/* nested.c: makes vmcs the current VMCS (VMPTRLD) and resets the register
 * cache; here it chooses which field store VMREAD reads
 * (nept_vmcs_read). */
static __maybe_unused void vmx_switch_vmcs(struct kvm_vcpu *vcpu,
					   struct loaded_vmcs *vmcs)
{
	to_vmx(vcpu)->loaded_vmcs = vmcs;
}

/* nested.c: writes vmcs02's control fields from vmcs01 and vmcs12.  No
 * check KVM makes reads them (vmx_guest_state_valid would, and stands in
 * below). */
static __maybe_unused void prepare_vmcs02_early(struct vcpu_vmx *vmx,
						struct loaded_vmcs *vmcs01,
						struct vmcs12 *vmcs12)
{
}

/* nested.c: maps the APIC-access, virtual-APIC, posted-interrupt
 * descriptor and MSR-bitmap pages vmcs12's controls name; the scenario's
 * controls use none of them, so it maps nothing and succeeds. */
static __maybe_unused bool nested_get_vmcs12_pages(struct kvm_vcpu *vcpu)
{
	return true;
}
static __maybe_unused void nested_put_vmcs12_pages(struct kvm_vcpu *vcpu)
{
}

/*
 * prepare_vmcs02's callees that program vmcs02 and L0's view of L2 for
 * hardware: the registers go where later code reads them (vcpu->arch), the
 * rest into vmcs02, whose checks on VM entry hardware makes (not played
 * here: an entry KVM lets through is not compared yet).
 */
/* nested.c: VMWRITEs of vmcs12's rarely written guest fields (segments,
 * descriptor tables, SYSENTER, ...) into vmcs02. */
static void prepare_vmcs02_rare(struct vcpu_vmx *vmx, struct vmcs12 *vmcs12)
{
}
/* x86.c: DR7 goes to vmcs02 (and the vCPU's debug state). */
static int kvm_set_dr(struct kvm_vcpu *vcpu, int dr, unsigned long val)
{
	if (dr == 7)
		vcpu->arch.dr7 = val;
	return 0;
}
/* vmx.c: vmcs02's exception bitmap, L0's and L1's intercepts merged. */
static void vmx_update_exception_bitmap(struct kvm_vcpu *vcpu)
{
}
/* x86.c, vmx.c: no TSC offsetting or scaling in vmcs12 or L0. */
static u64 kvm_calc_nested_tsc_offset(u64 l1_offset, u64 l2_offset,
				      u64 l2_multiplier)
{
	return l1_offset;
}
static u64 kvm_calc_nested_tsc_multiplier(u64 l1_multiplier, u64 l2_multiplier)
{
	return l1_multiplier;
}
static u64 vmx_get_l2_tsc_offset(struct kvm_vcpu *vcpu)
{
	return 0;
}
static u64 vmx_get_l2_tsc_multiplier(struct kvm_vcpu *vcpu)
{
	return 0;
}
/* nested.c: TLB flushes for the switch to L2; there is no TLB here. */
static void nested_vmx_transition_tlb_flush(struct kvm_vcpu *vcpu,
					    struct vmcs12 *vmcs12,
					    bool is_vmenter)
{
}
/* vmx.c: the vendor register setters.  Each keeps the value in the vCPU
 * (what is_pae_paging and the rest read next) and programs vmcs02's
 * GUEST_CR0/CR4, read shadows and IA-32e entry control for hardware. */
#if NEPT_HAS(vcpu_reg_pdptr)
#define NEPT_REG_CR0 VCPU_REG_CR0
#define NEPT_REG_CR4 VCPU_REG_CR4
#else
#define NEPT_REG_CR0 VCPU_EXREG_CR0
#define NEPT_REG_CR4 VCPU_EXREG_CR4
#endif
static void vmx_set_cr0(struct kvm_vcpu *vcpu, unsigned long cr0)
{
	vcpu->arch.cr0 = cr0;
	kvm_register_mark_available(vcpu, NEPT_REG_CR0);
	nept_st.vmcs02.guest_cr0 = cr0;
}
static void vmx_set_cr4(struct kvm_vcpu *vcpu, unsigned long cr4)
{
	vcpu->arch.cr4 = cr4;
	kvm_register_mark_available(vcpu, NEPT_REG_CR4);
	nept_st.vmcs02.guest_cr4 = cr4;
}
/*
 * vmx.h: true with unrestricted guest for L2, else the segment checks of
 * __vmx_guest_state_valid on what prepare_vmcs02_rare wrote.  The
 * scenario has no segments: the harness's vmcs12 holds valid ones for the
 * mode (docs/sdm-rules.md §13 takes them valid), and real mode without
 * unrestricted guest has already failed nested_guest_cr0_valid.
 */
static bool vmx_guest_state_valid(struct kvm_vcpu *vcpu)
{
	return true;
}
/* vmcs12 never loads PERF_GLOBAL_CTRL here. */
static __maybe_unused bool kvm_pmu_has_perf_global_ctrl(struct kvm_pmu *pmu)
{
	NEPT_UNREACHABLE("kvm_pmu_has_perf_global_ctrl");
}
/* The same before 7.2. */
static __maybe_unused bool intel_pmu_has_perf_global_ctrl(struct kvm_pmu *pmu)
{
	NEPT_UNREACHABLE("intel_pmu_has_perf_global_ctrl");
}
/* mmu.c: load_pdptrs frees shadow roots only without TDP. */
static void kvm_mmu_free_roots(struct kvm *kvm, struct kvm_mmu *mmu,
			       ulong roots_to_free)
{
	NEPT_UNREACHABLE("kvm_mmu_free_roots (shadow paging)");
}

/* nested.c: loads L1's host state after a failed entry, once vmcs12's
 * exit reason and qualification are written; the outcome is read from
 * those. */
static __maybe_unused void load_vmcs12_host_state(struct kvm_vcpu *vcpu,
						  struct vmcs12 *vmcs12)
{
}

/*
 * KVM's MSR write (facts §13.3 item 6), what nept_kvm.h declares for it.
 * The switches of vmx_set_msr and kvm_set_msr_common call dozens of
 * functions for MSRs outside the closed set; reaching any of them makes
 * the event unsupported, with the function named.
 */
static int nept_standin(const char *name, ...)
{
	nept_escape(name);
	return 1;
}

/*
 * The x86 emulator's stand-ins that must be functions (nept_kvm.h): the
 * MMIO and port-I/O paths to userspace, and the completion callbacks
 * KVM installs for them.  An access to L1 memory no memslot backs, or an
 * IN/OUT, leaves KVM's code with the event unsupported.
 */
static int vcpu_mmio_read(struct kvm_vcpu *vcpu, gpa_t addr, int len, void *v)
{
	return nept_standin("vcpu_mmio_read (MMIO: an exit to userspace)");
}
static int vcpu_mmio_write(struct kvm_vcpu *vcpu, gpa_t addr, int len,
			   NEPT_MMIO_WRITE_CONST void *v)
{
	return nept_standin("vcpu_mmio_write (MMIO: an exit to userspace)");
}
static int complete_emulated_mmio(struct kvm_vcpu *vcpu)
{
	return nept_standin("complete_emulated_mmio");
}
static int complete_emulated_pio(struct kvm_vcpu *vcpu)
{
	return nept_standin("complete_emulated_pio");
}
static __maybe_unused int complete_emulated_rdmsr(struct kvm_vcpu *vcpu)
{
	return nept_standin("complete_emulated_rdmsr");
}
static __maybe_unused int complete_emulated_msr_access(struct kvm_vcpu *vcpu)
{
	return nept_standin("complete_emulated_msr_access");
}

#if NEPT_HAS(smm_c)
/* smm.c: RSM (no SMM here; x86.c's own emulator_leave_smm is for kernels
 * without CONFIG_KVM_SMM). */
static int emulator_leave_smm(struct x86_emulate_ctxt *ctxt)
{
	return nept_standin("emulator_leave_smm (RSM)");
}
#endif

/*
 * The emulator's exception table (arch/x86/mm/extable.c's fixup_exception
 * for its entries): a fastop DIV or IDIV that divides by zero or
 * overflows raises #DE on this CPU, SIGFPE here; the entry for the
 * faulting instruction resumes at its fixup with %esi zeroed, and the
 * emulator injects #DE into L2 (fastop()).  A fault no entry names is not
 * the emulator's: the handler before this one (ASan's) gets it.
 */
struct nept_extable_entry {
	unsigned long from, to, type;
};
extern const struct nept_extable_entry __start_nept_extable[]
	__attribute__((weak));
extern const struct nept_extable_entry __stop_nept_extable[]
	__attribute__((weak));
static struct sigaction nept_sigfpe_before;

static void nept_sigfpe(int sig, siginfo_t *info, void *ctx)
{
	greg_t *r = ((ucontext_t *)ctx)->uc_mcontext.gregs;

	for (const struct nept_extable_entry *e = __start_nept_extable;
	     e < __stop_nept_extable; e++)
		if (e->from == (unsigned long)r[REG_RIP] &&
		    e->type == EX_TYPE_ZERO_REG) {
			r[REG_RIP] = (greg_t)e->to;
			r[REG_RSI] = 0;
			return;
		}
	/* The instruction faults again, under the handler before. */
	sigaction(SIGFPE, &nept_sigfpe_before, NULL);
}

static void nept_extable_install(void)
{
	static bool installed;
	struct sigaction sa;

	if (installed)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = nept_sigfpe;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGFPE, &sa, &nept_sigfpe_before);
	installed = true;
}

/* kvm_main.c: one memslot generation; L1 memory never changes slots. */
static struct kvm_memslots *kvm_memslots(struct kvm *kvm)
{
	static struct kvm_memslots slots;

	return &slots;
}

/* slab: the emulator cache's one object, the vCPU's context, zeroed (it
 * is still zero unless an emulation ran since). */
static void *kmem_cache_zalloc(struct kmem_cache *cache, int flags)
{
	if (nept_st.emulate_ctxt_used) {
		memset(&nept_st.emulate_ctxt, 0, sizeof(nept_st.emulate_ctxt));
		nept_st.emulate_ctxt_used = false;
	}
	return &nept_st.emulate_ctxt;
}

/* mmu/page_track.c: a write the emulator made tells L0's shadow MMU,
 * which zaps the shadow entries of a guest page table it wrote.  L0's
 * shadow tables (EPT02) are not modelled: every event starts from a miss
 * in them (as FNAME(page_fault)'s ept_fetch stand-in does). */
static void kvm_page_track_write(struct kvm_vcpu *vcpu, gpa_t gpa,
				 const u8 *new, int bytes)
{
}

/*
 * The host processor's RDMSR and WRMSR (KVM probes the user-return MSRs
 * with them at load, and writes a guest's value to the host's MSR in
 * kvm_set_user_return_msr): the CPU of docs/sdm-rules.md §13, whose
 * WRMSR faults by facts §13.3's table (nept_wrmsr_faults, the model's
 * rule too), on which the user-return MSRs KVM lists exist and TSX_CTRL
 * does not (no RTM).  The host's values are Linux's: STAR with the
 * kernel's and user's segments, LSTAR at a kernel address, FMASK the
 * flags Linux clears on SYSCALL, TSC_AUX the CPU number 0.
 */
static bool nept_host_msr(u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_STAR:
		*val = 0x0023001000000000ull;
		return true;
	case MSR_LSTAR:
		*val = 0xffffffff81000040ull;
		return true;
	case MSR_CSTAR:
		*val = 0xffffffff81000080ull;
		return true;
	case MSR_SYSCALL_MASK:
		*val = 0x47700;
		return true;
	case MSR_EFER:
		*val = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;
		return true;
	case MSR_TSC_AUX:
		*val = 0;
		return true;
	}
	return false;
}
static int rdmsrq_safe(u32 msr, u64 *val)
{
	return nept_host_msr(msr, val) ? 0 : -EIO;
}
static int wrmsrq_safe(u32 msr, u64 val)
{
	u64 old;
	bool lme = true, known;

	if (!nept_host_msr(msr, &old))
		return -EIO;
	/* The host is in 64-bit mode (paging, EFER.LME set). */
	if (nept_wrmsr_faults(msr, val, true, &lme, &known) || !known)
		return -EIO;
	return 0;
}
/* The unchecked forms run only with the guest's state loaded on the CPU
 * (vmx_prepare_switch_to_guest), which no event here does. */
static u64 nept_rdmsr_loaded(u32 msr)
{
	NEPT_UNREACHABLE("rdmsr (guest state loaded)");
}
static void wrmsrq(u32 msr, u64 val)
{
	NEPT_UNREACHABLE("wrmsrq (guest state loaded)");
}
/* x86.c: the notifier (before 7.2, registered inline) restores the host's
 * values on the way back to user space, which no event makes. */
static __maybe_unused void kvm_on_user_return(struct user_return_notifier *urn)
{
	NEPT_UNREACHABLE("kvm_on_user_return");
}
/* x86.c: the notifier restores the host's values on the way back to user
 * space, after anything an event is judged by. */
static __maybe_unused void
kvm_user_return_register_notifier(struct kvm_user_return_msrs *m)
{
}
/* vmx.c: whether EFER goes through the user-return list or the VMCS's
 * autoload list on this host, which no check the harness's processor
 * plays on vmcs02 reads (nept_vmcs02_entry_check).  vmx_set_msr never
 * writes EFER through the list. */
static bool update_transition_efer(struct vcpu_vmx *vmx)
{
	return false;
}
/* vmx.h: vmcs02's VM-entry controls; the processor's entry on vmcs02
 * reads "IA-32e mode guest", which the real vmx_set_efer sets from
 * EFER.LMA (nept_vmcs02_entry_check). */
static void vm_entry_controls_setbit(struct vcpu_vmx *vmx, u32 val)
{
	if (val & VM_ENTRY_IA32E_MODE)
		nept_st.vmcs02.entry_ia32e = true;
}
static void vm_entry_controls_clearbit(struct vcpu_vmx *vmx, u32 val)
{
	if (val & VM_ENTRY_IA32E_MODE)
		nept_st.vmcs02.entry_ia32e = false;
}
/* mmu.c: set_efer rebuilds the MMU for L2 when EFER.NXE or LMA changes;
 * only L2's accesses read it, and none follows a VM entry here. */
static void kvm_mmu_reset_context(struct kvm_vcpu *vcpu)
{
}
/* xen.h (7.2; the same test inline before): no Xen hypercall page is
 * configured for this VM, so no index is its MSR. */
static __maybe_unused bool kvm_xen_is_hypercall_page_msr(struct kvm *kvm,
							 u32 msr)
{
	return false;
}

/*
 * After a successful nested_vmx_load_msr (an empty list here): what
 * nested_vmx_enter_non_root_mode and nested_vmx_run do before L2 runs.
 * None decides whether the entry fails.
 */
/* vmcs01's execution controls: no interrupt or NMI window open for L1. */
static __maybe_unused u32 __exec_controls_get(struct loaded_vmcs *vmcs)
{
	return 0;
}
/* lapic.c: no interrupt pending for L1 (-1: none). */
static __maybe_unused int kvm_apic_has_interrupt(struct kvm_vcpu *vcpu)
{
	return -1;
}
/* x86.h: flush L1D before L2 runs; no cache here. */
static __maybe_unused void kvm_request_l1tf_flush_l1d(void)
{
}
/* nested.c: caches the shadow VMCS the link pointer names, which L2's
 * VMREADs would see; no L2 instruction runs here. */
static __maybe_unused void nested_cache_shadow_vmcs12(struct kvm_vcpu *vcpu,
						      struct vmcs12 *vmcs12)
{
}
/* x86.c: an L2 entered in the HLT state halts the vCPU until an event;
 * the entry itself succeeded. */
static __maybe_unused int kvm_emulate_halt_noskip(struct kvm_vcpu *vcpu)
{
	return 1;
}
/* x86.c (7.2): an L2 entered in wait-for-SIPI; as above. */
static __maybe_unused int kvm_set_mp_state(struct kvm_vcpu *vcpu, int mp_state)
{
	vcpu->arch.mp_state = (u32)mp_state;
	return 0;
}
/* lapic.c: no INIT or SIPI is pending for L1 (6.1 and 6.12 ask before
 * prepare_vmcs02, 7.2 after). */
static __maybe_unused bool
kvm_apic_has_pending_init_or_sipi(struct kvm_vcpu *vcpu)
{
	return false;
}
static __maybe_unused u64 vmx_calc_preemption_timer_value(struct kvm_vcpu *vcpu)
{
	NEPT_UNREACHABLE("vmx_calc_preemption_timer_value");
}
static __maybe_unused void vmx_start_preemption_timer(struct kvm_vcpu *vcpu,
						      u64 preemption_timeout)
{
	NEPT_UNREACHABLE("vmx_start_preemption_timer");
}

/* Before 7.2, nested_vmx_enter_non_root_mode first asks whether L1 had an
 * interrupt or NMI window open (vmcs01's execution controls, cached by
 * exec_controls_get: KVM opened none, no event is pending for L1) or an
 * APICv interrupt (APICv is off for L1: no local APIC model). */
static __maybe_unused u32 exec_controls_get(struct vcpu_vmx *vmx)
{
	return 0;
}
static __maybe_unused bool kvm_vcpu_apicv_active(struct kvm_vcpu *vcpu)
{
	return false;
}
static __maybe_unused bool vmx_has_apicv_interrupt(struct kvm_vcpu *vcpu)
{
	NEPT_UNREACHABLE("vmx_has_apicv_interrupt (APICv off)");
}
/*
 * VMWRITE (vmx_ops.h) to the current VMCS: only a VM entry writes here,
 * and only vmcs02's guest PDPTEs are kept (the fields hardware would
 * check on entry, which is not played yet); the rest of vmcs02 is
 * hardware's alone.
 */
static void vmcs_write64(unsigned long field, u64 value)
{
	switch (field) {
	case GUEST_PDPTR0:
	case GUEST_PDPTR1:
	case GUEST_PDPTR2:
	case GUEST_PDPTR3:
		nept_st.vmcs02.guest_pdptr[(field - GUEST_PDPTR0) / 2] = value;
		break;
	case GUEST_SYSENTER_CS:
		nept_st.vmcs02.guest_sysenter_cs = (u32)value;
		break;
	case GUEST_SYSENTER_ESP:
		nept_st.vmcs02.guest_sysenter_esp = value;
		break;
	case GUEST_SYSENTER_EIP:
		nept_st.vmcs02.guest_sysenter_eip = value;
		break;
	}
}
static void vmcs_writel(unsigned long field, unsigned long value)
{
	vmcs_write64(field, value);
}
static __maybe_unused void vmcs_write32(unsigned long field, u32 value)
{
	vmcs_write64(field, value);
}
static __maybe_unused void vmcs_write16(unsigned long field, u16 value)
{
	vmcs_write64(field, value);
}
/* nested.c before 7.2: the early hardware check of vmcs02, which returns
 * 0 at its first test with nested_early_check off (the default). */
static __maybe_unused int nested_vmx_check_vmentry_hw(struct kvm_vcpu *vcpu)
{
	return 0;
}
/* kvm_main.c: unmaps what nested_get_vmcs12_pages mapped: nothing here. */
static __maybe_unused void kvm_vcpu_unmap(struct kvm_vcpu *vcpu,
					  struct kvm_host_map *map, bool dirty)
{
}
static __maybe_unused void kvm_apic_clear_irr(struct kvm_vcpu *vcpu, int vec)
{
	NEPT_UNREACHABLE("kvm_apic_clear_irr (posted interrupts off)");
}

/* The VM and its vCPU in L1, with L1's memory, CPUID and VMX capability
 * MSRs; vmcs12 holds the scenario's controls. */
static void nept_vm_setup(const struct nept_scenario *s)
{
	struct nept_state *st = &nept_st;
	struct kvm_vcpu *vcpu = &st->vmx.vcpu;
	struct vmcs12 *vmcs12 = &st->vmcs12;
	bool mbec = s->caps & NEPT_CAP_MBEC;

	/* Everything but the memory and its slots, which are most of the
	 * state and are written here as far as they are used: a whole clear
	 * costs more than a KVM event (scripts/bench parts). */
	memset(st, 0, offsetof(struct nept_state, mem));
	st->from_hardware = -1;

	/* L1's memory, one memslot per backed page. */
	nept_mem_copy(&st->mem, &s->mem);
	for (unsigned i = 0; i < st->mem.npages; i++) {
		memset(&st->slot[i], 0, sizeof(st->slot[i]));
		st->slot[i].base_gfn = st->mem.page[i] >> PAGE_SHIFT;
		st->slot[i].npages = 1;
		st->slot[i].userspace_addr = NEPT_HVA_BASE + st->mem.page[i];
		st->slot[i].id = (short)i;
	}

	vcpu->kvm = &st->kvm;
	/* Where an exit handler's internal error goes to userspace. */
	vcpu->run = &st->run;
	st->vmx.nested.cached_vmcs12 = vmcs12;
	/* kvm_mmu_create: no roots yet; L1 runs on root_mmu. */
	{
		struct kvm_mmu *mmus[] = { &vcpu->arch.root_mmu,
					   &vcpu->arch.guest_mmu,
					   &vcpu->arch.nested_mmu };

		for (unsigned m = 0; m < ARRAY_SIZE(mmus); m++) {
			mmus[m]->root = KVM_MMU_ROOT_INFO_INVALID;
			for (unsigned i = 0; i < KVM_MMU_NUM_PREV_ROOTS; i++)
				mmus[m]->prev_roots[i] =
					KVM_MMU_ROOT_INFO_INVALID;
		}
	}
	vcpu->arch.mmu = &vcpu->arch.root_mmu;
	vcpu->arch.walk_mmu = &vcpu->arch.root_mmu;

	/* L1's CPUID: MAXPHYADDR, and the reserved GPA bits
	 * kvm_vcpu_after_set_cpuid derives from it. */
	vcpu->arch.maxphyaddr = s->l1_maxphyaddr;
	vcpu->arch.reserved_gpa_bits = kvm_vcpu_reserved_gpa_bits_raw(vcpu);
	/* L0: the host's width and KVM's module parameter (facts §14). */
	boot_cpu_data.x86_phys_bits = (u8)nept_host_maxphyaddr(s);
#if NEPT_HAS(kvm_host_maxphyaddr)
	kvm_host.maxphyaddr = boot_cpu_data.x86_phys_bits;
#else
	shadow_phys_bits = boot_cpu_data.x86_phys_bits;
#endif
	allow_smaller_maxphyaddr = s->l0_flags & NEPT_L0F_ALLOW_SMALLER;

	/*
	 * L1's (and so L2's) CPUID, as kvm_vcpu_after_set_cpuid leaves the
	 * features the extracted code asks about: with EPT, GBPAGES is the
	 * host's (kvm_vcpu_after_set_cpuid's own line, played here with the
	 * real helpers; where guest_can_use_gbpages exists it asks
	 * boot_cpu_has itself).  Where guest capabilities are an array of
	 * words (cpu_caps_array) they also carry the other features the
	 * scenario's L2 uses (PSE-36, NX, SMEP, SMAP, PKU, LA57), which no
	 * extracted function reads; governed features hold GBPAGES only.
	 */
#if NEPT_HAS(cpu_caps_array)
	guest_cpu_cap_change(vcpu, X86_FEATURE_GBPAGES,
			     tdp_enabled && boot_cpu_has(X86_FEATURE_GBPAGES));
	guest_cpu_cap_set(vcpu, X86_FEATURE_PSE36);
	guest_cpu_cap_set(vcpu, X86_FEATURE_NX);
	guest_cpu_cap_set(vcpu, X86_FEATURE_SMEP);
	guest_cpu_cap_set(vcpu, X86_FEATURE_SMAP);
	guest_cpu_cap_set(vcpu, X86_FEATURE_PKU);
	guest_cpu_cap_set(vcpu, X86_FEATURE_LA57);
#elif NEPT_HAS(governed_features) && NEPT_HAS(guest_cpu_cap)
	if (tdp_enabled && boot_cpu_has(X86_FEATURE_GBPAGES))
		guest_cpu_cap_set(vcpu, X86_FEATURE_GBPAGES);
#elif NEPT_HAS(governed_features)
	if (tdp_enabled && boot_cpu_has(X86_FEATURE_GBPAGES))
		kvm_governed_feature_set(vcpu, X86_FEATURE_GBPAGES);
#endif

	/* L1's VMX capability MSRs: the controls below are allowed. */
	st->vmx.nested.msrs.ept_caps = nept_ept_caps(s->caps);
	st->vmx.nested.msrs.pinbased_ctls_high =
		PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS;
	st->vmx.nested.msrs.secondary_ctls_high =
		SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_PML |
		(mbec ? SECONDARY_EXEC_MODE_BASED_EPT_EXEC : 0);

	/* vmcs12: EPT (and MBEC) on, the scenario's controls. */
	vmcs12->ept_pointer = s->eptp;
	vmcs12->pin_based_vm_exec_control =
		(s->ctl.flags & NEPT_CTL_NMI_EXITING ? PIN_BASED_NMI_EXITING
						     : 0) |
		(s->ctl.flags & NEPT_CTL_VIRTUAL_NMIS ? PIN_BASED_VIRTUAL_NMIS
						      : 0);
	vmcs12->cpu_based_vm_exec_control =
		CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
		(s->ctl.flags & NEPT_CTL_IO_EXITING
			 ? CPU_BASED_UNCOND_IO_EXITING
			 : 0) |
		(s->ctl.flags & NEPT_CTL_IO_BITMAPS ? CPU_BASED_USE_IO_BITMAPS
						    : 0) |
		(s->ctl.flags & NEPT_CTL_CR3_LOAD ? CPU_BASED_CR3_LOAD_EXITING
						  : 0) |
		(s->ctl.flags & NEPT_CTL_CR3_STORE ? CPU_BASED_CR3_STORE_EXITING
						   : 0);
	vmcs12->secondary_vm_exec_control =
		SECONDARY_EXEC_ENABLE_EPT |
		(mbec ? SECONDARY_EXEC_MODE_BASED_EPT_EXEC : 0) |
		(s->ctl.flags & NEPT_CTL_PML ? SECONDARY_EXEC_ENABLE_PML : 0) |
		(s->ctl.flags & NEPT_CTL_DESC_EXITING ? SECONDARY_EXEC_DESC
						      : 0);
	/* What decides whether an exit from L2 is L1's (facts §15). */
	vmcs12->io_bitmap_a = s->ctl.io_bitmap[0];
	vmcs12->io_bitmap_b = s->ctl.io_bitmap[1];
	vmcs12->cr0_guest_host_mask = s->ctl.cr0_mask;
	vmcs12->cr0_read_shadow = s->ctl.cr0_shadow;
	vmcs12->cr4_guest_host_mask = s->ctl.cr4_mask;
	vmcs12->cr4_read_shadow = s->ctl.cr4_shadow;
	/* No CR3-target values: KVM offers L1 none (vmcs12 has no room for
	 * them), and the scenario's count is 0. */
	vmcs12->cr3_target_count = (u32)s->ctl.cr3_target_count;
	vmcs12->exception_bitmap = s->ctl.exception_bitmap;
	vmcs12->page_fault_error_code_mask = s->ctl.pfec_mask;
	vmcs12->page_fault_error_code_match = s->ctl.pfec_match;
	vmcs12->pml_address = s->ctl.pml_address;
	vmcs12->guest_pml_index = s->ctl.pml_index;
	vmcs12->guest_pdptr0 = s->l2.pdpte[0];
	vmcs12->guest_pdptr1 = s->l2.pdpte[1];
	vmcs12->guest_pdptr2 = s->l2.pdpte[2];
	vmcs12->guest_pdptr3 = s->l2.pdpte[3];
}

/* A vCPU that has just entered L2 with the scenario's controls. */
static void nept_vcpu_setup(const struct nept_scenario *s)
{
	struct nept_state *st = &nept_st;
	struct kvm_vcpu *vcpu = &st->vmx.vcpu;
	struct vmcs12 *vmcs12 = &st->vmcs12;
	const struct nept_l2 *l2 = &s->l2;

	nept_vm_setup(s);
	/* kvm_arch_vcpu_create: the vCPU's emulator context. */
	alloc_emulate_ctxt(vcpu);

	/*
	 * L2's registers from vmcs12, every one in vcpu->arch as
	 * prepare_vmcs02 leaves them (vmx_set_cr0/cr4/efer, then
	 * nested_vmx_load_cr3).  CPL and RFLAGS stay in vmcs02
	 * (vmx_get_cpl, vmx_get_rflags).
	 */
	vcpu->arch.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE |
			 (l2->paging != NEPT_L2_OFF ? X86_CR0_PG : 0) |
			 (l2->flags & NEPT_L2F_WP ? X86_CR0_WP : 0);
	vcpu->arch.cr4 = (l2->paging >= NEPT_L2_PAE ? X86_CR4_PAE : 0) |
			 (l2->paging == NEPT_L2_5LEVEL ? X86_CR4_LA57 : 0) |
			 (l2->flags & NEPT_L2F_PSE ? X86_CR4_PSE : 0) |
			 (l2->flags & NEPT_L2F_SMEP ? X86_CR4_SMEP : 0) |
			 (l2->flags & NEPT_L2F_SMAP ? X86_CR4_SMAP : 0) |
			 (l2->flags & NEPT_L2F_PKE ? X86_CR4_PKE : 0);
	vcpu->arch.efer =
		(l2->paging >= NEPT_L2_4LEVEL ? EFER_LME | EFER_LMA : 0) |
		(l2->flags & NEPT_L2F_NXE ? EFER_NX : 0);
	vcpu->arch.cr3 = l2->cr3;
	vcpu->arch.pkru = l2->pkru;
	st->cpl = l2->cpl;
	st->cs_l = l2->paging == NEPT_L2_4LEVEL || l2->paging == NEPT_L2_5LEVEL;
	st->rflags = X86_EFLAGS_FIXED |
		     (l2->flags & NEPT_L2F_AC ? X86_EFLAGS_AC : 0);
	memset(&vcpu->arch.regs_avail, 0xff, sizeof(vcpu->arch.regs_avail));

	/* vmcs02 while L2 runs: NMIs unblocked (vmcs12's interruptibility
	 * state is 0), and nested_vmx_enter_non_root_mode's switch to a
	 * fresh loaded VMCS. */
	st->vmx.loaded_vmcs = &st->loaded_vmcs02;

	/* Nested VM entry (nested_vmx_enter_non_root_mode): guest mode,
	 * prepare_vmcs02's nested_ept_init_mmu_context, then
	 * nested_vmx_load_cr3's kvm_init_mmu. */
	enter_guest_mode(vcpu);
	nested_ept_init_mmu_context(vcpu);
	kvm_init_mmu(vcpu);
#if NEPT_HAS(from_hardware)
	nept_record_from_hardware(vcpu);
#endif

	/* prepare_vmcs02's late GUEST_PDPTRn from vmcs12 (nested EPT, PAE
	 * paging); kvm_pdptr_read finds them through vmx_cache_reg once
	 * the first exit has marked them for reloading. */
	if (is_pae_paging(vcpu)) {
		st->vmcs02.guest_pdptr[0] = vmcs12->guest_pdptr0;
		st->vmcs02.guest_pdptr[1] = vmcs12->guest_pdptr1;
		st->vmcs02.guest_pdptr[2] = vmcs12->guest_pdptr2;
		st->vmcs02.guest_pdptr[3] = vmcs12->guest_pdptr3;
	}
}

/*
 * The features of the CPU L1 runs on, in KVM's capabilities and in L1's
 * CPUID alike: what the facts sheet's vCPU has (docs/sdm-rules.md §13:
 * 64-bit, NX, and the CR4 bits of IA32_VMX_CR4_FIXED1 below).
 */
static const int nept_l1_features[] = {
	X86_FEATURE_LM,	  X86_FEATURE_NX,   X86_FEATURE_XSAVE,
	X86_FEATURE_SMEP, X86_FEATURE_SMAP, X86_FEATURE_FSGSBASE,
	X86_FEATURE_PKU,  X86_FEATURE_LA57, X86_FEATURE_UMIP,
	X86_FEATURE_VMX,  X86_FEATURE_PCID, X86_FEATURE_RDTSCP,
};

/* What the events before a VM entry left that L1 keeps: its memory and
 * vmcs12's guest PML index (nested_vmx_write_pml_buffer counts it down). */
struct nept_l1_after {
	struct nept_mem mem;
	u16 pml_index;
};

/*
 * A vCPU in L1 about to execute VMLAUNCH with vmcs12 current: L1 in 64-bit
 * mode at CPL 0 in VMX operation, vmcs12 clear, its controls the
 * scenario's and the vm-entry event's, its host state a valid 64-bit one,
 * its guest state the event's fields (facts §13.2).
 */
static void nept_entry_setup(const struct nept_scenario *s,
			     const struct nept_event *ev,
			     const struct nept_l1_after *after)
{
	struct nept_state *st = &nept_st;
	struct kvm_vcpu *vcpu = &st->vmx.vcpu;
	struct vmcs12 *vmcs12 = &st->vmcs12;
	struct nested_vmx_msrs *msrs = &st->vmx.nested.msrs;
	const struct nept_vmentry *en = &s->entry;
	u16 f = en->flags;

	nept_vm_setup(s);
	/* After other events: L1's memory as KVM left it (the same pages,
	 * so the memslots stand). */
	if (after) {
		nept_mem_copy(&st->mem, &after->mem);
		vmcs12->guest_pml_index = after->pml_index;
	}
#if !NEPT_HAS(cpu_caps_array)
	vcpu->arch.cpuid_entries = st->cpuid;
#endif
	vcpu->wants_to_run = true;

	/* The host (kvm_set_cpu_caps, kvm_x86_vendor_init on an NX host) and
	 * L1's CPUID (a capability array from 7.2, userspace's CPUID table
	 * before), then kvm_vcpu_after_set_cpuid's CR4 line, and before 7.2
	 * kvm_x86_vendor_init's (cr4_reserved_bits). */
	for (unsigned i = 0; i < ARRAY_SIZE(nept_l1_features); i++) {
		int feature = nept_l1_features[i];

		kvm_cpu_caps[__feature_leaf(feature)] |= __feature_bit(feature);
#if NEPT_HAS(cpu_caps_array)
		guest_cpu_cap_set(vcpu, feature);
#else
		{
			const struct cpuid_reg cr = x86_feature_cpuid(feature);
			struct kvm_cpuid_entry2 *e = NULL;

			for (int k = 0; k < vcpu->arch.cpuid_nent; k++)
				if (st->cpuid[k].function == cr.function &&
				    st->cpuid[k].index == cr.index)
					e = &st->cpuid[k];
			if (!e) {
				e = &st->cpuid[vcpu->arch.cpuid_nent++];
				e->function = cr.function;
				e->index = cr.index;
			}
			*__cpuid_entry_get_reg(e, cr.reg) |=
				__feature_bit(feature);
		}
#endif
	}
#if !NEPT_HAS(cpu_caps_array)
	/* Leaf 0: a GenuineIntel CPU (6.1's TSC_AUX check asks
	 * guest_cpuid_is_intel). */
	{
		struct kvm_cpuid_entry2 *e =
			&st->cpuid[vcpu->arch.cpuid_nent++];

		e->function = 0;
		e->eax = 0xd;
		e->ebx = X86EMUL_CPUID_VENDOR_GenuineIntel_ebx;
		e->ecx = X86EMUL_CPUID_VENDOR_GenuineIntel_ecx;
		e->edx = X86EMUL_CPUID_VENDOR_GenuineIntel_edx;
	}
#endif
#if NEPT_HAS(efer_bits_at_init)
	/* kvm_x86_vendor_init's own lines. */
	efer_reserved_bits = ~((u64)EFER_SCE);
	if (kvm_cpu_cap_has(X86_FEATURE_LM))
		kvm_enable_efer_bits(EFER_LME | EFER_LMA);
#endif
	kvm_enable_efer_bits(EFER_NX);
#define __kvm_cpu_cap_has(UNUSED_, f) kvm_cpu_cap_has(f)
#if NEPT_HAS(cpu_caps_array)
	vcpu->arch.cr4_guest_rsvd_bits =
		__cr4_reserved_bits(__kvm_cpu_cap_has, UNUSED_) |
		__cr4_reserved_bits(guest_cpu_cap_has, vcpu);
#else
	cr4_reserved_bits = __cr4_reserved_bits(__kvm_cpu_cap_has, UNUSED_);
	vcpu->arch.cr4_guest_rsvd_bits =
		__cr4_reserved_bits(guest_cpuid_has, vcpu);
#endif
#undef __kvm_cpu_cap_has

	/*
	 * L1's VMX capability MSRs as nested_vmx_setup_*_ctls leave them on
	 * a host with every control (allowed-0: the default1 bits KVM keeps;
	 * allowed-1: what the scenario uses), and the fixed CR bits of
	 * docs/sdm-rules.md §13 (KVM's VMXON_CR0/CR4_ALWAYSON; CR4_FIXED1 is
	 * what nested_vmx_cr_fixed1_bits_update derives from the CPUID
	 * above).
	 */
	msrs->basic = VMCS12_REVISION | VMX_BASIC_TRUE_CTLS;
	msrs->misc_low = VMX_MISC_ACTIVITY_HLT | VMX_MISC_ACTIVITY_WAIT_SIPI;
	msrs->pinbased_ctls_low = PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR;
	msrs->pinbased_ctls_high |= PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR;
	msrs->procbased_ctls_low =
		CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR &
		~(CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING);
	msrs->procbased_ctls_high =
		CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR |
		CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
		CPU_BASED_UNCOND_IO_EXITING | CPU_BASED_USE_IO_BITMAPS |
		CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING;
	msrs->secondary_ctls_high |= SECONDARY_EXEC_UNRESTRICTED_GUEST |
				     SECONDARY_EXEC_SHADOW_VMCS |
				     SECONDARY_EXEC_DESC;
	msrs->exit_ctls_low = VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR &
			      ~VM_EXIT_SAVE_DEBUG_CONTROLS;
	msrs->exit_ctls_high = VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR |
			       VM_EXIT_HOST_ADDR_SPACE_SIZE;
	msrs->entry_ctls_low = VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR &
			       ~VM_ENTRY_LOAD_DEBUG_CONTROLS;
	msrs->entry_ctls_high = VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR |
				VM_ENTRY_IA32E_MODE | VM_ENTRY_LOAD_IA32_PAT |
				VM_ENTRY_LOAD_IA32_EFER;
	msrs->cr0_fixed0 = X86_CR0_PE | X86_CR0_NE | X86_CR0_PG;
	msrs->cr0_fixed1 = 0xffffffff; /* hardware's IA32_VMX_CR0_FIXED1 */
	msrs->cr4_fixed0 = X86_CR4_VMXE;
	msrs->cr4_fixed1 = 0x773fff;

	/* L1: 64-bit, CPL 0 (vmx_get_cpl), after VMXON and VMPTRLD of a
	 * clear vmcs12 (VMLAUNCH). */
	vcpu->arch.cr0 =
		X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	vcpu->arch.cr4 = X86_CR4_PAE | X86_CR4_VMXE;
	vcpu->arch.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;
	memset(&vcpu->arch.regs_avail, 0xff, sizeof(vcpu->arch.regs_avail));
	st->cpl = 0;
	st->l1_rflags = X86_EFLAGS_FIXED;
	st->vmx.loaded_vmcs = &st->vmx.vmcs01;
	st->vmx.nested.vmxon = true;
	st->vmx.nested.dirty_vmcs12 = true; /* VMPTRLD */
	/*
	 * The user-return MSRs: KVM lists those the host has when it loads
	 * (vmx_setup_user_return_msrs, once per process here), reads the
	 * host's values when the CPU comes online (which also stands for
	 * kvm_on_user_return between runs: the host's values are back), and
	 * vmx_vcpu_create lets L1 write every bit of each (no TSX_CTRL line:
	 * the host has no RTM).  Then L1's EFER as userspace sets it
	 * (vmx_set_efer), which decides which of them go to the hardware.
	 */
	if (!kvm_nr_uret_msrs)
		vmx_setup_user_return_msrs();
	kvm_user_return_msr_cpu_online();
	for (u32 i = 0; i < kvm_nr_uret_msrs; ++i)
		st->vmx.guest_uret_msrs[i].mask = -1ull;
	vmx_set_efer(vcpu, vcpu->arch.efer);
	/* L1's local APIC, in the kernel; its mode (IA32_APIC_BASE: enabled,
	 * and x2APIC if the event says so). */
	st->lapic.vcpu = vcpu;
	vcpu->arch.apic = &st->lapic;
	vcpu->arch.apic_base = 0xfee00000 | MSR_IA32_APICBASE_ENABLE |
			       (f & NEPT_ENF_X2APIC ? X2APIC_ENABLE : 0);
	/* enter_vmx_operation (VMXON): no link-pointer page cached yet. */
	st->vmx.nested.shadow_vmcs12_cache.gpa = INVALID_GPA;
	st->vmx.nested.current_vmptr = 0; /* any address: vmcs12 is cached */
	st->vmx.nested.hv_evmcs_vmptr = EVMPTR_INVALID;
	vmcs12->hdr.revision_id = VMCS12_REVISION;
	vmcs12->launch_state = 0;

	/* vmcs12's controls: the scenario's (nept_vm_setup), with EPT,
	 * unrestricted guest and VMCS shadowing as the event says, and the
	 * default1 bits any L1 sets. */
	vmcs12->pin_based_vm_exec_control |= msrs->pinbased_ctls_low;
	vmcs12->cpu_based_vm_exec_control |= msrs->procbased_ctls_low;
	vmcs12->secondary_vm_exec_control &= ~SECONDARY_EXEC_ENABLE_EPT;
	vmcs12->secondary_vm_exec_control |=
		(f & NEPT_ENF_EPT ? SECONDARY_EXEC_ENABLE_EPT : 0) |
		(f & NEPT_ENF_UNRESTRICTED ? SECONDARY_EXEC_UNRESTRICTED_GUEST
					   : 0) |
		(f & NEPT_ENF_SHADOW_VMCS ? SECONDARY_EXEC_SHADOW_VMCS : 0);
	vmcs12->vm_exit_controls =
		msrs->exit_ctls_low | VM_EXIT_HOST_ADDR_SPACE_SIZE;
	vmcs12->vm_entry_controls =
		msrs->entry_ctls_low |
		(f & NEPT_ENF_IA32E ? VM_ENTRY_IA32E_MODE : 0) |
		(f & NEPT_ENF_LOAD_DEBUG ? VM_ENTRY_LOAD_DEBUG_CONTROLS : 0) |
		(f & NEPT_ENF_LOAD_PAT ? VM_ENTRY_LOAD_IA32_PAT : 0) |
		(f & NEPT_ENF_LOAD_EFER ? VM_ENTRY_LOAD_IA32_EFER : 0);
	vmcs12->vm_entry_intr_info_field =
		f & NEPT_ENF_INJECT_NMI
			? INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR | NMI_VECTOR
			: 0;
	vmcs12->vm_entry_msr_load_addr = en->msr_addr;
	vmcs12->vm_entry_msr_load_count = en->msr_count;

	/* Host state: L1's own, valid for a 64-bit host. */
	vmcs12->host_cr0 = vcpu->arch.cr0;
	vmcs12->host_cr4 = vcpu->arch.cr4;
	vmcs12->host_cr3 = 0;
	vmcs12->host_cs_selector = 0x08;
	vmcs12->host_ss_selector = 0x10;
	vmcs12->host_tr_selector = 0x18;

	/* Guest state: the event's fields. */
	vmcs12->guest_cr0 = en->cr0;
	vmcs12->guest_cr3 = en->cr3;
	vmcs12->guest_cr4 = en->cr4;
	vmcs12->guest_ia32_efer = en->efer;
	vmcs12->guest_ia32_pat = en->pat;
	vmcs12->guest_ia32_debugctl = en->debugctl;
	vmcs12->guest_dr7 = en->dr7;
	vmcs12->guest_activity_state = en->activity;
	vmcs12->vmcs_link_pointer = en->link_ptr;
	vmcs12->guest_pdptr0 = en->pdpte[0];
	vmcs12->guest_pdptr1 = en->pdpte[1];
	vmcs12->guest_pdptr2 = en->pdpte[2];
	vmcs12->guest_pdptr3 = en->pdpte[3];
	vmcs12->guest_interruptibility_info =
		f & NEPT_ENF_STI_BLOCKING ? GUEST_INTR_STATE_STI : 0;
	vmcs12->guest_rflags = X86_EFLAGS_FIXED;
}

/*
 * vmcs02's IDT-vectoring information for an exit during the delivery of
 * hardware exception `during` - 1 (0: none): valid, type hardware
 * exception, with an error code (0, in IDT_VECTORING_ERROR_CODE) for the
 * vectors that push one.
 */
static u32 nept_idt_vectoring(unsigned during)
{
	unsigned vector = during - 1;
	bool has_error = nept_vector_has_error_code(vector);

	if (!during)
		return 0;
	return VECTORING_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION | vector |
	       (has_error ? VECTORING_INFO_DELIVER_CODE_MASK : 0);
}

/*
 * A VM exit from L2 to L0: what hardware writes to vmcs02, and what
 * vmx_vcpu_run does with it (the exit reason; the lazily read fields are
 * marked for reloading).  Hardware writes the guest-physical address for
 * EPT violations and misconfigurations only, and the guest-linear address
 * for EPT violations and a few instruction exits (nept_exit_saves_gla);
 * other exits leave those fields as they were.
 */
static void nept_hw_exit(u32 reason, u64 qual, const u64 *gpa, const u64 *gla,
			 unsigned during)
{
	struct kvm_vcpu *vcpu = &nept_st.vmx.vcpu;

	nept_st.vmcs02.exit_reason = reason;
	nept_st.vmcs02.exit_qual = qual;
	if (gpa)
		nept_st.vmcs02.guest_physical_address = *gpa;
	if (gla)
		nept_st.vmcs02.guest_linear_address = *gla;
	nept_st.vmcs02.idt_vectoring_info = nept_idt_vectoring(during);
	nept_st.vmcs02.idt_vectoring_error_code = 0;
	nept_st.vmcs02.exit_intr_info = 0;
	nept_st.vmcs02.exit_intr_error_code = 0;
	/* vmx_vcpu_run's own lines, in the tree's form. */
#if NEPT_HAS(vcpu_vt)
	nept_st.vmx.vt.exit_reason.full = vmcs_read32(VM_EXIT_REASON);
#else
	nept_st.vmx.exit_reason.full = vmcs_read32(VM_EXIT_REASON);
#endif
#if NEPT_HAS(regs_avail_bitmap)
	kvm_clear_available_registers(vcpu, VMX_REGS_LAZY_LOAD_SET);
#else
	vcpu->arch.regs_avail &= ~VMX_REGS_LAZY_LOAD_SET;
#endif
	/* vmx_vcpu_run: the event whose delivery the exit interrupted goes
	 * back to vcpu->arch (the real vmx_complete_interrupts). */
	nept_st.vmx.idt_vectoring_info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	vmx_complete_interrupts(&nept_st.vmx);
}

/*
 * The emulator's access to L2 linear address gla, through walk_mmu =
 * nested_mmu (L2's tables, each GPA through EPT12; with CR0.PG = 0 linear
 * is L2-physical), and its injection of the fault if the walk fails.
 */
static void nept_emulate_access(const struct nept_event *ev)
{
	struct kvm_vcpu *vcpu = &nept_st.vmx.vcpu;
	/* The vCPU's context, as the emulator passes it to its callbacks
	 * (of which these use only ->vcpu). */
	struct x86_emulate_ctxt *ctxt = vcpu->arch.emulate_ctxt;
	struct x86_exception ex;
	gpa_t gpa = INVALID_GPA;
	u8 byte = 0;
	int r;

	memset(&ex, 0, sizeof(ex));
	if (ev->flags & NEPT_AF_IMPLICIT) {
		/* A system access (descriptor tables, TSS): the emulator's
		 * read_std/write_std with system = true.  The data access
		 * records the GPA it went to (memory or not). */
		if (ev->access == NEPT_ACC_WRITE)
			r = emulator_write_std(ctxt, ev->gla, &byte, 1, &ex,
					       true);
		else
			r = emulator_read_std(ctxt, ev->gla, &byte, 1, &ex,
					      true);
		if (r != X86EMUL_PROPAGATE_FAULT && nept_st.read_page)
			gpa = nept_st.read_gpa;
	} else if (ev->access == NEPT_ACC_READ) {
		gpa = kvm_mmu_gva_to_gpa_read(vcpu, ev->gla, &ex);
	} else if (ev->access == NEPT_ACC_WRITE) {
		gpa = kvm_mmu_gva_to_gpa_write(vcpu, ev->gla, &ex);
	} else {
		r = kvm_fetch_guest_virt(ctxt, ev->gla, &byte, 1, &ex);
		if (r != X86EMUL_PROPAGATE_FAULT && nept_st.read_page)
			gpa = nept_st.read_gpa;
	}
	if (gpa == INVALID_GPA) {
		kvm_inject_emulated_page_fault(vcpu, &ex);
		return;
	}
	nept_st.walked = true;
	nept_st.walk_gpa = gpa;
}

static bool nept_boot_cpu_has(int feature, const char *name)
{
	switch (feature) {
	case X86_FEATURE_GBPAGES:
		return true;
	/* vmx_guest_inject_ac: without split-lock detection on the host an
	 * #AC from L2 is always the guest's (L0 does not want the exit). */
	case X86_FEATURE_SPLIT_LOCK_DETECT:
		return false;
	/* vmx_get_supported_debugctl: the CPU of docs/sdm-rules.md §13
	 * implements DEBUGCTL's LBR and BTF only (no bus-lock detection,
	 * no RTM). */
	case X86_FEATURE_BUS_LOCK_DETECT:
	case X86_FEATURE_RTM:
		return false;
	/* set_efer: an XSAVES host (the warning about SVME without it is
	 * not for this one). */
	case X86_FEATURE_XSAVES:
		return true;
	}
	fprintf(stderr, "kvm shim: boot_cpu_has(%s) not modelled\n", name);
	abort();
}

static void nept_unsupported(struct nept_outcome *o, const char *why)
{
	nept_outcome_clear(o);
	nept_st.out = NULL; /* later WARNs: the next event's */
	o->kind = NEPT_OUT_UNSUPPORTED;
	o->from_hardware = -1;
	snprintf(o->note, sizeof(o->note), "%s", why);
}

/*
 * What vmx_handle_exit (__vmx_handle_exit, vmx.c) does with an exit during
 * event delivery that it cannot redo: unless the exit is one of a few
 * (exception, EPT violation, PML full, APIC access, task switch, notify;
 * from 7.2 also EPT misconfiguration), it exits to userspace with
 * KVM_INTERNAL_ERROR_DELIVERY_EV, which neither L1 nor L2 sees.  The
 * condition is the kernel's, copied because the function around it is the
 * whole exit dispatcher.
 */
static bool nept_delivery_ev_error(u32 reason)
{
	switch (reason) {
	case EXIT_REASON_EXCEPTION_NMI:
	case EXIT_REASON_EPT_VIOLATION:
	case EXIT_REASON_PML_FULL:
	case EXIT_REASON_APIC_ACCESS:
	case EXIT_REASON_TASK_SWITCH:
	case EXIT_REASON_NOTIFY:
		return false;
#if NEPT_HAS(misconfig_in_delivery)
	case EXIT_REASON_EPT_MISCONFIG:
		return false;
#endif
	}
	return true;
}

static void nept_end_event(struct nept_outcome *o);

/* The current event starts: its outcome collects WARNs from now on. */
static void nept_begin_event(struct nept_outcome *o)
{
	struct nept_state *st = &nept_st;

	nept_outcome_clear(o);
	o->warns = st->pending_warns;
	memcpy(o->note, st->pending_note, sizeof(o->note));
	st->pending_warns = 0;
	st->pending_note[0] = 0;
	st->out = o;
	st->exited = false;
	st->from_hardware = -1;
	st->walked = false;
	st->read_page = false;
}

/*
 * An emulated event's exit from L2, as hardware leaves it in vmcs02: the
 * reason and qualification, the guest-linear address where hardware saves
 * one, an exception's interruption information and error code, and the
 * source operand of a MOV to CR in the register the qualification names
 * (SDM 27.2.1, 27.2.2; facts §15).
 */
static void nept_emulated_exit(const struct nept_event *ev)
{
	struct kvm_vcpu *vcpu = &nept_st.vmx.vcpu;
	u64 gla = ev->gla;

	nept_hw_exit(ev->exit_reason, ev->exit_qual, NULL,
		     nept_exit_saves_gla(ev) ? &gla : NULL, ev->during);
	if (ev->exit_reason == EXIT_REASON_EXCEPTION_NMI && ev->exit_vector) {
		unsigned vector = ev->exit_vector - 1u;
		bool has_error = nept_vector_has_error_code(vector);

		nept_st.vmcs02.exit_intr_info =
			INTR_INFO_VALID_MASK |
			(vector == 2 /* NMI */ ? INTR_TYPE_NMI_INTR
					       : INTR_TYPE_HARD_EXCEPTION) |
			vector | (has_error ? INTR_INFO_DELIVER_CODE_MASK : 0);
		nept_st.vmcs02.exit_intr_error_code = ev->exit_error_code;
	}
	if (ev->exit_reason == EXIT_REASON_CR_ACCESS &&
	    ((ev->exit_qual >> 4) & 3) == 0) {
		unsigned reg = (ev->exit_qual >> 8) & 15;

		vcpu->arch.regs[reg] = ev->exit_value;
	}
}

/*
 * KVM's real nested_vmx_reflect_vmexit on an emulated event's exit: true
 * if it gave the exit to L1 (the event's outcome is then complete).
 */
static bool nept_reflect(const struct nept_event *ev, struct nept_outcome *o)
{
	struct kvm_vcpu *vcpu = &nept_st.vmx.vcpu;

	nept_begin_event(o);
	nept_emulated_exit(ev);
	if (!nested_vmx_reflect_vmexit(vcpu)) {
		/* L0 handles it: the event goes on from the same exit. */
		return false;
	}
	nept_end_event(o);
	return true;
}

/*
 * The processor's VM entry on vmcs02 after KVM entered L2 (the harness
 * plays that hardware, as it does EPT violations): the guest-state checks
 * KVM leaves to it for which the scenario has fields (docs/sdm-rules.md
 * §13.2), on what KVM wrote to vmcs02: CR4.PCIDE without "IA-32e mode
 * guest" (SDM 26.3.1.1, code 0), and with EPT the PDPTE fields of a PAE
 * guest (26.3.1.6, code 2: a present PDPTE with bits 2:1, 8:5 or
 * MAXPHYADDR and up set; the processor's width is L1's, the host having
 * no wider one here).  Without EPT in vmcs12, KVM writes vmcs02's PDPTEs
 * from its own load_pdptrs, which has checked them.  Returns the failure
 * code, -1 if these checks pass.
 */
static int nept_vmcs02_entry_check(void)
{
	const struct nept_state *st = &nept_st;
	const struct nept_vmcs02 *v = &st->vmcs02;
	u64 rsvd = ~0ull << st->vmx.vcpu.arch.maxphyaddr | GENMASK_ULL(8, 5) |
		   GENMASK_ULL(2, 1);

	if (!v->entry_ia32e && (v->guest_cr4 & X86_CR4_PCIDE))
		return 0;
	if (nested_cpu_has_ept(&nept_st.vmcs12) && !v->entry_ia32e &&
	    (v->guest_cr0 & X86_CR0_PG) && (v->guest_cr4 & X86_CR4_PAE))
		for (unsigned i = 0; i < 4; i++)
			if ((v->guest_pdptr[i] & 1) &&
			    (v->guest_pdptr[i] & rsvd))
				return 2;
	return -1;
}

/*
 * docs/sdm-rules.md §13.3: what the entry's MSR loading left, read as
 * userspace reads vCPU state (KVM_GET_MSRS: host-initiated, through KVM's
 * real __kvm_get_msr and vmx_get_msr): every MSR of nept_msr_read_back
 * that an entry of the MSR-load area names (after exit 34: those
 * host-state loading leaves alone).  A read that reaches a stand-in leaves
 * KVM's code as the write's do.
 */
static void nept_read_back_msrs(const struct nept_scenario *s,
				struct nept_outcome *o, bool failed)
{
	const struct nept_vmentry *en = &s->entry;
	struct kvm_vcpu *vcpu = &nept_st.vmx.vcpu;

	for (unsigned i = 0; i < en->msr_count; i++) {
		uint64_t lo;
		u32 index;
		u64 data = 0;
		volatile int r = 1;
		bool seen = false;

		if (!nept_mem_read(&nept_st.mem, en->msr_addr + 16ull * i, &lo))
			break;
		index = (u32)lo;
		for (unsigned k = 0; k < o->n_msrs; k++)
			seen |= o->msr[k].index == index;
		if (seen || !nept_msr_read_back(index, failed))
			continue;
		if (!setjmp(nept_escape_to)) {
			nept_escape_armed = true;
			r = __kvm_get_msr(vcpu, index, &data, true);
		}
		nept_escape_armed = false;
		if (nept_st.standin)
			return;
		o->msr[o->n_msrs++] =
			(struct nept_msr_value){ index, r == 0,
						 r == 0 ? data : 0 };
	}
}

/*
 * A vm-entry event (facts §13): KVM's real nested_vmx_run, as
 * handle_vmlaunch calls it, and what L1 sees after it: VMfail's RFLAGS and
 * VM-instruction error, or a failed entry's exit reason and qualification
 * in vmcs12 (which does not go through nested_vmx_vmexit).  after: what
 * earlier events left (NULL: the entry is the first event).
 */
static void nept_run_vm_entry(const struct nept_scenario *s,
			      const struct nept_event *ev,
			      struct nept_outcome *o,
			      const struct nept_l1_after *after)
{
	struct nept_state *st = &nept_st;
	struct kvm_vcpu *vcpu = &st->vmx.vcpu;
	struct vmcs12 *vmcs12 = &st->vmcs12;
	union vmx_exit_reason reason;
	volatile int r = 1;

	nept_entry_setup(s, ev, after);
	nept_begin_event(o);
	st->in_vm_entry = true;
	if (!setjmp(nept_escape_to)) {
		nept_escape_armed = true;
		r = nested_vmx_run(vcpu, true);
	}
	nept_escape_armed = false;
	st->in_vm_entry = false;
	o->from_hardware = -1;
	o->pml_index = vmcs12->guest_pml_index;
	if (st->standin) {
		char why[80];

		snprintf(why, sizeof(why),
			 "vm-entry: KVM's MSR write called %s", st->standin);
		nept_unsupported(o, why);
		return;
	}
	if (r == 0) {
		nept_unsupported(o, "vm-entry: KVM exits to userspace "
				    "(internal error)");
		return;
	}
	reason.full = vmcs12->vm_exit_reason;
	if (st->l1_rflags & X86_EFLAGS_ZF) {
		o->kind = NEPT_OUT_VMFAIL;
		o->has_error_code = 1;
		o->error_code = vmcs12->vm_instruction_error;
	} else if (st->l1_rflags & X86_EFLAGS_CF) {
		/* VMfailInvalid: no error number. */
		o->kind = NEPT_OUT_VMFAIL;
	} else if (vcpu->arch.exception.pending) {
		o->kind = NEPT_OUT_EXCEPTION;
		o->vector = vcpu->arch.exception.vector;
		o->has_error_code = vcpu->arch.exception.has_error_code;
		o->error_code = vcpu->arch.exception.error_code;
	} else if (reason.failed_vmentry) {
		o->kind = NEPT_OUT_EXIT;
		o->reason = (u16)reason.basic;
		o->qual = vmcs12->exit_qualification;
		if (o->reason == EXIT_REASON_MSR_LOAD_FAIL)
			nept_read_back_msrs(s, o, true);
	} else if (is_guest_mode(vcpu)) {
		int code = nept_vmcs02_entry_check();

		if (code >= 0) {
			/* The entry fails: vmx_vcpu_run's lines after the
			 * VM-enter, then __vmx_handle_exit's real
			 * nested_vmx_reflect_vmexit of the failed entry. */
#if NEPT_HAS(run_pending_in_arch)
			vcpu->arch.nested_run_pending = 0;
#else
			st->vmx.nested.nested_run_pending = 0;
#endif
			nept_hw_exit(EXIT_REASON_INVALID_STATE |
					     VMX_EXIT_REASONS_FAILED_VMENTRY,
				     (u64)code, NULL, NULL, 0);
			if (!nested_vmx_reflect_vmexit(vcpu)) {
				nept_unsupported(o, "vm-entry: L0 keeps the "
						    "failed entry on vmcs02");
				return;
			}
			nept_end_event(o);
			return;
		}
		/* L2 runs.  The processor of docs/sdm-rules.md §13 does not
		 * make the implementation-specific check of an NMI injected
		 * into blocking by STI (code 3 or no failure, the SDM's
		 * choice).  Nothing was accessed: no address, as the
		 * model's outcome says. */
		o->kind = NEPT_OUT_NONE;
		o->undefined = NEPT_F_GPA | NEPT_F_GLA | NEPT_F_GLA_VALID |
			       NEPT_F_TRANSLATED;
		nept_read_back_msrs(s, o, false);
	} else {
		fprintf(stderr, "kvm shim: vm-entry with no VMfail, exception "
				"or failed entry\n");
		abort();
	}
	if (st->standin) {
		char why[80];

		snprintf(why, sizeof(why), "vm-entry: KVM's MSR read called %s",
			 st->standin);
		nept_unsupported(o, why);
		return;
	}
	st->out = NULL;
}

/*
 * L2's RIP, vmcs02's GUEST_RIP at the event's exit: the event's rip=,
 * where KVM's emulator fetches the instruction (facts §14).  Each exit
 * leaves RIP out of the register cache (vmx_vcpu_run's reset of the
 * lazily loaded registers), and vmx_cache_reg reads it from here; an event
 * without one stops there instead of making one up.
 */
static void nept_set_rip(struct kvm_vcpu *vcpu, const struct nept_event *ev)
{
	nept_st.has_rip = ev->has_rip;
	nept_st.rip = ev->rip;
#if NEPT_HAS(regs_avail_bitmap)
	__clear_bit(NEPT_REG_RIP, vcpu->arch.regs_avail);
#else
	vcpu->arch.regs_avail &= ~(1u << NEPT_REG_RIP);
#endif
}

static void nept_run_event(const struct nept_scenario *s,
			   const struct nept_event *ev, struct nept_outcome *o)
{
	struct nept_state *st = &nept_st;
	struct kvm_vcpu *vcpu = &st->vmx.vcpu;
	u64 gpa = ev->gpa, gla = ev->gla;
	u32 reason = ev->source == NEPT_SRC_HW_VIOLATION
			     ? EXIT_REASON_EPT_VIOLATION
		     : ev->source == NEPT_SRC_HW_MISCONFIG
			     ? EXIT_REASON_EPT_MISCONFIG
			     : ev->exit_reason;
	bool pf_exit = ev->source == NEPT_SRC_EMULATED &&
		       ev->exit_reason == EXIT_REASON_EXCEPTION_NMI &&
		       ev->exit_vector == 1 + PF_VECTOR;

	nept_set_rip(vcpu, ev);
	/*
	 * For a hardware EPT violation, hardware did L2's walk: KVM gets the
	 * GPA of the guest paging entry and walks EPT12 only.  Elsewhere KVM
	 * walks L2's tables itself (L2 paging on); with L2 paging off there
	 * are none, and linear is L2-physical (the scenario gives no gla then:
	 * nept_effective_event).
	 */
	/*
	 * Facts §13: L1's VMRESUME after the exits of the events before.
	 * KVM's nested_vmx_vmexit is a recorder here (STANDINS.md): what an
	 * exit leaves in the vCPU is not played, so the entry runs on L1 as
	 * set up for a first entry, with L1's memory as the events left it
	 * (the vmcs12 fields are the scenario's, which L1 wrote after the
	 * last exit).
	 */
	if (ev->source == NEPT_SRC_VM_ENTRY) {
		static struct nept_l1_after after;

		nept_mem_copy(&after.mem, &st->mem);
		after.pml_index = st->vmcs12.guest_pml_index;
		nept_run_vm_entry(s, ev, o, &after);
		return;
	}
	if ((ev->flags & NEPT_AF_IMPLICIT) && ev->access == NEPT_ACC_FETCH) {
		nept_unsupported(o, "implicit fetch: the emulator has none");
		return;
	}
	/*
	 * __vmx_handle_exit: in guest mode, KVM's real nested_vmx_reflect_
	 * vmexit decides first whether the exit is L1's (an EPT violation or
	 * misconfiguration never is: nested_vmx_l0_wants_exit).
	 */
	if (ev->source == NEPT_SRC_EMULATED &&
	    !nept_exit_reason_name(ev->exit_reason)) {
		/* Deciding who gets other exits reads state the harness does
		 * not play (MSR and VMREAD bitmaps, CPUID faulting, SGX...):
		 * never a guessed answer. */
		nept_unsupported(o, "exit reflection for this exit reason is "
				    "not modelled");
		return;
	}
	/*
	 * vmcs02 intercepts L2's #PF as vmcs12 does (prepare_vmcs02 copies
	 * the bitmap and the error-code mask and match), or every one when
	 * vmx_need_pf_intercept (a host wider than L1 with
	 * allow_smaller_maxphyaddr, facts §14).  Any other #PF the processor
	 * delivers to L2 itself: it makes no such exit.  The conditions are
	 * KVM's own functions.
	 */
	if (pf_exit && !vmx_need_pf_intercept(vcpu) &&
	    !nested_vmx_is_page_fault_vmexit(&st->vmcs12,
					     (u16)ev->exit_error_code)) {
		nept_unsupported(o, "a #PF vmcs02 does not intercept: the "
				    "processor delivers it to L2");
		return;
	}
	if (ev->source == NEPT_SRC_EMULATED && nept_reflect(ev, o))
		return;
	/*
	 * A #PF exit L0 keeps (nested_vmx_l0_wants_exit, when
	 * vmx_need_pf_intercept) goes to handle_exception_nmi below.
	 */
	/*
	 * An NMI or #VE exit L0 keeps (nested_vmx_l0_wants_exit; #VE from
	 * 6.12: KVM never lets L2 take one) goes to handle_exception_nmi,
	 * which emulates nothing: the event's emulated access never happens.
	 */
	if (ev->source == NEPT_SRC_EMULATED &&
	    ev->exit_reason == EXIT_REASON_EXCEPTION_NMI &&
	    (ev->exit_vector == 1 + NMI_VECTOR ||
	     ev->exit_vector == 1 + VE_VECTOR)) {
		nept_unsupported(o, "L0 keeps this NMI or #VE exit and "
				    "emulates nothing after it");
		return;
	}
	if (ev->during && nept_delivery_ev_error(reason)) {
		nept_unsupported(o, "delivery in this exit: KVM internal "
				    "error");
		return;
	}
#if NEPT_HAS(event_vectoring_check)
	/*
	 * From 7.2, vmx_check_emulate_instruction refuses emulation a page
	 * fault triggered (EMULTYPE_PF: the MMIO path of an EPT
	 * misconfiguration, handle_ept_violation's) while an event is being
	 * delivered, and the vCPU exits to userspace with
	 * KVM_INTERNAL_ERROR_DELIVERY_EV.  The rule is the kernel's.
	 */
	if (ev->during &&
	    (reason == EXIT_REASON_EPT_MISCONFIG ||
	     reason == EXIT_REASON_EPT_VIOLATION) &&
	    ev->source != NEPT_SRC_HW_VIOLATION &&
	    !kvm_can_emulate_event_vectoring(EMULTYPE_PF)) {
		nept_unsupported(o, "emulation during delivery: KVM internal "
				    "error");
		return;
	}
#endif

	if (ev->source != NEPT_SRC_EMULATED) /* else nept_reflect began it */
		nept_begin_event(o);
	if (setjmp(nept_escape_to)) {
		char why[96];

		nept_escape_armed = false;
		snprintf(why, sizeof(why), "KVM called %s, not compiled here",
			 st->standin);
		nept_unsupported(o, why);
		return;
	}
	nept_escape_armed = true;
	switch (ev->source) {
	case NEPT_SRC_HW_VIOLATION: {
		u64 emulations = vcpu->stat.insn_emulation;

		/* L0 handles every EPT violation from L2 (nested EPT):
		 * vmx_handle_exit -> handle_ept_violation (which, before
		 * 6.12, also saves the qualification in
		 * vcpu->arch.exit_qualification).  For a GPA beyond L1's
		 * width it emulates L2's instruction at RIP (facts §14):
		 * the access then is the one the emulator made, to the GPA
		 * its data access recorded (read_gpa). */
		nept_hw_exit(EXIT_REASON_EPT_VIOLATION, ev->hw_qual, &gpa, &gla,
			     ev->during);
		if (ev->has_rip)
			nept_extable_install();
		/* Only such a GPA reaches the emulator, which may then stop
		 * in a stand-in with its context half written. */
		if (gpa >> vcpu->arch.maxphyaddr)
			st->emulate_ctxt_used = true;
		st->in_emulator = true;
		handle_ept_violation(vcpu);
		st->in_emulator = false;
		if (vcpu->stat.insn_emulation != emulations && st->read_page) {
			st->walked = true;
			st->walk_gpa = st->read_gpa;
		}
		break;
	}
	case NEPT_SRC_HW_MISCONFIG:
		/* handle_ept_misconfig -> MMIO: the instruction is emulated
		 * and its access walks EPT12 again. */
		nept_hw_exit(EXIT_REASON_EPT_MISCONFIG, 0, &gpa, NULL,
			     ev->during);
		nept_emulate_access(ev);
		break;
	default:
		/* nept_reflect made the exit, and KVM kept it (L0's). */
		if (pf_exit) {
			if (!handle_exception_nmi(vcpu)) {
				nept_escape_armed = false;
				nept_unsupported(o, "#PF exit: KVM exits to "
						    "userspace (internal "
						    "error)");
				return;
			}
			break;
		}
		nept_emulate_access(ev);
		break;
	}
	nept_escape_armed = false;
	nept_end_event(o);
}

/* The current event's outcome, from what KVM left in vmcs12 and vcpu. */
static void nept_end_event(struct nept_outcome *o)
{
	struct nept_state *st = &nept_st;
	struct kvm_vcpu *vcpu = &st->vmx.vcpu;
	struct vmcs12 *vmcs12 = &st->vmcs12;

	/*
	 * Before L2 runs again (vcpu_enter_guest): a triple fault in guest
	 * mode goes to the real nested_vmx_triple_fault (nested_ops->
	 * triple_fault); an exception L1 intercepts becomes a VM exit
	 * (vmx_check_nested_events).  A triple fault still requested after
	 * that would be a shutdown of L1, which the real one never leaves.
	 */
	if (kvm_test_request(KVM_REQ_TRIPLE_FAULT, vcpu)) {
		if (is_guest_mode(vcpu))
			nested_vmx_triple_fault(vcpu);
		if (kvm_check_request(KVM_REQ_TRIPLE_FAULT, vcpu)) {
			fprintf(stderr, "kvm shim: shutdown not modelled\n");
			abort();
		}
	} else if (vcpu->arch.exception_vmexit.pending)
		nested_vmx_inject_exception_vmexit(vcpu);

	if (o->writes_lost) {
		nept_unsupported(o, "more qwords written than an outcome "
				    "holds (NEPT_MAX_AD_WRITES)");
		return;
	}
	o->from_hardware = (int8_t)st->from_hardware;
	/* The guest PML index L1 reads back (nested_vmx_write_pml_buffer
	 * decrements vmcs12's). */
	o->pml_index = vmcs12->guest_pml_index;
	if (st->exited) {
		o->kind = NEPT_OUT_EXIT;
		o->reason = (u16)st->exit_reason;
		o->qual = st->exit_qual;
		o->gpa = vmcs12->guest_physical_address;
		o->gla = vmcs12->guest_linear_address;
		if (o->reason == EXIT_REASON_EPT_VIOLATION)
			o->gla_valid = !!(o->qual & EPT_VIOLATION_GVA_IS_VALID);
		if (st->exit_intr_info & INTR_INFO_VALID_MASK) {
			o->vector = st->exit_intr_info & INTR_INFO_VECTOR_MASK;
			o->has_error_code = !!(st->exit_intr_info &
					       INTR_INFO_DELIVER_CODE_MASK);
			/* The field means something only with bit 11 set
			 * (SDM 27.2.2); without it, it keeps an earlier
			 * exit's. */
			o->error_code =
				o->has_error_code
					? vmcs12->vm_exit_intr_error_code
					: 0;
		}
	} else if (vcpu->arch.exception.pending) {
		/* Delivered to L2; CR2 (the payload) in gla. */
		o->kind = NEPT_OUT_EXCEPTION;
		o->vector = vcpu->arch.exception.vector;
		o->has_error_code = vcpu->arch.exception.has_error_code;
		o->error_code = vcpu->arch.exception.error_code;
		o->gla = vcpu->arch.exception.payload;
	} else if (st->walked) {
		o->kind = NEPT_OUT_NONE;
		o->translated = st->walk_gpa;
	} else {
		/* Every path above ends in one of the three: a gap here is
		 * a bug of this file, not a KVM outcome. */
		fprintf(stderr, "kvm shim: event with no exit, exception or "
				"translation\n");
		abort();
	}

	/* L1 or L2 handles what it got; the next event starts clean. */
	memset(&vcpu->arch.exception, 0, sizeof(vcpu->arch.exception));
	memset(&vcpu->arch.exception_vmexit, 0,
	       sizeof(vcpu->arch.exception_vmexit));
	vcpu->requests = 0;
	st->out = NULL;
}

static void nept_kvm_run(const struct nept_scenario *s, struct nept_result *r);

/* For `neptfuzz targets`: the tree, and the kernel functions compiled in. */
static void nept_kvm_describe(FILE *f)
{
	static const char *const functions[] = { NEPT_TREE_FUNCTIONS };

	fprintf(f, "%s\n", NEPT_TREE_DESCRIPTION);
	fprintf(f, "tree %s\n", NEPT_TREE_PATH);
	if (NEPT_TREE_SOURCE[0])
		fprintf(f, "NEPTFUZZ-SOURCE:\n%s", NEPT_TREE_SOURCE);
	fprintf(f, "kernel functions (%zu):\n", ARRAY_SIZE(functions));
	for (size_t i = 0; i < ARRAY_SIZE(functions); i++)
		fprintf(f, "  %s\n", functions[i]);
}

/*
 * Userspace can give L1 any subset of the EPT capabilities KVM offers
 * (nested_vmx_setup_secondary_ctls / nested_vmx_setup_ctls_msrs, and
 * vmx_restore_vmx_ept_vpid_cap): EPTP memory type UC is never among them,
 * MBEC and advanced VM-exit information (EPT_VPID_CAP bit 22) only where
 * the tree offers them (the mbec and adv_info_cap probes).
 */
#define NEPT_KVM_CAPS                                       \
	(NEPT_CAP_ALL & ~NEPT_CAP_UC &                      \
	 ~(NEPT_HAS(mbec) ? 0u : (unsigned)NEPT_CAP_MBEC) & \
	 ~(NEPT_HAS(adv_info_cap) ? 0u : (unsigned)NEPT_CAP_ADV_INFO))

#ifndef NEPT_KVM_NAME
#error "build with -DNEPT_KVM_NAME='\"kvm-<version>\"'"
#endif

const struct nept_impl NEPT_KVM_SYMBOL = {
	.name = NEPT_KVM_NAME,
	.version = NEPT_TREE_DESCRIPTION,
	.series = NEPT_TREE_SERIES,
	.kernel_version = NEPT_TREE_VERSION,
	.probes = NEPT_TREE_PROBES,
	.caps = NEPT_KVM_CAPS,
	.run = nept_kvm_run,
	.describe = nept_kvm_describe,
};

static void nept_kvm_run(const struct nept_scenario *s, struct nept_result *r)
{
	r->nevents = s->nevents;
	if (s->caps & ~NEPT_KVM_SYMBOL.caps) {
		for (unsigned i = 0; i < s->nevents; i++)
			nept_unsupported(&r->event[i], "capabilities KVM never "
						       "gives L1");
		return;
	}
	if (s->nevents == 1 && s->event[0].source == NEPT_SRC_VM_ENTRY) {
		nept_run_vm_entry(s, &s->event[0], &r->event[0], NULL);
		return;
	}
	nept_vcpu_setup(s);
	for (unsigned i = 0; i < s->nevents; i++) {
		/* The events as L2's paging state makes them (CR0.PG = 0:
		 * linear = GPA). */
		struct nept_event e = nept_effective_event(s, &s->event[i]);

		if (nept_st.standin) {
			char why[96];

			snprintf(why, sizeof(why),
				 "an earlier event stopped in %s",
				 nept_st.standin);
			nept_unsupported(&r->event[i], why);
			continue;
		}
		nept_run_event(s, &e, &r->event[i]);
	}
}

/* ------------------------------------------------------------------------
 * The x86 emulator (arch/x86/kvm/emulate.c), verbatim and last: its own
 * macros (N, D, I, G, Mov, Stack...) would reach any code after it.
 */
#include "kernel_warnings.h"
#include "emulate.c"
#pragma GCC diagnostic pop
