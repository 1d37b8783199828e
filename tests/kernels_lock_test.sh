#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/fetch-locked-kernels without the network, on a fake cache: the
# locked version and tarball sha256 are checked, a mismatch or a missing
# tree fails naming it, --dest holds only the locked trees, the fetch runs
# SERIES=VERSION through fetch-kernel (a stub here), --update writes the
# lock from kernels/DEFAULT; and the repository's kernels.lock is well
# formed.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
flk=$root/scripts/fetch-locked-kernels
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset NEPT_FETCH_KERNEL XDG_CACHE_HOME
export NEPT_CACHE=$tmp/cache
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok: $1"; else fail=$((fail + 1)); echo "FAIL: $1"; cat "$tmp/err"; fi; }
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

sha_a=$(printf 'a%.0s' {1..64}) sha_b=$(printf 'b%.0s' {1..64})
mk_tree() { # DIRNAME SERIES VERSION SHA
	mkdir -p "$NEPT_CACHE/kernels/$1"
	printf 'series=%s\npackage_version=%s\ntarball_sha256=%s\n' "$2" "$3" "$4" \
		>"$NEPT_CACHE/kernels/$1/NEPTFUZZ-SOURCE"
}
mk_tree linux-6.1 6.1 6.1.10-1 "$sha_a"
mk_tree linux-7.2 7.2 7.2.3-1 "$sha_b"
printf '# comment\n6.1 6.1.10-1 %s\n\n7.2 7.2.3-1 %s\n' "$sha_a" "$sha_b" >"$tmp/lock"

run "$flk" --lock "$tmp/lock" --no-fetch --dest "$tmp/dest"
check "matching trees pass" '[ $rc -eq 0 ] && [ $(wc -l <"$tmp/out") -eq 2 ]'
check "--dest holds the two trees" '[ -f "$tmp/dest/linux-6.1.10-1/NEPTFUZZ-SOURCE" ] && [ -f "$tmp/dest/linux-7.2.3-1/NEPTFUZZ-SOURCE" ] && [ $(ls "$tmp/dest" | wc -l) -eq 2 ]'

printf '6.1 6.1.10-1 %s\n' "$sha_b" >"$tmp/lock2"
run "$flk" --lock "$tmp/lock2" --no-fetch --dest "$tmp/dest"
check "a sha256 mismatch fails naming both sums" '[ $rc -eq 1 ] && grep -q "tarball sha256 $sha_a, the lock says $sha_b" "$tmp/err"'
check "--dest is emptied of unchecked trees" '[ -z "$(ls "$tmp/dest")" ]'

printf '6.12 6.12.9-1 %s\n' "$sha_a" >"$tmp/lock3"
run "$flk" --lock "$tmp/lock3" --no-fetch
check "a version missing from the cache fails" '[ $rc -eq 1 ] && grep -q "6.12.9-1: no tree of that version" "$tmp/err"'
printf '6.1 6.1.10-1\n' >"$tmp/lock4"
run "$flk" --lock "$tmp/lock4" --no-fetch
check "a malformed entry fails" '[ $rc -eq 1 ] && grep -q "entry 1: want SERIES PACKAGE_VERSION TARBALL_SHA256" "$tmp/err"'

# The fetch: SERIES=VERSION, exactly, for each entry, into the cache.
cat >"$tmp/stub" <<STUB
#!/usr/bin/env bash
echo "\$*" >>"$tmp/calls"
[ "\$3" = 6.12=6.12.9-1 ] && { mkdir -p "\$2/kernels/linux-6.12"; printf 'package_version=6.12.9-1\ntarball_sha256=$sha_a\n' >"\$2/kernels/linux-6.12/NEPTFUZZ-SOURCE"; }
exit 0
STUB
chmod +x "$tmp/stub"
NEPT_FETCH_KERNEL=$tmp/stub run "$flk" --lock "$tmp/lock3"
check "the fetch asks for SERIES=VERSION and the fetched tree checks" '[ $rc -eq 0 ] && grep -qx -- "--cache $NEPT_CACHE 6.12=6.12.9-1" "$tmp/calls"'
printf '#!/bin/sh\nexit 1\n' >"$tmp/stub"
NEPT_FETCH_KERNEL=$tmp/stub run "$flk" --lock "$tmp/lock"
check "a failed fetch fails" '[ $rc -eq 1 ] && grep -q "fetch failed" "$tmp/err"'

printf '# d\nbookworm 6.1 6.1.10-1 linux-6.1\nsid 7.2 7.2.3-1 linux-7.2\n' >"$NEPT_CACHE/kernels/DEFAULT"
cp "$tmp/lock3" "$tmp/lock5"
run "$flk" --lock "$tmp/lock5" --update
check "--update writes the default matrix" '[ $rc -eq 0 ] && [ "$(grep -v "^#" "$tmp/lock5")" = "$(printf "6.1 6.1.10-1 %s\n7.2 7.2.3-1 %s" "$sha_a" "$sha_b")" ]'

# The repository's lock: three fields per entry, a 64-hex sha256.
bad=$(awk '!/^[ \t]*(#|$)/ && !(NF == 3 && $3 ~ /^[0-9a-f]+$/ && length($3) == 64)' "$root/kernels.lock")
check "kernels.lock is well formed" '[ -z "$bad" ] && grep -qv "^#" "$root/kernels.lock"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
