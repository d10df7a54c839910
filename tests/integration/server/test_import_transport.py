# SPDX-License-Identifier: Apache-2.0
"""The import transport key (docs/api.md "Import transport key").

GET /v1/tokens/{token}/import-key and imports wrapped with it, against an
independent implementation: the hybrid wrap (CKM_RSA_AES_KEY_WRAP: RSA-OAEP
SHA-256 of a fresh AES-256 key, then RFC 5649 of the payload under it) is
built here with python3-cryptography alone, for AES-128/256, generic
secrets, EC, Ed25519 and RSA private keys (PKCS#8); each imported key is then
used by the server and its result checked here (AES-GCM decrypted, HMAC
recomputed, signatures verified with the public key Python holds). Also:
corrupted wraps (400 wrapped_key_invalid, nothing kept), roles, the key kept
across calls and restarts, and that no key route reaches the transport key
(list, show, sign, decrypt, encrypt, wrap, unwrap, derive, update, delete)
nor can any role destroy it; and that no imported value reaches the store
or the log in plaintext.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from cryptography.hazmat.primitives.keywrap import (  # noqa: E402
    aes_key_unwrap_with_padding, aes_key_wrap_with_padding)

from fhserver import Server  # noqa: E402

SRV = None
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def b64(b):
    return base64.b64encode(b).decode()


def ub64(s):
    return base64.b64decode(s, validate=True)


def q(name):
    return urllib.parse.quote(name, safe="")


def setUpModule():
    global SRV
    SRV = Server(tokens=("demo", "other"))


def tearDownModule():
    if SRV is not None:
        SRV.stop_clean()


def req(method, path, body=None, role="admin"):
    return SRV.request(method, path, body=body, key=SRV.keys[role] if role else None)


_n = [0]


def uniq(prefix):
    _n[0] += 1
    return "%s-%d-%s" % (prefix, _n[0], os.urandom(3).hex())


def transport(token="demo", role="operator"):
    r = req("GET", "/v1/tokens/%s/import-key" % token, role=role)
    assert r.status == 200, r
    return r.json["import_key"]


def hybrid_wrap(spki_der, payload, aes_len=32):
    """CKM_RSA_AES_KEY_WRAP, built here: OAEP(K) || RFC 5649(K, payload); K forgotten."""
    pub = serialization.load_der_public_key(spki_der)
    k = os.urandom(aes_len)
    return pub.encrypt(k, OAEP) + aes_key_wrap_with_padding(k, payload)


def pkcs8(priv):
    return priv.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())


def import_body(tk, type_, payload, label=None, **extra):
    body = {"label": label or uniq("imp"), "type": type_,
            "wrapped": b64(hybrid_wrap(ub64(tk["public_key_der"]), payload)),
            "wrapping_key": tk["key_ref"], "mechanism": "RSA_AES_KEY_WRAP"}
    body.update(extra)
    return body


def do_import(tk, type_, payload, token="demo", role="operator", **extra):
    body = import_body(tk, type_, payload, **extra)
    r = req("POST", "/v1/tokens/%s/keys/import" % token, body, role=role)
    return r, body["label"]


def op(label, operation, body, role="app", token="demo"):
    return req("POST", "/v1/tokens/%s/keys/%s/%s" % (token, q(label), operation), body, role=role)


class Base(unittest.TestCase):
    def assertError(self, r, status, code):
        self.assertEqual((r.status, r.code), (status, code), r)

    def assertNothingNamed(self, label, token="demo"):
        r = req("GET", "/v1/tokens/%s/keys?label=%s" % (token, q(label)), role="app")
        self.assertEqual(r.json["keys"], [], "a refused import left an object behind")


class TestTransportKey(Base):
    def test_fetch_and_keep(self):
        tk = transport()
        self.assertEqual(set(tk), {"key_ref", "id", "type", "public_key_pem", "public_key_der",
                                   "mechanisms", "hash", "aes_bits"})
        self.assertEqual(tk["key_ref"], "import:" + tk["id"])
        self.assertRegex(tk["id"], "^[0-9a-f]{32}$")
        self.assertEqual(tk["type"], "rsa-3072")
        self.assertEqual((tk["mechanisms"], tk["hash"], tk["aes_bits"]),
                         (["RSA_AES_KEY_WRAP"], "sha256", 256))
        der = ub64(tk["public_key_der"])
        pem_key = serialization.load_pem_public_key(tk["public_key_pem"].encode())
        self.assertEqual(pem_key.public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo), der)
        self.assertIsInstance(pem_key, rsa.RSAPublicKey)
        self.assertEqual(pem_key.key_size, 3072)
        # made once and kept: the same key for every role that may ask, and each call
        self.assertEqual(transport(role="admin"), tk)
        self.assertEqual(transport(), tk)
        # one per token
        other = transport("other")
        self.assertNotEqual(other["key_ref"], tk["key_ref"])
        self.assertNotEqual(other["public_key_der"], tk["public_key_der"])

    def test_kept_across_restart(self):
        tk = transport()
        port = SRV.port
        self.assertEqual(SRV.stop(), 0)
        SRV.start(port=port)
        self.assertEqual(transport(), tk)
        r, label = do_import(tk, "aes-128", os.urandom(16))
        self.assertEqual(r.status, 201, r)

    def test_roles_and_scope(self):
        for role in ("app", "auditor"):
            self.assertError(req("GET", "/v1/tokens/demo/import-key", role=role), 403, "forbidden")
        self.assertError(req("GET", "/v1/tokens/demo/import-key", role=None), 401,
                         "unauthenticated")
        self.assertError(req("GET", "/v1/tokens/nosuch/import-key", role="operator"), 404,
                         "token_not_found")
        self.assertError(req("POST", "/v1/tokens/demo/import-key", {}, role="operator"), 405,
                         "method_not_allowed")
        scoped = SRV.create_key(uniq("op-other"), "operator", ["other"])
        r = SRV.request("GET", "/v1/tokens/demo/import-key", key=scoped)
        self.assertError(r, 404, "token_not_found")
        r = SRV.request("GET", "/v1/tokens/other/import-key", key=scoped)
        self.assertEqual(r.status, 200, r)
        # import with the transport key: the importing roles only
        tk = transport()
        for role in ("app", "auditor"):
            r, label = do_import(tk, "aes-256", os.urandom(32), role=role)
            self.assertError(r, 403, "forbidden")
            self.assertNothingNamed(label)


class TestImport(Base):
    def test_aes_128_and_256(self):
        tk = transport()
        for type_, n in (("aes-128", 16), ("aes-256", 32)):
            value = os.urandom(n)
            r, label = do_import(tk, type_, value, usage=["encrypt", "decrypt"])
            self.assertEqual(r.status, 201, r)
            k = r.json["key"]
            self.assertEqual(k["type"], type_)
            (o,) = k["objects"]
            self.assertEqual((o["class"], o["bits"], o["usage"], o["sensitive"], o["extractable"]),
                             ("secret", n * 8, ["encrypt", "decrypt"], True, False))
            # the server encrypts with the imported key; Python decrypts with the value
            pt = os.urandom(77)
            e = op(label, "encrypt", {"mechanism": "AES_GCM", "plaintext": b64(pt),
                                      "aad": b64(b"hdr")})
            self.assertEqual(e.status, 200, e)
            iv, ct = ub64(e.json["iv"]), ub64(e.json["ciphertext"])
            self.assertEqual(AESGCM(value).decrypt(iv, ct, b"hdr"), pt)
            # and decrypts what Python encrypted
            iv = os.urandom(12)
            ct = AESGCM(value).encrypt(iv, b"from python", None)
            d = op(label, "decrypt", {"mechanism": "AES_GCM", "ciphertext": b64(ct), "iv": b64(iv)})
            self.assertEqual(ub64(d.json["plaintext"]), b"from python")

    def test_generic_secret_hmac(self):
        tk = transport()
        for n in (1, 20, 64, 100):
            value = os.urandom(n)
            r, label = do_import(tk, "generic-secret", value)
            self.assertEqual(r.status, 201, r)
            (o,) = r.json["key"]["objects"]
            self.assertEqual((o["type"], o["bits"]), ("generic-secret", n * 8))
            data = os.urandom(50)
            m = op(label, "mac", {"mechanism": "SHA256_HMAC", "data": b64(data)})
            self.assertEqual(ub64(m.json["mac"]), hmac.new(value, data, hashlib.sha256).digest())

    def test_ec_and_ed25519_private(self):
        tk = transport()
        for type_, priv, mech, h in (
                ("ec-p256", ec.generate_private_key(ec.SECP256R1()), "ECDSA_SHA256", hashes.SHA256),
                ("ec-p384", ec.generate_private_key(ec.SECP384R1()), "ECDSA_SHA384", hashes.SHA384),
                ("ed25519", ed25519.Ed25519PrivateKey.generate(), "EDDSA", None)):
            r, label = do_import(tk, type_, pkcs8(priv))
            self.assertEqual(r.status, 201, r)
            k = r.json["key"]
            self.assertEqual((k["type"], [o["class"] for o in k["objects"]]),
                             (type_, ["public", "private"]))
            shown = req("GET", "/v1/tokens/demo/keys/" + q(label), role="app").json["key"]
            mine = priv.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
            self.assertEqual(shown["public_key_pem"].encode(), mine)
            data = os.urandom(64)
            sig = ub64(op(label, "sign", {"mechanism": mech, "data": b64(data)}).json["signature"])
            if h is None:
                priv.public_key().verify(sig, data)
            else:
                priv.public_key().verify(sig, data, ec.ECDSA(h()))

    def test_rsa_private(self):
        tk = transport()
        priv = rsa.generate_private_key(65537, 2048)
        r, label = do_import(tk, "rsa-2048", pkcs8(priv), usage=["sign", "verify", "decrypt"])
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["key"]["type"], "rsa-2048")
        data = os.urandom(300)
        sig = ub64(op(label, "sign", {"mechanism": "SHA256_RSA_PKCS_PSS",
                                      "data": b64(data)}).json["signature"])
        priv.public_key().verify(sig, data, padding.PSS(padding.MGF1(hashes.SHA256()), 32),
                                 hashes.SHA256())
        sig = ub64(op(label, "sign", {"mechanism": "SHA256_RSA_PKCS",
                                      "data": b64(data)}).json["signature"])
        priv.public_key().verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
        ct = priv.public_key().encrypt(b"for the server", OAEP)
        d = op(label, "decrypt", {"mechanism": "RSA_PKCS_OAEP", "ciphertext": b64(ct)})
        self.assertEqual(ub64(d.json["plaintext"]), b"for the server")
        # a family type takes any size: an RSA-3072 key named "rsa"
        priv3 = rsa.generate_private_key(65537, 3072)
        r, label = do_import(tk, "rsa", pkcs8(priv3))
        self.assertEqual((r.status, r.json["key"]["type"]), (201, "rsa-3072"), r)

    def test_corrupted_and_mismatched(self):
        tk = transport()
        u = "/v1/tokens/demo/keys/import"
        value = os.urandom(32)
        good = import_body(tk, "aes-256", value)
        w = bytearray(ub64(good["wrapped"]))

        def variant(**kw):
            b = dict(good)
            b["label"] = uniq("bad")
            b.update(kw)
            return b
        bad_oaep, bad_kwp = bytearray(w), bytearray(w)
        bad_oaep[100] ^= 0x01
        bad_kwp[384 + 5] ^= 0x01
        cases = [
            (variant(wrapped=b64(bytes(bad_oaep))), 400, "wrapped_key_invalid"),
            (variant(wrapped=b64(bytes(bad_kwp))), 400, "wrapped_key_invalid"),
            (variant(wrapped=b64(bytes(w[:384 + 12]))), 400, "wrapped_key_invalid"),
            (variant(wrapped=b64(bytes(w[:200]))), 400, "wrapped_key_invalid"),
            (variant(type="aes-128"), 400, "wrapped_key_invalid"),
            (variant(type="ec-p256"), 400, "wrapped_key_invalid"),
            # the AES key of the hybrid wrap is AES-256 (aes_bits)
            (variant(wrapped=b64(hybrid_wrap(ub64(tk["public_key_der"]), value, aes_len=16))),
             400, "wrapped_key_invalid"),
            # the transport key unwraps RSA_AES_KEY_WRAP and nothing else
            (variant(mechanism="RSA_PKCS_OAEP",
                     wrapped=b64(serialization.load_der_public_key(
                         ub64(tk["public_key_der"])).encrypt(value, OAEP))),
             400, "mechanism_invalid"),
            (variant(wrapping_key="import:" + "00" * 16), 404, "key_not_found"),
            (variant(wrapping_key="import:zz"), 404, "key_not_found"),
            (variant(hash="sha384"), 400, "wrapped_key_invalid"),
            (variant(hash="md5"), 400, "bad_request"),
            (variant(oaep_label=b64(b"x")), 400, "bad_json"),
        ]
        for body, status, code in cases:
            r = req("POST", u, body, role="operator")
            self.assertError(r, status, code)
            self.assertNothingNamed(body["label"])
        # and the good one still imports
        r = req("POST", u, good, role="operator")
        self.assertEqual(r.status, 201, r)

    def test_unwrap_family_types(self):
        tk = transport()
        r, label = do_import(tk, "aes", os.urandom(24))
        self.assertEqual((r.status, r.json["key"]["type"]), (201, "aes-192"), r)
        priv = ec.generate_private_key(ec.SECP521R1())
        r, label = do_import(tk, "ec", pkcs8(priv))
        self.assertEqual((r.status, r.json["key"]["type"]), (201, "ec-p521"), r)
        r, label = do_import(tk, "ec-edwards", pkcs8(priv))
        self.assertError(r, 400, "wrapped_key_invalid")
        self.assertNothingNamed(label)

    def test_wrap_route_rsa_aes(self):
        """The server wraps with RSA_AES_KEY_WRAP under a public key; Python unwraps."""
        tk = transport()
        kek = rsa.generate_private_key(65537, 2048)
        r, kek_label = do_import(tk, "rsa-2048", pkcs8(kek))
        self.assertEqual(r.status, 201, r)
        value = os.urandom(32)
        r, target = do_import(tk, "aes-256", value, extractable=True)
        self.assertEqual(r.status, 201, r)
        w = op(kek_label, "wrap", {"mechanism": "RSA_AES_KEY_WRAP", "key": target})
        self.assertEqual(w.status, 200, w)
        blob = ub64(w.json["wrapped"])
        k = kek.decrypt(blob[:256], OAEP)
        self.assertEqual(len(k), 32)
        self.assertEqual(aes_key_unwrap_with_padding(k, blob[256:]), value)
        # and a private key (PKCS#8), which RSA_PKCS_OAEP cannot carry
        ecpriv = ec.generate_private_key(ec.SECP256R1())
        r, ectarget = do_import(tk, "ec-p256", pkcs8(ecpriv), extractable=True)
        w = op(kek_label, "wrap", {"mechanism": "RSA_AES_KEY_WRAP", "key": ectarget})
        self.assertEqual(w.status, 200, w)
        blob = ub64(w.json["wrapped"])
        der = aes_key_unwrap_with_padding(kek.decrypt(blob[:256], OAEP), blob[256:])
        back = serialization.load_der_private_key(der, None)
        self.assertEqual(back.private_numbers().private_value, ecpriv.private_numbers().private_value)

    def test_no_plaintext_in_store_or_log(self):
        tk = transport()
        value = os.urandom(32)
        r, label = do_import(tk, "aes-256", value)
        self.assertEqual(r.status, 201, r)
        store = SRV.store_bytes()
        self.assertNotIn(value, store)
        log = SRV.log_text()
        for form in (value.hex(), b64(value)):
            self.assertNotIn(form, log)


class TestTransportUnreachable(Base):
    def test_no_key_route_reaches_it(self):
        tk = transport()
        ref, idname = tk["key_ref"], "id:" + tk["id"]
        # not listed (every page, every filter)
        keys = req("GET", "/v1/tokens/demo/keys?limit=1000", role="admin").json["keys"]
        self.assertNotIn(tk["id"], [o["id"] for o in keys])
        self.assertNotIn("ferrohsm-import-transport", [o["label"] for o in keys])
        for f in ("class=private", "class=public", "type=rsa", "label=ferrohsm-import-transport"):
            keys = req("GET", "/v1/tokens/demo/keys?" + f, role="admin").json["keys"]
            self.assertNotIn(tk["id"], [o["id"] for o in keys], f)
        data = b64(b"x" * 32)
        for name in (idname, ref, "ferrohsm-import-transport"):
            self.assertError(req("GET", "/v1/tokens/demo/keys/" + q(name), role="admin"), 404,
                             "key_not_found")
            for role in ("app", "admin"):
                for operation, body in (
                        ("sign", {"mechanism": "SHA256_RSA_PKCS", "data": data}),
                        ("decrypt", {"mechanism": "RSA_PKCS_OAEP", "ciphertext": b64(b"c" * 384)}),
                        ("encrypt", {"mechanism": "RSA_PKCS_OAEP", "plaintext": data}),
                        ("verify", {"mechanism": "SHA256_RSA_PKCS", "data": data,
                                    "signature": b64(b"s" * 384)}),
                        ("wrap", {"mechanism": "RSA_AES_KEY_WRAP", "key": "anything"}),
                        ("unwrap", {"mechanism": "RSA_AES_KEY_WRAP", "label": uniq("u"),
                                    "type": "aes-256", "wrapped": b64(b"w" * 424)}),
                        ("derive", {"mechanism": "ECDH1_DERIVE", "label": uniq("d"),
                                    "type": "aes-256", "public_point": b64(b"\x04" * 65)})):
                    self.assertError(op(name, operation, body, role=role), 404, "key_not_found")
            for role in ("operator", "admin"):
                self.assertError(req("DELETE", "/v1/tokens/demo/keys/" + q(name), role=role), 404,
                                 "key_not_found")
                self.assertError(req("PATCH", "/v1/tokens/demo/keys/" + q(name),
                                     {"usage": ["sign"]}, role=role), 404, "key_not_found")
        # nor is it a key to wrap with another key
        r, kek = do_import(tk, "aes-256", os.urandom(32))
        self.assertEqual(r.status, 201, r)
        self.assertError(op(kek, "wrap", {"mechanism": "AES_KEY_WRAP_PAD", "key": idname}), 404,
                         "key_not_found")
        # its label and id reserve nothing: a key of the token may take them
        r = req("POST", "/v1/tokens/demo/keys", {"type": "aes-128", "label":
                                                 "ferrohsm-import-transport", "id": tk["id"]},
                role="operator")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(req("DELETE", "/v1/tokens/demo/keys/" + idname, role="operator").status,
                         204)
        # and after all that the transport key is the same, and works
        self.assertEqual(transport(), tk)
        r, label = do_import(tk, "aes-128", os.urandom(16))
        self.assertEqual(r.status, 201, r)

    def test_local_attributes(self):
        """The token holds it with the documented attributes (the CLI opens the store)."""
        tk = transport()
        p = SRV.cli("key", "show", "--token", "demo", "--key", "id:" + tk["id"], "--json",
                    env={"FERROHSM_PIN": "user-pin-demo"})
        objs = json.loads(p.stdout.decode())
        objs = objs.get("objects", objs) if isinstance(objs, dict) else objs
        privs = [o for o in objs if o.get("CKA_CLASS") == "CKO_PRIVATE_KEY"]
        self.assertEqual(len(privs), 1, objs)
        a = privs[0]
        want = {"CKA_FH_IMPORT_TRANSPORT": True, "CKA_UNWRAP": True, "CKA_SIGN": False,
                "CKA_DECRYPT": False, "CKA_DERIVE": False, "CKA_EXTRACTABLE": False,
                "CKA_NEVER_EXTRACTABLE": True, "CKA_SENSITIVE": True, "CKA_DESTROYABLE": False,
                "CKA_MODIFIABLE": False, "CKA_LOCAL": True,
                "CKA_ALLOWED_MECHANISMS": ["RSA_AES_KEY_WRAP"]}
        for k, v in want.items():
            self.assertEqual(a.get(k), v, k)
        # the token refuses to destroy it, whoever asks (here the CLI, locally)
        p = SRV.cli("key", "delete", "--token", "demo", "--key", "id:" + tk["id"],
                    env={"FERROHSM_PIN": "user-pin-demo"}, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(transport(), tk)


if __name__ == "__main__":
    unittest.main(verbosity=2)
