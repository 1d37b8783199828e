#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0-only
# ClusterFuzzLite's build: the same as OSS-Fuzz's.
exec "$SRC/neptfuzz/oss-fuzz/build.sh"
