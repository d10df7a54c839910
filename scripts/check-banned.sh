#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Reject banned C functions in the sources (STYLE rule 25), and flag for
# review memset/memcmp calls on buffers named like secrets (they should be
# OPENSSL_cleanse / CRYPTO_memcmp). Exit 1 on a banned call.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|rand|srand|alloca|tmpnam|system)[[:space:]]*\('
status=0
dirs=()
for d in src fuzz bench tests; do
  [ -d "$d" ] && dirs+=("$d")
done
files=$(find "${dirs[@]}" \( -name '*.c' -o -name '*.h' \) | sort)
# strip string literals and comments before matching, so a mention in text is no hit
for f in $files; do
  hits=$(sed -e 's:/\*.*\*/::g' -e 's/"[^"]*"//g' "$f" | grep -nE "$banned" | grep -vE '\b(snprintf|vsnprintf|RAND_bytes|_rand)\b' || true)
  if [ -n "$hits" ]; then
    echo "$f: banned function:"; echo "$hits"; status=1
  fi
  review=$(grep -nE '\b(memset|memcmp)[[:space:]]*\([^)]*(secret|pin|key)[a-z_]*' "$f" || true)
  if [ -n "$review" ]; then
    echo "$f: review (secret buffer?):"; echo "$review"
  fi
done
if [ $status -eq 0 ]; then
  echo "check-banned: $(echo "$files" | wc -w) files clean"
fi
exit $status
