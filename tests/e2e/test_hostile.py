"""The hostile-input tour of tickets, votes and feedback (issue 9), with the
real porchd on loopback, a temporary SQLite database, a real SMTP receiver
(smtp_sink.py), a real webhook receiver (webhook_sink.py) and the real
staff command lines (`porchd tickets`, `porchd report`).

- stored XSS and friends: every text field of a ticket, a comment, the
  name given at sign-up and a feedback comment hold script tags, broken
  attributes, javascript: URLs, template syntax, an RTL override and
  terminal escapes.  The JSON API gives them back as data, staff mails
  escape them in HTML and keep them in text, no mail header is injected,
  the webhook carries them as JSON, the staff terminal never receives an
  escape sequence, CSV exports never start a cell with a formula;
- SQL injection strings in ticket fields, search-miss queries and vote
  item ids: stored verbatim or refused 400, the schema intact;
- path traversal and other people's files on the attachment route;
- CSRF from another origin on the ticket, comment and vote routes.
(The browser half, textContent and the login next=, is
tests/browser/hostile.test.js.)
"""
import csv
import html.parser
import io
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, fail_  # noqa: E402
from harness import PASSWORD, count, db, wait_mail  # noqa: E402
from harness import TicketClient as Client  # noqa: E402
from smtp_sink import SmtpSink, body_text  # noqa: E402
from webhook_sink import WebhookSink  # noqa: E402

SECRET = "hostile webhook secret"
STAFF = "staff@skylark.test"
TOKEN_RE = re.compile(r"token=([0-9a-f]{64})")
ITEM = "passkeys"           # a planned roadmap item of content/

XSS = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "javascript:alert(document.cookie)",
    "{{7*7}} ${7*7} <%= 7*7 %> {% raw %}",
    "invoice\u202egpj.exe\u202c and \u2066isolate\u2069",
    "bell\x07 back\x08 esc\x1b[2J\x1b]0;owned\x07 csi\u009b31m del\x7f",
]
# ticket fields refuse C0 controls (but a textarea's newline and tab):
# the hostile ticket carries everything else, the name the controls
TITLE = "<script>alert(1)</script>\"><img src=x onerror=alert(1)> " \
        "{{7*7}} \u202eevil \u009b31m"
BODY = "\n".join(XSS[:5]) + "\n\ttabbed\nthe end"
NAME = "Eve <img src=x onerror=alert(1)> \x1b]0;t\x07"
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]
SQLI = ["'; DROP TABLE tickets; --", "1' OR '1'='1",
        "Robert'); DROP TABLE users;--", "\" OR \"\"=\"", "%' AND 1=0 UNION "
        "SELECT password_hash, 1, 1 FROM users --"]
# what a terminal acts on: C0 controls but LF and TAB, DEL, C1 controls
# (as UTF-8), the bidirectional overrides and isolates
TTY_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u200e\u200f"
                     "\u202a-\u202e\u2066-\u2069]")


def login(p, email, name="Customer"):
    return harness.logged_in(p, email, name, client=Client)


def cli(p, *args):
    """`porchd ARGS` on p's database; stdout as bytes (what reaches the
    terminal), exit status."""
    r = subprocess.run([harness.PORCHD] + list(args[:1]) +
                       ["--db", p.db] + list(args[1:]),
                       capture_output=True)
    return r


def tickets_cli(p, *args):
    return cli(p, "tickets", "--site", p.site, "--public-url",
               "http://portal.test", "--attachments-dir",
               os.path.join(p.dir, "att"), *args)


class Tags(html.parser.HTMLParser):
    """Every start tag and every attribute name of an HTML text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.attrs = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [a for a, _ in attrs]

    def handle_data(self, data):
        self.text += data


def html_ok(h):
    """(no script/img/iframe element and no on* attribute, the text)."""
    t = Tags()
    t.feed(h)
    bad = [x for x in t.tags if x in ("script", "img", "iframe", "svg")]
    bad += [a for a in t.attrs if a.lower().startswith("on")]
    return not bad, t.text, bad


def is_api_json(r):
    return ((r.header("Content-Type") or "").startswith("application/json")
            and r.header("X-Content-Type-Options") == "nosniff")


# ---- stored XSS: tickets, comments, the name, feedback ----

def test_xss(p, sink, hooks, ctx):
    # the name is typed at sign-up, by the customer: the real sign-up
    eve = Client(p)
    r = eve.post("/auth/signup", {"email": "eve@example.com", "name": NAME})
    ms = wait_mail(sink, "eve@example.com", "verify")
    tok = ms and TOKEN_RE.search(body_text(ms[-1]))
    r = eve.post("/auth/verify", {"token": tok and tok.group(1),
                                  "password": PASSWORD})
    if not check("hostile: sign-up with a hostile name is accepted",
                 r.status == 200, r):
        return
    ctx["eve"] = eve
    r = eve.get("/auth/me")
    check("hostile: /auth/me gives the name back as data (exact text, JSON, "
          "nosniff)", (r.json() or {}).get("user", {}).get("name") == NAME
          and is_api_json(r), r)
    fields = {"subject": TITLE, "email": "eve@example.com",
              "platform": "Linux", "distribution": "Debian",
              "description": BODY}
    bad = eve.submit("bug", dict(fields, subject="esc \x1b[2J bell \x07",
                                 description=BODY + XSS[5]))
    check("hostile: C0 control characters in ticket fields are refused 400 "
          "naming each field", bad.status == 400 and
          {"subject", "description"} <= set((bad.json() or {}).get(
              "fields", {})), bad)
    r = eve.submit("bug", fields, source_url="javascript:alert(1)",
                   context={"searches": XSS[:2]})
    t = (r.json() or {}).get("ticket", {})
    if not check("hostile: a ticket whose every field is hostile -> 201",
                 r.status == 201, r):
        return
    ref = ctx["ref"] = t["ref"]
    r = eve.get("/tickets/" + ref)
    t = (r.json() or {}).get("ticket", {})
    check("hostile: GET /tickets/REF gives every field back as exact text "
          "(application/json, nosniff)",
          t.get("subject") == TITLE and
          t.get("fields", {}).get("description") == BODY and is_api_json(r),
          r)
    r = eve.get("/tickets")
    check("hostile: GET /tickets lists the subject as exact text",
          [x.get("subject") for x in (r.json() or {}).get("tickets", [])]
          == [TITLE] and is_api_json(r), r)
    r = eve.post("/tickets/%s/comments" % ref, {"body": BODY})
    check("hostile: a hostile comment -> 201, its body exact",
          r.status == 201 and (r.json() or {}).get("event", {}).get("body")
          == BODY, r)
    with db(p) as c:
        row = c.execute("SELECT subject, source_url FROM tickets WHERE "
                        "ref = ?", (ref,)).fetchone()
    check("hostile: stored as sent (no half-escaped copy in the database)",
          row and row["subject"] == TITLE, row and dict(row))

    # staff mails: the new ticket and the comment
    for kind in ("ticket-staff-new", "ticket-staff-comment"):
        ms = wait_mail(sink, STAFF, kind, ref)
        if not check("hostile: staff mail %s arrives" % kind, len(ms) == 1,
                     [(m["msg"]["X-Porch-Kind"], m["rcpt_to"])
                      for m in sink.messages()]):
            continue
        m = ms[0]["msg"]
        h = m.get_body(preferencelist=("html",))
        plain = m.get_body(preferencelist=("plain",)).get_content()
        if h is not None:
            ok, text, bad = html_ok(h.get_content())
            check("hostile: %s: the HTML part has no element or handler "
                  "from the customer (script, img, onerror=)" % kind, ok and
                  "<script" not in h.get_content(), bad)
            check("hostile: %s: the HTML part shows the payloads as text"
                  % kind, "<script>alert(1)</script>" in text and
                  "onerror=alert(1)>" in text, text[-600:])
        check("hostile: %s: the text part has the payloads intact" % kind,
              XSS[0] in plain and XSS[1] in plain and XSS[3] in plain,
              plain[-800:])
        raw = ms[0]["raw"]
        head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else \
            raw.split(b"\n\n", 1)[0]
        check("hostile: %s: headers are 7-bit, no raw ESC or newline from "
              "the title or name" % kind, b"\x1b" not in head and
              all(b < 0x80 for b in head) and
              not re.search(rb"(?im)^(bcc|x-evil):", head),
              head.decode("latin-1")[-600:])

    # header injection through the subject: refused, or kept on one line
    r = eve.submit("question", {"subject": "Hi\r\nBcc: victim@evil.example"
                                "\r\nX-Evil: 1",
                                "description": "header injection"})
    if r.status == 201:
        href = r.json()["ticket"]["ref"]
        ms = wait_mail(sink, STAFF, "ticket-staff-new", href)
        head = ms[0]["raw"].split(b"\r\n\r\n", 1)[0] if ms else b""
        check("hostile: CRLF in a title injects no mail header (no Bcc, no "
              "X-Evil, no other recipient)", ms and not re.search(
                  rb"(?im)^(bcc|x-evil):", head) and
              all(m["rcpt_to"] == [STAFF] for m in ms), head)
    else:
        check("hostile: CRLF in a title is refused 400 with the field",
              r.status == 400 and "subject" in (r.json() or {}).get(
                  "fields", {}), r)
    everyone = [x for m in sink.messages() for x in m["rcpt_to"]]
    check("hostile: no mail ever went to an injected address",
          "victim@evil.example" not in everyone, everyone)

    # the webhook: valid JSON with the exact text
    hs = hooks.wait(lambda hs: [h for h in hs if h["json"] and
                                h["json"]["ticket"]["ref"] == ref])
    hs = [h for h in hs if h["json"] and h["json"]["ticket"]["ref"] == ref]
    check("hostile: the webhook body is valid JSON with the exact title and "
          "description", hs and hs[0]["json"]["ticket"]["fields"]["subject"]
          == TITLE and hs[0]["json"]["ticket"]["fields"]["description"] ==
          BODY and hs[0]["signed_ok"], [h["body"][:300] for h in hs])

    # feedback comments
    cat = json.load(open(os.path.join(p.site, "catalog.json")))
    page = cat["articles"][0]["id"]
    comment = "=1+1 <script>alert(1)</script> \x1b[2J"
    r = Client(p).post("/feedback", {"page": page, "helpful": False,
                                     "comment": comment,
                                     "client": "hostile-browser-1"})
    if r.status == 200:
        with db(p) as c:
            got = c.execute("SELECT comment FROM feedback WHERE client = ?",
                            ("hostile-browser-1",)).fetchone()
        check("hostile: a hostile feedback comment is stored as plain text "
              "(exact, its control characters made spaces)",
              got and got[0] == comment.replace("\x1b", " "), got and got[0])
    else:
        check("hostile: a feedback comment with control characters is "
              "refused 400 naming comment", r.status == 400 and "comment" in
              (r.json() or {}).get("fields", {}), r)
        Client(p).post("/feedback", {"page": page, "helpful": False,
                                     "comment": "=1+1 <script>x</script>",
                                     "client": "hostile-browser-1"})


def test_terminal(p, sink, hooks, ctx):
    ref = ctx.get("ref")
    if not ref:
        return fail_("hostile: no ticket to show (an earlier test failed)")
    for args in (("show", ref), ("list",), ("list", "--status", "new")):
        r = tickets_cli(p, *args)
        out = r.stdout.decode("utf-8", "replace")
        check("hostile: `porchd tickets %s` sends no escape, C1 or bidi "
              "control to the terminal" % " ".join(args[:1] + args[2:]),
              r.returncode == 0 and b"\x1b" not in r.stdout and
              not TTY_BAD.search(out) and "<script>alert(1)</script>" in out,
              repr(r.stdout[-600:]), r.stderr[-300:])
    r = tickets_cli(p, "show", ref)
    out = r.stdout.decode()
    check("hostile: `porchd tickets show` shows the neutralised characters "
          "visibly (\\x1b and \\x07 of the name, \\u202e and \\u009b of "
          "the title)", "\\x1b]0;t\\x07" in out and "\\u202eevil" in out
          and "\\u009b31m" in out, out[:1500])
    check("hostile: `porchd tickets show` keeps the body's lines",
          "\nthe end\n" in out, out[-300:])
    r = cli(p, "users", "list")
    check("hostile: `porchd users list` shows the sign-up name with its "
          "escapes visible, none raw", r.returncode == 0 and
          b"\x1b" not in r.stdout and b"\x07" not in r.stdout and
          b"Eve <img src=x onerror=alert(1)> \\x1b]0;t\\x07" in r.stdout,
          r.stdout[-400:], r.stderr[-200:])
    r = cli(p, "report", "feedback")
    out = r.stdout.decode("utf-8", "replace")
    check("hostile: `porchd report feedback` (text) sends no escape to the "
          "terminal", r.returncode == 0 and not TTY_BAD.search(
              out.replace("\n", "")), repr(r.stdout[-400:]))


def cells_ok(rows):
    """The cells of a parsed CSV that a spreadsheet would run."""
    return [c for row in rows for c in row if c[:1] in ("=", "+", "-", "@",
                                                        "\t", "\r")]


def test_csv(p, sink, hooks, ctx):
    eve = ctx.get("eve")
    if eve is None:
        return fail_("hostile: no customer for the CSV tour")
    refused = []
    for f in FORMULAS:
        r = eve.submit("question", {"subject": f, "description": f +
                                    " and enough words to be long"})
        if r.status != 201:
            refused.append((f, r.status))
    check("hostile: formula-looking subjects are accepted (or refused 400: "
          "tab, CR)", all(s == 400 and f[:1] in "\t\r" for f, s in refused),
          refused)
    for q in ("=1+1 formula", "+cmd calc", "-2+3 minus", "@sum(a1) at"):
        Client(p).post("/search/miss", {"query": q})
    out = os.path.join(p.dir, "export.csv")
    with open(out, "wb") as fh:
        r = subprocess.run([harness.PORCHD, "tickets", "--db", p.db,
                            "--site", p.site, "export", "--csv"],
                           stdout=fh, stderr=subprocess.PIPE)
    rows = list(csv.reader(io.StringIO(open(out, newline="").read())))
    subj = [row[6] for row in rows[1:] if len(row) > 6]
    check("hostile: `porchd tickets export --csv` neutralises every formula "
          "cell (= + - @ tab CR) with a leading '",
          r.returncode == 0 and not cells_ok(rows) and
          "'" + FORMULAS[0] in subj and "'-2+3" in subj, cells_ok(rows),
          r.stderr)
    check("hostile: the export keeps the hostile text otherwise exact",
          TITLE in subj, subj[:3])
    for kind in ("search-gaps", "feedback"):
        out = os.path.join(p.dir, "report-%s.csv" % kind)
        with open(out, "wb") as fh:
            r = subprocess.run([harness.PORCHD, "report", "--db", p.db,
                                kind, "--csv"], stdout=fh,
                               stderr=subprocess.PIPE)
        rows = list(csv.reader(io.StringIO(open(out, newline="").read())))
        text = open(out).read()
        check("hostile: `porchd report %s --csv` has no formula cell" % kind,
              r.returncode == 0 and len(rows) > 1 and not cells_ok(rows) and
              "'=1+1" in text, cells_ok(rows), text[-400:])


# ---- SQL injection ----

TABLES = ("users", "sessions", "tickets", "outbox", "votes", "feedback")


def schema_ok(p):
    with db(p) as c:
        ic = c.execute("PRAGMA integrity_check").fetchone()[0]
        names = {r[0] for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    return ic == "ok" and all(t in names for t in TABLES), (ic, names)


def test_sqli(p, sink, hooks, ctx):
    eve = ctx.get("eve")
    if eve is None:
        return fail_("hostile: no customer for the SQL tour")
    users_before = count(p, "SELECT count(*) FROM users")
    refs = []
    for s in SQLI:
        r = eve.submit("question", {"subject": s[:150], "description":
                                    s + " -- padded to twenty"})
        refs.append((s, (r.json() or {}).get("ticket", {}).get("ref"),
                     r.status))
    with db(p) as c:
        got = [(s, c.execute("SELECT subject FROM tickets WHERE ref = ?",
                             (ref,)).fetchone()) for s, ref, _ in refs]
    check("hostile: SQL in ticket fields is stored verbatim",
          all(st == 201 for _, _, st in refs) and
          all(row and row[0] == s[:150] for s, row in got), refs, got)
    r = eve.get("/tickets/" + (refs[0][1] or "x"))
    check("hostile: and given back verbatim by the API",
          (r.json() or {}).get("ticket", {}).get("fields", {}).get(
              "description") == SQLI[0] + " -- padded to twenty", r)
    r = eve.get("/tickets/" + urlq("SKY-1001' OR '1'='1"))
    check("hostile: SQL in a ticket ref is 404, nobody's ticket",
          r.status in (400, 404) and b"SKY-" not in r.body, r)
    codes = []
    for s in SQLI:
        codes.append(Client(p).post("/search/miss", {"query": s}).status)
    with db(p) as c:
        qs = [r[0] for r in c.execute("SELECT * FROM sqlite_master WHERE "
                                      "name LIKE '%miss%'")]
    check("hostile: SQL in search-miss queries -> 204, schema intact",
          set(codes) <= {204} and qs, codes)
    voter = login(p, "voter.sqli@example.com", "Voter")
    vcodes = [voter.post("/votes", {"item": s, "vote": True}).status
              for s in [ITEM + "' OR 1=1 --", "x'); DELETE FROM votes; --"]]
    r = p.get("/api/votes/counts?items=" + urlq("passkeys' OR '1'='1"))
    check("hostile: SQL in vote item ids -> 400, nothing stored",
          vcodes == [400, 400] and r.status == 400 and
          count(p, "SELECT count(*) FROM votes") == 0, vcodes, r)
    ok, why = schema_ok(p)
    check("hostile: after the SQL tour PRAGMA integrity_check is ok and "
          "every table exists", ok, why)
    check("hostile: no account appeared or vanished",
          count(p, "SELECT count(*) FROM users") == users_before + 1)


def urlq(s):
    return __import__("urllib.parse").parse.quote(s, safe="")


# ---- attachments: traversal, other people's files ----

ZIP = (b"PK\x03\x04\x14\x00\x00\x00\x00\x00" + b"\x00" * 20 +
       b"logs/agent.log" + b"PK\x05\x06" + b"\x00" * 18)
CANARY = b"CANARY-outside-the-attachments-folder\n"


def upload(c, text):
    r = c.multipart("/tickets", {"type": "bug", "fields.subject": text,
                                 "fields.email": "x@example.com",
                                 "fields.platform": "Windows",
                                 "fields.description": "logs attached "
                                 "for the traversal tour, long enough to "
                                 "pass"},
                    [("log_bundle", "logs.zip", ZIP)])
    t = (r.json() or {}).get("ticket", {})
    return t.get("ref"), [a["id"] for a in t.get("attachments", [])], r


def test_traversal(p, sink, hooks, ctx):
    eve = ctx.get("eve")
    mal = login(p, "mallory@example.com", "Mallory")
    if eve is None or mal is None:
        return fail_("hostile: no customers for the traversal tour")
    with open(os.path.join(p.dir, "canary.txt"), "wb") as f:
        f.write(CANARY)
    eref, eids, r = upload(eve, "Eve's logs")
    mref, mids, r2 = upload(mal, "Mallory's logs")
    if not check("hostile: two customers each upload a file",
                 eids and mids, r, r2):
        return
    r = eve.get("/tickets/%s/attachments/%d" % (eref, eids[0]))
    check("hostile: the owner gets her own file", r.status == 200 and
          r.body == ZIP, r)
    att = os.path.join(p.dir, "att")
    stored = sorted(os.listdir(att))
    tries = [
        "/tickets/%s/attachments/../../canary.txt" % eref,
        "/tickets/%s/attachments/..%%2f..%%2fcanary.txt" % eref,
        "/tickets/%s/attachments/%%2e%%2e%%2f%%2e%%2e%%2fcanary.txt" % eref,
        "/tickets/%s/attachments/%%2e%%2e/%%2e%%2e/canary.txt" % eref,
        "/tickets/%s/attachments/..%%5c..%%5ccanary.txt" % eref,
        "/tickets/%s/attachments/%d%%00.zip" % (eref, eids[0]),
        "/tickets/%s/attachments/%d%%2f..%%2f..%%2fcanary.txt" % (eref,
                                                                  eids[0]),
        "/tickets/%s/attachments/%%2fetc%%2fpasswd" % eref,
        "/tickets/%s/attachments//etc/passwd" % eref,
        "/tickets/%s/attachments/%s" % (eref, stored[0]),
        "/tickets/%s/attachments/-1" % eref,
        "/tickets/%s/attachments/99999999999999999999999" % eref,
        "/tickets/..%%2f..%%2f/attachments/%d" % eids[0],
        "/tickets/%s/attachments/%d" % (eref, mids[0]),   # another ticket's
        "/tickets/%s/attachments/%d" % (mref, mids[0]),   # another customer's
    ]
    leaks = []
    for path in tries:
        r = eve.get(path)
        if r.status not in (400, 404) or CANARY in r.body or \
                b"root:" in r.body or r.body == ZIP or \
                not (r.json() or {}).get("error"):
            leaks.append((path, r.status, r.body[:80]))
    check("hostile: %d traversal and foreign-id paths on the attachment "
          "route -> 400/404 JSON, no file" % len(tries), not leaks, leaks)
    r = Client(p).get("/tickets/%s/attachments/%d?key=%s" % (
        mref, mids[0], "../" * 4 + "canary.txt"))
    r2 = Client(p).get("/tickets/%s/attachments/%d?key=%s" % (
        mref, mids[0], "%00"))
    check("hostile: a hostile staff key -> 404, no file",
          r.status == 404 and r2.status == 404 and r.body != ZIP, r, r2)
    raw = p.raw(("GET /api/tickets/%s/attachments/%d/../../../canary.txt "
                 "HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: porch_session=%s"
                 "\r\n\r\n" % (eref, eids[0], eve.cookie)).encode())
    check("hostile: a raw ../ in the request line never reaches a file",
          CANARY not in raw and ZIP not in raw and raw[:12] in (
              b"HTTP/1.1 400", b"HTTP/1.1 404"), raw[:200])
    check("hostile: the attachments folder holds only server-made names",
          all(re.fullmatch(r"[0-9a-f]{32}", f) for f in os.listdir(att)),
          os.listdir(att))


# ---- CSRF from another origin ----

def test_csrf(p, sink, hooks, ctx):
    eve = ctx.get("eve")
    ref = ctx.get("ref")
    if eve is None or ref is None:
        return fail_("hostile: no customer for the CSRF tour")
    voter = login(p, "csrf.voter@example.com", "Voter")
    before = (count(p, "SELECT count(*) FROM tickets"),
              count(p, "SELECT count(*) FROM ticket_events"),
              count(p, "SELECT count(*) FROM votes"))
    evil = [{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
            {"Origin": "https://evil.example"},
            {"Sec-Fetch-Site": "cross-site"},
            {"Referer": "https://evil.example/page"}]
    res = []
    for h in evil:
        for c, path, body in (
                (eve, "/tickets", {"type": "question", "fields": {
                    "subject": "csrf", "description": "from evil"}}),
                (eve, "/tickets/%s/comments" % ref, {"body": "from evil"}),
                (eve, "/tickets/%s/close" % ref, {}),
                (voter, "/votes", {"item": ITEM, "vote": True})):
            for token in (True, False):
                r = c.post(path, body, headers=h, csrf=token)
                res.append((sorted(h), path, token, r.status,
                            (r.json() or {}).get("error")))
    bad = [x for x in res if x[3] != 403 or x[4] != "csrf"]
    check("hostile: %d cross-site posts to tickets, comments, close and "
          "votes (with or without the token) -> 403 csrf" % len(res),
          not bad, bad)
    after = (count(p, "SELECT count(*) FROM tickets"),
             count(p, "SELECT count(*) FROM ticket_events"),
             count(p, "SELECT count(*) FROM votes"))
    with db(p) as c:
        st = c.execute("SELECT status FROM tickets WHERE ref = ?",
                       (ref,)).fetchone()[0]
    check("hostile: and nothing was stored or changed (tickets, events, "
          "votes, status)", before == after and st != "closed",
          before, after, st)


def main():
    out = harness.scratch()
    sink = SmtpSink(os.path.join(out, "mail")).start()
    hooks = WebhookSink(SECRET).start()
    p = harness.Porchd(args=[
        "--smtp-url", "smtp://127.0.0.1:%d" % sink.port,
        "--mail-from", "Skylark Help <help@skylark.test>",
        "--public-url", "http://portal.test",
        "--support-email", STAFF,
        "--webhook-url", hooks.url, "--webhook-secret", SECRET,
        "--ticket-limit", "1000000", "--ticket-burst", "1000",
        "--vote-limit", "1000000", "--vote-burst", "1000000",
        "--rate-limit", "1000000", "--rate-burst", "1000000"])
    p.args += ["--attachments-dir", os.path.join(p.dir, "att")]
    p.start()
    ctx = {}
    try:
        for t in (test_xss, test_terminal, test_csv, test_sqli,
                  test_traversal, test_csrf):
            t0 = time.monotonic()
            try:
                t(p, sink, hooks, ctx)
            except Exception as e:      # one broken test must not hide
                import traceback
                traceback.print_exc()
                fail_("hostile: %s raised %r" % (t.__name__, e),
                      p.log()[-1500:])
            sys.stderr.write("%s: %.1f s\n" % (t.__name__,
                                               time.monotonic() - t0))
        check("hostile: porchd is alive and /healthz ok after the tour",
              p.alive() and p.get("/healthz").status == 200, p.log()[-800:])
        check("hostile: porchd stops cleanly (status 0)", p.stop() == 0,
              p.log()[-800:])
    finally:
        if p.alive():
            p.stop()
        p.kill()
        sink.stop()
        hooks.stop()
    harness.done()


if __name__ == "__main__":
    main()
