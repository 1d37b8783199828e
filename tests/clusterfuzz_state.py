#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""What ClusterFuzz makes of neptfuzz's findings: one crash state per signature.

Replays stored reproducers through the fuzz_diff target (standalone build)
with NEPTFUZZ_STOP_ON='*', so a known divergence stops it as a new one would,
and the sanitizer options OSS-Fuzz's base-runner sets, and applies to the real
output the rules of ClusterFuzz's stack analyzer that decide the crash type
and state of such an output.  The rules are re-implemented here, from
google/clusterfuzz src/clusterfuzz/stacktraces/ (StackParser.parse in
__init__.py, regexes in constants.py):

  - should_ignore_line_for_crash_processing: lines containing "SUMMARY:",
    "WARNING: AddressSanitizer", and SAN_DEADLYSIGNAL_REGEX lines are skipped;
  - parse(): SAN_ABRT_REGEX / SAN_ILL_REGEX / SAN_TRAP_REGEX /
    SAN_BREAKPOINT_REGEX lines are skipped once the crash type is one of
    IGNORE_CRASH_TYPES_FOR_ABRT_BREAKPOINT_AND_ILLS (ASSERT is);
  - match_assert() with ASSERT_REGEX and ASSERT_REGEX_GLIBC: type ASSERT,
    the message becomes the crash state, frame count 1;
  - SAN_ADDR_REGEX (a sanitizer's "ERROR: ...Sanitizer: X on ...") resets
    the state, type from fix_sanitizer_crash_type(); LIBFUZZER_DEADLY_SIGNAL_
    REGEX resets it to Fatal-signal, both only when no assertion came first
    (the first in the "Sanitizer regular crash" branch, which the skip above
    bypasses; the second under "if not state.crash_type");
  - add_frame_on_match() with SAN_STACK_FRAME_REGEX: each "#N 0xADDR in
    FUNCTION LOCATION" frame (the text after "in ", location included), after
    llvm_test_one_input_override() (LLVMFuzzerTestOneInput becomes its file's
    basename), ignore_stack_frame() (STACK_FRAME_IGNORE_REGEXES: the subset
    that can occur in these stacks is below; and
    STACK_FRAME_IGNORE_REGEXES_IF_SYMBOLIZED) and _filter_stack_frame(), is
    appended while fewer than MAX_CRASH_STATE_FRAMES (3) lines are there;
  - filter_crash_parameters(): non-printable characters dropped,
    filter_addresses_and_numbers() (hex of 4+ digits -> ADDRESS; runs of 4+
    digits and dots, 2+ digits after a space, digits after @ or # ->
    NUMBER), each line cut to LINE_LENGTH_CAP (80); an empty state with a
    crash type becomes the fuzz target's name.

It also reads the DEDUP_TOKEN line (the sanitizer's first three frames with
dedup_token_length=3), which libFuzzer's -minimize_crash compares.

Checks: every reproducer in crashes/ gives the state its signature names,
and distinct signatures give distinct states and distinct DEDUP_TOKENs;
three reproducers of three signatures give three crash states; a
reproducer and two other inputs of its signature (its binary encoding with
a redundant record; for kvm-emulated-adv-info-bits-missing, the access
moved elsewhere on the same page) give one.  As a control, an output in the form the targets
had before (abort() called in LLVMFuzzerTestOneInput, glibc 2.36's frames)
gives one state for every finding: "raise" (the exact-match ^raise$ misses
a frame with a location) and the target's file name.

usage: clusterfuzz_state.py FUZZ_DIFF NEPTFUZZ SRC_DIR
"""

import os
import re
import subprocess
import sys
import tempfile

# The sanitizer options OSS-Fuzz's base-runner sets that shape this output
# (infra/base-images/base-runner/Dockerfile, ASAN_OPTIONS/UBSAN_OPTIONS).
ASAN_OPTIONS = ("handle_abort=1:handle_segv=1:handle_sigill=1:symbolize=1:"
                "fast_unwind_on_fatal=0:print_scariness=1:detect_leaks=0:"
                "dedup_token_length=3")
UBSAN_OPTIONS = "print_stacktrace=1:symbolize=1:dedup_token_length=3"

C_CPP = "c|cc|cpp|cxx|h|hh|hpp|hxx"
ASSERT_REGEX = re.compile(
    r"(?:\[.*?\]|.*\.(?:%s):.*)?\s*(?:ASSERT(?:ION)? FAIL(?:URE|ED)|panic): (.*)"
    % C_CPP, re.IGNORECASE)
ASSERT_REGEX_GLIBC = re.compile(
    r".*:\s*assertion [`'\"]?(.*?)[`'\"]? failed\.?$", re.IGNORECASE)
SAN_SIGNAL_REGEX = re.compile(r".*[a-zA-Z]+Sanitizer: (ABRT|ILL|TRAP|breakpoint) ")
SAN_DEADLYSIGNAL_REGEX = re.compile(
    r"(Address|Leak|Memory|UndefinedBehavior|Thread)Sanitizer:DEADLYSIGNAL")
SAN_ADDR_REGEX = re.compile(
    r".*(ERROR: [a-zA-Z]+Sanitizer)[: ]*(.*) on (unknown address |address |)"
    r"([xX0-9a-fA-F]+)")
LIBFUZZER_DEADLY_SIGNAL_REGEX = re.compile(r".*ERROR:\s*libFuzzer:\s*deadly signal")
# "#N 0xADDR in FUNCTION [FILE:LINE[:COL] | (MODULE+OFF)]" or "(MODULE+OFF)".
FRAME_REGEX = re.compile(r"\s*#(\d+)\s+(0x[0-9a-fA-F]+)\s+(.*)$")
LOCATION_REGEX = re.compile(r"^(?:[^ ]+:\d+(?::\d+)?|\([^+ ]+(?:\+0x[0-9a-fA-F]+)?\))$")
# STACK_FRAME_IGNORE_REGEXES entries that can match frames of a Linux
# x86-64 sanitizer stack of these targets (the rest name other platforms'
# and languages' frames).
IGNORE_FRAMES = re.compile("(%s)" % "|".join([
    r"^abort$", r"^exit$", r"^pthread_kill$", r"^raise$", r"^tgkill$",
    r"^__GI_", r"^__asan::", r"^__asan_", r"^__interceptor_", r"^__libc_",
    r"^__pthread_kill", r"^__run_exit_handlers", r"^__sanitizer::",
    r"^__sanitizer_", r"^__ubsan::", r"^__ubsan_", r"^_start", r"^abort",
    r"^fuzzer::", r"^gsignal", r"^main", r"^LLVMFuzzerTestOneInput",
    r"^__assert_", r"^malloc", r"^free", r"^calloc", r"^realloc",
]))
IGNORE_FRAMES_IF_SYMBOLIZED = re.compile(r"(.*libc\.so|.*libc-.*\.so|.*libstdc\+\+\.so)")
IGNORE_FOR_SIGNAL = ("ASSERT", "CHECK failure", "Fatal error")
MAX_FRAMES = 3
LINE_CAP = 80


def filter_frame(frame):
    """_filter_stack_frame: namespaces, '!', text from '(' or '['."""
    for ns in ("non-virtual thunk to ", "(anonymous namespace)::"):
        frame = frame.replace(ns, "")
    frame = frame.split("!")[-1]
    m = re.match(r"(.*?)[\(\[].*", frame)
    if m and m.group(1):
        return m.group(1).strip()
    return frame.strip().split(" ")[0]


def addresses_and_numbers(text):
    """filter_addresses_and_numbers."""
    text = re.sub(r"\+0x[0-9a-fA-F]+\n", "\n", text)
    text = re.sub(r"0x[a-fA-F0-9]{4,}[U]*", "ADDRESS", text)
    return re.sub(r"""(?<![:0-9.])(?:[0-9.]{4,}|(?<=\ )[0-9]{2,}|(?<=[@#])[0-9]+)
                      (?![A-Za-z0-9.])""", "NUMBER", text, flags=re.X)


def crash_state(output, fuzz_target):
    """(crash type, crash state, DEDUP_TOKEN) of one target's output."""
    ctype, state, frames, token = "", "", 0, None
    for line in output.splitlines():
        if line.startswith("DEDUP_TOKEN: "):
            token = line[len("DEDUP_TOKEN: "):]
        if ("SUMMARY:" in line or "WARNING: AddressSanitizer" in line or
                SAN_DEADLYSIGNAL_REGEX.match(line)):
            continue
        if SAN_SIGNAL_REGEX.match(line) and ctype in IGNORE_FOR_SIGNAL:
            continue
        for regex in (ASSERT_REGEX, ASSERT_REGEX_GLIBC):
            m = regex.match(line)
            if m:
                ctype, frames = "ASSERT", 1
                if m.group(1):
                    state = m.group(1) + "\n"
        m = SAN_ADDR_REGEX.match(line)
        if m:
            ctype = m.group(2).strip().lower().replace("_", "-").capitalize()
            state, frames = "", 0
        if not ctype and LIBFUZZER_DEADLY_SIGNAL_REGEX.match(line):
            ctype, state, frames = "Fatal-signal", "", 0
        m = FRAME_REGEX.match(line)
        if not m:
            continue
        # The frame as add_frame_on_match() sees it: the text after "in "
        # (STRIP_STRUCTURE_REGEXES), location included, so the exact-match
        # ignore patterns (^raise$) miss a frame that has one.
        frame, filename = m.group(3).strip(), None
        if frame.startswith("in "):
            frame = frame[3:]
            words = frame.rsplit(" ", 1)
            if (len(words) == 2 and LOCATION_REGEX.match(words[1]) and
                    not words[1].startswith("(")):
                filename = words[1].split(":")[0]
        elif frame.startswith("(") and frame.endswith(")"):
            frame = frame[1:-1]
        if frame.startswith("LLVMFuzzerTestOneInput") and filename:
            frame = frame.replace("LLVMFuzzerTestOneInput",
                                  os.path.basename(filename))
        if (len(frame) < 3 or IGNORE_FRAMES.match(frame) or
                IGNORE_FRAMES_IF_SYMBOLIZED.match(frame)):
            continue
        if frames < MAX_FRAMES:
            state += filter_frame(frame) + "\n"
            frames += 1
    state = "".join(c for c in state if c.isprintable() or c == "\n")
    state = addresses_and_numbers(state)
    state = "".join(l[:LINE_CAP] + "\n" for l in state.splitlines())
    if ctype and not state.strip():
        state = fuzz_target + "\n"
    return ctype, state, token


failures = 0


def check(ok, what):
    global failures
    if ok:
        print("ok: " + what)
    else:
        failures += 1
        print("FAIL: " + what)


def run(target, path):
    env = dict(os.environ, NEPTFUZZ_STOP_ON="*", ASAN_OPTIONS=ASAN_OPTIONS,
               UBSAN_OPTIONS=UBSAN_OPTIONS)
    p = subprocess.run([target, path], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=300)
    out = p.stdout.decode("utf-8", "replace")
    summary = [l[len("SUMMARY: neptfuzz: "):] for l in out.splitlines()
               if l.startswith("SUMMARY: neptfuzz: ")]
    return p.returncode, out, summary[0] if summary else None


def versionless(title):
    """A SUMMARY signature without its version set: what the state names."""
    return re.sub(r"^divergence: [^:]*: ", "divergence: ", title)


# The form of the targets' output before finding.c: the SUMMARY line, then
# abort() from LLVMFuzzerTestOneInput (a libFuzzer build under ASan).
OLD_FORM = """SUMMARY: neptfuzz: divergence: kvm-7.2.13: {sig}
AddressSanitizer:DEADLYSIGNAL
=================================================================
==1==ERROR: AddressSanitizer: ABRT on unknown address 0x000000000001 (pc 0x7f0000001000 bp 0x7ffc00000010 sp 0x7ffc00000000 T0)
    #0 0x7f0000001000 in __pthread_kill_implementation nptl/pthread_kill.c:44:76
    #1 0x7f0000002000 in raise signal/../sysdeps/posix/raise.c:26:13
    #2 0x7f0000003000 in abort stdlib/abort.c:79:7
    #3 0x55000000{n}000 in LLVMFuzzerTestOneInput /src/neptfuzz/harness/fuzz/fuzz_diff.c:99:3
    #4 0x550000005000 in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) FuzzerLoop.cpp:614:13
    #5 0x550000006000 in main FuzzerMain.cpp:20:10
DEDUP_TOKEN: __pthread_kill_implementation--raise--abort
SUMMARY: AddressSanitizer: ABRT nptl/pthread_kill.c:44:76 in __pthread_kill_implementation
"""


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[-1])
    fuzz_diff, neptfuzz, src = sys.argv[1:]
    names = subprocess.run([neptfuzz, "targets", "--names"], check=True,
                           stdout=subprocess.PIPE).stdout.decode().split()
    if len(names) < 2:
        print("skipped: only the model is built in, nothing diverges")
        return 77

    # The control: the old form, two signatures, one state.
    old = {crash_state(OLD_FORM.format(sig=s, n=n), "fuzz_diff")
           for n, s in enumerate(["emulated: qualification -GLA_USER",
                                  "hw-violation: qualification nonzero"])}
    check(len(old) == 1 and next(iter(old))[1] == "raise\nfuzz_diff.c\n",
          "control: abort() in LLVMFuzzerTestOneInput gives one state for "
          "two signatures: %r" % sorted(old))

    crashes = os.path.join(src, "crashes")
    tmp = tempfile.mkdtemp()

    # Every reproducer: the state names the signature; one per signature.
    results = {}
    by_sig, by_state, by_token = {}, {}, {}
    print("ClusterFuzz crash states of crashes/ (first divergence of each):")
    for name in sorted(os.listdir(crashes)):
        if not name.endswith(".scn"):
            continue
        rc, out, title = run(fuzz_diff, os.path.join(crashes, name))
        if title is None:
            print("  %s: no divergence on this build" % name)
            continue
        ctype, state, token = crash_state(out, "fuzz_diff")
        results[name] = (title, ctype, state, token)
        sig = versionless(title)
        want = addresses_and_numbers(sig)[:LINE_CAP]
        check(rc != 0 and ctype == "ASSERT" and state.split("\n")[0] == want,
              "%s: stops (exit %d) as an assertion whose state names its "
              "signature %r" % (name, rc, want))
        by_sig.setdefault(sig, set()).add(state)
        by_state.setdefault(state, set()).add(sig)
        by_token.setdefault(token, set()).add(sig)
        print("    %s\n    DEDUP_TOKEN: %s" % (" | ".join(state.splitlines()),
                                               token))
    check(all(len(v) == 1 for v in by_sig.values()),
          "each signature has one state")
    check(all(len(v) == 1 for v in by_state.values()),
          "each state has one signature (%d signatures, %d states)" %
          (len(by_sig), len(by_state)))
    tokens = [t for t in by_token if t]
    if tokens:
        check(all(len(v) == 1 for v in by_token.values()),
              "each DEDUP_TOKEN has one signature (%d tokens)" % len(tokens))
    else:
        print("note: no DEDUP_TOKEN (not a sanitizer build): frames unchecked")

    # Three signatures, three states: these three where this build's
    # modules diverge on them, else the first three signatures found.
    three = ["kvm-emulated-adv-info-bits-missing.scn",
             "kvm-hw-violation-nmi-unblocking-dropped.scn",
             "kvm-l2-walk-gpa-page-aligned.scn"]
    if not all(n in results for n in three) or \
            len({results[n][0] for n in three}) < 3:
        three, seen = [], set()
        for n in sorted(results):
            if results[n][0] not in seen:
                seen.add(results[n][0])
                three.append(n)
        three = three[:3]
    if len(three) < 3:
        print("skipped: fewer than three signatures on this build's modules")
        return 77
    check(len({results[n][2] for n in three}) == 3,
          "three signatures, three crash states: %s" % ", ".join(three))

    # Two inputs of one signature.  A redundant record (a second
    # MAXPHYADDR with the value the first has: the encoder writes CAPS,
    # then MAXPHYADDR at bytes 5-6) leaves the scenario as it is.
    first = three[0]
    binary = os.path.join(tmp, "first.bin")
    subprocess.run([neptfuzz, "fmt", "--to", "bin", "-o", binary,
                    os.path.join(crashes, first)], check=True)
    with open(binary, "rb") as f:
        data = f.read()
    check(data[5] == 0x02, "the encoding has MAXPHYADDR at byte 5")
    variants = [(binary + ".more", data + bytes([0x02, data[6]]))]
    # And where it diverges, another access on the same not-present page.
    if first == "kvm-emulated-adv-info-bits-missing.scn":
        with open(os.path.join(crashes, first)) as f:
            text = f.read()
        check(text.count("0x5123") >= 2, "the variant moves the access")
        variants.append((os.path.join(tmp, "variant.scn"),
                         text.replace("0x5123", "0x5ab0").encode()))
    for path, content in variants:
        with open(path, "wb") as f:
            f.write(content)
        rc, out, title = run(fuzz_diff, path)
        ctype, state, token = crash_state(out, "fuzz_diff")
        check(title == results[first][0] and state == results[first][2] and
              token == results[first][3],
              "%s and %s: one signature, one crash state and DEDUP_TOKEN "
              "(%s)" % (first, os.path.basename(path), title))
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
