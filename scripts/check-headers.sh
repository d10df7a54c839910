#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every public header compiles on its own, as C11 and as C++ (STYLE rule 6).
set -euo pipefail
root="${1:-$(dirname "$0")/..}"
cc="${CC:-cc}"
n=0
for h in $(cd "$root/include" && find ferrohsm -name '*.h' | sort); do
  printf '#include "%s"\n#include "%s"\ntypedef int fh_header_check_t;\n' "$h" "$h" |
    "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$root/include" -x c -fsyntax-only -
  if command -v c++ >/dev/null; then
    printf '#include "%s"\n' "$h" | c++ -std=c++17 -Wall -Werror -I"$root/include" -x c++ -fsyntax-only -
  fi
  n=$((n + 1))
done
echo "check-headers: $n headers self-contained"
