#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Cross-check the soft backend against python3-cryptography.

Usage:
  xcheck.py probe            exit 0 if python3-cryptography is importable
  xcheck.py verify DIR       check what the backend produced: DIR/manifest.txt
                             lists one check per line (see VERIFIERS)
  xcheck.py make DIR         make keys, signatures and an OAEP ciphertext for
                             the backend to import, verify and decrypt

Exit status: 0 all checks passed, 1 a check failed, 2 usage or missing module.
"""
import os
import sys


def load():
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
    return hashes, serialization, ec, ed25519, padding, rsa, utils


def rd(d, name):
    with open(os.path.join(d, name), "rb") as f:
        return f.read()


def wr(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def verify(d):
    hashes, serialization, ec, ed25519, padding, rsa, utils = load()
    failed = 0
    lines = rd(d, "manifest.txt").decode().split("\n")
    for line in lines:
        if not line.strip():
            continue
        kind, *args = line.split()
        try:
            if kind == "oaep":
                key = serialization.load_der_private_key(rd(d, args[0]), None)
                label = rd(d, args[2])
                pt = key.decrypt(rd(d, args[1]), padding.OAEP(
                    mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(),
                    label=label))
                if pt != rd(d, args[3]):
                    raise ValueError("plaintext differs")
            else:
                pub = serialization.load_der_public_key(rd(d, args[0]))
                msg = rd(d, args[1])
                sig = rd(d, args[2])
                if kind == "pkcs1":
                    pub.verify(sig, msg, padding.PKCS1v15(), hashes.SHA256())
                elif kind == "pss":
                    pub.verify(sig, msg, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                     salt_length=32), hashes.SHA256())
                elif kind == "ecdsa":
                    n = len(sig) // 2
                    der = utils.encode_dss_signature(int.from_bytes(sig[:n], "big"),
                                                     int.from_bytes(sig[n:], "big"))
                    pub.verify(der, msg, ec.ECDSA(hashes.SHA256()))
                elif kind == "eddsa":
                    pub.verify(sig, msg)
                else:
                    raise ValueError("unknown check " + kind)
            print("ok   " + line)
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print("FAIL %s: %r" % (line, e))
    return 1 if failed else 0


def make(d):
    hashes, serialization, ec, ed25519, padding, rsa, utils = load()
    p8 = dict(encoding=serialization.Encoding.DER, format=serialization.PrivateFormat.PKCS8,
              encryption_algorithm=serialization.NoEncryption())
    msg = b"signed by python3-cryptography, checked by FerroHSM"
    wr(d, "msg.bin", msg)

    r = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wr(d, "rsa.p8", r.private_bytes(**p8))
    wr(d, "rsa-pkcs1.sig", r.sign(msg, padding.PKCS1v15(), hashes.SHA256()))
    wr(d, "rsa-pss.sig", r.sign(msg, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                 salt_length=32), hashes.SHA256()))
    label = b"python label"
    wr(d, "oaep.label", label)
    wr(d, "oaep.msg", b"a 32-byte secret for the backend")
    wr(d, "oaep.ct", r.public_key().encrypt(rd(d, "oaep.msg"), padding.OAEP(
        mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=label)))

    for name, curve, n in (("p256", ec.SECP256R1(), 32), ("p384", ec.SECP384R1(), 48)):
        k = ec.generate_private_key(curve)
        wr(d, name + ".p8", k.private_bytes(**p8))
        wr(d, name + ".point", k.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
        rr, ss = utils.decode_dss_signature(k.sign(msg, ec.ECDSA(hashes.SHA256())))
        wr(d, name + ".sig", rr.to_bytes(n, "big") + ss.to_bytes(n, "big"))

    e = ed25519.Ed25519PrivateKey.generate()
    wr(d, "ed25519.p8", e.private_bytes(**p8))
    wr(d, "ed25519.sig", e.sign(msg))
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    try:
        load()
    except ImportError as e:
        print("python3-cryptography missing: %s" % e)
        return 2
    if argv[1] == "probe":
        return 0
    if len(argv) != 3:
        print(__doc__)
        return 2
    if argv[1] == "verify":
        return verify(argv[2])
    if argv[1] == "make":
        return make(argv[2])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
