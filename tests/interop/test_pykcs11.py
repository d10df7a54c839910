#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""PyKCS11 (python3-pykcs11) against the module.

Opens the module, finds the slot of a fresh token, logs in, generates an EC
P-256 key pair, signs with CKM_ECDSA and verifies the signature with
python3-cryptography (independent of the module), generates an AES-256 key
and round-trips CKM_AES_GCM, and checks GCM interoperability with
cryptography on an imported AES key.

Environment: P11_MODULE, P11_IMPL (ferrohsm|softhsm), FERROHSM_BIN.
Prints "ok - ..."/"not ok - ..." lines and a final "N passed, N failed";
exit 1 on failure, 77 (skipped) when PyKCS11 or cryptography is missing.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

PASSED = 0
FAILED = 0


def ok(desc):
    global PASSED
    PASSED += 1
    print(f"ok - {desc}", flush=True)


def not_ok(desc, detail=""):
    global FAILED
    FAILED += 1
    print(f"not ok - {desc}", flush=True)
    for line in str(detail).splitlines()[:30]:
        print(f"#   {line}")


def check(cond, desc, detail=""):
    if cond:
        ok(desc)
    else:
        not_ok(desc, detail)
    return cond


def ck_name(value):
    # PyKCS11 1.5.12 predates PKCS#11 3.0 return values.
    return {0x35: "CKR_AEAD_DECRYPT_FAILED"}.get(value) or PyKCS11.CKR.get(value, hex(value))


def expect_ck_error(fn, rv_names, desc):
    """fn() must raise PyKCS11Error with one of the CKR_ names."""
    try:
        fn()
    except PyKCS11.PyKCS11Error as e:  # noqa: F821 (imported below)
        name = ck_name(e.value)
        check(name in rv_names, desc, f"expected {'/'.join(rv_names)}, got {name}")
        return
    except Exception as e:  # pylint: disable=broad-except
        not_ok(desc, f"expected {'/'.join(rv_names)}, got {type(e).__name__}: {e}")
        return
    not_ok(desc, f"expected {'/'.join(rv_names)}, got success")


def finish(code=None):
    print(f"{PASSED} passed, {FAILED} failed", flush=True)
    sys.exit(code if code is not None else (1 if FAILED else 0))


try:
    import PyKCS11
    from PyKCS11 import LowLevel  # noqa: F401
    from cryptography.exceptions import InvalidSignature, InvalidTag
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, utils
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError as exc:
    print(f"# SKIP: {exc}")
    print("0 passed, 0 failed, 1 skipped")
    sys.exit(77)

SO_PIN = "12345678"
USER_PIN = "87654321"
LABEL = "interop-py"
P256_OID_DER = bytes.fromhex("06082a8648ce3d030107")


def der_octet_string_content(data):
    """CKA_EC_POINT is DER OCTET STRING (04 len 04||X||Y); return the content."""
    if len(data) >= 2 and data[0] == 0x04:
        n = data[1]
        if n < 0x80 and len(data) == 2 + n:
            return data[2:]
        if n == 0x81 and len(data) == 3 + data[2]:
            return data[3:]
    return None


def setup_token(root):
    impl = os.environ.get("P11_IMPL", "")
    if impl == "ferrohsm":
        fbin = os.environ.get("FERROHSM_BIN", "")
        if not fbin or not os.access(fbin, os.X_OK):
            not_ok(f"FERROHSM_BIN is not set or not executable: {fbin!r}")
            finish(1)
        home = os.path.join(root, "home")
        os.mkdir(home, 0o700)
        with open(os.path.join(home, "ferrohsm.conf"), "w", encoding="ascii") as f:
            f.write("[token]\nargon2_t_cost = 1\nargon2_m_cost_kib = 256\n")
        os.environ["FERROHSM_HOME"] = home
        os.environ.pop("FERROHSM_CONF", None)
        env = dict(os.environ, FERROHSM_SO_PIN=SO_PIN, FERROHSM_PIN=USER_PIN)
        cmd = [fbin, "token", "init", "--label", LABEL]
    elif impl == "softhsm":
        if not shutil.which("softhsm2-util"):
            print("# SKIP: softhsm2-util not installed")
            print("0 passed, 0 failed, 1 skipped")
            sys.exit(77)
        tokens = os.path.join(root, "tokens")
        os.mkdir(tokens)
        conf = os.path.join(root, "softhsm2.conf")
        with open(conf, "w", encoding="ascii") as f:
            f.write(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
                    "log.level = ERROR\nslots.removable = false\n")
        os.environ["SOFTHSM2_CONF"] = conf
        env = dict(os.environ)
        cmd = ["softhsm2-util", "--init-token", "--free", "--label", LABEL,
               "--so-pin", SO_PIN, "--pin", USER_PIN]
    else:
        not_ok(f"P11_IMPL must be ferrohsm or softhsm, got {impl!r}")
        finish(1)
    r = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=120, check=False)
    if not check(r.returncode == 0, f"token {LABEL!r} created ({impl})", r.stdout + r.stderr):
        finish(1)
    return impl


def find_slot(lib):
    for slot in lib.getSlotList(tokenPresent=True):
        info = lib.getTokenInfo(slot)
        if info.label.strip() == LABEL:
            return slot, info
    return None, None


def main(root):
    impl = setup_token(root)
    module = os.environ.get("P11_MODULE", "")
    if not check(os.path.isfile(module), f"P11_MODULE is a file: {module!r}"):
        return
    lib = PyKCS11.PyKCS11Lib()
    lib.load(module)
    ok("module loaded (C_GetFunctionList, C_Initialize)")

    info = lib.getInfo()
    ver = (info.cryptokiVersion[0], info.cryptokiVersion[1])
    print(f"# C_GetInfo: cryptoki {ver[0]}.{ver[1]}, "
          f"manufacturer {info.manufacturerID.strip()!r}, library {info.libraryDescription.strip()!r}")
    if impl == "ferrohsm":
        check(ver == (3, 0), "C_GetInfo: cryptokiVersion is 3.0", f"got {ver}")
    else:
        check(ver[0] >= 2, "C_GetInfo: cryptokiVersion >= 2", f"got {ver}")
    check(info.manufacturerID.strip() != "", "C_GetInfo: manufacturerID is set")

    slot, tinfo = find_slot(lib)
    if not check(slot is not None, f"a slot holds token {LABEL!r}"):
        return
    flags = tinfo.flags
    check(flags & PyKCS11.CKF_TOKEN_INITIALIZED, "token flags: CKF_TOKEN_INITIALIZED")
    check(flags & PyKCS11.CKF_USER_PIN_INITIALIZED, "token flags: CKF_USER_PIN_INITIALIZED")
    check(flags & PyKCS11.CKF_LOGIN_REQUIRED, "token flags: CKF_LOGIN_REQUIRED")
    mechs = set(lib.getMechanismList(slot))
    for m in ("CKM_EC_KEY_PAIR_GEN", "CKM_ECDSA", "CKM_AES_KEY_GEN", "CKM_AES_GCM"):
        check(m in mechs, f"mechanism {m} listed")
    minfo = lib.getMechanismInfo(slot, "CKM_ECDSA")
    check(minfo.ulMinKeySize <= 256 <= minfo.ulMaxKeySize, "CKM_ECDSA key sizes cover 256",
          f"{minfo.ulMinKeySize}..{minfo.ulMaxKeySize}")
    check(minfo.flags & PyKCS11.CKF_SIGN and minfo.flags & PyKCS11.CKF_VERIFY,
          "CKM_ECDSA flags: CKF_SIGN and CKF_VERIFY")

    session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
    ok("C_OpenSession (R/W)")
    expect_ck_error(lambda: session.login("00000000"), ("CKR_PIN_INCORRECT",),
                    "C_Login with a wrong PIN: CKR_PIN_INCORRECT")
    session.login(USER_PIN)
    ok("C_Login with the user PIN")
    sinfo = session.getSessionInfo()
    check(sinfo.state == PyKCS11.CKS_RW_USER_FUNCTIONS, "session state: CKS_RW_USER_FUNCTIONS",
          f"got {sinfo.state}")

    # --- EC P-256 key pair + CKM_ECDSA -------------------------------------------------
    pub_t = [
        (PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY),
        (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
        (PyKCS11.CKA_TOKEN, True),
        (PyKCS11.CKA_VERIFY, True),
        (PyKCS11.CKA_EC_PARAMS, P256_OID_DER),
        (PyKCS11.CKA_LABEL, "py-ec"),
        (PyKCS11.CKA_ID, b"\x11"),
    ]
    priv_t = [
        (PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY),
        (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
        (PyKCS11.CKA_TOKEN, True),
        (PyKCS11.CKA_PRIVATE, True),
        (PyKCS11.CKA_SENSITIVE, True),
        (PyKCS11.CKA_SIGN, True),
        (PyKCS11.CKA_LABEL, "py-ec"),
        (PyKCS11.CKA_ID, b"\x11"),
    ]
    pub, priv = session.generateKeyPair(pub_t, priv_t, mecha=PyKCS11.MechanismECGENERATEKEYPAIR)
    ok("C_GenerateKeyPair CKM_EC_KEY_PAIR_GEN (P-256)")
    params, point_der = session.getAttributeValue(pub, [PyKCS11.CKA_EC_PARAMS, PyKCS11.CKA_EC_POINT])
    check(bytes(params) == P256_OID_DER, "public key CKA_EC_PARAMS is the P-256 OID",
          bytes(params).hex())
    point = der_octet_string_content(bytes(point_der))
    check(point is not None and len(point) == 65 and point[0] == 4,
          "CKA_EC_POINT is a DER OCTET STRING holding an uncompressed point",
          bytes(point_der).hex())
    sens, extr, local = session.getAttributeValue(
        priv, [PyKCS11.CKA_SENSITIVE, PyKCS11.CKA_EXTRACTABLE, PyKCS11.CKA_LOCAL])
    check(sens is True and local is True, "private key: CKA_SENSITIVE and CKA_LOCAL true",
          f"sensitive={sens} extractable={extr} local={local}")
    # PyKCS11 turns CKR_ATTRIBUTE_SENSITIVE into a None value.
    try:
        val = session.getAttributeValue(priv, [PyKCS11.CKA_VALUE])[0]
        check(val is None, "CKA_VALUE of the sensitive private key is not revealed",
              "" if val is None else f"got {len(val)} bytes")
    except PyKCS11.PyKCS11Error as e:
        check(ck_name(e.value) == "CKR_ATTRIBUTE_SENSITIVE",
              "CKA_VALUE of the sensitive private key is not revealed", ck_name(e.value))
    found = session.findObjects([(PyKCS11.CKA_LABEL, "py-ec"),
                                 (PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY)])
    check(len(found) == 1, "C_FindObjects finds the private key by label", f"found {len(found)}")

    pubkey = None
    try:
        pubkey = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point or b"")
        ok("cryptography loads the public point")
    except Exception as e:  # pylint: disable=broad-except
        not_ok("cryptography loads the public point", e)

    msg = os.urandom(1000)
    digest = hashlib.sha256(msg).digest()
    sig = bytes(session.sign(priv, digest, PyKCS11.Mechanism(PyKCS11.CKM_ECDSA, None)))
    check(len(sig) == 64, "CKM_ECDSA signature is r||s, 64 bytes", f"{len(sig)} bytes")
    if pubkey is not None and len(sig) == 64:
        r = int.from_bytes(sig[:32], "big")
        s = int.from_bytes(sig[32:], "big")
        der = utils.encode_dss_signature(r, s)
        try:
            pubkey.verify(der, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
            ok("cryptography verifies the CKM_ECDSA signature")
        except InvalidSignature:
            not_ok("cryptography verifies the CKM_ECDSA signature", "InvalidSignature")
        try:
            pubkey.verify(der, hashlib.sha256(msg + b"x").digest(),
                          ec.ECDSA(utils.Prehashed(hashes.SHA256())))
            not_ok("cryptography rejects the signature over another digest")
        except InvalidSignature:
            ok("cryptography rejects the signature over another digest")
    check(session.verify(pub, digest, sig, PyKCS11.Mechanism(PyKCS11.CKM_ECDSA, None)),
          "C_Verify (CKM_ECDSA) on the token accepts the signature")
    bad = bytearray(sig)
    bad[10] ^= 1
    try:
        res = session.verify(pub, digest, bytes(bad), PyKCS11.Mechanism(PyKCS11.CKM_ECDSA, None))
        check(not res, "C_Verify rejects a corrupted signature")
    except PyKCS11.PyKCS11Error as e:
        check(PyKCS11.CKR.get(e.value) == "CKR_SIGNATURE_INVALID",
              "C_Verify rejects a corrupted signature", ck_name(e.value))

    # A signature made by cryptography verifies on the token.
    if "CKM_ECDSA_SHA256" in mechs:
        sig2 = bytes(session.sign(priv, msg, PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256, None)))
        if pubkey is not None and len(sig2) == 64:
            try:
                pubkey.verify(utils.encode_dss_signature(int.from_bytes(sig2[:32], "big"),
                                                         int.from_bytes(sig2[32:], "big")),
                              msg, ec.ECDSA(hashes.SHA256()))
                ok("cryptography verifies a CKM_ECDSA_SHA256 signature")
            except InvalidSignature:
                not_ok("cryptography verifies a CKM_ECDSA_SHA256 signature", "InvalidSignature")
        else:
            not_ok("CKM_ECDSA_SHA256 signature is 64 bytes", f"{len(sig2)} bytes")

    # --- AES-256 key + CKM_AES_GCM ---------------------------------------------------
    aes_t = [
        (PyKCS11.CKA_CLASS, PyKCS11.CKO_SECRET_KEY),
        (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_AES),
        (PyKCS11.CKA_VALUE_LEN, 32),
        (PyKCS11.CKA_TOKEN, True),
        (PyKCS11.CKA_PRIVATE, True),
        (PyKCS11.CKA_SENSITIVE, True),
        (PyKCS11.CKA_ENCRYPT, True),
        (PyKCS11.CKA_DECRYPT, True),
        (PyKCS11.CKA_LABEL, "py-aes"),
    ]
    aes = session.generateKey(aes_t, mecha=PyKCS11.MechanismAESGENERATEKEY)
    ok("C_GenerateKey CKM_AES_KEY_GEN (256)")
    vlen = session.getAttributeValue(aes, [PyKCS11.CKA_VALUE_LEN])[0]
    check(vlen == 32, "AES key CKA_VALUE_LEN is 32", f"got {vlen}")
    iv = os.urandom(12)
    aad = b"ferrohsm interop aad"
    plain = os.urandom(777)
    gcm = PyKCS11.AES_GCM_Mechanism(iv, aad, 128)
    ct = bytes(session.encrypt(aes, plain, gcm))
    check(len(ct) == len(plain) + 16, "CKM_AES_GCM ciphertext = plaintext + 16-byte tag",
          f"{len(ct)} bytes")
    back = bytes(session.decrypt(aes, ct, PyKCS11.AES_GCM_Mechanism(iv, aad, 128)))
    check(back == plain, "CKM_AES_GCM decrypt returns the plaintext")
    tampered = bytearray(ct)
    tampered[5] ^= 0x80
    tag_fail = ("CKR_ENCRYPTED_DATA_INVALID", "CKR_AEAD_DECRYPT_FAILED")
    if impl == "softhsm":
        # SoftHSM 2.6 reports a GCM tag mismatch as CKR_GENERAL_ERROR.
        tag_fail += ("CKR_GENERAL_ERROR",)
    expect_ck_error(lambda: session.decrypt(aes, bytes(tampered), PyKCS11.AES_GCM_Mechanism(iv, aad, 128)),
                    tag_fail, "CKM_AES_GCM decrypt of tampered data fails")
    expect_ck_error(lambda: session.decrypt(aes, ct, PyKCS11.AES_GCM_Mechanism(iv, b"other aad", 128)),
                    tag_fail, "CKM_AES_GCM decrypt with other AAD fails")

    # An imported AES key: the token and cryptography must agree on GCM.
    kval = os.urandom(32)
    imp_t = [
        (PyKCS11.CKA_CLASS, PyKCS11.CKO_SECRET_KEY),
        (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_AES),
        (PyKCS11.CKA_TOKEN, False),
        (PyKCS11.CKA_ENCRYPT, True),
        (PyKCS11.CKA_DECRYPT, True),
        (PyKCS11.CKA_VALUE, kval),
        (PyKCS11.CKA_LABEL, "py-aes-imported"),
    ]
    try:
        imp = session.createObject(imp_t)
        ok("C_CreateObject imports an AES-256 session key")
    except PyKCS11.PyKCS11Error as e:
        imp = None
        not_ok("C_CreateObject imports an AES-256 session key", ck_name(e.value))
    if imp is not None:
        ct2 = bytes(session.encrypt(imp, plain, PyKCS11.AES_GCM_Mechanism(iv, aad, 128)))
        try:
            check(AESGCM(kval).decrypt(iv, ct2, aad) == plain,
                  "cryptography decrypts the token's AES-GCM ciphertext")
        except InvalidTag:
            not_ok("cryptography decrypts the token's AES-GCM ciphertext", "InvalidTag")
        ct3 = AESGCM(kval).encrypt(iv, plain, aad)
        check(bytes(session.decrypt(imp, ct3, PyKCS11.AES_GCM_Mechanism(iv, aad, 128))) == plain,
              "the token decrypts cryptography's AES-GCM ciphertext")

    extras(session, mechs, impl)

    # --- persistence: token objects survive a new session, session objects do not ---
    session.logout()
    session.closeSession()
    s2 = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION)
    s2.login(USER_PIN)
    labels = sorted(
        str(s2.getAttributeValue(o, [PyKCS11.CKA_LABEL])[0]) for o in s2.findObjects([]))
    check(labels == ["py-aes", "py-ec", "py-ec"],
          "a new session sees the token objects, not the session key", f"got {labels}")
    s2.logout()
    s2.closeSession()


def extras(session, mechs, impl):
    """Session-object checks against cryptography: digest, random, RSA-PSS,
    RSA-OAEP, ECDH (the derived AES key decrypts with cryptography's secret)."""
    from cryptography.hazmat.primitives.asymmetric import padding, rsa  # pylint: disable=import-outside-toplevel

    data = os.urandom(5000)
    got = bytes(session.digest(data, PyKCS11.Mechanism(PyKCS11.CKM_SHA256, None)))
    check(got == hashlib.sha256(data).digest(), "C_Digest CKM_SHA256 equals hashlib")
    r1 = bytes(session.generateRandom(32))
    r2 = bytes(session.generateRandom(32))
    check(len(r1) == 32 and r1 != r2, "C_GenerateRandom returns 32 fresh bytes")

    # RSA-2048 session key pair.
    pub, priv = session.generateKeyPair(
        [(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY), (PyKCS11.CKA_TOKEN, False),
         (PyKCS11.CKA_MODULUS_BITS, 2048), (PyKCS11.CKA_PUBLIC_EXPONENT, (1, 0, 1)),
         (PyKCS11.CKA_VERIFY, True), (PyKCS11.CKA_ENCRYPT, True), (PyKCS11.CKA_LABEL, "py-rsa")],
        [(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_TOKEN, False),
         (PyKCS11.CKA_PRIVATE, True), (PyKCS11.CKA_SENSITIVE, True),
         (PyKCS11.CKA_SIGN, True), (PyKCS11.CKA_DECRYPT, True), (PyKCS11.CKA_LABEL, "py-rsa")],
        mecha=PyKCS11.MechanismRSAGENERATEKEYPAIR)
    ok("C_GenerateKeyPair CKM_RSA_PKCS_KEY_PAIR_GEN (2048, session objects)")
    n, e = session.getAttributeValue(pub, [PyKCS11.CKA_MODULUS, PyKCS11.CKA_PUBLIC_EXPONENT])
    rpub = rsa.RSAPublicNumbers(int.from_bytes(bytes(e), "big"),
                                int.from_bytes(bytes(n), "big")).public_key()
    check(rpub.key_size == 2048, "RSA modulus is 2048 bits", rpub.key_size)

    pss = PyKCS11.RSA_PSS_Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS_PSS, PyKCS11.CKM_SHA256,
                                    PyKCS11.CKG_MGF1_SHA256, 32)
    sig = bytes(session.sign(priv, data, pss))
    try:
        rpub.verify(sig, data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
        ok("cryptography verifies a CKM_SHA256_RSA_PKCS_PSS signature")
    except InvalidSignature:
        not_ok("cryptography verifies a CKM_SHA256_RSA_PKCS_PSS signature", "InvalidSignature")

    # SoftHSM 2.6 implements OAEP with SHA-1 only.
    if impl == "softhsm":
        h, ckm, mgf = hashes.SHA1(), PyKCS11.CKM_SHA_1, PyKCS11.CKG_MGF1_SHA1
    else:
        h, ckm, mgf = hashes.SHA256(), PyKCS11.CKM_SHA256, PyKCS11.CKG_MGF1_SHA256
    secret = os.urandom(48)
    ct = rpub.encrypt(secret, padding.OAEP(padding.MGF1(h), h, None))
    got = bytes(session.decrypt(priv, ct, PyKCS11.RSAOAEPMechanism(ckm, mgf)))
    check(got == secret, f"the token decrypts cryptography's RSA-OAEP ({h.name}) ciphertext")

    # ECDH: token key pair + cryptography peer; both sides must agree.
    if "CKM_ECDH1_DERIVE" in mechs:
        epub, epriv = session.generateKeyPair(
            [(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY), (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
             (PyKCS11.CKA_TOKEN, False), (PyKCS11.CKA_EC_PARAMS, P256_OID_DER)],
            [(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
             (PyKCS11.CKA_TOKEN, False), (PyKCS11.CKA_PRIVATE, True), (PyKCS11.CKA_DERIVE, True)],
            mecha=PyKCS11.MechanismECGENERATEKEYPAIR)
        point = der_octet_string_content(bytes(session.getAttributeValue(epub, [PyKCS11.CKA_EC_POINT])[0]))
        peer = ec.generate_private_key(ec.SECP256R1())
        from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
        peer_point = peer.public_key().public_bytes(serialization.Encoding.X962,
                                                    serialization.PublicFormat.UncompressedPoint)
        shared = peer.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point))
        derived = session.deriveKey(
            epriv,
            [(PyKCS11.CKA_CLASS, PyKCS11.CKO_SECRET_KEY), (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_AES),
             (PyKCS11.CKA_VALUE_LEN, 32), (PyKCS11.CKA_TOKEN, False),
             (PyKCS11.CKA_ENCRYPT, True), (PyKCS11.CKA_DECRYPT, True)],
            PyKCS11.ECDH1_DERIVE_Mechanism(peer_point))
        ok("C_DeriveKey CKM_ECDH1_DERIVE (CKD_NULL) to an AES-256 key")
        iv = os.urandom(12)
        ct = bytes(session.encrypt(derived, data, PyKCS11.AES_GCM_Mechanism(iv, b"", 128)))
        try:
            check(AESGCM(shared[:32]).decrypt(iv, ct, b"") == data,
                  "ECDH: the token's derived key equals cryptography's shared secret")
        except InvalidTag:
            not_ok("ECDH: the token's derived key equals cryptography's shared secret", "InvalidTag")


if __name__ == "__main__":
    tmp = tempfile.mkdtemp(prefix="ferrohsm-interop-py.")
    try:
        main(tmp)
    except PyKCS11.PyKCS11Error as err:
        not_ok(f"unexpected PKCS#11 error: {err}", traceback.format_exc())
    except Exception as err:  # pylint: disable=broad-except
        not_ok(f"unexpected exception: {type(err).__name__}: {err}", traceback.format_exc())
    finally:
        if os.environ.get("KEEP_TMP") == "1":
            print(f"# kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    finish()
