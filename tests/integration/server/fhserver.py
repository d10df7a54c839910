# SPDX-License-Identifier: Apache-2.0
"""fhserver - a test harness for ferrohsm-server (stdlib + python3-cryptography).

Reusable by every REST test: it builds a fresh FERROHSM_HOME with fast Argon2
parameters, creates tokens (each with a user PIN in a 0600 file) and API keys
of every role with the real CLI, starts the real server on a free loopback
port with --listen, waits for /v1/health/ready and stops it.

    from fhserver import Server
    with Server(tokens=("demo", "other")) as srv:
        r = srv.request("GET", "/v1/tokens", key=srv.keys["admin"])
        assert r.status == 200 and r.json["tokens"]

Environment: FERROHSM_BIN (the CLI) and FERROHSM_SERVER_BIN (the server);
KEEP_TMP=1 keeps the temporary directory. Every test file runs its own
servers: nothing is shared between files.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

CLI = os.environ.get("FERROHSM_BIN", "")
SERVER = os.environ.get("FERROHSM_SERVER_BIN", "")

FAST_TOKEN_CONF = """[token]
argon2_t_cost = 1
argon2_m_cost_kib = 256
max_pin_failures = 10
"""

USER_PIN_PREFIX = "user-pin-"
SO_PIN = "so-pin-0815-secret"
ROLES = ("admin", "operator", "app", "auditor")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # dict, lower-case names
        self.body = body
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        return self.headers.get(name.lower())

    @property
    def code(self):
        """The error code of an error response, else None."""
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.text[:300])


class Server:
    """One ferrohsm-server with its own FERROHSM_HOME.

    tokens: labels to create; each gets the user PIN "user-pin-<label>" in
      home/<label>.pin (0600) and `unlock.<label> = file:...` in [server].
    unlock: labels to configure for unlock (default: all tokens);
      bad_pin: labels whose PIN file holds a wrong PIN.
    server_conf: extra lines for the [server] section.
    keys: API keys created (dict role -> key string), all scoped '*';
      scoped keys: srv.create_key(name, role, tokens).
    tls: False runs with plain_http on loopback.
    """

    def __init__(self, tokens=("demo",), unlock=None, bad_pin=(), server_conf="", tls=True,
                 start=True, wait_ready=True, roles=ROLES):
        if not CLI or not os.access(CLI, os.X_OK):
            raise RuntimeError("FERROHSM_BIN is not set or not executable")
        if not SERVER or not os.access(SERVER, os.X_OK):
            raise RuntimeError("FERROHSM_SERVER_BIN is not set or not executable")
        self.root = tempfile.mkdtemp(prefix="ferrohsm-srv.")
        self.home = os.path.join(self.root, "home")
        os.mkdir(self.home, 0o700)
        self.tokens = list(tokens)
        self.tls = tls
        self.port = None
        self.proc = None
        self.log_path = os.path.join(self.root, "server.log")
        self.out_path = os.path.join(self.root, "server.out")
        self.keys = {}
        self.secrets = [SO_PIN]  # strings that must never appear in logs or the store
        self.conf_path = os.path.join(self.home, "ferrohsm.conf")
        self.server_conf = server_conf
        unlock = self.tokens if unlock is None else list(unlock)
        self.unlock = unlock
        self.bad_pin = set(bad_pin)
        self.write_conf()
        for t in self.tokens:
            pin = USER_PIN_PREFIX + t
            self.secrets.append(pin)
            self.cli("token", "init", "--label", t, env={"FERROHSM_PIN": pin, "FERROHSM_SO_PIN": SO_PIN})
            with open(self.pin_file(t), "w") as f:
                f.write(("wrong-pin-" + t if t in self.bad_pin else pin) + "\n")
            os.chmod(self.pin_file(t), 0o600)
        for role in roles:
            self.keys[role] = self.create_key("test-" + role, role, "*")
        if start:
            self.start(wait_ready=wait_ready)

    # ---- setup ----
    def pin_file(self, label):
        return os.path.join(self.home, label + ".pin")

    def write_conf(self, server_conf=None):
        if server_conf is not None:
            self.server_conf = server_conf
        lines = [FAST_TOKEN_CONF, "[server]"]
        for t in self.unlock:
            lines.append("unlock.%s = file:%s" % (t, self.pin_file(t)))
        if not self.tls:
            lines.append("plain_http = true")
        lines.append(self.server_conf)
        with open(self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def env(self, extra=None):
        e = dict(os.environ)
        for v in ("FERROHSM_CONF", "FERROHSM_PIN", "FERROHSM_SO_PIN", "FERROHSM_NEW_PIN"):
            e.pop(v, None)
        e["FERROHSM_HOME"] = self.home
        if extra:
            e.update(extra)
        return e

    def cli(self, *args, env=None, check=True):
        p = subprocess.run([CLI] + list(args), env=self.env(env), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=120)
        if check and p.returncode != 0:
            raise RuntimeError("ferrohsm %s: exit %d: %s" % (" ".join(args), p.returncode,
                                                              p.stderr.decode()[:400]))
        return p

    def create_key(self, name, role, tokens):
        """An API key via the CLI; tokens: '*' or a list of labels."""
        args = ["apikey", "create", "--name", name, "--role", role]
        for t in (["*"] if tokens == "*" else tokens):
            args += ["--token", t]
        p = self.cli(*args)
        key = p.stdout.decode().splitlines()[0].strip()
        assert key.startswith("fhk_"), "apikey create printed no key"
        self.secrets.append(key)
        return key

    # ---- process ----
    def start(self, wait_ready=True, port=None, args=(), expect_fail=False, timeout=30,
              cpus=None):
        """cpus: a set of CPU numbers the server may run on (its affinity)."""
        self.port = port or free_port()
        self._log = open(self.log_path, "ab")
        self._out = open(self.out_path, "ab")
        pre = (lambda: os.sched_setaffinity(0, cpus)) if cpus is not None else None
        self.proc = subprocess.Popen([SERVER, "--listen", "127.0.0.1:%d" % self.port] + list(args),
                                     preexec_fn=pre,
                                     env=self.env(), stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=self._log)
        if expect_fail:
            try:
                return self.proc.wait(timeout=timeout)
            finally:
                self._log.close()
                self._out.close()
        deadline = time.time() + timeout
        path = "/v1/health/ready" if wait_ready else "/v1/health/live"
        last = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("ferrohsm-server exited %d: %s" % (self.proc.returncode,
                                                                      self.log_text()[-800:]))
            try:
                r = self.request("GET", path, timeout=2)
                if r.status == 200:
                    return r
                last = r
            except (OSError, http.client.HTTPException) as e:
                last = e
            time.sleep(0.05)
        raise RuntimeError("server not %s after %ds: %r" % (path, timeout, last))

    def stop_clean(self):
        """Stop the server and close it; fail unless it exited 0: a crash,
        or in a sanitizer build a report or a leak at shutdown, fails the
        module that shared it."""
        rc = self.stop()
        log = self.log_text()
        self.close()
        assert rc == 0, "server exited %r: %s" % (rc, log[-2000:])

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stop the server; returns its exit code (None if it was not running)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc = None
        self._log.close()
        self._out.close()
        return rc

    def close(self):
        self.stop()
        if os.environ.get("KEEP_TMP") == "1":
            print("# kept", self.root)
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- logs ----
    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_lines(self):
        """Every stderr line parsed as JSON (a line that is not JSON raises)."""
        out = []
        for line in self.log_text().splitlines():
            if line.strip():
                out.append(json.loads(line))
        return out

    def wait_log(self, pred, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for l in self.log_lines():
                if pred(l):
                    return l
            time.sleep(0.05)
        return None

    # ---- HTTP ----
    def ssl_context(self, cafile=None, minimum=None, maximum=None, cert=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cafile or os.path.join(self.home, "server", "cert.pem"))
        if minimum is not None:
            ctx.minimum_version = minimum
        if maximum is not None:
            ctx.maximum_version = maximum
        if cert is not None:
            ctx.load_cert_chain(*cert)
        return ctx

    def connection(self, timeout=30, context=None, source=None):
        src = (source, 0) if source else None
        if self.tls:
            return http.client.HTTPSConnection("localhost", self.port, timeout=timeout,
                                               context=context or self.ssl_context(),
                                               source_address=src)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=src)

    def request(self, method, path, body=None, key=None, headers=None, raw=None,
                content_type="application/json", timeout=30, conn=None, source=None):
        """One request. body: a JSON value; raw: bytes sent as is."""
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None and content_type is not None:
            h.setdefault("Content-Type", content_type)
        if key is not None:
            h["Authorization"] = "Bearer " + key
        own = conn is None
        c = conn or self.connection(timeout=timeout, source=source)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            if own:
                c.close()
        return resp

    def openapi(self):
        r = self.request("GET", "/v1/openapi.json")
        assert r.status == 200, r
        return r.json

    def routes(self):
        """The compiled route table: [{method, pattern, public, roles, summary}]."""
        p = subprocess.run([SERVER, "--list-routes"], capture_output=True, timeout=30, check=True)
        return [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]

    def store_bytes(self):
        data = b""
        for name in os.listdir(self.home):
            if name.startswith("ferrohsm.db"):
                with open(os.path.join(self.home, name), "rb") as f:
                    data += f.read()
        return data
