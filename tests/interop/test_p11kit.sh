#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# p11-kit against the module: a user module file (~/.config/pkcs11/modules/,
# HOME pointed at a temporary directory) makes `p11-kit list-modules` show the
# module and its token; the packaged file packaging/p11-kit/ferrohsm.module
# (module path made absolute) is accepted the same way; clients of the
# p11-kit proxy (pkcs11-tool, p11tool without --provider) reach the token; and
# `p11-kit server` forwards the token to p11-kit-client.so.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tool p11-kit
SRC_DIR=$(cd "$LIB_DIR/../.." && pwd)
PACKAGED="$SRC_DIR/packaging/p11-kit/ferrohsm.module"
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
PROXY=""
CLIENT=""
for d in "/usr/lib/$MULTIARCH" /usr/lib64 /usr/lib; do
    [[ -z "$PROXY" && -f "$d/p11-kit-proxy.so" ]] && PROXY="$d/p11-kit-proxy.so"
    [[ -z "$CLIENT" && -f "$d/pkcs11/p11-kit-client.so" ]] && CLIENT="$d/pkcs11/p11-kit-client.so"
done

init_token interop
make_keypairs
export_pub ec1 ec1.pem

# p11-kit merges modules by their real path: a system file for the same
# library (Debian's softhsm2.module) would take its name. For softhsm load a
# private copy of the library so this test's module files are the ones that
# name it. The ferrohsm module stays in place unless the unprivileged user
# used below (as root) cannot read it, e.g. in a build tree under /root; the
# copy works because the module is self-contained (no build-tree RUNPATH).
MOD=$P11_MODULE
if [[ "$P11_IMPL" == softhsm ]] ||
    { ((EUID == 0)) && ! setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$P11_MODULE" 2>/dev/null; }; then
    MOD="$I_ROOT/lib/$(basename "$P11_MODULE")"
    mkdir "$I_ROOT/lib"
    cp "$(realpath "$P11_MODULE")" "$MOD"
fi

# section NAME: the "NAME: path" block of list-modules output in $OUT
section() {
    awk -v n="$1:" '$1 == n {on = 1; print; next} /^[^ \t]/ {on = 0} on' <<<"$OUT"
}

# --- p11-kit server / p11-kit-client.so ---------------------------------------------------
if [[ -n "$CLIENT" ]] && command -v pkcs11-tool >/dev/null; then
    SOCK="$I_ROOT/p11-kit-server.sock"
    p11-kit server -f -n "$SOCK" --provider "$MOD" "pkcs11:token=$TOKEN" >server.out 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 50); do [[ -S "$SOCK" ]] && break; sleep 0.1; done
    if [[ -S "$SOCK" ]]; then
        pass "p11-kit server exposes the token on a socket"
        expect_cmd "pkcs11-tool through p11-kit-client.so lists the token" -- \
            env P11_KIT_SERVER_ADDRESS="unix:path=$SOCK" pkcs11-tool --module "$CLIENT" --list-slots
        expect_match "$OUT" "token label +: $TOKEN"$'\n' "p11-kit-client: the token is visible"
        expect_cmd "pkcs11-tool through p11-kit-client.so lists objects after login" -- \
            env P11_KIT_SERVER_ADDRESS="unix:path=$SOCK" pkcs11-tool --module "$CLIENT" \
            --token-label "$TOKEN" --login --pin "$USER_PIN" --list-objects
        expect_match "$OUT" "Private Key Object; EC" "p11-kit-client: private ec1 listed"
        expect_match "$OUT" "Private Key Object; RSA" "p11-kit-client: private rsa1 listed"
    else
        fail "p11-kit server exposes the token on a socket" "$(cat server.out)"
    fi
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
fi

# --- user configuration: p11-kit ignores it in a program running as root --------
# ("skipping user config in program running as root"), so as root the rest runs
# as nobody, owning the temporary directory.
AS=()
if ((EUID == 0)); then
    command -v setpriv >/dev/null || skip "running as root without setpriv: p11-kit user configuration cannot be tested"
    chown -R 65534:65534 "$I_ROOT"
    AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
# as_user ARGS...: run ARGS as the unprivileged user with HOME=$HOME
as_user() {
    "${AS[@]}" env HOME="$HOME" "$@"
}

# --- a user module file ------------------------------------------------------------------
export HOME="$I_ROOT/home1"
mkdir -p "$HOME/.config/pkcs11/modules"
printf 'module: %s\n' "$MOD" >"$HOME/.config/pkcs11/modules/interop-test.module"
((EUID == 0)) && chown -R 65534:65534 "$HOME"
expect_cmd "p11-kit list-modules" -- as_user p11-kit list-modules
SEC=$(section interop-test)
expect_match "$SEC" "^interop-test: $MOD" "list-modules shows module interop-test with its path"
expect_match "$SEC" "library-description: [^"$'\n'"]*[^ "$'\n'"]" "interop-test: library-description is set"
expect_match "$SEC" "token: $TOKEN"$'\n' "interop-test: token '$TOKEN' is listed"
expect_match "$SEC" "serial-number: [^ "$'\n'"]+" "interop-test: the token has a serial number"
for f in token-initialized user-pin-initialized login-required; do
    expect_match "$SEC" $'\n'"[[:space:]]+$f"$'\n' "interop-test: token flag $f"
done

# --- clients of the p11-kit proxy -----------------------------------------------------------
if [[ -n "$PROXY" ]] && command -v pkcs11-tool >/dev/null; then
    expect_cmd "pkcs11-tool through p11-kit-proxy lists slots" -- as_user pkcs11-tool --module "$PROXY" --list-slots
    expect_match "$OUT" "token label +: $TOKEN"$'\n' "p11-kit-proxy: the token is visible"
    head -c 100 /dev/urandom >data.bin
    openssl dgst -sha256 -binary data.bin >data.sha256
    chmod a+r data.bin data.sha256
    expect_cmd "pkcs11-tool through p11-kit-proxy signs with ec1" -- \
        as_user pkcs11-tool --module "$PROXY" --token-label "$TOKEN" --login --pin "$USER_PIN" \
        --sign -m ECDSA --signature-format openssl --id 02 -i data.sha256 -o ec.sig
    expect_cmd "openssl verifies the signature made through the proxy" -- \
        openssl dgst -sha256 -verify ec1.pem -signature ec.sig data.bin
else
    echo "# p11-kit-proxy.so or pkcs11-tool missing: proxy not tested"
fi
if command -v p11tool >/dev/null; then
    expect_cmd "p11tool (p11-kit configuration) --list-tokens" -- as_user p11tool --list-tokens
    expect_match "$OUT" "Label: $TOKEN"$'\n' "p11tool finds the token through p11-kit"
    expect_cmd "p11tool (p11-kit configuration) --list-all --login" -- \
        as_user GNUTLS_PIN="$USER_PIN" p11tool --login --list-all "pkcs11:token=$TOKEN"
    expect_match "$OUT" "object=rsa1;type=private" "p11tool lists private rsa1 through p11-kit"
    expect_match "$OUT" "object=ec1;type=private" "p11tool lists private ec1 through p11-kit"
fi

# --- the packaged module file --------------------------------------------------------------
if [[ -f "$PACKAGED" ]]; then
    expect_match "$(grep -v '^#' "$PACKAGED")" "(^|"$'\n'")module: libferrohsm-pkcs11\.so("$'\n'"|$)" \
        "packaged ferrohsm.module names libferrohsm-pkcs11.so"
    export HOME="$I_ROOT/home2"
    mkdir -p "$HOME/.config/pkcs11/modules"
    sed "s|^module: .*|module: $MOD|" "$PACKAGED" >"$HOME/.config/pkcs11/modules/ferrohsm.module"
    ((EUID == 0)) && chown -R 65534:65534 "$HOME"
    expect_cmd "p11-kit list-modules with the packaged file" -- as_user p11-kit list-modules
    SEC=$(section ferrohsm)
    expect_match "$SEC" "^ferrohsm: $MOD" "the packaged file loads the module as 'ferrohsm'"
    expect_match "$SEC" "token: $TOKEN"$'\n' "ferrohsm: token '$TOKEN' is listed"
else
    fail "packaging/p11-kit/ferrohsm.module exists" "$PACKAGED"
fi

finish
