#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Process lifecycle: a token that cannot be unlocked (readiness 503 naming
it, the others served), SIGHUP reload, SIGTERM with requests in flight,
structured logs tied to audit records, no secret in logs or the store, and
32 concurrent clients."""
import base64
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fhserver import Server  # noqa: E402


class Unlock(unittest.TestCase):
    def test_bad_pin_then_reload(self):
        with Server(tokens=("good", "bad"), bad_pin=("bad",), wait_ready=False,
                    roles=("admin",)) as s:
            r = s.request("GET", "/v1/health/ready")
            self.assertEqual(r.status, 503, r)
            self.assertEqual(r.json["status"], "not_ready")
            self.assertEqual(r.json["tokens"], {"good": "ready", "bad": "unlock_failed"})
            fails = [l for l in s.log_lines() if l["event"] == "token_unlock"
                     and l["result"] == "unlock_failed"]
            self.assertEqual(len(fails), 1)
            self.assertEqual((fails[0]["token"], fails[0]["level"]), ("bad", "error"))
            self.assertIn("bad.pin", fails[0]["source"])
            # the good token is served, the bad one is listed as not ready
            a = s.keys["admin"]
            toks = {t["label"]: t["ready"] for t in s.request("GET", "/v1/tokens", key=a).json["tokens"]}
            self.assertEqual(toks, {"good": True, "bad": False})
            self.assertEqual(s.request("GET", "/v1/tokens/good", key=a).json["counts"]["keys"], 0)
            self.assertIsNone(s.request("GET", "/v1/tokens/bad", key=a).json["counts"]["keys"])
            # SIGHUP: fixed PIN file, new limits and log level
            with open(s.pin_file("bad"), "w") as f:
                f.write("user-pin-bad\n")
            s.write_conf("max_body_unauth_bytes = 100\nlog_level = debug\ntimeout_seconds = 7")
            s.send_signal(signal.SIGHUP)
            line = s.wait_log(lambda l: l["event"] == "reload")
            self.assertIsNotNone(line, s.log_text()[-500:])
            self.assertEqual(line["changed"]["max_body_unauth_bytes"], {"from": 4096, "to": 100})
            self.assertEqual(line["changed"]["log_level"], {"from": "info", "to": "debug"})
            self.assertEqual(line["changed"]["timeout_seconds"]["to"], 7)
            self.assertEqual(line["needs_restart"], [])
            self.assertIsNotNone(s.wait_log(lambda l: l["event"] == "token_unlock"
                                            and l["token"] == "bad" and l["result"] == "ready"))
            r = s.request("GET", "/v1/health/ready")
            self.assertEqual((r.status, r.json["tokens"]["bad"]), (200, "ready"), r)
            r = s.request("POST", "/v1/digest", raw=b" " * 200 + b"{}")
            self.assertEqual((r.status, r.code), (413, "body_too_large"), r)
            # a broken file on reload keeps the running configuration
            s.write_conf("max_body_bytes = twelve")
            s.send_signal(signal.SIGHUP)
            self.assertIsNotNone(s.wait_log(lambda l: l["event"] == "reload_failed"))
            self.assertEqual(s.request("GET", "/v1/health/live").status, 200)
            self.assertEqual(s.stop(), 0)

    def test_pool_sized_to_usable_cpus(self):
        """Without `threads`, the pool has one worker per CPU the server may
        run on: confined to one CPU it runs one, not one per CPU online."""
        usable = sorted(os.sched_getaffinity(0))
        with Server(roles=(), start=False) as s:
            s.start(cpus={usable[0]})
            self.assertEqual(s.wait_log(lambda l: l["event"] == "listening")["threads"], 1)
            self.assertEqual(s.stop(), 0)
            if len(usable) >= 2:
                s.start(cpus=set(usable[:2]))
                lines = [l for l in s.log_lines() if l["event"] == "listening"]
                self.assertEqual(len(lines), 2)
                self.assertEqual(lines[-1]["threads"], 2)
                self.assertEqual(s.stop(), 0)

    def test_bad_config_refused(self):
        with Server(roles=(), start=False, server_conf="max_connections = lots") as s:
            rc = s.start(expect_fail=True)
            self.assertEqual(rc, 1)
            last = json.loads(s.log_text().splitlines()[-1])
            self.assertEqual(last["event"], "start_failed")
            self.assertIn("ferrohsm.conf:", last["message"])
            self.assertIn("max_connections", last["message"])
            s.proc = None


class Shutdown(unittest.TestCase):
    def test_sigterm_drains(self):
        with Server(roles=("app",)) as s:
            body = json.dumps({"mechanism": "SHA256",
                               "data": base64.b64encode(b"z" * 3000).decode()}).encode()
            raw = socket.create_connection(("127.0.0.1", s.port), timeout=30)
            tls = s.ssl_context().wrap_socket(raw, server_hostname="localhost")
            tls.sendall(b"POST /v1/digest HTTP/1.1\r\nHost: localhost\r\n"
                        b"Authorization: Bearer " + s.keys["app"].encode() + b"\r\n"
                        b"X-Request-Id: in-flight-1\r\n"
                        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
                        + body[:100])
            time.sleep(0.3)  # the request has started
            s.send_signal(signal.SIGTERM)
            self.assertIsNotNone(s.wait_log(lambda l: l["event"] == "stopping"))
            time.sleep(0.3)
            self.assertIsNone(s.proc.poll(), "the server waits for the request in flight")
            # no new connections while draining
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
            tls.sendall(body[100:])
            data = b""
            while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
                got = tls.recv(4096)
                if not got:
                    break
                data += got
            tls.close()
            self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:200])
            self.assertIn(b'"digest"', data)
            self.assertEqual(s.proc.wait(timeout=20), 0)
            drained = [l for l in s.log_lines() if l["event"] == "drained"]
            self.assertEqual(drained[-1]["inflight"], 0)
            self.assertTrue([l for l in s.log_lines() if l["event"] == "request"
                             and l["request_id"] == "in-flight-1" and l["status"] == 200])
            s.proc.returncode = 0
            self.assertEqual(s.stop(), 0)

    def test_sigint(self):
        with Server(roles=()) as s:
            self.assertEqual(s.stop(sig=signal.SIGINT), 0)


class Logs(unittest.TestCase):
    def test_logs_audit_and_secrets(self):
        with Server(tokens=("demo",)) as s:
            r = s.request("GET", "/v1/apikeys", key=s.keys["operator"],
                          headers={"X-Request-Id": "corr-403-test"})
            self.assertEqual(r.status, 403)
            r = s.request("POST", "/v1/apikeys", {"name": "logged", "role": "app", "tokens": "*"},
                          key=s.keys["admin"], headers={"X-Request-Id": "corr-create-1"})
            self.assertEqual(r.status, 201, r)
            s.secrets.append(r.json["key"])
            s.request("GET", "/v1/tokens", key="fhk_0123456789abcdef_" + "x" * 43,
                      headers={"X-Request-Id": "corr-401-test"}, source="127.0.0.5")
            s.request("GET", "/v1/tokens", key=r.json["key"], headers={"X-Request-Id": "corr-ok"})
            recs = s.request("GET", "/v1/audit?limit=1000", key=s.keys["auditor"]).json["records"]
            self.assertEqual(s.stop(), 0)
            lines = s.log_lines()  # every line parses as JSON
            reqs = {l["request_id"]: l for l in lines if l["event"] == "request"}
            for rid, status in (("corr-403-test", 403), ("corr-create-1", 201),
                                ("corr-401-test", 401), ("corr-ok", 200)):
                self.assertIn(rid, reqs)
                l = reqs[rid]
                self.assertEqual(l["status"], status)
                for f in ("time", "level", "method", "route", "duration_ms", "apikey"):
                    self.assertIn(f, l)
            self.assertEqual(reqs["corr-403-test"]["apikey"], s.keys["operator"][4:20])
            self.assertEqual(reqs["corr-401-test"]["apikey"], "0123456789abcdef")
            self.assertEqual(reqs["corr-create-1"]["route"], "/v1/apikeys")
            by_corr = {}
            for x in recs:
                by_corr.setdefault(x["corr_id"], []).append(x)
            self.assertEqual(by_corr["corr-403-test"][0]["operation"], "deny")
            self.assertEqual(by_corr["corr-403-test"][0]["actor"], "apikey:" + s.keys["operator"][4:20])
            self.assertEqual(by_corr["corr-401-test"][0]["operation"], "auth")
            self.assertEqual(by_corr["corr-401-test"][0]["actor"], "apikey:0123456789abcdef")
            self.assertTrue(by_corr["corr-create-1"][0]["operation"].startswith("apikey"))
            self.assertTrue(by_corr["corr-create-1"][0]["actor"].startswith(
                "apikey:" + s.keys["admin"][4:20]))
            log = s.log_text()
            store = s.store_bytes()
            self.assertTrue(len(s.secrets) >= 6)
            for secret in s.secrets:
                self.assertNotIn(secret, log)
                self.assertNotIn(secret.encode(), store)
                # the secret part of a key neither
                if secret.startswith("fhk_"):
                    self.assertNotIn(secret[21:], log)
                    self.assertNotIn(secret[21:].encode(), store)


class Concurrency(unittest.TestCase):
    def test_32_clients(self):
        with Server(tokens=("demo",), server_conf="threads = 4") as s:
            errors = []
            counts = [0]
            lock = threading.Lock()
            plan = [
                ("GET", "/v1/tokens", None, "app", 200),
                ("GET", "/v1/tokens/demo", None, "operator", 200),
                ("POST", "/v1/digest", {"mechanism": "SHA256", "data": "aGVsbG8="}, "app", 200),
                ("POST", "/v1/random", {"bytes": 32}, "auditor", 200),
                ("GET", "/v1/mechanisms", None, "admin", 200),
                ("GET", "/v1/audit?limit=5", None, "auditor", 200),
                ("GET", "/v1/apikeys", None, "app", 403),
                ("GET", "/v1/health/ready", None, None, 200),
                ("GET", "/metrics", None, None, 200),
                ("GET", "/v1/nope", None, None, 404),
            ]

            def client(n):
                conn = s.connection(timeout=60)
                try:
                    for i in range(24):
                        m, p, b, role, want = plan[(n + i) % len(plan)]
                        rid = "c%d-%d" % (n, i)
                        r = s.request(m, p, b, key=s.keys[role] if role else None,
                                      headers={"X-Request-Id": rid}, conn=conn)
                        if r.status != want or r.header("X-Request-Id") != rid:
                            with lock:
                                errors.append((rid, p, r.status, r.text[:200]))
                        with lock:
                            counts[0] += 1
                except Exception as e:  # noqa: BLE001 - reported below
                    with lock:
                        errors.append((n, repr(e)))
                finally:
                    conn.close()

            threads = [threading.Thread(target=client, args=(n,)) for n in range(32)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            self.assertEqual(errors, [])
            self.assertEqual(counts[0], 32 * 24)
            self.assertEqual(s.stop(), 0)
            # the clients' own ids ("c<n>-<i>"), not ids the server made (hex digits)
            n = len([l for l in s.log_lines() if l["event"] == "request"
                     and re.fullmatch(r"c[0-9]+-[0-9]+", l["request_id"])])
            self.assertEqual(n, 32 * 24)


if __name__ == "__main__":
    unittest.main(verbosity=2)
