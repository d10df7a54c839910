#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The CLI's remote mode (docs/cli.md "Remote mode") against a real ferrohsm-server.

Every command that has a REST form runs twice on the same store: locally
(opening the store, with the user PIN) and through the server (--server,
an API key, no PIN), and the two must print the same bytes on stdout and
stderr and exit with the same code. The token administration commands
(token init, delete, set-pin, unlock) change the store, so they run on two
tokens, one locally and one remotely, with the same PINs, and their output
is compared with the label and serial masked. Then what only a remote run can do:
data made remotely is checked locally and with openssl; TLS verification
by CA file and by pin, and its failures; API key refusals; an unreachable
server; the REST input ceiling.

Environment: FERROHSM_BIN, FERROHSM_SERVER_BIN (see fhserver.py).
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fhserver import CLI, USER_PIN_PREFIX, Server, free_port  # noqa: E402

failures = 0
checks = 0


def check(cond, what, detail=""):
    global failures, checks
    checks += 1
    if cond:
        print("ok - %s" % what)
    else:
        failures += 1
        print("not ok - %s\n#   %s" % (what, str(detail).replace("\n", "\n#   ")))


class Run:
    def __init__(self, p):
        self.rc = p.returncode
        self.out = p.stdout
        self.err = p.stderr

    def __repr__(self):
        return "exit %d, stdout %r, stderr %r" % (self.rc, self.out[:300], self.err[:300])


class Ctx:
    def __init__(self, srv):
        self.srv = srv
        self.url = "https://127.0.0.1:%d" % srv.port
        listening = srv.wait_log(lambda l: l.get("event") == "listening")
        self.pin = listening["pin"]
        self.cert = os.path.join(srv.home, "server", "cert.pem")
        self.tmp = tempfile.mkdtemp(prefix="cli-remote.", dir=srv.root)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def local(self, *args, stdin=None, env=None):
        env = self.srv.env(env if env is not None else {"FERROHSM_PIN": USER_PIN_PREFIX + "demo"})
        for v in ("FERROHSM_SERVER", "FERROHSM_API_KEY", "FERROHSM_CACERT", "FERROHSM_SERVER_PIN"):
            env.pop(v, None)
        return Run(subprocess.run([CLI] + list(args), env=env, input=stdin or b"",
                                  capture_output=True, timeout=120))

    def remote(self, *args, key=None, server=None, tls=None, env=None, stdin=None):
        """A remote run: no PIN anywhere in its environment, so a prompt would fail it."""
        e = self.srv.env()
        e["FERROHSM_API_KEY"] = self.srv.keys["admin"] if key is None else key
        if env:
            e.update(env)
        for k, v in list(e.items()):
            if v is None:
                del e[k]
        pre = ["--server", server or self.url] + (["--server-pin", self.pin] if tls is None else tls)
        return Run(subprocess.run([CLI] + pre + list(args), env=e, input=stdin or b"",
                                  capture_output=True, timeout=120))

    def same(self, *args, what=None, stdin=None):
        l = self.local(*args, stdin=stdin)
        r = self.remote(*args, stdin=stdin)
        ok = l.rc == r.rc and l.out == r.out and l.err == r.err
        check(ok, "same locally and remotely: %s" % (what or " ".join(args)),
              "local: %r\nremote: %r" % (l, r))
        return l, r


def one_line(r):
    return r.out == b"" and r.err.count(b"\n") == 1 and r.err.startswith(b"ferrohsm: ")


def server_requests(srv):
    """Requests the server has logged, once the count has stopped moving: a
    request's log line is written when the server finishes it, which may be
    just after the client already has its answer."""
    last, since, deadline = -1, time.monotonic(), time.monotonic() + 10
    while time.monotonic() < deadline:
        n = sum(1 for l in srv.log_lines() if l.get("event") == "request")
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since >= 0.3:
            break
        time.sleep(0.05)
    return last


def main():
    srv = Server(tokens=("demo", "other"), start=False)
    pin = {"FERROHSM_PIN": USER_PIN_PREFIX + "demo"}
    for args in (("ec-p256", "e1"), ("aes-256", "a1"), ("rsa-2048", "r1"), ("ed25519", "d1")):
        srv.cli("key", "generate", "--token", "demo", "--type", args[0], "--label", args[1], env=pin)
    srv.cli("key", "generate", "--token", "other", "--type", "ec-p256", "--label", "o1",
            env={"FERROHSM_PIN": USER_PIN_PREFIX + "other"})
    srv.start()
    try:
        run_all(Ctx(srv))
    finally:
        srv.close()
    print("1..%d" % checks)
    return 1 if failures else 0


def run_all(c):
    data = c.write("data.bin", os.urandom(5000))
    big = c.write("big.bin", os.urandom((1 << 20) + 1))

    # ---- the same output, byte for byte ----
    for args in (("token", "list"), ("token", "list", "--json"),
                 ("key", "list", "--token", "demo"), ("key", "list", "--token", "demo", "--json"),
                 ("key", "show", "--token", "demo", "--key", "e1"),
                 ("key", "show", "--token", "demo", "--key", "e1", "--json"),
                 ("key", "show", "--token", "demo", "--key", "a1", "--json"),
                 ("key", "show", "--token", "demo", "--key", "r1", "--json"),
                 ("key", "show", "--token", "demo", "--key", "pkcs11:token=demo;object=e1;type=public"),
                 ("key", "export-public", "--token", "demo", "--key", "e1"),
                 ("key", "export-public", "--token", "demo", "--key", "r1"),
                 ("mechanisms",), ("mechanisms", "--json"),
                 ("digest", "--mechanism", "sha256", "--in", data),
                 ("digest", "--mechanism", "SHA3_512", "--in", data)):
        c.same(*args)
    c.same("digest", "--mechanism", "sha384", stdin=b"from standard input", what="digest of stdin")
    show = c.local("key", "show", "--token", "demo", "--key", "e1", "--json")
    check(show.rc == 0 and len(json.loads(show.out)) == 2, "key show --json lists both halves", show)
    eid = json.loads(show.out)[0]["CKA_ID"]
    c.same("key", "show", "--token", "demo", "--key", "id:" + eid, "--json")

    # ---- the same errors and exit codes ----
    for args, code in ((("key", "show", "--token", "demo", "--key", "nosuch"), 3),
                       (("key", "list", "--token", "nosuch"), 3),
                       (("key", "export-public", "--token", "demo", "--key", "a1"), 3),
                       (("sign", "--token", "demo", "--key", "e1", "--mechanism", "nosuch", "--in", data), 2),
                       (("encrypt", "--token", "demo", "--key", "a1", "--mechanism", "aes_cbc_pad",
                         "--aad", data, "--in", data), 2),
                       (("sign", "--token", "demo", "--key", "e1", "--mechanism", "ecdsa_sha256",
                         "--format", "pem", "--in", data), 2),
                       (("random", "--bytes", "0"), 2),
                       (("key", "show", "--token", "demo"), 2)):
        l, r = c.same(*args)
        check(l.rc == code, "%s exits %d" % (" ".join(args[:2]), code), l)
    l, r = c.same("sign", "--token", "demo", "--key", "nosuch", "--mechanism", "ecdsa_sha256",
                  "--in", data)
    check(r.err == b"ferrohsm: sign: no such key: nosuch\n" and r.rc == 3, "no such key", r)

    # ---- sign remotely, verify remotely, locally and with openssl ----
    sig = c.path("e1.sig")
    r = c.remote("sign", "--token", "demo", "--key", "e1", "--mechanism", "ecdsa_sha256",
                 "--in", data, "--out", sig)
    check(r.rc == 0 and r.out == b"" and r.err == b"", "remote ECDSA sign", r)
    for who in (c.remote, c.local):
        v = who("verify", "--token", "demo", "--key", "e1", "--mechanism", "ecdsa_sha256",
                "--in", data, "--signature", sig)
        check(v.rc == 0 and v.out == b"signature valid\n", "%s verify of a remote DER signature" % who.__name__, v)
    pem = c.path("e1.pem")
    c.remote("key", "export-public", "--token", "demo", "--key", "e1", "--out", pem)
    o = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pem, "-signature", sig, data],
                       capture_output=True)
    check(o.returncode == 0, "openssl dgst -verify accepts the remote ECDSA signature", o.stdout + o.stderr)
    raw = c.path("e1.raw")
    r = c.remote("sign", "--token", "demo", "--key", "e1", "--mechanism", "ecdsa_sha256",
                 "--format", "raw", "--in", data, "--out", raw)
    check(r.rc == 0 and len(c.read("e1.raw")) == 64, "remote --format raw gives r||s", r)
    v = c.local("verify", "--token", "demo", "--key", "e1", "--mechanism", "ecdsa_sha256",
                "--in", data, "--signature", raw)
    check(v.rc == 0, "local verify of a remote raw signature", v)
    lsig = c.path("local.sig")
    c.local("sign", "--token", "demo", "--key", "e1", "--mechanism", "ecdsa_sha256", "--in", data,
            "--out", lsig)
    v = c.remote("verify", "--token", "demo", "--key", "e1", "--mechanism", "ecdsa_sha256",
                 "--in", data, "--signature", lsig)
    check(v.rc == 0 and v.out == b"signature valid\n", "remote verify of a local signature", v)
    # a signature over other data: the same line and exit 5 both ways
    other = c.write("other.bin", b"other data")
    c.same("verify", "--token", "demo", "--key", "e1", "--mechanism", "ecdsa_sha256", "--in", other,
           "--signature", sig, what="verify of a wrong signature (exit 5)")
    v = c.remote("verify", "--token", "demo", "--key", "e1", "--mechanism", "ecdsa_sha256",
                 "--in", other, "--signature", sig)
    check(v.rc == 5 and v.err == b"ferrohsm: verify: signature invalid\n", "invalid signature: exit 5", v)
    for mech, key in (("sha256_rsa_pkcs_pss", "r1"), ("sha256_rsa_pkcs", "r1"), ("eddsa", "d1"),
                      ("aes_cmac", "a1")):
        s = c.path("%s.sig" % mech)
        r = c.remote("sign", "--token", "demo", "--key", key, "--mechanism", mech, "--in", data,
                     "--out", s)
        v = c.local("verify", "--token", "demo", "--key", key, "--mechanism", mech, "--in", data,
                    "--signature", s)
        check(r.rc == 0 and v.rc == 0, "%s: remote sign, local verify" % mech, "%r / %r" % (r, v))
    r = c.remote("sign", "--token", "demo", "--key", "e1", "--mechanism", "ecdsa_sha256",
                 stdin=b"signed from stdin")
    check(r.rc == 0 and len(r.out) > 64 and r.out[0] == 0x30, "remote sign of stdin writes DER to stdout", r)

    # ---- encrypt on one side, decrypt on the other ----
    plain = os.urandom(3000)
    pfile = c.write("plain.bin", plain)
    aad = c.write("aad.bin", b"header")
    cases = (("aes_gcm", "a1", []), ("aes_gcm", "a1", ["--aad", aad, "--tag-bits", "96"]),
             ("aes_gcm", "a1", ["--iv", "00112233445566778899aabb", "--aad", aad]),
             ("aes_cbc_pad", "a1", []), ("aes_ctr", "a1", ["--iv", "00" * 16]))
    for mech, key, extra in cases:
        for enc, dec, name in ((c.remote, c.local, "remote->local"), (c.local, c.remote, "local->remote")):
            ct = c.path("ct")
            out = c.path("pt")
            e = enc("encrypt", "--token", "demo", "--key", key, "--mechanism", mech, "--in", pfile,
                    "--out", ct, *extra)
            d = dec("decrypt", "--token", "demo", "--key", key, "--mechanism", mech, "--in", ct,
                    "--out", out, *extra)
            ok = e.rc == 0 and d.rc == 0 and c.read("pt") == plain
            check(ok, "%s %s %s" % (mech, " ".join(x for x in extra if not x.startswith("/")), name),
                  "%r / %r" % (e, d))
    # a fixed IV gives the same ciphertext both ways
    c.same("encrypt", "--token", "demo", "--key", "a1", "--mechanism", "aes_gcm", "--iv",
           "00112233445566778899aabb", "--in", pfile, what="AES_GCM with a fixed IV")
    ct = c.path("oaep.ct")
    e = c.remote("encrypt", "--token", "demo", "--key", "r1", "--mechanism", "rsa_pkcs_oaep",
                 "--hash", "sha384", "--oaep-label", "lbl", "--in", aad, "--out", ct)
    d = c.local("decrypt", "--token", "demo", "--key", "r1", "--mechanism", "rsa_pkcs_oaep",
                "--hash", "sha384", "--oaep-label", "lbl", "--in", ct)
    check(e.rc == 0 and d.rc == 0 and d.out == b"header", "RSA OAEP: remote encrypt, local decrypt",
          "%r / %r" % (e, d))
    # tampered ciphertext: the same error line and exit 7
    c.local("encrypt", "--token", "demo", "--key", "a1", "--mechanism", "aes_gcm", "--in", pfile,
            "--out", ct)
    bad = bytearray(c.read("oaep.ct"))
    bad[-1] ^= 1
    c.write("bad.ct", bytes(bad))
    l, r = c.same("decrypt", "--token", "demo", "--key", "a1", "--mechanism", "aes_gcm", "--in",
                  c.path("bad.ct"), what="decrypt of a tampered GCM ciphertext")
    check(r.rc == 7 and one_line(r), "tampered ciphertext: one line, exit 7", r)

    # ---- random, audit, mechanisms ----
    r = c.remote("random", "--bytes", "100000")
    check(r.rc == 0 and len(r.out) == 100000, "remote random --bytes 100000 (two requests)", r)
    r = c.remote("random", "--bytes", "16", "--hex")
    check(r.rc == 0 and len(r.out) == 33 and r.out.endswith(b"\n"), "remote random --hex", r)
    r = c.remote("audit", "list", "--json")
    recs = json.loads(r.out) if r.rc == 0 else []
    srv_recs = [x for x in recs if x.get("front") == "server" and x["actor"].startswith("apikey:")]
    check(r.rc == 0 and srv_recs, "remote audit list shows the server's records", r)
    check(any(x["operation"] == "sign" for x in srv_recs), "the remote signatures are audited", srv_recs[-3:])
    c.same("audit", "list", "--json", "--from", "2", "--limit", "5", what="audit list of fixed records")
    c.same("audit", "list", "--from", "1", "--limit", "3", what="audit list text")
    r = c.remote("audit", "verify")
    check(r.rc == 0 and r.out.startswith(b"audit log verified: "), "remote audit verify", r)

    # ---- token administration: the same lines and exit codes ----
    token_admin(c)

    # ---- the REST input ceiling: refused before anything is sent ----
    before = server_requests(c.srv)
    r = c.remote("sign", "--token", "demo", "--key", "a1", "--mechanism", "sha256_hmac", "--in", big)
    check(r.rc == 7 and one_line(r) and b"input too large" in r.err, "input above 1 MiB: exit 7", r)
    check(server_requests(c.srv) == before, "nothing sent for input above 1 MiB")

    # ---- TLS ----
    ok = c.remote("token", "list", tls=["--cacert", c.cert])
    check(ok.rc == 0 and b"demo" in ok.out, "--cacert with the server's certificate", ok)
    ok = c.remote("token", "list", tls=[], env={"FERROHSM_SERVER_PIN": c.pin})
    check(ok.rc == 0, "FERROHSM_SERVER_PIN", ok)
    ok = c.remote("token", "list", tls=["--cacert", c.cert, "--server-pin", c.pin])
    check(ok.rc == 0, "--cacert and --server-pin together", ok)
    other_key = c.path("other.key")
    other_crt = c.path("other.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", other_key, "-out", other_crt, "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   capture_output=True, check=True)
    o = subprocess.run("openssl x509 -in %s -pubkey -noout | openssl pkey -pubin -outform der | "
                       "openssl dgst -sha256 -binary | base64" % other_crt, shell=True,
                       capture_output=True, check=True)
    wrong_pin = "sha256//" + o.stdout.decode().strip()
    before = server_requests(c.srv)
    for tls, what in ((["--cacert", other_crt], "wrong --cacert"), (["--server-pin", wrong_pin], "wrong pin"),
                      (["--cacert", c.cert, "--server-pin", wrong_pin], "right CA, wrong pin"),
                      ([], "system CAs only (self-signed server)")):
        r = c.remote("key", "list", "--token", "demo", tls=tls)
        check(r.rc == 4 and one_line(r) and b"not trusted" in r.err, "%s: one line, exit 4" % what, r)
        check(c.srv.keys["admin"].encode() not in r.err, "%s: the API key is not printed" % what)
    check(server_requests(c.srv) == before, "no request reached the server without trust")
    r = c.remote("token", "list", tls=["--server-pin", "sha256//short"])
    check(r.rc == 2 and one_line(r), "malformed pin: usage error", r)
    r = c.remote("token", "list", server="http://example.com:8443", tls=[])
    check(r.rc == 2 and one_line(r) and b"loopback" in r.err, "plain http to a remote host refused", r)
    r = c.remote("token", "list", server="https://user:pw@127.0.0.1:%d" % c.srv.port)
    check(r.rc == 2 and one_line(r) and b"pw" not in r.err, "URL with user info refused, not echoed", r)

    # ---- API keys ----
    r = c.remote("key", "list", "--token", "demo", key="fhk_0123456789abcdef_" + "A" * 43)
    check(r.rc == 4 and one_line(r), "unknown API key: one line, exit 4", r)
    r = c.remote("key", "list", "--token", "demo", key=None, env={"FERROHSM_API_KEY": None})
    check(r.rc == 2 and one_line(r) and b"API key" in r.err, "no API key: one line, exit 2", r)
    kf = c.write("key.txt", (c.srv.keys["admin"] + "\n").encode())
    # global options come before the command word
    e = c.srv.env()
    e.pop("FERROHSM_API_KEY", None)
    p = subprocess.run([CLI, "--server", c.url, "--server-pin", c.pin, "--api-key-file", kf,
                        "token", "list"], env=e, capture_output=True, timeout=60)
    check(p.returncode == 0 and b"demo" in p.stdout, "--api-key-file", p.stderr)
    r = c.remote("sign", "--token", "demo", "--key", "e1", "--mechanism", "ecdsa_sha256", "--in",
                 data, key=c.srv.keys["auditor"])
    check(r.rc == 4 and one_line(r), "role refusal (auditor signs): exit 4", r)
    scoped = c.srv.create_key("only-other", "app", ["other"])
    l = c.local("key", "list", "--token", "nosuch")
    r = c.remote("key", "list", "--token", "demo", key=scoped)
    check(r.rc == l.rc == 3 and r.err == b"ferrohsm: key list: no such token: demo\n",
          "token outside the key's scope reads as a missing token (exit 3)", r)

    # ---- API key administration over REST ----
    c.same("apikey", "list", what="apikey list")
    c.same("apikey", "list", "--json", what="apikey list --json")
    r = c.remote("apikey", "create", "--name", "made-remotely", "--role", "app", "--token", "demo")
    key = r.out.decode().splitlines()[0] if r.rc == 0 and r.out else ""
    check(r.rc == 0 and key.startswith("fhk_") and b"will not be shown again" in r.err,
          "remote apikey create prints the key once", r)
    ok = c.remote("key", "list", "--token", "demo", key=key)
    check(ok.rc == 0 and b"e1" in ok.out, "the remotely made key works", ok)
    c.same("apikey", "create", "--name", "made-remotely", "--role", "app", "--token", "demo",
           what="apikey create of a taken name")
    r = c.remote("apikey", "revoke", "--key", "made-remotely")
    check(r.rc == 0 and r.out.startswith(b"API key made-remotely (id ") and r.out.endswith(b") revoked\n"),
          "remote apikey revoke", r)
    c.same("apikey", "revoke", "--key", "made-remotely", what="revoking a revoked key")
    c.same("apikey", "revoke", "--key", "nosuch", what="revoking an unknown key")
    r = c.remote("key", "list", "--token", "demo", key=key)
    check(r.rc == 4 and one_line(r), "a revoked key is refused: exit 4", r)
    c.same("apikey", "list", "--json", what="apikey list after remote changes")

    # ---- unreachable server ----
    r = c.remote("token", "list", server="https://127.0.0.1:%d" % free_port())
    check(r.rc == 1 and one_line(r) and b"cannot reach server" in r.err, "unreachable server: one line", r)

    # ---- key lifecycle ----
    r = c.remote("key", "generate", "--token", "demo", "--type", "ec-p384", "--label", "g1",
                 "--id", "0a0b")
    check(r.rc == 0 and r.out == b"generated ec-p384 key g1 (id 0a0b)\n", "remote key generate", r)
    c.same("key", "show", "--token", "demo", "--key", "g1", "--json", what="a remotely generated key")
    r = c.remote("key", "generate", "--token", "demo", "--type", "generic-secret", "--bits", "256",
                 "--label", "h1", "--usage", "sign,verify")
    check(r.rc == 0 and r.out.startswith(b"generated generic-secret key h1 (id "), "remote generic-secret", r)
    s = c.local("key", "show", "--token", "demo", "--key", "h1", "--json")
    o = json.loads(s.out)[0] if s.rc == 0 else {}
    check(o.get("CKA_VALUE_LEN") == 32 and o.get("CKA_SIGN") is True and o.get("CKA_ENCRYPT") is False,
          "generic-secret: size and usage as asked", o)
    r = c.remote("key", "delete", "--token", "demo", "--key", "g1")
    check(r.rc == 0 and r.out == b"deleted 2 objects matching g1\n", "remote key delete", r)
    c.same("key", "show", "--token", "demo", "--key", "g1", what="deleted key is gone")
    c.same("key", "list", "--token", "demo", "--json", what="key list after remote changes")


def token_admin(c):
    """token init|delete|set-pin|unlock locally on token "tl" and remotely on "tr"."""
    so, user, new = "so-pin-cli-1", "user-pin-cli-1", "new-pin-cli-1"
    pins = {"FERROHSM_SO_PIN": so, "FERROHSM_PIN": user, "FERROHSM_NEW_PIN": new}

    def mask(data, label):
        return re.sub(rb"serial [0-9A-F]{16}", b"serial S", data.replace(label.encode(), b"T"))

    def both(what, args, env, rc):
        l = c.local(*[a.replace("T", "tl") if a == "T" else a for a in args], env=env)
        r = c.remote(*[a.replace("T", "tr") if a == "T" else a for a in args], env=env)
        ok = (l.rc == r.rc == rc and mask(l.out, "tl") == mask(r.out, "tr")
              and mask(l.err, "tl") == mask(r.err, "tr"))
        check(ok, "token admin, same locally and remotely: %s (exit %d)" % (what, rc),
              "local: %r\nremote: %r" % (l, r))
        return l, r

    so2 = dict(pins, FERROHSM_SO_PIN="so-pin-cli-2")  # after set-pin --so
    l, r = both("init", ["token", "init", "--label", "T"], pins, 0)
    check(r.out.startswith(b"token tr initialised (serial ") and r.err == b"", "remote token init", r)
    both("init of a taken label", ["token", "init", "--label", "T"], pins, 1)
    both("init with a short user PIN", ["token", "init", "--label", "T-short"],
         dict(pins, FERROHSM_PIN="ab"), 2)
    both("init without a PIN source", ["token", "init", "--label", "T-nopin"], {}, 2)
    both("init with a label too long", ["token", "init", "--label", "x" * 33], pins, 2)
    # the remotely made token is served at once and listed alike
    g = c.remote("key", "generate", "--token", "tr", "--type", "ec-p256", "--label", "k1")
    check(g.rc == 0, "a token made remotely is served at once", g)
    both("set-pin (user)", ["token", "set-pin", "--token", "T"],
         dict(pins, FERROHSM_NEW_PIN="user-pin-cli-2"), 0)
    both("set-pin with a wrong old PIN", ["token", "set-pin", "--token", "T"], pins, 4)
    both("set-pin with a short new PIN", ["token", "set-pin", "--token", "T"],
         dict(pins, FERROHSM_PIN="user-pin-cli-2", FERROHSM_NEW_PIN="ab"), 2)
    both("set-pin --so", ["token", "set-pin", "--token", "T", "--so"],
         dict(pins, FERROHSM_NEW_PIN="so-pin-cli-2"), 0)
    both("set-pin --so --pin-file", ["token", "set-pin", "--token", "T", "--so", "--pin-file", "f"],
         pins, 2)
    both("set-pin of an unknown token", ["token", "set-pin", "--token", "T-none"], pins, 3)
    both("unlock with a wrong SO PIN", ["token", "unlock", "--token", "T"], pins, 4)
    both("unlock with a short new PIN", ["token", "unlock", "--token", "T"],
         dict(so2, FERROHSM_NEW_PIN="ab"), 2)
    both("unlock", ["token", "unlock", "--token", "T"], dict(so2, FERROHSM_NEW_PIN=new), 0)
    both("unlock of an unknown token", ["token", "unlock", "--token", "T-none"], so2, 3)
    both("delete with a wrong SO PIN", ["token", "delete", "--label", "T"], pins, 4)
    c.same("token", "list", "--json", what="token list --json after the admin commands")
    # a key scoped to the token shows it as deleted afterwards, alike
    c.srv.create_key("scoped-tl", "app", ["tl"])
    c.srv.create_key("scoped-tr", "app", ["tr"])
    both("delete", ["token", "delete", "--label", "T"], so2, 0)
    both("delete of a deleted token", ["token", "delete", "--label", "T"], so2, 3)
    c.same("apikey", "list", what="apikey list with deleted tokens")
    c.same("apikey", "list", "--json", what="apikey list --json with deleted tokens")
    r = c.remote("apikey", "list", "--json")
    shown = {k["name"]: k["tokens"] for k in json.loads(r.out)} if r.rc == 0 else {}
    check(len(shown.get("scoped-tr", [""])) == 1 and shown["scoped-tr"][0].startswith("deleted:"),
          "a deleted token shows as deleted:SERIAL", shown)
    # no PIN reached the server's log
    log = c.srv.log_text()
    check(all(p not in log for p in (so, user, new, "so-pin-cli-2", "user-pin-cli-2")),
          "no PIN of the remote token commands in the server log")


if __name__ == "__main__":
    sys.exit(main())
