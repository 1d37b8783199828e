#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# kvm/extract.py --line-root: the extracted code's #line paths relative to
# a directory holding the tree (OSS-Fuzz: $SRC), absolute without it; a
# root that does not hold the tree is refused.
# usage: tests/line_root_test.sh KERNEL_TREE   (exit 77: no tree, skipped)
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tree=${1:-}
[ -n "$tree" ] && [ -f "$tree/Makefile" ] || { echo "skipped: no kernel tree"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok: $1"; else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
x() { python3 "$root/kvm/extract.py" --tree "$1" --recipe "$root/kvm/recipe.txt" --outdir "$2" "${@:3}"; }

# A root above the tree, through a link, as oss-fuzz-check lays $SRC out.
mkdir -p "$tmp/src/kernels"
ln -s "$(cd "$tree" && pwd)" "$tmp/src/kernels/linux-x"
x "$tmp/src/kernels/linux-x" "$tmp/rel" --line-root "$tmp/src" 2>"$tmp/err"
rc=$?
check "extract with --line-root succeeds" '[ $rc -eq 0 ]'
lines=$(cat "$tmp"/rel/*.c "$tmp"/rel/*.h | grep -c '^#line ')
rel=$(cat "$tmp"/rel/*.c "$tmp"/rel/*.h | grep -c '^#line [0-9]* "kernels/linux-x/')
check "every #line is relative to the root ($rel of $lines)" '[ "$lines" -gt 0 ] && [ "$rel" -eq "$lines" ]'
check "a relative path names a file under the root" \
	'f=$(grep -h -m1 "^#line" "$tmp/rel/kvm_code.c" | sed "s/^#line [0-9]* \"\(.*\)\"/\1/"); [ -f "$tmp/src/$f" ]'
x "$tree" "$tmp/abs" 2>/dev/null
abs=$(cat "$tmp"/abs/*.c "$tmp"/abs/*.h | grep -c '^#line [0-9]* "/')
check "without it every #line is absolute" '[ "$abs" -eq "$lines" ]'
x "$tree" "$tmp/bad" --line-root "$tmp/src/kernels/linux-x/include" 2>"$tmp/err"
rc=$?
check "a root that does not hold the tree is refused" '[ $rc -ne 0 ] && grep -q "does not hold the tree" "$tmp/err"'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
