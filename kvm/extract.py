#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Copy named functions, types and macros verbatim out of a Linux tree.

The code under test must be KVM's own, unmodified: this tool never edits a
line.  It splits a kernel source file into top-level items (preprocessor
lines, function definitions, declarations), keeps the ones a recipe names,
and writes them out in their original order, each preceded by a #line
directive pointing back at the kernel file, so sanitizer reports, coverage
and WARN sites name the real kernel line.  The path is absolute, or with
--line-root DIR relative to DIR (OSS-Fuzz: $SRC, which holds the trees, so
coverage reports made elsewhere find the kernel sources; the module is then
compiled with -ffile-compilation-dir=DIR).

Conditional directives (#if/#ifdef/#elif/#else/#endif) of an extracted file
are always kept, so every item stays under the conditions it was written
under (no "wrong branch" define extraction).

Recipe syntax (one directive per line, '#' comments):
    output FILE [protos=FILE] [exports=FILE]
                              write the items of the files that follow to
                              FILE; with protos=, also write a `static`
                              prototype of every function extracted into
                              FILE; with exports=, only of those defined
                              without `static` (see "Linkage" below)
    file PATH                 following items come from PATH (tree-relative)
    func NAME                 a function definition (FNAME(x) matches x)
    type NAME                 struct/union/enum NAME, or a typedef NAME
                              (an anonymous enum is named by its enumerators)
    decl NAME                 any other top-level declaration naming NAME
    macro NAME                a #define (NAME may hold * wildcards)
    undef NAME                an #undef
    macros                    every #define and #undef of the file
    all                       every item of the file but its #include
                              lines: a whole .c file (the x86 emulator),
                              whose tables name most of its functions
    include NAME              an #include line whose path is NAME
Any directive but `output` may be prefixed with version conditions,
`[>=7.2]` or `[<6.12]` or both (`[>=6.12] [<7.2]`: all must hold), tested
against the tree's Makefile version (a `file` left out by its condition
leaves out the items under it); a NAME ending in `?`
is optional (absent in this tree is fine).  A missing required item is an
error naming it, the file and the tree: the tree's code is not what the
recipe knows.

A #define written inside a struct body counts as a macro of the file (it is
copied alone, without the struct; conditionals inside the body are not
seen).  A header's include guard (#ifndef X / #define X ... #endif around the
whole file) is not copied: the output holds items, not headers, and one
header may feed several outputs.

Linkage: everything extracted is meant to be compiled into one translation
unit and kept private to it.  A function defined without `static` gets
internal linkage when a `static` declaration of it is visible first (C11
6.2.2p4-5), so the prototypes file declares every extracted function
`static` without touching its definition, under the same conditionals as
the definition.  Those are evaluated with the macros defined before the
code (the file's own #defines are not replayed: `#ifndef X / #define X`
would hide the definition), so a condition on a macro the same file
defined earlier may differ; a prototype with no definition then shows as
an error.  The prototypes also forward-declare every function, so the
order of the extracted items never matters.

An output whose own types its static functions use (emulate.c: struct
opcode, fastop_t) cannot have every prototype before it: `exports=` then
declares only the functions the kernel gives external linkage, whose
types are the headers' (kvm_emulate.h), before any code that calls them.

A line that is only `NAME(args)`, with no semicolon and no body after it
(`BUILD_KVM_GPR_ACCESSORS(ax, RAX)`), is an item of its own: a macro
expanding to definitions.

Besides the outputs, the tool writes into --outdir:
    functions.txt   one line per extracted function: NAME PATH:LINE
    tree.h          C macros describing the tree: NEPT_TREE_VERSION,
                    NEPT_TREE_SERIES, NEPT_TREE_VERSION_CODE, NEPT_TREE_PATH,
                    NEPT_TREE_DESCRIPTION (one line: version, package,
                    tarball checksum), NEPT_TREE_SOURCE (the tree's
                    NEPTFUZZ-SOURCE file, "" if absent) and
                    NEPT_TREE_FUNCTIONS (the listing, as string literals)
"""

import argparse
import fnmatch
import os
import re
import sys

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CONDITIONALS = ("if", "ifdef", "ifndef", "elif", "else", "endif")


class Item:
    __slots__ = ("kind", "names", "start", "end", "text", "clean", "directive",
                 "nested")

    def __init__(self, kind, names, start, end, text, clean, directive=None):
        self.kind = kind  # 'pp', 'func', 'decl'
        self.names = names
        self.start = start  # 1-based first line
        self.end = end
        self.text = text
        self.clean = clean  # text with comments and literals blanked
        self.directive = directive  # for 'pp': define, undef, if, include...
        self.nested = False  # a #define inside another item's body


def strip_comments_and_strings(src):
    """Same length as src; comments and literals blanked, newlines kept."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "/" and i + 1 < n and src[i + 1] == "*":
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in src[i:j]))
            i = j
        elif c == "/" and i + 1 < n and src[i + 1] == "/":
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                if src[j] == "\\":
                    j += 1
                j += 1
            j = min(j + 1, n)
            out.append(c + " " * max(0, j - i - 2) + (c if j - i >= 2 else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_items(src):
    """Top-level items of a C file, with line numbers."""
    clean = strip_comments_and_strings(src)
    lines = src.split("\n")
    clines = clean.split("\n")
    items = []
    i = 0
    n = len(lines)
    pending = []  # (lineno, text, clean) of a declaration being collected
    depth = 0
    paren = 0

    def flush_decl(end_line):
        nonlocal pending
        if not pending:
            return
        start = pending[0][0]
        text = "\n".join(p[1] for p in pending)
        ctext = "\n".join(p[2] for p in pending)
        kind, names = classify(ctext)
        # Leading blank/comment-only lines belong to nobody.
        items.append(Item(kind, names, start, end_line, text, ctext))
        pending = []

    while i < n:
        cl = clines[i]
        if depth == 0 and paren == 0 and cl.lstrip().startswith("#"):
            # A preprocessor line, with its continuations.
            j = i
            while j < n - 1 and clines[j].rstrip().endswith("\\"):
                j += 1
            ctext = " ".join(clines[i:j + 1])
            m = re.match(r"\s*#\s*(\w+)\s*(\w*)", ctext)
            directive = m.group(1) if m else ""
            name = m.group(2) if m else ""
            if directive == "include":
                # The path, without its quotes or brackets (in the raw
                # text: the cleaned one has string contents blanked).
                inc = re.match(r'\s*#\s*include\s*["<]([^">]*)[">]', lines[i])
                name = inc.group(1) if inc else ""
            if pending and not "".join(p[2] for p in pending).strip():
                pending = []
            text = "\n".join(lines[i:j + 1])
            # A comment that opens on the directive's last line and closes
            # on a later one (msr-index.h: `#define L1D_FLUSH BIT(0) /*`)
            # is not part of it: copied alone, it would swallow what
            # follows in the output.
            if text.count("/*") > text.count("*/"):
                text = text[:text.rfind("/*")].rstrip()
            items.append(Item("pp", [name] if name else [], i + 1, j + 1,
                              text,
                              "\n".join(clines[i:j + 1]), directive))
            i = j + 1
            continue
        if not pending and not cl.strip():
            i += 1
            continue
        if not pending and is_bare_invocation(clines, i):
            # `BUILD_KVM_GPR_ACCESSORS(ax, RAX)`: a macro that expands to
            # definitions, written without a semicolon.
            name = re.match(r"\s*(\w+)", cl).group(1)
            items.append(Item("decl", [name], i + 1, i + 1, lines[i], cl))
            i += 1
            continue
        pending.append((i + 1, lines[i], cl))
        ended = False
        for ch in cl:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0 and paren == 0 and is_function(pending):
                    ended = True
            elif ch == "(":
                paren += 1
            elif ch == ")":
                paren -= 1
            elif ch == ";" and depth == 0 and paren == 0:
                ended = True
        if ended:
            flush_decl(i + 1)
        i += 1
    flush_decl(n)
    return items + nested_defines(items, lines, clines)


def nested_defines(items, lines, clines):
    """#defines written inside a declaration or function body (vcpu_vmx's
    PML_LOG_NR_ENTRIES), as items of their own so `macro` finds them."""
    found = []
    for it in items:
        if it.kind == "pp":
            continue
        k = it.start - 1
        while k < it.end:
            m = re.match(r"\s*#\s*define\s+(\w+)", clines[k])
            if not m:
                k += 1
                continue
            j = k
            while j < it.end - 1 and clines[j].rstrip().endswith("\\"):
                j += 1
            found.append(Item("pp", [m.group(1)], k + 1, j + 1,
                              "\n".join(lines[k:j + 1]),
                              "\n".join(clines[k:j + 1]), "define"))
            found[-1].nested = True
            k = j + 1
    return found


def is_bare_invocation(clines, i):
    """Line i is `NAME(args)` alone, and no function body follows it."""
    cl = clines[i]
    if not re.match(r"\s*[A-Za-z_]\w*\s*\(.*\)\s*$", cl):
        return False
    depth = 0
    for ch in cl:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    if depth:
        return False
    for nxt in clines[i + 1:]:
        if nxt.strip():
            return not nxt.lstrip().startswith("{")
    return True


def is_function(pending):
    ctext = " ".join(p[2] for p in pending)
    head = ctext.split("{", 1)[0]
    if re.match(r"\s*(typedef|struct|union|enum)\b", head) and not head.rstrip().endswith(")"):
        return False
    return head.rstrip().endswith(")") or re.search(r"\)\s*(__\w+(\(.*\))?\s*)*$", head.strip()) is not None


def classify(ctext):
    flat = ctext.replace("\n", " ")
    head = flat.split("{", 1)[0]
    if "{" in flat and is_function([(0, "", flat)]) and "=" not in head:
        return "func", [function_name(head)]
    names = []
    # `struct __packed vmcs12 {`: attributes may precede the tag.
    m = re.match(r"\s*(?:typedef\s+)?(struct|union|enum)\s+"
                 r"(?:__\w+(?:\([^()]*\))?\s+)*(\w+)\s*\{", ctext)
    if m:
        names.append(m.group(1) + " " + m.group(2))
    if re.match(r"\s*(?:typedef\s+)?enum\b[^{]*\{", ctext):
        # Enumerators name the enum too (the only names an anonymous
        # enum has).
        body = ctext.split("{", 1)[1].rsplit("}", 1)[0]
        body = re.sub(r"(?m)^\s*#.*$", "", body)
        for part in body.split(","):
            e = re.match(r"\s*([A-Za-z_]\w*)", part)
            if e:
                names.append(e.group(1))
        if not m and not re.match(r"\s*typedef\b", ctext):
            return "decl", names
    if re.match(r"\s*typedef\b", ctext):
        tail = re.findall(r"(\w+)\s*(?:\[[^\]]*\])?\s*;\s*$", ctext)
        if tail:
            names.append(tail[-1])
        fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", ctext)
        if fp:
            names.append(fp.group(1))
    else:
        # A declaration or definition of a variable or a prototype.
        before = re.split(r"[=;{]", ctext, 1)[0]
        m = re.search(r"(\w+)\s*(\)\s*)?(\[[^\]]*\]\s*)*$", before.strip())
        proto = re.search(r"(\w+)\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*(__\w+\s*)*$", before.strip())
        if proto:
            names.append(proto.group(1))
        elif m:
            names.append(m.group(1))
    return "decl", names


def function_name(head):
    """The name of `... NAME(params)` or `... FNAME(name)(params)`."""
    s = head.rstrip()
    # Drop trailing attributes such as __must_check or __releases(x).
    while True:
        m = re.search(r"\s(__\w+(\([^()]*\))?)\s*$", s)
        if not m or s[:m.start()].rstrip().endswith(")") is False:
            break
        s = s[:m.start()].rstrip()
    # Find the parameter list: the last balanced (...) group.
    depth = 0
    for k in range(len(s) - 1, -1, -1):
        if s[k] == ")":
            depth += 1
        elif s[k] == "(":
            depth -= 1
            if depth == 0:
                before = s[:k].rstrip()
                break
    else:
        return "?"
    if before.endswith(")"):
        # FNAME(name)(params): the name is inside the previous group.
        inner = re.search(r"\w+\s*\(\s*(\w+)\s*\)$", before)
        return inner.group(1) if inner else "?"
    m = re.search(r"(\w+)$", before)
    return m.group(1) if m else "?"


def tree_version(tree):
    """(version, patchlevel, sublevel, extraversion) from the Makefile."""
    v = {}
    try:
        with open(os.path.join(tree, "Makefile")) as f:
            for line in f:
                m = re.match(r"(VERSION|PATCHLEVEL|SUBLEVEL)\s*=\s*(\d+)", line)
                if m:
                    v[m.group(1)] = int(m.group(2))
                m = re.match(r"EXTRAVERSION\s*=\s*(\S*)", line)
                if m:
                    v["EXTRAVERSION"] = m.group(1)
                if re.match(r"NAME\s*=", line):
                    break
    except OSError:
        pass
    if "VERSION" not in v:
        return None
    return (v["VERSION"], v.get("PATCHLEVEL", 0), v.get("SUBLEVEL", 0),
            v.get("EXTRAVERSION", ""))


def version_string(ver):
    return "%d.%d.%d%s" % ver


# The `file` being read is one a condition left out (or an optional file
# the tree lacks): its items are.
SKIPPED = ("", [])

PROBE_KINDS = ("file", "func", "macro", "type", "decl", "text", "member",
               "calls")


class Probe:
    """A question about the tree's code, answered once per tree: does FILE
    define this function / macro / type, hold this text, does this struct
    have this member, does this function call that one."""
    __slots__ = ("name", "kind", "arg", "files", "where", "comment")

    def __init__(self, name, kind, arg, files, where):
        self.name, self.kind, self.arg, self.files = name, kind, arg, files
        self.where = where


def parse_probe(rest, where):
    """`NAME KIND ARG [in FILE[|FILE...]]`; ARG of `text` is "quoted"."""
    m = re.match(r'(\w+)\s+(\w+)\s+(?:"((?:[^"\\]|\\.)*)"|(\S+(?:\s+\S+)?))'
                 r'(?:\s+in\s+(\S+))?\s*$', rest)
    if not m:
        sys.exit('%s: expected `probe NAME KIND ARG in FILE` (`probe NAME '
                 'file PATH`, `probe NAME text "..." in FILE`)' % where)
    name, kind, text, arg, files = m.groups()
    if kind not in PROBE_KINDS:
        sys.exit("%s: unknown probe kind '%s' (%s)" % (where, kind,
                                                         ", ".join(PROBE_KINDS)))
    if text is not None:
        if kind != "text":
            sys.exit("%s: only a `text` probe takes a quoted string" % where)
        arg = text.replace('\\"', '"').replace("\\\\", "\\")
    elif kind == "text":
        sys.exit('%s: a `text` probe takes a "quoted string"' % where)
    if kind == "file":
        if files:
            sys.exit("%s: `probe NAME file PATH` takes no `in`" % where)
        files = arg
    elif not files:
        sys.exit("%s: probe %s needs `in FILE`" % (where, name))
    if kind == "calls" and len(arg.split()) != 2:
        sys.exit("%s: `calls` takes CALLER CALLEE" % where)
    if kind not in ("calls", "text") and len(arg.split()) != 1:
        sys.exit("%s: probe %s takes one name" % (where, name))
    return Probe(name, kind, arg, files.split("|"), where)


def probe_holds(probe, tree, parse):
    """Whether the tree's code answers yes; parse(path) gives the items of
    a tree file, None if it does not exist."""
    for path in probe.files:
        if probe.kind == "file":
            if os.path.isfile(os.path.join(tree, path)):
                return True
            continue
        # FILE:FUNC: only that function's text (a `text` probe).
        path, _, func = path.partition(":")
        items = parse(path)
        if items is None:
            continue
        if func:
            items = [it for it in items if it.kind == "func" and func in it.names]
        if probe.kind == "text":
            # Code only (comments and literals blanked), white space runs
            # as one space: a line break does not change what code says.
            want = " ".join(probe.arg.split())
            if any(want in " ".join(it.clean.split()) for it in items):
                return True
        elif probe.kind == "member":
            struct, _, member = probe.arg.partition(".")
            for it in items:
                if (it.kind == "decl" and
                        any(n == "struct " + struct or n == struct
                            for n in it.names) and "{" in it.clean and
                        re.search(r"\b%s\b" % re.escape(member),
                                  it.clean.split("{", 1)[1])):
                    return True
        elif probe.kind == "calls":
            caller, callee = probe.arg.split()
            for it in items:
                if (it.kind == "func" and caller in it.names and
                        re.search(r"\b%s\s*\(" % re.escape(callee),
                                  it.clean.split("{", 1)[1])):
                    return True
        else:
            errors = []
            select(items, [(probe.kind, probe.arg, probe.where)], path, tree,
                   errors)
            if not errors:
                return True
    return False


class Recipe:
    """The recipe, with every condition decided by the tree's probes."""

    def __init__(self, path, tree, parse):
        self.outputs = []  # (output name, protos name or None, exports only, [(file, [selectors])])
        self.probes = []   # [Probe], in recipe order
        self.value = {}    # probe name -> bool
        out = None
        cur = None
        with open(path) as f:
            for lineno, raw in enumerate(f, 1):
                line = raw.split("#", 1)[0].strip()
                if line.startswith("probe ") and '"' in raw:
                    # A quoted text may hold '#'.
                    line = raw.strip()
                    line = re.sub(r'\s+#[^"]*$', "", line)
                if not line:
                    continue
                where = "%s:%d" % (path, lineno)
                word, _, rest = line.partition(" ")
                if word == "probe":
                    pr = parse_probe(rest.strip(), where)
                    if pr.name in self.value:
                        sys.exit("%s: probe %s declared twice" % (where, pr.name))
                    self.probes.append(pr)
                    self.value[pr.name] = probe_holds(pr, tree, parse)
                    continue
                ok = True
                while line.startswith("["):
                    cond, _, line = line.partition(" ")
                    line = line.strip()
                    m = re.match(r"\[(!?)(\w+)\]$", cond)
                    if not m:
                        sys.exit("%s: bad condition %s (expected [PROBE] or "
                                 "[!PROBE])" % (where, cond))
                    if m.group(2) not in self.value:
                        sys.exit("%s: condition on %s, which no `probe` line "
                                 "above declares" % (where, m.group(2)))
                    ok = ok and (self.value[m.group(2)] != (m.group(1) == "!"))
                word, _, arg = line.partition(" ")
                arg = arg.strip()
                if word == "output" and (not ok or cond_seen(raw)):
                    sys.exit("%s: an output cannot be conditional" % where)
                if not ok:
                    if word == "file":
                        # The file's items go with it.
                        cur = SKIPPED
                    continue
                if word == "output":
                    name, *opts = arg.split()
                    protos = None
                    exports = False
                    for o in opts:
                        if o.startswith("protos=") and protos is None:
                            protos = o[len("protos="):]
                        elif o.startswith("exports=") and protos is None:
                            protos = o[len("exports="):]
                            exports = True
                        else:
                            sys.exit("%s: unknown or second output option '%s'"
                                     % (where, o))
                    out = (name, protos, exports, [])
                    self.outputs.append(out)
                    cur = None
                elif word == "file":
                    if out is None:
                        sys.exit("%s: 'file' before any 'output'" % where)
                    if arg.endswith("?"):
                        arg = arg[:-1]
                        if parse(arg) is None:
                            cur = SKIPPED
                            continue
                    cur = (arg, [])
                    out[3].append(cur)
                elif word in ("func", "type", "decl", "macro", "macros", "undef",
                              "include", "all"):
                    if cur is None:
                        sys.exit("%s: '%s' before any 'file'" % (where, word))
                    if cur is not SKIPPED:
                        cur[1].append((word, arg, where))
                else:
                    sys.exit("%s: unknown directive '%s'" % (where, word))


def cond_seen(raw):
    return raw.lstrip().startswith("[")


def include_guard(items):
    """Indexes of the #ifndef/#define/#endif that guard the whole file."""
    if len(items) < 3:
        return set()
    first, second, last = items[0], items[1], items[-1]
    if not (first.kind == "pp" and first.directive == "ifndef" and first.names and
            second.kind == "pp" and second.directive == "define" and
            second.names == first.names and
            last.kind == "pp" and last.directive == "endif"):
        return set()
    depth = 0
    for idx, it in enumerate(items):
        if it.kind != "pp":
            continue
        if it.directive in ("if", "ifdef", "ifndef"):
            depth += 1
        elif it.directive == "endif":
            depth -= 1
            if depth == 0 and idx != len(items) - 1:
                return set()  # the #ifndef closes before the end
    return {0, 1, len(items) - 1}


def select(items, sels, path, tree, errors):
    keep = set()
    guard = include_guard(items)
    all_macros = any(w == "macros" for w, _, _ in sels)
    everything = any(w == "all" for w, _, _ in sels)
    for idx, it in enumerate(items):
        if idx in guard:
            continue
        if everything and not (it.kind == "pp" and it.directive == "include"):
            keep.add(idx)
            continue
        if it.kind == "pp" and not it.nested:
            if it.directive in CONDITIONALS + ("error",):
                keep.add(idx)
            elif all_macros and it.directive in ("define", "undef"):
                keep.add(idx)
    for word, arg, where in sels:
        if word in ("macros", "all"):
            continue
        optional = arg.endswith("?")
        name = arg.rstrip("?")
        found = False
        for idx, it in enumerate(items):
            if idx in guard:
                continue
            if word in ("macro", "undef", "include"):
                directive = "define" if word == "macro" else word
                if it.kind != "pp" or it.directive != directive or not it.names:
                    continue
                hit = fnmatch.fnmatchcase(it.names[0], name)
            elif word == "func":
                hit = it.kind == "func" and name in it.names
            elif word == "type":
                hit = (it.kind == "decl" and
                       re.match(r"\s*(typedef|struct|union|enum)\b", it.clean) and
                       (name in it.names or
                        any(n.endswith(" " + name) for n in it.names)))
            else:
                hit = it.kind == "decl" and name in it.names
            if hit:
                keep.add(idx)
                found = True
        if not found and not optional:
            errors.append("%s: %s %s not found in %s (tree %s): this tree's code "
                          "is not what the recipe knows" % (where, word, name, path, tree))
    return keep


def prototype(it):
    """A `static` declaration of a function item, from its cleaned head."""
    head = it.clean[:it.clean.index("{")].rstrip()
    if not re.match(r"\s*static\b", head):
        head = "static " + head.lstrip()
    return head + ";"


def c_string(text):
    """text as a C string literal."""
    out = ['"']
    for ch in text.encode("utf-8", "surrogateescape"):
        c = chr(ch)
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif 32 <= ch < 127:
            out.append(c)
        else:
            out.append("\\%03o" % ch)
    out.append('"')
    return "".join(out)


def write_file(outdir, name, text):
    tmp = os.path.join(outdir, name + ".tmp")
    with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)
    os.replace(tmp, os.path.join(outdir, name))


def tree_header(tree, ver, listing, recipe):
    source = ""
    try:
        with open(os.path.join(tree, "NEPTFUZZ-SOURCE"), encoding="utf-8",
                  errors="surrogateescape") as f:
            source = f.read()
    except OSError:
        pass
    keys = dict(l.split("=", 1) for l in source.splitlines() if "=" in l)
    desc = "Linux " + version_string(ver)
    if "package" in keys and "package_version" in keys:
        desc += " (%s %s" % (keys["package"], keys["package_version"])
        if "tarball_sha256" in keys:
            desc += ", tarball sha256 %s" % keys["tarball_sha256"]
        desc += ")"
    else:
        desc += " (tree %s)" % tree
    held = [p.name for p in recipe.probes if recipe.value[p.name]]
    lines = ["/* Generated by kvm/extract.py: what the extracted code was "
             "taken from. */",
             "#define NEPT_TREE_VERSION %s" % c_string(version_string(ver)),
             "#define NEPT_TREE_SERIES %s" % c_string("%d.%d" % ver[:2]),
             "#define NEPT_TREE_PATH %s" % c_string(tree),
             "/* One line for people: version, and package and checksum if known. */",
             "#define NEPT_TREE_DESCRIPTION %s" % c_string(desc),
             "#define NEPT_TREE_SOURCE %s" % c_string(source),
             "/*",
             " * What the tree's code contains (kvm/recipe.txt's probes): the",
             " * glue and the shims test these, never a version number.",
             " */",
             "#define NEPT_HAS(probe) NEPT_PROBE_##probe"]
    lines += ["#define NEPT_PROBE_%s %d" % (p.name, recipe.value[p.name])
              for p in recipe.probes]
    lines += ["/* The probes that hold, for `neptfuzz targets` and deviations. */",
              "#define NEPT_TREE_PROBES %s" % c_string(" ".join(held)),
              "#define NEPT_TREE_FUNCTIONS \\"]
    lines += ["\t%s, \\" % c_string(l) for l in listing]
    lines.append("\t/* end */")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tree", required=True, help="the Linux source tree")
    ap.add_argument("--recipe", required=True)
    ap.add_argument("--outdir", help="where the outputs go (not with --check)")
    ap.add_argument("--list", action="store_true",
                    help="print the extracted functions with their file:line")
    ap.add_argument("--check", action="store_true",
                    help="only check that the recipe fits the tree; write nothing")
    ap.add_argument("--deps", action="store_true",
                    help="print the tree files the recipe reads, one a line")
    ap.add_argument("--probes", action="store_true",
                    help="print every probe and its answer for the tree")
    ap.add_argument("--version", action="store_true",
                    help="print the tree's version (Makefile) and exit")
    ap.add_argument("--line-root", metavar="DIR",
                    help="write #line paths relative to DIR, which must hold "
                         "the tree (default: absolute paths); compile with "
                         "-ffile-compilation-dir=DIR so debug info and "
                         "coverage resolve them (OSS-Fuzz: DIR is $SRC)")
    args = ap.parse_args()
    if not args.outdir and not (args.check or args.deps or args.probes or
                                args.version):
        ap.error("--outdir is required")

    tree = os.path.abspath(args.tree)
    ver = tree_version(tree)
    if ver is None:
        sys.exit("extract: %s has no Makefile with VERSION/PATCHLEVEL: not a "
                 "Linux tree (get one with scripts/fetch-kernel)" % tree)
    if args.version:
        print(version_string(ver))
        return
    line_root = None
    if args.line_root:
        line_root = os.path.abspath(args.line_root)
        if os.path.relpath(tree, line_root).split(os.sep)[0] == os.pardir:
            sys.exit("extract: --line-root %s does not hold the tree %s: "
                     "its #line paths would climb out of it" %
                     (line_root, tree))

    def line_path(full):
        """How #line names a kernel file."""
        return os.path.relpath(full, line_root) if line_root else full

    parsed = {}

    def parse(path):
        full = os.path.join(tree, path)
        if full not in parsed:
            try:
                with open(full, encoding="utf-8", errors="surrogateescape") as f:
                    parsed[full] = split_items(f.read())
            except OSError:
                parsed[full] = None
        return parsed[full]

    recipe = Recipe(args.recipe, tree, parse)
    if args.probes:
        for p in recipe.probes:
            print("%-28s %s" % (p.name, "yes" if recipe.value[p.name] else "no"))
        return
    if args.deps:
        seen = []
        for _, _, _, files in recipe.outputs:
            for path, _ in files:
                full = os.path.join(tree, path)
                if full not in seen:
                    seen.append(full)
        for p in recipe.probes:
            for path in p.files:
                full = os.path.join(tree, path.partition(":")[0])
                if os.path.exists(full) and full not in seen:
                    seen.append(full)
        print("\n".join(seen))
        return
    errors = []
    listing = []
    written = []
    banner = ("/* Generated by kvm/extract.py from %s (Linux %s): "
              "verbatim kernel code, do not edit. */" % (tree, version_string(ver)))
    for outname, protos, exports, files in recipe.outputs:
        chunks = [banner]
        decls = [banner]
        for path, sels in files:
            full = os.path.join(tree, path)
            items = parse(path)
            if items is None:
                errors.append("%s: no such file (tree %s)" % (path, tree))
                continue
            keep = select(items, sels, path, tree, errors)
            for idx in sorted(keep, key=lambda k: (items[k].start, k)):
                it = items[idx]
                chunks.append('#line %d "%s"' % (it.start, line_path(full)))
                chunks.append(it.text)
                if it.kind == "func":
                    listing.append("%s %s:%d" % (it.names[0], path, it.start))
                if exports and it.kind == "func" and \
                        re.match(r"\s*static\b", it.clean):
                    continue
                if protos and (it.kind == "func" or
                               (it.kind == "pp" and it.directive in CONDITIONALS)):
                    # Each prototype stays under the conditions its
                    # definition was written under.  Not the file's macros:
                    # `#ifndef X / #define X` would then hide the definition.
                    decls.append('#line %d "%s"' % (it.start, line_path(full)))
                    decls.append(prototype(it) if it.kind == "func" else it.text)
        written.append((outname, "\n".join(chunks) + "\n"))
        if protos:
            written.append((protos, "\n".join(decls) + "\n"))
    if errors:
        for e in errors:
            print("extract: " + e, file=sys.stderr)
        held = [p.name for p in recipe.probes if recipe.value[p.name]]
        print("extract: probes that hold in %s (Linux %s): %s" %
              (tree, version_string(ver), " ".join(held) or "none"),
              file=sys.stderr)
        sys.exit(1)
    if args.check:
        return
    written.append(("functions.txt", "\n".join(listing) + "\n"))
    written.append(("tree.h", tree_header(tree, ver, listing, recipe)))
    os.makedirs(args.outdir, exist_ok=True)
    for name, text in written:
        write_file(args.outdir, name, text)
    if args.list:
        print("\n".join(listing))


if __name__ == "__main__":
    main()
