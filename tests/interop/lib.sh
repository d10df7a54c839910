# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034
#
# lib.sh - shared helpers of the PKCS#11 interoperability tests
# (tests/interop/test_*.sh): real third-party clients (OpenSC pkcs11-tool,
# GnuTLS p11tool, OpenSSL + libp11, OpenSSH, p11-kit) against a module.
#
# Source it first:  source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Environment (set by tests/interop/meson.build):
#   P11_MODULE    path of the PKCS#11 module under test
#   P11_IMPL      ferrohsm | softhsm (how to make a token and keys)
#   FERROHSM_BIN  the ferrohsm CLI (P11_IMPL=ferrohsm only)
#   KEEP_TMP=1    keep the temporary directory
#
# Every test makes its own token in a fresh temporary directory: for softhsm
# SOFTHSM2_CONF points at a private tokendir; for ferrohsm FERROHSM_HOME is
# private and ferrohsm.conf sets fast Argon2 parameters.
#
#   require_tool T...        exit 77 (meson: skipped) when a tool is missing
#   init_token LABEL         create the token; PINs in $SO_PIN / $USER_PIN
#   make_keypairs            RSA-2048 "rsa1" (id 01) + EC P-256 "ec1" (id 02)
#                            (ferrohsm: the CLI; softhsm: pkcs11-tool)
#   export_pub LABEL FILE    SubjectPublicKeyInfo PEM of key LABEL
#                            (ferrohsm: CLI key export-public;
#                             softhsm: pkcs11-tool --read-object)
#   run DESC -- CMD...       run CMD (output in $OUT, exit code in $RC), no
#                            assertion; prints the output on failure when
#                            VERBOSE=1
#   expect_cmd DESC -- CMD   CMD must exit 0 (output in $OUT)
#   expect_not_cmd DESC -- CMD   CMD must exit non-zero
#   expect_eq ACTUAL EXPECTED DESC
#   expect_match STRING ERE DESC
#   expect_no_match STRING ERE DESC
#   pass DESC / fail DESC [DETAIL]
#   finish                   last line of every test file
#
# Output: "ok - ..." / "not ok - ..." per assertion, then exactly one line
# "N passed, N failed"; exit 1 when anything failed (an abort counts as a
# failure), 77 when skipped, else 0.
set -Eeuo pipefail

I_PASSED=0
I_FAILED=0
I_DONE=0
I_SKIP=0
SO_PIN=12345678
USER_PIN=87654321
PY=/usr/bin/python3
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

_i_summary() {
    local rc=$?
    if ((I_SKIP)); then
        [[ -n "${I_ROOT:-}" && -d "$I_ROOT" ]] && rm -rf "$I_ROOT"
        echo "0 passed, 0 failed, 1 skipped"
        exit 77
    fi
    if ((I_DONE == 0)); then
        I_FAILED=$((I_FAILED + 1))
        echo "not ok - test script aborted (exit $rc)${I_LAST_ERR:+: $I_LAST_ERR}"
    fi
    local j
    for j in $(jobs -p 2>/dev/null); do kill "$j" 2>/dev/null || true; done
    if [[ -n "${SSH_AGENT_PID:-}" ]]; then kill "$SSH_AGENT_PID" 2>/dev/null || true; fi
    if [[ -n "${I_ROOT:-}" && -d "$I_ROOT" ]]; then
        if [[ "${KEEP_TMP:-0}" == 1 ]]; then
            echo "# kept $I_ROOT"
        else
            rm -rf "$I_ROOT"
        fi
    fi
    echo "$I_PASSED passed, $I_FAILED failed"
    if ((I_FAILED > 0)); then exit 1; fi
    exit 0
}
trap _i_summary EXIT
trap 'I_LAST_ERR="line $LINENO: $BASH_COMMAND"' ERR

skip() {
    echo "# SKIP: $*"
    I_SKIP=1
    exit 77
}

require_tool() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
    done
}

pass() {
    I_PASSED=$((I_PASSED + 1))
    echo "ok - $1"
}

fail() {
    I_FAILED=$((I_FAILED + 1))
    echo "not ok - $1"
    if [[ -n "${2:-}" ]]; then
        printf '%s\n' "$2" | head -n 40 | sed 's/^/#   /'
    fi
}

# run DESC -- CMD...: output (stdout+stderr) in OUT, exit code in RC.
run() {
    shift 2
    set +e
    if [[ "$(type -t "$1")" == function ]]; then
        OUT=$("$@" 2>&1)
    else
        OUT=$(timeout 120 "$@" 2>&1)
    fi
    RC=$?
    set -e
}

expect_cmd() {
    local desc=$1
    run "$@"
    if ((RC == 0)); then
        pass "$desc"
    else
        fail "$desc (exit $RC: ${*:3})" "$OUT"
    fi
}

expect_not_cmd() {
    local desc=$1
    run "$@"
    if ((RC != 0)); then
        pass "$desc"
    else
        fail "$desc (expected failure, exit 0: ${*:3})" "$OUT"
    fi
}

expect_eq() {
    if [[ "$1" == "$2" ]]; then
        pass "$3"
    else
        fail "$3" "expected: $2"$'\n'"got:      $1"
    fi
}

expect_match() {
    if [[ "$1" =~ $2 ]]; then
        pass "$3"
    else
        fail "$3 (no match for /$2/)" "$1"
    fi
}

expect_no_match() {
    if [[ "$1" =~ $2 ]]; then
        fail "$3 (unexpected match for /$2/)" "$1"
    else
        pass "$3"
    fi
}

finish() {
    I_DONE=1
}

# --- environment -----------------------------------------------------------
P11_IMPL=${P11_IMPL:-}
P11_MODULE=${P11_MODULE:-}
case "$P11_IMPL" in
ferrohsm | softhsm) ;;
*)
    echo "not ok - P11_IMPL must be ferrohsm or softhsm, got '$P11_IMPL'"
    I_FAILED=1; I_DONE=1; exit 1 ;;
esac
if [[ -z "$P11_MODULE" || ! -f "$P11_MODULE" ]]; then
    echo "not ok - P11_MODULE is not a file: '$P11_MODULE'"
    I_FAILED=1; I_DONE=1; exit 1
fi
P11_MODULE=$(cd "$(dirname "$P11_MODULE")" && pwd)/$(basename "$P11_MODULE")
if [[ "$P11_IMPL" == ferrohsm ]]; then
    if [[ -z "${FERROHSM_BIN:-}" || ! -x "$FERROHSM_BIN" ]]; then
        echo "not ok - FERROHSM_BIN is not set or not executable: '${FERROHSM_BIN:-}'"
        I_FAILED=1; I_DONE=1; exit 1
    fi
    FERROHSM_BIN=$(cd "$(dirname "$FERROHSM_BIN")" && pwd)/$(basename "$FERROHSM_BIN")
else
    require_tool softhsm2-util
fi

I_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/ferrohsm-interop.XXXXXX")
WORK="$I_ROOT/work"
mkdir "$WORK"
cd "$WORK"
# No tool may read the developer's own configuration.
unset GNUTLS_PIN GNUTLS_SO_PIN OPENSSL_CONF OPENSSL_ENGINES SSH_AUTH_SOCK || true

if [[ "$P11_IMPL" == ferrohsm ]]; then
    export FERROHSM_HOME="$I_ROOT/home"
    unset FERROHSM_CONF || true
    mkdir -m 700 "$FERROHSM_HOME"
    printf '[token]\nargon2_t_cost = 1\nargon2_m_cost_kib = 256\n' >"$FERROHSM_HOME/ferrohsm.conf"
else
    export SOFTHSM2_CONF="$I_ROOT/softhsm2.conf"
    mkdir "$I_ROOT/tokens"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
        "$I_ROOT/tokens" >"$SOFTHSM2_CONF"
fi

fh() {
    FERROHSM_SO_PIN=$SO_PIN FERROHSM_PIN=$USER_PIN timeout 120 "$FERROHSM_BIN" "$@" </dev/null
}

# init_token LABEL
init_token() {
    TOKEN=$1
    if [[ "$P11_IMPL" == ferrohsm ]]; then
        expect_cmd "token '$TOKEN' created with the ferrohsm CLI" -- fh token init --label "$TOKEN"
    else
        expect_cmd "token '$TOKEN' created with softhsm2-util" -- \
            softhsm2-util --init-token --free --label "$TOKEN" --so-pin "$SO_PIN" --pin "$USER_PIN"
    fi
    ((RC == 0)) || exit 1
}

# make_keypairs: rsa1 (RSA-2048, id 01) and ec1 (EC P-256, id 02) on $TOKEN.
make_keypairs() {
    if [[ "$P11_IMPL" == ferrohsm ]]; then
        expect_cmd "RSA-2048 key pair rsa1 generated (CLI)" -- \
            fh key generate --token "$TOKEN" --type rsa-2048 --label rsa1 --id 01
        expect_cmd "EC P-256 key pair ec1 generated (CLI)" -- \
            fh key generate --token "$TOKEN" --type ec-p256 --label ec1 --id 02
    else
        require_tool pkcs11-tool
        expect_cmd "RSA-2048 key pair rsa1 generated (pkcs11-tool)" -- \
            pkcs11-tool --module "$P11_MODULE" --token-label "$TOKEN" --login --pin "$USER_PIN" \
            --keypairgen --key-type rsa:2048 --label rsa1 --id 01
        expect_cmd "EC P-256 key pair ec1 generated (pkcs11-tool)" -- \
            pkcs11-tool --module "$P11_MODULE" --token-label "$TOKEN" --login --pin "$USER_PIN" \
            --keypairgen --key-type EC:prime256v1 --label ec1 --id 02
    fi
}

# export_pub LABEL FILE: the public key as SubjectPublicKeyInfo PEM, from the
# implementation's own tooling (the reference the clients are compared with).
export_pub() {
    local label=$1 out=$2
    if [[ "$P11_IMPL" == ferrohsm ]]; then
        fh key export-public --token "$TOKEN" --key "$label" --out "$out"
    else
        pkcs11-tool --module "$P11_MODULE" --token-label "$TOKEN" \
            --read-object --type pubkey --label "$label" -o "$out.der" >/dev/null 2>&1
        openssl pkey -pubin -inform DER -in "$out.der" -out "$out"
    fi
}
