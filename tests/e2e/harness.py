"""Shared helpers for the end-to-end tests of porchd (python3 stdlib only).

Each test script imports this module, calls pass_/fail_ (or check) once per
check, and tests/run.sh counts the "PASS name" / "FAIL name" lines they
append to $RESULTS.  Porchd starts the real binary ($PORCHD) on a free
loopback port with a temporary database and, by default, a site built by
$PORCH from content/; stop() sends SIGTERM and returns the exit status.
At the end, the helpers several test files share: accounts made with
`porchd users add` (add_user, logged_in), a ticket-filing client
(TicketClient), the database (db, count) and the mails of tickets
(ticket_mails, wait_mail).
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PORCHD = os.environ.get("PORCHD") or os.path.join(ROOT, "build", "porchd")
PORCH = os.environ.get("PORCH") or os.path.join(ROOT, "build", "porch")
RESULTS = os.environ.get("RESULTS")
TEST_OUT = os.environ.get("TEST_OUT") or tempfile.gettempdir()

passed = 0
failed = 0


def _record(line):
    if RESULTS:
        with open(RESULTS, "a") as f:
            f.write(line + "\n")
    else:
        print(line)


def pass_(name):
    global passed
    passed += 1
    _record("PASS " + name)


def fail_(name, *why):
    global failed
    failed += 1
    _record("FAIL " + name)
    sys.stderr.write("FAIL %s\n" % name)
    for w in why:
        sys.stderr.write("    %s\n" % (w,))


def check(name, cond, *why):
    """pass_ when cond is true, else fail_ with why; returns cond."""
    if cond:
        pass_(name)
    else:
        fail_(name, *why)
    return bool(cond)


def scratch():
    """A fresh folder under $TEST_OUT (removed by the runner)."""
    os.makedirs(TEST_OUT, exist_ok=True)
    d = tempfile.mkdtemp(prefix="e2e.", dir=TEST_OUT)
    os.chmod(d, 0o755)      # porchd may run as RUN_AS (below): its
    if RUN_AS:              # folders, mail programs' output, are its own
        pw = __import__("pwd").getpwnam(RUN_AS)
        os.chown(d, pw.pw_uid, pw.pw_gid)
    return d


# Run as root (CI containers), porchd refuses to stay root: it drops to
# this user once its socket and database are open (sandbox.c), so every
# e2e test runs the real privilege drop and seccomp filter.  The test's
# folder is given to that user, as a deployment's var/ would be.
RUN_AS = "nobody" if os.geteuid() == 0 else None
# PORCHD_WRAPPER="valgrind --error-exitcode=99 ..." runs porchd under a
# tool (make valgrind); the seccomp filter is off then (the tool makes
# system calls of its own).
WRAPPER = os.environ.get("PORCHD_WRAPPER", "").split()


_site_cache = {}


def build_site(content=None):
    """Builds content/ (or content) with porch into a fresh folder once per
    process and returns a private copy's path (tests may change it)."""
    content = content or os.path.join(ROOT, "content")
    if content not in _site_cache:
        out = os.path.join(scratch(), "public")
        # the site is only a fixture here: a leak in the generator (its
        # own tests report those) must not stop the porchd tests
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                               ":detect_leaks=0").lstrip(":")
        r = subprocess.run([PORCH, "build", content, "-o", out, "-q"],
                           capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise RuntimeError("porch build failed: " + r.stderr)
        _site_cache[content] = out
    copy = os.path.join(scratch(), "public")
    shutil.copytree(_site_cache[content], copy, symlinks=True)
    return copy


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError:
            return None

    def __repr__(self):
        return "<%s %r %r>" % (self.status, self.headers[:4], self.body[:200])


class Porchd:
    """The real porchd on 127.0.0.1 and a free port."""

    def __init__(self, site=True, args=(), env=None, catalog=None):
        self.dir = scratch()
        self.site = build_site() if site is True else site
        self.db = os.path.join(self.dir, "porch.db")
        self.logpath = os.path.join(self.dir, "porchd.log")
        self.args = list(args)
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith("PORCHD_"):
                del self.env[k]
        if env:
            self.env.update(env)
        self.catalog = catalog
        self.proc = None
        self.port = None

    def start(self, wait=10.0):
        argv = WRAPPER + [PORCHD, "serve", "--db", self.db,
                          "--listen", "127.0.0.1:0"]
        if RUN_AS:
            argv += ["--user", RUN_AS]
            pw = __import__("pwd").getpwnam(RUN_AS)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        if WRAPPER:
            argv += ["--no-seccomp"]
            wait *= 6           # valgrind starts slowly
        if self.site:
            argv += ["--site", self.site]
        if self.catalog:
            argv += ["--catalog", self.catalog]
        argv += self.args
        self._log = open(self.logpath, "wb")
        self.proc = subprocess.Popen(argv, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=self.env)
        deadline = time.time() + wait
        while time.time() < deadline:
            m = re.search(r"listening on \S+ \(port (\d+)\)", self.log())
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError("porchd did not start: " + self.log())

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()

    def log(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=20.0):
        """SIGTERM, then the exit status (None if it did not exit)."""
        if WRAPPER:
            timeout *= 6        # valgrind's leak check at exit
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if WRAPPER and self.proc and self.proc.poll() is None:
            # a test that ended early: SIGTERM first, so that memcheck
            # still writes its error and leak summary
            self.stop()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def request(self, method, path, body=None, headers=None, source=None,
                timeout=10.0):
        """One request on a fresh connection; a Response."""
        h = {"Host": "127.0.0.1:%d" % self.port}
        h.update(headers or {})
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout,
            source_address=(source, 0) if source else None)
        try:
            conn.putrequest(method, path, skip_host=True,
                            skip_accept_encoding=True)
            if body is not None and "Content-Length" not in h:
                h["Content-Length"] = str(len(body))
            for k, v in h.items():
                conn.putheader(k, v)
            conn.endheaders(body)
            r = conn.getresponse()
            data = r.read()
            return Response(r.status, r.getheaders(), data)
        finally:
            conn.close()

    def get(self, path, headers=None, **kw):
        return self.request("GET", path, headers=headers, **kw)

    def connect(self, source=None, timeout=5.0):
        s = socket.create_connection(
            ("127.0.0.1", self.port), timeout=timeout,
            source_address=(source, 0) if source else None)
        return s

    def raw(self, data, timeout=3.0, source=None):
        """Sends data on a new connection and reads until the server
        closes or timeout passes; the bytes read."""
        s = self.connect(source=source, timeout=timeout)
        out = b""
        try:
            s.sendall(data)
            while True:
                b = s.recv(65536)
                if not b:
                    break
                out += b
                if _complete(out):
                    break
        except OSError:
            pass
        finally:
            s.close()
        return out


def _complete(data):
    """True once data holds one whole answer with a Content-Length."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return m is not None and len(body) >= int(m.group(1))


def parse_raw(data):
    """(status, {lower-case name: value}, body) of a raw answer."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return 0, {}, body
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def done():
    """Ends the script.  Under tests/run.sh the FAIL lines already count, so
    the status is 0 (a crash still fails the script); alone, it is 1 when a
    check failed."""
    # Not "N passed, N failed": that shape is make test's summary line,
    # the one CI reads.
    sys.stderr.write("%s: %d checks ok, %d not ok\n" % (
        os.path.basename(sys.argv[0]), passed, failed))
    sys.exit(1 if failed and not RESULTS else 0)


class ApiClient:
    """One customer's browser against porchd's API: a cookie jar (the
    session), the CSRF token who-am-i or login gave, a source address.
    Test files subclass it with the calls they make often."""

    def __init__(self, porchd, source=None):
        self.p = porchd
        self.source = source
        self.cookie = None
        self.csrf = None
        self.last_set_cookie = None

    def call(self, method, path, obj=None, headers=None, raw=None,
             ctype=None, csrf=True):
        """method /api+path with obj as JSON (or raw bytes of type
        ctype); remembers the session cookie and CSRF token it gets."""
        h = {}
        body = None
        if obj is not None:
            body = json.dumps(obj).encode()
            h["Content-Type"] = "application/json"
        if raw is not None:
            body = raw
            if ctype:
                h["Content-Type"] = ctype
        if self.cookie:
            h["Cookie"] = "porch_session=" + self.cookie
        if csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        r = self.p.request(method, "/api" + path, body=body, headers=h,
                           source=self.source)
        for sc in r.header_all("Set-Cookie"):
            self.last_set_cookie = sc
            m = re.match(r"porch_session=([^;]*)", sc)
            if m:
                self.cookie = m.group(1) or None
                if self.cookie is None:
                    self.csrf = None
        j = r.json()
        if isinstance(j, dict) and j.get("csrf"):
            self.csrf = j["csrf"]
        return r

    def post(self, path, obj=None, **kw):
        return self.call("POST", path, obj, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)


# ---- accounts, tickets, mail: what several test files share ----

PASSWORD = "correct horse battery"


def own(p):
    """Gives the files of p's folder (the database and its journals that
    a command line run as root just made) to RUN_AS, as porchd's own."""
    if RUN_AS:
        pw = __import__("pwd").getpwnam(RUN_AS)
        for f in os.listdir(p.dir):
            os.chown(os.path.join(p.dir, f), pw.pw_uid, pw.pw_gid)


def add_user(p, email, name, password=PASSWORD):
    """A verified account made with `porchd users add` (the password on
    stdin) in p's database; True when the command succeeded."""
    r = subprocess.run([PORCHD, "users", "--db", p.db, "add", email,
                        "--name", name, "--password-stdin"],
                       input=password + "\n", capture_output=True, text=True)
    own(p)
    return r.returncode == 0


def logged_in(p, email, name, client=ApiClient, source=None,
              password=PASSWORD):
    """A client (of class client, from source) logged in as a new verified
    account (add_user); None unless both the account and the login
    succeed."""
    c = client(p, source)
    if not add_user(p, email, name, password):
        return None
    r = c.post("/auth/login", {"email": email, "password": password})
    return c if r.status == 200 else None


class TicketClient(ApiClient):
    """One customer: a cookie jar and the CSRF token."""

    def submit(self, ttype, fields, **extra):
        body = {"type": ttype, "fields": fields}
        body.update(extra)
        return self.post("/tickets", body)

    def multipart(self, path, members, files):
        """POSTs members (name -> str) and files [(field, name, bytes)]."""
        b = "----porchtest" + uuid.uuid4().hex
        out = b""
        for k, v in members.items():
            out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\""
                    "\r\n\r\n%s\r\n" % (b, k, v)).encode()
        for field, name, data in files:
            out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; "
                    "filename=\"%s\"\r\nContent-Type: "
                    "application/octet-stream\r\n\r\n" % (b, field, name)
                    ).encode() + data + b"\r\n"
        out += ("--%s--\r\n" % b).encode()
        return self.post(path, raw=out,
                         ctype="multipart/form-data; boundary=" + b)


def db(p):
    """A connection to p's database whose rows are sqlite3.Row."""
    c = sqlite3.connect(p.db, timeout=10)
    c.row_factory = sqlite3.Row
    return c


def count(p, sql, *args):
    """The first column of the first row of sql on p's database.  (The
    connection is closed here: sqlite3's `with` only commits, and an open
    one keeps its file system busy, e.g. for an umount.)"""
    c = db(p)
    try:
        return c.execute(sql, args).fetchone()[0]
    finally:
        c.close()


def ticket_mails(sink, rcpt=None, kind=None, ref=None):
    """The messages sink received for rcpt, of X-Porch-Kind kind, about
    ticket ref (X-Porch-Ticket); None matches any."""
    out = []
    for m in sink.messages():
        if rcpt and rcpt not in m["rcpt_to"]:
            continue
        if kind and m["msg"]["X-Porch-Kind"] != kind:
            continue
        if ref and m["msg"]["X-Porch-Ticket"] != ref:
            continue
        out.append(m)
    return out


def wait_mail(sink, rcpt, kind, ref=None, n=1, timeout=12.0):
    """Waits (up to timeout) for n such messages; the ones received."""
    sink.wait(lambda ms: len(ticket_mails(sink, rcpt, kind, ref)) >= n,
              timeout)
    return ticket_mails(sink, rcpt, kind, ref)
