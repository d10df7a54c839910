# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034
#
# lib.sh - shared helpers of the ferrohsm end-to-end tests (tests/cli/*.sh).
#
# Source it first:  source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# It gives each test file a fresh FERROHSM_HOME (mktemp -d, removed on exit;
# KEEP_TMP=1 keeps it), a fast configuration (write_conf), the PINs in
# FERROHSM_PIN / FERROHSM_SO_PIN, the binary from $FERROHSM_BIN, and the
# assertions below. Every assertion prints "ok - ..." or "not ok - ..."; at
# exit the file prints exactly one line "N passed, N failed" and exits 1 when
# anything failed (an unexpected abort counts as a failure).
#
#   fh ARGS...                  run the CLI (no controlling tty, timeout)
#   fhe ENV... -- ARGS...       the same with env(1) arguments (-u VAR, V=x)
#   expect_exit N -- CMD...     run CMD, check its exit code; N may be an
#                               alternation "2|7" or "nz" (any non-zero).
#                               For a non-zero exit: stderr is exactly one
#                               line starting "ferrohsm: ", stdout is empty.
#                               Always: no PIN in stdout or stderr.
#                               Sets RC, OUT, ERR (text) and OUT_FILE (raw).
#                               stdin comes from $FH_STDIN (default /dev/null).
#   expect_eq ACTUAL EXPECTED DESC
#   expect_match STRING ERE DESC     (bash =~)
#   expect_no_match STRING ERE DESC
#   expect_cmd DESC -- CMD...        CMD must exit 0 (independent tools)
#   expect_not_cmd DESC -- CMD...    CMD must exit non-zero
#   pass DESC / fail DESC [DETAIL]
#   section TITLE
#   finish                      last line of every test file
#   expect_json FILE EXPR DESC  EXPR over the JSON in FILE is truthy
#   jq_py EXPR                  evaluate a Python expression over JSON on
#                               stdin (see jsonq.py); exit 0 when truthy
set -Eeuo pipefail

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
T_PASSED=0
T_FAILED=0
T_DONE=0

_t_summary() {
    local rc=$?
    if ((T_DONE == 0)); then
        T_FAILED=$((T_FAILED + 1))
        echo "not ok - test script aborted (exit $rc)${T_LAST_ERR:+: $T_LAST_ERR}"
    fi
    # Background jobs started by a test must not outlive it.
    local j
    for j in $(jobs -p 2>/dev/null); do kill "$j" 2>/dev/null || true; done
    if [[ -n "${T_ROOT:-}" && -d "$T_ROOT" ]]; then
        if [[ "${KEEP_TMP:-0}" == 1 ]]; then
            echo "# kept $T_ROOT"
        else
            rm -rf "$T_ROOT"
        fi
    fi
    echo "$T_PASSED passed, $T_FAILED failed"
    if ((T_FAILED > 0)); then exit 1; fi
    exit 0
}
trap _t_summary EXIT
trap 'T_LAST_ERR="line $LINENO: $BASH_COMMAND"' ERR

if [[ -z "${FERROHSM_BIN:-}" || ! -x "${FERROHSM_BIN}" ]]; then
    echo "not ok - FERROHSM_BIN is not set or not executable: '${FERROHSM_BIN:-}'"
    T_FAILED=1
    T_DONE=1
    exit 1
fi
FERROHSM_BIN=$(cd "$(dirname "$FERROHSM_BIN")" && pwd)/$(basename "$FERROHSM_BIN")

T_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/ferrohsm-cli.XXXXXX")
export FERROHSM_HOME="$T_ROOT/home"
T_WORK="$T_ROOT/work"
mkdir -m 700 "$FERROHSM_HOME"
mkdir "$T_WORK"
cd "$T_WORK"
DB="$FERROHSM_HOME/ferrohsm.db"

unset FERROHSM_CONF FERROHSM_NEW_PIN
export FERROHSM_PIN='user-pin-4711'
export FERROHSM_SO_PIN='so-pin-0815-secret'
# Strings that must never appear in any output of the CLI. Tests append the
# PINs they introduce.
SECRETS=("$FERROHSM_PIN" "$FERROHSM_SO_PIN")

# write_conf [MAX_PIN_FAILURES] [EXTRA_LINE...] - the test configuration.
write_conf() {
    local maxf=${1:-3}
    shift || true
    {
        echo "[token]"
        echo "argon2_t_cost = 1"
        echo "argon2_m_cost_kib = 256"
        echo "max_pin_failures = $maxf"
        local l
        for l in "$@"; do echo "$l"; done
    } >"$FERROHSM_HOME/ferrohsm.conf"
}
write_conf "${FH_MAX_PIN_FAILURES:-3}"

# fh ARGS... - the CLI in a new session (no controlling tty, so a PIN prompt
# can never hang a test) under a timeout.
fh() {
    timeout -k 5 "${FH_TIMEOUT:-120}" setsid -w "$FERROHSM_BIN" "$@"
}

# fhe ENV-ARG... -- ARGS... - fh with `env` arguments first (VAR=VALUE, -u VAR).
fhe() {
    local pre=()
    while [[ $# -gt 0 && "$1" != "--" ]]; do
        pre+=("$1")
        shift
    done
    shift
    env "${pre[@]}" timeout -k 5 "${FH_TIMEOUT:-120}" setsid -w "$FERROHSM_BIN" "$@"
}

section() { echo "# --- $* ---"; }

pass() {
    T_PASSED=$((T_PASSED + 1))
    echo "ok - $1"
}

fail() {
    T_FAILED=$((T_FAILED + 1))
    echo "not ok - $1"
    if [[ $# -gt 1 && -n "$2" ]]; then
        printf '%s\n' "$2" | sed 's/^/#     /'
    fi
}

# _show FILE - a short printable excerpt of a captured stream.
_show() {
    head -c 600 "$1" | cat -v | head -n 8
}

_describe() {
    local s="$*"
    s=${s#fh }
    s=${s//"$T_WORK/"/}
    s=${s//"$T_ROOT/"/}
    if ((${#s} > 150)); then s="${s:0:147}..."; fi
    # one line, control characters made visible
    printf '%s' "$s" | tr '\n' '|' | cat -v
}

expect_exit() {
    local want=$1
    shift
    if [[ "${1:-}" == "--" ]]; then shift; fi
    local desc="${T_DESC:-$(_describe "$@")}"
    OUT_FILE="$T_ROOT/last.out"
    local err_file="$T_ROOT/last.err"
    RC=0
    "$@" <"${FH_STDIN:-/dev/null}" >"$OUT_FILE" 2>"$err_file" || RC=$?
    OUT=$(tr -d '\0' <"$OUT_FILE")
    ERR=$(tr -d '\0' <"$err_file")
    local problems=""
    local ok_rc=0
    if [[ "$want" == nz ]]; then
        ((RC != 0)) && ok_rc=1
    elif [[ "$RC" =~ ^($want)$ ]]; then
        ok_rc=1
    fi
    ((ok_rc)) || problems+="exit code $RC, expected $want"$'\n'
    if ((RC != 0)) && [[ "$want" != 0 ]]; then
        local n
        n=$(awk 'END { print NR }' "$err_file")
        if [[ "$n" != 1 ]]; then
            problems+="stderr has $n lines, expected exactly 1"$'\n'
        elif ! head -n 1 "$err_file" | grep -q '^ferrohsm: '; then
            problems+="stderr does not start with 'ferrohsm: '"$'\n'
        fi
        if [[ -s "$OUT_FILE" ]]; then
            problems+="stdout is not empty on failure"$'\n'
        fi
        if ((RC >= 128)); then
            problems+="killed by a signal / crashed (exit $RC)"$'\n'
        fi
    fi
    local s
    for s in "${SECRETS[@]}"; do
        if grep -aqF -- "$s" "$OUT_FILE" "$err_file"; then
            problems+="output contains a PIN"$'\n'
        fi
    done
    if [[ -z "$problems" ]]; then
        pass "[exit $RC] $desc"
        return 0
    fi
    fail "$desc" "${problems}stdout: $(_show "$OUT_FILE")
stderr: $(_show "$err_file")"
    return 0
}

expect_eq() {
    if [[ "$1" == "$2" ]]; then
        pass "$3"
    else
        fail "$3" "expected: $(printf '%q' "$2")
got:      $(printf '%q' "$1" | head -c 600)"
    fi
}

expect_match() {
    if [[ "$1" =~ $2 ]]; then
        pass "$3"
    else
        fail "$3" "expected to match: $2
got: $(printf '%s' "$1" | head -c 600 | cat -v)"
    fi
}

expect_no_match() {
    if [[ "$1" =~ $2 ]]; then
        fail "$3" "must not match: $2
got: $(printf '%s' "$1" | head -c 600 | cat -v)"
    else
        pass "$3"
    fi
}

expect_cmd() {
    local desc=$1
    shift
    [[ "${1:-}" == "--" ]] && shift
    local rc=0
    "$@" >"$T_ROOT/cmd.out" 2>&1 || rc=$?
    CMD_OUT=$(tr -d '\0' <"$T_ROOT/cmd.out")
    if ((rc == 0)); then
        pass "$desc"
    else
        fail "$desc" "command failed (exit $rc): $(_describe "$@")
$(_show "$T_ROOT/cmd.out")"
    fi
}

expect_not_cmd() {
    local desc=$1
    shift
    [[ "${1:-}" == "--" ]] && shift
    local rc=0
    "$@" >"$T_ROOT/cmd.out" 2>&1 || rc=$?
    CMD_OUT=$(tr -d '\0' <"$T_ROOT/cmd.out")
    if ((rc != 0)); then
        pass "$desc"
    else
        fail "$desc" "command unexpectedly succeeded: $(_describe "$@")
$(_show "$T_ROOT/cmd.out")"
    fi
}

# expect_file_absent FILE DESC
expect_file_absent() {
    if [[ -e "$1" ]]; then
        fail "$2" "file exists: $1 ($(stat -c %s "$1") bytes)"
    else
        pass "$2"
    fi
}

# expect_size FILE BYTES DESC
expect_size() {
    local got
    got=$(stat -c %s "$1" 2>/dev/null || echo missing)
    expect_eq "$got" "$2" "$3"
}

jq_py() {
    "$PY" "$LIB_DIR/jsonq.py" "$@"
}

# expect_json FILE EXPR DESC - EXPR (see jsonq.py) is truthy over FILE
expect_json() {
    local rc=0
    "$PY" "$LIB_DIR/jsonq.py" "$2" <"$1" >"$T_ROOT/json.out" 2>&1 || rc=$?
    if ((rc == 0)); then
        pass "$3"
    else
        fail "$3" "jsonq: $2 -> exit $rc $(_show "$T_ROOT/json.out")
json: $(head -c 400 "$1" | cat -v)"
    fi
}

sha256_of() {
    sha256sum "$1" | cut -d' ' -f1
}

# Quietly run a setup step; abort the test file when it fails (later
# assertions would be meaningless).
setup() {
    local rc=0
    "$@" </dev/null >"$T_ROOT/setup.out" 2>&1 || rc=$?
    if ((rc != 0)); then
        fail "setup: $(_describe "$@")" "exit $rc: $(_show "$T_ROOT/setup.out")"
        T_DONE=1
        exit 1
    fi
}

# finish - the last line of every test file (reaching it means no abort).
finish() {
    T_DONE=1
    exit 0
}
