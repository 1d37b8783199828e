/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the generator and the mutator put in a VM-entry MSR-load list
 * (facts §13.3): the MSRs of the closed set the model knows, those that
 * load first, then those items 1-4 refuse; and values that meet or break
 * the WRMSR rules of the set.
 */
#ifndef NEPT_ENTRY_DRAWS_H
#define NEPT_ENTRY_DRAWS_H

#include <stdint.h>

#include "scenario.h"

/* Guests a VM entry may start (facts §13.2, each valid as it is): flags,
 * CR0, CR4, EFER.  A 64-bit guest (PG NE ET PE; VMXE PAE; LME LMA), a
 * 32-bit PAE guest, a real-mode guest under unrestricted guest. */
static const struct {
	uint16_t flags;
	uint64_t cr0, cr4, efer;
} nept_entry_guests[] = {
	{ NEPT_ENF_IA32E | NEPT_ENF_LOAD_EFER | NEPT_ENF_EPT, 0x80000031,
	  0x2020, 0x500 },
	{ NEPT_ENF_EPT, 0x80000031, 0x2020, 0 },
	{ NEPT_ENF_EPT | NEPT_ENF_UNRESTRICTED, 0x30, 0x2000, 0 },
};

static const uint32_t nept_entry_msrs[] = {
	/* loadable: SYSENTER_CS/ESP/EIP, PAT, EFER, STAR, LSTAR, CSTAR,
	 * FMASK, KERNEL_GS_BASE, TSC_AUX */
	0x174,
	0x175,
	0x176,
	0x277,
	0xc0000080,
	0xc0000081,
	0xc0000082,
	0xc0000083,
	0xc0000084,
	0xc0000102,
	0xc0000103,
	/* refused: FS_BASE, GS_BASE, x2APIC TPR and ICR, SMM_MONITOR_CTL,
	 * BIOS_UPDT_TRIG, BIOS_SIGN_ID */
	0xc0000100,
	0xc0000101,
	0x808,
	0x830,
	0x9b,
	0x79,
	0x8b,
};
#define NEPT_ENTRY_MSRS_LOADABLE 11
#define NEPT_ENTRY_MSRS (sizeof(nept_entry_msrs) / sizeof(nept_entry_msrs[0]))

static const uint64_t nept_entry_msr_values[] = {
	0,
	0x0007040600070406ull, /* the power-on PAT */
	0xd01,		       /* EFER SCE LME LMA NXE */
	0x801,		       /* EFER SCE NXE */
	0xffffffff,
	0x100000000ull,	       /* bit 32: FMASK and TSC_AUX refuse it */
	0x00ff800000000000ull, /* canonical with LA57 */
	0x0100000000000000ull, /* not canonical */
	0xffffff8000000000ull,
	0x2, /* a PAT byte of 2 */
};
#define NEPT_ENTRY_MSR_VALUES \
	(sizeof(nept_entry_msr_values) / sizeof(nept_entry_msr_values[0]))

#endif
