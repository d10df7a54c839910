#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# run.sh [BUILD_DIR] - FerroHSM vs SoftHSMv2 vs raw OpenSSL, one table.
#
# Builds nothing (meson builds p11bench: `ninja -C BUILD_DIR bench` runs this
# after building it). Makes throw-away tokens in a temporary directory:
#   SoftHSMv2: SOFTHSM2_CONF with its own tokendir, softhsm2-util --init-token
#   FerroHSM:  FERROHSM_HOME with fast Argon2 parameters, token initialised
#              through the module itself (p11bench --init), or by the CLI
# then runs p11bench against both modules, `openssl speed` as the ceiling and
# osslbench (the sign cases by libcrypto on threads of one process), for each
# thread count, interleaved so that drift on a shared machine hits every
# column alike. Only side-by-side ratios mean anything here.
#
# Environment:
#   BENCH_REPEAT=1        runs per number; the table shows the median
#   BENCH_SECONDS=2       measured seconds per case (p11bench and openssl)
#   BENCH_THREADS="1 2"   thread counts (openssl: -multi N processes)
#   BENCH_ONLY=a,b        p11bench cases to run (default: all)
#   BENCH_SOFTHSM_FIND=once|all|no   SoftHSMv2 destroys 10,000 file-backed
#                         objects in minutes, so by default its find case runs
#                         once, at 1 thread, whatever BENCH_REPEAT says
#   BENCH_TOKEN_KEYS=1    keys as token objects (p11bench --token-keys) rather
#                         than session objects
#   SOFTHSM2_MODULE       default /usr/lib/softhsm/libsofthsm2.so
#   FERROHSM_MODULE       default BUILD_DIR/src/pkcs11/libferrohsm-pkcs11.so
#   BENCH_KEEP=1          keep the temporary directory (raw outputs)
set -euo pipefail

BUILD_DIR=${1:-build}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
REPEAT=${BENCH_REPEAT:-1}
SECS=${BENCH_SECONDS:-2}
# openssl speed takes whole seconds only
OSSL_SECS=$(awk -v s="$SECS" 'BEGIN { n = int(s + 0.5); print (n < 1 ? 1 : n) }')
THREADS=${BENCH_THREADS:-1 2}
SH_FIND=${BENCH_SOFTHSM_FIND:-once}
KEY_ARGS=()
KEY_KIND=session
if [[ "${BENCH_TOKEN_KEYS:-0}" == 1 ]]; then
    KEY_ARGS=(--token-keys)
    KEY_KIND=token
fi
P11BENCH=$BUILD_DIR/bench/p11bench
OSSLBENCH=$BUILD_DIR/bench/osslbench
FH_MOD=${FERROHSM_MODULE:-$BUILD_DIR/src/pkcs11/libferrohsm-pkcs11.so}
SH_MOD=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
FH_CLI=$BUILD_DIR/src/cli/ferrohsm
SO_PIN=12345678
USER_PIN=87654321
LABEL=bench
P11_TIMEOUT=1800

CASES=(rsa2048-pkcs1-sign rsa2048-pss-sign ecdsa-p256-sign ed25519-sign rsa2048-verify
    ecdsa-p256-verify aes256-gcm-4k hmac-sha256-64 sha256-4k ec-p256-keygen
    find-1-of-10000 find-create-10000 find-destroy-10000)

die() {
    echo "bench: $*" >&2
    exit 2
}

[[ -x "$P11BENCH" ]] || die "$P11BENCH not built (ninja -C $BUILD_DIR bench)"
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ferrohsm-bench.XXXXXX")
cleanup() {
    if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
        echo "bench: kept $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
NOTES=$TMP/notes
RESULTS=$TMP/results # lines: impl case threads value
: >"$NOTES"
: >"$RESULTS"

note() {
    echo "$*" >>"$NOTES"
    echo "bench: $*" >&2
}

# --- tokens -------------------------------------------------------------
have_sh=0
if [[ -f "$SH_MOD" ]] && command -v softhsm2-util >/dev/null 2>&1; then
    export SOFTHSM2_CONF=$TMP/softhsm2.conf
    mkdir "$TMP/sh-tokens"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
        "$TMP/sh-tokens" >"$SOFTHSM2_CONF"
    if softhsm2-util --init-token --free --label "$LABEL" --so-pin "$SO_PIN" --pin "$USER_PIN" \
        >"$TMP/sh-init.log" 2>&1; then
        have_sh=1
    else
        note "SoftHSMv2: softhsm2-util --init-token failed: $(tail -n 1 "$TMP/sh-init.log")"
    fi
else
    note "SoftHSMv2 not installed ($SH_MOD; apt-get install -y softhsm2): column left empty"
fi

have_fh=0
if [[ -f "$FH_MOD" ]]; then
    FH_HOME=$TMP/fh-home
    mkdir -m 700 "$FH_HOME"
    printf '[token]\nargon2_t_cost = 1\nargon2_m_cost_kib = 1024\n' >"$FH_HOME/ferrohsm.conf"
    fh_env=(env -u FERROHSM_CONF FERROHSM_HOME="$FH_HOME")
    if "${fh_env[@]}" timeout 120 "$P11BENCH" "$FH_MOD" --init --slot-label "$LABEL" \
        --so-pin "$SO_PIN" --pin "$USER_PIN" >"$TMP/fh-init.log" 2>&1; then
        have_fh=1
    elif [[ -x "$FH_CLI" ]] && "${fh_env[@]}" FERROHSM_SO_PIN=$SO_PIN FERROHSM_PIN=$USER_PIN \
        timeout 120 "$FH_CLI" token init --label "$LABEL" </dev/null >>"$TMP/fh-init.log" 2>&1; then
        note "FerroHSM: token init through the module failed ($(head -n 1 "$TMP/fh-init.log")); used the CLI"
        have_fh=1
    else
        note "FerroHSM: token init failed: $(tr '\n' ' ' <"$TMP/fh-init.log")"
    fi
else
    note "FerroHSM module not built ($FH_MOD): column left empty"
fi

# --- runners ------------------------------------------------------------
# p11bench_run IMPL THREADS [--only LIST]: append "IMPL case threads value".
p11bench_run() {
    local impl=$1 t=$2
    shift 2
    local mod out rc=0
    local cmd=()
    if [[ $impl == ferrohsm ]]; then
        mod=$FH_MOD
        cmd=("${fh_env[@]}")
    else
        mod=$SH_MOD
    fi
    out=$TMP/$impl-$t-$RANDOM.out
    "${cmd[@]}" timeout "$P11_TIMEOUT" "$P11BENCH" "$mod" --slot-label "$LABEL" --pin "$USER_PIN" \
        --threads "$t" --seconds "$SECS" "${KEY_ARGS[@]}" "$@" >"$out" 2>&1 || rc=$?
    # Data lines are exactly "name threads number"; anything else is a note.
    awk -v impl="$impl" '
        /^#/ { next }
        NF == 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9.]+$/ { print impl, $1, $2, $3; next }
        NF > 0 { bad = 1 }
        END { exit bad }' "$out" >>"$RESULTS" || true
    grep '^#' "$out" | sed "s/^# */$impl t=$t: /" >>"$NOTES" || true
    if ((rc != 0 && rc != 1)); then
        note "$impl t=$t: p11bench exited $rc: $(grep -v '^#' "$out" | grep -vE '^[a-z0-9-]+ [0-9]+ [0-9.]+$' | tail -n 2 | tr '\n' ' ')"
    fi
    sort -u -o "$NOTES" "$NOTES"
}

# openssl speed -mr prints "+F<n>:..." result lines (with -multi N, summed over
# the N processes; the per-child lines start with "Got:"). Formats checked on
# OpenSSL 3.0:
#   +F2:<i>:<bits>:<sign/s>:<verify/s>          RSA
#   +F4:<i>:<bits>:<sign/s>:<verify/s>          ECDSA
#   +F6:<i>:<bits>:<name>:<sign/s>:<verify/s>   EdDSA
#   +F:<i>:<name>:<bytes/s>                     ciphers, digests, MACs (one size)
openssl_run() {
    local t=$1
    local out=$TMP/openssl-$t-$RANDOM
    local alg v
    if ! openssl speed -mr -seconds "$OSSL_SECS" -multi "$t" rsa2048 ecdsap256 ed25519 \
        >"$out.asym" 2>/dev/null; then
        note "openssl speed (asymmetric, -multi $t) failed"
    fi
    awk -F: -v t="$t" '
        /^\+F2:/ && $3 == 2048 { print "openssl rsa2048-pkcs1-sign", t, $4;
                                 print "openssl rsa2048-pss-sign", t, $4;
                                 print "openssl rsa2048-verify", t, $5 }
        /^\+F4:/ && $3 == 256  { print "openssl ecdsa-p256-sign", t, $4;
                                 print "openssl ecdsa-p256-verify", t, $5 }
        /^\+F6:/ && $5 ~ /^[0-9.]+$/ && $4 == "Ed25519" { print "openssl ed25519-sign", t, $5 }
    ' "$out.asym" >>"$RESULTS"
    for alg in "aes256-gcm-4k:-evp:aes-256-gcm:4096" "sha256-4k:-evp:sha256:4096" \
        "hmac-sha256-64:-hmac:sha256:64"; do
        IFS=: read -r name opt arg bytes <<<"$alg"
        if openssl speed -mr -seconds "$OSSL_SECS" -multi "$t" "$opt" "$arg" -bytes "$bytes" \
            >"$out.$name" 2>/dev/null; then
            v=$(awk -F: '/^\+F:/ { print $NF; exit }' "$out.$name")
            if [[ "$v" =~ ^[0-9.]+$ ]]; then
                awk -v n="$name" -v t="$t" -v v="$v" -v b="$bytes" \
                    'BEGIN { printf "openssl %s %s %.1f\n", n, t, v / b }' >>"$RESULTS"
                continue
            fi
        fi
        note "openssl speed $opt $arg -bytes $bytes -multi $t: no result line"
    done
}

# osslbench_run THREADS: the sign cases by libcrypto on threads of one process.
OSSL_CASES=(rsa2048-pkcs1-sign rsa2048-pss-sign ecdsa-p256-sign ed25519-sign)
osslbench_run() {
    local t=$1 out=$TMP/osslthr-$1-$RANDOM.out
    local only
    only=$(IFS=,; echo "${OSSL_CASES[*]}")
    if [[ -n "${BENCH_ONLY:-}" ]]; then
        only=$(tr ',' '\n' <<<"$BENCH_ONLY" | grep -xF -f <(printf '%s\n' "${OSSL_CASES[@]}") |
            paste -sd, || true)
    fi
    [[ -n "$only" && -x "$OSSLBENCH" ]] || return 0
    if ! timeout "$P11_TIMEOUT" "$OSSLBENCH" --threads "$t" --seconds "$SECS" --only "$only" \
        >"$out" 2>&1; then
        note "osslbench t=$t failed: $(tail -n 1 "$out")"
    fi
    awk '/^#/ { next } NF == 3 && $2 ~ /^[0-9]+$/ { print "osslthr", $1, $2, $3 }' "$out" >>"$RESULTS"
}

non_find=$(IFS=,; echo "${CASES[*]:0:10}")
if [[ -n "${BENCH_ONLY:-}" ]]; then
    only_all=$BENCH_ONLY
    only_sh=$(tr ',' '\n' <<<"$BENCH_ONLY" | grep -vx 'find-1-of-10000' | paste -sd, || true)
    want_find=0
    grep -qx 'find-1-of-10000' < <(tr ',' '\n' <<<"$BENCH_ONLY") && want_find=1
else
    only_all=$(IFS=,; echo "${CASES[*]:0:11}")
    only_sh=$non_find
    want_find=1
fi

for ((rep = 1; rep <= REPEAT; rep++)); do
    for t in $THREADS; do
        echo "bench: run $rep/$REPEAT, $t thread(s)" >&2
        if ((have_fh)); then
            p11bench_run ferrohsm "$t" --only "$only_all"
        fi
        if ((have_sh)); then
            sh_list=$only_sh
            if ((want_find)) && [[ $SH_FIND == all || ($SH_FIND == once && $rep == 1 && $t == 1) ]]; then
                sh_list=$only_all
            fi
            if [[ -n "$sh_list" ]]; then
                p11bench_run softhsm "$t" --only "$sh_list"
            fi
        fi
        openssl_run "$t"
        osslbench_run "$t"
    done
done

# --- table --------------------------------------------------------------
# median IMPL CASE THREADS: median of the recorded values, or "-".
median() {
    awk -v i="$1" -v c="$2" -v t="$3" '$1 == i && $2 == c && $3 == t { print $4 }' "$RESULTS" |
        sort -g | awk '{ v[NR] = $1 } END {
            if (NR == 0) { print "-"; exit }
            if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}

# ratio A B: A/B to two decimals, "-" when either is missing or zero.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "-" || b == "-" || a + 0 == 0 || b + 0 == 0) { print "-" } else { printf "%.2f\n", a / b } }'
}

fmt() {
    awk -v v="$1" -v u="$2" 'BEGIN { if (v == "-") { print "-" } else if (u == "s") { printf "%.2fs\n", v } else { printf "%.0f\n", v } }'
}

echo
echo "FerroHSM PKCS#11 benchmark  ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, ${SECS}s per case (openssl ${OSSL_SECS}s), median of $REPEAT, $KEY_KIND-object keys)"
row='%-20s %3s %11s %11s %11s %11s %9s %9s %9s\n'
# shellcheck disable=SC2059 # the format is the table's
printf "$row" case thr FerroHSM SoftHSMv2 openssl ossl-thr FH/ossl FH/thr FH/SoftHSM
for c in "${CASES[@]}"; do
    for t in $THREADS; do
        fh=$(median ferrohsm "$c" "$t")
        sh=$(median softhsm "$c" "$t")
        os=$(median openssl "$c" "$t")
        ot=$(median osslthr "$c" "$t")
        if [[ $fh == - && $sh == - && $os == - && $ot == - ]]; then
            continue
        fi
        if [[ $c == find-create-* || $c == find-destroy-* ]]; then
            # seconds: invert, so that > 1 means FerroHSM is faster here too
            # shellcheck disable=SC2059
            printf "$row" "$c" "$t" "$(fmt "$fh" s)" "$(fmt "$sh" s)" "$(fmt "$os" s)" - - - \
                "$(ratio "$sh" "$fh")"
        else
            # shellcheck disable=SC2059
            printf "$row" "$c" "$t" "$(fmt "$fh" o)" "$(fmt "$sh" o)" "$(fmt "$os" o)" \
                "$(fmt "$ot" o)" "$(ratio "$fh" "$os")" "$(ratio "$fh" "$ot")" "$(ratio "$fh" "$sh")"
        fi
    done
done
echo "ops/s unless marked s (seconds, lower is better; the ratio is then SoftHSMv2/FerroHSM)."
echo "openssl: openssl speed -multi N (N processes); ossl-thr: bench/osslbench, the same"
echo "signatures by libcrypto on N threads of one process, where a PKCS#11 module runs."
if [[ -s "$NOTES" ]]; then
    echo "Notes:"
    sed 's/^/  /' "$NOTES"
fi
