"""Faults around the real porchd: a full disk (RLIMIT_FSIZE on the running
process, and a full tmpfs when the test may mount one), a slow SMTP
receiver, a slow and a hanging webhook receiver, a corrupt catalog at
start and a missing one on SIGHUP, 2,000 idle connections.  In each
porchd stays up, answers /healthz, refuses writes with 503 rather than
losing them, and recovers when the fault clears.  A database read-only at
start (a read-only bind mount) is served read-only until it is writable
again, nothing lost.  (Oversized headers, slowloris, 300 idle
connections, SMTP down, a corrupt catalog on SIGHUP: test_server.py and
test_accounts.py.)
"""
import json
import os
import pwd
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                                     # noqa: E402
from harness import check, fail_                  # noqa: E402
from smtp_sink import SmtpSink                     # noqa: E402
from webhook_sink import WebhookSink, verify       # noqa: E402

NOLIMIT = ["--rate-limit", "1000000", "--rate-burst", "1000000"]
TICKETS = ["--ticket-limit", "1000000", "--ticket-burst", "1000"]
HOOK_SECRET = "faults webhook secret"
WEBHOOK_TIMEOUT = 10        # endpoints/outbox.c
SLOW = 10 if harness.WRAPPER else 1     # time bounds under valgrind


def signup(p, email, source="127.0.0.1"):
    body = json.dumps({"email": email, "name": "F"}).encode()
    return p.request("POST", "/api/auth/signup", body=body,
                     headers={"Content-Type": "application/json"},
                     source=source)


def users(db):
    """The e-mail addresses in the users table (read beside porchd)."""
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return [r[0] for r in c.execute("SELECT email FROM users")]
    finally:
        c.close()


def reads_ok(p):
    h = p.get("/healthz")
    s = p.get("/")
    return h.status == 200 and h.json().get("db") == "ok" and s.status == 200


def test_fsize(sink):
    """RLIMIT_FSIZE set on the running porchd: every write past it fails
    with EFBIG (SIGXFSZ must be ignored, or porchd dies)."""
    # prlimit(2) on another user's process needs CAP_SYS_RESOURCE, which
    # containers often lack: as root, porchd stays root here
    p = harness.Porchd(args=NOLIMIT + (["--user", "root"] if
                                       harness.RUN_AS else [])).start()
    try:
        ok1 = signup(p, "before@example.com").status == 202
        soft, hard = resource.prlimit(p.proc.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(p.proc.pid, resource.RLIMIT_FSIZE, (4096, hard))
        rs = [signup(p, "full%d@example.com" % i) for i in range(3)]
        check("faults: file size limit: sign-ups get 503 with Retry-After",
              ok1 and all(r.status == 503 and r.header("Retry-After")
                          for r in rs), rs)
        check("faults: file size limit: porchd lives (SIGXFSZ ignored), "
              "/healthz and pages answer", p.alive() and reads_ok(p),
              p.log()[-800:])
        resource.prlimit(p.proc.pid, resource.RLIMIT_FSIZE, (soft, hard))
        r = signup(p, "full0@example.com")
        r2 = signup(p, "after@example.com")
        u = users(p.db)
        check("faults: file size limit lifted: writes succeed again, the "
              "refused ones were not half-written",
              r.status == 202 and r2.status == 202 and
              sorted(u) == ["after@example.com", "before@example.com",
                            "full0@example.com"], r, r2, u)
    finally:
        p.stop()
        p.kill()


def can_mount():
    return os.geteuid() == 0 and shutil.which("mount") is not None


def mount_tmpfs(where, size):
    os.makedirs(where, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o",
                        "size=%s,mode=0755" % size, "porch-test", where],
                       capture_output=True)
    if r.returncode != 0:
        return False
    if harness.RUN_AS:
        pw = pwd.getpwnam(harness.RUN_AS)
        os.chown(where, pw.pw_uid, pw.pw_gid)
    return True


def test_tmpfs():
    """The database on a 4 MB tmpfs, filled up (ENOSPC), then cleared.
    (Remounting it read-only is no fault SQLite sees: Linux lets the
    descriptors opened for writing go on writing; docs/SECURITY.md.)"""
    mnt = os.path.join(harness.scratch(), "var")
    if not can_mount() or not mount_tmpfs(mnt, "4m"):
        sys.stderr.write("test_faults: cannot mount a tmpfs here: the "
                         "full-disk and read-only file system checks are "
                         "skipped (RLIMIT_FSIZE covers the full disk)\n")
        return
    p = harness.Porchd(args=NOLIMIT)
    p.db = os.path.join(mnt, "porch.db")
    try:
        p.start()
        ok1 = signup(p, "one@example.com").status == 202
        filler = os.path.join(mnt, "filler")
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        rs = [signup(p, "nospace%d@example.com" % i) for i in range(5)]
        check("faults: disk full: writes get 503, porchd lives and reads "
              "answer", ok1 and all(r.status == 503 for r in rs) and
              p.alive() and reads_ok(p), rs, p.log()[-800:])
        os.unlink(filler)
        r = signup(p, "two@example.com")
        check("faults: disk full cleared: the next write succeeds",
              r.status == 202, r, p.log()[-800:])

        u = sorted(users(p.db))
        check("faults: exactly the acknowledged sign-ups are stored",
              u == ["one@example.com", "two@example.com"], u)
        rc = p.stop()
        check("faults: after the faults porchd still stops cleanly (0)",
              rc == 0, rc)
    finally:
        p.kill()
        subprocess.run(["umount", "-l", mnt], capture_output=True)


def healthz(p):
    h = p.get("/healthz")
    return h.status, h.json() or {}


def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def test_readonly_db(sink):
    """The database's folder read-only when porchd starts (a read-only
    bind mount of it, as a file system remounted read-only after an I/O
    error would be).  porchd starts anyway and serves what only reads:
    pages, /healthz ("degraded", saying why), vote counts, a logged-in
    customer's own tickets; every write answers 503 with Retry-After and
    nothing is created.  When the mount turns writable again porchd
    notices by itself within seconds and writes resume; nothing
    acknowledged before is lost and nothing refused was half-written.
    (Made read-only under a running porchd, the fault cannot be seen:
    its descriptors stay writable.)"""
    if not can_mount():
        sys.stderr.write("test_faults: cannot mount here (not root): the "
                         "read-only database check is skipped\n")
        return
    p = harness.Porchd(args=NOLIMIT + TICKETS)
    p.start()
    try:
        ok1 = signup(p, "before@example.com").status == 202
        ann = harness.logged_in(p, "ann@example.com", "Ann",
                                harness.TicketClient)
        r = ann.submit("question", {"subject": "Restore one file",
                                    "description": "One file from last "
                                                   "week's backup, please."})
        ref = (r.json() or {}).get("ticket", {}).get("ref")
        vote = ann.post("/votes", {"item": "passkeys", "vote": True})
        rc = p.stop()
    finally:
        p.kill()
    check("faults: read-only database: the state before (a sign-up, a "
          "ticket, a vote) was acknowledged", ok1 and ref and
          vote.status == 200 and rc == 0, r, vote, rc)
    # the confirmation mails wait (no relay then): due now, so that the
    # degraded porchd below would send them if it sent what it cannot
    # mark delivered (once per pass, again and again)
    with harness.db(p) as c:
        c.execute("UPDATE outbox SET next_attempt_at = 0")
    c.close()
    mailed = "before@example.com"
    d = p.dir
    r = subprocess.run(["mount", "--bind", d, d], capture_output=True)
    if r.returncode != 0:
        sys.stderr.write("test_faults: mount --bind failed (%s): the "
                         "read-only database check is skipped\n" %
                         r.stderr.decode().strip())
        return
    q = None
    try:
        r = subprocess.run(["mount", "-o", "remount,ro,bind", d, d],
                           capture_output=True)
        if r.returncode != 0:
            fail_("faults: read-only bind mount", r.stderr)
            return
        before = sorted(os.listdir(d))
        q = harness.Porchd(site=p.site, args=NOLIMIT + TICKETS + [
            "--smtp-url", "smtp://127.0.0.1:%d" % sink.port,
            "--mail-from", "help@skylark.test"])
        q.db = p.db             # its own folder holds only its log
        q.start()
        status, h = healthz(q)
        check("faults: read-only database at start: porchd starts and "
              "/healthz answers 200 \"degraded\", saying why writes fail",
              status == 200 and h.get("status") == "degraded" and
              h.get("db") == "ok" and
              "Read-only file system" in h.get("writes", ""), status, h,
              q.log()[-600:])
        check("faults: read-only database: the log says writes answer 503 "
              "until the database can be written",
              "cannot be written" in q.log(), q.log()[-600:])
        page = q.get("/")
        counts = q.get("/api/votes/counts?items=passkeys").json() or {}
        mine = ann.__class__(q)
        mine.cookie, mine.csrf = ann.cookie, ann.csrf
        lst = mine.get("/tickets")
        check("faults: read-only database: pages, vote counts and a "
              "logged-in customer's own tickets still answer",
              page.status == 200 and
              counts.get("counts", {}).get("passkeys") == 1 and
              lst.status == 200 and [t.get("ref") for t in
                                     (lst.json() or {}).get("tickets", [])]
              == [ref], page, counts, lst)
        refused = [signup(q, "during@example.com"),
                   mine.submit("question", {"subject": "Another",
                                            "description": "Written while "
                                                           "read-only."}),
                   mine.post("/votes", {"item": "passkeys",
                                        "vote": False}),
                   harness.ApiClient(q).post("/auth/login", {
                       "email": "ann@example.com",
                       "password": harness.PASSWORD})]
        check("faults: read-only database: sign-up, ticket, vote and login "
              "answer 503 with Retry-After and a JSON reason",
              all(x.status == 503 and x.header("Retry-After") and
                  (x.json() or {}).get("error") for x in refused), refused)
        check("faults: read-only database: nothing was created or changed "
              "in its folder", sorted(os.listdir(d)) == before,
              before, os.listdir(d))
        time.sleep(SLOW * 3)
        sent = [m for m in sink.messages() if mailed in m["rcpt_to"]]
        check("faults: read-only database: waiting mail is not sent while "
              "its delivery cannot be recorded", sent == [], len(sent))
        r = subprocess.run(["mount", "-o", "remount,rw,bind", d, d],
                           capture_output=True)
        t0 = time.monotonic()
        back = r.returncode == 0 and wait_for(
            lambda: healthz(q)[1].get("status") == "ok", 10)
        took = time.monotonic() - t0
        status, h = healthz(q)
        check("faults: read-only database made writable: porchd notices by "
              "itself (%.1f s), /healthz says ok" % took,
              back and status == 200 and h.get("writes") == "ok", r,
              status, h, q.log()[-600:])
        r1 = signup(q, "after@example.com")
        r2 = mine.submit("question", {"subject": "After the fault",
                                      "description": "Written once the "
                                                     "fault cleared."})
        check("faults: read-only database cleared: the next sign-up and "
              "ticket succeed", r1.status == 202 and r2.status == 201,
              r1, r2, q.log()[-600:])
        sink.wait(lambda ms: any(mailed in m["rcpt_to"] for m in ms),
                  timeout=15)
        time.sleep(2)           # any duplicate would arrive by now
        sent = [m for m in sink.messages() if mailed in m["rcpt_to"]]
        check("faults: read-only database cleared: the waiting mail goes "
              "out, exactly once", len(sent) == 1, len(sent))
        rc = q.stop()
        check("faults: read-only database cleared: porchd stops cleanly",
              rc == 0, rc)
        u = sorted(users(q.db))
        n = harness.count(q, "SELECT count(*) FROM tickets")
        v = harness.count(q, "SELECT count(*) FROM votes")
        check("faults: read-only database: exactly the acknowledged writes "
              "are stored, the refused ones not at all",
              u == ["after@example.com", "ann@example.com",
                    "before@example.com"] and n == 2 and v == 1, u, n, v)
    finally:
        if q is not None:
            q.kill()
        if subprocess.run(["umount", d]).returncode != 0:
            fail_("faults: read-only database: the test's bind mount is "
                  "busy at the end (something still holds the folder)")
            subprocess.run(["umount", "-l", d])


class SlowRelay:
    """A TCP relay to the SMTP sink that waits delay seconds before
    passing on anything: a receiver that is slow to greet."""

    def __init__(self, target, delay):
        self.target = target
        self.delay = delay
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(16)
        self.port = self.srv.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(c,),
                             daemon=True).start()

    @staticmethod
    def _pump(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _serve(self, c):
        time.sleep(self.delay)
        try:
            u = socket.create_connection(("127.0.0.1", self.target))
        except OSError:
            c.close()
            return
        threading.Thread(target=self._pump, args=(u, c),
                         daemon=True).start()
        self._pump(c, u)

    def close(self):
        self.srv.close()


def test_slow_smtp(sink):
    relay = SlowRelay(sink.port, 4.0)
    p = harness.Porchd(args=NOLIMIT + [
        "--smtp-url", "smtp://127.0.0.1:%d" % relay.port,
        "--mail-from", "help@skylark.test",
        "--public-url", "http://portal.test"]).start()
    try:
        t = time.time()
        rs = [signup(p, "slow%d@example.com" % i) for i in range(5)]
        took = time.time() - t
        check("faults: slow SMTP receiver: sign-ups do not wait for it "
              "(5 in %.2f s)" % took,
              all(r.status == 202 for r in rs) and took < 2.0, rs)
        h = p.get("/healthz")
        check("faults: slow SMTP receiver: /healthz answers meanwhile",
              h.status == 200, h)
        want = set("slow%d@example.com" % i for i in range(5))

        def got(ms):
            return want <= set(a for m in ms for a in m["rcpt_to"])
        ms = sink.wait(got, timeout=40)
        time.sleep(3)           # any duplicate would arrive by now
        ms = sink.messages()
        n = {a: sum(1 for m in ms if a in m["rcpt_to"]) for a in want}
        check("faults: slow SMTP receiver: every mail delivered later, "
              "exactly once", all(v == 1 for v in n.values()), n,
              p.log()[-800:])
    finally:
        p.stop()
        p.kill()
        relay.close()


def customer(p, email):
    """A verified account made with `porchd users add`, logged in: its
    tickets are announced at once (no confirmation mail first)."""
    return harness.logged_in(p, email, "Hook")


def ticket(c, subject):
    """Submits a question; (status, ref, seconds the answer took)."""
    t = time.time()
    r = c.post("/tickets", {"type": "question", "fields": {
        "subject": subject,
        "description": "Filed while the webhook receiver misbehaves."}})
    took = time.time() - t
    return r.status, ((r.json() or {}).get("ticket") or {}).get("ref"), took


def created(hooks, ref):
    """The ticket.created deliveries of ref the receiver kept."""
    return [h for h in hooks.all() if h["json"] and
            h["json"].get("event") == "ticket.created" and
            h["json"]["ticket"]["ref"] == ref]


def hooks_ok(hooks, refs):
    """Each ref delivered exactly once, correctly signed; (ok, counts)."""
    n = {r: created(hooks, r) for r in refs}
    return (all(len(v) == 1 and v[0]["signed_ok"] and
                verify(HOOK_SECRET, v[0]["timestamp"], v[0]["body"],
                       v[0]["signature"]) for v in n.values()),
            {r: len(v) for r, v in n.items()})


def webhook_args(hooks):
    return NOLIMIT + TICKETS + ["--webhook-url", hooks.url,
                                "--webhook-secret", HOOK_SECRET,
                                "--public-url", "http://portal.test"]


def test_slow_webhook():
    """A receiver that takes 4 s to answer each delivery: tickets do not
    wait for it, /healthz answers meanwhile, every webhook arrives later
    exactly once, signed."""
    hooks = WebhookSink(HOOK_SECRET).start()
    hooks.delay = 4.0
    p = harness.Porchd(args=webhook_args(hooks)).start()
    try:
        c = customer(p, "slowhook@example.com")
        if not check("faults: slow webhook receiver: a customer logs in",
                     c is not None, p.log()[-600:]):
            return
        t0 = time.time()
        rs = [ticket(c, "Slow receiver %d" % i) for i in range(5)]
        refs = [r[1] for r in rs]
        slowest = max(r[2] for r in rs)
        check("faults: slow webhook receiver (4 s a delivery): 5 tickets "
              "answer at once (slowest %.3f s)" % slowest,
              all(r[0] == 201 and r[1] for r in rs) and slowest < SLOW, rs)
        time.sleep(1.0)         # the first delivery is being held now
        t = time.time()
        h = p.get("/healthz")
        took = time.time() - t
        pending = 5 - len(hooks.all())
        check("faults: slow webhook receiver: /healthz answers in %.3f s "
              "while deliveries wait (%d of 5 not yet delivered)" %
              (took, pending), h.status == 200 and took < SLOW and
              pending > 0, h)
        hooks.wait(lambda hs: all(created(hooks, r) for r in refs),
                   timeout=60)
        time.sleep(2.0)         # a duplicate would arrive by now
        ok, n = hooks_ok(hooks, refs)
        late = min((h["received"] for h in hooks.all()), default=0) - t0
        check("faults: slow webhook receiver: every webhook arrives later "
              "(first after %.1f s), exactly once, correctly signed" % late,
              ok and late >= 4.0 and "to webhook: attempt" not in p.log(), n,
              p.log()[-800:])
    finally:
        p.stop()
        p.kill()
        hooks.stop()


def test_hanging_webhook(sink):
    """A receiver that accepts the connection and never answers: porchd
    gives up on the attempt (WEBHOOK_TIMEOUT), mail is not held behind it
    longer than that, the attempt is retried and delivered once the
    receiver is fixed; porchd stops at once while a delivery hangs, and
    the undelivered webhook goes out after the restart.  Nothing lost."""
    hooks = WebhookSink(HOOK_SECRET).start()
    hooks.hang = True
    args = webhook_args(hooks) + [
        "--smtp-url", "smtp://127.0.0.1:%d" % sink.port,
        "--mail-from", "help@skylark.test"]
    p = harness.Porchd(args=args).start()
    q = None
    try:
        c = customer(p, "hanghook@example.com")
        if not check("faults: hanging webhook receiver: a customer logs in",
                     c is not None, p.log()[-600:]):
            return
        st, ref, took = ticket(c, "Hanging receiver")
        deadline = time.time() + 10
        while hooks.hung < 1 and time.time() < deadline:
            time.sleep(0.02)
        held = time.time()
        more = [ticket(c, "Hanging receiver %d" % i) for i in (2, 3)]
        rs = signup(p, "during-hang@example.com")
        h = p.get("/healthz")
        refs = [ref] + [x[1] for x in more]
        slowest = max([took] + [x[2] for x in more])
        check("faults: hanging webhook receiver: 3 tickets answer at once "
              "(slowest %.3f s), /healthz and a sign-up answer while the "
              "delivery is held" % slowest,
              st == 201 and all(x[0] == 201 for x in more) and all(refs) and
              slowest < SLOW and hooks.hung == 1 and h.status == 200 and
              rs.status == 202, st, more, hooks.hung, h, rs)
        deadline = time.time() + WEBHOOK_TIMEOUT + 10
        while "to webhook: attempt 1 failed" not in p.log() and \
                time.time() < deadline:
            time.sleep(0.02)
        gave_up = time.time() - held
        hooks.hang = False      # the receiver is fixed
        line = [ln for ln in p.log().splitlines()
                if "to webhook: attempt 1 failed" in ln]
        check("faults: hanging webhook receiver: porchd gives up on the "
              "attempt after %.1f s (timeout), logged" % gave_up,
              line and "timed out" in line[0] and
              gave_up < WEBHOOK_TIMEOUT + 3 * SLOW, line, p.log()[-800:])

        def mailed(ms):
            return any("during-hang@example.com" in m["rcpt_to"] for m in ms)
        ms = sink.wait(mailed, timeout=WEBHOOK_TIMEOUT + 10)
        mail_after = time.time() - held
        check("faults: hanging webhook receiver: mail waits for one timeout, "
              "not one per queued webhook (sign-up mail after %.1f s, 3 "
              "webhooks queued)" % mail_after, mailed(ms) and
              mail_after < WEBHOOK_TIMEOUT + 5 * SLOW, p.log()[-800:])
        hooks.wait(lambda hs: all(created(hooks, r) for r in refs),
                   timeout=20)
        time.sleep(2.0)
        ok, n = hooks_ok(hooks, refs)
        check("faults: hanging webhook receiver fixed: the 3 webhooks are "
              "retried and arrive exactly once, correctly signed (1 attempt "
              "held, the others waited for it)",
              ok and hooks.hung == 1, n, hooks.hung, p.log()[-800:])
        # Stopping while a delivery hangs: porchd must not wait for it.
        hooks.hang = True
        st, ref2, _ = ticket(c, "Hanging at stop")
        deadline = time.time() + 10
        while hooks.hung < 2 and time.time() < deadline:
            time.sleep(0.02)
        t = time.time()
        rc = p.stop()
        took = time.time() - t
        check("faults: hanging webhook receiver: porchd stops in %.2f s "
              "while a delivery hangs, status 0" % took,
              st == 201 and hooks.hung == 2 and rc == 0 and took < 3 * SLOW,
              st, hooks.hung, rc, p.log()[-600:])
        hooks.hang = False
        q = harness.Porchd(site=p.site, args=args)
        q.db = p.db
        q.start()
        hooks.wait(lambda hs: created(hooks, ref2), timeout=20)
        time.sleep(2.0)
        ok, n = hooks_ok(hooks, refs + [ref2])
        check("faults: hanging webhook receiver: after the restart the "
              "webhook held at stop arrives, exactly once (nothing lost)",
              ok, n, q.log()[-800:])
    finally:
        for x in (p, q):
            if x:
                x.stop()
                x.kill()
        hooks.stop()


def test_catalog():
    site = harness.build_site()
    path = os.path.join(site, "catalog.json")
    good = open(path).read()
    with open(path, "w") as f:
        f.write('{"format": "porch-catalog", "version": 1, "site": [}\n')
    p = harness.Porchd(site=site).start()
    try:
        h = p.get("/healthz")
        check("faults: a corrupt catalog at start: porchd starts with an "
              "empty one, says why, pages answer",
              h.status == 200 and h.json()["catalog"]["articles"] == 0 and
              "keeping the current catalog" in p.log() and
              p.get("/").status == 200, h, p.log()[-600:])
        with open(path, "w") as f:
            f.write(good)
        p.signal(signal.SIGHUP)
        n = 0
        for _ in range(50):
            time.sleep(0.05)
            n = p.get("/healthz").json()["catalog"]["articles"]
            if n > 0:
                break
        os.unlink(path)
        p.signal(signal.SIGHUP)
        time.sleep(0.4)
        h = p.get("/healthz")
        check("faults: the catalog file gone on SIGHUP: the loaded one "
              "stays, logged", n > 0 and p.alive() and h.status == 200 and
              h.json()["catalog"]["articles"] == n and
              "keeping the current catalog" in p.log(), n, h,
              p.log()[-600:])
    finally:
        p.stop()
        p.kill()


def test_idle_connections():
    """2,000 idle connections (from 100 addresses) while /healthz answers.
    porchd runs a thread per connection, so max_connections is raised."""
    if harness.WRAPPER:     # a time and memory figure: meaningless there
        sys.stderr.write("test_faults: 2,000 idle connections: skipped "
                         "under $PORCHD_WRAPPER\n")
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 8192
    if hard != resource.RLIM_INFINITY and hard < want:
        want = hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    p = harness.Porchd(args=["--max-connections", "2500",
                             "--max-per-ip", "100", "--timeout", "60"])
    p.start()
    socks = []
    try:
        for i in range(2000):
            try:
                socks.append(p.connect(source="127.0.3.%d" % (i % 100 + 1),
                                       timeout=5))
            except OSError:
                break
        time.sleep(1.0)
        t = time.time()
        r = p.get("/healthz", timeout=10)
        took = time.time() - t
        st = open("/proc/%d/status" % p.proc.pid).read()
        threads = int(st.split("Threads:")[1].split()[0])
        rss = int(st.split("VmRSS:")[1].split()[0]) // 1024
        sys.stderr.write("test_faults: %d idle connections: /healthz in "
                         "%.3f s, %d threads, %d MB resident\n" %
                         (len(socks), took, threads, rss))
        # AddressSanitizer makes starting a thread and its stack several
        # times dearer: 3.1 s was seen there on a loaded machine.  Hanging
        # until the 60 s timeout is what this check is for.
        bound = 6.0 if "ASAN_OPTIONS" in os.environ else 2.0
        check("faults: 2,000 idle connections: /healthz answers in %.2f s "
              "(%d threads, %d MB)" % (took, threads, rss),
              len(socks) == 2000 and r.status == 200 and took < bound and
              p.alive(), len(socks), r)
    finally:
        for s in socks:
            s.close()
        p.stop()
        p.kill()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def main():
    out = harness.scratch()
    sink = SmtpSink(os.path.join(out, "mail")).start()
    try:
        for t, args in ((test_fsize, (sink,)), (test_tmpfs, ()),
                        (test_readonly_db, (sink,)),
                        (test_slow_smtp, (sink,)), (test_slow_webhook, ()),
                        (test_hanging_webhook, (sink,)),
                        (test_catalog, ()),
                        (test_idle_connections, ())):
            t0 = time.monotonic()
            try:
                t(*args)
            except Exception as e:      # one broken test must not hide
                fail_("faults: %s raised %r" % (t.__name__, e))
            sys.stderr.write("%s: %.1f s\n" % (t.__name__,
                                               time.monotonic() - t0))
    finally:
        sink.stop()
    harness.done()


if __name__ == "__main__":
    main()
