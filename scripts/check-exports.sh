#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# libferrohsm exports only fh_* symbols under a version node (STYLE rule 7).
set -euo pipefail
lib="$1"
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBRW]/ {print $3}' | grep -v '^fh_' | grep -v '^FERROHSM_' || true)
if [ -n "$bad" ]; then
  echo "check-exports: unexpected exports from $lib:"; echo "$bad"; exit 1
fi
count=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBRW]/' | grep -c '@@FERROHSM_0.1' || true)
if [ "$count" -lt 50 ]; then
  echo "check-exports: only $count versioned fh_* symbols"; exit 1
fi
echo "check-exports: $count fh_* symbols, all versioned"
