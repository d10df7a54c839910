#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The role x route matrix over every route of every table (read from the
server's own route list, which test_routes checks against /v1/openapi.json):
a role outside a route's roles gets 403 and an audit record, never the
route; no key gets 401; a key scoped to token A sees 404 token_not_found for
token B on every route that names a token, and B is absent from its list.
The token administration routes admit the admin role only, and creating a
token needs an admin key for every token."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fhserver import ROLES, Server  # noqa: E402

S = None
SCOPED = {}


def setUpModule():
    global S
    S = Server(tokens=("alpha", "beta"))
    for role in ROLES:
        SCOPED[role] = S.create_key("scoped-" + role, role, ["alpha"])


def tearDownModule():
    S.close()


TOKEN_ADMIN = (("POST", "/v1/tokens"), ("DELETE", "/v1/tokens/{token}"),
               ("POST", "/v1/tokens/{token}/pin"), ("POST", "/v1/tokens/{token}/unlock"))


def path_for(pattern, token="alpha"):
    return (pattern.replace("{token}", token).replace("{key}", "no-such-key")
            .replace("{apikey}", "no-such-apikey"))


def call(route, key, token="alpha", source=None):
    body = {} if route["method"] in ("POST", "PATCH") else None
    return S.request(route["method"], path_for(route["pattern"], token), body, key=key,
                     source=source)


class Matrix(unittest.TestCase):
    def test_tables_are_complete(self):
        routes = S.routes()
        pats = {(r["method"], r["pattern"]) for r in routes}
        for must in (("GET", "/v1/tokens"), ("POST", "/v1/apikeys"), ("GET", "/v1/audit"),
                     ("GET", "/v1/health/ready"), ("GET", "/metrics")) + TOKEN_ADMIN:
            self.assertIn(must, pats)

    def test_token_admin_is_admin_only(self):
        roles = {(r["method"], r["pattern"]): r["roles"] for r in S.routes()}
        for route in TOKEN_ADMIN:
            for role in ROLES:
                with self.subTest(route=" ".join(route), role=role):
                    self.assertEqual(roles[route], ["admin"])
                    r = S.request(route[0], path_for(route[1]), {}, key=S.keys[role])
                    scoped = S.request(route[0], path_for(route[1]), {}, key=SCOPED[role])
                    if role != "admin":
                        self.assertEqual((r.status, r.code), (403, "forbidden"), r)
                        self.assertEqual((scoped.status, scoped.code), (403, "forbidden"), scoped)
                        continue
                    # reached the handler: the empty body is refused, nothing changes
                    self.assertEqual((r.status, r.code), (400, "bad_json"), r)
                    if route[1] == "/v1/tokens":
                        # an admin key scoped to tokens cannot create one
                        self.assertEqual((scoped.status, scoped.code), (403, "forbidden"), scoped)
                    else:
                        self.assertEqual((scoped.status, scoped.code), (400, "bad_json"), scoped)
        self.assertEqual([t["label"] for t in S.request("GET", "/v1/tokens",
                                                         key=S.keys["admin"]).json["tokens"]],
                         ["alpha", "beta"])

    def test_roles(self):
        checked = 0
        for route in S.routes():
            for role in ROLES:
                with self.subTest(route=route["method"] + " " + route["pattern"], role=role):
                    r = call(route, S.keys[role])
                    if route["public"] or role in route["roles"]:
                        self.assertNotIn(r.status, (401, 403, 405, 429), r)
                        self.assertNotEqual(r.code, "forbidden", r)
                    else:
                        self.assertEqual((r.status, r.code), (403, "forbidden"), r)
                    checked += 1
        self.assertGreaterEqual(checked, 4 * 14)

    def test_no_key(self):
        for i, route in enumerate(S.routes()):
            with self.subTest(route=route["method"] + " " + route["pattern"]):
                # from an address of its own: these failures must not rate-limit the others
                r = call(route, None, source="127.0.1.%d" % (i + 1))
                if route["public"]:
                    self.assertNotIn(r.status, (401, 403), r)
                else:
                    self.assertEqual((r.status, r.code), (401, "unauthenticated"), r)

    def test_scope(self):
        for role, key in SCOPED.items():
            r = S.request("GET", "/v1/tokens", key=key)
            self.assertEqual([t["label"] for t in r.json["tokens"]], ["alpha"], role)
            for route in S.routes():
                if "{token}" not in route["pattern"] or role not in route["roles"]:
                    continue
                with self.subTest(route=route["method"] + " " + route["pattern"], role=role):
                    other = call(route, key, token="beta")
                    ghost = call(route, key, token="ghost")
                    # the token is checked before the body: an empty body that would be
                    # refused (400) still answers 404 for a token outside the scope
                    self.assertEqual((other.status, other.code), (404, "token_not_found"), other)
                    self.assertEqual((other.status, other.code), (ghost.status, ghost.code))
                    # identical to a token that does not exist, but for the names
                    self.assertEqual(other.json["error"]["message"].replace("beta", "X"),
                                     ghost.json["error"]["message"].replace("ghost", "X"))
                    mine = call(route, key, token="alpha")
                    self.assertNotEqual(mine.code, "token_not_found", mine)

    def test_refusals_audited(self):
        r = S.request("GET", "/v1/apikeys", key=S.keys["app"])
        self.assertEqual(r.status, 403)
        rid = r.header("X-Request-Id")
        app_id = S.keys["app"][4:20]
        recs = S.request("GET", "/v1/audit?operation=deny&limit=1000",
                         key=S.keys["auditor"]).json["records"]
        mine = [x for x in recs if x["corr_id"] == rid]
        self.assertEqual(len(mine), 1, recs[-3:])
        self.assertEqual(mine[0]["actor"], "apikey:" + app_id)
        self.assertEqual(mine[0]["result"], "permission_denied")
        r = S.request("GET", "/v1/tokens/beta", key=SCOPED["app"])
        rid = r.header("X-Request-Id")
        recs = S.request("GET", "/v1/audit?operation=deny&limit=1000",
                         key=S.keys["auditor"]).json["records"]
        self.assertTrue([x for x in recs if x["corr_id"] == rid and x["object"] == "token:beta"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
