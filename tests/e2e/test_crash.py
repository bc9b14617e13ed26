"""Crash consistency.  porchd: sign-ups with unique addresses at load from
a few threads, porchd killed with SIGKILL at random moments (30 times) and
restarted on the same database; every acknowledged sign-up (202) must be
there exactly once, with exactly one verification mail in the outbox, and
PRAGMA integrity_check must say ok.  porch build: killed with SIGKILL at
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                                     # noqa: E402
from harness import check, fail_                  # noqa: E402

KILLS = int(os.environ.get("CRASH_KILLS", "30"))
BUILD_KILLS = int(os.environ.get("CRASH_BUILD_KILLS", "10"))
NOLIMIT = ["--rate-limit", "1000000", "--rate-burst", "1000000"]


class Load:
    """Threads posting sign-ups with unique addresses until stopped; acked
    holds the addresses porchd answered 202 for."""

    def __init__(self, p, run, threads=4):
        self.p = p
        self.run = run
        self.acked = []
        self.errors = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.n = 0
        self.threads = [threading.Thread(target=self._work, args=(i,))
                        for i in range(threads)]

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
        for run in range(KILLS):
            if run > 0:
                p = harness.Porchd(site=site, args=NOLIMIT)
                p.db = db
            p.start()
            load = Load(p, run).start()
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
    finally:
        c.close()
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
