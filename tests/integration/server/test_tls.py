#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""TLS: the self-signed certificate (SAN, key mode, printed pin), protocol
versions (1.2 and 1.3 accepted, 1.1 refused), mutual TLS, a configured
certificate, and plain HTTP (loopback only)."""
import base64
import datetime
import hashlib
import json
import os
import shutil
import ssl
import stat
import subprocess
import sys
import unittest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fhserver import Server  # noqa: E402

S = None


def setUpModule():
    global S
    S = Server(roles=("admin",))


def tearDownModule():
    S.close()


def make_cert(path_prefix, cn, issuer=None, ca=False, san=None):
    """A P-256 certificate (self-signed, or signed by issuer=(cert, key))."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(name)
         .issuer_name(issuer[0].subject if issuer else name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(minutes=5))
         .not_valid_after(now + datetime.timedelta(days=2))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if san:
        b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
    cert = b.sign(issuer[1] if issuer else key, hashes.SHA256())
    with open(path_prefix + ".crt", "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(path_prefix + ".key", "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert, key


def gnutls_cli(port, priority):
    """Exit code of a gnutls-cli handshake with the given priority string."""
    p = subprocess.run(["gnutls-cli", "--no-ca-verification", "--priority", priority, "-p",
                        str(port), "127.0.0.1"], input=b"", capture_output=True, timeout=30)
    return p.returncode, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")


class SelfSigned(unittest.TestCase):
    def test_certificate(self):
        d = os.path.join(S.home, "server")
        cert = x509.load_pem_x509_certificate(open(os.path.join(d, "cert.pem"), "rb").read())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        self.assertIn("localhost", san.get_values_for_type(x509.DNSName))
        ips = [str(i) for i in san.get_values_for_type(x509.IPAddress)]
        self.assertIn("127.0.0.1", ips)
        self.assertIn("::1", ips)
        self.assertIsInstance(cert.public_key(), ec.EllipticCurvePublicKey)
        self.assertEqual(cert.public_key().curve.name, "secp256r1")
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(d, "key.pem")).st_mode), 0o600)
        # the pin printed at start is sha256//base64(SHA-256(SPKI DER))
        spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
        pin = "sha256//" + base64.b64encode(hashlib.sha256(spki).digest()).decode()
        listening = [l for l in S.log_lines() if l["event"] == "listening"]
        self.assertEqual(listening[-1]["pin"], pin)
        self.assertEqual(listening[-1]["certificate"], os.path.join(d, "cert.pem"))
        # verifies by name (SAN localhost) with the certificate as the CA file
        ctx = S.ssl_context()
        self.assertTrue(ctx.check_hostname)
        self.assertEqual(S.request("GET", "/v1/health/live").status, 200)
        # curl with --pinnedpubkey, when curl is there
        if shutil.which("curl"):
            p = subprocess.run(["curl", "-sS", "-k", "--pinnedpubkey", pin,
                                "https://127.0.0.1:%d/v1/health/live" % S.port],
                               capture_output=True, timeout=30)
            self.assertEqual(json.loads(p.stdout), {"status": "live"}, p.stderr)
            p = subprocess.run(["curl", "-sS", "-k", "--pinnedpubkey", "sha256//" + "A" * 43 + "=",
                                "https://127.0.0.1:%d/v1/health/live" % S.port],
                               capture_output=True, timeout=30)
            self.assertNotEqual(p.returncode, 0)

    def test_wrong_name_refused(self):
        import socket
        with socket.create_connection(("127.0.0.1", S.port), timeout=10) as raw:
            with self.assertRaises(ssl.SSLCertVerificationError):
                S.ssl_context().wrap_socket(raw, server_hostname="not-localhost.example")

    def test_reused_on_restart(self):
        before = open(os.path.join(S.home, "server", "cert.pem"), "rb").read()
        self.assertEqual(S.stop(), 0)
        S.start()
        self.assertEqual(open(os.path.join(S.home, "server", "cert.pem"), "rb").read(), before)


class Versions(unittest.TestCase):
    def test_tls13_and_tls12(self):
        for v in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
            import http.client
            c = http.client.HTTPSConnection("localhost", S.port, timeout=10,
                                            context=S.ssl_context(minimum=v, maximum=v))
            c.request("GET", "/v1/health/live")
            self.assertEqual(c.getresponse().status, 200)
            self.assertEqual(c.sock.version(), {ssl.TLSVersion.TLSv1_3: "TLSv1.3",
                                                ssl.TLSVersion.TLSv1_2: "TLSv1.2"}[v])
            c.close()

    @unittest.skipUnless(shutil.which("gnutls-cli"), "gnutls-cli is not installed")
    def test_tls11_refused(self):
        rc, out = gnutls_cli(S.port, "NORMAL:-VERS-ALL:+VERS-TLS1.2")
        self.assertEqual(rc, 0, out)  # control: the same client does TLS 1.2
        rc, out = gnutls_cli(S.port, "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0:%LATEST_RECORD_VERSION")
        self.assertNotEqual(rc, 0, out)
        rc, out = gnutls_cli(S.port, "NORMAL:-VERS-ALL:+VERS-TLS1.3")
        self.assertEqual(rc, 0, out)


class Mutual(unittest.TestCase):
    def test_mtls(self):
        d = os.path.join(S.root, "pki")
        os.mkdir(d)
        ca = make_cert(os.path.join(d, "ca"), "test CA", ca=True)
        make_cert(os.path.join(d, "client"), "client", issuer=ca)
        rogue = make_cert(os.path.join(d, "rogue-ca"), "rogue CA", ca=True)
        make_cert(os.path.join(d, "rogue"), "client", issuer=rogue)
        with Server(roles=("admin",), start=False,
                    server_conf="tls_client_ca = %s" % os.path.join(d, "ca.crt")) as m:
            # start() polls without a client certificate: poll with one instead
            import http.client
            import time
            good = (os.path.join(d, "client.crt"), os.path.join(d, "client.key"))
            m.proc = None
            m_port = __import__("fhserver").free_port()
            m._log = open(m.log_path, "ab")
            m._out = open(m.out_path, "ab")
            m.port = m_port
            m.proc = subprocess.Popen([__import__("fhserver").SERVER, "--listen",
                                       "127.0.0.1:%d" % m_port], env=m.env(),
                                      stdout=m._out, stderr=m._log)
            status = None
            for _ in range(200):
                try:
                    c = http.client.HTTPSConnection("localhost", m_port, timeout=5,
                                                    context=m.ssl_context(cert=good))
                    c.request("GET", "/v1/health/live")
                    status = c.getresponse().status
                    c.close()
                    break
                except OSError:
                    time.sleep(0.05)
            self.assertEqual(status, 200)
            lines = [l for l in m.log_lines() if l["event"] == "listening"]
            self.assertIs(lines[-1]["mtls"], True)
            for cert in (None, (os.path.join(d, "rogue.crt"), os.path.join(d, "rogue.key"))):
                with self.assertRaises((ssl.SSLError, OSError, http.client.HTTPException)):
                    c = http.client.HTTPSConnection("localhost", m_port, timeout=5,
                                                    context=m.ssl_context(cert=cert))
                    c.request("GET", "/v1/health/live")
                    c.getresponse().read()
                c.close()


class Configured(unittest.TestCase):
    def test_configured_certificate(self):
        d = os.path.join(S.root, "own")
        os.mkdir(d)
        ca = make_cert(os.path.join(d, "ca"), "own CA", ca=True)
        make_cert(os.path.join(d, "srv"), "localhost", issuer=ca,
                  san=[x509.DNSName("localhost")])
        conf = "tls_cert = %s\ntls_key = %s" % (os.path.join(d, "srv.crt"), os.path.join(d, "srv.key"))
        with Server(roles=(), start=False, server_conf=conf) as o:
            import http.client
            o.port = __import__("fhserver").free_port()
            o._log = open(o.log_path, "ab")
            o._out = open(o.out_path, "ab")
            o.proc = subprocess.Popen([__import__("fhserver").SERVER, "--listen",
                                       "127.0.0.1:%d" % o.port], env=o.env(),
                                      stdout=o._out, stderr=o._log)
            ctx = o.ssl_context(cafile=os.path.join(d, "ca.crt"))
            import time
            for _ in range(200):
                try:
                    c = http.client.HTTPSConnection("localhost", o.port, context=ctx, timeout=5)
                    c.request("GET", "/v1/health/live")
                    self.assertEqual(c.getresponse().status, 200)
                    c.close()
                    break
                except ConnectionError:
                    time.sleep(0.05)
            else:
                self.fail("no answer")
            self.assertFalse(os.path.exists(os.path.join(o.home, "server", "cert.pem")))


class PlainHttp(unittest.TestCase):
    def test_loopback_only(self):
        with Server(roles=("admin",), tls=False) as p:
            r = p.request("GET", "/v1/tokens", key=p.keys["admin"])
            self.assertEqual(r.status, 200, r)
            self.assertIsNone(r.header("Strict-Transport-Security"))
            self.assertEqual(p.stop(), 0)
            # the same configuration on a non-loopback address does not start
            p.port = None
            rc = p.start(args=["--listen", "0.0.0.0:%d" % __import__("fhserver").free_port()],
                         expect_fail=True)
            self.assertNotEqual(rc, 0)
            self.assertIn("plain_http", p.log_text().splitlines()[-1])
            self.assertEqual(json.loads(p.log_text().splitlines()[-1])["level"], "error")
            p.proc = None


if __name__ == "__main__":
    unittest.main(verbosity=2)
