#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/p11bench against the module, every case for a moment on 2 threads.
# Not a timed test: the rates are ignored. What counts is that the benchmark
# behind `make bench` still runs against both modules, and its warm-up, in
# which p11bench checks every output with libcrypto (signatures verified with
# the public key read back, MACs, digests and GCM ciphertexts recomputed, a
# forged signature rejected), passes. SoftHSMv2 runs without the find cases:
# it destroys 10,000 file-backed objects in minutes.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -n "${P11BENCH:-}" && -x "$P11BENCH" ]] || skip "p11bench not built"

CASES=(rsa2048-pkcs1-sign rsa2048-pss-sign ecdsa-p256-sign ed25519-sign rsa2048-verify
    ecdsa-p256-verify aes256-gcm-4k hmac-sha256-64 sha256-4k ec-p256-keygen)
if [[ "$P11_IMPL" == ferrohsm ]]; then
    CASES+=(find-create-10000 find-1-of-10000 find-destroy-10000)
fi
ONLY=$(
    IFS=,
    echo "${CASES[*]}"
)

init_token bench
for t in 1 2; do
    expect_cmd "p11bench: every case on $t thread(s), outputs checked by libcrypto" -- \
        "$P11BENCH" "$P11_MODULE" --slot-label "$TOKEN" --pin "$USER_PIN" --threads "$t" \
        --seconds 0.05 --only "$ONLY"
    expect_no_match "$OUT" "# FAIL" "p11bench ($t thread(s)): no case failed"
    for c in "${CASES[@]}"; do
        # find-create/destroy run on one thread whatever --threads says
        expect_match "$OUT" "(^|"$'\n'")$c [12] [0-9]+\\.[0-9]+($|"$'\n'")" \
            "p11bench ($t thread(s)): $c reported a figure"
    done
done

# bench/osslbench, the in-process libcrypto column of the same table
OSSLBENCH="$(dirname "$P11BENCH")/osslbench"
if [[ "$P11_IMPL" == ferrohsm && -x "$OSSLBENCH" ]]; then
    expect_cmd "osslbench: the sign cases by libcrypto on 2 threads" -- \
        "$OSSLBENCH" --threads 2 --seconds 0.05
    for c in rsa2048-pkcs1-sign rsa2048-pss-sign ecdsa-p256-sign ed25519-sign; do
        expect_match "$OUT" "(^|"$'\n'")$c 2 [0-9]+\\.[0-9]+($|"$'\n'")" "osslbench: $c reported a figure"
    done
fi

# The keys were session objects, gone with their session, and the find case
# destroyed its 10,000 token objects: the runs leave the token empty.
if command -v pkcs11-tool >/dev/null; then
    expect_cmd "pkcs11-tool lists the token's objects after the runs" -- \
        pkcs11-tool --module "$P11_MODULE" --token-label "$TOKEN" --login --pin "$USER_PIN" \
        --list-objects
    expect_no_match "$OUT" "Object;" "p11bench left no object on the token"
fi
finish
