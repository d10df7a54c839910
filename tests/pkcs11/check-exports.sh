#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The PKCS#11 module exports exactly C_GetFunctionList, C_GetInterfaceList and
# C_GetInterface (STYLE rule 7).   check-exports.sh MODULE
set -eu
mod=${1:?usage: check-exports.sh MODULE}
got=$(nm -D --defined-only "$mod" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort | tr '\n' ' ')
want="C_GetFunctionList C_GetInterface C_GetInterfaceList "
if [ "$got" != "$want" ]; then
  echo "check-exports: $mod exports: $got"
  echo "check-exports: expected:     $want"
  exit 1
fi
echo "check-exports: $mod: $got"
