#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Token administration over REST (docs/api.md "Token administration"):
POST /v1/tokens, DELETE /v1/tokens/{token}, POST /v1/tokens/{token}/pin and
POST /v1/tokens/{token}/unlock, each with success and every failure class
(400 naming the field, 401, 403 by role and for a scoped admin, 404 by
existence and by scope, 409, 423), the PIN counters of the core, no PIN in
any answer, log line or audit record, a token deleted while it is being
signed with, and API key scopes bound to the token's serial across a delete
and re-create of the same label."""
import base64
import json
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fhserver import ROLES, SO_PIN, Server  # noqa: E402

S = None
SCOPED_ADMIN = None
# every PIN this file sends: none may appear in a log line, an answer or an audit record
PINS = set()


def pin(s):
    PINS.add(s)
    return s


NEW_SO = pin("so-pin-of-a-new-token-7731")
NEW_USER = pin("user-pin-of-a-new-token-4410")


def setUpModule():
    global S, SCOPED_ADMIN
    S = Server(tokens=("demo", "locked"), bad_pin=("locked",), wait_ready=False)
    SCOPED_ADMIN = S.create_key("scoped-admin", "admin", ["demo"])


def tearDownModule():
    S.close()


def admin():
    return S.keys["admin"]


def create(label, so=NEW_SO, user=NEW_USER, key=None):
    return S.request("POST", "/v1/tokens", {"label": label, "so_pin": so, "user_pin": user},
                     key=key or admin())


def delete(label, so=NEW_SO, key=None):
    return S.request("DELETE", "/v1/tokens/" + label, {"so_pin": so}, key=key or admin())


def token(label):
    r = S.request("GET", "/v1/tokens/" + label, key=admin())
    return r.json["token"] if r.status == 200 else None


def sign(label, key_label, key=None):
    return S.request("POST", "/v1/tokens/%s/keys/%s/sign" % (label, key_label),
                     {"mechanism": "ECDSA_SHA256", "data": base64.b64encode(b"data").decode()},
                     key=key or S.keys["app"])


def err(t, r, status, code, field=None):
    t.assertEqual((r.status, r.code), (status, code), r)
    if field is not None:
        t.assertIn("'%s'" % field, r.json["error"]["message"], r)
    for p in PINS:
        t.assertNotIn(p, r.text)


class Create(unittest.TestCase):
    def test_create_serves_at_once(self):
        r = create("made")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.header("Location"), "/v1/tokens/made")
        show = S.request("GET", "/v1/tokens/made", key=admin())
        self.assertEqual(r.json, show.json)
        self.assertIs(r.json["token"]["ready"], True)
        self.assertEqual(r.json["counts"], {"keys": 0, "objects": 0})
        self.assertRegex(r.json["token"]["serial"], r"^[0-9A-F]{16}$")
        # served: keys and operations work without a restart
        g = S.request("POST", "/v1/tokens/made/keys", {"type": "ec-p256", "label": "k"},
                      key=S.keys["operator"])
        self.assertEqual(g.status, 201, g)
        self.assertEqual(sign("made", "k").status, 200)
        for p in PINS:
            self.assertNotIn(p, r.text)
        # a label with characters that need encoding comes back encoded
        r = create("a b/c")
        self.assertEqual((r.status, r.header("Location")), (201, "/v1/tokens/a%20b%2Fc"), r)

    def test_create_errors(self):
        err(self, create("demo"), 409, "token_exists")
        a = admin()
        for body, field in (({"so_pin": NEW_SO, "user_pin": NEW_USER}, "label"),
                            ({"label": "x1", "user_pin": NEW_USER}, "so_pin"),
                            ({"label": "x1", "so_pin": NEW_SO}, "user_pin"),
                            ({"label": 7, "so_pin": NEW_SO, "user_pin": NEW_USER}, "label"),
                            ({"label": "x1", "so_pin": 1234, "user_pin": NEW_USER}, "so_pin"),
                            ({"label": "x1", "so_pin": "", "user_pin": NEW_USER}, "so_pin"),
                            ({"label": "x1", "so_pin": NEW_SO, "user_pin": "u" * 257}, "user_pin"),
                            ({"label": "x1", "so_pin": NEW_SO, "user_pin": NEW_USER, "pin": "1"},
                             "pin")):
            with self.subTest(field=field):
                err(self, S.request("POST", "/v1/tokens", body, key=a), 400, "bad_json", field)
        for label in ("", "l" * 33, "tab\there"):
            err(self, create(label), 400, "bad_request", "label")
        err(self, create("short-so", so=pin("Q@z")), 400, "pin_len_range", "so_pin")
        err(self, create("short-user", user=pin("W@y")), 400, "pin_len_range", "user_pin")
        r = S.request("POST", "/v1/tokens", raw=b'{"label": "x", "so_pin": ', key=a)
        err(self, r, 400, "bad_json")
        self.assertIsNone(token("x1"))
        self.assertIsNone(token("short-so"))
        # 401, 403 by role, 403 for an admin scoped to tokens
        err(self, create("nokey", key="fhk_0123456789abcdef_" + "A" * 43), 401, "unauthenticated")
        for role in ("operator", "app", "auditor"):
            err(self, create("by-" + role, key=S.keys[role]), 403, "forbidden")
        err(self, create("by-scoped", key=SCOPED_ADMIN), 403, "forbidden")
        self.assertIsNone(token("by-scoped"))

    def test_restart_needs_unlock_line(self):
        with Server(tokens=("base",), roles=("admin",)) as s:
            r = s.request("POST", "/v1/tokens", {"label": "fresh", "so_pin": NEW_SO,
                                                 "user_pin": NEW_USER}, key=s.keys["admin"])
            self.assertEqual(r.status, 201, r)
            s.stop()
            s.start()
            r = s.request("GET", "/v1/tokens/fresh/keys", key=s.keys["admin"])
            self.assertEqual((r.status, r.code), (423, "token_locked"), r)
            self.assertIs(s.request("GET", "/v1/tokens/fresh", key=s.keys["admin"])
                          .json["token"]["ready"], False)


class Delete(unittest.TestCase):
    def test_delete(self):
        self.assertEqual(create("del1").status, 201)
        r = delete("del1", so=pin("not-the-so-pin"))
        err(self, r, 403, "pin_incorrect")
        self.assertEqual(token("del1")["so_failures"], 1)
        r = delete("del1")
        self.assertEqual((r.status, r.body), (204, b""), r)
        self.assertIsNone(token("del1"))
        err(self, delete("del1"), 404, "token_not_found")
        err(self, S.request("GET", "/v1/tokens/del1/keys", key=admin()), 404, "token_not_found")
        self.assertNotIn("del1", [t["label"] for t in
                                  S.request("GET", "/v1/tokens", key=admin()).json["tokens"]])

    def test_delete_errors(self):
        self.assertEqual(create("del2").status, 201)
        a = admin()
        err(self, S.request("DELETE", "/v1/tokens/del2", key=a), 400, "bad_json", "so_pin")
        err(self, S.request("DELETE", "/v1/tokens/del2", {"so_pin": 5}, key=a), 400, "bad_json",
            "so_pin")
        err(self, S.request("DELETE", "/v1/tokens/del2", {"so_pin": NEW_SO, "x": 1}, key=a), 400,
            "bad_json", "x")
        err(self, S.request("DELETE", "/v1/tokens/del2", raw=b"{nope", key=a), 400, "bad_json")
        r = S.request("DELETE", "/v1/tokens/del2", raw=b"so_pin=1", key=a,
                      content_type="text/plain")
        err(self, r, 415, "unsupported_media_type")
        err(self, delete("nosuch"), 404, "token_not_found")
        err(self, delete("del2", key="fhk_0123456789abcdef_" + "A" * 43), 401, "unauthenticated")
        for role in ("operator", "app", "auditor"):
            err(self, delete("del2", key=S.keys[role]), 403, "forbidden")
        # outside the scope: as if it did not exist, whatever the body says
        for body in ({"so_pin": NEW_SO}, {}):
            r = S.request("DELETE", "/v1/tokens/del2", body, key=SCOPED_ADMIN)
            err(self, r, 404, "token_not_found")
        self.assertIsNotNone(token("del2"))
        # the core's counter: max_pin_failures (10) wrong SO PINs lock the SO PIN
        for _ in range(10):
            err(self, delete("del2", so=pin("wrong-so-pin-000")), 403, "pin_incorrect")
        err(self, delete("del2"), 423, "pin_locked")
        t = token("del2")
        self.assertIs(t["so_pin_locked"], True)
        self.assertEqual(t["so_failures"], 10)

    def test_delete_while_signing(self):
        """Requests in flight on a deleted token finish or get 404; nothing crashes."""
        for rnd in range(3):
            label = "busy%d" % rnd
            self.assertEqual(create(label).status, 201)
            # RSA-4096: each signature holds its session long enough that the
            # deletion lands while some are open
            g = S.request("POST", "/v1/tokens/%s/keys" % label, {"type": "rsa-4096", "label": "k"},
                          key=S.keys["operator"])
            self.assertEqual(g.status, 201, g)
            statuses = []
            lock = threading.Lock()
            started = threading.Barrier(9)

            def signer():
                # each signer goes on until the deletion reaches it (a 404)
                conn = S.connection()
                started.wait()
                try:
                    for _ in range(20000):
                        r = S.request("POST", "/v1/tokens/%s/keys/k/sign" % label,
                                      {"mechanism": "SHA256_RSA_PKCS", "data": "ZGF0YQ=="},
                                      key=S.keys["app"], conn=conn)
                        with lock:
                            statuses.append((r.status, r.code))
                        if r.status != 200:
                            break
                finally:
                    conn.close()

            threads = [threading.Thread(target=signer) for _ in range(8)]
            for th in threads:
                th.start()
            started.wait()
            r = delete(label)
            for th in threads:
                th.join(60)
                self.assertFalse(th.is_alive())
            self.assertEqual(r.status, 204, r)
            bad = [s for s in statuses if s[0] not in (200, 404)]
            self.assertEqual(bad, [], statuses[-10:])
            self.assertIn((404, "token_not_found"), statuses)
            self.assertEqual(S.request("GET", "/v1/health/live").status, 200)
            err(self, sign(label, "k"), 404, "token_not_found")
        # the server still serves the others
        self.assertEqual(S.request("GET", "/v1/tokens/demo", key=admin()).status, 200)


class Pins(unittest.TestCase):
    def test_set_pin(self):
        self.assertEqual(create("pins").status, 201)
        self.assertEqual(S.request("POST", "/v1/tokens/pins/keys",
                                   {"type": "ec-p256", "label": "k"}, key=admin()).status, 201)
        new_user = pin("user-pin-changed-1")
        r = S.request("POST", "/v1/tokens/pins/pin", {"old_pin": NEW_USER, "new_pin": new_user},
                      key=admin())
        self.assertEqual((r.status, r.body), (204, b""), r)
        # the server's own login is not disturbed
        self.assertEqual(sign("pins", "k").status, 200)
        r = S.request("POST", "/v1/tokens/pins/pin", {"old_pin": NEW_USER, "new_pin": new_user},
                      key=admin())
        err(self, r, 403, "pin_incorrect")
        self.assertEqual(token("pins")["user_failures"], 1)
        new_so = pin("so-pin-changed-22")
        r = S.request("POST", "/v1/tokens/pins/pin",
                      {"so": True, "old_pin": NEW_SO, "new_pin": new_so}, key=admin())
        self.assertEqual(r.status, 204, r)
        err(self, delete("pins", so=NEW_SO), 403, "pin_incorrect")
        a = admin()
        for body, code, field in (({"new_pin": "abcdefgh"}, "bad_json", "old_pin"),
                                  ({"old_pin": new_user}, "bad_json", "new_pin"),
                                  ({"so": "yes", "old_pin": new_user, "new_pin": "abcdefgh"},
                                   "bad_json", "so"),
                                  ({"old_pin": new_user, "new_pin": "ab"}, "pin_len_range",
                                   "new_pin")):
            with self.subTest(field=field):
                err(self, S.request("POST", "/v1/tokens/pins/pin", body, key=a), 400, code, field)
        err(self, S.request("POST", "/v1/tokens/nosuch/pin",
                            {"old_pin": new_user, "new_pin": "abcdefgh"}, key=a),
            404, "token_not_found")
        for role in ("operator", "app", "auditor"):
            err(self, S.request("POST", "/v1/tokens/pins/pin", {}, key=S.keys[role]), 403,
                "forbidden")
        err(self, S.request("POST", "/v1/tokens/pins/pin", {}, key=SCOPED_ADMIN), 404,
            "token_not_found")
        err(self, S.request("POST", "/v1/tokens/pins/pin", {}), 401, "unauthenticated")
        self.assertEqual(delete("pins", so=new_so).status, 204)

    def test_unlock_locked_user_pin(self):
        self.assertEqual(create("unl").status, 201)
        for _ in range(10):
            r = S.request("POST", "/v1/tokens/unl/pin",
                          {"old_pin": pin("wrong-user-pin-1"), "new_pin": "abcdefgh"}, key=admin())
            self.assertIn(r.code, ("pin_incorrect", "pin_locked"), r)
        self.assertEqual(token("unl")["user_pin"], "locked")
        a = admin()
        err(self, S.request("POST", "/v1/tokens/unl/unlock",
                            {"so_pin": pin("wrong-so-pin-123"), "new_pin": "abcdefgh"}, key=a),
            403, "pin_incorrect")
        err(self, S.request("POST", "/v1/tokens/unl/unlock",
                            {"so_pin": NEW_SO, "new_pin": "ab"}, key=a),
            400, "pin_len_range", "new_pin")
        for body, field in (({"new_pin": "abcdefgh"}, "so_pin"), ({"so_pin": NEW_SO}, "new_pin")):
            err(self, S.request("POST", "/v1/tokens/unl/unlock", body, key=a), 400, "bad_json",
                field)
        unlocked = pin("user-pin-after-unlock")
        r = S.request("POST", "/v1/tokens/unl/unlock", {"so_pin": NEW_SO, "new_pin": unlocked},
                      key=a)
        self.assertEqual((r.status, r.body), (204, b""), r)
        t = token("unl")
        self.assertEqual((t["user_pin"], t["user_failures"], t["ready"]), ("ok", 0, True))
        r = S.request("POST", "/v1/tokens/unl/pin", {"old_pin": unlocked, "new_pin": "abcdefgh"},
                      key=a)
        self.assertEqual(r.status, 204, r)
        err(self, S.request("POST", "/v1/tokens/nosuch/unlock",
                            {"so_pin": NEW_SO, "new_pin": "abcdefgh"}, key=a),
            404, "token_not_found")
        for role in ("operator", "app", "auditor"):
            err(self, S.request("POST", "/v1/tokens/unl/unlock", {}, key=S.keys[role]), 403,
                "forbidden")

    def test_unlock_makes_configured_token_ready(self):
        r = S.request("GET", "/v1/health/ready")
        self.assertEqual((r.status, r.json["tokens"]["locked"]), (503, "unlock_failed"), r)
        err(self, S.request("GET", "/v1/tokens/locked/keys", key=admin()), 423, "token_locked")
        new_pin = pin("user-pin-locked-fixed")
        r = S.request("POST", "/v1/tokens/locked/unlock", {"so_pin": SO_PIN, "new_pin": new_pin},
                      key=admin())
        self.assertEqual(r.status, 204, r)
        r = S.request("GET", "/v1/health/ready")
        self.assertEqual((r.status, r.json["tokens"]["locked"]), (200, "ready"), r)
        self.assertEqual(S.request("GET", "/v1/tokens/locked/keys", key=admin()).status, 200)


class Scope(unittest.TestCase):
    def test_recreated_label_is_another_token(self):
        self.assertEqual(create("tenant").status, 201)
        self.assertEqual(S.request("POST", "/v1/tokens/tenant/keys",
                                   {"type": "ec-p256", "label": "k"}, key=admin()).status, 201)
        old_serial = token("tenant")["serial"]
        scoped = S.create_key("tenant-app", "app", ["tenant"])
        self.assertEqual(sign("tenant", "k", key=scoped).status, 200)
        self.assertEqual(delete("tenant").status, 204)
        self.assertEqual(create("tenant").status, 201)
        self.assertEqual(S.request("POST", "/v1/tokens/tenant/keys",
                                   {"type": "ec-p256", "label": "k"}, key=admin()).status, 201)
        self.assertNotEqual(token("tenant")["serial"], old_serial)
        # the old key reaches nothing of the new token: 404, as for a token that does not exist
        for method, path, body in (("GET", "/v1/tokens/tenant", None),
                                   ("GET", "/v1/tokens/tenant/keys", None),
                                   ("POST", "/v1/tokens/tenant/keys/k/sign",
                                    {"mechanism": "ECDSA_SHA256", "data": "ZGF0YQ=="})):
            err(self, S.request(method, path, body, key=scoped), 404, "token_not_found")
        self.assertEqual(S.request("GET", "/v1/tokens", key=scoped).json["tokens"], [])
        # listings show the old token as deleted; a new key for the label gets the new token
        keys = {k["name"]: k for k in S.request("GET", "/v1/apikeys", key=admin()).json["apikeys"]}
        self.assertEqual(keys["tenant-app"]["tokens"], ["deleted:" + old_serial])
        out = json.loads(S.cli("apikey", "list", "--json").stdout)
        self.assertEqual({k["name"]: k["tokens"] for k in out}["tenant-app"],
                         ["deleted:" + old_serial])
        fresh = S.create_key("tenant-app-2", "app", ["tenant"])
        self.assertEqual(sign("tenant", "k", key=fresh).status, 200)
        keys = {k["name"]: k for k in S.request("GET", "/v1/apikeys", key=admin()).json["apikeys"]}
        self.assertEqual(keys["tenant-app-2"]["tokens"], ["tenant"])

    def test_scoped_admin_manages_its_tokens(self):
        # an admin scoped to "demo" changes demo's PINs but cannot see the others
        r = S.request("POST", "/v1/tokens/demo/pin",
                      {"old_pin": "user-pin-demo", "new_pin": "user-pin-demo"}, key=SCOPED_ADMIN)
        self.assertEqual(r.status, 204, r)
        err(self, S.request("POST", "/v1/tokens/locked/unlock", {}, key=SCOPED_ADMIN), 404,
            "token_not_found")


class Secrecy(unittest.TestCase):
    def test_zz_no_pin_anywhere(self):
        """Runs last (zz): every PIN this file sent is absent from the log and the audit log."""
        log = S.log_text()
        self.assertIn("/v1/tokens/{token}/unlock", log)  # the requests were logged
        audit = S.cli("audit", "list", "--json").stdout.decode()
        ops = {r["operation"] for r in json.loads(audit)}
        self.assertTrue({"token.create", "token.delete", "pin.change", "pin.init"} <= ops, ops)
        for p in PINS | {SO_PIN}:
            self.assertNotIn(p, log)
            self.assertNotIn(p, audit)
        # the audit records name the API key and the token, with the outcome
        recs = json.loads(audit)
        dels = [r for r in recs if r["operation"] == "token.delete" and r["front"] == "server"]
        self.assertTrue(any(r["result"] == "pin_incorrect" for r in dels), dels[-3:])
        self.assertTrue(any(r["result"] == "ok" and r["actor"].startswith("apikey:")
                            for r in dels), dels[-3:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
