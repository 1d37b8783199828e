#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/fetch-kernel and scripts/lib-kernels.sh without the network:
#  - which archive URIs the apt sources give (deb822 and one-line files,
#    disabled stanzas, several URIs, third-party repositories, -security,
#    the environment overrides, the error when nothing fits);
#  - the cache operations that need no archive (--list, pinning a cached
#    version, --unpin, --remove);
#  - ensure_kernel_trees' decisions on a fake cache, with a stub in place of
#    scripts/fetch-kernel;
#  - a whole fetch cycle (default run, DEFAULT, a pinned version, a stable
#    update replacing the older tree, no second download) against a local
#    signed archive served from file: URIs (skipped without gpg/apt).
# Usage: tests/fetch_kernel_test.sh (from anywhere). Exit status 0 if every
# check passed, 1 otherwise.
# Conditions are strings that check() evals, so shellcheck sees neither the
# expansions in them nor the uses of the variables they test.
# shellcheck disable=SC2016,SC2034
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fk=$root/scripts/fetch-kernel
tmp=$(mktemp -d)
# Never the user's cache, never the system's sources, never the network.
export NEPT_CACHE=$tmp/cache
unset XDG_CACHE_HOME NEPT_DEBIAN_MIRROR NEPT_DEBIAN_SECURITY_MIRROR NEPT_NO_FETCH NEPT_FETCH_KERNEL APT_CONFIG
export NEPT_APT_SOURCES_LIST=$tmp/none NEPT_APT_SOURCES_PARTS=$tmp/none
export NEPT_DEBIAN_KEYRING=$tmp/dummy-keyring
: >"$NEPT_DEBIAN_KEYRING"
GNUPGHOME=
cleanup() {
	[ -z "$GNUPGHOME" ] || gpgconf --homedir "$GNUPGHOME" --kill gpg-agent 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

pass=0 fail=0 skipped=0
ok() {
	pass=$((pass + 1))
	echo "ok: $*"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}
skip() {
	skipped=$((skipped + 1))
	echo "skip: $*"
}
# check DESCRIPTION CONDITION: ok if the shell condition (a string, eval'd
# when checked) holds.
check() {
	if eval "$2"; then ok "$1"; else bad "$1"; fi
}
# run CMD...: stdout in $tmp/out, stderr in $tmp/err, status in $rc.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
has() { grep -qF -- "$1" "$2"; }
err_tail() { tail -n 5 "$tmp/err" | sed 's/^/    | /'; }

# ------------------------------------------------------------ archive URIs

S=$tmp/sources
# mirrors NAME LIST PARTS: --print-mirrors with these sources.
mirrors() {
	NEPT_APT_SOURCES_LIST=$2 NEPT_APT_SOURCES_PARTS=$3 run "$fk" --print-mirrors
	main=$(awk '$1 == "main" { print $2 }' "$tmp/out")
	sec=$(awk '$1 == "security" { print $2 }' "$tmp/out")
}

# This machine's layout: one deb822 file, third-party files renamed away.
mkdir -p "$S/m1/parts"
cat >"$S/m1/parts/debian.sources" <<'EOF'
Types: deb
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.example/archive/debian-security/20250520T000000Z
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
printf 'deb https://third.example/apt cloud-sdk-bookworm main\n' >"$S/m1/parts/google-cloud-sdk.list.disabled-by-farm"
printf 'Types: deb\nURIs: https://first.example/debian\nSuites: bookworm\nComponents: main\n' >"$S/m1/parts/aaa.sources.disabled-by-farm"
mirrors m1 "$S/m1/none" "$S/m1/parts"
check "deb822: main archive from debian.sources" '[ "$rc" = 0 ] && [ "$main" = http://mirror.example/debian ]'
check "deb822: security archive from its own stanza" '[ "$sec" = http://mirror.example/debian-security ]'
check "deb822: where it came from (file:line, suite)" 'has "debian.sources:3 (suite bookworm" "$tmp/out"'
check "files apt ignores (*.disabled-by-farm) are ignored" '[ "$main" != https://first.example/debian ]'

# Disabled stanzas, deb-src only, lower-case field names, several URIs,
# an embedded key spanning continuation lines, comments inside a stanza.
mkdir -p "$S/m2/parts"
cat >"$S/m2/parts/debian.sources" <<'EOF'
# Turned off.
Types: deb
URIs: http://off.example/debian
Suites: trixie
Components: main
Enabled: no

Types: deb-src
URIs: http://src-only.example/debian
Suites: trixie
Components: main

types: deb deb-src
# a comment inside the stanza
uris: http://one.example/debian/
  http://two.example/debian
suites: trixie trixie-updates
components: main contrib non-free-firmware
signed-by:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mDMEZ0000BYJKwYBBAHaRw8BAQdA
 -----END PGP PUBLIC KEY BLOCK-----
enabled: yes
EOF
mirrors m2 "$S/m2/none" "$S/m2/parts"
check "deb822: Enabled: no and deb-src-only stanzas skipped; first of several URIs, trailing / dropped" \
	'[ "$main" = http://one.example/debian ]'
check "deb822: no -security suite: no security archive, still exit 0" '[ "$rc" = 0 ] && [ "$sec" = - ]'
check "deb822: an embedded Signed-By key does not end the stanza" 'has "embedded key" "$tmp/out"'

# Third-party repositories come first and must not count.
mkdir -p "$S/m3/parts"
printf 'deb [signed-by=/usr/share/keyrings/cloud.gpg] https://cloud.example/apt cloud-sdk-bookworm main\n' >"$S/m3/parts/a-cloud.list"
printf 'Types: deb\nURIs: https://node.example/node_20.x\nSuites: nodistro\nComponents: main\n' >"$S/m3/parts/b-node.sources"
printf 'deb [arch=amd64] https://docker.example/linux/debian bookworm stable\n' >"$S/m3/parts/c-docker.list"
printf 'deb cdrom:[Debian GNU/Linux 12]/ bookworm main\n' >"$S/m3/parts/d-cdrom.list"
printf 'deb http://mirror.example/debian stable main\n' >"$S/m3/parts/e-debian.list"
printf 'deb http://first.example/debian bookworm main\n' >"$S/m3/parts/f bad name.list"
mirrors m3 "$S/m3/none" "$S/m3/parts"
check "third-party suites (cloud-sdk-bookworm, nodistro, component 'stable') and cdrom: skipped; 'stable' counts" \
	'[ "$main" = http://mirror.example/debian ]'

# The one-line format: options, comments, deb-src, security.
mkdir -p "$S/m4"
cat >"$S/m4/sources.list" <<'EOF'
# deb http://commented.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb [ arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg ] http://list.example/debian bookworm-updates main contrib # trailing comment
deb http://list.example/debian-security bookworm-security main
deb http://list2.example/debian-security trixie-security main
EOF
mirrors m4 "$S/m4/sources.list" "$S/m4/none"
check "one-line: [options], comments and deb-src skipped; NAME-updates counts" \
	'[ "$main" = http://list.example/debian ]'
check "one-line: the first -security entry" '[ "$sec" = http://list.example/debian-security ]'
check "one-line: signed-by option reported" 'has "signed-by /usr/share/keyrings/debian-archive-keyring.gpg" "$tmp/out"'

# The sources list is read before the parts, the parts by name.
mkdir -p "$S/m5/parts"
printf 'deb http://list.example/debian sid main\n' >"$S/m5/sources.list"
printf 'deb http://parts-b.example/debian sid main\n' >"$S/m5/parts/b.list"
printf 'Types: deb\nURIs: http://parts-a.example/debian\nSuites: sid\nComponents: main\n' >"$S/m5/parts/a.sources"
mirrors m5 "$S/m5/sources.list" "$S/m5/parts"
check "sources.list before sources.list.d" '[ "$main" = http://list.example/debian ]'
mirrors m5b "$S/m5/none" "$S/m5/parts"
check "sources.list.d in name order, .list and .sources alike" '[ "$main" = http://parts-a.example/debian ]'

# The environment wins.
NEPT_DEBIAN_MIRROR=http://env.example/debian NEPT_DEBIAN_SECURITY_MIRROR=http://env.example/sec/ \
	mirrors env "$S/m4/sources.list" "$S/m4/none"
check "NEPT_DEBIAN_MIRROR and NEPT_DEBIAN_SECURITY_MIRROR override the sources" \
	'[ "$main" = http://env.example/debian ] && [ "$sec" = http://env.example/sec ]'
check "the override says where it came from" 'has "environment (NEPT_DEBIAN_MIRROR)" "$tmp/out"'

# Nothing usable: exit 1, what was looked at, how to set the mirror.
mirrors none "$S/m3/none" "$S/m1/none"
check "no sources at all: exit 1" '[ "$rc" = 1 ]'
check "no sources at all: the message names NEPT_DEBIAN_MIRROR" 'has "NEPT_DEBIAN_MIRROR" "$tmp/err"'
mkdir -p "$S/m6/parts"
cp "$S/m3/parts/a-cloud.list" "$S/m3/parts/b-node.sources" "$S/m3/parts/c-docker.list" "$S/m6/parts/"
mirrors third "$S/m6/none" "$S/m6/parts"
check "only third-party sources: exit 1" '[ "$rc" = 1 ]'
check "only third-party sources: each entry looked at is listed" \
	'has "b-node.sources:2: deb https://node.example/node_20.x nodistro main" "$tmp/err"'
check "only third-party sources: how to set NEPT_DEBIAN_MIRROR" 'has "NEPT_DEBIAN_MIRROR=" "$tmp/err"'
NEPT_APT_SOURCES_LIST=$S/m6/none NEPT_APT_SOURCES_PARTS=$S/m6/parts run "$fk" --dry-run
check "a fetch with no archive known fails before any network (exit 1)" \
	'[ "$rc" = 1 ] && has "no Debian archive found" "$tmp/err"'
# --security with no -security source: a clear error, before any network.
NEPT_APT_SOURCES_LIST=$S/m2/none NEPT_APT_SOURCES_PARTS=$S/m2/parts run "$fk" --security --dry-run
check "--security without a -security source: exit 1 naming NEPT_DEBIAN_SECURITY_MIRROR" \
	'[ "$rc" = 1 ] && has "NEPT_DEBIAN_SECURITY_MIRROR" "$tmp/err"'

# Without the overrides, apt-config names the files (here through APT_CONFIG).
if command -v apt-config >/dev/null; then
	printf 'Dir::Etc::sourcelist "%s";\nDir::Etc::sourceparts "%s";\n' "$S/m4/sources.list" "$S/m1/parts" >"$tmp/apt.conf"
	(unset NEPT_APT_SOURCES_LIST NEPT_APT_SOURCES_PARTS && APT_CONFIG=$tmp/apt.conf "$fk" --print-mirrors) >"$tmp/out" 2>"$tmp/err"
	check "apt-config: its Dir::Etc::sourcelist and sourceparts are read when no override is set" \
		'grep -q "^main  *http://list.example/debian  from $S/m4/sources.list:3" "$tmp/out" && grep -q "^security  *http://list.example/debian-security " "$tmp/out"'
else
	skip "apt-config lookup (no apt-config)"
fi

# ------------------------------------------------- a fake cache, no archive

K=$NEPT_CACHE/kernels
# make_tree DIRNAME SERIES VERSION [PINNED]: a tree as fetch-kernel leaves it.
make_tree() {
	local d=$K/$1
	mkdir -p "$d/arch/x86/kvm" "$d/include/linux"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = 0\n' "${2%.*}" "${2#*.}" >"$d/Makefile"
	{
		echo "series=$2"
		echo "package=linux-source-$2"
		echo "package_version=$3"
		echo "suite=test"
		echo "tarball_sha256=$(printf '%s' "$3" | sha256sum | cut -d' ' -f1)"
		[ -z "${4:-}" ] || echo "pinned=$4"
	} >"$d/NEPTFUZZ-SOURCE"
}
# write_default AGE_SECONDS LINE...: a DEFAULT resolved AGE_SECONDS ago.
write_default() {
	local age=$1
	shift
	mkdir -p "$K"
	{
		echo "# test DEFAULT"
		echo "# resolved_at=$(date -u -d "@$(($(date +%s) - age))" +%Y-%m-%dT%H:%M:%SZ)"
		printf '%s\n' "$@"
	} >"$K/DEFAULT"
}
reset_cache() { rm -rf "$NEPT_CACHE"; }
pinned() { awk -F= '$1 == "pinned" { v = $2 } END { print v + 0 }' "$K/$1/NEPTFUZZ-SOURCE"; }

reset_cache
make_tree linux-6.1 6.1 6.1.176-1 # a cache from before versions were kept apart
make_tree linux-6.12.117-1 6.12 6.12.117-1 0
make_tree linux-6.12.107-1 6.12 6.12.107-1 0
make_tree linux-7.2.13-1 7.2 7.2.13-1 0
write_default 60 "bookworm 6.1 6.1.176-1 linux-6.1" "trixie 6.12 6.12.117-1 linux-6.12.117-1" \
	"sid 7.2 7.2.14-1 linux-7.2.14-1"
# Anything that would reach an archive goes nowhere.
export NEPT_DEBIAN_MIRROR=http://127.0.0.1:9/debian

run "$fk" --list
check "--list: every tree, old-style names included" \
	'has "$K/linux-6.1" "$tmp/out" && [ "$(grep -c "^6\.[0-9.]*-1 \|^7\.2\.13-1 " "$tmp/out")" = 4 ]'
check "--list: the DEFAULT entry whose tree is missing is flagged" 'grep -q "sid .*7\.2\.14-1 .*MISSING" "$tmp/out"'
check "--list: present DEFAULT entries are not flagged" '! grep -q "trixie .*MISSING" "$tmp/out"'

run "$fk" 6.12=6.12.107-1
check "SERIES=VERSION already cached: no network, exit 0" '[ "$rc" = 0 ]'
check "SERIES=VERSION already cached: pinned=1 now" '[ "$(pinned linux-6.12.107-1)" = 1 ]'
check "SERIES=VERSION already cached: its summary line on stdout" \
	'grep -q "^linux-6.12  6.12.107-1  sha256=[0-9a-f]*  $K/linux-6.12.107-1\$" "$tmp/out"'
run "$fk" linux-source-6.1=6.1.176-1
check "a version cached under an old-style name (linux-6.1) counts as cached" \
	'[ "$rc" = 0 ] && [ "$(pinned linux-6.1)" = 1 ] && [ ! -e "$K/linux-6.1.176-1" ]'
run "$fk" --unpin 6.1.176-1
check "--unpin VERSION" '[ "$rc" = 0 ] && [ "$(pinned linux-6.1)" = 0 ]'
run "$fk" --remove 6.12=6.12.107-1
check "--remove SERIES=VERSION" '[ "$rc" = 0 ] && [ ! -e "$K/linux-6.12.107-1" ]'
run "$fk" --remove 9.9.9-1
check "--remove of a version not cached: exit 1" '[ "$rc" = 1 ]'
run "$fk" --list 6.1
check "--list with a series: usage error (exit 2)" '[ "$rc" = 2 ]'
run "$fk" 6.x
check "a malformed series: usage error (exit 2)" '[ "$rc" = 2 ]'
unset NEPT_DEBIAN_MIRROR

# ----------------------------------------------------- ensure_kernel_trees

stub=$tmp/stub-fetch
cat >"$stub" <<'EOF'
#!/usr/bin/env bash
# A stand-in for scripts/fetch-kernel: logs the call, then runs the case's
# action ($STUB_ACTION, sourced) and exits with $STUB_RC.
echo "stub-fetch $*" >>"$STUB_LOG"
[ -z "${STUB_ACTION:-}" ] || . "$STUB_ACTION"
exit "${STUB_RC:-0}"
EOF
chmod +x "$stub"
export NEPT_FETCH_KERNEL=$stub STUB_LOG=$tmp/stub.log

# ensure [ENV=VALUE...] -- [TREE...]: ensure_kernel_trees as the scripts call
# it (set -euo pipefail, command substitution); $out, $rc, stderr in $tmp/err.
ensure() {
	local -a envs=()
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	: >"$STUB_LOG"
	out=$(cd "$root" && env "${envs[@]+"${envs[@]}"}" bash -c '
		set -euo pipefail
		. scripts/lib-kernels.sh
		opt=$(ensure_kernel_trees "$@")
		printf "%s\n" "$opt"' ensure "$@" 2>"$tmp/err")
	rc=$?
	fetches=$(wc -l <"$STUB_LOG")
}
trees_opt() { # DIRNAME...: the option listing these trees, in this order
	local l="" d
	for d in "$@"; do l="${l:+$l;}$K/$d"; done
	echo "-DNEPT_KVM_TREES=$l"
}

reset_cache
make_tree linux-6.1 6.1 6.1.176-1
make_tree linux-6.12.107-1 6.12 6.12.107-1 1
make_tree linux-6.12.117-1 6.12 6.12.117-1 0
make_tree linux-6.12.9-1 6.12 6.12.9-1 1 # version order, not name order
make_tree linux-7.2.13-1 7.2 7.2.13-1 0
make_tree .linux-7.2.14-1.partial.123 7.2 7.2.14-1 0 # a fetch in progress
mkdir -p "$K/linux-junk"                              # not a tree
all=$(trees_opt linux-6.1 linux-6.12.9-1 linux-6.12.107-1 linux-6.12.117-1 linux-7.2.13-1)
DEF=("bookworm 6.1 6.1.176-1 linux-6.1" "trixie 6.12 6.12.117-1 linux-6.12.117-1" "sid 7.2 7.2.13-1 linux-7.2.13-1")

ensure -- "$K/linux-6.1" "$K/linux-7.2.13-1/"
check "trees given: validated, absolute, ';'-joined, nothing fetched" \
	'[ "$rc" = 0 ] && [ "$out" = "$(trees_opt linux-6.1 linux-7.2.13-1)" ] && [ "$fetches" = 0 ]'
ensure -- "$K/linux-junk"
check "a given directory that is not a tree: exit 2" '[ "$rc" = 2 ] && has "not a Linux tree" "$tmp/err"'

write_default 3600 "${DEF[@]}"
ensure --
check "fresh, complete DEFAULT: no fetch, every cached tree, sorted by version" \
	'[ "$rc" = 0 ] && [ "$fetches" = 0 ] && [ "$out" = "$all" ]'
[ "$rc" = 0 ] || err_tail

write_default $((2 * 86400)) "${DEF[@]}"
ensure STUB_RC=1 --
check "DEFAULT two days old: fetch-kernel runs" '[ "$fetches" = 1 ]'
check "...it fails, every default tree is there: warning, go on" \
	'[ "$rc" = 0 ] && [ "$out" = "$all" ] && has "warning: scripts/fetch-kernel failed" "$tmp/err"'

rm -f "$K/DEFAULT"
write_default 0 "${DEF[@]}"
sed -i '/resolved_at/d' "$K/DEFAULT"
touch -d '3 days ago' "$K/DEFAULT"
ensure STUB_RC=1 --
check "DEFAULT without resolved_at: its age is its modification time" '[ "$fetches" = 1 ] && [ "$rc" = 0 ]'

write_default $((2 * 86400)) "${DEF[@]}"
ensure NEPT_NO_FETCH=1 --
check "stale DEFAULT with NEPT_NO_FETCH=1: no fetch, go on" '[ "$rc" = 0 ] && [ "$fetches" = 0 ] && [ "$out" = "$all" ]'

write_default 60 "${DEF[@]::2}" "sid 7.2 7.2.14-1 linux-7.2.14-1"
ensure NEPT_NO_FETCH=1 --
check "a default tree missing, NEPT_NO_FETCH=1: nonzero, nothing fetched" '[ "$rc" != 0 ] && [ "$fetches" = 0 ]'
check "...the message names suite, series and version, and the command" \
	'grep -q "sid.s linux-source-7.2 7.2.14-1 .*scripts/fetch-kernel" "$tmp/err"'
check "...nothing on stdout" '[ -z "$out" ]'

ensure STUB_RC=1 --
check "a default tree missing, the fetch fails: nonzero, the tree named" \
	'[ "$rc" != 0 ] && [ "$fetches" = 1 ] && has "linux-source-7.2 7.2.14-1" "$tmp/err"'

# The stub's action: what a fetch that brings sid's 7.2.14-1 leaves.
{
	echo "K=$K"
	declare -f make_tree write_default
	echo 'make_tree linux-7.2.14-1 7.2 7.2.14-1 0'
	printf 'write_default 0 "%s" "%s" "%s"\n' "${DEF[0]}" "${DEF[1]}" "sid 7.2 7.2.14-1 linux-7.2.14-1"
} >"$tmp/action-fetch-7.2.14"
ensure STUB_ACTION="$tmp/action-fetch-7.2.14" --
check "a default tree missing, the fetch brings it: every tree, the new one too" \
	'[ "$rc" = 0 ] && [ "$fetches" = 1 ] &&
	 [ "$out" = "$(trees_opt linux-6.1 linux-6.12.9-1 linux-6.12.107-1 linux-6.12.117-1 linux-7.2.13-1 linux-7.2.14-1)" ]'
[ "$rc" = 0 ] || err_tail
rm -rf "$K/linux-7.2.14-1"

rm -f "$K/DEFAULT"
ensure NEPT_NO_FETCH=1 --
check "no DEFAULT, NEPT_NO_FETCH=1: nonzero, 'no kernel trees are known', how to fetch" \
	'[ "$rc" != 0 ] && [ "$fetches" = 0 ] && has "no kernel trees are known" "$tmp/err" && has "scripts/fetch-kernel" "$tmp/err"'
check "...and how to use the trees cached all the same" 'has "--kernel-tree $K/linux-6.1" "$tmp/err"'

{
	echo "K=$K"
	declare -f write_default
	printf 'write_default 0 "%s" "%s" "%s"\n' "${DEF[@]}"
} >"$tmp/action-default"
ensure STUB_ACTION="$tmp/action-default" --
check "no DEFAULT: fetch-kernel runs (its default run) and the trees follow" \
	'[ "$rc" = 0 ] && [ "$fetches" = 1 ] && [ "$out" = "$all" ] && grep -qx "stub-fetch " "$STUB_LOG"'
rm -f "$K/DEFAULT"
ensure --
check "no DEFAULT, the fetch succeeds but writes none: nonzero" '[ "$rc" != 0 ] && [ "$fetches" = 1 ]'
ensure STUB_RC=1 --
check "no DEFAULT, the fetch fails: nonzero, says no trees are known" \
	'[ "$rc" != 0 ] && has "no kernel trees are known" "$tmp/err"'
unset NEPT_FETCH_KERNEL

# --------------------------------------- a whole cycle, local signed archive

# pkg SUITE SERIES SUBLEVEL VERSION: a linux-source-SERIES .deb in the archive.
A=$tmp/archive
pkg() {
	local suite=$1 series=$2 sub=$3 ver=$4 b=$tmp/build/$3-$4 top deb
	top=$b/src/linux-source-$series
	mkdir -p "$top/arch/x86/kvm/vmx" "$top/arch/x86/include/asm" "$top/include/linux" "$top/virt/kvm" \
		"$top/drivers" "$b/root/usr/src" "$b/root/DEBIAN" "$A/pool" "$A/stanzas"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\nEXTRAVERSION =\nNAME = test\n' \
		"${series%.*}" "${series#*.}" "$sub" >"$top/Makefile"
	for f in arch/x86/kvm/vmx/nested.c arch/x86/include/asm/kvm_host.h include/linux/kvm_host.h \
		virt/kvm/kvm_main.c drivers/not-extracted.c; do
		echo "/* $ver */" >"$top/$f"
	done
	tar -cJf "$b/root/usr/src/linux-source-$series.tar.xz" -C "$b/src" "linux-source-$series"
	printf 'Package: linux-source-%s\nVersion: %s\nArchitecture: all\nMaintainer: test <test@invalid>\nDescription: test kernel source\n' \
		"$series" "$ver" >"$b/root/DEBIAN/control"
	deb=$A/pool/linux-source-${series}_${ver}_all.deb
	dpkg-deb -Zgzip --root-owner-group --build "$b/root" "$deb" >/dev/null
	{
		cat "$b/root/DEBIAN/control"
		echo "Filename: pool/${deb##*/}"
		echo "Size: $(stat -c %s "$deb")"
		echo "SHA256: $(sha256sum "$deb" | cut -d' ' -f1)"
		echo
	} >>"$A/stanzas/$suite"
}
# publish: (re)writes the signed indexes, each time a minute newer.
published=0
publish() {
	local s p when arch
	arch=$(dpkg --print-architecture)
	published=$((published + 1))
	when=$(($(date +%s) - 3600 + 60 * published))
	for s in bookworm trixie sid; do
		p=main/binary-$arch/Packages
		mkdir -p "$A/dists/$s/main/binary-$arch"
		cat "$A/stanzas/$s" >"$A/dists/$s/$p" 2>/dev/null || : >"$A/dists/$s/$p"
		{
			printf 'Suite: %s\nCodename: %s\nDate: %s\nArchitectures: %s\nComponents: main\nSHA256:\n' \
				"$s" "$s" "$(date -Ru -d "@$when")" "$arch"
			echo " $(sha256sum "$A/dists/$s/$p" | cut -d' ' -f1) $(stat -c %s "$A/dists/$s/$p") $p"
		} >"$A/dists/$s/Release"
		rm -f "$A/dists/$s/InRelease"
		gpg --batch -q --pinentry-mode loopback --passphrase '' --clearsign \
			-o "$A/dists/$s/InRelease" "$A/dists/$s/Release" || return 1
		touch -d "@$when" "$A/dists/$s/InRelease" "$A/dists/$s/Release" "$A/dists/$s/$p"
	done
}
meta_of() { awk -F= -v k="$2" '$1 == k { print substr($0, length(k) + 2) }' "$K/$1/NEPTFUZZ-SOURCE"; }
fk_local() { # fetch-kernel against the local archive
	NEPT_APT_SOURCES_LIST=$tmp/none NEPT_APT_SOURCES_PARTS=$tmp/local-parts \
		NEPT_DEBIAN_KEYRING=$tmp/archive-keyring.gpg run "$fk" "$@"
}

missing=""
for t in gpg gpgconf dpkg-deb apt-get apt-cache xz flock; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
if [ -n "$missing" ]; then
	skip "the fetch cycle against a local archive (missing:$missing)"
else
	export GNUPGHOME=$tmp/gnupg
	mkdir -m 700 "$GNUPGHOME"
	gpg --batch -q --pinentry-mode loopback --passphrase '' \
		--quick-gen-key 'neptfuzz test archive <test@invalid>' ed25519 sign never 2>/dev/null &&
		gpg --batch -q --export >"$tmp/archive-keyring.gpg"
	pkg bookworm 6.1 100 6.1.100-1
	pkg trixie 6.12 40 6.12.40-1
	pkg trixie 6.12 50 6.12.50-1
	pkg sid 7.2 1 7.2.1-1
	publish
	# The archive as the system's sources would name it: deb822, file: URI.
	mkdir -p "$tmp/local-parts"
	printf 'Types: deb\nURIs: file://%s\nSuites: bookworm bookworm-updates\nComponents: main\n' "$A" >"$tmp/local-parts/local.sources"

	reset_cache
	make_tree linux-6.1 6.1 6.1.90-1 # an old-style tree, superseded below
	make_tree linux-7.2 7.2 7.2.1-1  # an old-style tree, still the newest

	fk_local
	check "cycle: the default run succeeds" '[ "$rc" = 0 ]'
	[ "$rc" = 0 ] || err_tail
	check "cycle: the newest of each suite, in linux-VERSION directories" \
		'[ -f "$K/linux-6.1.100-1/NEPTFUZZ-SOURCE" ] && [ -f "$K/linux-6.12.50-1/NEPTFUZZ-SOURCE" ]'
	check "cycle: only what the harness needs is extracted" \
		'[ -f "$K/linux-6.12.50-1/arch/x86/kvm/vmx/nested.c" ] && [ -f "$K/linux-6.12.50-1/virt/kvm/kvm_main.c" ] &&
		 [ ! -e "$K/linux-6.12.50-1/drivers" ]'
	check "cycle: NEPTFUZZ-SOURCE records version, upstream version, mirror and pinned=0" \
		'[ "$(meta_of linux-6.12.50-1 package_version)" = 6.12.50-1 ] &&
		 [ "$(meta_of linux-6.12.50-1 upstream_version)" = 6.12.50 ] &&
		 [ "$(meta_of linux-6.12.50-1 mirror)" = "file://$A" ] && [ "$(meta_of linux-6.12.50-1 pinned)" = 0 ]'
	check "cycle: a cached newest version under an old-style name is kept and not fetched again" \
		'[ -d "$K/linux-7.2" ] && [ ! -e "$K/linux-7.2.1-1" ] && ! has "downloading linux-source-7.2" "$tmp/err"'
	check "cycle: the older unpinned tree of a series is removed, and said so" \
		'[ ! -e "$K/linux-6.1" ] && has "removed $K/linux-6.1 " "$tmp/err"'
	printf '%s\n' "bookworm 6.1 6.1.100-1 linux-6.1.100-1" "trixie 6.12 6.12.50-1 linux-6.12.50-1" \
		"sid 7.2 7.2.1-1 linux-7.2" >"$tmp/want-default"
	check "cycle: DEFAULT records SUITE SERIES VERSION DIRNAME per default suite" \
		'grep -v "^#" "$K/DEFAULT" | cmp -s - "$tmp/want-default"'
	check "cycle: DEFAULT has a resolved_at line" 'grep -q "^# resolved_at=20[0-9-]*T" "$K/DEFAULT"'

	fk_local --no-update 6.12=6.12.40-1 # the lists of the run before
	check "cycle: SERIES=VERSION fetches that version, pinned, next to the newest" \
		'[ "$rc" = 0 ] && [ "$(meta_of linux-6.12.40-1 pinned)" = 1 ] && [ -d "$K/linux-6.12.50-1" ]'

	fetched_at=$(meta_of linux-6.12.50-1 fetched_at)
	sleep 1
	fk_local
	check "cycle: a second default run downloads nothing" \
		'[ "$rc" = 0 ] && ! has "downloading" "$tmp/err" && [ "$(meta_of linux-6.12.50-1 fetched_at)" = "$fetched_at" ]'
	check "cycle: ...and removes nothing" '! has "removed" "$tmp/err"'

	pkg trixie 6.12 60 6.12.60-1 # a stable update
	publish
	fk_local
	check "cycle: a stable update is fetched and replaces the older unpinned tree" \
		'[ "$rc" = 0 ] && [ -d "$K/linux-6.12.60-1" ] && [ ! -e "$K/linux-6.12.50-1" ]'
	check "cycle: ...the pinned tree stays" '[ -d "$K/linux-6.12.40-1" ]'
	check "cycle: ...DEFAULT follows" 'grep -qx "trixie 6.12 6.12.60-1 linux-6.12.60-1" "$K/DEFAULT"'

	fk_local --no-update 6.12
	check "cycle: SERIES takes the newest of the series, not pinned" \
		'[ "$rc" = 0 ] && [ "$(meta_of linux-6.12.60-1 pinned)" = 0 ] && [ -d "$K/linux-6.12.40-1" ]'

	fk_local --no-update 6.12=6.12.999-1
	check "cycle: a version not offered: exit 1, the offered versions listed" \
		'[ "$rc" = 1 ] && has "6.12.60-1" "$tmp/err"'

	fk_local --unpin 6.12.40-1
	fk_local
	check "cycle: unpinned, the older tree goes at the next default run" \
		'[ "$rc" = 0 ] && [ ! -e "$K/linux-6.12.40-1" ]'

	fk_local --remove linux-7.2
	check "cycle: --remove of a default tree says it will come back" '[ "$rc" = 0 ] && has "names it" "$tmp/err"'
	fk_local --list
	check "cycle: --list flags the removed default tree" 'grep -q "sid .*7\.2\.1-1 .*MISSING" "$tmp/out"'
	# ensure_kernel_trees with the real fetch-kernel against the local archive.
	ensure NEPT_NO_FETCH=1 --
	check "cycle: ensure_kernel_trees, NEPT_NO_FETCH=1: fails naming sid 7.2 7.2.1-1" \
		'[ "$rc" != 0 ] && grep -q "sid.s linux-source-7.2 7.2.1-1" "$tmp/err"'
	ensure NEPT_APT_SOURCES_PARTS="$tmp/local-parts" NEPT_DEBIAN_KEYRING="$tmp/archive-keyring.gpg" --
	check "cycle: ensure_kernel_trees fetches the missing default tree and lists every tree" \
		'[ "$rc" = 0 ] && [ "$out" = "$(trees_opt linux-6.1.100-1 linux-6.12.60-1 linux-7.2.1-1)" ]'
	[ "$rc" = 0 ] || err_tail
fi

echo "fetch_kernel_test: $pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
