#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0-only
#
# OSS-Fuzz / ClusterFuzzLite build of neptfuzz's fuzz targets.  Uses only
# what the builder sets: $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE
# (CMake reads them from the environment) and $SRC, $OUT.  Expects the
# neptfuzz checkout in $SRC/neptfuzz and the kernel trees in $SRC/kernels/
# (the Dockerfile fetches the versions kernels.lock pins, and checks them).
#
# Writes to $OUT, per target (fuzz_diff, fuzz_model, fuzz_text): the binary,
# NAME_seed_corpus.zip (corpus/ in the target's encoding), NAME.dict and
# NAME.options.  The targets are linked with $CXX ($LIB_FUZZING_ENGINE may
# be a C++ archive) and need no shared library beyond the C runtime.
# scripts/oss-fuzz-check runs this script outside Docker.

src=$SRC/neptfuzz
build=$SRC/neptfuzz-build

# Every tree there (one directory per Debian package version).
trees=""
for t in "$SRC"/kernels/*/; do
	[ -f "$t/Makefile" ] || continue
	trees="$trees${trees:+;}${t%/}"
done
if [ -z "$trees" ]; then
	echo "build.sh: no kernel tree in $SRC/kernels (the Dockerfile fetches them: scripts/fetch-locked-kernels)" >&2
	exit 1
fi

# None: no build-type flags of CMake's own (RelWithDebInfo would add -O2 -g
# -DNDEBUG to the builder's flags).  No -Werror: the builder's clang is
# newer than ours and may warn about new things.  #line paths relative to
# $SRC, where the trees are, so coverage reports find the kernel code.
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=None -DNEPT_WERROR=OFF \
	"-DNEPT_KVM_TREES=$trees" "-DNEPT_KVM_LINE_ROOT=$SRC"
cmake --build "$build" -j"$(nproc)"

# The target list lives in CMakeLists.txt (NEPT_FUZZ_TARGETS).
targets=$(sed -n 's/^set(NEPT_FUZZ_TARGETS \(.*\))$/\1/p' "$src/CMakeLists.txt")
for t in $targets; do
	cp "$build/$t" "$OUT/$t"
	# Seed corpus: corpus/ in the encoding the target reads (the build
	# converted it), as a flat zip.
	rm -f "$OUT/${t}_seed_corpus.zip"
	(cd "$build/seed/$t" && python3 -m zipfile -c "$OUT/${t}_seed_corpus.zip" ./*)
	if [ "$t" = fuzz_text ]; then
		dict=scenario-text.dict
		max_len=16384 # the corpus' longest text is under 4 KiB
	else
		dict=scenario-bin.dict
		max_len=16384 # NEPT_BIN_MAX: room for any scenario
	fi
	cp "$src/dict/$dict" "$OUT/$t.dict"
	cat >"$OUT/$t.options" <<OPTIONS
[libfuzzer]
dict = $t.dict
max_len = $max_len
OPTIONS
done
