# SPDX-License-Identifier: Apache-2.0
"""The server keeps what a key name resolved to (src/server/keys.c) while the
token's objects stay as they were. These tests change the objects behind a
name the server has just used, through the server itself and through the CLI
(another process on the same store), and check that the very next request
sees the change: a destroyed key is 404, a renamed key answers to its new
name only, a key re-created under the old name is the one that signs (its
signature verifies with the new public key, exported by the CLI, and not
with the old one), and a second key under the same label makes the name
ambiguous (409).
"""
import base64
import hashlib
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, utils  # noqa: E402

from fhserver import Server  # noqa: E402

SRV = None
DIGEST = hashlib.sha256(b"resolution cache").digest()


def setUpModule():
    global SRV
    SRV = Server(tokens=("demo",))


def tearDownModule():
    if SRV is not None:
        SRV.stop_clean()


def req(method, path, body=None, role="admin"):
    return SRV.request(method, path, body=body, key=SRV.keys[role])


def key_url(name):
    return "/v1/tokens/demo/keys/" + urllib.parse.quote(name, safe="")


def sign(name):
    return req("POST", key_url(name) + "/sign",
               {"mechanism": "ECDSA", "data": base64.b64encode(DIGEST).decode()}, role="app")


def verifies(pub, sig_b64):
    der = base64.b64decode(sig_b64)  # the REST API answers ECDSA in DER
    try:
        pub.verify(der, DIGEST, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        return True
    except InvalidSignature:
        return False


def cli_public(name):
    """The public key as the CLI exports it (not through the server)."""
    p = SRV.cli("key", "export-public", "--token", "demo", "--key", name)
    return serialization.load_pem_public_key(p.stdout)


def generate(name, **extra):
    body = {"label": name, "type": "ec-p256"}
    body.update(extra)
    r = req("POST", "/v1/tokens/demo/keys", body, role="operator")
    assert r.status == 201, r
    return r


def warm(name):
    """Sign twice: the second request is served from the kept resolution."""
    for _ in range(2):
        r = sign(name)
        assert r.status == 200, r
    return r


class KeyCache(unittest.TestCase):
    def test_destroy_through_server(self):
        generate("c-del")
        warm("c-del")
        r = req("DELETE", key_url("c-del"), role="operator")
        self.assertEqual(r.status, 204, r)
        r = sign("c-del")
        self.assertEqual((r.status, r.code), (404, "key_not_found"), r)

    def test_rename_through_server(self):
        generate("c-old")
        pub = cli_public("c-old")
        warm("c-old")
        r = req("PATCH", key_url("c-old"), {"label": "c-new"}, role="operator")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sign("c-old").status, 404)
        r = sign("c-new")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(verifies(pub, r.json["signature"]))

    def test_recreated_by_another_process(self):
        generate("c-cli")
        old = cli_public("c-cli")
        r = warm("c-cli")
        self.assertTrue(verifies(old, r.json["signature"]))
        SRV.cli("key", "delete", "--token", "demo", "--key", "c-cli",
                env={"FERROHSM_PIN": "user-pin-demo"})
        self.assertEqual(sign("c-cli").status, 404)
        SRV.cli("key", "generate", "--token", "demo", "--type", "ec-p256", "--label", "c-cli",
                env={"FERROHSM_PIN": "user-pin-demo"})
        new = cli_public("c-cli")
        r = sign("c-cli")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(verifies(new, r.json["signature"]), "signed with the new key")
        self.assertFalse(verifies(old, r.json["signature"]), "not with the destroyed one")

    def test_destroyed_by_another_process_at_once(self):
        generate("c-gone")
        warm("c-gone")
        SRV.cli("key", "delete", "--token", "demo", "--key", "c-gone",
                env={"FERROHSM_PIN": "user-pin-demo"})
        r = sign("c-gone")
        self.assertEqual((r.status, r.code), (404, "key_not_found"), r)

    def test_second_key_same_label_is_ambiguous(self):
        generate("c-twin", id="0a0b")
        warm("c-twin")
        SRV.cli("key", "generate", "--token", "demo", "--type", "ec-p256", "--label", "c-twin",
                "--id", "0c0d", env={"FERROHSM_PIN": "user-pin-demo"})
        r = sign("c-twin")
        self.assertEqual((r.status, r.code), (409, "key_ambiguous"), r)
        # each one is still reachable by its id
        for kid in ("0a0b", "0c0d"):
            self.assertEqual(sign("id:" + kid).status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
