"""End-to-end tests of votes, "was this helpful?", search misses, the
shipped-item mails and the staff reports: the real porchd on loopback with
a temporary SQLite database, the example site built by the real porch, and
a real SMTP receiver (smtp_sink.py).

Votes: vote, take back, counts, mine, unverified 403, unknown item 400,
shipped 409, 1,000 identical votes = one row, the per-account and per-IP
limits (429).  Feedback: upsert per page and client, validation, the
per-IP limit.  Search misses: normalisation, personal data dropped.
Shipping: a copy of content/ gets a changelog entry with `ships: [id]`,
is rebuilt and porchd gets SIGHUP: exactly the item's voters (and the
customer of a ticket linked to it) get exactly one mail, a second SIGHUP
sends nothing, the one-click unsubscribe works.  Reports: text, CSV
(formula cells neutralised), JSON, markdown; `porch build --votes`.
"""
import csv
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, fail_  # noqa: E402
from smtp_sink import SmtpSink, body_text  # noqa: E402

ITEM = "passkeys"           # planned in content/roadmap
OTHER = "custom-roles"      # planned
SHIPPED = "slack-app"       # shipped by content/changelog
UNSUB_RE = re.compile(r"/account/unsubscribe/\?token=([0-9a-f]{64})")


class Client(harness.ApiClient):
    """One browser: a cookie jar, the CSRF token, a source address."""

    def __init__(self, porchd, source="127.0.0.1"):
        super().__init__(porchd, source)

    def vote(self, item, on=True):
        return self.post("/votes", {"item": item, "vote": on})


def logged_in(p, email, name="Voter", source="127.0.0.1"):
    """A client logged in as a new verified account (porchd users add)."""
    return harness.logged_in(p, email, name, client=Client, source=source)


def db(p):
    con = sqlite3.connect(p.db, timeout=10)
    con.execute("PRAGMA busy_timeout = 10000")
    return con


def counts(p, items):
    r = p.get("/api/votes/counts?items=" + ",".join(items))
    j = r.json() or {}
    return r, j.get("counts", {})


# ---- votes ----

def test_votes(p):
    a = logged_in(p, "ann@example.com", "Ann")
    b = logged_in(p, "bob@example.com", "Bob")
    if not check("votes: two verified accounts log in", a and b):
        return
    r = a.vote(ITEM)
    j = r.json() or {}
    check("votes: a vote answers 200 {item, count: 1, voted: true}",
          r.status == 200 and j == {"item": ITEM, "count": 1, "voted": True},
          r)
    r = b.vote(ITEM)
    check("votes: a second account makes the count 2",
          r.status == 200 and (r.json() or {}).get("count") == 2, r)
    r, c = counts(p, [ITEM, OTHER])
    check("votes: GET /votes/counts gives every count of the page",
          r.status == 200 and c == {ITEM: 2, OTHER: 0}, r)
    check("votes: counts are cacheable for 5 s",
          r.header("Cache-Control") == "public, max-age=5", r.headers)
    r = a.get("/votes/mine")
    check("votes: GET /votes/mine lists the account's votes, no-store",
          r.status == 200 and (r.json() or {}).get("items") == [ITEM] and
          r.header("Cache-Control") == "no-store", r)
    r = a.vote(ITEM, False)
    check("votes: taking a vote back answers voted false, count 1",
          r.status == 200 and (r.json() or {}).get("voted") is False and
          (r.json() or {}).get("count") == 1, r)
    r = a.vote(ITEM, False)
    check("votes: taking it back twice changes nothing",
          r.status == 200 and (r.json() or {}).get("count") == 1, r)
    r = a.get("/votes/mine")
    check("votes: mine is empty after taking the vote back",
          (r.json() or {}).get("items") == [], r)
    a.vote(ITEM, True)

    anon = Client(p)
    r = anon.vote(ITEM)
    check("votes: anonymous vote is 401",
          r.status == 401 and (r.json() or {}).get("error") ==
          "unauthenticated", r)
    r = a.vote("no-such-item")
    check("votes: unknown item is 400 unknown_item",
          r.status == 400 and (r.json() or {}).get("error") ==
          "unknown_item", r)
    r = a.vote("../../etc/passwd")
    check("votes: a path as item id is 400 unknown_item",
          r.status == 400 and (r.json() or {}).get("error") ==
          "unknown_item", r)
    r = a.vote(SHIPPED)
    check("votes: a shipped item cannot be voted on (409)",
          r.status == 409 and (r.json() or {}).get("error") == "shipped", r)
    r = a.post("/votes", {"item": ITEM, "vote": "yes"})
    check("votes: vote must be true or false (400)", r.status == 400, r)
    csrf, a.csrf = a.csrf, None
    r = a.vote(OTHER)
    a.csrf = csrf
    check("votes: without the CSRF token 403", r.status == 403 and
          (r.json() or {}).get("error") == "csrf", r)
    r = p.get("/api/votes/counts?items=a,b%2Fc")
    check("votes: counts refuses malformed ids (400)", r.status == 400, r)

    u = logged_in(p, "una@example.com", "Una")
    con = db(p)
    con.execute("UPDATE users SET verified_at = NULL WHERE email = ?",
                ("una@example.com",))
    con.commit()
    con.close()
    r = u.vote(ITEM)
    check("votes: an unverified account gets 403 unverified",
          r.status == 403 and (r.json() or {}).get("error") == "unverified",
          r)

    # 1,000 identical votes store one row
    d = logged_in(p, "dee@example.com", "Dee")
    statuses = set()
    for _ in range(1000):
        statuses.add(d.vote(OTHER).status)
    con = db(p)
    rows = con.execute("SELECT COUNT(*) FROM votes WHERE item = ? AND "
                       "user_id = (SELECT id FROM users WHERE email = ?)",
                       (OTHER, "dee@example.com")).fetchone()[0]
    events = con.execute("SELECT COUNT(*) FROM vote_events WHERE item = ?",
                         (OTHER,)).fetchone()[0]
    con.close()
    check("votes: 1,000 identical votes all answer 200",
          statuses == {200}, statuses)
    check("votes: 1,000 identical votes store one row and one event",
          rows == 1 and events == 1, rows, events)
    r, c = counts(p, [OTHER])
    check("votes: and count once", c.get(OTHER) == 1, c)

    # stored counts equal the cache after everything above
    con = db(p)
    stored = dict(con.execute("SELECT item, COUNT(*) FROM votes GROUP BY "
                              "item").fetchall())
    net = dict(con.execute("SELECT item, SUM(delta) FROM vote_events GROUP "
                           "BY item").fetchall())
    con.close()
    r, c = counts(p, [ITEM, OTHER])
    check("votes: counts equal the stored votes and the sum of events",
          c == {ITEM: stored.get(ITEM, 0), OTHER: stored.get(OTHER, 0)} and
          stored == net, c, stored, net)


def test_vote_limits(sink):
    """A server with small limits: per account, then per address."""
    q = harness.Porchd(args=["--vote-limit", "5", "--vote-burst", "5",
                             "--rate-limit", "1000000", "--rate-burst",
                             "1000000"])
    q.start()
    try:
        a = logged_in(q, "lim@example.com")
        st = [a.vote(ITEM, i % 2 == 0).status for i in range(8)]
        check("votes: the per-account limit gives 429 after the burst",
              st[:5] == [200] * 5 and 429 in st[5:], st)
        r = a.vote(ITEM)
        check("votes: 429 carries Retry-After",
              r.status == 429 and r.header("Retry-After") is not None, r)
        b = logged_in(q, "lim2@example.com")
        check("votes: another account still votes",
              b.vote(ITEM).status == 200)
        r, c = counts(q, [ITEM])
        con = db(q)
        stored = con.execute("SELECT COUNT(*) FROM votes WHERE item = ?",
                             (ITEM,)).fetchone()[0]
        con.close()
        check("votes: refused votes stored nothing (counts = rows)",
              c.get(ITEM) == stored, c, stored)
    finally:
        q.stop()
        q.kill()
    q = harness.Porchd(args=["--rate-limit", "60", "--rate-burst", "10"])
    q.start()
    try:
        st = []
        for i in range(14):
            r = q.request("POST", "/api/feedback", json.dumps({
                "page": "/docs/", "helpful": True,
                "client": "client-%08d" % i}).encode(),
                {"Content-Type": "application/json"})
            st.append(r.status)
        check("feedback: the per-IP limit gives 429",
              429 in st and st[0] != 429, st)
        r = q.request("POST", "/api/search/miss",
                      json.dumps({"query": "tape drive"}).encode(),
                      {"Content-Type": "application/json"})
        check("search miss: shares the per-IP write limit (429)",
              r.status == 429, r)
        a = logged_in(q, "ipl@example.com", source="127.0.0.2")
        st = [a.vote(ITEM, i % 2 == 0).status for i in range(14)] if a \
            else []
        check("votes: the per-IP limit applies to votes too (429)",
              429 in st, st)
    finally:
        q.stop()
        q.kill()


# ---- feedback ----

def test_feedback(p):
    cat = json.load(open(os.path.join(p.site, "catalog.json")))
    pages = [a["id"] for a in cat["articles"] if a.get("section") == "faq"]
    page = pages[0] if pages else cat["articles"][0]["id"]
    c = Client(p)
    r = c.post("/feedback", {"page": page, "helpful": False,
                             "comment": "  Did not cover ReFS.  ",
                             "client": "browser-one-1234"})
    check("feedback: an anonymous answer is recorded",
          r.status == 200 and (r.json() or {}).get("status") == "recorded",
          r)
    r = c.post("/feedback", {"page": page, "helpful": True,
                             "client": "browser-one-1234"})
    check("feedback: a second answer of the same browser is 200", r.status ==
          200, r)
    c.post("/feedback", {"page": page, "helpful": False,
                         "comment": "=HYPERLINK(\"http://evil\")",
                         "client": "browser-two-5678"})
    con = db(p)
    rows = con.execute("SELECT client, helpful, comment FROM feedback WHERE "
                       "page = ? ORDER BY client", (page,)).fetchall()
    con.close()
    check("feedback: one answer per page and browser (the later replaces)",
          len(rows) == 2 and rows[0][0] == "browser-one-1234" and
          rows[0][1] == 1 and rows[0][2] == "", rows)
    r = c.post("/feedback", {"page": "/no/such/page/", "helpful": True,
                             "client": "browser-one-1234"})
    j = r.json() or {}
    check("feedback: an unknown page is 400 invalid_fields naming page",
          r.status == 400 and "page" in j.get("fields", {}), r)
    r = c.post("/feedback", {"page": page, "helpful": True,
                             "comment": "x" * 1001,
                             "client": "browser-one-1234"})
    check("feedback: a comment over 1,000 bytes is 400",
          r.status == 400 and "comment" in (r.json() or {}).get("fields", {}),
          r)
    r = c.post("/feedback", {"page": page, "helpful": "no",
                             "client": "x"})
    j = r.json() or {}
    check("feedback: helpful and client are checked",
          r.status == 400 and "helpful" in j.get("fields", {}) and
          "client" in j.get("fields", {}), r)
    r = p.request("POST", "/api/feedback", b"page=/docs/&helpful=1",
                  {"Content-Type": "application/x-www-form-urlencoded"})
    check("feedback: a form post (what a cross-site page can send) is 415",
          r.status == 415, r)
    return page


# ---- search misses ----

def test_search_miss(p):
    def miss(q):
        return p.request("POST", "/api/search/miss",
                         json.dumps({"query": q}).encode(),
                         {"Content-Type": "application/json"})
    r = miss("  Tape   DRIVE\tsupport ")
    check("search miss: 204", r.status == 204, r)
    miss("tape drive support")
    miss("call me at +1 555 123 4567")
    miss("ann.lee@example.com restore")
    miss("x")
    r = miss("4111 1111 1111 1111")
    check("search miss: a card-like number still answers 204", r.status ==
          204, r)
    miss("q" * 300)
    con = db(p)
    rows = dict(con.execute("SELECT query, count FROM search_misses")
                .fetchall())
    con.close()
    check("search miss: trimmed, spaces collapsed, lower case, counted",
          rows.get("tape drive support") == 2, rows)
    check("search miss: e-mail addresses and long numbers are not stored",
          not any("@" in q or "555" in q or "4111" in q for q in rows), rows)
    check("search miss: one-letter queries are not stored", "x" not in rows,
          rows)
    check("search miss: long queries are cut to 100 bytes",
          "q" * 100 in rows, [len(k) for k in rows])
    r = p.request("POST", "/api/search/miss", b"{}",
                  {"Content-Type": "application/json"})
    check("search miss: no query is 400", r.status == 400, r)
    # the client's request: search.js posts JSON to data-miss
    base = open(os.path.join(p.site, "index.html"), encoding="utf-8").read()
    m = re.search(r'data-miss="([^"]+)"', base)
    check("search miss: the example site enables it (data-miss is the "
          "route)", m is not None and m.group(1) == "/api/search/miss",
          m and m.group(1))


# ---- shipping ----

def build(content, out, extra=()):
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                           ":detect_leaks=0").lstrip(":")
    return subprocess.run([harness.PORCH, "build", content, "-o", out, "-q"] +
                          list(extra), capture_output=True, text=True,
                          env=env)


def shipped_mails(sink):
    return [m for m in sink.messages()
            if m["msg"]["X-Porch-Kind"] == "shipped"]


def test_shipping(sink):
    work = harness.scratch()
    content = os.path.join(work, "content")
    shutil.copytree(os.path.join(harness.ROOT, "content"), content)
    site = os.path.join(work, "public")
    r = build(content, site)
    if not check("shipping: the example site builds", r.returncode == 0,
                 r.stderr):
        return
    q = harness.Porchd(site=site, args=[
        "--smtp-url", "smtp://127.0.0.1:%d" % sink.port,
        "--mail-from", "Skylark Help <help@skylark.test>",
        "--public-url", "http://portal.test",
        "--rate-limit", "1000000", "--rate-burst", "1000000"])
    q.start()
    try:
        con = db(q)
        pre = con.execute("SELECT item, mails FROM shipped ORDER BY item") \
            .fetchall()
        con.close()
        check("shipping: items shipped before the first catalog are noted "
              "without mail", len(pre) == 4 and all(m == 0 for _, m in pre),
              pre)
        voters = ["v1@example.com", "v2@example.com", "both@example.com"]
        clients = [logged_in(q, e, "Voter %d" % i)
                   for i, e in enumerate(voters)]
        other = logged_in(q, "other@example.com", "Other")
        ok = all(clients) and other
        if not check("shipping: voters log in", ok):
            return
        for c in clients:
            c.vote(ITEM)
        other.vote(OTHER)
        leaver = logged_in(q, "leaver@example.com")
        leaver.vote(ITEM)
        leaver.vote(ITEM, False)
        # a customer whose ticket staff linked to the item (porchd tickets
        # link, when that exists; the row the ticket form makes otherwise),
        # and a voter who also has a linked ticket: one mail each
        now = int(time.time())
        con = db(q)
        for ref, email in (("SKY-9001", "cust@example.com"),
                           ("SKY-9002", "both@example.com")):
            con.execute("INSERT INTO tickets (ref, email, type, subject, "
                        "status, created_at, updated_at, context) VALUES "
                        "(?, ?, 'feature', 'Passkeys please', 'open', ?, ?,"
                        " '{}')", (ref, email, now, now))
        con.commit()
        con.close()
        for ref in ("SKY-9001", "SKY-9002"):
            lk = subprocess.run([harness.PORCHD, "tickets", "--db", q.db,
                                 "link", ref, ITEM], capture_output=True,
                                text=True)
            if lk.returncode != 0:
                con = db(q)
                con.execute("UPDATE tickets SET roadmap_id = ? WHERE ref = ?",
                            (ITEM, ref))
                con.commit()
                con.close()
        before = len(sink.messages())

        with open(os.path.join(content, "changelog", "4.3.0.md"), "w") as f:
            f.write("---\ntitle: Skylark 4.3\ndescription: Passkeys.\n"
                    "version: \"4.3.0\"\ndate: 2026-11-20\ntype: feature\n"
                    "ships: [%s]\n---\n\nSign in with a passkey.\n" % ITEM)
        r = build(content, site)
        check("shipping: the copy with ships: [%s] builds" % ITEM,
              r.returncode == 0, r.stderr)
        cat = json.load(open(os.path.join(site, "catalog.json")))
        it = [x for x in cat["roadmap"] if x["id"] == ITEM][0]
        check("shipping: catalog.json marks the item shipped in 4.3.0",
              it["status"] == "shipped" and
              it["shipped_in"]["version"] == "4.3.0", it)
        q.signal(signal.SIGHUP)
        want = {"v1@example.com", "v2@example.com", "both@example.com",
                "cust@example.com"}
        ms = sink.wait(lambda ms: len(shipped_mails(sink)) >= 4,
                       timeout=15)
        time.sleep(1.0)
        ms = shipped_mails(sink)
        rcpts = sorted(r for m in ms for r in m["rcpt_to"])
        check("shipping: exactly the voters and the linked ticket's "
              "customer get one mail each", rcpts == sorted(want), rcpts,
              q.log()[-800:])
        check("shipping: nobody else got mail meanwhile",
              len(sink.messages()) - before == len(want),
              len(sink.messages()) - before)
        m = ms[0] if ms else None
        if m is None:
            return
        subj = m["msg"]["Subject"]
        check("shipping: subject says what shipped in which version",
              subj == "What you asked for shipped in 4.3", subj)
        text = body_text(m)
        check("shipping: the mail links the changelog entry",
              "http://portal.test/changelog/4.3.0/" in text, text)
        lu = m["msg"]["List-Unsubscribe"] or ""
        check("shipping: List-Unsubscribe points at POST /api/unsubscribe",
              re.match(r"<http://portal\.test/api/unsubscribe\?token="
                       r"[0-9a-f]{64}>$", lu) is not None, lu)
        check("shipping: List-Unsubscribe-Post is one-click (RFC 8058)",
              m["msg"]["List-Unsubscribe-Post"] ==
              "List-Unsubscribe=One-Click")
        check("shipping: the body has the unsubscribe page link",
              UNSUB_RE.search(text) is not None, text)

        q.signal(signal.SIGHUP)
        time.sleep(2.0)
        check("shipping: a second SIGHUP sends nothing more",
              len(shipped_mails(sink)) == len(want), len(shipped_mails(sink)))
        con = db(q)
        row = con.execute("SELECT mails FROM shipped WHERE item = ?",
                          (ITEM,)).fetchone()
        con.close()
        check("shipping: the item is noted with its mail count",
              row == (4,), row)

        # one-click unsubscribe exactly as a mail program sends it
        by = {mm["rcpt_to"][0]: mm for mm in ms}
        lu = by["v1@example.com"]["msg"]["List-Unsubscribe"].strip("<>")
        u = urllib.parse.urlsplit(lu)
        r = q.request("POST", u.path + "?" + u.query,
                      b"List-Unsubscribe=One-Click",
                      {"Content-Type": "application/x-www-form-urlencoded"})
        check("unsubscribe: the one-click POST answers 200 unsubscribed",
              r.status == 200 and (r.json() or {}).get("status") ==
              "unsubscribed", r)
        tok = UNSUB_RE.search(body_text(by["v2@example.com"])).group(1)
        r = q.request("POST", "/api/unsubscribe",
                      json.dumps({"token": tok}).encode(),
                      {"Content-Type": "application/json"})
        check("unsubscribe: the page's JSON POST answers 200", r.status == 200,
              r)
        r = q.request("POST", "/api/unsubscribe",
                      json.dumps({"token": "0" * 64}).encode(),
                      {"Content-Type": "application/json"})
        check("unsubscribe: an unknown token is 400 invalid_token",
              r.status == 400 and (r.json() or {}).get("error") ==
              "invalid_token", r)
        con = db(q)
        un = sorted(x for (x,) in con.execute("SELECT email FROM "
                                              "unsubscribes"))
        con.close()
        check("unsubscribe: both addresses are unsubscribed", un ==
              ["v1@example.com", "v2@example.com"], un)

        # the next item ships: the unsubscribed voter gets nothing
        for c in clients:
            c.vote(OTHER)
        with open(os.path.join(content, "changelog", "4.4.0.md"), "w") as f:
            f.write("---\ntitle: Skylark 4.4\ndescription: Roles.\n"
                    "version: \"4.4.0\"\ndate: 2026-11-21\ntype: feature\n"
                    "ships: [%s]\n---\n\nCustom roles.\n" % OTHER)
        build(content, site)
        q.signal(signal.SIGHUP)
        sink.wait(lambda ms: len(shipped_mails(sink)) >= len(want) + 2, 15)
        time.sleep(1.0)
        new = sorted(r for m in shipped_mails(sink)[len(want):]
                     for r in m["rcpt_to"])
        check("shipping: unsubscribed addresses are skipped next time",
              new == ["both@example.com", "other@example.com"], new)
        r = clients[2].vote(ITEM)
        check("shipping: votes on the shipped item are closed (409)",
              r.status == 409, r)

        # a porchd restart with the same catalog sends nothing
        n = len(sink.messages())
        q.stop()
        q.start()
        time.sleep(1.5)
        check("shipping: a restart sends nothing more",
              len(sink.messages()) == n, len(sink.messages()) - n)
        test_reports(q, content, work)
    finally:
        q.stop()
        q.kill()


# ---- reports ----

def report(p, *args):
    return subprocess.run([harness.PORCHD, "report", "--db", p.db] +
                          list(args), capture_output=True, text=True)


def test_reports(q, content, work):
    con = db(q)
    now = int(time.time())
    con.execute("INSERT INTO tickets (ref, email, type, subject, status, "
                "created_at, updated_at, context) VALUES ('SKY-9100', "
                "'r@example.com', 'bug', 'Tape', 'new', ?, ?, ?)",
                (now, now, json.dumps({
                    "searches": ["Tape Drive", "restore tape"],
                    "suggestions_shown": ["/docs/", "/faq/"],
                    "suggestions_opened": ["/docs/"]})))
    con.execute("INSERT INTO tickets (ref, email, type, subject, status, "
                "created_at, updated_at, context) VALUES ('SKY-9101', "
                "'s@example.com', 'bug', 'Tape 2', 'new', ?, ?, ?)",
                (now, now, json.dumps({"searches": ["tape drive"],
                                       "suggestions_shown": ["/docs/"]})))
    con.execute("INSERT INTO search_misses VALUES ('=cmd|calc', 3, ?, ?)",
                (now, now))
    con.execute("INSERT INTO feedback (page, helpful, comment, client, "
                "created_at, updated_at) VALUES ('/docs/', 0, "
                "'-2+3 wrong | <b>', 'report-client-1', ?, ?)", (now, now))
    con.commit()
    con.close()

    r = report(q, "votes")
    check("report votes: text lists the items by votes",
          r.returncode == 0 and "item=" + OTHER in r.stdout, r.stdout,
          r.stderr)
    r = report(q, "votes", "--json")
    j = json.loads(r.stdout) if r.returncode == 0 else {}
    check("report votes --json: counts per item and a 30-day trend",
          j.get("counts", {}).get(OTHER) == 4 and
          any(d.get("added", 0) >= 1 for d in j.get("days", [])), j)
    r = report(q, "votes", "--since", "2000-01-01", "--csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    check("report votes --csv: a header and one row per item and day",
          r.returncode == 0 and rows and rows[0][:2] == ["section", "item"]
          and any(x[0] == "items" and x[1] == ITEM for x in rows[1:]), rows)
    r = report(q, "search-gaps", "--csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    check("report search-gaps --csv: formula cells get a leading '",
          any(x[1] == "'=cmd|calc" for x in rows[1:]), rows)
    check("report search-gaps: searches that ended in a ticket, counted "
          "per ticket", any(x[0] == "ended_in_ticket" and x[1] ==
                            "tape drive" and x[-1] == "2" for x in rows),
          rows)
    r = report(q, "feedback", "--json")
    j = json.loads(r.stdout) if r.returncode == 0 else {}
    pg = [x for x in j.get("pages", []) if x["page"] == "/docs/"]
    check("report feedback --json: the page, its yes/no and its comments",
          pg and pg[0]["no"] == 1 and "-2+3 wrong | <b>" in pg[0]["comments"],
          j)
    r = report(q, "feedback", "--csv")
    check("report feedback --csv: a comment starting with - is neutralised",
          "'-2+3 wrong" in r.stdout, r.stdout)
    r = report(q, "deflection", "--json")
    j = json.loads(r.stdout) if r.returncode == 0 else {}
    s = (j.get("summary") or [{}])[0]
    check("report deflection: tickets with suggestions shown and opened",
          s.get("with_suggestions") == 2 and s.get("opened_suggestion") == 1,
          j)
    check("report deflection: the self-service rate is computed",
          isinstance(s.get("self_service_pct"), (int, float)), s)
    r = report(q, "gaps", "--markdown")
    check("report gaps --markdown: a page with sections and to-do lines",
          r.returncode == 0 and r.stdout.startswith("---\ntitle:") and
          "## Searches that found nothing" in r.stdout and
          "- [ ] **=cmd\\|calc**" in r.stdout and
          "**tape drive**" in r.stdout, r.stdout)
    check("report gaps --markdown: customer text cannot make HTML",
          "<b>" not in r.stdout, r.stdout)
    r = report(q, "nonsense")
    check("report: an unknown report is a usage error (2)",
          r.returncode == 2, r.returncode)
    r = report(q, "votes", "--since", "yesterday")
    check("report: a bad --since is a usage error", r.returncode == 2)

    # the build-time counts: porch build --votes FILE
    vf = os.path.join(work, "votes.json")
    with open(vf, "w") as f:
        f.write(report(q, "votes", "--json").stdout)
    out = os.path.join(work, "public-votes")
    r = build(content, out, ["--votes", vf])
    page = ""
    if r.returncode == 0:
        with open(os.path.join(out, "roadmap", "index.html"),
                  encoding="utf-8") as f:
            page = f.read()
    check("porch build --votes: the roadmap page carries the exported "
          "counts", r.returncode == 0 and
          re.search(r'data-item="%s"[^>]*data-count="4"' % OTHER, page)
          is not None, r.stderr, page[:0])


def main():
    out = harness.scratch()
    sink = SmtpSink(os.path.join(out, "mail")).start()
    p = harness.Porchd(args=[
        "--smtp-url", "smtp://127.0.0.1:%d" % sink.port,
        "--public-url", "http://portal.test",
        "--vote-limit", "1000000", "--vote-burst", "1000000",
        "--rate-limit", "1000000", "--rate-burst", "1000000"])
    p.start()
    try:
        for t, arg in ((test_votes, p), (test_feedback, p),
                       (test_search_miss, p), (test_vote_limits, sink),
                       (test_shipping, sink)):
            t0 = time.monotonic()
            try:
                t(arg)
            except Exception as e:      # one broken test must not hide
                import traceback
                fail_("votes: %s raised %r" % (t.__name__, e),
                      traceback.format_exc(), p.log()[-1500:])
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
