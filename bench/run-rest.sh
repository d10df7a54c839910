#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# run-rest.sh [BUILD_DIR] - sign throughput of one key three ways, one table:
#   in-process   the PKCS#11 module's local slot on the store (restbench p11)
#   HTTPS REST   POST /v1/tokens/bench/keys/K/sign to ferrohsm-server on
#                loopback, one keep-alive connection per thread (restbench rest)
#   remote slot  the module's [remote.bench] slot, which forwards to the same
#                server (restbench p11 on that slot)
# for ECDSA P-256 (CKM_ECDSA, raw r||s) and RSA-2048 PKCS#1 (CKM_SHA256_RSA_PKCS),
# at each thread count, interleaved so that drift on a shared machine hits
# every column alike. All three use the same two keys, made by the CLI in a
# throw-away FERROHSM_HOME with fast Argon2 parameters. Only the side-by-side
# ratios mean anything.
#
# Builds nothing: `ninja -C BUILD_DIR bench-rest` builds restbench, the CLI,
# the server and the module, then runs this.
#
# Environment (shared with run.sh):
#   BENCH_REPEAT=1        runs per number; the table shows the median
#   BENCH_SECONDS=2       measured seconds per figure
#   BENCH_THREADS="1 2"   client thread counts
#   BENCH_KEEP=1          keep the temporary directory (server log, raw outputs)
# and:
#   BENCH_REST_TASKSET=SRV:CLI   pin the server to CPU list SRV and every client
#                         (restbench, so also the in-process figures) to CLI with
#                         taskset, e.g. "1:0"; default: no pinning, all share
#                         every CPU
set -euo pipefail

BUILD_DIR=${1:-build}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
REPEAT=${BENCH_REPEAT:-1}
SECS=${BENCH_SECONDS:-2}
THREADS=${BENCH_THREADS:-1 2}
PIN_SPEC=${BENCH_REST_TASKSET:-}
RESTBENCH=$BUILD_DIR/bench/restbench
FH_CLI=$BUILD_DIR/src/cli/ferrohsm
FH_SRV=$BUILD_DIR/src/server/ferrohsm-server
FH_MOD=${FERROHSM_MODULE:-$BUILD_DIR/src/pkcs11/libferrohsm-pkcs11.so}
SO_PIN=12345678
USER_PIN=87654321
TOKEN=bench
NCPU=$(nproc)
CLK_TCK=$(getconf CLK_TCK)

# case -> key label (restbench case names are p11bench's)
CASES=(ecdsa-p256-sign rsa2048-pkcs1-sign)
declare -A KEY=([ecdsa-p256-sign]=ec1 [rsa2048-pkcs1-sign]=rsa1)

die() {
    echo "bench-rest: $*" >&2
    exit 2
}

for f in "$RESTBENCH" "$FH_CLI" "$FH_SRV" "$FH_MOD"; do
    [[ -x "$f" || -f "$f" ]] || die "$f not built (ninja -C $BUILD_DIR bench-rest)"
done
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer"

SRV_PIN=()
CLI_PIN=()
if [[ -n "$PIN_SPEC" ]]; then
    command -v taskset >/dev/null 2>&1 || die "BENCH_REST_TASKSET needs taskset (util-linux)"
    [[ "$PIN_SPEC" == *:* ]] || die "BENCH_REST_TASKSET is SERVER_CPUS:CLIENT_CPUS, e.g. 1:0"
    SRV_PIN=(taskset -c "${PIN_SPEC%%:*}")
    CLI_PIN=(taskset -c "${PIN_SPEC#*:}")
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ferrohsm-bench-rest.XXXXXX")
SRV_PID=
cleanup() {
    if [[ -n "$SRV_PID" ]]; then
        kill -TERM "$SRV_PID" 2>/dev/null || true
        wait "$SRV_PID" 2>/dev/null || true
    fi
    if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
        echo "bench-rest: kept $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
NOTES=$TMP/notes
RESULTS=$TMP/results # lines: column case threads ops_per_sec
CPU=$TMP/cpu         # lines: what case threads microseconds_per_op
: >"$NOTES"
: >"$RESULTS"
: >"$CPU"

note() {
    echo "$*" >>"$NOTES"
    echo "bench-rest: $*" >&2
}

# --- store, token, keys, API key -----------------------------------------
H=$TMP/home
mkdir -m 700 "$H"
umask 077
printf '%s\n' "$USER_PIN" >"$H/$TOKEN.pin"
cat >"$H/ferrohsm.conf" <<EOF
[token]
argon2_t_cost = 1
argon2_m_cost_kib = 1024

[server]
unlock.$TOKEN = file:$H/$TOKEN.pin
threads = $NCPU
log_level = warn
EOF
fh() {
    env -u FERROHSM_CONF FERROHSM_HOME="$H" FERROHSM_SO_PIN=$SO_PIN FERROHSM_PIN=$USER_PIN \
        timeout 120 "$FH_CLI" "$@" </dev/null
}
{
    fh token init --label "$TOKEN"
    fh key generate --token "$TOKEN" --type ec-p256 --label ec1
    fh key generate --token "$TOKEN" --type rsa-2048 --label rsa1
    fh key export-public --token "$TOKEN" --key ec1 --out "$TMP/ec1.pem"
    fh key export-public --token "$TOKEN" --key rsa1 --out "$TMP/rsa1.pem"
} >"$TMP/setup.log" 2>&1 || die "set-up with the CLI failed: $(tail -n 3 "$TMP/setup.log" | tr '\n' ' ')"
fh apikey create --name bench-app --role app --token "$TOKEN" 2>>"$TMP/setup.log" |
    head -n 1 >"$TMP/app.key"
grep -q '^fhk_' "$TMP/app.key" || die "apikey create printed no key: $(tail -n 2 "$TMP/setup.log")"

# --- server ----------------------------------------------------------------
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 40000))
    fi
}
PORT=$(free_port)
URL=https://127.0.0.1:$PORT
CACERT=$H/server/cert.pem
env -u FERROHSM_CONF FERROHSM_HOME="$H" "${SRV_PIN[@]}" "$FH_SRV" --listen "127.0.0.1:$PORT" \
    </dev/null >"$TMP/server.out" 2>"$TMP/server.log" &
SRV_PID=$!
if ! "$RESTBENCH" wait --url "$URL" --cacert "$CACERT" --seconds 30 2>"$TMP/wait.log"; then
    die "ferrohsm-server not ready: $(cat "$TMP/wait.log") $(tail -n 3 "$TMP/server.log")"
fi

# The remote slot: a module with an empty home of its own (no local token
# labelled "bench" beside the remote one) and [remote.bench] in FERROHSM_CONF.
RH=$TMP/remote-home
mkdir -m 700 "$RH"
cat >"$TMP/remote.conf" <<EOF
[token]
argon2_t_cost = 1
argon2_m_cost_kib = 1024

[remote.$TOKEN]
server = $URL
token = $TOKEN
api_key = file:$TMP/app.key
cacert = $CACERT
connections = 64
EOF

# --- runners -----------------------------------------------------------------
# cpu_ticks PID: utime + stime of a process, in clock ticks.
cpu_ticks() {
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# bench COLUMN CASE THREADS: run restbench, append to RESULTS and CPU.
bench() {
    local col=$1 c=$2 t=$3
    local out=$TMP/$col-$c-$t-$RANDOM.out
    local args=() envs=() s0 s1 rc=0
    case $col in
    local)
        envs=(env -u FERROHSM_CONF FERROHSM_HOME="$H")
        args=(p11 --module "$FH_MOD" --slot-label "$TOKEN" --pin "$USER_PIN" --pubkey "$TMP/${KEY[$c]}.pem")
        ;;
    rest)
        envs=(env)
        args=(rest --url "$URL" --cacert "$CACERT" --api-key-file "$TMP/app.key" --token "$TOKEN")
        ;;
    remote)
        envs=(env FERROHSM_HOME="$RH" FERROHSM_CONF="$TMP/remote.conf")
        args=(p11 --module "$FH_MOD" --slot-label "$TOKEN" --pubkey "$TMP/${KEY[$c]}.pem")
        ;;
    esac
    s0=$(cpu_ticks "$SRV_PID")
    "${envs[@]}" "${CLI_PIN[@]}" timeout 600 "$RESTBENCH" "${args[@]}" --key "${KEY[$c]}" --case "$c" \
        --threads "$t" --seconds "$SECS" >"$out" 2>&1 || rc=$?
    s1=$(cpu_ticks "$SRV_PID")
    awk -v col="$col" 'NF == 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9.]+$/ { print col, $1, $2, $3 }' \
        "$out" >>"$RESULTS"
    # "# cpu CASE THREADS USER SYS OPS WARMUP_OPS": this process, per timed op;
    # the server's CPU over the whole run (warm-up included) per op.
    awk -v col="$col" -v d=$((s1 - s0)) -v tck="$CLK_TCK" '
        $1 == "#" && $2 == "cpu" && $7 > 0 {
            printf "%s-app %s %s %.1f\n", col, $3, $4, ($5 + $6) * 1e6 / $7
            if (col != "local") printf "%s-srv %s %s %.1f\n", col, $3, $4, d / tck * 1e6 / ($7 + $8)
        }' "$out" >>"$CPU"
    if ((rc != 0)); then
        note "$col $c t=$t: restbench exited $rc: $(grep -v '^# cpu' "$out" | tail -n 2 | tr '\n' ' ')"
    fi
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for ((rep = 1; rep <= REPEAT; rep++)); do
    for t in $THREADS; do
        echo "bench-rest: run $rep/$REPEAT, $t thread(s)" >&2
        for c in "${CASES[@]}"; do
            bench local "$c" "$t"
            bench rest "$c" "$t"
            bench remote "$c" "$t"
        done
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
if ! kill -0 "$SRV_PID" 2>/dev/null; then
    note "ferrohsm-server died during the run: $(tail -n 2 "$TMP/server.log" | tr '\n' ' ')"
fi

# --- table -------------------------------------------------------------------
# median FILE KEY CASE THREADS: median of column 4, or "-".
median() {
    awk -v k="$2" -v c="$3" -v t="$4" '$1 == k && $2 == c && $3 == t { print $4 }' "$1" |
        sort -g | awk '{ v[NR] = $1 } END {
            if (NR == 0) { print "-"; exit }
            if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "-" || b == "-" || a + 0 == 0 || b + 0 == 0) { print "-" } else { printf "%.2f\n", a / b } }'
}

fmt() {
    awk -v v="$1" 'BEGIN { if (v == "-") { print "-" } else { printf "%.0f\n", v } }'
}

cpu_note=("thr = client threads. The server runs on the same machine, not pinned: the"
    "server and restbench share all $NCPU CPUs. REST and remote pay for client and"
    "server on the same CPUs, in-process for the client only; at thr=2 the server"
    "competes with the client threads.")
if [[ -n "$PIN_SPEC" ]]; then
    cpu_note=("thr = client threads. Pinned with taskset: ferrohsm-server on CPUs ${PIN_SPEC%%:*},"
        "restbench on CPUs ${PIN_SPEC#*:} in every column (so in-process, too, has only"
        "CPUs ${PIN_SPEC#*:}); REST and remote split the machine between client and server.")
fi
echo
echo "FerroHSM REST benchmark  ($(date -u +%Y-%m-%dT%H:%MZ), $NCPU CPUs, ${SECS}s per figure, median of $REPEAT, server threads = $NCPU)"
printf '%-20s %3s %12s %11s %11s %10s %13s\n' case thr in-process "HTTPS REST" remote-slot REST/inproc remote/local
for c in "${CASES[@]}"; do
    for t in $THREADS; do
        lo=$(median "$RESULTS" local "$c" "$t")
        re=$(median "$RESULTS" rest "$c" "$t")
        rm=$(median "$RESULTS" remote "$c" "$t")
        printf '%-20s %3s %12s %11s %11s %10s %13s\n' "$c" "$t" "$(fmt "$lo")" "$(fmt "$re")" \
            "$(fmt "$rm")" "$(ratio "$re" "$lo")" "$(ratio "$rm" "$lo")"
    done
done
echo "Signs/s, same two keys in every column. in-process: the PKCS#11 module's local"
echo "slot on the server's store. HTTPS REST: restbench, one keep-alive TLS connection"
echo "per thread. remote-slot: the module's [remote.$TOKEN] slot to the same server."
printf '%s\n' "${cpu_note[@]}"
echo "Load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER."
echo "Issue target, read within this run: REST/inproc >= 0.50 for ecdsa-p256-sign."
echo
echo "CPU microseconds per sign (median): app = the client process (timed phase),"
echo "srv = ferrohsm-server (whole run incl. warm-up, per op)"
printf '%-20s %3s %10s %10s %10s %10s %10s\n' case thr inproc rest-app rest-srv remote-app remote-srv
for c in "${CASES[@]}"; do
    for t in $THREADS; do
        printf '%-20s %3s' "$c" "$t"
        for k in local-app rest-app rest-srv remote-app remote-srv; do
            printf ' %10s' "$(median "$CPU" "$k" "$c" "$t")"
        done
        echo
    done
done
if [[ -s "$NOTES" ]]; then
    echo "Notes:"
    sed 's/^/  /' "$NOTES"
fi
