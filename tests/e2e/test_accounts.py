"""End-to-end tests of porchd's accounts: the real porchd on loopback with a
temporary database, and a real SMTP receiver (smtp_sink.py) from which the
tests read the verification, reset and magic links.

Sign-up, verification, login, who-am-i, logout; no account enumeration (the
same answer, and similar time, for unknown accounts); throttling; reset and
magic links (single use); logout everywhere; the session cookie; CSRF; the
outbox retrying while the SMTP receiver is down; injection strings; a
SIGKILL right after a sign-up was acknowledged; `porchd users`.
"""
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PASSWORD, check, fail_, pass_  # noqa: E402
from smtp_sink import SmtpSink, body_text  # noqa: E402

TOKEN_RE = re.compile(r"token=([0-9a-f]{64})")


class Client(harness.ApiClient):
    """Requests against porchd's API with one cookie jar (the session) and
    the CSRF token who-am-i or login gave."""

    def __init__(self, porchd, source="127.0.0.1"):
        super().__init__(porchd, source)

    def me(self):
        return self.call("GET", "/auth/me")

    def who(self):
        """Who-am-i as one word: "in" (200 with a user), "nobody" (200
        {"user": null}: no live session), else the status."""
        r = self.me()
        j = r.json() if r.status == 200 else None
        if not isinstance(j, dict) or "user" not in j:
            return r.status
        return "in" if j["user"] else "nobody"

    def login(self, email, password=PASSWORD):
        return self.post("/auth/login", {"email": email, "password": password})

def mails_to(sink, addr, kind=None):
    out = []
    for m in sink.messages():
        if addr in m["rcpt_to"] and (kind is None or
                                     m["msg"]["X-Porch-Kind"] == kind):
            out.append(m)
    return out


def wait_mail(sink, addr, kind, count=1, timeout=10.0):
    sink.wait(lambda ms: len(mails_to(sink, addr, kind)) >= count, timeout)
    return mails_to(sink, addr, kind)


def token_of(mail):
    m = TOKEN_RE.search(body_text(mail))
    return m.group(1) if m else None


def signup_verified(c, sink, email, name="Test"):
    """Signs email up, verifies it from the mail; returns True when done."""
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD,
                                "name": name})
    if r.status != 202:
        return False
    ms = wait_mail(sink, email, "verify")
    if not ms:
        return False
    r = c.post("/auth/verify", {"token": token_of(ms[-1]),
                                "password": PASSWORD})
    return r.status == 200


def test_signup_flow(p, sink):
    c = Client(p)
    r = c.post("/auth/signup", {"email": "Ann@Example.com",
                                "password": PASSWORD, "name": "Ann"})
    check("accounts: sign-up answers 202", r.status == 202, r)
    ms = wait_mail(sink, "ann@example.com", "verify")
    if not check("accounts: verification mail arrives", len(ms) == 1,
                 sink.messages()):
        return
    m = ms[0]
    check("accounts: mail has Message-ID <id@porch>",
          re.fullmatch(r"<[0-9a-f]{32}@porch>", m["msg"]["Message-ID"] or ""),
          m["msg"]["Message-ID"])
    check("accounts: mail envelope and From",
          m["mail_from"] == "help@skylark.test" and
          "help@skylark.test" in str(m["msg"]["From"]), m["mail_from"])
    tok = token_of(m)
    check("accounts: mail links to public_url /account/verify/",
          "http://portal.test/account/verify/?token=" in body_text(m) and tok,
          body_text(m))

    r = c.login("ann@example.com")
    check("accounts: no login before the link (the password is chosen "
          "there)", r.status == 401 and
          r.json().get("error") == "invalid_credentials", r)
    r = c.post("/auth/verify", {"token": tok})
    check("accounts: verify without a password is 400",
          r.status == 400, r)
    r = c.post("/auth/verify", {"token": tok, "password": PASSWORD})
    check("accounts: verify sets the password and logs in (200 + cookie)",
          r.status == 200 and "session" in (r.header("Set-Cookie") or ""),
          r)
    r = c.post("/auth/verify", {"token": tok, "password": PASSWORD})
    check("accounts: verify token is single-use",
          r.status == 400 and r.json().get("error") == "invalid_token", r)
    r = c.post("/auth/verify", {"token": "' OR 1=1 --",
                                "password": PASSWORD})
    check("accounts: malformed token is 400", r.status == 400, r)

    r = c.login("ANN@example.com ")
    j = r.json() or {}
    check("accounts: login 200 with user and csrf",
          r.status == 200 and j.get("user", {}).get("email") ==
          "ann@example.com" and j["user"].get("verified") is True and
          re.fullmatch(r"[0-9a-f]{64}", j.get("csrf", "")), r)
    sc = c.last_set_cookie or ""
    attrs = [a.strip().lower() for a in sc.split(";")]
    check("accounts: session cookie HttpOnly, SameSite=Lax, Path=/ "
          "(plain name, no Secure on http)",
          sc.startswith("porch_session=") and "httponly" in attrs and
          "samesite=lax" in attrs and "path=/" in attrs and
          "secure" not in attrs and re.match(r"porch_session=[0-9a-f]{64};",
                                             sc), sc)
    r = c.me()
    j = r.json() or {}
    check("accounts: who-am-i 200",
          r.status == 200 and j.get("user", {}).get("name") == "Ann" and
          j.get("csrf") == c.csrf, r)
    old_cookie = c.cookie
    r = c.post("/auth/logout")
    check("accounts: logout 200 and clears the cookie",
          r.status == 200 and c.cookie is None and
          "max-age=0" in (c.last_set_cookie or "").lower(), r,
          c.last_set_cookie)
    c.cookie = old_cookie
    r = c.me()
    check("accounts: who-am-i after logout is 200 {\"user\": null}",
          r.status == 200 and r.json() == {"user": None}, r)
    r = c.post("/auth/logout-everywhere")
    check("accounts: a route that needs a session still answers 401",
          r.status == 401 and r.json().get("error") == "unauthenticated", r)


def test_signup_existing(p, sink):
    c = Client(p)
    r1 = c.post("/auth/signup", {"email": "bea@example.com",
                                 "password": PASSWORD, "name": "Bea"})
    r2 = c.post("/auth/signup", {"email": "BEA@example.com",
                                 "password": "another password", "name": "X"})
    check("accounts: sign-up of a known address answers the same",
          r1.status == r2.status == 202 and r1.body == r2.body, r1, r2)
    wait_mail(sink, "bea@example.com", "signup-exists")
    check("accounts: known address gets a 'someone tried' mail, not a "
          "second verification",
          len(mails_to(sink, "bea@example.com", "signup-exists")) == 1 and
          len(mails_to(sink, "bea@example.com", "verify")) == 1,
          [m["msg"]["X-Porch-Kind"] for m in sink.messages()])
    r = c.post("/auth/signup", {"email": "not an address"})
    check("accounts: sign-up refuses a malformed address",
          r.status == 400 and (r.json() or {}).get("error") ==
          "invalid_email", r)
    unknown = "0" * 64      # well-formed, but no such token
    for body, code, name in (
            ({"token": unknown, "password": "short"},
             "password_too_short", "short password"),
            ({"token": unknown, "password": "p" * 1025},
             "password_too_long", "1025-byte password"),
            ({"token": unknown}, "bad_request", "missing password")):
        r = c.post("/auth/verify", body)
        check("accounts: choosing the password refuses a " + name,
              r.status == 400 and (r.json() or {}).get("error") == code, r)
    r = c.post("/auth/verify", {"token": unknown, "password": "p" * 1024})
    check("accounts: a 1024-byte password passes (then the token is "
          "checked)", r.status == 400 and
          (r.json() or {}).get("error") == "invalid_token", r)


def test_pre_hijack(p, sink):
    """A stranger signs up with someone else's address and a password of
    their own; the owner follows the link.  The stranger's password must
    not open the account."""
    c = Client(p, source="127.0.0.11")
    r = c.post("/auth/signup", {"email": "zoe@example.com",
                                "password": "stranger's password",
                                "name": "Not Zoe"})
    ms = wait_mail(sink, "zoe@example.com", "verify")
    if not check("accounts: pre-hijack: sign-up accepted, mail sent",
                 r.status == 202 and ms, r):
        return
    owner = Client(p, source="127.0.0.12")
    r = owner.post("/auth/verify", {"token": token_of(ms[0]),
                                    "password": PASSWORD})
    check("accounts: pre-hijack: the owner verifies with a password of "
          "their own", r.status == 200, r)
    r = c.login("zoe@example.com", "stranger's password")
    check("accounts: pre-hijack: the stranger's password does not log in",
          r.status == 401, r)
    r = owner.login("zoe@example.com")
    check("accounts: pre-hijack: the owner's password does",
          r.status == 200, r)


def test_enumeration(p, sink):
    c = Client(p, source="127.0.0.2")
    if not check("accounts: setup verified account for timing",
                 signup_verified(c, sink, "cal@example.com")):
        return
    known, unknown = [], []
    rk = ru = None
    for i in range(4):      # below the per-account free failures
        t = time.monotonic()
        rk = c.login("cal@example.com", "wrong password %d" % i)
        known.append(time.monotonic() - t)
        t = time.monotonic()
        ru = c.login("nobody@example.com", "wrong password %d" % i)
        unknown.append(time.monotonic() - t)
    check("accounts: wrong password and unknown account: same status and "
          "body", rk.status == ru.status == 401 and rk.body == ru.body,
          rk, ru)
    mk, mu = statistics.median(known), statistics.median(unknown)
    # Both pay one argon2id verification; allow a wide margin.
    check("accounts: wrong password and unknown account: similar time "
          "(medians %.0f ms, %.0f ms)" % (mk * 1000, mu * 1000),
          mu > mk * 0.5 and mu < mk * 2.0 + 0.02, known, unknown)
    r = c.login("' OR 1=1 --", "' OR 1=1 --")
    check("accounts: SQL in the login address is just a wrong login",
          r.status == 401 and r.body == rk.body, r)


def test_throttle(p, sink):
    c = Client(p, source="127.0.0.3")
    if not signup_verified(c, sink, "dan@example.com"):
        fail_("accounts: setup for throttling")
        return
    statuses = [c.login("dan@example.com", "bad password!").status
                for _ in range(5)]
    r = c.login("dan@example.com", "bad password!")
    ra = r.header("Retry-After")
    check("accounts: the 6th failed login in a row is 429 with Retry-After",
          statuses == [401] * 5 and r.status == 429 and ra and
          ra.isdigit() and int(ra) >= 1 and
          r.json().get("error") == "rate_limited", statuses, r)
    r = c.login("dan@example.com")
    check("accounts: while throttled even the right password waits",
          r.status == 429, r)
    statuses = [c.login("ghost@example.com", "bad password!").status
                for _ in range(5)]
    r2 = c.login("ghost@example.com", "bad password!")
    check("accounts: unknown accounts are throttled the same way",
          statuses == [401] * 5 and r2.status == 429, statuses, r2)
    time.sleep(int(ra) + 0.2)
    r = c.login("dan@example.com")
    check("accounts: after Retry-After the right password works",
          r.status == 200, r)


def test_sessions(p, sink):
    a = Client(p, source="127.0.0.4")
    if not signup_verified(a, sink, "eve@example.com"):
        fail_("accounts: setup for sessions")
        return
    r = a.login("eve@example.com")
    first = a.cookie
    # Logging in again (logged in: the CSRF token is needed) gives a new
    # token and ends the old session: no fixation.
    r = a.login("eve@example.com")
    check("accounts: a new session token at every login",
          r.status == 200 and a.cookie and a.cookie != first, r)
    b = Client(p, source="127.0.0.4")
    b.cookie = first
    check("accounts: the session replaced at login is gone",
          b.who() == "nobody")

    r = a.post("/auth/logout", csrf=False)
    check("accounts: CSRF: POST without the token on a session is 403",
          r.status == 403 and r.json().get("error") == "csrf", r)
    r = a.post("/auth/logout", headers={"X-CSRF-Token": "0" * 64})
    check("accounts: CSRF: POST with a wrong token is 403",
          r.status == 403, r)
    check("accounts: CSRF refusal kept the session", a.who() == "in")

    b = Client(p, source="127.0.0.4")
    b.login("eve@example.com")
    check("accounts: two sessions at once", a.who() == "in" and
          b.who() == "in")
    r = a.post("/auth/logout-everywhere")
    check("accounts: logout-everywhere 200", r.status == 200, r)
    check("accounts: logout-everywhere ended the other session",
          b.who() == "nobody")
    anon = Client(p, source="127.0.0.4")
    r = anon.post("/auth/logout-everywhere")
    check("accounts: logout-everywhere needs a session", r.status == 401, r)
    r = anon.post("/auth/logout")
    check("accounts: logout without a session is harmless",
          r.status == 200, r)


def test_session_expiry(p, sink):
    """A server configured with short sessions ends them: idle after 3 s
    without use, and at most 6 s after login however busy.  (With 2 s of
    idleness a request every second ended once under ASan: a second's
    sleep plus a slow request reached the idle limit.)"""
    q = harness.Porchd(site=p.site, args=["--session-idle", "3",
                                          "--session-max", "6"])
    add = subprocess.run([harness.PORCHD, "users", "--db", q.db, "add",
                          "exp@example.com", "--password-stdin"],
                         input=(PASSWORD + "\n").encode(),
                         capture_output=True)
    if not check("accounts: expiry: account made with porchd users add",
                 add.returncode == 0, add.stderr):
        return
    q.start()
    try:
        c = Client(q, source="127.0.0.13")
        r = c.login("exp@example.com")
        check("accounts: expiry: login", r.status == 200, r)
        time.sleep(4)
        check("accounts: expiry: a session unused longer than session_idle "
              "has ended", c.who() == "nobody")
        r = c.login("exp@example.com")
        seen = []
        for _ in range(8):      # used every second: never idle
            time.sleep(1)
            seen.append(c.who())
        check("accounts: expiry: a busy session lives, then ends at "
              "session_max (6 s)", r.status == 200 and seen[0] == "in" and
              seen[-1] == "nobody" and seen.index("nobody") >= 2, seen)
    finally:
        q.stop()
        q.kill()


def test_reset(p, sink):
    c = Client(p, source="127.0.0.5")
    if not signup_verified(c, sink, "fay@example.com"):
        fail_("accounts: setup for reset")
        return
    other = Client(p, source="127.0.0.5")
    other.login("fay@example.com")
    r1 = c.post("/auth/reset", {"email": "fay@example.com"})
    r2 = c.post("/auth/reset", {"email": "nobody-here@example.com"})
    check("accounts: reset answers 202 the same for unknown addresses",
          r1.status == r2.status == 202 and r1.body == r2.body, r1, r2)
    ms = wait_mail(sink, "fay@example.com", "reset")
    tok = token_of(ms[0]) if ms else None
    check("accounts: reset mail arrives with a /account/reset/ link",
          tok and "http://portal.test/account/reset/?token=" in
          body_text(ms[0]), sink.messages())
    if not tok:
        return
    r = c.post("/auth/reset/confirm", {"token": tok, "password": "short"})
    check("accounts: reset refuses a short password", r.status == 400, r)
    r = c.post("/auth/reset/confirm", {"token": tok,
                                       "password": "brand new password"})
    check("accounts: reset confirm logs in",
          r.status == 200 and c.cookie and c.who() == "in", r)
    r = c.post("/auth/reset/confirm", {"token": tok,
                                       "password": "another new one"})
    check("accounts: reset token is single-use",
          r.status == 400 and r.json().get("error") == "invalid_token", r)
    check("accounts: reset ended the sessions from before",
          other.who() == "nobody")
    t = Client(p, source="127.0.0.5")
    check("accounts: old password no longer works",
          t.login("fay@example.com").status == 401)
    check("accounts: new password works",
          t.login("fay@example.com", "brand new password").status == 200)
    check("accounts: no mail for the unknown address",
          not mails_to(sink, "nobody-here@example.com"))


def test_magic(p, sink):
    c = Client(p, source="127.0.0.6")
    if not signup_verified(c, sink, "gus@example.com"):
        fail_("accounts: setup for magic link")
        return
    r = c.post("/auth/magic", {"email": "gus@example.com"})
    ms = wait_mail(sink, "gus@example.com", "magic")
    tok = token_of(ms[0]) if ms else None
    check("accounts: magic link mail", r.status == 202 and tok, r)
    if not tok:
        return
    r = c.post("/auth/magic/consume", {"token": tok})
    check("accounts: magic link logs in", r.status == 200 and
          c.who() == "in", r)
    d = Client(p, source="127.0.0.6")
    r = d.post("/auth/magic/consume", {"token": tok})
    check("accounts: magic link is single-use", r.status == 400, r)


def test_injection(p, sink):
    c = Client(p, source="127.0.0.7")
    name = "<script>alert(1)</script> ' OR 1=1 -- \r\nBcc: evil@example.com"
    r = c.post("/auth/signup", {"email": "hal@example.com",
                                "password": PASSWORD, "name": name})
    ms = wait_mail(sink, "hal@example.com", "verify")
    if not check("accounts: sign-up with injection strings", r.status == 202
                 and ms, r):
        return
    raw = ms[0]["raw"]
    head = raw.split(b"\r\n\r\n", 1)[0]
    check("accounts: no header injected from the name",
          b"\nBcc:" not in head and ms[0]["rcpt_to"] == ["hal@example.com"],
          head)
    c.post("/auth/verify", {"token": token_of(ms[0]), "password": PASSWORD})
    c.login("hal@example.com")
    r = c.me()
    j = r.json() or {}
    check("accounts: name stored verbatim, returned JSON-escaped",
          j.get("user", {}).get("name") == name and b"\r" not in r.body and
          b"\\r\\n" in r.body, r)


def test_outbox_retry(p, sink):
    c = Client(p, source="127.0.0.8")
    port = sink.port
    sink.stop()
    r = c.post("/auth/signup", {"email": "ivy@example.com",
                                "password": PASSWORD, "name": "Ivy"})
    check("accounts: sign-up while the SMTP receiver is down is 202",
          r.status == 202, r)
    time.sleep(1.5)         # a failed attempt or two
    sink.port = port
    sink.start()
    ms = wait_mail(sink, "ivy@example.com", "verify", timeout=15)
    check("accounts: the outbox retried and the mail arrived", len(ms) >= 1,
          p.log()[-2000:])


def test_crash(p, sink):
    """SIGKILL right after an acknowledged sign-up: the mail is not lost."""
    c = Client(p, source="127.0.0.9")
    port = sink.port
    sink.stop()             # nothing can be delivered before the kill
    r = c.post("/auth/signup", {"email": "jon@example.com",
                                "password": PASSWORD, "name": "Jon"})
    p.proc.send_signal(signal.SIGKILL)
    p.proc.wait()
    ok = r.status == 202
    sink.port = port
    sink.start()
    q = harness.Porchd(site=p.site, args=p.args)
    q.db = p.db
    q.start()
    try:
        ms = wait_mail(sink, "jon@example.com", "verify", timeout=15)
        check("accounts: after SIGKILL and restart the verification mail "
              "is delivered (%d times)" % len(ms), ok and len(ms) >= 1, r,
              q.log()[-2000:])
        tok = token_of(ms[0]) if ms else None
        c2 = Client(q, source="127.0.0.9")
        r = c2.post("/auth/verify", {"token": tok, "password": PASSWORD})
        check("accounts: ... and its link works", r.status == 200, r)
    finally:
        q.stop()
        q.kill()


def test_signup_disabled(p, sink):
    cat = os.path.join(p.site, "catalog.json")
    with open(cat) as f:
        data = json.load(f)
    data["accounts"] = {"signup": False, "magic_link": False}
    with open(cat + ".tmp", "w") as f:
        json.dump(data, f)
    os.rename(cat, cat + ".orig")
    os.rename(cat + ".tmp", cat)
    n = p.log().count("loaded")
    p.signal(signal.SIGHUP)
    deadline = time.time() + 5
    while p.log().count("loaded") == n and time.time() < deadline:
        time.sleep(0.05)
    c = Client(p, source="127.0.0.10")
    r = c.post("/auth/signup", {"email": "kim@example.com",
                                "password": PASSWORD})
    check("accounts: sign-up off in the catalog: 403 signup_disabled",
          r.status == 403 and r.json().get("error") == "signup_disabled", r)
    r = c.post("/auth/magic", {"email": "ann@example.com"})
    check("accounts: magic link off: 403", r.status == 403, r)
    os.rename(cat + ".orig", cat)
    n = p.log().count("loaded")
    p.signal(signal.SIGHUP)
    deadline = time.time() + 5
    while p.log().count("loaded") == n and time.time() < deadline:
        time.sleep(0.05)


def users(p, *args, stdin=None):
    return subprocess.run([harness.PORCHD, "users", "--db", p.db] +
                          list(args), input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_users_cli(p, sink):
    d = harness.scratch()
    r = users(p, "add", "Staff@Example.com", "--name", "Staff")
    pw = r.stdout.strip()
    check("users: add prints a generated password",
          r.returncode == 0 and len(pw) >= 16, r)
    c = Client(p, source="127.0.0.11")
    check("users: the generated password logs in",
          c.login("staff@example.com", pw).status == 200)
    r = users(p, "add", "staff@example.com")
    check("users: add of a known address fails with 1", r.returncode == 1, r)
    r = users(p, "add", "piped@example.com", "--password-stdin",
              stdin="piped password\n")
    check("users: add --password-stdin", r.returncode == 0 and
          Client(p, "127.0.0.11").login("piped@example.com",
                                        "piped password").status == 200, r)
    r = users(p, "frobnicate")
    check("users: unknown command exits 2", r.returncode == 2, r)

    bad = os.path.join(d, "bad.csv")
    with open(bad, "w") as f:
        f.write("email,name,password\nok1@example.com,One,password one\n"
                "not-an-address,Two,password two\n"
                "\"ok3@example.com\",\"Three, with comma\",\n"
                "ok1@example.com,Again,password one\n")
    r = users(p, "import", bad)
    check("users: import reports file:line errors and imports nothing",
          r.returncode == 1 and bad + ":3:" in r.stderr and
          bad + ":5:" in r.stderr, r)
    r = users(p, "list", "--json")
    emails = [u["email"] for u in json.loads(r.stdout)] if \
        r.returncode == 0 else []
    check("users: list --json", "staff@example.com" in emails and
          "ok1@example.com" not in emails, r)
    good = os.path.join(d, "good.csv")
    with open(good, "w") as f:
        f.write("email,name,password\r\nok1@example.com,One,password one\r\n"
                "\"ok3@example.com\",\"Three, \"\"quoted\"\"\",\r\n")
    r = users(p, "import", good)
    check("users: import of a good file", r.returncode == 0, r)
    r = users(p, "list", "--json")
    names = {u["email"]: u["name"] for u in json.loads(r.stdout)}
    check("users: imported names parsed from CSV",
          names.get("ok3@example.com") == 'Three, "quoted"', names)
    check("users: imported password works", Client(p, "127.0.0.11").login(
        "ok1@example.com", "password one").status == 200)

    r = users(p, "disable", "staff@example.com")
    check("users: disable ends sessions",
          r.returncode == 0 and c.who() == "nobody", r)
    r = c.login("staff@example.com", pw)
    check("users: a disabled account cannot log in",
          r.status == 403 and r.json().get("error") == "account_disabled", r)
    r = users(p, "reset-password", "piped@example.com", "--print")
    m = TOKEN_RE.search(r.stdout)
    check("users: reset-password --print gives a working link",
          r.returncode == 0 and m and Client(p, "127.0.0.11").post(
              "/auth/reset/confirm", {"token": m.group(1),
                                      "password": "printed reset"}
          ).status == 200, r)
    r = users(p, "reset-password", "ok1@example.com")
    ms = wait_mail(sink, "ok1@example.com", "reset", timeout=15)
    check("users: reset-password queues a mail the server delivers",
          r.returncode == 0 and len(ms) == 1, r)
    r = users(p, "reset-password", "nobody@example.com")
    check("users: reset-password of an unknown address exits 1",
          r.returncode == 1, r)


def test_sendmail(p, sink):
    """Mail through a sendmail program instead of SMTP."""
    d = harness.scratch()
    out = os.path.join(d, "sent")
    prog = os.path.join(d, "fake-sendmail")
    with open(prog, "w") as f:
        f.write("#!/bin/sh\nprintf '%%s\\n' \"$@\" > %s.args\n"
                "cat > %s.tmp && mv %s.tmp %s\n" % (out, out, out, out))
    os.chmod(prog, 0o755)
    q = harness.Porchd(site=p.site, args=[
        "--sendmail", prog, "--mail-from", "help@skylark.test",
        "--public-url", "http://portal.test"])
    q.start()
    try:
        c = Client(q, source="127.0.0.12")
        r = c.post("/auth/signup", {"email": "lou@example.com",
                                    "password": PASSWORD})
        deadline = time.time() + 10
        while not os.path.exists(out) and time.time() < deadline:
            time.sleep(0.05)
        data = open(out, "rb").read() if os.path.exists(out) else b""
        args = open(out + ".args").read().split("\n") if \
            os.path.exists(out + ".args") else []
        check("accounts: mail through a sendmail program",
              r.status == 202 and b"Message-ID: <" in data and
              b"\r\n" not in data and TOKEN_RE.search(
                  data.decode().replace("=\n", "").replace("=3D", "=")) and
              args[:5] == ["-i", "-f", "help@skylark.test", "--",
                           "lou@example.com"], r, args, data[:300])
    finally:
        q.stop()
        q.kill()


def main():
    out = harness.scratch()
    sink = SmtpSink(os.path.join(out, "mail")).start()
    p = harness.Porchd(args=[
        "--smtp-url", "smtp://127.0.0.1:%d" % sink.port,
        "--mail-from", "Skylark Help <help@skylark.test>",
        "--public-url", "http://portal.test",
        "--rate-limit", "1000000", "--rate-burst", "1000000"])
    p.start()
    try:
        for t in (test_signup_flow, test_signup_existing, test_pre_hijack,
                  test_enumeration,
                  test_throttle, test_sessions, test_session_expiry,
                  test_reset, test_magic,
                  test_injection, test_users_cli, test_sendmail,
                  test_outbox_retry,
                  test_signup_disabled, test_crash):
            t0 = time.monotonic()
            try:
                t(p, sink)
            except Exception as e:      # one broken test must not hide
                fail_("accounts: %s raised %r" % (t.__name__, e),
                      p.log()[-1500:])
            sys.stderr.write("%s: %.1f s\n" % (t.__name__,
                                               time.monotonic() - t0))
    finally:
        if p.alive():
            p.stop()
        p.kill()
        sink.stop()
    harness.done()


if __name__ == "__main__":
    main()
