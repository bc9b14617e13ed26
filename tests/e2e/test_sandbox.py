"""Least privilege of the real porchd (endpoints/sandbox.c): started as root
it refuses to stay root, drops to --user for good (every uid and gid,
no capabilities, no supplementary groups), gives it the database, and
every thread of it runs under the seccomp filter (Seccomp: 2 in
/proc/PID/task/*/status, NoNewPrivs: 1), while it goes on serving,
reloading its catalog and stopping cleanly.  As another user only the
filter is checked.
"""
import json
import os
import pwd
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness                                     # noqa: E402
from harness import check                         # noqa: E402


def status(pid, task=None):
    path = "/proc/%d/status" % pid if task is None else \
        "/proc/%d/task/%s/status" % (pid, task)
    out = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def sanitizer_build(p):
    return "seccomp filter off: sanitizer build" in p.log()


def root_checks():
    if os.geteuid() != 0:
        return
    d = harness.scratch()
    argv = [harness.PORCHD, "serve", "--db", os.path.join(d, "p.db"),
            "--listen", "127.0.0.1:0"]
    try:
        pwd.getpwnam("porch")
        has_porch = True
    except KeyError:
        has_porch = False
    if not has_porch:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        check("sandbox: as root without --user (no 'porch' user) porchd "
              "refuses to start", r.returncode == 1 and
              "refusing to run as root" in r.stderr and
              not os.path.exists(os.path.join(d, "p.db")), r.stderr)
    r = subprocess.run(argv + ["--user", "no-such-user-here"],
                       capture_output=True, text=True, timeout=20)
    check("sandbox: --user naming no user is refused",
          r.returncode == 1 and "no such user" in r.stderr, r.stderr)


def running_checks():
    p = harness.Porchd(args=["--rate-limit", "1000", "--rate-burst", "100"])
    p.start()
    try:
        pid = p.proc.pid
        st = status(pid)
        san = sanitizer_build(p)
        if harness.RUN_AS:
            pw = pwd.getpwnam(harness.RUN_AS)
            uid, gid = str(pw.pw_uid), str(pw.pw_gid)
            check("sandbox: root dropped for good: real, effective, saved "
                  "and file-system uid and gid are %s's" % harness.RUN_AS,
                  st["Uid"] == [uid] * 4 and st["Gid"] == [gid] * 4 and
                  st.get("Groups", []) in ([], [gid]), st["Uid"],
                  st["Gid"], st.get("Groups"))
            check("sandbox: no capabilities left (permitted, effective, "
                  "ambient)", st["CapPrm"] == ["0000000000000000"] and
                  st["CapEff"] == ["0000000000000000"] and
                  st["CapAmb"] == ["0000000000000000"], st["CapEff"])
            owners = set(os.stat(p.db + s).st_uid for s in ("", "-wal")
                         if os.path.exists(p.db + s))
            check("sandbox: the database belongs to the user porchd runs "
                  "as", owners == {pw.pw_uid}, owners)
            check("sandbox: the drop is logged",
                  "running as %s" % harness.RUN_AS in p.log(),
                  p.log()[-500:])
        tasks = os.listdir("/proc/%d/task" % pid)
        modes = set(status(pid, t)["Seccomp"][0] for t in tasks)
        if san:
            check("sandbox: a sanitizer build says the filter is off",
                  modes == {"0"}, modes)
        else:
            check("sandbox: every thread (%d, some started before the "
                  "filter) runs under the seccomp filter" % len(tasks),
                  modes == {"2"} and st["NoNewPrivs"] == ["1"] and
                  "seccomp filter on" in p.log(), modes, st["NoNewPrivs"],
                  p.log()[-500:])
        # and it still does everything it did
        body = json.dumps({"email": "sandbox@example.com"}).encode()
        r1 = p.request("POST", "/api/auth/signup", body=body,
                       headers={"Content-Type": "application/json"})
        r2 = p.get("/")
        r3 = p.get("/assets/" + sorted(os.listdir(os.path.join(
            p.site, "assets")))[0])
        p.signal(signal.SIGHUP)
        ok = False
        for _ in range(50):
            if p.log().count(" loaded: ") >= 2:
                ok = True
                break
            time.sleep(0.05)
        check("sandbox: under the filter porchd writes (202), serves "
              "pages and files, reloads its catalog on SIGHUP",
              r1.status == 202 and r2.status == 200 and r3.status == 200
              and ok and p.alive(), r1, r2, r3, p.log()[-500:])
        rc = p.stop()
        check("sandbox: ... and stops cleanly (exit 0) under it", rc == 0,
              rc, p.log()[-500:])
    finally:
        p.kill()


def off_checks():
    for args, why in ((["--no-seccomp"], "--no-seccomp"),
                      (["--sendmail", "/bin/true"], "--sendmail")):
        p = harness.Porchd(site=False, args=args).start()
        try:
            st = status(p.proc.pid)
            check("sandbox: %s leaves the filter off and says so" % why,
                  st["Seccomp"] == ["0"] and
                  "seccomp filter off" in p.log(), st["Seccomp"],
                  p.log()[-300:])
        finally:
            p.stop()
            p.kill()


def main():
    root_checks()
    running_checks()
    off_checks()
    harness.done()


if __name__ == "__main__":
    main()
