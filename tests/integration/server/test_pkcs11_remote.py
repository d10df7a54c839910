# SPDX-License-Identifier: Apache-2.0
"""The PKCS#11 module's remote slots against a real ferrohsm-server.

A server (fhserver.py) serves the token "demo"; a second FERROHSM_HOME holds
only the module's configuration: [remote.main] (an admin API key) and
[remote.app] (an app key), both pointing at the server with its CA
certificate. The module is loaded in this process with PyKCS11. Checked:
slot and token information, mechanisms from the server; login over the
protected authentication path; key generation through the slot; find and
attributes; signatures (ECDSA, RSA-PSS, EdDSA, HMAC) verified here with
python3-cryptography using the public key read from the slot; public keys
made here created through the slot (C_CreateObject: EC, RSA, Ed25519) and
verifying python3-cryptography's signatures; secret and private keys made
here created through the slot (sent wrapped for the token's import
transport key) and used by the server, checked here; C_UnwrapKey of a
private key; AES-GCM and
RSA-OAEP round trips; length queries; the same key used through the local
slot of the server's store (keys identical); refusals the REST API imposes;
a server restart (the operation during the outage fails with
CKR_DEVICE_ERROR, the next one succeeds); connection reuse (the module's
socket to the server stays the same across operations).
"""
import hashlib
import hmac
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import PyKCS11  # noqa: E402
except ImportError:  # python3-pykcs11 not installed: nothing to test with
    print("SKIP: PyKCS11 is not installed")
    sys.exit(77)
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding  # noqa: E402

from fhserver import Server, FAST_TOKEN_CONF  # noqa: E402

MODULE = os.environ.get("FERROHSM_PKCS11_MODULE", "")
SRV = None
LIB = None
HOME = None


def remote_conf(srv, home):
    admin = os.path.join(home, "admin.key")
    app = os.path.join(home, "app.key")
    for path, key in ((admin, srv.keys["admin"]), (app, srv.keys["app"])):
        with open(path, "w") as f:
            f.write(key + "\n")
        os.chmod(path, 0o600)
    cert = os.path.join(srv.home, "server", "cert.pem")
    url = "https://127.0.0.1:%d" % srv.port
    return FAST_TOKEN_CONF + """
[remote.main]
server = %s
token = demo
api_key = file:%s
cacert = %s
timeout_ms = 60000

[remote.app]
server = %s
token = demo
api_key = file:%s
cacert = %s
connections = 1
""" % (url, admin, cert, url, app, cert)


def setUpModule():
    global SRV, LIB, HOME
    if not MODULE:
        raise unittest.SkipTest("FERROHSM_PKCS11_MODULE is not set")
    SRV = Server(tokens=("demo",))
    HOME = tempfile.mkdtemp(prefix="ferrohsm-p11r.")
    with open(os.path.join(HOME, "ferrohsm.conf"), "w") as f:
        f.write(remote_conf(SRV, HOME))
    os.environ["FERROHSM_HOME"] = HOME
    os.environ.pop("FERROHSM_CONF", None)
    LIB = PyKCS11.PyKCS11Lib()
    LIB.load(MODULE)


def tearDownModule():
    if SRV is not None:
        SRV.stop_clean()


def ckr(e):
    return e.value if isinstance(e, PyKCS11.PyKCS11Error) else None


def slot_by_desc(word):
    for s in LIB.getSlotList():
        if word in LIB.getSlotInfo(s).slotDescription:
            return s
    raise AssertionError("no slot described with %r" % word)


def der_ec_point(raw):
    return raw[2:] if raw[0] == 0x04 and raw[1] == len(raw) - 2 else raw


class RemoteSlot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slot = slot_by_desc("remote main")
        cls.app_slot = slot_by_desc("remote app")
        cls.s = LIB.openSession(cls.slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
        cls.s.login(None)  # protected authentication path: the API key is the credential
        cls.n = 0

    def label(self):
        RemoteSlot.n += 1
        return "p11r-%d" % RemoteSlot.n

    def gen_pair(self, mech, pub_extra, label=None):
        label = label or self.label()
        pub_t = [(PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, label),
                 (PyKCS11.CKA_VERIFY, True)] + pub_extra
        priv_t = [(PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, label),
                  (PyKCS11.CKA_SIGN, True)]
        pub, priv = self.s.generateKeyPair(pub_t, priv_t, mecha=PyKCS11.Mechanism(mech, None))
        return pub, priv, label

    def public_key(self, pub):
        kt = self.s.getAttributeValue(pub, [PyKCS11.CKA_KEY_TYPE])[0]
        if kt == PyKCS11.CKK_RSA:
            n, e = self.s.getAttributeValue(pub, [PyKCS11.CKA_MODULUS, PyKCS11.CKA_PUBLIC_EXPONENT])
            return rsa.RSAPublicNumbers(int.from_bytes(bytes(e), "big"),
                                        int.from_bytes(bytes(n), "big")).public_key()
        point = der_ec_point(bytes(self.s.getAttributeValue(pub, [PyKCS11.CKA_EC_POINT])[0]))
        if kt == PyKCS11.CKK_EC:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        return ed25519.Ed25519PublicKey.from_public_bytes(point)

    # ---- slot, token, mechanisms ----
    def test_slot_token_info(self):
        # keys in the token, so that the server's count (a pair counts once) has work to do
        self.gen_pair(PyKCS11.CKM_EC_KEY_PAIR_GEN,
                      [(PyKCS11.CKA_EC_PARAMS, bytes.fromhex("06082a8648ce3d030107"))])
        self.gen_pair(PyKCS11.CKM_EC_EDWARDS_KEY_PAIR_GEN,
                      [(PyKCS11.CKA_EC_PARAMS, bytes.fromhex("06032b6570"))])
        self.s.generateKey([(PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, self.label()),
                            (PyKCS11.CKA_VALUE_LEN, 32)],
                           mecha=PyKCS11.Mechanism(PyKCS11.CKM_AES_KEY_GEN, None))
        self.assertGreaterEqual(self.slot, 0x7E000000)
        self.assertLess(self.slot, 0x7E010000)
        ti = LIB.getTokenInfo(self.slot)
        self.assertEqual(ti.label.strip(), "demo")
        self.assertEqual(ti.model.strip(), "remote")
        self.assertTrue(ti.flags & PyKCS11.CKF_PROTECTED_AUTHENTICATION_PATH)
        self.assertTrue(ti.flags & PyKCS11.CKF_LOGIN_REQUIRED)
        r = SRV.request("GET", "/v1/tokens/demo", key=SRV.keys["admin"])
        self.assertEqual(ti.serialNumber.strip(), r.json["token"]["serial"])
        self.assertEqual(r.json["counts"]["keys"], len(server_keys()))
        self.assertGreaterEqual(r.json["counts"]["keys"], 3)
        mechs = LIB.getMechanismList(self.slot)
        r = SRV.request("GET", "/v1/mechanisms", key=SRV.keys["admin"])
        want = {"CKM_" + m["name"] for m in r.json["mechanisms"]}
        self.assertEqual(set(mechs), want & set(mechs))
        self.assertEqual(len(mechs), len(r.json["mechanisms"]))
        mi = LIB.getMechanismInfo(self.slot, "CKM_ECDSA")
        self.assertTrue(mi.flags & PyKCS11.CKF_SIGN)
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            LIB.getMechanismInfo(self.slot, "CKM_DES3_CBC")
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_MECHANISM_INVALID)

    def test_login_state_machine(self):
        s2 = LIB.openSession(self.slot, PyKCS11.CKF_SERIAL_SESSION)
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            s2.login(None)
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_USER_ALREADY_LOGGED_IN)
        self.assertEqual(s2.getSessionInfo().state, PyKCS11.CKS_RO_USER_FUNCTIONS)
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            s2.initPin("1234")
        self.assertIn(ckr(e.exception), (PyKCS11.CKR_FUNCTION_NOT_SUPPORTED,))
        s2.closeSession()

    # ---- signatures verified independently ----
    def test_ecdsa_sign_verify(self):
        pub, priv, _ = self.gen_pair(PyKCS11.CKM_EC_KEY_PAIR_GEN,
                                     [(PyKCS11.CKA_EC_PARAMS, bytes.fromhex("06082a8648ce3d030107"))])
        data = b"remote ecdsa"
        sig = bytes(self.s.sign(priv, data, PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256, None)))
        self.assertEqual(len(sig), 64)  # raw r||s
        der = utils.encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        self.public_key(pub).verify(der, data, ec.ECDSA(hashes.SHA256()))
        self.assertTrue(self.s.verify(pub, data, sig, PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256, None)))
        self.assertFalse(self.s.verify(pub, data + b"!", sig,
                                       PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256, None)))

    def test_rsa_pss_and_oaep(self):
        pub, priv, _ = self.gen_pair(PyKCS11.CKM_RSA_PKCS_KEY_PAIR_GEN,
                                     [(PyKCS11.CKA_MODULUS_BITS, 2048), (PyKCS11.CKA_ENCRYPT, True)])
        data = b"remote pss"
        pss = PyKCS11.RSA_PSS_Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS_PSS, PyKCS11.CKM_SHA256,
                                        PyKCS11.CKG_MGF1_SHA256, 32)
        sig = bytes(self.s.sign(priv, data, pss))
        self.public_key(pub).verify(sig, data, padding.PSS(padding.MGF1(hashes.SHA256()), 32),
                                    hashes.SHA256())
        bad_salt = PyKCS11.RSA_PSS_Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS_PSS, PyKCS11.CKM_SHA256,
                                             PyKCS11.CKG_MGF1_SHA256, 20)
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            self.s.sign(priv, data, bad_salt)
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_MECHANISM_PARAM_INVALID)
        # OAEP: encrypted here with the slot's public key, decrypted through the slot
        ct = self.public_key(pub).encrypt(b"secret", padding.OAEP(padding.MGF1(hashes.SHA256()),
                                                                  hashes.SHA256(), None))
        oaep = PyKCS11.RSAOAEPMechanism(PyKCS11.CKM_SHA256, PyKCS11.CKG_MGF1_SHA256)
        self.assertEqual(bytes(self.s.decrypt(priv, ct, oaep)), b"secret")
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            self.s.encrypt(priv, b"x", oaep)  # a private key does not encrypt
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_KEY_TYPE_INCONSISTENT)
        ct2 = bytes(self.s.encrypt(pub, b"to the server", oaep))
        self.assertEqual(len(ct2), 256)

    def test_eddsa(self):
        pub, priv, _ = self.gen_pair(PyKCS11.CKM_EC_EDWARDS_KEY_PAIR_GEN,
                                     [(PyKCS11.CKA_EC_PARAMS, bytes.fromhex("06032b6570"))])
        sig = bytes(self.s.sign(priv, b"ed", PyKCS11.Mechanism(PyKCS11.CKM_EDDSA, None)))
        self.public_key(pub).verify(sig, b"ed")

    def test_aes_gcm_and_hmac(self):
        label = self.label()
        key = self.s.generateKey([(PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, label),
                                  (PyKCS11.CKA_VALUE_LEN, 32), (PyKCS11.CKA_ENCRYPT, True),
                                  (PyKCS11.CKA_DECRYPT, True)],
                                 mecha=PyKCS11.Mechanism(PyKCS11.CKM_AES_KEY_GEN, None))
        iv = os.urandom(12)
        gcm = PyKCS11.AES_GCM_Mechanism(iv, b"aad", 128)
        pt = b"x" * 1000
        ct = bytes(self.s.encrypt(key, pt, gcm))
        self.assertEqual(len(ct), len(pt) + 16)
        self.assertEqual(bytes(self.s.decrypt(key, ct, gcm)), pt)
        # CKA_VALUE never leaves the server
        a = [PyKCS11.LowLevel.CK_ATTRIBUTE_SMART()]
        a[0].SetType(PyKCS11.CKA_VALUE)
        tmpl = PyKCS11.LowLevel.ckattrlist(1)
        tmpl[0] = a[0]
        rv = LIB.lib.C_GetAttributeValue(self.s.session, key, tmpl)
        self.assertEqual(rv, PyKCS11.CKR_ATTRIBUTE_SENSITIVE)
        self.assertEqual(self.s.getAttributeValue(key, [PyKCS11.CKA_VALUE_LEN])[0], 32)
        hk = self.s.generateKey([(PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, self.label()),
                                 (PyKCS11.CKA_VALUE_LEN, 32), (PyKCS11.CKA_SIGN, True),
                                 (PyKCS11.CKA_VERIFY, True)],
                                mecha=PyKCS11.Mechanism(PyKCS11.CKM_GENERIC_SECRET_KEY_GEN, None))
        mac = bytes(self.s.sign(hk, b"m", PyKCS11.Mechanism(PyKCS11.CKM_SHA256_HMAC, None)))
        self.assertEqual(len(mac), 32)
        self.assertTrue(self.s.verify(hk, b"m", mac, PyKCS11.Mechanism(PyKCS11.CKM_SHA256_HMAC, None)))

    def test_find_attributes_destroy(self):
        pub, priv, label = self.gen_pair(PyKCS11.CKM_EC_KEY_PAIR_GEN,
                                         [(PyKCS11.CKA_EC_PARAMS, bytes.fromhex("06082a8648ce3d030107"))])
        found = self.s.findObjects([(PyKCS11.CKA_LABEL, label)])
        self.assertEqual(sorted(h.value() for h in found), sorted([pub.value(), priv.value()]))
        found = self.s.findObjects([(PyKCS11.CKA_LABEL, label), (PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY)])
        self.assertEqual([h.value() for h in found], [priv.value()])
        self.assertEqual(self.s.getAttributeValue(priv, [PyKCS11.CKA_SENSITIVE])[0], True)
        # one REST key: destroying a half destroys the pair; the other handle still destroys OK
        self.s.destroyObject(pub)
        self.s.destroyObject(priv)
        self.assertEqual(self.s.findObjects([(PyKCS11.CKA_LABEL, label)]), [])
        r = SRV.request("GET", "/v1/tokens/demo/keys/" + label, key=SRV.keys["admin"])
        self.assertEqual(r.status, 404)

    def test_refusals(self):
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:  # session object
            self.s.generateKey([(PyKCS11.CKA_LABEL, "s"), (PyKCS11.CKA_VALUE_LEN, 32)],
                               mecha=PyKCS11.Mechanism(PyKCS11.CKM_AES_KEY_GEN, None))
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_TEMPLATE_INCOMPLETE)
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            self.s.generateKey([(PyKCS11.CKA_TOKEN, False), (PyKCS11.CKA_LABEL, "s"),
                                (PyKCS11.CKA_VALUE_LEN, 32)],
                               mecha=PyKCS11.Mechanism(PyKCS11.CKM_AES_KEY_GEN, None))
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_ATTRIBUTE_VALUE_INVALID)
        # the app key may use keys but not make them: 403 forbidden through the one rv map
        s = LIB.openSession(self.app_slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
        s.login(None)
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            s.generateKey([(PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, "nope"),
                           (PyKCS11.CKA_VALUE_LEN, 32)],
                          mecha=PyKCS11.Mechanism(PyKCS11.CKM_AES_KEY_GEN, None))
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_FUNCTION_REJECTED)
        s.logout()
        s.closeSession()

    def test_same_key_through_local_slot(self):
        """The server's store opened locally (a second module instance is one
        process away: the CLI) verifies what the remote slot signed."""
        pub, priv, label = self.gen_pair(PyKCS11.CKM_EC_KEY_PAIR_GEN,
                                         [(PyKCS11.CKA_EC_PARAMS, bytes.fromhex("06082a8648ce3d030107"))])
        sig = bytes(self.s.sign(priv, b"local", PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256, None)))
        point = der_ec_point(bytes(self.s.getAttributeValue(pub, [PyKCS11.CKA_EC_POINT])[0]))
        p = SRV.cli("key", "show", "--token", "demo", "--key", label, "--json",
                    env={"FERROHSM_PIN": "user-pin-demo"})
        self.assertIn(point.hex(), p.stdout.decode())

    # ---- C_CreateObject of public keys: the REST import of their SubjectPublicKeyInfo ----
    def create_public(self, kt, values, label=None):
        label = label or self.label()
        t = [(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY), (PyKCS11.CKA_KEY_TYPE, kt),
             (PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, label),
             (PyKCS11.CKA_VERIFY, True)] + values
        return self.s.createObject(t), label

    def assert_imported(self, h, label, key):
        """The server holds the same public key, and the slot verifies key's signatures."""
        r = SRV.request("GET", "/v1/tokens/demo/keys/" + label, key=SRV.keys["admin"])
        self.assertEqual(r.status, 200, r)
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        want = key.public_key().public_bytes(serialization.Encoding.PEM, spki)
        got = serialization.load_pem_public_key(r.json["key"]["public_key_pem"].encode())
        self.assertEqual(got.public_bytes(serialization.Encoding.PEM, spki), want)
        self.assertEqual(self.s.getAttributeValue(h, [PyKCS11.CKA_CLASS])[0], PyKCS11.CKO_PUBLIC_KEY)
        self.assertEqual([o.value() for o in self.s.findObjects([(PyKCS11.CKA_LABEL, label)])],
                         [h.value()])

    def test_create_public_ec(self):
        key = ec.generate_private_key(ec.SECP256R1())
        point = key.public_key().public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint)
        p256 = bytes.fromhex("06082a8648ce3d030107")
        # CKA_EC_POINT is a DER OCTET STRING ([MECH] 2.3.3)
        h, label = self.create_public(PyKCS11.CKK_EC, [(PyKCS11.CKA_EC_PARAMS, p256),
                                                        (PyKCS11.CKA_EC_POINT, bytes([4, len(point)]) + point)])
        self.assert_imported(h, label, key)
        self.assertEqual(der_ec_point(bytes(self.s.getAttributeValue(h, [PyKCS11.CKA_EC_POINT])[0])), point)
        data = b"made by python, verified by the server"
        r, s = utils.decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        mech = PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256, None)
        self.assertTrue(self.s.verify(h, data, sig, mech))
        self.assertFalse(self.s.verify(h, data + b"!", sig, mech))
        # a point off the curve: the template's value is invalid, and nothing is kept
        bad = bytearray(point)
        bad[40] ^= 1
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            self.create_public(PyKCS11.CKK_EC, [(PyKCS11.CKA_EC_PARAMS, p256),
                                                (PyKCS11.CKA_EC_POINT, bytes(bad))], label="p11r-bad")
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_ATTRIBUTE_VALUE_INVALID)
        self.assertEqual(self.s.findObjects([(PyKCS11.CKA_LABEL, "p11r-bad")]), [])
        # the same label again: taken
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            self.create_public(PyKCS11.CKK_EC, [(PyKCS11.CKA_EC_PARAMS, p256),
                                                (PyKCS11.CKA_EC_POINT, point)], label=label)
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_ATTRIBUTE_VALUE_INVALID)

    def test_create_public_rsa(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        nums = key.public_key().public_numbers()
        h, label = self.create_public(PyKCS11.CKK_RSA, [
            (PyKCS11.CKA_MODULUS, nums.n.to_bytes(256, "big")),
            (PyKCS11.CKA_PUBLIC_EXPONENT, nums.e.to_bytes(3, "big")),
            (PyKCS11.CKA_ENCRYPT, True)])
        self.assert_imported(h, label, key)
        self.assertEqual(self.s.getAttributeValue(h, [PyKCS11.CKA_MODULUS_BITS])[0], 2048)
        data = b"rsa made by python"
        sig = key.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
        pss = PyKCS11.RSA_PSS_Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS_PSS, PyKCS11.CKM_SHA256,
                                        PyKCS11.CKG_MGF1_SHA256, 32)
        self.assertTrue(self.s.verify(h, data, sig, pss))
        sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        mech = PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS, None)
        self.assertTrue(self.s.verify(h, data, sig, mech))
        self.assertFalse(self.s.verify(h, b"other", sig, mech))
        # encrypted through the slot, decrypted here
        oaep = PyKCS11.RSAOAEPMechanism(PyKCS11.CKM_SHA256, PyKCS11.CKG_MGF1_SHA256)
        ct = bytes(self.s.encrypt(h, b"to python", oaep))
        self.assertEqual(key.decrypt(ct, padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)),
                         b"to python")

    def test_create_public_ed25519(self):
        key = ed25519.Ed25519PrivateKey.generate()
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        h, label = self.create_public(PyKCS11.CKK_EC_EDWARDS, [
            (PyKCS11.CKA_EC_PARAMS, bytes.fromhex("06032b6570")),
            (PyKCS11.CKA_EC_POINT, bytes([4, 32]) + raw)])
        self.assert_imported(h, label, key)
        sig = key.sign(b"ed from python")
        mech = PyKCS11.Mechanism(PyKCS11.CKM_EDDSA, None)
        self.assertTrue(self.s.verify(h, b"ed from python", sig, mech))
        self.assertFalse(self.s.verify(h, b"ed from pythoN", sig, mech))

    def test_create_refusals(self):
        p256 = bytes.fromhex("06082a8648ce3d030107")
        point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        cases = [
            # a session object: a remote slot has none
            ([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY), (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
              (PyKCS11.CKA_LABEL, "r1"), (PyKCS11.CKA_EC_PARAMS, p256), (PyKCS11.CKA_EC_POINT, point)],
             PyKCS11.CKR_TEMPLATE_INCOMPLETE),
            # no label
            ([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY), (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
              (PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_EC_PARAMS, p256), (PyKCS11.CKA_EC_POINT, point)],
             PyKCS11.CKR_TEMPLATE_INCOMPLETE),
            # no point
            ([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY), (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
              (PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, "r3"), (PyKCS11.CKA_EC_PARAMS, p256)],
             PyKCS11.CKR_TEMPLATE_INCOMPLETE),
            # a point of the wrong length for the curve
            ([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY), (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
              (PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, "r4"), (PyKCS11.CKA_EC_PARAMS, p256),
              (PyKCS11.CKA_EC_POINT, point[:-1])],
             PyKCS11.CKR_ATTRIBUTE_VALUE_INVALID),
            # a data object: the REST API has none
            ([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA), (PyKCS11.CKA_TOKEN, True),
              (PyKCS11.CKA_LABEL, "r5"), (PyKCS11.CKA_VALUE, b"k" * 16)],
             PyKCS11.CKR_TEMPLATE_INCONSISTENT),
            # an attribute type no class has (PKCS#11 v3.0 4.1.1 rule 1)
            ([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY), (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
              (PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, "r8"), (PyKCS11.CKA_EC_PARAMS, p256),
              (PyKCS11.CKA_EC_POINT, point), (0x7ffff00d, b"junk")],
             PyKCS11.CKR_ATTRIBUTE_TYPE_INVALID),
            # derive is not a use the import route carries
            ([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY), (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
              (PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, "r6"), (PyKCS11.CKA_EC_PARAMS, p256),
              (PyKCS11.CKA_EC_POINT, point), (PyKCS11.CKA_DERIVE, True)],
             PyKCS11.CKR_TEMPLATE_INCONSISTENT),
        ]
        for t, want in cases:
            with self.assertRaises(PyKCS11.PyKCS11Error, msg=repr(t)) as e:
                self.s.createObject(t)
            self.assertEqual(ckr(e.exception), want, repr(t))
        r = SRV.request("GET", "/v1/tokens/demo/keys?label=r4", key=SRV.keys["admin"])
        self.assertEqual(r.json["keys"], [])
        # the app key may use keys but not import them: 403 through the one rv map
        s = LIB.openSession(self.app_slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            s.createObject([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY),
                            (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC), (PyKCS11.CKA_TOKEN, True),
                            (PyKCS11.CKA_LABEL, "r7"), (PyKCS11.CKA_EC_PARAMS, p256),
                            (PyKCS11.CKA_EC_POINT, point)])
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_FUNCTION_REJECTED)
        s.closeSession()

    # ---- C_CreateObject of secret and private keys: wrapped for the import transport key ----
    def create_key(self, cls, kt, values, label=None):
        label = label or self.label()
        t = [(PyKCS11.CKA_CLASS, cls), (PyKCS11.CKA_KEY_TYPE, kt), (PyKCS11.CKA_TOKEN, True),
             (PyKCS11.CKA_LABEL, label)] + list(values)
        return self.s.createObject(t), label

    def value_rv(self, h, type_=PyKCS11.CKA_VALUE):
        """C_GetAttributeValue(type_) of h: the return value (never the bytes)."""
        a = PyKCS11.LowLevel.CK_ATTRIBUTE_SMART()
        a.SetType(type_)
        tmpl = PyKCS11.LowLevel.ckattrlist(1)
        tmpl[0] = a
        return LIB.lib.C_GetAttributeValue(self.s.session, h, tmpl)

    def test_create_secret_aes(self):
        for n in (16, 32):
            value = os.urandom(n)
            h, label = self.create_key(PyKCS11.CKO_SECRET_KEY, PyKCS11.CKK_AES,
                                       [(PyKCS11.CKA_VALUE, value), (PyKCS11.CKA_ENCRYPT, True),
                                        (PyKCS11.CKA_DECRYPT, True)])
            got = self.s.getAttributeValue(h, [PyKCS11.CKA_CLASS, PyKCS11.CKA_VALUE_LEN,
                                               PyKCS11.CKA_SENSITIVE, PyKCS11.CKA_LOCAL,
                                               PyKCS11.CKA_EXTRACTABLE])
            self.assertEqual(list(got), [PyKCS11.CKO_SECRET_KEY, n, True, False, False])
            self.assertEqual(self.value_rv(h), PyKCS11.CKR_ATTRIBUTE_SENSITIVE)
            self.assertEqual([o.value() for o in self.s.findObjects([(PyKCS11.CKA_LABEL, label)])],
                             [h.value()])
            # the slot encrypts with the key made from value; Python decrypts, and back
            iv = os.urandom(12)
            gcm = PyKCS11.AES_GCM_Mechanism(iv, b"aad", 128)
            ct = bytes(self.s.encrypt(h, b"secret made here", gcm))
            self.assertEqual(AESGCM(value).decrypt(iv, ct, b"aad"), b"secret made here")
            ct = AESGCM(value).encrypt(iv, b"from python", b"aad")
            self.assertEqual(bytes(self.s.decrypt(h, ct, gcm)), b"from python")

    def test_create_secret_generic_hmac(self):
        value = os.urandom(40)
        h, _ = self.create_key(PyKCS11.CKO_SECRET_KEY, PyKCS11.CKK_GENERIC_SECRET,
                               [(PyKCS11.CKA_VALUE, value), (PyKCS11.CKA_SIGN, True),
                                (PyKCS11.CKA_VERIFY, True)])
        mac = bytes(self.s.sign(h, b"hmac data", PyKCS11.Mechanism(PyKCS11.CKM_SHA256_HMAC, None)))
        self.assertEqual(mac, hmac.new(value, b"hmac data", hashlib.sha256).digest())

    def test_create_private_ec(self):
        key = ec.generate_private_key(ec.SECP256R1())
        scalar = key.private_numbers().private_value.to_bytes(32, "big")
        h, label = self.create_key(PyKCS11.CKO_PRIVATE_KEY, PyKCS11.CKK_EC,
                                   [(PyKCS11.CKA_EC_PARAMS, bytes.fromhex("06082a8648ce3d030107")),
                                    (PyKCS11.CKA_VALUE, scalar), (PyKCS11.CKA_SIGN, True)])
        self.assertEqual(self.value_rv(h), PyKCS11.CKR_ATTRIBUTE_SENSITIVE)
        data = b"signed by the server with a key made here"
        sig = bytes(self.s.sign(h, data, PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256, None)))
        key.public_key().verify(utils.encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                                           int.from_bytes(sig[32:], "big")),
                                data, ec.ECDSA(hashes.SHA256()))
        # the server made the public half, as for a generated pair
        (pub,) = self.s.findObjects([(PyKCS11.CKA_LABEL, label),
                                     (PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY)])
        point = key.public_key().public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint)
        self.assertEqual(der_ec_point(bytes(self.s.getAttributeValue(pub, [PyKCS11.CKA_EC_POINT])[0])),
                         point)

    def test_create_private_rsa(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pn = key.private_numbers()

        def b(i):
            return i.to_bytes((i.bit_length() + 7) // 8, "big")
        h, label = self.create_key(PyKCS11.CKO_PRIVATE_KEY, PyKCS11.CKK_RSA, [
            (PyKCS11.CKA_MODULUS, b(pn.public_numbers.n)),
            (PyKCS11.CKA_PUBLIC_EXPONENT, b(pn.public_numbers.e)),
            (PyKCS11.CKA_PRIVATE_EXPONENT, b(pn.d)), (PyKCS11.CKA_PRIME_1, b(pn.p)),
            (PyKCS11.CKA_PRIME_2, b(pn.q)), (PyKCS11.CKA_EXPONENT_1, b(pn.dmp1)),
            (PyKCS11.CKA_EXPONENT_2, b(pn.dmq1)), (PyKCS11.CKA_COEFFICIENT, b(pn.iqmp)),
            (PyKCS11.CKA_SIGN, True), (PyKCS11.CKA_DECRYPT, True)])
        self.assertEqual(self.value_rv(h, PyKCS11.CKA_PRIVATE_EXPONENT),
                         PyKCS11.CKR_ATTRIBUTE_SENSITIVE)
        data = b"rsa key made here"
        pss = PyKCS11.RSA_PSS_Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS_PSS, PyKCS11.CKM_SHA256,
                                        PyKCS11.CKG_MGF1_SHA256, 32)
        sig = bytes(self.s.sign(h, data, pss))
        key.public_key().verify(sig, data, padding.PSS(padding.MGF1(hashes.SHA256()), 32),
                                hashes.SHA256())
        ct = key.public_key().encrypt(b"to the slot", padding.OAEP(padding.MGF1(hashes.SHA256()),
                                                                   hashes.SHA256(), None))
        oaep = PyKCS11.RSAOAEPMechanism(PyKCS11.CKM_SHA256, PyKCS11.CKG_MGF1_SHA256)
        self.assertEqual(bytes(self.s.decrypt(h, ct, oaep)), b"to the slot")
        r = SRV.request("GET", "/v1/tokens/demo/keys/" + label, key=SRV.keys["admin"])
        self.assertEqual(r.json["key"]["type"], "rsa-2048")

    def test_create_secret_private_refusals(self):
        sk, aes = PyKCS11.CKO_SECRET_KEY, PyKCS11.CKK_AES
        base = [(PyKCS11.CKA_CLASS, sk), (PyKCS11.CKA_KEY_TYPE, aes), (PyKCS11.CKA_TOKEN, True)]
        scalar = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
        cases = [
            # the local token's rules (PKCS#11 v3.0 4.1.1, [MECH] AES key objects)
            (base + [(PyKCS11.CKA_LABEL, "s1"), (PyKCS11.CKA_VALUE, b"k" * 17)],
             PyKCS11.CKR_ATTRIBUTE_VALUE_INVALID),
            (base + [(PyKCS11.CKA_LABEL, "s2")], PyKCS11.CKR_TEMPLATE_INCOMPLETE),
            ([(PyKCS11.CKA_CLASS, sk), (PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, "s3"),
              (PyKCS11.CKA_VALUE, b"k" * 16)], PyKCS11.CKR_TEMPLATE_INCOMPLETE),
            (base + [(PyKCS11.CKA_LABEL, "s4"), (PyKCS11.CKA_VALUE, b"k" * 16), (0x7ffff00d, b"x")],
             PyKCS11.CKR_ATTRIBUTE_TYPE_INVALID),
            (base + [(PyKCS11.CKA_LABEL, "s5"), (PyKCS11.CKA_VALUE, b"k" * 16),
                     (PyKCS11.CKA_MODULUS, b"\x01")], PyKCS11.CKR_ATTRIBUTE_TYPE_INVALID),
            (base + [(PyKCS11.CKA_LABEL, "s6"), (PyKCS11.CKA_VALUE, b"k" * 16),
                     (PyKCS11.CKA_VALUE_LEN, 16)], PyKCS11.CKR_TEMPLATE_INCONSISTENT),
            (base + [(PyKCS11.CKA_LABEL, "s7"), (PyKCS11.CKA_VALUE, b"k" * 16),
                     (PyKCS11.CKA_LOCAL, True)], PyKCS11.CKR_ATTRIBUTE_READ_ONLY),
            ([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
              (PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, "s8"),
              (PyKCS11.CKA_EC_PARAMS, bytes.fromhex("06082a8648ce3d030107"))],
             PyKCS11.CKR_TEMPLATE_INCOMPLETE),
            ([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
              (PyKCS11.CKA_TOKEN, True), (PyKCS11.CKA_LABEL, "s9"),
              (PyKCS11.CKA_EC_PARAMS, bytes.fromhex("06082a8648ce3d030107")),
              (PyKCS11.CKA_VALUE, scalar.to_bytes(32, "big") + b"\x00")],
             PyKCS11.CKR_ATTRIBUTE_VALUE_INVALID),
            # the remote slot's own rules (docs/pkcs11.md)
            ([(PyKCS11.CKA_CLASS, sk), (PyKCS11.CKA_KEY_TYPE, aes), (PyKCS11.CKA_LABEL, "s10"),
              (PyKCS11.CKA_VALUE, b"k" * 16)], PyKCS11.CKR_TEMPLATE_INCOMPLETE),
            (base + [(PyKCS11.CKA_VALUE, b"k" * 16)], PyKCS11.CKR_TEMPLATE_INCOMPLETE),
            (base + [(PyKCS11.CKA_LABEL, "s12"), (PyKCS11.CKA_VALUE, b"k" * 16),
                     (PyKCS11.CKA_SENSITIVE, False)], PyKCS11.CKR_TEMPLATE_INCONSISTENT),
        ]
        for t, want in cases:
            with self.assertRaises(PyKCS11.PyKCS11Error, msg=repr(t)) as e:
                self.s.createObject(t)
            self.assertEqual(ckr(e.exception), want, repr(t))
        labels = {label for label, _ in server_keys()}
        self.assertEqual(labels & {"s%d" % i for i in range(1, 13)}, set())
        # a label taken in the token
        h, label = self.create_key(sk, aes, [(PyKCS11.CKA_VALUE, b"k" * 16)])
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            self.create_key(sk, aes, [(PyKCS11.CKA_VALUE, b"k" * 16)], label=label)
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_ATTRIBUTE_VALUE_INVALID)
        # no user: a key with secret material needs one; the app key may not import (403)
        s = LIB.openSession(self.app_slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
        t = base + [(PyKCS11.CKA_LABEL, "s13"), (PyKCS11.CKA_VALUE, b"k" * 16)]
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            s.createObject(t)
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_USER_NOT_LOGGED_IN)
        s.login(None)
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            s.createObject(t)
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_FUNCTION_REJECTED)
        s.logout()
        s.closeSession()

    def test_unwrap_private_key(self):
        """C_UnwrapKey of a private key: the REST type is the family, the server knows the curve."""
        kek = os.urandom(32)
        kh, _ = self.create_key(PyKCS11.CKO_SECRET_KEY, PyKCS11.CKK_AES,
                                [(PyKCS11.CKA_VALUE, kek), (PyKCS11.CKA_UNWRAP, True)])
        key = ec.generate_private_key(ec.SECP384R1())
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        label = self.label()
        h = self.s.unwrapKey(kh, aes_key_wrap_with_padding(kek, der),
                             [(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY),
                              (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC), (PyKCS11.CKA_TOKEN, True),
                              (PyKCS11.CKA_LABEL, label), (PyKCS11.CKA_SIGN, True)],
                             mecha=PyKCS11.Mechanism(PyKCS11.CKM_AES_KEY_WRAP_KWP, None))
        self.assertEqual(self.s.getAttributeValue(h, [PyKCS11.CKA_CLASS])[0],
                         PyKCS11.CKO_PRIVATE_KEY)
        sig = bytes(self.s.sign(h, b"unwrapped", PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA384, None)))
        self.assertEqual(len(sig), 96)
        key.public_key().verify(utils.encode_dss_signature(int.from_bytes(sig[:48], "big"),
                                                           int.from_bytes(sig[48:], "big")),
                                b"unwrapped", ec.ECDSA(hashes.SHA384()))
        # an AES key without CKA_VALUE_LEN: the length the wrapped key has
        value = os.urandom(24)
        u = self.s.unwrapKey(kh, aes_key_wrap_with_padding(kek, value),
                             [(PyKCS11.CKA_CLASS, PyKCS11.CKO_SECRET_KEY),
                              (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_AES), (PyKCS11.CKA_TOKEN, True),
                              (PyKCS11.CKA_LABEL, self.label())],
                             mecha=PyKCS11.Mechanism(PyKCS11.CKM_AES_KEY_WRAP_KWP, None))
        self.assertEqual(self.s.getAttributeValue(u, [PyKCS11.CKA_VALUE_LEN])[0], 24)

    def test_transport_key_is_no_object(self):
        """The token's import transport key (made by the imports above) is not an object here."""
        self.create_key(PyKCS11.CKO_SECRET_KEY, PyKCS11.CKK_AES, [(PyKCS11.CKA_VALUE, b"t" * 16)])
        labels = [self.s.getAttributeValue(h, [PyKCS11.CKA_LABEL])[0]
                  for h in self.s.findObjects([])]
        self.assertNotIn("ferrohsm-import-transport", labels)
        self.assertEqual(len(labels), len(self.s.findObjects([])))
        r = SRV.request("GET", "/v1/tokens/demo/import-key", key=SRV.keys["admin"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.s.findObjects([(PyKCS11.CKA_ID, bytes.fromhex(r.json["import_key"]["id"]))]),
                         [])

    def test_z_restart_and_reuse(self):
        pub, priv, _ = self.gen_pair(PyKCS11.CKM_EC_KEY_PAIR_GEN,
                                     [(PyKCS11.CKA_EC_PARAMS, bytes.fromhex("06082a8648ce3d030107"))])
        mech = PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256, None)
        self.s.sign(priv, b"warm", mech)
        before = server_sockets(SRV.port)
        for i in range(30):
            self.s.sign(priv, b"reuse %d" % i, mech)
        after = server_sockets(SRV.port)
        self.assertTrue(before and after <= before, "no new TLS connection: %r -> %r" % (before, after))
        port = SRV.port
        self.assertEqual(SRV.stop(), 0)  # it was up until now, and exits cleanly
        with self.assertRaises(PyKCS11.PyKCS11Error) as e:
            self.s.sign(priv, b"down", mech)
        self.assertEqual(ckr(e.exception), PyKCS11.CKR_DEVICE_ERROR)
        # the failed operation ended: a new one starts cleanly once the server is back
        SRV.start(port=port)
        sig = bytes(self.s.sign(priv, b"back", mech))
        self.assertEqual(len(sig), 64)


def server_keys():
    """The token's keys as the server lists them: {(label, id)}, a pair once."""
    keys, after = set(), None
    while True:
        path = "/v1/tokens/demo/keys?limit=1000" + ("&after=" + after if after else "")
        r = SRV.request("GET", path, key=SRV.keys["admin"])
        assert r.status == 200, r
        keys |= {(o["label"], o["id"]) for o in r.json["keys"]}
        after = r.json["next"]
        if after is None:
            return keys


def server_sockets(port):
    """Inodes of this process's TCP sockets connected to 127.0.0.1:port."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink("/proc/self/fd/" + fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    mine = set()
    with open("/proc/self/net/tcp") as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            rem_port = int(cols[2].split(":")[1], 16)
            if rem_port == port and cols[3] == "01" and cols[9] in inodes:
                mine.add(cols[9])
    return mine


if __name__ == "__main__":
    unittest.main(verbosity=2)
