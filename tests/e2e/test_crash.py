"""Crash consistency.  porchd: sign-ups with unique addresses, tickets
with unique titles and Idempotency-Keys, and vote toggles of verified
accounts, at load from a few threads; porchd killed with SIGKILL at random
moments (30 times) and restarted on the same database.  Every
acknowledged sign-up (202) must be there exactly once, with exactly one
verification mail in the outbox; every acknowledged ticket exactly once
(a request that got no answer is sent again with its key, as a client
would) with its messages and outbox rows; every account's vote on every
item what its last acknowledged toggle said, and the counts porchd serves
equal to the rows; PRAGMA integrity_check must say ok.  porch build: killed with SIGKILL at
random moments (10 times) while rebuilding the example site; the site
built before must be intact byte for byte, and the next build succeeds.
"""
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                                     # noqa: E402
from harness import check, fail_                  # noqa: E402

KILLS = int(os.environ.get("CRASH_KILLS", "30"))
BUILD_KILLS = int(os.environ.get("CRASH_BUILD_KILLS", "10"))
NOLIMIT = ["--rate-limit", "1000000", "--rate-burst", "1000000",
           "--ticket-limit", "1000000", "--ticket-burst", "1000000",
           "--vote-limit", "1000000", "--vote-burst", "1000000",
           "--support-email", "staff@skylark.test"]
ITEMS = ("passkeys", "custom-roles")     # planned in content/roadmap
REF_RE = __import__("re").compile(r"SKY-\d+")


def account(p, email, source):
    """A verified account made with `porchd users add`, logged in: an
    ApiClient whose session (stored in the database) outlives restarts;
    raises when either fails."""
    c = harness.logged_in(p, email, "Load", source=source)
    if c is None:
        raise RuntimeError("account or login %s failed" % email)
    return c


class Writer:
    """Threads sending tickets (one account each) and vote toggles (one
    account each) until stopped.  A request that got no answer is sent
    again, unchanged, the next time: the same Idempotency-Key, the same
    vote.  State survives restarts; set_porchd points the clients at the
    new process."""

    def __init__(self, tclients, vclients, seed):
        self.t = [{"c": c, "k": 0, "pending": None} for c in tclients]
        self.v = [{"c": c, "state": {}, "pending": None,
                   "rnd": random.Random(seed + i)}
                  for i, c in enumerate(vclients)]
        self.acked = {}             # ticket title -> ref
        self.lock = threading.Lock()
        self.n = 0
        self.toggles = 0            # acknowledged vote requests
        self.errors = {}

    def set_porchd(self, p):
        for w in self.t + self.v:
            w["c"].p = p

    def _err(self, k):
        with self.lock:
            self.errors[k] = self.errors.get(k, 0) + 1

    def _ticket(self, w, stop):
        i = self.t.index(w)
        while not stop.is_set():
            if w["pending"] is None:
                w["k"] += 1
                w["pending"] = ("crash ticket t%d-%d %s" % (
                    i, w["k"], uuid.uuid4().hex[:8]), uuid.uuid4().hex)
            title, key = w["pending"]
            try:
                r = w["c"].post("/tickets", {"type": "question", "fields": {
                    "subject": title, "description": "Written under load "
                    "while porchd is killed."}},
                    headers={"Idempotency-Key": key})
            except Exception as e:
                self._err(type(e).__name__)
                continue
            with self.lock:
                self.n += 1
                if r.status in (200, 201):
                    self.acked[title] = (r.json() or {}).get(
                        "ticket", {}).get("ref")
                    w["pending"] = None
                else:
                    self.errors[r.status] = self.errors.get(r.status, 0) + 1

    def _vote(self, w, stop):
        while not stop.is_set():
            if w["pending"] is None:
                item = w["rnd"].choice(ITEMS)
                w["pending"] = (item, not w["state"].get(item, False))
            item, on = w["pending"]
            try:
                r = w["c"].post("/votes", {"item": item, "vote": on})
            except Exception as e:
                self._err(type(e).__name__)
                continue
            with self.lock:
                self.n += 1
                j = r.json() or {}
                if r.status == 200 and j.get("voted") == on:
                    w["state"][item] = on
                    self.toggles += 1
                    w["pending"] = None
                else:
                    self.errors[r.status] = self.errors.get(r.status, 0) + 1

    def threads(self, stop):
        return ([threading.Thread(target=self._ticket, args=(w, stop))
                 for w in self.t] +
                [threading.Thread(target=self._vote, args=(w, stop))
                 for w in self.v])


class Load:
    """Threads posting sign-ups with unique addresses until stopped; acked
    holds the addresses porchd answered 202 for."""

    def __init__(self, p, run, threads=2, writer=None):
        self.p = p
        self.run = run
        self.acked = []
        self.errors = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.n = 0
        self.threads = [threading.Thread(target=self._work, args=(i,))
                        for i in range(threads)]
        if writer is not None:
            writer.set_porchd(p)
            self.threads += writer.threads(self.stop)

    def _work(self, i):
        k = 0
        while not self.stop.is_set():
            k += 1
            addr = "r%d-t%d-%d@example.com" % (self.run, i, k)
            body = json.dumps({"email": addr, "name": "C"}).encode()
            try:
                r = self.p.request("POST", "/api/auth/signup", body=body,
                                   headers={"Content-Type":
                                            "application/json"},
                                   source="127.0.0.%d" % (20 + i),
                                   timeout=5)
            except (OSError, Exception) as e:
                with self.lock:
                    self.errors[type(e).__name__] = \
                        self.errors.get(type(e).__name__, 0) + 1
                continue
            with self.lock:
                self.n += 1
                if r.status == 202:
                    self.acked.append(addr)
                else:
                    self.errors[r.status] = self.errors.get(r.status, 0) + 1

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join()


def porchd_crashes():
    rnd = random.Random(int(os.environ.get("CRASH_SEED", time.time())))
    first = harness.Porchd(args=NOLIMIT)
    db = first.db
    site = first.site
    acked = []
    kills = 0
    requests = 0
    t0 = time.monotonic()
    p = first
    try:
        first.start()
        seed = rnd.randrange(1 << 30)
        writer = Writer([account(first, "t%d@example.com" % i,
                                 "127.0.0.%d" % (40 + i)) for i in range(2)],
                        [account(first, "v%d@example.com" % i,
                                 "127.0.0.%d" % (50 + i)) for i in range(2)],
                        seed)
        # one ticket before any kill: what a ticket writes, to compare
        r = writer.t[0]["c"].post("/tickets", {"type": "question", "fields": {
            "subject": "crash reference ticket", "description":
            "Written before the first kill, for the counts."}})
        ref0 = (r.json() or {}).get("ticket", {}).get("ref")
        time.sleep(0.3)         # its outbox rows are in the same commit
        for run in range(KILLS):
            if run > 0:
                p = harness.Porchd(site=site, args=NOLIMIT)
                p.db = db
                p.start()
            load = Load(p, run, writer=writer).start()
            time.sleep(rnd.uniform(0.05, 0.6))
            p.proc.send_signal(signal.SIGKILL)
            p.proc.wait()
            kills += 1
            load.join()
            p.kill()
            acked += load.acked
            requests += load.n
        elapsed = time.monotonic() - t0
        p = harness.Porchd(site=site, args=NOLIMIT)
        p.db = db
        p.start()
        h = p.get("/healthz")
        served = (p.get("/api/votes/counts?items=" + ",".join(ITEMS)).json()
                  or {}).get("counts", {})
        rc = p.stop()
        p.kill()
    except Exception as e:
        fail_("crash: porchd kill loop raised %r" % (e,), p.log()[-1500:])
        return
    c = sqlite3.connect(db)
    try:
        integrity = c.execute("PRAGMA integrity_check").fetchall()
        count = dict(c.execute("SELECT email, COUNT(*) FROM users "
                               "GROUP BY email").fetchall())
        mails = dict(c.execute("SELECT recipient, COUNT(*) FROM outbox "
                               "GROUP BY recipient").fetchall())
        tickets = {}
        for title, ref, n in c.execute(
                "SELECT subject, min(ref), count(*) FROM tickets GROUP BY "
                "subject"):
            tickets[title] = (ref, n)
        events = dict(c.execute("SELECT t.ref, count(e.id) FROM tickets t "
                                "LEFT JOIN ticket_events e ON e.ticket_id "
                                "= t.id GROUP BY t.id").fetchall())
        orows = {}
        for subj, body in c.execute("SELECT subject, body FROM outbox"):
            for ref in set(REF_RE.findall(subj + " " + body)):
                orows[ref] = orows.get(ref, 0) + 1
        votes = {(u, i) for u, i in c.execute(
            "SELECT u.email, v.item FROM votes v JOIN users u ON u.id = "
            "v.user_id")}
        vcount = dict(c.execute("SELECT item, count(*) FROM votes GROUP BY "
                                "item").fetchall())
    finally:
        c.close()
    twice = [t for t, (_, n) in tickets.items() if n != 1]
    lost = [t for t in writer.acked if tickets.get(t, (0, 0))[1] != 1]
    wrongref = [t for t, ref in writer.acked.items()
                if tickets.get(t, (None,))[0] != ref]
    want_ev, want_out = events.get(ref0), orows.get(ref0)
    parts = [ref for ref, _ in tickets.values()
             if events.get(ref) != want_ev or orows.get(ref) != want_out]
    vbad = []
    for i, w in enumerate(writer.v):
        email = "v%d@example.com" % i
        for item in ITEMS:
            have = (email, item) in votes
            ok = {w["state"].get(item, False)}
            if w["pending"] and w["pending"][0] == item:
                ok.add(w["pending"][1])     # sent, never answered
            if have not in ok:
                vbad.append((email, item, have, ok))
    sys.stderr.write("test_crash: %d tickets and %d vote toggles "
                     "acknowledged, %d ticket/vote requests, errors %r\n" % (
                         len(writer.acked), writer.toggles, writer.n,
                         writer.errors))
    check("crash: tickets and vote toggles ran under the kills too "
          "(%d tickets, %d toggles acknowledged)" % (len(writer.acked),
                                                     writer.toggles),
          ref0 and len(writer.acked) > KILLS and writer.toggles > KILLS,
          len(writer.acked), writer.n, writer.errors)
    check("crash: every acknowledged ticket is stored exactly once, under "
          "the ref it was acknowledged with (replayed keys included)",
          not lost and not wrongref, lost[:5], wrongref[:5])
    check("crash: no ticket is stored twice (%d tickets)" % len(tickets),
          not twice, twice[:5])
    check("crash: every stored ticket has its messages (%s) and outbox rows "
          "(%s), like one written without a kill" % (want_ev, want_out),
          want_ev is not None and want_out and not parts, parts[:5])
    check("crash: every account's vote is what its last acknowledged "
          "toggle said", not vbad, vbad)
    check("crash: the counts porchd serves after a restart equal the vote "
          "rows", all(served.get(i) == vcount.get(i, 0) for i in ITEMS),
          served, vcount)
    missing = [a for a in acked if count.get(a) != 1]
    badmail = [a for a in acked if mails.get(a) != 1]
    sys.stderr.write("test_crash: %d kills in %.1f s, %d requests, %d "
                     "acknowledged, %d rows\n" % (kills, elapsed, requests,
                                                  len(acked), len(count)))
    check("crash: %d SIGKILLs of porchd under load in %.0f s, %d "
          "acknowledged sign-ups" % (kills, elapsed, len(acked)),
          kills == KILLS and len(acked) > KILLS, kills, len(acked))
    check("crash: every acknowledged sign-up is stored exactly once",
          not missing and len(acked) == len(set(acked)), missing[:5])
    check("crash: ... with exactly one verification mail each in the "
          "outbox", not badmail, badmail[:5])
    check("crash: PRAGMA integrity_check is ok after the kills",
          integrity == [("ok",)], integrity)
    check("crash: porchd starts on the database afterwards and stops "
          "cleanly", h.status == 200 and h.json().get("db") == "ok" and
          rc == 0, h, rc)


def tree(root):
    """{relative path: sha256} of every file under root."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            path = os.path.join(d, f)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = \
                    hashlib.sha256(fh.read()).hexdigest()
    return out


def build_crashes():
    rnd = random.Random(int(os.environ.get("CRASH_SEED", time.time())))
    content = os.path.join(harness.ROOT, "content")
    base = harness.scratch()
    out = os.path.join(base, "public")
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                           ":detect_leaks=0").lstrip(":")
    argv = [harness.PORCH, "build", content, "-o", out, "-q"]
    r = subprocess.run(argv, capture_output=True, env=env)
    if r.returncode != 0:
        fail_("crash: the first build failed", r.stderr[-500:])
        return
    before = tree(out)
    # how long a rebuild takes, to kill inside it
    t = time.monotonic()
    subprocess.run(argv, capture_output=True, env=env)
    took = time.monotonic() - t
    same = tree(out) == before
    changed = []
    finished = 0
    for i in range(BUILD_KILLS):
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env)
        time.sleep(rnd.uniform(0.0, took * 0.9))
        if proc.poll() is not None:
            finished += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if tree(out) != before:
            changed.append(i)
    r = subprocess.run(argv, capture_output=True, env=env)
    after = tree(out)
    leftovers = sorted(n for n in os.listdir(base) if n != "public" and
                       not n.startswith("public.porch-cache"))
    sys.stderr.write("test_crash: porch build takes %.2f s; %d kills, %d "
                     "of them after it had finished\n" %
                     (took, BUILD_KILLS, finished))
    check("crash: the same build twice gives the same bytes", same)
    check("crash: porch build killed %d times mid-way: the old site is "
          "intact byte for byte" % BUILD_KILLS, not changed, changed)
    check("crash: the next build succeeds, with the same site and no "
          "half-built folder left beside it", r.returncode == 0 and
          after == before and not leftovers, r.stderr[-500:], leftovers)


def main():
    porchd_crashes()
    build_crashes()
    harness.done()


if __name__ == "__main__":
    main()
