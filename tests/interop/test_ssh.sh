#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenSSH against the module: `ssh-keygen -D` prints the token's public keys
# (RSA-2048 and EC P-256), and they equal the implementation's own export
# (ferrohsm: `key export-public`; softhsm: pkcs11-tool --read-object),
# converted with `ssh-keygen -i -m PKCS8`. Then the keys sign through
# ssh-agent (ssh-add -s, via ssh-pkcs11-helper) and `ssh-keygen -Y` checks the
# signatures: what `ssh -I`/agent users rely on.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tool ssh-keygen
[[ "$P11_IMPL" == softhsm ]] && require_tool pkcs11-tool

init_token interop
make_keypairs

# --- ssh-keygen -D -------------------------------------------------------------------------
expect_cmd "ssh-keygen -D lists the token's public keys" -- ssh-keygen -D "$P11_MODULE"
D_OUT=$(grep -E '^(ssh-|ecdsa-)' <<<"$OUT" || true)
expect_eq "$(wc -l <<<"$D_OUT")" 2 "ssh-keygen -D prints 2 keys"
expect_match "$D_OUT" "(^|"$'\n'")ssh-rsa AAAAB3NzaC1yc2E[^ ]+( rsa1)?("$'\n'"|$)" "an ssh-rsa key is printed"
expect_match "$D_OUT" "(^|"$'\n'")ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY[^ ]+( ec1)?("$'\n'"|$)" "an ecdsa-sha2-nistp256 key is printed"

for k in rsa1 ec1; do
    if export_pub "$k" "$k.pem" >/dev/null 2>&1; then
        pass "$k: public key exported by the implementation"
    else
        fail "$k: public key exported by the implementation"
        continue
    fi
    expect_cmd "$k: ssh-keygen -i -m PKCS8 converts the export" -- ssh-keygen -i -m PKCS8 -f "$k.pem"
    ref=$(awk '{print $1, $2}' <<<"$OUT")
    printf '%s %s\n' "$ref" "$k" >"$k.pub"
    got=$(awk -v r="$ref" '($1 " " $2) == r {print $1, $2}' <<<"$D_OUT")
    expect_eq "$got" "$ref" "$k: ssh-keygen -D prints the same key as the implementation's export"
    ssh-keygen -l -f "$k.pub" >"$k.fp" 2>&1 || true
done
expect_match "$(cat rsa1.fp)" "^2048 SHA256:" "rsa1 fingerprint: 2048-bit key"
expect_match "$(cat ec1.fp)" "^256 SHA256:[^ ]+ [^ ]+ \(ECDSA\)" "ec1 fingerprint: 256-bit ECDSA key"

# --- signing through ssh-agent + ssh-pkcs11-helper --------------------------------------------
if command -v ssh-agent >/dev/null && command -v ssh-add >/dev/null; then
    printf '#!/bin/sh\necho %s\n' "$USER_PIN" >"$I_ROOT/askpass"
    chmod 700 "$I_ROOT/askpass"
    MOD_REAL=$(realpath "$P11_MODULE")
    # -P: ssh-agent only loads allow-listed providers (by real path).
    eval "$(ssh-agent -s -a "$I_ROOT/agent.sock" -P "$MOD_REAL")" >/dev/null
    expect_cmd "ssh-add -s adds the token's keys to ssh-agent" -- \
        env SSH_ASKPASS="$I_ROOT/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 ssh-add -s "$MOD_REAL"
    expect_cmd "ssh-add -L" -- ssh-add -L
    L_OUT=$OUT
    printf 'signed through the agent %s\n' "$RANDOM" >msg.txt
    for k in rsa1 ec1; do
        [[ -f "$k.pub" ]] || continue
        expect_match "$L_OUT" "$(awk '{print $2}' "$k.pub" | sed 's/[+/]/\\&/g')" "$k: held by the agent"
        rm -f msg.txt.sig
        expect_cmd "$k: ssh-keygen -Y sign through the agent" -- ssh-keygen -Y sign -f "$k.pub" -n file msg.txt
        expect_cmd "$k: ssh-keygen -Y check-novalidate accepts the signature" -- \
            sh -c "ssh-keygen -Y check-novalidate -n file -f '$k.pub' -s msg.txt.sig <msg.txt"
        expect_not_cmd "$k: the signature does not verify over other data" -- \
            sh -c "echo other | ssh-keygen -Y check-novalidate -n file -f '$k.pub' -s msg.txt.sig"
    done
    kill "$SSH_AGENT_PID" 2>/dev/null || true
    unset SSH_AGENT_PID SSH_AUTH_SOCK
else
    echo "# ssh-agent/ssh-add missing: agent signing not tested"
fi

finish
