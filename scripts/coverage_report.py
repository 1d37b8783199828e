#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Per-function coverage of KVM's extracted code, in kernel terms.

Reads `llvm-cov export` JSON on stdin.  The extracted code lives in
build/*/kvm/gen/<series>/{kvm_code.c,paging_tmpl.h}, each kernel item after
a `#line N "kernel/file"` directive (kvm/extract.py); clang's coverage
mapping keeps the generated file's lines, so this maps them back.

Writes OUT/functions.txt (one row per extracted function and version: line
and branch coverage, where it lives in the kernel) and OUT/uncovered.txt
(every branch direction never taken and every line never run, as kernel
file:line with the kernel's text, grouped by function).
"""
import json
import os
import re
import sys
from collections import defaultdict

LINE_RE = re.compile(r'^#line (\d+) "([^"]+)"')


def line_map(path, cache={}):
    """Generated line -> (kernel file, kernel line), from #line."""
    if path in cache:
        return cache[path]
    m = {}
    cur = None
    with open(path, errors="replace") as f:
        for n, text in enumerate(f, 1):
            hit = LINE_RE.match(text)
            if hit:
                cur = (hit.group(2), int(hit.group(1)))
                continue
            if cur:
                m[n] = (cur[0], cur[1])
                cur = (cur[0], cur[1] + 1)
    cache[path] = m
    return m


def kernel_text(path, line, cache={}):
    if path not in cache:
        try:
            with open(path, errors="replace") as f:
                cache[path] = f.read().split("\n")
        except OSError:
            cache[path] = []
    lines = cache[path]
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def gen_text(path, l1, c1, l2, c2, cache={}):
    """The source text of a region of a generated file (one line)."""
    if path not in cache:
        with open(path, errors="replace") as f:
            cache[path] = f.read().split("\n")
    lines = cache[path]
    if not 0 < l1 <= len(lines):
        return "?"
    text = lines[l1 - 1]
    end = c2 - 1 if l2 == l1 else len(text)
    return " ".join(text[c1 - 1:end].split())


def short(path):
    """arch/x86/kvm/... from an absolute kernel path."""
    i = path.find("/arch/")
    if i < 0:
        i = path.find("/include/")
    return path[i + 1:] if i >= 0 else path


def version_of(genfile):
    m = re.search(r"/kvm/gen/([^/]+)/", genfile)
    return m.group(1) if m else None


USAGE = """usage: llvm-cov export ... | scripts/coverage_report.py OUT

scripts/coverage runs it: reads llvm-cov's JSON export on stdin and writes
OUT/functions.txt and OUT/uncovered.txt (see the top of this file)."""


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        help_asked = len(sys.argv) == 2
        print(USAGE, file=sys.stdout if help_asked else sys.stderr)
        sys.exit(0 if help_asked else 2)
    out = sys.argv[1]
    data = json.load(sys.stdin)["data"][0]
    rows = []
    uncovered = defaultdict(list)
    for fn in data["functions"]:
        files = fn["filenames"]
        if not files or "/kvm/gen/" not in files[0]:
            continue
        ver = version_of(files[0])
        name = fn["name"].split(":", 1)[-1]
        lmap = line_map(files[0])
        # Lines: a line of the function's own file is run if a code
        # region starting on it ran (regions: l1,c1,l2,c2,count,file,
        # expanded file,kind; kind 0 = code).
        run, seen = set(), set()
        for r in fn["regions"]:
            if r[5] != 0 or r[7] != 0:
                continue
            for ln in range(r[0], r[2] + 1):
                seen.add(ln)
                if r[4] > 0:
                    run.add(ln)
        missed_lines = sorted(seen - run)
        # Branches: each has a true and a false direction.
        nbr = taken = 0
        for b in fn["branches"]:
            l1, c1, l2, c2, t, f, fid = b[:7]
            if fid >= len(files) or "/kvm/gen/" not in files[fid]:
                continue
            nbr += 2
            taken += (t > 0) + (f > 0)
            if t > 0 and f > 0:
                continue
            where = line_map(files[fid]).get(l1)
            if not where:
                continue
            never = ("never taken" if t == 0 and f == 0 else
                     "never true" if t == 0 else "never false")
            # The condition itself (a branch is one condition of an
            # if with && or ||), from the generated file's columns.
            cond = gen_text(files[fid], l1, c1, l2, c2)
            uncovered[(ver, name)].append(
                (where[0], where[1], "%s: %s" % (never, cond),
                 kernel_text(*where)))
        start = lmap.get(fn["regions"][0][0]) if fn["regions"] else None
        for ln in missed_lines:
            where = lmap.get(ln)
            if where:
                uncovered[(ver, name)].append(
                    (where[0], where[1], "line never run",
                     kernel_text(*where)))
        rows.append((ver, name, start, len(seen), len(seen) - len(missed_lines),
                     nbr, taken, fn["count"]))

    rows.sort(key=lambda r: (r[0], r[1]))
    tot = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    with open(os.path.join(out, "functions.txt"), "w") as f:
        f.write("%-6s %-42s %9s %11s %10s  %s\n" %
                ("kvm", "function", "lines", "branches", "calls", "kernel source"))
        for ver, name, start, nl, cl, nb, cb, calls in rows:
            t = tot[ver]
            t[0] += nl
            t[1] += cl
            t[2] += nb
            t[3] += cb
            t[4] += 1
            t[5] += calls > 0
            f.write("%-6s %-42s %4d/%-4d %5d/%-5d %10d  %s\n" %
                    (ver, name, cl, nl, cb, nb, calls,
                     "%s:%d" % (short(start[0]), start[1]) if start else "?"))
    with open(os.path.join(out, "files.txt"), "w") as f:
        f.write("%-6s %10s %8s %12s %8s %14s\n" %
                ("kvm", "functions", "run", "lines", "", "branch dirs"))
        for ver in sorted(tot):
            nl, cl, nb, cb, nf, rf = tot[ver]
            f.write("%-6s %10d %8d %6d/%-6d %6.1f%% %6d/%-6d %6.1f%%\n" %
                    (ver, nf, rf, cl, nl, 100.0 * cl / max(nl, 1), cb, nb,
                     100.0 * cb / max(nb, 1)))
    with open(os.path.join(out, "uncovered.txt"), "w") as f:
        for (ver, name) in sorted(uncovered):
            f.write("kvm-%s %s\n" % (ver, name))
            seen = set()
            for path, line, what, text in sorted(uncovered[(ver, name)],
                                                 key=lambda u: (u[0], u[1])):
                if (path, line, what) in seen:
                    continue
                seen.add((path, line, what))
                f.write("  %s:%d: %s\n      in: %s\n" %
                        (short(path), line, what, text))
    for ver in sorted(tot):
        nl, cl, nb, cb, nf, rf = tot[ver]
        print("  kvm-%s: %d/%d functions run, lines %.1f%%, branch directions %.1f%%"
              % (ver, rf, nf, 100.0 * cl / max(nl, 1), 100.0 * cb / max(nb, 1)))


if __name__ == "__main__":
    main()
