#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# run-rest.sh [BUILD_DIR] - sign throughput of one key, two tables.
#
# Server on C cores (C = 1, 2): what the server delivers on C cores, against
# the in-process figure on as many cores:
#   in-process   the PKCS#11 module's local slot on the store (restbench p11),
#                C threads, on the CPUs of the row's server (on a 2-CPU machine
#                C=2 is not pinned)
#   REST (wire)  POST /v1/tokens/bench/keys/K/sign to ferrohsm-server on
#                loopback from restbench wire: BENCH_REST_CONNECTIONS keep-alive
#                TLS connections, one request in flight on each, driven by one
#                thread. Each row has a server of its own, started on its CPUs
#                (C=1: CPU 1, C=2: CPUs 0,1) so that its pool, sized to the
#                CPUs it may use, has C workers; all share the store. The client
#                runs on other CPUs (C=1: CPU 0; C=2: CPUs 2.. when there are
#                any) and polls without sleeping (--spin); a second figure has
#                it sleep in epoll_wait, so that each response pays for waking
#                it, a loopback-only cost. A 2-CPU machine has no CPU left for
#                the C=2 client: it shares CPUs 0,1 with the server, sleeping.
# Per-thread latency (each thread count of BENCH_THREADS):
#   in-process   restbench p11 on the local slot
#   HTTPS REST   restbench rest: one libcurl keep-alive connection per thread,
#                one request at a time, so the figure is 1 / round trip
#   remote slot  the module's [remote.bench] slot, which forwards to the same
#                server (restbench p11 on that slot)
# for ECDSA P-256 (CKM_ECDSA, raw r||s) and RSA-2048 PKCS#1 (CKM_SHA256_RSA_PKCS),
# interleaved so that drift on a shared machine hits every column alike. All
# columns use the same two keys, made by the CLI in a throw-away FERROHSM_HOME
# with fast Argon2 parameters. Only the side-by-side ratios mean anything.
# The three servers (the per-thread table's, unpinned with threads = CPUs,
# and the two above) run throughout.
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
#   BENCH_REST_CONNECTIONS=16  connections of restbench wire (server-on-C-cores table)
#   BENCH_REST_WIRE_THREADS=1  threads of restbench wire, at most the connections
#   BENCH_REST_TASKSET=SRV:CLI   per-thread latency table only: pin the server to
#                         CPU list SRV and every client (restbench, so also the
#                         in-process figures) to CLI with taskset, e.g. "1:0";
#                         default: no pinning, all share every CPU
set -euo pipefail

BUILD_DIR=${1:-build}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
REPEAT=${BENCH_REPEAT:-1}
SECS=${BENCH_SECONDS:-2}
THREADS=${BENCH_THREADS:-1 2}
PIN_SPEC=${BENCH_REST_TASKSET:-}
CONNS=${BENCH_REST_CONNECTIONS:-16}
WIRE_THREADS=${BENCH_REST_WIRE_THREADS:-1}
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
[[ "$CONNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_REST_CONNECTIONS must be a positive integer"
[[ "$WIRE_THREADS" =~ ^[1-9][0-9]*$ && "$WIRE_THREADS" -le "$CONNS" ]] ||
    die "BENCH_REST_WIRE_THREADS must be a positive integer, at most BENCH_REST_CONNECTIONS"

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
    local p
    for p in $SRV_PID ${SRV1_PID:-} ${SRV2_PID:-}; do
        kill -TERM "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
        echo "bench-rest: kept $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
NOTES=$TMP/notes
RESULTS=$TMP/results # lines: column case key ops_per_sec (key: threads, or server cores)
CPU=$TMP/cpu         # lines: what case key microseconds_per_op
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
# The servers of the server-on-C-cores table: the same configuration but
# `threads`, started on CPU 1 (C=1) and on CPUs 0,1 (C=2), so that each
# pool is sized by default to the CPUs it has. They share the store.
SRV1_PID= URL1= SRV2_PID= URL2=
# core_server N CPUS: start server N on CPUS; sets SRVN_PID and URLN.
core_server() {
    local n=$1 cpus=$2 port
    grep -v '^threads = ' "$H/ferrohsm.conf" >"$TMP/server$n.conf"
    port=$(free_port)
    FERROHSM_CONF="$TMP/server$n.conf" FERROHSM_HOME="$H" taskset -c "$cpus" "$FH_SRV" \
        --listen "127.0.0.1:$port" </dev/null >"$TMP/server$n.out" 2>"$TMP/server$n.log" &
    printf -v "SRV${n}_PID" '%s' $!
    printf -v "URL$n" '%s' "https://127.0.0.1:$port"
    if ! "$RESTBENCH" wait --url "https://127.0.0.1:$port" --cacert "$CACERT" --seconds 30 \
        2>"$TMP/wait$n.log"; then
        die "the $n-core ferrohsm-server is not ready: $(cat "$TMP/wait$n.log") $(tail -n 3 "$TMP/server$n.log")"
    fi
}
if ((NCPU >= 2)) && command -v taskset >/dev/null 2>&1; then
    core_server 1 1
    core_server 2 0,1
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

# bench COLUMN CASE THREADS [KEY [CPUS]]: run restbench with THREADS threads
# (wire: THREADS connections over WIRE_THREADS threads), append to RESULTS and
# CPU under KEY (default THREADS). restbench runs under taskset -c CPUS when
# CPUS is given and not empty, unpinned when it is given empty, and as
# BENCH_REST_TASKSET says when it is not given.
bench() {
    local col=$1 c=$2 t=$3 key=${4:-$3}
    local out=$TMP/$col-$c-$t-$key-$RANDOM.out
    local args=() envs=() pin=("${CLI_PIN[@]}") s0 s1 rc=0
    local srv_pid=${BENCH_SRV_PID:-$SRV_PID} wire_url=${BENCH_WIRE_URL:-$URL}
    if (($# >= 5)); then
        pin=()
        [[ -z "$5" ]] || pin=(taskset -c "$5")
    fi
    case $col in
    local | core-local)
        envs=(env -u FERROHSM_CONF FERROHSM_HOME="$H")
        args=(p11 --module "$FH_MOD" --slot-label "$TOKEN" --pin "$USER_PIN" --pubkey "$TMP/${KEY[$c]}.pem"
            --threads "$t")
        ;;
    rest)
        envs=(env)
        args=(rest --url "$URL" --cacert "$CACERT" --api-key-file "$TMP/app.key" --token "$TOKEN"
            --threads "$t")
        ;;
    wire | wire-sleep)
        envs=(env)
        args=(wire --url "$wire_url" --cacert "$CACERT" --api-key-file "$TMP/app.key" --token "$TOKEN"
            --connections "$t" --threads "$WIRE_THREADS")
        ;;
    wire-spin)
        envs=(env)
        args=(wire --url "$wire_url" --cacert "$CACERT" --api-key-file "$TMP/app.key" --token "$TOKEN"
            --connections "$t" --threads "$WIRE_THREADS" --spin)
        ;;
    remote)
        envs=(env FERROHSM_HOME="$RH" FERROHSM_CONF="$TMP/remote.conf")
        args=(p11 --module "$FH_MOD" --slot-label "$TOKEN" --pubkey "$TMP/${KEY[$c]}.pem" --threads "$t")
        ;;
    esac
    s0=$(cpu_ticks "$srv_pid")
    "${envs[@]}" "${pin[@]}" timeout 600 "$RESTBENCH" "${args[@]}" --key "${KEY[$c]}" --case "$c" \
        --seconds "$SECS" >"$out" 2>&1 || rc=$?
    s1=$(cpu_ticks "$srv_pid")
    awk -v col="$col" -v key="$key" \
        'NF == 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9.]+$/ { print col, $1, key, $3 }' \
        "$out" >>"$RESULTS"
    # "# cpu CASE THREADS USER SYS OPS WARMUP_OPS": this process, per timed op;
    # the server's CPU over the whole run (warm-up included) per op.
    awk -v col="$col" -v key="$key" -v d=$((s1 - s0)) -v tck="$CLK_TCK" '
        $1 == "#" && $2 == "cpu" && $7 > 0 {
            printf "%s-app %s %s %.1f\n", col, $3, key, ($5 + $6) * 1e6 / $7
            if (col !~ /local$/) printf "%s-srv %s %s %.1f\n", col, $3, key, d / tck * 1e6 / ($7 + $8)
        }' "$out" >>"$CPU"
    if ((rc != 0)); then
        note "$col $c t=$t: restbench exited $rc: $(grep -v '^# cpu' "$out" | tail -n 2 | tr '\n' ' ')"
    fi
}

# The server-on-C-cores table. C=1: the one-core server on CPU 1, in-process
# on CPU 1, the wire client on CPU 0, polling (--spin), then sleeping. C=2:
# the two-core server on CPUs 0,1, in-process (2 threads) on CPUs 0,1; the
# wire client on CPUs 2.. polling, then sleeping, when the machine has them;
# on a 2-CPU machine it can only share CPUs 0,1 with the server, sleeping (a
# polling client there would take a CPU from the server).
CORE_LIST="1 2"
C2_CLIENT=
if ((NCPU > 2)); then
    C2_CLIENT=2-$((NCPU - 1))
fi
if ((NCPU < 2)); then
    CORE_LIST=
    note "server-on-C-cores table skipped: it needs 2 CPUs, this machine has $NCPU"
elif ! command -v taskset >/dev/null 2>&1 || [[ -z "$SRV1_PID" ]]; then
    CORE_LIST=
    note "server-on-C-cores table skipped: it needs taskset (util-linux)"
fi

# cores C CASE: in-process on C cores, then the wire client against the server on C cores.
cores() {
    local n=$1 c=$2
    if ((n == 1)); then
        bench core-local "$c" 1 1 1
        BENCH_SRV_PID=$SRV1_PID BENCH_WIRE_URL=$URL1 bench wire-spin "$c" "$CONNS" 1 0
        BENCH_SRV_PID=$SRV1_PID BENCH_WIRE_URL=$URL1 bench wire-sleep "$c" "$CONNS" 1 0
    elif [[ -n "$C2_CLIENT" ]]; then
        bench core-local "$c" 2 2 0,1
        BENCH_SRV_PID=$SRV2_PID BENCH_WIRE_URL=$URL2 bench wire-spin "$c" "$CONNS" 2 "$C2_CLIENT"
        BENCH_SRV_PID=$SRV2_PID BENCH_WIRE_URL=$URL2 bench wire-sleep "$c" "$CONNS" 2 "$C2_CLIENT"
    else
        bench core-local "$c" 2 2 ""
        BENCH_SRV_PID=$SRV2_PID BENCH_WIRE_URL=$URL2 bench wire "$c" "$CONNS" 2 ""
    fi
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for ((rep = 1; rep <= REPEAT; rep++)); do
    for n in $CORE_LIST; do
        echo "bench-rest: run $rep/$REPEAT, server on $n core(s)" >&2
        for c in "${CASES[@]}"; do
            cores "$n" "$c"
        done
    done
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
for n in 1 2; do
    pid_var=SRV${n}_PID
    if [[ -n "${!pid_var}" ]] && ! kill -0 "${!pid_var}" 2>/dev/null; then
        note "the $n-core ferrohsm-server died during the run: $(tail -n 2 "$TMP/server$n.log" | tr '\n' ' ')"
    fi
done

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

echo
echo "FerroHSM REST benchmark  ($(date -u +%Y-%m-%dT%H:%MZ), $NCPU CPUs, ${SECS}s per figure, median of $REPEAT)"
echo "Load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER."
if [[ -n "$CORE_LIST" ]]; then
    echo
    echo "Server on C cores: signs/s"
    printf '%-20s %5s %11s %14s %11s %12s %12s %12s %13s %11s\n' case cores in-process \
        "REST wire x$CONNS" REST/inproc "inproc us/op" "client us/op" "server us/op" \
        "client sleeps" REST/inproc
    for c in "${CASES[@]}"; do
        for n in $CORE_LIST; do
            lo=$(median "$RESULTS" core-local "$c" "$n")
            if ((n == 1)) || [[ -n "$C2_CLIENT" ]]; then
                col=wire-spin
                sl=$(median "$RESULTS" wire-sleep "$c" "$n")
            else
                col=wire
                sl=-
            fi
            wi=$(median "$RESULTS" "$col" "$c" "$n")
            printf '%-20s %5s %11s %14s %11s %12s %12s %12s %13s %11s\n' "$c" "$n" "$(fmt "$lo")" \
                "$(fmt "$wi")" "$(ratio "$wi" "$lo")" "$(median "$CPU" core-local-app "$c" "$n")" \
                "$(median "$CPU" "$col-app" "$c" "$n")" "$(median "$CPU" "$col-srv" "$c" "$n")" \
                "$(fmt "$sl")" "$(ratio "$sl" "$lo")"
        done
    done
    echo "cores = CPUs the server has. cores 1: a ferrohsm-server started on CPU 1 alone"
    echo "(one worker thread), restbench wire on CPU 0 polling without sleeping (--spin),"
    echo "in-process = restbench p11, 1 thread, on CPU 1. \"client sleeps\": the same with"
    echo "restbench wire asleep in epoll_wait between responses, so that the server's send"
    echo "of each response also pays to wake it: a cost of loopback alone, which a client"
    echo "on another machine never puts on the server."
    if [[ -n "$C2_CLIENT" ]]; then
        echo "cores 2: a ferrohsm-server started on CPUs 0,1 (two workers), restbench wire on"
        echo "CPUs $C2_CLIENT as for cores 1, in-process = restbench p11, 2 threads, on CPUs 0,1."
    else
        echo "cores 2: a ferrohsm-server started on CPUs 0,1 (two workers); this machine has no"
        echo "third CPU for the client, so restbench wire shares both with the server, asleep"
        echo "in epoll_wait, and takes its client us/op of them: a floor of what the server"
        echo "does on two cores of its own. in-process = restbench p11, 2 threads."
    fi
    echo "REST wire: $CONNS keep-alive TLS 1.3 connections from $WIRE_THREADS thread(s), one request"
    echo "in flight on each (no pipelining). inproc/client/server us/op = CPU microseconds"
    echo "per sign of restbench p11 and restbench wire (timed phase) and of ferrohsm-server"
    echo "(whole run, per op). inproc us/op / server us/op is the REST/inproc a server that"
    echo "kept its cores busy would reach; it moves less than the rates on a busy machine."
    echo "Issue target, read within this run: REST/inproc >= 0.50 for ecdsa-p256-sign."
fi

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
echo "Per-thread latency: signs/s with one request at a time per client thread"
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
echo "Same two keys in every column. in-process: the PKCS#11 module's local slot on"
echo "the server's store. HTTPS REST: restbench rest (libcurl), one keep-alive TLS"
echo "connection per thread. remote-slot: the module's [remote.$TOKEN] slot to the same"
echo "server. Each thread waits for its answer before the next request: REST and"
echo "remote figures are threads / round trip, not what the server can deliver."
printf '%s\n' "${cpu_note[@]}"
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
