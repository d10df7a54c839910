# SPDX-License-Identifier: Apache-2.0
"""ferrohsm-server under load: 32 concurrent clients mixing key lifecycle and
operations with no error, and SIGTERM in the middle of key generation losing
no key whose creation was acknowledged (201).

Signatures are checked with python3-cryptography against the public key the
server shows; ciphertexts are decrypted by the server and compared with the
plaintext sent.
"""
import base64
import json
import os
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fhserver import Server  # noqa: E402

from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402


def b64(data):
    return base64.b64encode(data).decode()


class Load(unittest.TestCase):
    def test_32_clients_mixed_operations(self):
        with Server(tokens=("demo",), server_conf="threads = 4") as s:
            admin, app, op = s.keys["admin"], s.keys["app"], s.keys["operator"]
            r = s.request("POST", "/v1/tokens/demo/keys", {"type": "ec-p256", "label": "shared-ec"},
                          key=op)
            self.assertEqual(r.status, 201, r.text)
            r = s.request("POST", "/v1/tokens/demo/keys", {"type": "aes-256", "label": "shared-aes"},
                          key=op)
            self.assertEqual(r.status, 201, r.text)
            r = s.request("GET", "/v1/tokens/demo/keys/shared-ec", key=app)
            self.assertEqual(r.status, 200, r.text)
            pub = serialization.load_pem_public_key(r.json["key"]["public_key_pem"].encode())

            errors = []
            done = [0]
            generated = []
            lock = threading.Lock()

            def fail(what):
                with lock:
                    errors.append(what)

            def client(n):
                conn = s.connection(timeout=120)
                try:
                    for i in range(12):
                        msg = ("client %d message %d" % (n, i)).encode()
                        step = (n + i) % 4
                        if step == 0:
                            r = s.request("POST", "/v1/tokens/demo/keys/shared-ec/sign",
                                          {"mechanism": "ECDSA_SHA256", "data": b64(msg)},
                                          key=app, conn=conn)
                            if r.status != 200:
                                fail(("sign", r.status, r.text[:200]))
                                continue
                            try:
                                pub.verify(base64.b64decode(r.json["signature"]), msg,
                                           ec.ECDSA(hashes.SHA256()))
                            except InvalidSignature:
                                fail(("sign", "signature does not verify"))
                        elif step == 1:
                            r = s.request("POST", "/v1/tokens/demo/keys/shared-aes/encrypt",
                                          {"mechanism": "AES_GCM", "plaintext": b64(msg),
                                           "aad": b64(b"aad")}, key=app, conn=conn)
                            if r.status != 200:
                                fail(("encrypt", r.status, r.text[:200]))
                                continue
                            r = s.request("POST", "/v1/tokens/demo/keys/shared-aes/decrypt",
                                          {"mechanism": "AES_GCM", "ciphertext": r.json["ciphertext"],
                                           "iv": r.json["iv"], "aad": b64(b"aad")},
                                          key=app, conn=conn)
                            if r.status != 200 or base64.b64decode(r.json["plaintext"]) != msg:
                                fail(("decrypt", r.status, r.text[:200]))
                        elif step == 2:
                            label = "gen-%d-%d" % (n, i)
                            r = s.request("POST", "/v1/tokens/demo/keys",
                                          {"type": "ec-p256", "label": label}, key=op, conn=conn)
                            if r.status != 201:
                                fail(("generate", r.status, r.text[:200]))
                                continue
                            with lock:
                                generated.append(label)
                        else:
                            r = s.request("GET", "/v1/tokens/demo/keys?limit=5", key=app, conn=conn)
                            if r.status != 200 or not r.json["keys"]:
                                fail(("list", r.status, r.text[:200]))
                        with lock:
                            done[0] += 1
                finally:
                    conn.close()

            threads = [threading.Thread(target=client, args=(n,)) for n in range(32)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=600)
            self.assertEqual(errors, [])
            self.assertEqual(done[0], 32 * 12)
            # every generated key is there, once
            for label in generated:
                r = s.request("GET", "/v1/tokens/demo/keys/" + label, key=app)
                self.assertEqual(r.status, 200, (label, r.text))
            r = s.request("GET", "/v1/audit/verify", key=admin)
            self.assertEqual(r.status, 200, r.text)
            self.assertTrue(r.json["verified"], r.json)

    def test_sigterm_during_load_loses_no_acknowledged_key(self):
        with Server(tokens=("demo",), server_conf="threads = 4") as s:
            op = s.keys["operator"]
            acked = []
            lock = threading.Lock()
            stop = threading.Event()

            def generator(n):
                i = 0
                conn = None
                while not stop.is_set():
                    label = "t%d-%d" % (n, i)
                    i += 1
                    try:
                        conn = conn or s.connection(timeout=30)
                        r = s.request("POST", "/v1/tokens/demo/keys",
                                      {"type": "ec-p256", "label": label}, key=op, conn=conn)
                    except Exception:  # the server is going away: refused, reset, closed
                        if conn is not None:
                            conn.close()
                        conn = None
                        if s.proc is None or s.proc.poll() is not None:
                            return
                        time.sleep(0.01)
                        continue
                    if r.status == 201:
                        with lock:
                            acked.append(label)
                if conn is not None:
                    conn.close()

            threads = [threading.Thread(target=generator, args=(n,)) for n in range(8)]
            for t in threads:
                t.start()
            deadline = time.time() + 30
            while time.time() < deadline:
                with lock:
                    if len(acked) >= 40:
                        break
                time.sleep(0.05)
            s.send_signal(signal.SIGTERM)
            rc = s.proc.wait(timeout=60)
            stop.set()
            for t in threads:
                t.join(timeout=60)
            self.assertEqual(rc, 0, s.log_text()[-800:])
            s.proc.returncode = 0
            s.stop()
            self.assertGreaterEqual(len(acked), 40)

            # read the store directly with the CLI: every acknowledged key is there
            p = s.cli("key", "list", "--token", "demo", "--json",
                      env={"FERROHSM_PIN": "user-pin-demo"})
            rows = json.loads(p.stdout)
            have = {}
            for row in rows:
                have.setdefault(row["label"], set()).add(row["class"])
            missing = [l for l in acked if have.get(l) != {"public", "private"}]
            self.assertEqual(missing, [], "acknowledged keys lost or half-written")
            p = s.cli("audit", "verify")
            self.assertIn("audit log verified", p.stdout.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
