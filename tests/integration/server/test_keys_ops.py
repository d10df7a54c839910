# SPDX-License-Identifier: Apache-2.0
"""REST key and operation routes (docs/api.md "Keys" and "Operations").

Every route of routes_keys.c and routes_ops.c with its successes and its
failures (400 naming the field, 401, 403 per role, 404 token/key, 409, 413),
and cross-checks against an independent implementation (python3-cryptography):
signatures verified with the public key from show (PEM and JWK), signatures
made in Python verified by the server, AES-GCM/CBC-PAD/CTR and RSA-OAEP both
ways, HMAC, RFC 5649 key wrap both ways, ECDH against Python's exchange, and
keys that survive a server restart.

Keys whose bytes Python must know are brought into the token the way a client
would: wrapped under a token key (RSA-OAEP with the public key from show, or
AES key wrap with padding under such a key) and imported.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives import padding as sympad  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa, utils, x25519  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from cryptography.hazmat.primitives.keywrap import (  # noqa: E402
    aes_key_unwrap_with_padding, aes_key_wrap_with_padding)
from cryptography.exceptions import InvalidSignature  # noqa: E402

from fhserver import Server  # noqa: E402

SRV = None
HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
          "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def b64(b):
    return base64.b64encode(b).decode()


def ub64(s):
    return base64.b64decode(s, validate=True)


def ub64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def q(name):
    return urllib.parse.quote(name, safe="")


def setUpModule():
    global SRV
    SRV = Server(tokens=("demo", "other", "paging"))
    SRV.keys["app-other"] = SRV.create_key("app-other", "app", ["other"])


def tearDownModule():
    if SRV is not None:
        SRV.stop_clean()


def req(method, path, body=None, role="admin", **kw):
    return SRV.request(method, path, body=body, key=SRV.keys[role] if role else None, **kw)


def keys_url(token="demo"):
    return "/v1/tokens/%s/keys" % token


def key_url(name, op=None, token="demo"):
    u = "%s/%s" % (keys_url(token), q(name))
    return u + "/" + op if op else u


def generate(label, type_, token="demo", **extra):
    body = {"type": type_, "label": label}
    body.update(extra)
    r = req("POST", keys_url(token), body, role="operator")
    assert r.status == 201, r
    return r.json["key"]


def show(name, token="demo"):
    r = req("GET", key_url(name, token=token), role="app")
    assert r.status == 200, r
    return r.json["key"]


def op(name, operation, body, role="app", token="demo"):
    return req("POST", key_url(name, operation, token=token), body, role=role)


def ok(r, status=200):
    assert r.status == status, r
    return r.json


def public_key_of(name, token="demo"):
    return serialization.load_pem_public_key(show(name, token)["public_key_pem"].encode())


_counter = [0]


def uniq(prefix):
    _counter[0] += 1
    return "%s-%d-%s" % (prefix, _counter[0], os.urandom(3).hex())


class Base(unittest.TestCase):
    def assertError(self, r, status, code, field=None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.code, code, r)
        if field is not None:
            self.assertIn(field, r.json["error"]["message"], r)
        self.assertTrue(r.json["error"]["request_id"])


# A key Python knows, imported by RSA-OAEP unwrap under a token RSA key.
_kek = {}


def rsa_kek():
    if "rsa" not in _kek:
        label = uniq("kek-rsa")
        generate(label, "rsa-2048")
        _kek["rsa"] = (label, public_key_of(label))
    return _kek["rsa"]


def import_secret(value, type_, label=None, **extra):
    """Import a secret key of known value; returns its label."""
    kek_label, kek_pub = rsa_kek()
    label = label or uniq("known")
    wrapped = kek_pub.encrypt(value, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                                  algorithm=hashes.SHA256(), label=None))
    body = {"label": label, "type": type_, "wrapped": b64(wrapped), "wrapping_key": kek_label,
            "mechanism": "RSA_PKCS_OAEP", "hash": "sha256"}
    body.update(extra)
    r = req("POST", keys_url() + "/import", body, role="operator")
    assert r.status == 201, r
    return label


def aes_kek():
    if "aes" not in _kek:
        k = os.urandom(32)
        _kek["aes"] = (import_secret(k, "aes-256", label=uniq("kek-aes")), k)
    return _kek["aes"]


def import_private(priv, type_, label=None, **extra):
    """Import a Python private key (PKCS#8 under the AES KEK, RFC 5649)."""
    kek_label, kek = aes_kek()
    der = priv.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    label = label or uniq("known-priv")
    body = {"label": label, "type": type_, "wrapped": b64(aes_key_wrap_with_padding(kek, der)),
            "wrapping_key": kek_label, "mechanism": "AES_KEY_WRAP_PAD"}
    body.update(extra)
    r = req("POST", keys_url() + "/import", body, role="operator")
    assert r.status == 201, r
    return label, r.json["key"]


class TestGenerate(Base):
    def test_types_and_default_usage(self):
        cases = [
            ("rsa-2048", "rsa", None, 2048, ["verify", "encrypt", "wrap"],
             ["sign", "decrypt", "unwrap"]),
            ("ec-p256", "ec", "ec-p256", 256, ["verify"], ["sign", "derive"]),
            ("ec-p384", "ec", "ec-p384", 384, ["verify"], ["sign", "derive"]),
            ("ec-p521", "ec", "ec-p521", 521, ["verify"], ["sign", "derive"]),
            ("ed25519", "ec-edwards", "ed25519", 255, ["verify"], ["sign"]),
            ("ed448", "ec-edwards", "ed448", 448, ["verify"], ["sign"]),
        ]
        for t, family, curve, bits, pub_use, priv_use in cases:
            label = uniq("gen-" + t)
            k = generate(label, t)
            self.assertEqual((k["label"], k["type"]), (label, t))
            self.assertRegex(k["id"], "^[0-9a-f]{16}$")
            pub, priv = k["objects"]
            self.assertEqual([pub["class"], priv["class"]], ["public", "private"])
            for o in (pub, priv):
                self.assertEqual((o["label"], o["type"], o["curve"], o["bits"], o["id"]),
                                 (label, family, curve, bits, k["id"]))
                self.assertFalse(o["extractable"])
            self.assertEqual(pub["usage"], pub_use)
            self.assertEqual(priv["usage"], priv_use)
            self.assertTrue(priv["sensitive"])
            self.assertFalse(pub["sensitive"])
        for t, bits, extra in (("aes-128", 128, {}), ("aes-192", 192, {}), ("aes-256", 256, {}),
                               ("generic-secret", 200, {"bits": 200})):
            label = uniq("gen-" + t)
            k = generate(label, t, **extra)
            self.assertEqual(k["type"], t)
            (o,) = k["objects"]
            self.assertEqual((o["class"], o["bits"], o["curve"]), ("secret", bits, None))
            want = (["sign", "verify", "derive"] if t == "generic-secret" else
                    ["sign", "verify", "encrypt", "decrypt", "wrap", "unwrap"])
            self.assertEqual(o["usage"], want)
            self.assertTrue(o["sensitive"])
            self.assertFalse(o["extractable"])

    def test_custom_id_usage_extractable(self):
        label = uniq("custom")
        k = generate(label, "aes-128", id="0A0b0c", usage=["encrypt"], extractable=True)
        self.assertEqual(k["id"], "0a0b0c")
        (o,) = k["objects"]
        self.assertEqual(o["usage"], ["encrypt"])
        self.assertTrue(o["extractable"])
        attrs = show("id:0a0b0c")["objects"][0]
        self.assertIs(attrs["CKA_TOKEN"], True)
        self.assertIs(attrs["CKA_PRIVATE"], True)
        self.assertIs(attrs["CKA_SIGN"], False)
        self.assertIs(attrs["CKA_DECRYPT"], False)

    def test_bad_bodies(self):
        u = keys_url()
        cases = [
            ({"type": "ec-p999", "label": "x"}, "bad_request", "type"),
            ({"label": "x"}, "bad_json", "type"),
            ({"type": "ec-p256"}, "bad_json", "label"),
            ({"type": 5, "label": "x"}, "bad_json", "type"),
            ({"type": "ec-p256", "label": ""}, "bad_request", "label"),
            ({"type": "ec-p256", "label": "a\nb"}, "bad_request", "label"),
            ({"type": "ec-p256", "label": "id:00"}, "bad_request", "label"),
            ({"type": "ec-p256", "label": "x" * 256}, "bad_request", "label"),
            ({"type": "ec-p256", "label": "x", "id": "zz"}, "bad_request", "id"),
            ({"type": "ec-p256", "label": "x", "id": "abc"}, "bad_request", "id"),
            ({"type": "ec-p256", "label": "x", "bits": 256}, "bad_request", "bits"),
            ({"type": "generic-secret", "label": "x"}, "bad_request", "bits"),
            ({"type": "generic-secret", "label": "x", "bits": 12}, "bad_request", "bits"),
            ({"type": "generic-secret", "label": "x", "bits": 8192}, "bad_json", "bits"),
            ({"type": "aes-128", "label": "x", "usage": ["sign", "fly"]}, "bad_request", "usage"),
            ({"type": "aes-128", "label": "x", "usage": ["sign", "sign"]}, "bad_request", "usage"),
            ({"type": "aes-128", "label": "x", "usage": []}, "bad_request", "usage"),
            ({"type": "aes-128", "label": "x", "usage": "sign"}, "bad_json", "usage"),
            ({"type": "aes-128", "label": "x", "extractable": "yes"}, "bad_json", "extractable"),
            ({"type": "aes-128", "label": "x", "colour": "red"}, "bad_json", "colour"),
        ]
        for body, code, field in cases:
            self.assertError(req("POST", u, body, role="operator"), 400, code, field)
        listed = ok(req("GET", u + "?label=x", role="admin"))
        self.assertEqual(listed["keys"], [], "a refused request created something")

    def test_conflicts_and_refusals(self):
        label = uniq("taken")
        k = generate(label, "ec-p256")
        self.assertError(req("POST", keys_url(), {"type": "aes-128", "label": label},
                             role="operator"), 409, "key_exists", label)
        self.assertError(req("POST", keys_url(), {"type": "aes-128", "label": uniq("n"),
                                                  "id": k["id"]}, role="operator"),
                         409, "key_exists")
        self.assertError(req("POST", keys_url("nosuch"), {"type": "aes-128", "label": "n"},
                             role="operator"), 404, "token_not_found")
        self.assertError(req("POST", keys_url(), {"type": "aes-128", "label": "n"}, role=None),
                         401, "unauthenticated")
        for role in ("app", "auditor"):
            self.assertError(req("POST", keys_url(), {"type": "aes-128", "label": "n"},
                                 role=role), 403, "forbidden")
        # admin may, too
        r = req("POST", keys_url(), {"type": "aes-128", "label": uniq("by-admin")}, role="admin")
        self.assertEqual(r.status, 201, r)


    def test_concurrent_same_label(self):
        label = uniq("race")
        results = []

        def one(t):
            r = req("POST", keys_url(), {"type": t, "label": label}, role="operator")
            results.append((r.status, r.code))
        threads = [threading.Thread(target=one, args=("rsa-2048",))
                   for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results, key=lambda x: x[0]),
                         [(201, None)] + [(409, "key_exists")] * 5)
        self.assertEqual(req("GET", key_url(label), role="app").status, 200)


class TestListShow(Base):
    def test_paging_filters_and_cursor(self):
        tok = "paging"
        made = []
        for i in range(5):
            made.append(generate("p%d" % i, "aes-128", token=tok, id="%02x" % (10 - i)))
        made.append(generate("pp", "ec-p256", token=tok, id="05"))
        everything = ok(req("GET", keys_url(tok), role="app"))
        self.assertIsNone(everything["next"])
        ids = [(o["id"], o["class"]) for o in everything["keys"]]
        self.assertEqual(ids, [("05", "public"), ("05", "private"), ("06", "secret"),
                               ("07", "secret"), ("08", "secret"), ("09", "secret"),
                               ("0a", "secret")])
        pages, after = [], None
        while True:
            url = keys_url(tok) + "?limit=3" + ("&after=" + q(after) if after else "")
            page = ok(req("GET", url, role="operator"))
            pages.append([o["id"] + o["class"] for o in page["keys"]])
            after = page["next"]
            if after is None:
                break
        self.assertEqual([len(p) for p in pages], [3, 3, 1])
        self.assertEqual(sum(pages, []), [i + c for i, c in ids])
        # deleting a key already returned does not shift the next page
        first = ok(req("GET", keys_url(tok) + "?limit=3", role="app"))
        self.assertEqual(req("DELETE", key_url("p4", token=tok), role="operator").status, 204)
        rest = ok(req("GET", keys_url(tok) + "?limit=10&after=" + q(first["next"]), role="app"))
        self.assertEqual([o["id"] for o in rest["keys"]], ["07", "08", "09", "0a"])
        # filters
        privs = ok(req("GET", keys_url(tok) + "?class=private", role="app"))["keys"]
        self.assertEqual([(o["label"], o["class"]) for o in privs], [("pp", "private")])
        ecs = ok(req("GET", keys_url(tok) + "?type=ec", role="app"))["keys"]
        self.assertEqual(len(ecs), 2)
        one = ok(req("GET", keys_url(tok) + "?label=p2", role="app"))["keys"]
        self.assertEqual([(o["label"], o["id"]) for o in one], [("p2", "08")])
        self.assertEqual(one[0]["type"], "aes")
        self.assertEqual(ok(req("GET", keys_url(tok) + "?type=rsa", role="app"))["keys"], [])
        for bad, field in (("class=secretive", "class"), ("type=dsa", "type"), ("limit=0", "limit"),
                           ("limit=1001", "limit"), ("limit=ten", "limit"),
                           ("after=%21%21", "after"), ("after=AAAA", "after")):
            self.assertError(req("GET", keys_url(tok) + "?" + bad, role="app"), 400,
                             "bad_request", field)
        self.assertError(req("GET", keys_url(tok), role="auditor"), 403, "forbidden")
        self.assertError(req("GET", keys_url("nosuch"), role="app"), 404, "token_not_found")
        self.assertError(req("GET", keys_url("other"), role=None), 401, "unauthenticated")

    def test_scope(self):
        label = uniq("scoped")
        generate(label, "aes-128", token="other")
        r = req("GET", keys_url("other"), role="app-other")
        self.assertEqual(r.status, 200, r)
        self.assertIn(label, [o["label"] for o in r.json["keys"]])
        # a token outside the key's scope looks exactly like a missing one
        self.assertError(req("GET", keys_url("demo"), role="app-other"), 404, "token_not_found")
        self.assertError(req("GET", key_url(label, token="demo"), role="app-other"), 404,
                         "token_not_found")

    def test_show_pair_pem_jwk(self):
        for t in ("ec-p256", "ec-p384", "ec-p521", "rsa-2048", "ed25519", "ed448"):
            label = uniq("show-" + t)
            gen = generate(label, t)
            k = show(label)
            self.assertEqual((k["label"], k["id"], k["type"]), (label, gen["id"], t))
            pub, priv = k["objects"]
            self.assertEqual(pub["CKA_CLASS"], "CKO_PUBLIC_KEY")
            self.assertEqual(priv["CKA_CLASS"], "CKO_PRIVATE_KEY")
            self.assertEqual(priv["CKA_LABEL"], label)
            self.assertIs(priv["CKA_SENSITIVE"], True)
            for forbidden in ("CKA_VALUE", "CKA_PRIVATE_EXPONENT", "CKA_PRIME_1"):
                self.assertNotIn(forbidden, priv)
            pem_key = serialization.load_pem_public_key(k["public_key_pem"].encode())
            spki = pem_key.public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
            self.assertEqual(spki.hex(), pub["CKA_PUBLIC_KEY_INFO"])
            jwk = k["jwk"]
            self.assertEqual(jwk["kid"], gen["id"])
            if t.startswith("rsa"):
                n = pem_key.public_numbers()
                self.assertEqual(jwk["kty"], "RSA")
                self.assertEqual(int.from_bytes(ub64url(jwk["n"]), "big"), n.n)
                self.assertEqual(int.from_bytes(ub64url(jwk["e"]), "big"), n.e)
            elif t.startswith("ec"):
                n = pem_key.public_numbers()
                self.assertEqual(jwk["kty"], "EC")
                self.assertEqual(jwk["crv"], {"ec-p256": "P-256", "ec-p384": "P-384",
                                              "ec-p521": "P-521"}[t])
                self.assertEqual(int.from_bytes(ub64url(jwk["x"]), "big"), n.x)
                self.assertEqual(int.from_bytes(ub64url(jwk["y"]), "big"), n.y)
                self.assertEqual(len(ub64url(jwk["x"])), (pem_key.curve.key_size + 7) // 8)
            else:
                self.assertEqual(jwk["kty"], "OKP")
                self.assertEqual(jwk["crv"], "Ed25519" if t == "ed25519" else "Ed448")
                raw = pem_key.public_bytes(serialization.Encoding.Raw,
                                           serialization.PublicFormat.Raw)
                self.assertEqual(ub64url(jwk["x"]), raw)

    def test_show_secret_by_id_and_errors(self):
        label = uniq("sec")
        k = generate(label, "aes-256")
        s = show("id:" + k["id"].upper())
        self.assertEqual(s["label"], label)
        self.assertIsNone(s["public_key_pem"])
        self.assertIsNone(s["jwk"])
        (o,) = s["objects"]
        self.assertEqual((o["CKA_KEY_TYPE"], o["CKA_VALUE_LEN"]), ("CKK_AES", 32))
        self.assertNotIn("CKA_VALUE", o)
        self.assertError(req("GET", key_url("no-such-key"), role="app"), 404, "key_not_found",
                         "no-such-key")
        self.assertError(req("GET", key_url("id:00112233445566778899"), role="app"), 404,
                         "key_not_found")
        self.assertError(req("GET", key_url("id:xyz"), role="app"), 400, "bad_request", "id:xyz")
        self.assertError(req("GET", key_url(label), role="auditor"), 403, "forbidden")
        self.assertError(req("GET", key_url(label, token="nosuch"), role="app"), 404,
                         "token_not_found")
        # a label with a slash and spaces travels URL-encoded
        odd = uniq("a/b c")
        generate(odd, "aes-128")
        self.assertEqual(show(odd)["label"], odd)

    def test_ambiguous(self):
        label = uniq("dup")
        pin = {"FERROHSM_PIN": "user-pin-demo"}
        for _ in range(2):
            SRV.cli("key", "generate", "--token", "demo", "--type", "aes-128", "--label", label,
                    env=pin)
        self.assertError(req("GET", key_url(label), role="app"), 409, "key_ambiguous", label)
        self.assertError(op(label, "mac", {"mechanism": "AES_CMAC", "data": ""}), 409,
                         "key_ambiguous")
        listed = ok(req("GET", keys_url() + "?label=" + q(label), role="app"))["keys"]
        self.assertEqual(len(listed), 2)
        k = show("id:" + listed[0]["id"])
        self.assertEqual(k["id"], listed[0]["id"])
        # REST itself refuses to make a duplicate
        self.assertError(req("POST", keys_url(), {"type": "aes-128", "label": label},
                             role="operator"), 409, "key_exists")


class TestUpdateDelete(Base):
    def test_rename_and_narrow(self):
        label = uniq("upd")
        generate(label, "rsa-2048")
        new = uniq("renamed")
        r = req("PATCH", key_url(label), {"label": new}, role="operator")
        k = ok(r)["key"]
        self.assertEqual(k["label"], new)
        self.assertEqual([o["CKA_LABEL"] for o in k["objects"]], [new, new])
        self.assertError(req("GET", key_url(label), role="app"), 404, "key_not_found")
        # narrow: sign only on the private half; the public half keeps verify
        k = ok(req("PATCH", key_url(new), {"usage": ["sign", "verify"]}, role="operator"))["key"]
        pub, priv = k["objects"]
        self.assertEqual((priv["CKA_SIGN"], priv["CKA_DECRYPT"], priv["CKA_UNWRAP"]),
                         (True, False, False))
        self.assertEqual((pub["CKA_VERIFY"], pub["CKA_ENCRYPT"], pub["CKA_WRAP"]),
                         (True, False, False))
        self.assertError(op(new, "decrypt", {"mechanism": "RSA_PKCS_OAEP",
                                             "ciphertext": b64(b"\0" * 256)}),
                         400, "key_function_not_permitted")
        # widening a private half is refused and changes nothing
        r = req("PATCH", key_url(new), {"usage": ["sign", "decrypt"], "label": "never"},
                role="operator")
        self.assertError(r, 400, "attribute_read_only", "decrypt")
        k = show(new)
        self.assertIs(k["objects"][1]["CKA_DECRYPT"], False)
        self.assertEqual(k["label"], new)
        # the public half may widen (it holds no secret)
        k = ok(req("PATCH", key_url(new), {"usage": ["sign", "verify", "encrypt"]},
                   role="admin"))["key"]
        self.assertIs(k["objects"][0]["CKA_ENCRYPT"], True)

    def test_update_errors(self):
        a, b = uniq("ua"), uniq("ub")
        generate(a, "aes-128")
        generate(b, "aes-128")
        self.assertError(req("PATCH", key_url(a), {"label": b}, role="operator"), 409,
                         "key_exists", b)
        self.assertError(req("PATCH", key_url(a), {"usage": ["fly"]}, role="operator"), 400,
                         "bad_request", "usage")
        self.assertError(req("PATCH", key_url(a), {"colour": 1}, role="operator"), 400,
                         "bad_json", "colour")
        self.assertError(req("PATCH", key_url(a), {"label": "\x01"}, role="operator"), 400,
                         "bad_request", "label")
        self.assertError(req("PATCH", key_url(a), {"label": "z"}, role="app"), 403, "forbidden")
        self.assertError(req("PATCH", key_url("nope"), {"label": "z"}, role="operator"), 404,
                         "key_not_found")
        # renaming to its own label is fine
        self.assertEqual(req("PATCH", key_url(a), {"label": a}, role="operator").status, 200)

    def test_delete(self):
        label = uniq("del")
        generate(label, "ec-p256")
        for role in ("app", "auditor"):
            self.assertError(req("DELETE", key_url(label), role=role), 403, "forbidden")
        r = req("DELETE", key_url(label), role="operator")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        self.assertError(req("GET", key_url(label), role="app"), 404, "key_not_found")
        self.assertEqual(ok(req("GET", keys_url() + "?label=" + q(label), role="app"))["keys"], [])
        self.assertError(req("DELETE", key_url(label), role="operator"), 404, "key_not_found")
        self.assertError(req("DELETE", key_url(label, token="nosuch"), role="operator"), 404,
                         "token_not_found")


class TestImport(Base):
    def test_public_pem(self):
        keys = [("rsa", rsa.generate_private_key(65537, 2048), "rsa", 2048),
                ("ec", ec.generate_private_key(ec.SECP384R1()), "ec", 384),
                ("ed", ed25519.Ed25519PrivateKey.generate(), "ec-edwards", 255)]
        for name, priv, family, bits in keys:
            label = uniq("pub-" + name)
            pem = priv.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
            r = req("POST", keys_url() + "/import", {"label": label, "public_key_pem": pem.decode()},
                    role="operator")
            k = ok(r, 201)["key"]
            (o,) = k["objects"]
            self.assertEqual((o["class"], o["type"], o["bits"]), ("public", family, bits))
            self.assertEqual(o["usage"], ["verify", "encrypt", "wrap"])
            self.assertEqual(show(label)["public_key_pem"].encode(), pem)
        # usage restricted, id given
        label = uniq("pub-verify-only")
        pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        k = ok(req("POST", keys_url() + "/import", {"label": label, "public_key_pem": pem,
                                                   "usage": ["verify"], "id": "c0ffee"},
                   role="operator"), 201)["key"]
        self.assertEqual((k["id"], k["objects"][0]["usage"]), ("c0ffee", ["verify"]))

    def test_public_pem_errors(self):
        u = keys_url() + "/import"
        pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        x = x25519.X25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        k1 = ec.generate_private_key(ec.SECP256K1()).public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        cases = [
            ({"label": "i1", "public_key_pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n"
              "-----END PUBLIC KEY-----\n"}, 400, "bad_request", "public_key_pem"),
            ({"label": "i1", "public_key_pem": pem, "type": "ec-p256"}, 400, "bad_request", "type"),
            ({"label": "i1", "public_key_pem": pem, "usage": ["sign"]}, 400, "bad_request",
             "usage"),
            ({"public_key_pem": pem}, 400, "bad_json", "label"),
            ({"label": "i1", "public_key_pem": x}, 400, "key_type_inconsistent", None),
            ({"label": "i1", "public_key_pem": k1}, 400, "curve_not_supported", None),
        ]
        for body, status, code, field in cases:
            self.assertError(req("POST", u, body, role="operator"), status, code, field)
        self.assertError(req("POST", u, {"label": "i1", "public_key_pem": pem}, role="app"),
                         403, "forbidden")

    def test_wrapped_rsa_oaep_and_kwp(self):
        value = os.urandom(32)
        label = import_secret(value, "aes-256", usage=["encrypt", "decrypt"])
        (o,) = show(label)["objects"]
        self.assertEqual((o["CKA_ENCRYPT"], o["CKA_SIGN"], o["CKA_EXTRACTABLE"]),
                         (True, False, False))
        iv = os.urandom(16)
        ct = ub64(ok(op(label, "encrypt", {"mechanism": "AES_CBC_PAD", "plaintext": b64(b"x" * 20),
                                          "iv": b64(iv)}))["ciphertext"])
        d = Cipher(algorithms.AES(value), modes.CBC(iv)).decryptor()
        unpad = sympad.PKCS7(128).unpadder()
        self.assertEqual(unpad.update(d.update(ct) + d.finalize()) + unpad.finalize(), b"x" * 20)

    def test_wrapped_private_keys(self):
        for t, priv in (("ec-p256", ec.generate_private_key(ec.SECP256R1())),
                        ("ed25519", ed25519.Ed25519PrivateKey.generate()),
                        ("rsa-2048", rsa.generate_private_key(65537, 2048))):
            label, k = import_private(priv, t)
            self.assertEqual(k["type"], t)
            self.assertEqual([o["class"] for o in k["objects"]], ["public", "private"])
            mine = priv.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
            self.assertEqual(show(label)["public_key_pem"].encode(), mine)

    def test_wrapped_errors(self):
        kek_label, kek = aes_kek()
        u = keys_url() + "/import"
        good = aes_key_wrap_with_padding(kek, os.urandom(16))
        base = {"label": "w1", "type": "aes-128", "wrapped": b64(good),
                "wrapping_key": kek_label, "mechanism": "AES_KEY_WRAP_PAD"}

        def with_(**kw):
            b = dict(base)
            b.update(kw)
            return {k: v for k, v in b.items() if v is not None}
        bad = bytearray(good)
        bad[3] ^= 1
        cases = [
            (with_(wrapped=b64(bytes(bad))), 400, "wrapped_key_invalid", None),
            (with_(type="aes-256"), 400, "wrapped_key_invalid", None),
            (with_(wrapped="not base64!"), 400, "bad_json", "wrapped"),
            (with_(mechanism="AES_GCM"), 400, "mechanism_invalid", None),
            (with_(mechanism="NO_SUCH_MECH"), 400, "mechanism_invalid", "NO_SUCH_MECH"),
            (with_(hash="sha256"), 400, "bad_request", "hash"),
            (with_(wrapping_key="no-such-kek"), 404, "key_not_found", "no-such-kek"),
            (with_(type=None), 400, "bad_json", "type"),
            (with_(wrapping_key=None), 400, "bad_json", "wrapping_key"),
            (with_(iv="AAAA"), 400, "bad_json", "iv"),
        ]
        for body, status, code, field in cases:
            self.assertError(req("POST", u, body, role="operator"), status, code, field)
        self.assertEqual(ok(req("GET", keys_url() + "?label=w1", role="app"))["keys"], [],
                         "a refused import left an object behind")
        # the same through the unwrap operation (app role), then a 409 for the label
        r = op(kek_label, "unwrap", {"label": "w2", "type": "aes-128", "wrapped": b64(good),
                                     "mechanism": "AES_KEY_WRAP_PAD"})
        self.assertEqual(ok(r, 201)["key"]["type"], "aes-128")
        self.assertError(op(kek_label, "unwrap", {"label": "w2", "type": "aes-128",
                                                  "wrapped": b64(good),
                                                  "mechanism": "AES_KEY_WRAP_PAD"}),
                         409, "key_exists")
        self.assertError(op(kek_label, "unwrap", {"label": "w3", "type": "aes-128",
                                                  "wrapped": b64(good),
                                                  "mechanism": "AES_KEY_WRAP_PAD"},
                            role="operator"), 403, "forbidden")


class TestSignVerify(Base):
    def test_ecdsa_der_raw_pem_jwk(self):
        for t, curve, h, mech in (("ec-p256", ec.SECP256R1(), hashes.SHA256, "ECDSA_SHA256"),
                                  ("ec-p384", ec.SECP384R1(), hashes.SHA384, "ecdsa_sha384"),
                                  ("ec-p521", ec.SECP521R1(), hashes.SHA512, "ECDSA_SHA512")):
            label = uniq("sig-" + t)
            generate(label, t)
            k = show(label)
            pem_key = serialization.load_pem_public_key(k["public_key_pem"].encode())
            jwk = k["jwk"]
            jwk_key = ec.EllipticCurvePublicNumbers(int.from_bytes(ub64url(jwk["x"]), "big"),
                                                    int.from_bytes(ub64url(jwk["y"]), "big"),
                                                    curve).public_key()
            data = os.urandom(100)
            der = ub64(ok(op(label, "sign", {"mechanism": mech, "data": b64(data)}))["signature"])
            self.assertEqual(der[0], 0x30)
            pem_key.verify(der, data, ec.ECDSA(h()))
            jwk_key.verify(der, data, ec.ECDSA(h()))
            raw = ub64(ok(op(label, "sign", {"mechanism": mech, "data": b64(data),
                                             "format": "raw"}))["signature"])
            n = (curve.key_size + 7) // 8
            self.assertEqual(len(raw), 2 * n)
            pem_key.verify(utils.encode_dss_signature(int.from_bytes(raw[:n], "big"),
                                                      int.from_bytes(raw[n:], "big")),
                           data, ec.ECDSA(h()))
            with self.assertRaises(InvalidSignature):
                pem_key.verify(der, data + b"!", ec.ECDSA(h()))
            for sig in (der, raw):
                v = ok(op(label, "verify", {"mechanism": mech, "data": b64(data),
                                            "signature": b64(sig)}))
                self.assertIs(v["valid"], True)
                v = ok(op(label, "verify", {"mechanism": mech, "data": b64(data + b"!"),
                                            "signature": b64(sig)}))
                self.assertIs(v["valid"], False)
        # ECDSA on a prehashed value
        label = uniq("sig-raw-ecdsa")
        generate(label, "ec-p256")
        digest = hashlib.sha256(b"abc").digest()
        der = ub64(ok(op(label, "sign", {"mechanism": "ECDSA", "data": b64(digest)}))["signature"])
        public_key_of(label).verify(der, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))

    def test_rsa_pss_pkcs1(self):
        label = uniq("sig-rsa")
        generate(label, "rsa-2048")
        k = show(label)
        pub = serialization.load_pem_public_key(k["public_key_pem"].encode())
        jwk = rsa.RSAPublicNumbers(int.from_bytes(ub64url(k["jwk"]["e"]), "big"),
                                   int.from_bytes(ub64url(k["jwk"]["n"]), "big")).public_key()
        data = os.urandom(300)
        for mech, h in (("SHA256_RSA_PKCS_PSS", hashes.SHA256), ("SHA512_RSA_PKCS_PSS", hashes.SHA512),
                        ("SHA1_RSA_PKCS_PSS", hashes.SHA1)):
            sig = ub64(ok(op(label, "sign", {"mechanism": mech, "data": b64(data)}))["signature"])
            for key in (pub, jwk):
                key.verify(sig, data, padding.PSS(mgf=padding.MGF1(h()), salt_length=h().digest_size),
                           h())
        for hname in ("sha256", "sha384"):
            h = HASHES[hname]
            digest = hashlib.new(hname, data).digest()
            sig = ub64(ok(op(label, "sign", {"mechanism": "RSA_PKCS_PSS", "data": b64(digest),
                                             "hash": hname}))["signature"])
            pub.verify(sig, digest, padding.PSS(mgf=padding.MGF1(h()), salt_length=h().digest_size),
                       utils.Prehashed(h()))
        sig = ub64(ok(op(label, "sign", {"mechanism": "SHA256_RSA_PKCS", "data": b64(data)}))
                   ["signature"])
        pub.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
        self.assertIs(ok(op(label, "verify", {"mechanism": "SHA256_RSA_PKCS", "data": b64(data),
                                              "signature": b64(sig)}))["valid"], True)
        bad = bytearray(sig)
        bad[10] ^= 0x40
        self.assertIs(ok(op(label, "verify", {"mechanism": "SHA256_RSA_PKCS", "data": b64(data),
                                              "signature": b64(bytes(bad))}))["valid"], False)
        self.assertError(op(label, "verify", {"mechanism": "SHA256_RSA_PKCS", "data": b64(data),
                                              "signature": b64(sig[:100])}), 400, "data_len_range")
        self.assertError(op(label, "sign", {"mechanism": "SHA256_RSA_PKCS_PSS", "data": b64(data),
                                            "hash": "sha384"}), 400, "bad_request", "hash")
        self.assertError(op(label, "sign", {"mechanism": "RSA_PKCS_PSS", "data": b64(digest),
                                            "hash": "md5"}), 400, "bad_request", "hash")
        self.assertError(op(label, "sign", {"mechanism": "SHA256_RSA_PKCS", "data": b64(data),
                                            "format": "pem"}), 400, "bad_request", "format")

    def test_eddsa(self):
        for t, cls in (("ed25519", ed25519.Ed25519PublicKey), ("ed448", ed448.Ed448PublicKey)):
            label = uniq("sig-" + t)
            generate(label, t)
            k = show(label)
            data = os.urandom(64)
            sig = ub64(ok(op(label, "sign", {"mechanism": "EDDSA", "data": b64(data)}))["signature"])
            serialization.load_pem_public_key(k["public_key_pem"].encode()).verify(sig, data)
            cls.from_public_bytes(ub64url(k["jwk"]["x"])).verify(sig, data)

    def test_server_verifies_python_signatures(self):
        data = os.urandom(77)
        ecp = ec.generate_private_key(ec.SECP256R1())
        rsp = rsa.generate_private_key(65537, 2048)
        edp = ed25519.Ed25519PrivateKey.generate()
        sigs = [
            (ecp, "ECDSA_SHA256", ecp.sign(data, ec.ECDSA(hashes.SHA256()))),
            (rsp, "SHA256_RSA_PKCS_PSS", rsp.sign(data, padding.PSS(
                mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())),
            (rsp, "SHA384_RSA_PKCS", rsp.sign(data, padding.PKCS1v15(), hashes.SHA384())),
            (edp, "EDDSA", edp.sign(data)),
        ]
        labels = {}
        for priv, mech, sig in sigs:
            if id(priv) not in labels:
                labels[id(priv)] = uniq("pyverify")
                pem = priv.public_key().public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
                ok(req("POST", keys_url() + "/import",
                       {"label": labels[id(priv)], "public_key_pem": pem.decode()},
                       role="operator"), 201)
            label = labels[id(priv)]
            self.assertIs(ok(op(label, "verify", {"mechanism": mech, "data": b64(data),
                                                  "signature": b64(sig)}))["valid"], True, mech)
            self.assertIs(ok(op(label, "verify", {"mechanism": mech, "data": b64(data[1:]),
                                                  "signature": b64(sig)}))["valid"], False, mech)
            # a public key alone cannot sign
            self.assertError(op(label, "sign", {"mechanism": mech, "data": b64(data)}), 400,
                             "key_type_inconsistent")
        # the raw r||s form of Python's ECDSA signature verifies too
        r, s = utils.decode_dss_signature(sigs[0][2])
        raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        self.assertIs(ok(op(labels[id(ecp)], "verify", {"mechanism": "ECDSA_SHA256",
                                                        "data": b64(data),
                                                        "signature": b64(raw)}))["valid"], True)

    def test_sign_errors_and_roles(self):
        label = uniq("sig-err")
        generate(label, "ec-p256")
        body = {"mechanism": "ECDSA_SHA256", "data": b64(b"abc")}
        self.assertError(op(label, "sign", body, role="operator"), 403, "forbidden")
        self.assertError(op(label, "sign", body, role="auditor"), 403, "forbidden")
        self.assertEqual(op(label, "sign", body, role="admin").status, 200)
        self.assertError(op(label, "sign", body, role=None), 401, "unauthenticated")
        self.assertError(op("nope", "sign", body), 404, "key_not_found", "nope")
        self.assertError(op(label, "sign", body, token="nosuch"), 404, "token_not_found")
        self.assertError(op(label, "sign", body, role="app-other"), 404, "token_not_found")
        self.assertError(op(label, "sign", {"mechanism": "ECDSA_SHA256"}), 400, "bad_json", "data")
        self.assertError(op(label, "sign", {"data": b64(b"x")}), 400, "bad_json", "mechanism")
        self.assertError(op(label, "sign", {"mechanism": "ECDSA_SHA256", "data": "###"}), 400,
                         "bad_json", "data")
        self.assertError(op(label, "sign", {"mechanism": "BOGUS", "data": ""}), 400,
                         "mechanism_invalid", "BOGUS")
        self.assertError(op(label, "sign", {"mechanism": "SHA256_RSA_PKCS", "data": ""}), 400,
                         "key_type_inconsistent")
        self.assertError(op(label, "sign", {"mechanism": "ECDSA_SHA256", "data": "", "iv": ""}),
                         400, "bad_json", "iv")
        self.assertError(op(label, "sign", dict(body, hash="sha256")), 400, "bad_request", "hash")
        self.assertError(op(label, "verify", {"mechanism": "ECDSA_SHA256", "data": b64(b"abc")}),
                         400, "bad_json", "signature")
        # the 1 MiB input limit: just over it is refused, the body itself still fits
        big = b64(b"\0" * ((1 << 20) + 1))
        self.assertError(op(label, "sign", {"mechanism": "ECDSA_SHA256", "data": big}), 400,
                         "data_len_range", "data")
        r = op(label, "sign", {"mechanism": "ECDSA_SHA256", "data": b64(b"\0" * (1 << 20))})
        self.assertEqual(r.status, 200, r)
        # a body over the server's limit is refused from its Content-Length alone
        c = SRV.connection(timeout=30)
        try:
            c.putrequest("POST", key_url(label, "sign"))
            c.putheader("Authorization", "Bearer " + SRV.keys["app"])
            c.putheader("Content-Type", "application/json")
            c.putheader("Content-Length", str(3 << 20))
            c.endheaders()
            resp = c.getresponse()
            body = json.loads(resp.read())
        finally:
            c.close()
        self.assertEqual((resp.status, body["error"]["code"]), (413, "body_too_large"))


class TestCiphers(Base):
    def setUp(self):
        self.value = os.urandom(32)
        self.label = import_secret(self.value, "aes-256")

    def test_gcm_both_ways(self):
        data, aad = os.urandom(1000), b"header"
        r = ok(op(self.label, "encrypt", {"mechanism": "AES_GCM", "plaintext": b64(data),
                                         "aad": b64(aad)}))
        iv, ct = ub64(r["iv"]), ub64(r["ciphertext"])
        self.assertEqual(len(iv), 12)
        self.assertEqual(len(ct), len(data) + 16)
        self.assertEqual(AESGCM(self.value).decrypt(iv, ct, aad), data)
        # Python → server, given IV, then IV at the front of the ciphertext
        iv2 = os.urandom(12)
        ct2 = AESGCM(self.value).encrypt(iv2, data, aad)
        for body in ({"iv": b64(iv2), "ciphertext": b64(ct2)}, {"ciphertext": b64(iv2 + ct2)}):
            body.update({"mechanism": "AES_GCM", "aad": b64(aad)})
            self.assertEqual(ub64(ok(op(self.label, "decrypt", body))["plaintext"]), data)
        bad = bytearray(ct2)
        bad[-1] ^= 1
        self.assertError(op(self.label, "decrypt", {"mechanism": "AES_GCM", "iv": b64(iv2),
                                                   "aad": b64(aad), "ciphertext": b64(bytes(bad))}),
                         400, "encrypted_data_invalid")
        self.assertError(op(self.label, "decrypt", {"mechanism": "AES_GCM", "iv": b64(iv2),
                                                   "aad": b64(b"other"), "ciphertext": b64(ct2)}),
                         400, "encrypted_data_invalid")
        # a shorter tag
        r = ok(op(self.label, "encrypt", {"mechanism": "AES_GCM", "plaintext": b64(data),
                                         "tag_bits": 96, "iv": b64(iv2)}))
        self.assertEqual(ub64(r["iv"]), iv2)
        self.assertEqual(len(ub64(r["ciphertext"])), len(data) + 12)

    def test_cbc_pad_ctr_cbc(self):
        data = os.urandom(45)
        r = ok(op(self.label, "encrypt", {"mechanism": "AES_CBC_PAD", "plaintext": b64(data)}))
        iv, ct = ub64(r["iv"]), ub64(r["ciphertext"])
        self.assertEqual((len(iv), len(ct)), (16, 48))
        d = Cipher(algorithms.AES(self.value), modes.CBC(iv)).decryptor()
        unpad = sympad.PKCS7(128).unpadder()
        self.assertEqual(unpad.update(d.update(ct) + d.finalize()) + unpad.finalize(), data)
        p = sympad.PKCS7(128).padder()
        iv = os.urandom(16)
        e = Cipher(algorithms.AES(self.value), modes.CBC(iv)).encryptor()
        ct = e.update(p.update(data) + p.finalize()) + e.finalize()
        self.assertEqual(ub64(ok(op(self.label, "decrypt", {"mechanism": "AES_CBC_PAD",
                                                            "ciphertext": b64(iv + ct)}))
                              ["plaintext"]), data)
        bad = iv + ct[:-16] + bytes(16)
        self.assertError(op(self.label, "decrypt", {"mechanism": "AES_CBC_PAD",
                                                   "ciphertext": b64(bad)}),
                         400, "encrypted_data_invalid")
        r = ok(op(self.label, "encrypt", {"mechanism": "AES_CTR", "plaintext": b64(data)}))
        d = Cipher(algorithms.AES(self.value), modes.CTR(ub64(r["iv"]))).decryptor()
        self.assertEqual(d.update(ub64(r["ciphertext"])) + d.finalize(), data)
        block = os.urandom(32)
        r = ok(op(self.label, "encrypt", {"mechanism": "AES_CBC", "plaintext": b64(block),
                                         "iv": b64(bytes(16))}))
        d = Cipher(algorithms.AES(self.value), modes.CBC(bytes(16))).decryptor()
        self.assertEqual(d.update(ub64(r["ciphertext"])) + d.finalize(), block)
        self.assertError(op(self.label, "encrypt", {"mechanism": "AES_CBC",
                                                   "plaintext": b64(b"odd")}), 400,
                         "data_len_range")

    def test_cipher_field_errors(self):
        pt = b64(b"hello")
        cases = [
            ({"mechanism": "AES_CBC_PAD", "plaintext": pt, "aad": b64(b"a")}, "bad_request", "aad"),
            ({"mechanism": "AES_CBC_PAD", "plaintext": pt, "tag_bits": 96}, "bad_request",
             "tag_bits"),
            ({"mechanism": "AES_CBC_PAD", "plaintext": pt, "hash": "sha256"}, "bad_request", "hash"),
            ({"mechanism": "AES_GCM", "plaintext": pt, "oaep_label": ""}, "bad_request",
             "oaep_label"),
            ({"mechanism": "AES_GCM", "plaintext": pt, "tag_bits": 200}, "bad_json", "tag_bits"),
            ({"mechanism": "AES_GCM", "plaintext": pt, "iv": ""}, "bad_request", "iv"),
            ({"mechanism": "AES_GCM", "plaintext": pt, "iv": b64(bytes(129))}, "data_len_range",
             "iv"),
            ({"mechanism": "AES_CTR", "plaintext": pt, "iv": b64(bytes(12))},
             "mechanism_param_invalid", "iv"),
            ({"mechanism": "AES_GCM"}, "bad_json", "plaintext"),
            ({"mechanism": "AES_GCM", "plaintext": pt, "data": pt}, "bad_json", "data"),
        ]
        for body, code, field in cases:
            self.assertError(op(self.label, "encrypt", body), 400, code, field)
        self.assertError(op(self.label, "decrypt", {"mechanism": "AES_GCM",
                                                   "ciphertext": b64(bytes(5))}),
                         400, "data_len_range")
        self.assertError(op(self.label, "encrypt", {"mechanism": "AES_GCM", "plaintext": pt},
                            role="operator"), 403, "forbidden")
        self.assertError(op(self.label, "decrypt", {"mechanism": "AES_GCM",
                                                   "ciphertext": b64(bytes(40))},
                            role="auditor"), 403, "forbidden")

    def test_rsa_oaep_both_ways(self):
        priv = rsa.generate_private_key(65537, 2048)
        label, _ = import_private(priv, "rsa-2048")
        gen = uniq("oaep-gen")
        generate(gen, "rsa-2048")
        gen_pub = public_key_of(gen)
        for hname, h in HASHES.items():
            for olabel in (None, b"context"):
                pad = padding.OAEP(mgf=padding.MGF1(h()), algorithm=h(), label=olabel)
                body = {"mechanism": "RSA_PKCS_OAEP", "plaintext": b64(b"secret " + hname.encode()),
                        "hash": hname}
                if olabel:
                    body["oaep_label"] = b64(olabel)
                r = ok(op(label, "encrypt", body))
                self.assertIsNone(r["iv"])
                self.assertEqual(priv.decrypt(ub64(r["ciphertext"]), pad), b"secret " + hname.encode())
                ct = gen_pub.encrypt(b"to server " + hname.encode(), pad)
                dbody = {"mechanism": "RSA_PKCS_OAEP", "ciphertext": b64(ct), "hash": hname}
                if olabel:
                    dbody["oaep_label"] = b64(olabel)
                self.assertEqual(ub64(ok(op(gen, "decrypt", dbody))["plaintext"]),
                                 b"to server " + hname.encode())
        ct = gen_pub.encrypt(b"x", padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                                algorithm=hashes.SHA256(), label=b"a"))
        self.assertError(op(gen, "decrypt", {"mechanism": "RSA_PKCS_OAEP", "ciphertext": b64(ct)}),
                         400, "encrypted_data_invalid")
        self.assertError(op(gen, "encrypt", {"mechanism": "RSA_PKCS_OAEP", "plaintext": b64(b"x"),
                                             "iv": b64(bytes(16))}), 400, "bad_request", "iv")


class TestMacWrapDerive(Base):
    def test_hmac_and_cmac(self):
        value = os.urandom(40)
        label = import_secret(value, "generic-secret")
        data = os.urandom(333)
        for mech, h in (("SHA256_HMAC", "sha256"), ("sha512_hmac", "sha512"),
                        ("SHA_1_HMAC", "sha1")):
            mac = ub64(ok(op(label, "mac", {"mechanism": mech, "data": b64(data)}))["mac"])
            self.assertEqual(mac, hmac.new(value, data, h).digest())
            self.assertIs(ok(op(label, "verify", {"mechanism": mech, "data": b64(data),
                                                  "signature": b64(mac)}))["valid"], True)
        aes = import_secret(os.urandom(16), "aes-128", usage=["sign", "verify"])
        mac = ub64(ok(op(aes, "mac", {"mechanism": "AES_CMAC_GENERAL", "data": b64(data)}))["mac"])
        self.assertEqual(len(mac), 16)
        pair = uniq("mac-pair")
        generate(pair, "ec-p256")
        self.assertError(op(pair, "mac", {"mechanism": "SHA256_HMAC", "data": ""}), 400,
                         "key_type_inconsistent")
        self.assertError(op(label, "mac", {"mechanism": "SHA256_HMAC", "data": "", "x": 1}), 400,
                         "bad_json", "x")
        self.assertError(op(label, "mac", {"mechanism": "SHA256_HMAC", "data": ""},
                            role="operator"), 403, "forbidden")

    def test_wrap_kwp_both_ways(self):
        kek_label, kek = aes_kek()
        # server wraps an extractable AES key; Python unwraps (RFC 5649) and uses it
        t = uniq("wrap-target")
        generate(t, "aes-128", extractable=True)
        wrapped = ub64(ok(op(kek_label, "wrap", {"mechanism": "AES_KEY_WRAP_PAD", "key": t}))
                       ["wrapped"])
        value = aes_key_unwrap_with_padding(kek, wrapped)
        self.assertEqual(len(value), 16)
        r = ok(op(t, "encrypt", {"mechanism": "AES_GCM", "plaintext": b64(b"wrapped ok")}))
        self.assertEqual(AESGCM(value).decrypt(ub64(r["iv"]), ub64(r["ciphertext"]), None),
                         b"wrapped ok")
        # RFC 3394 too, for a 16-byte key
        w3394 = ub64(ok(op(kek_label, "wrap", {"mechanism": "AES_KEY_WRAP", "key": t}))["wrapped"])
        self.assertEqual(len(w3394), 24)
        # the private half of an extractable pair leaves as PKCS#8
        p = uniq("wrap-ec")
        generate(p, "ec-p256", extractable=True)
        der = aes_key_unwrap_with_padding(kek, ub64(ok(op(kek_label, "wrap", {
            "mechanism": "AES_KEY_WRAP_PAD", "key": p}))["wrapped"]))
        priv = serialization.load_der_private_key(der, None)
        self.assertEqual(priv.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
            show(p)["public_key_pem"])
        # and back: Python wraps, the server imports under a new label
        y = os.urandom(24)
        lab = uniq("kwp-in")
        ok(req("POST", keys_url() + "/import", {"label": lab, "type": "aes-192",
                                               "wrapped": b64(aes_key_wrap_with_padding(kek, y)),
                                               "wrapping_key": kek_label,
                                               "mechanism": "AES_KEY_WRAP_PAD"},
               role="operator"), 201)
        r = ok(op(lab, "encrypt", {"mechanism": "AES_GCM", "plaintext": b64(b"y")}))
        self.assertEqual(AESGCM(y).decrypt(ub64(r["iv"]), ub64(r["ciphertext"]), None), b"y")
        # OAEP wrap of a secret key with a token RSA public key
        kek_rsa, _ = rsa_kek()
        w = ok(op(kek_rsa, "wrap", {"mechanism": "RSA_PKCS_OAEP", "key": t, "hash": "sha256"}))
        self.assertEqual(len(ub64(w["wrapped"])), 256)

    def test_wrap_errors(self):
        kek_label, _ = aes_kek()
        locked = uniq("not-extractable")
        generate(locked, "aes-128")
        self.assertError(op(kek_label, "wrap", {"mechanism": "AES_KEY_WRAP_PAD", "key": locked}),
                         403, "key_unextractable")
        self.assertError(op(kek_label, "wrap", {"mechanism": "AES_KEY_WRAP_PAD", "key": "ghost"}),
                         404, "key_not_found", "ghost")
        self.assertError(op(kek_label, "wrap", {"mechanism": "AES_GCM", "key": locked}), 400,
                         "mechanism_invalid")
        self.assertError(op(kek_label, "wrap", {"mechanism": "AES_KEY_WRAP_PAD"}), 400,
                         "bad_json", "key")
        pair = uniq("wrap-with-ec")
        generate(pair, "ec-p256")
        self.assertError(op(pair, "wrap", {"mechanism": "AES_KEY_WRAP_PAD", "key": locked}), 400,
                         "key_type_inconsistent")
        self.assertError(op(kek_label, "wrap", {"mechanism": "AES_KEY_WRAP_PAD", "key": locked},
                            role="operator"), 403, "forbidden")

    def test_ecdh(self):
        base = uniq("ecdh")
        generate(base, "ec-p256")
        server_pub = public_key_of(base)
        peer = ec.generate_private_key(ec.SECP256R1())
        shared = peer.exchange(ec.ECDH(), server_pub)
        peer_pem = peer.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        point = peer.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        msg = b"agree?"
        # generic secret from a PEM: HMAC under it equals Python's HMAC under the shared secret
        d1 = uniq("derived")
        k = ok(op(base, "derive", {"mechanism": "ECDH1_DERIVE", "public_key_pem": peer_pem,
                                   "label": d1, "type": "generic-secret"}), 201)["key"]
        self.assertEqual((k["type"], k["objects"][0]["bits"]), ("generic-secret", 256))
        mac = ub64(ok(op(d1, "mac", {"mechanism": "SHA256_HMAC", "data": b64(msg)}))["mac"])
        self.assertEqual(mac, hmac.new(shared, msg, "sha256").digest())
        # 128 bits: the trailing 16 bytes of the shared secret
        d2 = uniq("derived-128")
        ok(op(base, "derive", {"mechanism": "ECDH1_DERIVE", "public_point": b64(point),
                               "label": d2, "type": "generic-secret", "bits": 128}), 201)
        mac = ub64(ok(op(d2, "mac", {"mechanism": "SHA256_HMAC", "data": b64(msg)}))["mac"])
        self.assertEqual(mac, hmac.new(shared[-16:], msg, "sha256").digest())
        # an AES key from the raw point; Python decrypts with the shared secret
        d3 = uniq("derived-aes")
        k = ok(op(base, "derive", {"mechanism": "ecdh1_derive", "public_point": b64(point),
                                   "label": d3, "type": "aes-256", "usage": ["encrypt"]}),
               201)["key"]
        self.assertEqual(k["objects"][0]["usage"], ["encrypt"])
        r = ok(op(d3, "encrypt", {"mechanism": "AES_GCM", "plaintext": b64(b"ecdh!")}))
        self.assertEqual(AESGCM(shared).decrypt(ub64(r["iv"]), ub64(r["ciphertext"]), None),
                         b"ecdh!")
        # errors
        other_curve = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        body = {"mechanism": "ECDH1_DERIVE", "label": uniq("dx"), "type": "aes-256"}
        cases = [
            (dict(body), 400, "bad_request", "public_point"),
            (dict(body, public_point=b64(point), public_key_pem=peer_pem), 400, "bad_request",
             "public_key_pem"),
            (dict(body, public_point=b64(point), type="rsa-2048"), 400, "bad_request", "type"),
            (dict(body, public_point=b64(point), bits=128), 400, "bad_request", "bits"),
            (dict(body, public_point=b64(point), mechanism="ECDSA"), 400, "mechanism_invalid", None),
            (dict(body, public_point=b64(other_curve)), 400, "mechanism_param_invalid", None),
            (dict(body, public_key_pem="nope"), 400, "bad_request", "public_key_pem"),
            (dict(body, public_point=b64(point), label=d1), 409, "key_exists", d1),
            (dict(body, public_point=b64(point), kdf="sha256"), 400, "bad_json", "kdf"),
        ]
        for b, status, code, field in cases:
            self.assertError(op(base, "derive", b), status, code, field)
        aes = uniq("no-ecdh")
        generate(aes, "aes-256")
        self.assertError(op(aes, "derive", dict(body, public_point=b64(point))), 400,
                         "key_type_inconsistent")
        self.assertError(op(base, "derive", dict(body, public_point=b64(point)), role="operator"),
                         403, "forbidden")


class TestRestart(Base):
    def test_keys_persist(self):
        with Server(tokens=("keep",), roles=("admin", "operator", "app")) as srv:
            def r(method, path, body=None, role="admin"):
                return srv.request(method, path, body=body, key=srv.keys[role])
            k = r("POST", "/v1/tokens/keep/keys", {"type": "ec-p256", "label": "stay"},
                  role="operator")
            self.assertEqual(k.status, 201, k)
            pem1 = r("GET", "/v1/tokens/keep/keys/stay").json["key"]["public_key_pem"]
            self.assertEqual(r("POST", "/v1/tokens/keep/keys", {"type": "aes-128", "label": "gone"},
                               role="operator").status, 201)
            self.assertEqual(r("DELETE", "/v1/tokens/keep/keys/gone", role="operator").status, 204)
            self.assertEqual(srv.stop(), 0)
            srv.start()
            shown = r("GET", "/v1/tokens/keep/keys/stay")
            self.assertEqual(shown.status, 200, shown)
            self.assertEqual(shown.json["key"]["public_key_pem"], pem1)
            self.assertEqual(r("GET", "/v1/tokens/keep/keys/gone").code, "key_not_found")
            data = b"after restart"
            sig = r("POST", "/v1/tokens/keep/keys/stay/sign",
                    {"mechanism": "ECDSA_SHA256", "data": b64(data)}, role="app")
            self.assertEqual(sig.status, 200, sig)
            serialization.load_pem_public_key(pem1.encode()).verify(
                ub64(sig.json["signature"]), data, ec.ECDSA(hashes.SHA256()))


if __name__ == "__main__":
    unittest.main(verbosity=2)
