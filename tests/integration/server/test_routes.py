#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The runtime's routes (tokens, mechanisms, digest, random, API keys, audit,
health, metrics, openapi) with success and each failure class: 400, 401,
403, 404, 405, 409, 413, 415, 429."""
import base64
import hashlib
import json
import os
import re
import socket
import ssl
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fhserver import Server  # noqa: E402

S = None


def setUpModule():
    global S
    S = Server(tokens=("demo", "other"))


def tearDownModule():
    S.close()


def err_shape(t, r, status, code):
    t.assertEqual(r.status, status, r)
    t.assertEqual(r.code, code, r)
    t.assertEqual(set(r.json), {"error"})
    t.assertEqual(set(r.json["error"]), {"code", "message", "request_id"})
    t.assertEqual(r.json["error"]["request_id"], r.header("X-Request-Id"))


def raw_head(request):
    """Send request bytes (headers only) over TLS; the response as text."""
    with socket.create_connection(("127.0.0.1", S.port)) as raw:
        tls = S.ssl_context().wrap_socket(raw, server_hostname="localhost")
        tls.sendall(request)
        data = b""
        while True:
            try:
                got = tls.recv(4096)
            except (ssl.SSLError, OSError):
                break
            if not got:
                break
            data += got
        tls.close()
    return data.decode("utf-8", "replace")


class Tokens(unittest.TestCase):
    def test_list(self):
        r = S.request("GET", "/v1/tokens", key=S.keys["auditor"])
        self.assertEqual(r.status, 200, r)
        labels = [t["label"] for t in r.json["tokens"]]
        self.assertEqual(labels, ["demo", "other"])
        t = r.json["tokens"][0]
        self.assertEqual(set(t), {"label", "serial", "objects", "user_pin", "user_failures",
                                  "so_pin_locked", "so_failures", "max_failures", "ready"})
        self.assertIs(t["ready"], True)
        self.assertRegex(t["serial"], r"^[0-9A-F]{16}$")

    def test_show(self):
        r = S.request("GET", "/v1/tokens/demo", key=S.keys["app"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["token"]["label"], "demo")
        self.assertIn("ECDSA_SHA256", r.json["mechanisms"])
        self.assertEqual(r.json["counts"]["keys"], 0)

    def test_show_unknown(self):
        err_shape(self, S.request("GET", "/v1/tokens/nope", key=S.keys["admin"]), 404,
                  "token_not_found")

    def test_show_url_encoded(self):
        # %2F stays inside one parameter: a token label, not a path separator
        r = S.request("GET", "/v1/tokens/de%2Fmo", key=S.keys["admin"])
        err_shape(self, r, 404, "token_not_found")
        self.assertIn("de/mo", r.json["error"]["message"])
        r = S.request("GET", "/v1/tokens/%64emo", key=S.keys["admin"])
        self.assertEqual(r.status, 200, r)

    def test_mechanisms(self):
        r = S.request("GET", "/v1/mechanisms", key=S.keys["operator"])
        self.assertEqual(r.status, 200, r)
        by = {m["name"]: m for m in r.json["mechanisms"]}
        self.assertIn("sign", by["ECDSA_SHA256"]["operations"])
        self.assertEqual(by["SHA256"]["key_unit"], None)
        # same as the CLI's --json
        cli = json.loads(S.cli("mechanisms", "--json").stdout)
        self.assertEqual(cli, r.json["mechanisms"])


class DigestRandom(unittest.TestCase):
    def test_digest(self):
        data = os.urandom(1000)
        r = S.request("POST", "/v1/digest", {"mechanism": "sha256",
                                             "data": base64.b64encode(data).decode()},
                      key=S.keys["app"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(base64.b64decode(r.json["digest"]), hashlib.sha256(data).digest())
        r = S.request("POST", "/v1/digest", {"mechanism": "SHA3_512", "data": ""},
                      key=S.keys["auditor"])
        self.assertEqual(base64.b64decode(r.json["digest"]), hashlib.sha3_512(b"").digest())

    def test_digest_errors(self):
        k = S.keys["app"]
        err_shape(self, S.request("POST", "/v1/digest", {"mechanism": "ECDSA", "data": ""}, key=k),
                  400, "mechanism_invalid")
        err_shape(self, S.request("POST", "/v1/digest", {"mechanism": "NOPE", "data": ""}, key=k),
                  400, "mechanism_invalid")
        r = S.request("POST", "/v1/digest", {"mechanism": "SHA256", "data": "not base64!"}, key=k)
        err_shape(self, r, 400, "bad_json")
        self.assertIn("'data'", r.json["error"]["message"])
        r = S.request("POST", "/v1/digest", {"mechanism": "SHA256", "data": "YQ"}, key=k)
        err_shape(self, r, 400, "bad_json")  # padding is required
        r = S.request("POST", "/v1/digest", {"mechanism": "SHA256"}, key=k)
        err_shape(self, r, 400, "bad_json")
        self.assertIn("'data'", r.json["error"]["message"])
        r = S.request("POST", "/v1/digest", {"mechanism": "SHA256", "data": "", "x": 1}, key=k)
        err_shape(self, r, 400, "bad_json")
        self.assertIn("'x'", r.json["error"]["message"])
        r = S.request("POST", "/v1/digest", {"mechanism": 5, "data": ""}, key=k)
        err_shape(self, r, 400, "bad_json")
        r = S.request("POST", "/v1/digest", [1, 2], key=k)
        err_shape(self, r, 400, "bad_json")
        r = S.request("POST", "/v1/digest", key=k)  # no body at all
        err_shape(self, r, 400, "bad_json")

    def test_random(self):
        r = S.request("POST", "/v1/random", {"bytes": 48}, key=S.keys["operator"])
        self.assertEqual(r.status, 200, r)
        a = base64.b64decode(r.json["random"])
        self.assertEqual(len(a), 48)
        b = base64.b64decode(S.request("POST", "/v1/random", {"bytes": 48},
                                       key=S.keys["operator"]).json["random"])
        self.assertNotEqual(a, b)
        self.assertEqual(len(base64.b64decode(S.request(
            "POST", "/v1/random", {"bytes": 65536}, key=S.keys["app"]).json["random"])), 65536)
        for bad in (0, 65537, -1, "12", 1.5, None):
            r = S.request("POST", "/v1/random", {"bytes": bad}, key=S.keys["app"])
            err_shape(self, r, 400, "bad_json")


class Malformed(unittest.TestCase):
    def test_bad_json_names_position(self):
        r = S.request("POST", "/v1/random", raw=b'{"bytes":\n  12,,}', key=S.keys["app"])
        err_shape(self, r, 400, "bad_json")
        self.assertRegex(r.json["error"]["message"], r"line 2, column \d+")

    def test_bad_json_quotes_no_body(self):
        # the parser's own text quotes the bytes it stopped at; they may be a secret
        for raw in (b'{"plaintext": "c2VjcmV0LXBsYWludGV4dA', b'{"x": c2VjcmV0LXBsYWludGV4dA}',
                    b'{"a": 1 c2VjcmV0LXBsYWludGV4dA}'):
            r = S.request("POST", "/v1/random", raw=raw, key=S.keys["app"])
            err_shape(self, r, 400, "bad_json")
            self.assertNotIn("c2VjcmV0", r.text)
            self.assertRegex(r.json["error"]["message"], r"^invalid JSON at line 1, column \d+: \S")

    def test_bad_json_variants(self):
        for raw in (b"{", b"\xff\xfe{}", b'{"bytes": 1, "bytes": 2}', b"null", b'"x"',
                    b'{"bytes": 1}garbage', b'{"a":"\\u0000"}', b"[" * 5000):
            r = S.request("POST", "/v1/random", raw=raw, key=S.keys["app"])
            err_shape(self, r, 400, "bad_json")

    def test_415(self):
        r = S.request("POST", "/v1/random", raw=b'{"bytes": 1}', content_type="text/plain",
                      key=S.keys["app"])
        err_shape(self, r, 415, "unsupported_media_type")
        r = S.request("POST", "/v1/random", raw=b'{"bytes": 1}', content_type=None,
                      key=S.keys["app"])
        err_shape(self, r, 415, "unsupported_media_type")
        r = S.request("POST", "/v1/random", raw=b'{"bytes": 1}',
                      content_type="application/json; charset=utf-8", key=S.keys["app"])
        self.assertEqual(r.status, 200, r)

    def test_413_authenticated(self):
        head = raw_head(b"POST /v1/digest HTTP/1.1\r\nHost: localhost\r\n"
                        b"Authorization: Bearer " + S.keys["app"].encode() + b"\r\n"
                        b"Content-Type: application/json\r\nContent-Length: 1600000\r\n\r\n")
        self.assertTrue(head.startswith("HTTP/1.1 413"), head)
        self.assertIn("body_too_large", head)
        # chunked, without a length: cut off at the limit
        c = S.connection()
        c.putrequest("POST", "/v1/digest")
        c.putheader("Authorization", "Bearer " + S.keys["app"])
        c.putheader("Content-Type", "application/json")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        try:
            for _ in range(40):
                chunk = b"x" * 65536
                c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            c.send(b"0\r\n\r\n")
            r = c.getresponse()
            self.assertEqual(r.status, 413)
        except (ssl.SSLError, OSError):
            pass  # the server may close before the client finished sending: also a refusal
        finally:
            c.close()
        # just under the 1.5 MiB body limit is accepted (then capped at 1 MiB of data)
        ok = {"mechanism": "SHA256", "data": base64.b64encode(b"x" * (1024 * 1024)).decode()}
        self.assertEqual(S.request("POST", "/v1/digest", ok, key=S.keys["app"]).status, 200)

    def test_413_before_authentication(self):
        # declared large, nothing sent: refused from the headers alone
        head = raw_head(b"POST /v1/digest HTTP/1.1\r\nHost: localhost\r\n"
                        b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n")
        self.assertTrue(head.startswith("HTTP/1.1 413"), head)
        # 8 KiB with no key: 413, not 401 (max_body_unauth_bytes = 4 KiB)
        r = S.request("POST", "/v1/digest", raw=b" " * 8192 + b"{}")
        err_shape(self, r, 413, "body_too_large")
        r = S.request("POST", "/v1/digest", raw=b"{}")
        err_shape(self, r, 401, "unauthenticated")

    def test_404_405(self):
        err_shape(self, S.request("GET", "/v1/nothing"), 404, "not_found")
        err_shape(self, S.request("GET", "/v1/tokens/"), 404, "not_found")
        r = S.request("PUT", "/v1/tokens", key=S.keys["admin"])
        err_shape(self, r, 405, "method_not_allowed")
        self.assertIn("GET", r.header("Allow"))
        r = S.request("DELETE", "/v1/health/live")
        err_shape(self, r, 405, "method_not_allowed")


class Auth(unittest.TestCase):
    def test_401_identical(self):
        bodies = set()
        revoked = S.create_key("to-revoke", "app", "*")
        self.assertEqual(S.request("DELETE", "/v1/apikeys/to-revoke", key=S.keys["admin"]).status,
                         204)
        good = S.keys["app"]
        mid = len(good) - 10
        flipped = good[:mid] + ("B" if good[mid] != "B" else "C") + good[mid + 1:]
        for auth in (None, "Bearer", "Bearer nonsense", "Basic " + good, "Bearer " + flipped,
                     "Bearer fhk_0000000000000000_" + "A" * 43, "Bearer " + revoked,
                     "Bearer " + good + "x"):
            h = {"X-Request-Id": "same-id"}
            if auth is not None:
                h["Authorization"] = auth
            r = S.request("GET", "/v1/tokens", headers=h, source="127.0.0.3")
            err_shape(self, r, 401, "unauthenticated")
            bodies.add(r.body)
        self.assertEqual(len(bodies), 1, bodies)

    def test_403(self):
        r = S.request("GET", "/v1/apikeys", key=S.keys["operator"])
        err_shape(self, r, 403, "forbidden")
        r = S.request("GET", "/v1/audit", key=S.keys["app"])
        err_shape(self, r, 403, "forbidden")

    def test_429(self):
        src = "127.0.0.2"
        for i in range(10):
            r = S.request("GET", "/v1/tokens", key="fhk_bad", source=src)
            self.assertEqual(r.status, 401, r)
        r = S.request("GET", "/v1/tokens", key=S.keys["admin"], source=src)
        err_shape(self, r, 429, "rate_limited")
        self.assertTrue(1 <= int(r.header("Retry-After")) <= 60, r.headers)
        # other addresses and public routes are not affected
        self.assertEqual(S.request("GET", "/v1/tokens", key=S.keys["admin"]).status, 200)
        self.assertEqual(S.request("GET", "/v1/health/live", source=src).status, 200)


class ApiKeys(unittest.TestCase):
    def test_create_list_revoke(self):
        a = S.keys["admin"]
        r = S.request("POST", "/v1/apikeys", {"name": "svc-1", "role": "app", "tokens": ["demo"]},
                      key=a)
        self.assertEqual(r.status, 201, r)
        new = r.json["key"]
        S.secrets.append(new)
        self.assertRegex(new, r"^fhk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$")
        info = r.json["apikey"]
        self.assertEqual((info["name"], info["role"], info["tokens"], info["revoked"]),
                         ("svc-1", "app", ["demo"], False))
        self.assertEqual(r.header("Location"), "/v1/apikeys/" + info["id"])
        self.assertTrue(new.startswith("fhk_" + info["id"] + "_"))
        # the new key works, in its scope
        r = S.request("GET", "/v1/tokens", key=new)
        self.assertEqual([t["label"] for t in r.json["tokens"]], ["demo"])
        listed = S.request("GET", "/v1/apikeys", key=a).json["apikeys"]
        self.assertIn(info["id"], [k["id"] for k in listed])
        self.assertNotIn(new, json.dumps(listed))
        # 409 on a taken name
        r = S.request("POST", "/v1/apikeys", {"name": "svc-1", "role": "app", "tokens": "*"}, key=a)
        err_shape(self, r, 409, "apikey_exists")
        # revoke by id; the key stops working; listed as revoked
        self.assertEqual(S.request("DELETE", "/v1/apikeys/" + info["id"], key=a).status, 204)
        err_shape(self, S.request("GET", "/v1/tokens", key=new), 401, "unauthenticated")
        listed = S.request("GET", "/v1/apikeys", key=a).json["apikeys"]
        self.assertTrue([k for k in listed if k["id"] == info["id"]][0]["revoked"])
        err_shape(self, S.request("DELETE", "/v1/apikeys/no-such", key=a), 404, "apikey_not_found")

    def test_create_errors(self):
        a = S.keys["admin"]
        for body, code in (({"name": "x", "role": "root", "tokens": "*"}, "bad_request"),
                           ({"name": "x", "role": "app"}, "bad_json"),
                           ({"name": "x", "role": "app", "tokens": []}, "bad_json"),
                           ({"name": "x", "role": "app", "tokens": "all"}, "bad_json"),
                           ({"name": "", "role": "app", "tokens": "*"}, "bad_request"),
                           ({"name": "x", "role": "app", "tokens": "*", "extra": 1}, "bad_json")):
            err_shape(self, S.request("POST", "/v1/apikeys", body, key=a), 400, code)
        r = S.request("POST", "/v1/apikeys", {"name": "x", "role": "app", "tokens": ["ghost"]},
                      key=a)
        err_shape(self, r, 404, "token_not_found")

    def test_scoped_admin_cannot_escalate(self):
        sa = S.create_key("scoped-admin", "admin", ["demo"])
        r = S.request("POST", "/v1/apikeys", {"name": "esc1", "role": "admin", "tokens": "*"},
                      key=sa)
        err_shape(self, r, 403, "forbidden")
        r = S.request("POST", "/v1/apikeys", {"name": "esc2", "role": "app", "tokens": ["other"]},
                      key=sa)
        err_shape(self, r, 404, "token_not_found")
        # it sees only keys inside its scope, and cannot revoke the others
        ids = [k["name"] for k in S.request("GET", "/v1/apikeys", key=sa).json["apikeys"]]
        self.assertNotIn("test-admin", ids)
        self.assertIn("scoped-admin", ids)
        err_shape(self, S.request("DELETE", "/v1/apikeys/test-admin", key=sa), 404,
                  "apikey_not_found")
        r = S.request("POST", "/v1/apikeys", {"name": "ok-demo", "role": "app", "tokens": ["demo"]},
                      key=sa)
        self.assertEqual(r.status, 201, r)
        S.secrets.append(r.json["key"])


class Audit(unittest.TestCase):
    def test_list_filters_paging(self):
        k = S.keys["auditor"]
        for _ in range(3):
            S.request("GET", "/v1/tokens", key="fhk_nope", source="127.0.0.4")
        r = S.request("GET", "/v1/audit?operation=auth&limit=2", key=k)
        self.assertEqual(r.status, 200, r)
        recs = r.json["records"]
        self.assertEqual(len(recs), 2)
        self.assertTrue(all(x["operation"] == "auth" and x["result"] == "auth_failed" for x in recs))
        self.assertIsInstance(r.json["next"], int)
        self.assertGreater(r.json["next"], recs[-1]["seq"])
        r2 = S.request("GET", "/v1/audit?operation=auth&limit=2&from=%d" % r.json["next"], key=k)
        self.assertGreaterEqual(r2.json["records"][0]["seq"], r.json["next"])
        everything = S.request("GET", "/v1/audit?limit=1000", key=k).json
        self.assertIsNone(everything["next"])
        self.assertEqual([x["seq"] for x in everything["records"]],
                         sorted(x["seq"] for x in everything["records"]))
        self.assertEqual(set(everything["records"][0]), {
            "seq", "time", "time_ms", "actor", "front", "operation", "object", "result",
            "corr_id", "prev_hash", "hash"})
        for q in ("limit=0", "limit=1001", "from=0", "from=x", "limit=-1"):
            err_shape(self, S.request("GET", "/v1/audit?" + q, key=k), 400, "bad_request")

    def test_scoped_auditor(self):
        sa = S.create_key("aud-other", "auditor", ["other"])
        S.request("GET", "/v1/tokens/demo", key=S.create_key("app-demo", "app", ["demo"]))
        recs = S.request("GET", "/v1/audit?limit=1000", key=sa).json["records"]
        self.assertTrue(recs, "the token init of 'other' is visible")
        for x in recs:
            self.assertTrue(any(re.search(r"token:other($|[/)])", f)
                                for f in (x["object"], x["actor"])), x)

    def test_verify(self):
        r = S.request("GET", "/v1/audit/verify", key=S.keys["admin"])
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json["verified"], True)
        self.assertGreater(r.json["records"], 0)
        self.assertIsNone(r.json["first_bad_seq"])


class Health(unittest.TestCase):
    def test_live_ready(self):
        r = S.request("GET", "/v1/health/live")
        self.assertEqual((r.status, r.json), (200, {"status": "live"}))
        r = S.request("GET", "/v1/health/ready")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"status": "ready", "store": "ok", "backend": "ok",
                                  "tokens": {"demo": "ready", "other": "ready"}})

    def test_headers(self):
        r = S.request("GET", "/v1/health/live", headers={"X-Request-Id": "abc.DEF_12-3"})
        self.assertEqual(r.header("X-Request-Id"), "abc.DEF_12-3")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertIn("max-age", r.header("Strict-Transport-Security"))
        for bad in ("", "has space", "x" * 64, "semi;colon", "ünï"):
            r = S.request("GET", "/v1/health/live", headers={"X-Request-Id": bad.encode().decode("latin-1")})
            self.assertRegex(r.header("X-Request-Id"), r"^[0-9a-f]{16}$", bad)
        self.assertEqual(len(S.request("GET", "/v1/health/live", headers={
            "X-Request-Id": "y" * 63}).header("X-Request-Id")), 63)

    def test_metrics(self):
        S.request("POST", "/v1/digest", {"mechanism": "SHA256", "data": ""}, key=S.keys["app"])
        S.request("GET", "/v1/nope")
        # a request is counted when the server finishes it, which may be just
        # after the client has its answer: read until the 404 is in
        counted = (r'ferrohsm_http_requests_total\{route="/v1/digest",method="POST",status="200"\} [1-9]',
                   r'ferrohsm_operations_total\{mechanism="SHA256",op="digest",result="ok"\} [1-9]',
                   r'ferrohsm_errors_total\{code="not_found"\} [1-9]')
        for _ in range(50):
            r = S.request("GET", "/metrics")
            if r.status != 200 or all(re.search(c, r.text) for c in counted):
                break
            time.sleep(0.1)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/plain"))
        t = r.text
        for series in ("ferrohsm_http_requests_total", "ferrohsm_http_request_duration_seconds_bucket",
                       "ferrohsm_operations_total", "ferrohsm_errors_total", "ferrohsm_sessions_active",
                       "ferrohsm_audit_chain_head_seq", "ferrohsm_connections_active",
                       "ferrohsm_auth_failures_total"):
            self.assertIn("# TYPE " + series.replace("_bucket", ""), t)
        self.assertRegex(t, r'ferrohsm_http_requests_total\{route="/v1/digest",method="POST",status="200"\} [1-9]')
        self.assertRegex(t, r'ferrohsm_operations_total\{mechanism="SHA256",op="digest",result="ok"\} [1-9]')
        self.assertRegex(t, r'ferrohsm_errors_total\{code="not_found"\} [1-9]')
        self.assertRegex(t, r"ferrohsm_audit_chain_head_seq [1-9]")
        self.assertRegex(t, r"ferrohsm_connections_active [1-9]")
        # every sample line is NAME{labels} VALUE
        for line in t.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$')


class OpenApi(unittest.TestCase):
    def test_document_matches_route_table(self):
        doc = S.openapi()
        self.assertEqual(doc["openapi"], "3.1.0")
        in_doc = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
        in_table = {(r["method"], r["pattern"]) for r in S.routes()}
        self.assertEqual(in_table - in_doc, set(), "routes missing from the OpenAPI document")
        self.assertEqual(in_doc - in_table, set(), "documented routes the server does not have")
        roles = {(m.upper(), p): sorted(op["x-roles"]) for p, item in doc["paths"].items()
                 for m, op in item.items()}
        for r in S.routes():
            self.assertEqual(roles[(r["method"], r["pattern"])], sorted(r["roles"]), r)
            op = doc["paths"][r["pattern"]][r["method"].lower()]
            self.assertEqual(op.get("security") == [], r["public"], r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
