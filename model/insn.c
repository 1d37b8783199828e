// SPDX-License-Identifier: GPL-2.0-only
/*
 * docs/sdm-rules.md §16: MOV AL/AX/EAX/RAX to and from moffs (opcodes
 * A0-A3, SDM Vol. 2B "MOV—Move"), with the operand-size prefix 66H and,
 * in 64-bit mode, a REX prefix right before the opcode (REX.W: 64-bit
 * operand).  The address is the moffs that follows the opcode, as wide as
 * the address size: 8 bytes in 64-bit mode, 4 in 32-bit mode (SDM Vol. 1
 * 3.6.1; no 67H prefix here).
 */
#include "insn.h"

#define MAX_INSN_LEN 15 /* SDM Vol. 2A 2.3.11 */

enum model_insn_result model_insn_decode(bool mode64, model_insn_byte_fn byte,
					 void *ctx, struct model_insn *insn)
{
	unsigned i = 0, addr_bytes = mode64 ? 8 : 4;
	bool opsize16 = false, rex_w = false;
	uint8_t b;

	for (;;) {
		if (i == MAX_INSN_LEN)
			return MODEL_INSN_UNMODELLED;
		if (!byte(ctx, i, &b))
			return MODEL_INSN_NO_BYTE;
		i++;
		if (b == 0x66) {
			opsize16 = true;
			continue;
		}
		/* REX (40H-4FH) is a prefix only in 64-bit mode, and only
		 * right before the opcode (Vol. 2A 2.2.1). */
		if (mode64 && (b & 0xf0) == 0x40) {
			rex_w = b & 8;
			if (i == MAX_INSN_LEN)
				return MODEL_INSN_UNMODELLED;
			if (!byte(ctx, i, &b))
				return MODEL_INSN_NO_BYTE;
			i++;
		}
		break;
	}
	if (b < 0xa0 || b > 0xa3)
		return MODEL_INSN_UNMODELLED;
	insn->write = b >= 0xa2;
	/* REX.W wins over 66H (Vol. 2A 2.2.1.2). */
	insn->size = !(b & 1) ? 1 : rex_w ? 8 : opsize16 ? 2 : 4;
	insn->addr = 0;
	for (unsigned k = 0; k < addr_bytes; k++) {
		if (i == MAX_INSN_LEN)
			return MODEL_INSN_UNMODELLED;
		if (!byte(ctx, i, &b))
			return MODEL_INSN_NO_BYTE;
		i++;
		insn->addr |= (uint64_t)b << (8 * k);
	}
	insn->len = (uint8_t)i;
	return MODEL_INSN_OK;
}

unsigned model_insn_encode_mov(bool mode64, uint8_t opcode, bool opsize16,
			       bool rex_w, uint64_t addr, uint8_t *out)
{
	unsigned n = 0;

	if (opsize16)
		out[n++] = 0x66;
	if (mode64 && rex_w)
		out[n++] = 0x48;
	out[n++] = opcode;
	for (unsigned k = 0; k < (mode64 ? 8u : 4u); k++)
		out[n++] = (uint8_t)(addr >> (8 * k));
	return n;
}
