/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The instructions the model executes for L2 (docs/sdm-rules.md §16): the
 * MOV forms whose memory operand is an absolute address in the instruction
 * (moffs), decoded as SDM Vol. 2 "MOV—Move" gives them.  Anything else is
 * an instruction the model does not decode, which it names a tolerance.
 */
#ifndef NEPT_MODEL_INSN_H
#define NEPT_MODEL_INSN_H

#include <stdbool.h>
#include <stdint.h>

/* The instruction's one data access, once decoded. */
struct model_insn {
	uint8_t len;   /* bytes, prefixes included */
	uint8_t size;  /* the access's bytes: 1, 2, 4 or 8 */
	bool write;    /* A2/A3: a store; A0/A1: a load */
	uint64_t addr; /* the linear address (DS base 0: §16) */
};

enum model_insn_result {
	MODEL_INSN_OK,
	/* A byte of the instruction could not be had: its fetch faulted,
	 * or it is where L1 has no memory (the fetcher says which). */
	MODEL_INSN_NO_BYTE,
	/* Not an instruction of §16's list. */
	MODEL_INSN_UNMODELLED,
};

/* The instruction's byte at offset i (0..14) from RIP, false if there is
 * none to be had. */
typedef bool (*model_insn_byte_fn)(void *ctx, unsigned i, uint8_t *byte);

/* Decodes the instruction at RIP, in 64-bit mode (CS.L = 1) or 32-bit
 * protected mode (CS.D = 1), asking for its bytes in order. */
enum model_insn_result model_insn_decode(bool mode64, model_insn_byte_fn byte,
					 void *ctx, struct model_insn *insn);

/* The bytes of MOV opcode (A0-A3) with its moffs addr, after a 66H
 * prefix if opsize16 and, in 64-bit mode, REX.W if rex_w: what
 * model_insn_decode reads back.  out holds at least 11; returns the
 * length. */
unsigned model_insn_encode_mov(bool mode64, uint8_t opcode, bool opsize16,
			       bool rex_w, uint64_t addr, uint8_t *out);

#endif
