#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every "facts §N" / "§N.M" citation in the repository must name a section
# of docs/sdm-rules.md (a heading "## §N ..." or "### §N.M ...").  Lists the
# citations whose section is missing and exits 1; exits 0 when all resolve.
# Usage: tests/check_citations.sh   (from anywhere inside the repository)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
page=docs/sdm-rules.md
sect='§[0-9]+(\.[0-9]+)?'

if [ ! -f "$page" ]; then
	echo "check_citations: $page is missing" >&2
	exit 1
fi

# Sections the page defines, one per line ("§N" or "§N.M").
defined=$(grep -oE "^#{2,6} $sect( |$)" "$page" | grep -oE "$sect" | sort -u)

missing=0 total=0
while IFS= read -r hit; do
	[ -n "$hit" ] || continue
	total=$((total + 1))
	s=${hit##*:}
	if ! grep -qxF -- "$s" <<<"$defined"; then
		echo "missing section: $hit"
		missing=$((missing + 1))
	fi
done < <(git grep -noE "$sect" -- '*.c' '*.h' '*.txt' '*.scn' '*.md' \
	'*.py' '*.sh' || true)

ndef=$(grep -c . <<<"$defined" || true)
if [ "$missing" -gt 0 ]; then
	echo "check_citations: $missing of $total citations name a section" \
		"missing from $page ($ndef sections defined)"
	exit 1
fi
echo "check_citations: all $total citations resolve to the $ndef sections" \
	"of $page"
