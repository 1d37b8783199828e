/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel code is compiled as the kernel writes it: its warnings are not
 * ours to fix, so kvm/kvm_impl.c includes this before each stretch of
 * kernel code (the shims and kvm_code.c; emulate.c) and pops it after
 * (our own code keeps the project's warnings).  What would make the shims
 * and the kernel disagree silently stays an error.  No include guard:
 * each inclusion pushes once.
 */
#pragma GCC diagnostic push
#ifdef __clang__
#pragma clang diagnostic ignored "-Weverything"
#else
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#endif
#pragma GCC diagnostic error "-Wimplicit-function-declaration"
#pragma GCC diagnostic error "-Wincompatible-pointer-types"
#pragma GCC diagnostic error "-Wint-conversion"
#pragma GCC diagnostic error "-Wreturn-type"
