"""End-to-end tests of porchd's server core: static files, dispatch, limits,
framing, CSRF and CORS, catalog reloads, operations.  Starts the real
porchd (see harness.py); one PASS/FAIL line per check."""
import gzip
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

from harness import (PORCHD, Porchd, check, done, fail_, parse_raw, pass_,
                     scratch)

SITE_ORIGIN = "https://help.skylark.example"    # content/site.lua base_url
EVIL = "https://evil.example"
H = b"Host: 127.0.0.1\r\n"


def json_error(r, status, code=None):
    """True if r is a JSON error answer {"error", "message"} with status."""
    j = r.json() if hasattr(r, "json") else None
    return (r.status == status and j is not None and
            isinstance(j.get("error"), str) and
            isinstance(j.get("message"), str) and
            (code is None or j["error"] == code) and
            (r.header("Content-Type") or "").startswith("application/json"))


def raw_json_error(data, status, code=None):
    st, hd, body = parse_raw(data)
    try:
        j = json.loads(body.decode())
    except ValueError:
        return False
    return (st == status and hd.get("content-type", "").startswith(
        "application/json") and (code is None or j.get("error") == code))


def static_checks(d):
    site = d.site
    r = d.get("/")
    with open(os.path.join(site, "index.html"), "rb") as f:
        index = f.read()
    check("static: / is index.html as text/html",
          r.status == 200 and r.body == index and
          r.header("Content-Type") == "text/html; charset=utf-8", r)
    csp = r.header("Content-Security-Policy") or ""
    check("static: html answers carry the site CSP and security headers",
          "script-src 'self' 'unsafe-inline'" in csp and
          "frame-ancestors 'none'" in csp and
          r.header("X-Content-Type-Options") == "nosniff" and
          r.header("X-Frame-Options") == "DENY" and
          r.header("Referrer-Policy") == "strict-origin-when-cross-origin" and
          r.header("Strict-Transport-Security") is None, r.headers)

    assets = sorted(os.listdir(os.path.join(site, "assets")))
    css = [a for a in assets if a.endswith(".css")][0]
    js = [a for a in assets if a.endswith(".js")][0]
    want = {
        "/assets/" + css: "text/css; charset=utf-8",
        "/assets/" + js: "text/javascript; charset=utf-8",
        "/images/logo.svg": "image/svg+xml; charset=utf-8",
        "/sitemap.xml": "application/xml; charset=utf-8",
        "/catalog.json": "application/json",
        "/robots.txt": "text/plain; charset=utf-8",
    }
    bad = []
    for path, ctype in want.items():
        r = d.get(path)
        if r.status != 200 or r.header("Content-Type") != ctype:
            bad.append((path, r.status, r.header("Content-Type")))
    check("static: content types by extension", not bad, bad)

    # a PNG and an unknown extension, added to the site
    with open(os.path.join(site, "images", "x.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
    with open(os.path.join(site, "data.bin"), "wb") as f:
        f.write(b"\0\1\2")
    check("static: png and unknown types",
          d.get("/images/x.png").header("Content-Type") == "image/png" and
          d.get("/data.bin").header("Content-Type") ==
          "application/octet-stream")

    path = "/assets/" + css
    with open(os.path.join(site, "assets", css), "rb") as f:
        plain = f.read()
    r = d.get(path, {"Accept-Encoding": "br, gzip;q=0.8"})
    ok = (r.status == 200 and r.header("Content-Encoding") == "gzip" and
          "Accept-Encoding" in (r.header("Vary") or ""))
    try:
        ok = ok and gzip.decompress(r.body) == plain
    except OSError:
        ok = False
    check("static: the .gz twin with Accept-Encoding: gzip", ok, r.headers)
    r2 = d.get(path)
    r3 = d.get(path, {"Accept-Encoding": "gzip;q=0, identity"})
    check("static: no gzip unless accepted (q=0 refuses)",
          r2.body == plain and r2.header("Content-Encoding") is None and
          r3.body == plain and r3.header("Content-Encoding") is None)

    check("static: fingerprinted assets are immutable for a year",
          r2.header("Cache-Control") ==
          "public, max-age=31536000, immutable", r2.header("Cache-Control"))
    r = d.get("/")
    check("static: pages get a short must-revalidate max-age",
          r.header("Cache-Control") == "public, max-age=60, must-revalidate",
          r.header("Cache-Control"))

    etag = r.header("ETag")
    r304 = d.get("/", {"If-None-Match": etag})
    check("static: If-None-Match gives 304 with no body",
          etag and r304.status == 304 and r304.body == b"" and
          r304.header("ETag") == etag, r304)
    lm = r.header("Last-Modified")
    r304b = d.get("/", {"If-Modified-Since": lm})
    rnew = d.get("/", {"If-None-Match": '"other"'})
    check("static: If-Modified-Since gives 304; a stale ETag gives 200",
          lm and r304b.status == 304 and rnew.status == 200, r304b.status,
          rnew.status)

    rh = d.request("HEAD", "/")
    check("static: HEAD has the headers and no body",
          rh.status == 200 and rh.body == b"" and
          rh.header("Content-Length") == str(len(index)) and
          rh.header("ETag") == etag, rh)

    r = d.get("/docs")
    r2 = d.get("/docs?x=1")
    check("static: a folder without '/' redirects (301) to its URL",
          r.status == 301 and r.header("Location") == "/docs/" and
          r2.header("Location") == "/docs/?x=1", r, r2.headers)
    r = d.get("/docs/")
    check("static: a folder serves its index.html",
          r.status == 200 and r.header("Content-Type").startswith(
              "text/html"))

    with open(os.path.join(site, "404.html"), "rb") as f:
        page404 = f.read()
    r = d.get("/no/such/page/")
    check("static: a missing page is the site's 404.html with status 404",
          r.status == 404 and r.body == page404 and
          r.header("Content-Type").startswith("text/html"), r.status)

    # traversal: all 4xx, never the file
    attempts = [b"/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd",
                b"/assets/../../etc/passwd", b"/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                b"/assets/..%2f..%2fetc/passwd", b"/..%5c..%5cetc%5cpasswd",
                b"/index.html%00.txt", b"//etc/passwd", b"/%2fetc/passwd",
                b"/.git/config", b"/%zz", b"/a%0d%0aSet-Cookie:x=1"]
    bad = []
    for a in attempts:
        out = d.raw(b"GET " + a + b" HTTP/1.1\r\n" + H +
                    b"Connection: close\r\n\r\n")
        st, hd, body = parse_raw(out)
        if not (400 <= st < 500) or b"root:" in body or \
                "set-cookie" in hd:
            bad.append((a, st))
    check("static: traversal, encoded dots, NUL and CRLF attempts are 4xx",
          not bad, bad)

    # symbolic links: inside the site yes, out of it never
    os.symlink("/etc/passwd", os.path.join(site, "leak.txt"))
    os.symlink("index.html", os.path.join(site, "home.html"))
    os.symlink("/etc", os.path.join(site, "etcdir"))
    r1 = d.get("/leak.txt")
    r2 = d.get("/home.html")
    r3 = d.get("/etcdir/passwd")
    check("static: symbolic links out of the site are 404, inside served",
          r1.status == 404 and b"root:" not in r1.body and
          r3.status == 404 and r2.status == 200 and r2.body == index,
          r1.status, r2.status, r3.status)

    with open(os.path.join(site, "empty.txt"), "wb") as f:
        pass
    big = os.urandom(3 * 1024 * 1024 + 7)
    with open(os.path.join(site, "big.bin"), "wb") as f:
        f.write(big)
    r1 = d.get("/empty.txt")
    r2 = d.get("/big.bin")
    check("static: an empty file and a 3 MB file arrive whole",
          r1.status == 200 and r1.body == b"" and r2.status == 200 and
          r2.body == big, r1.status, r2.status, len(r2.body))

    r = d.request("POST", "/index.html", b"x")
    check("static: POST to a page is 405 JSON with Allow",
          json_error(r, 405) and "GET" in (r.header("Allow") or ""), r)


def api_checks(d):
    r = d.get("/healthz")
    j = r.json() or {}
    check("healthz: 200 with db ok and the catalog version",
          r.status == 200 and j.get("status") == "ok" and
          j.get("db") == "ok" and j.get("catalog_version") == 1 and
          j.get("catalog", {}).get("articles", 0) > 0, r)
    check("api: JSON answers carry no-store, the API CSP and nosniff",
          r.header("Cache-Control") == "no-store" and
          r.header("Content-Security-Policy") ==
          "default-src 'none'; frame-ancestors 'none'" and
          r.header("X-Content-Type-Options") == "nosniff" and
          r.header("X-Frame-Options") == "DENY", r.headers)
    r2 = d.get("/api/healthz")
    check("healthz: also under the API prefix /api",
          r2.status == 200 and (r2.json() or {}).get("status") == "ok")

    r = d.get("/metrics")
    text = r.body.decode()
    line_re = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-z_]+="[^"]*"'
                         r'(,[a-z_]+="[^"]*")*\})? -?[0-9.eE+-]+$')
    bad = [ln for ln in text.splitlines()
           if ln and not ln.startswith("#") and not line_re.match(ln)]
    buckets = [float(m.group(1)) for m in re.finditer(
        r'porchd_request_duration_seconds_bucket\{le="[^"]+"\} (\S+)', text)]
    check("metrics: Prometheus text format, every sample line well formed",
          r.status == 200 and
          r.header("Content-Type").startswith("text/plain; version=0.0.4")
          and not bad and text.endswith("\n"), bad[:3])
    check("metrics: requests by route and class, histogram, gauges",
          re.search(r'porchd_requests_total\{method="GET",route="/healthz",'
                    r'status="2xx"\} [1-9]', text) is not None and
          buckets == sorted(buckets) and len(buckets) > 5 and
          "porchd_connections_open " in text and
          "porchd_uptime_seconds " in text and
          'porchd_catalog_reloads_total{result="ok"} 1' in text, text[:300])

    r = d.get("/api/no/such/endpoint")
    check("api: unknown route is 404 JSON", json_error(r, 404, "not_found"),
          r)
    r = d.request("POST", "/api/healthz", b"")
    check("api: wrong method is 405 JSON with Allow",
          json_error(r, 405) and "GET" in (r.header("Allow") or ""), r)
    r = d.request("DELETE", "/healthz")
    check("api: 405 at the top-level /healthz too", json_error(r, 405), r)

    # bodies and framing
    out = d.raw(b"POST /api/auth/login HTTP/1.1\r\n" + H +
                b"Content-Type: application/json\r\n"
                b"Content-Length: 2000000\r\n\r\n" + b"x" * 1000)
    check("limits: Content-Length over max_body is 413 JSON",
          raw_json_error(out, 413, "body_too_large"), out[:200])
    chunk = b"%x\r\n%s\r\n" % (256 * 1024, b"a" * 256 * 1024)
    out = d.raw(b"POST /api/auth/login HTTP/1.1\r\n" + H +
                b"Content-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + chunk * 6 +
                b"0\r\n\r\n", timeout=5)
    check("limits: a chunked body over max_body is 413 JSON",
          raw_json_error(out, 413, "body_too_large"), out[:200])
    out = d.raw(b"GET /healthz HTTP/1.1\r\n" + H + b"X-Big: " +
                b"a" * 20000 + b"\r\n\r\n")
    check("limits: headers over max_header are 431 JSON",
          raw_json_error(out, 431, "header_too_large"), out[:200])
    out = d.raw(b"GET /healthz HTTP/1.1\r\n" + H + b"X-Big: " +
                b"a" * 200000 + b"\r\n\r\n")
    check("limits: headers past the connection memory are 431 (MHD's own)",
          parse_raw(out)[0] == 431, out[:200])
    out = d.raw(b"POST /api/auth/login HTTP/1.1\r\n" + H +
                b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}")
    check("framing: two Content-Length headers are 400",
          raw_json_error(out, 400), out[:200])
    out = d.raw(b"POST /api/auth/login HTTP/1.1\r\n" + H +
                b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"0\r\n\r\n")
    check("framing: Content-Length with Transfer-Encoding is 400",
          raw_json_error(out, 400), out[:200])
    out = d.raw(b"POST /api/auth/login HTTP/1.1\r\n" + H +
                b"Content-Length : 5\r\n\r\nhello")
    check("framing: a header name with a space before the colon is 400",
          parse_raw(out)[0] == 400, out[:200])
    out = d.raw(b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
    check("framing: HTTP/1.1 without Host is 400 JSON",
          raw_json_error(out, 400), out[:200])

    # JSON bodies (the login route takes JSON)
    j = {"Content-Type": "application/json"}
    r = d.request("POST", "/api/auth/login", b'{"email": <script>"\x01',
                  j)
    body = r.json() or {}
    check("json: malformed JSON is 400 with the parser's message, escaped",
          json_error(r, 400, "bad_json") and "line 1" in body["message"]
          and b"<script>" not in r.body, r)
    r = d.request("POST", "/api/auth/login", b"[1, 2]", j)
    check("json: a body that is not an object is 400",
          json_error(r, 400, "bad_json"), r)
    r = d.request("POST", "/api/auth/login", b"[" * 100000, j)
    check("json: deeply nested JSON is 400, porchd lives",
          json_error(r, 400) and d.get("/healthz").status == 200, r)
    r = d.request("POST", "/api/auth/login", b'{"email":"a@b.c"}',
                  {"Content-Type": "text/plain"})
    check("json: another Content-Type is 415",
          json_error(r, 415), r)

    # CSRF on unsafe methods
    body = b'{"email": "x@example.com", "password": "wrong-password"}'
    r = d.request("POST", "/api/auth/login", body,
                  dict(j, **{"Sec-Fetch-Site": "cross-site"}))
    check("csrf: Sec-Fetch-Site: cross-site is 403 csrf",
          json_error(r, 403, "csrf"), r)
    r = d.request("POST", "/api/auth/login", body, dict(j, Origin=EVIL))
    check("csrf: a foreign Origin (no Sec-Fetch-Site) is 403 csrf",
          json_error(r, 403, "csrf"), r)
    r = d.request("POST", "/api/auth/login", body,
                  dict(j, Referer=EVIL + "/page"))
    check("csrf: a foreign Referer (no Origin) is 403 csrf",
          json_error(r, 403, "csrf"), r)
    r = d.request("POST", "/api/auth/login", body,
                  dict(j, **{"Sec-Fetch-Site": "same-site", "Origin": EVIL}))
    check("csrf: same-site from an origin not allowed is 403",
          json_error(r, 403, "csrf"), r)
    r1 = d.request("POST", "/api/auth/login", body,
                   dict(j, Origin=SITE_ORIGIN))
    r2 = d.request("POST", "/api/auth/login", body,
                   dict(j, Origin="http://127.0.0.1:%d" % d.port))
    r3 = d.request("POST", "/api/auth/login", body,
                   dict(j, **{"Sec-Fetch-Site": "same-origin"}))
    check("csrf: the site's origin, our own origin and same-origin pass",
          all(r.status != 403 and r.status != 415 for r in (r1, r2, r3)),
          r1, r2, r3)

    # CORS
    pre = {"Origin": SITE_ORIGIN, "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "content-type"}
    r = d.request("OPTIONS", "/api/auth/login", headers=pre)
    check("cors: preflight from an allowed origin is 204 with its headers",
          r.status == 204 and
          r.header("Access-Control-Allow-Origin") == SITE_ORIGIN and
          r.header("Access-Control-Allow-Credentials") == "true" and
          "POST" in (r.header("Access-Control-Allow-Methods") or "") and
          "Origin" in (r.header("Vary") or ""), r.headers)
    r = d.request("OPTIONS", "/api/auth/login", headers=dict(pre,
                                                              Origin=EVIL))
    check("cors: preflight from another origin is 403 without CORS headers",
          r.status == 403 and r.header("Access-Control-Allow-Origin") is None
          and r.header("Access-Control-Allow-Credentials") is None, r)
    r = d.request("OPTIONS", "/api/no/such", headers=pre)
    check("cors: preflight for a route that does not exist is 404",
          r.status == 404, r)
    r1 = d.get("/api/healthz", {"Origin": SITE_ORIGIN})
    r2 = d.get("/api/healthz", {"Origin": EVIL})
    r3 = d.get("/api/healthz", {"Origin": "null"})
    check("cors: exact origins only, never '*'",
          r1.header("Access-Control-Allow-Origin") == SITE_ORIGIN and
          r2.header("Access-Control-Allow-Origin") is None and
          r3.header("Access-Control-Allow-Origin") is None and
          all("*" not in (x.header("Access-Control-Allow-Origin") or "")
              for x in (r1, r2, r3)))

    # no secrets in the access log
    d.get("/api/auth/me?token=SECRETQUERY", {
        "Cookie": "porch_session=SECRETCOOKIE",
        "Authorization": "Bearer SECRETAUTH"})
    time.sleep(0.2)
    log = d.log()
    check("log: one line per request, without query, cookies or "
          "Authorization",
          re.search(r"127\.0\.0\.1 GET /api/auth/me \d{3} \d+ [\d.]+ms",
                    log) is not None and "SECRET" not in log,
          log[-500:])


def ratelimit_checks():
    d = Porchd(args=["--rate-burst", "3", "--rate-limit", "6"]).start()
    src = "127.0.0.3"
    statuses = []
    r = None
    for _ in range(8):
        r = d.request("POST", "/api/auth/logout", b"", source=src)
        statuses.append(r.status)
        if r.status == 429:
            break
    check("ratelimit: writes past the burst get 429 with Retry-After",
          r.status == 429 and json_error(r, 429, "rate_limited") and
          int(r.header("Retry-After") or "0") >= 1 and
          statuses[0] != 429, statuses)
    r = d.request("POST", "/api/auth/logout", b"", source="127.0.0.4")
    check("ratelimit: other addresses are not limited", r.status != 429, r)
    r = d.request("POST", "/api/auth/logout", b"",
                  {"Sec-Fetch-Site": "cross-site"}, source=src)
    check("ratelimit: a cross-site request is refused before the limit",
          json_error(r, 403, "csrf"), r)
    d.stop()
    d.kill()


def connection_checks(d):
    # 300 idle connections from one address: the per-IP cap keeps room
    socks = []
    for _ in range(300):
        try:
            socks.append(d.connect(source="127.0.0.5", timeout=2))
        except OSError:
            break
    time.sleep(0.3)
    t = time.time()
    r = d.get("/healthz", timeout=5)
    took = time.time() - t
    check("connections: 300 idle connections do not stop /healthz",
          r.status == 200 and took < 2, took)
    for s in socks:
        s.close()

    # fill the whole server (256) from 9 addresses: the idle timeout (2 s
    # here) frees the slots, and /healthz answers again soon after
    socks = []
    for i in range(9):
        for _ in range(32):
            try:
                socks.append(d.connect(source="127.0.1.%d" % (i + 1),
                                       timeout=2))
            except OSError:
                break
    time.sleep(0.3)
    t = time.time()
    ok = False
    first = None
    while time.time() - t < 8 and not ok:
        try:
            r = d.get("/healthz", timeout=1)
            ok = r.status == 200
        except (OSError, http.client.HTTPException):
            pass
        if first is None:
            first = ok
        if not ok:
            time.sleep(0.2)
    took = time.time() - t
    check("connections: at max_connections new clients wait, then the "
          "idle timeout frees slots", ok and first is False and took < 5,
          ok, first, took)
    for s in socks:
        s.close()

    # slowloris: headers trickle in, one byte at a time
    s = d.connect(source="127.0.0.6", timeout=15)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    t = time.time()
    cut = False
    try:
        while time.time() - t < 12:
            s.sendall(b"X")
            time.sleep(0.5)
            if select_readable(s) and s.recv(1024) == b"":
                cut = True
                break
    except OSError:
        cut = True
    took = time.time() - t
    s.close()
    check("connections: a slowloris client is cut off after the timeout",
          cut and 1.5 < took < 8, took)


def select_readable(s):
    import select
    return bool(select.select([s], [], [], 0)[0])


def catalog_checks(d):
    path = os.path.join(d.site, "catalog.json")
    with open(path) as f:
        cat = json.load(f)
    before = d.get("/healthz").json()["catalog"]["articles"]
    cat["articles"] = cat["articles"][:3]
    tmp = path + ".new"
    with open(tmp, "w") as f:
        json.dump(cat, f)
    os.rename(tmp, path)
    d.signal(signal.SIGHUP)
    ok = False
    for _ in range(50):
        time.sleep(0.05)
        if d.get("/healthz").json()["catalog"]["articles"] == 3:
            ok = True
            break
    check("catalog: SIGHUP loads a good catalog (new counts in /healthz)",
          ok and before != 3, before)

    with open(path, "w") as f:
        f.write('{"format": "porch-catalog",\n "version": 1,\n oops}\n')
    d.signal(signal.SIGHUP)
    time.sleep(0.4)
    r = d.get("/healthz")
    check("catalog: a corrupt catalog keeps the old one, porchd stays up",
          d.alive() and r.status == 200 and
          r.json()["catalog"]["articles"] == 3 and
          re.search(r"catalog\.json:3:\d+: .*keeping the current catalog",
                    d.log()) is not None, d.log()[-300:])

    cat["version"] = 2
    with open(path, "w") as f:
        json.dump(cat, f)
    d.signal(signal.SIGHUP)
    time.sleep(0.4)
    m = d.get("/metrics").body.decode()
    check("catalog: an unknown version is refused and counted as failed",
          "version 2 is not understood" in d.log() and
          'porchd_catalog_reloads_total{result="failed"} 2' in m,
          d.log()[-300:])


def drain_checks():
    d = Porchd(args=["--drain", "5"]).start()
    s = d.connect(timeout=10)
    s.sendall(b"POST /api/no/such HTTP/1.1\r\n" + H +
              b"Content-Type: application/json\r\n"
              b"Content-Length: 20\r\n\r\n12345")
    time.sleep(0.3)
    d.signal(signal.SIGTERM)
    time.sleep(0.3)
    refused = False
    try:
        c = socket.create_connection(("127.0.0.1", d.port), timeout=1)
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        refused = c.recv(100) == b""
        c.close()
    except OSError:
        refused = True
    for piece in (b"67890", b"abcde", b"fghij"):
        time.sleep(0.3)
        s.sendall(piece)
    out = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            out += b
    except OSError:
        pass
    s.close()
    rc = d.stop(timeout=10)
    st, hd, _ = parse_raw(out)
    check("shutdown: SIGTERM lets an in-flight slow upload finish",
          st == 404 and hd.get("connection", "").lower() == "close", out[:200])
    check("shutdown: no new connections after SIGTERM", refused)
    check("shutdown: exits 0 after draining, the database closed",
          rc == 0 and "stopped" in d.log(), rc, d.log()[-300:])
    d.kill()


def startup_checks():
    empty = scratch()
    with Porchd(site=empty) as d:
        r = d.get("/healthz")
        check("catalog: porchd starts without a catalog (empty, warned)",
              r.status == 200 and r.json()["catalog"]["articles"] == 0 and
              "no catalog yet" in d.log(), d.log())
    conf = os.path.join(scratch(), "porchd.conf")
    with open(conf, "w") as f:
        f.write("# porchd\nmax_body = 2M\n\nmax_bodyy = 3\n")
    r = subprocess.run([PORCHD, "serve", "--config", conf], capture_output=True,
                       text=True, timeout=10)
    check("settings: an unknown config key is an error naming file:line",
          r.returncode != 0 and
          (conf + ":4: unknown setting 'max_bodyy' (did you mean "
           "'max_body'?)") in r.stderr, r.stderr)
    with open(conf, "w") as f:
        f.write("max_body = 2M\ntimeout = 30\n")
    r = subprocess.run([PORCHD, "serve", "--config", conf, "--timeout", "7",
                        "--print-config"], capture_output=True, text=True,
                       env=dict(os.environ, PORCHD_MAX_BODY="3M",
                                PORCHD_TIMEOUT="9"))
    check("settings: flags beat the environment beats the file",
          r.returncode == 0 and "max_body = 3145728" in r.stdout and
          "timeout = 7" in r.stdout, r.stdout, r.stderr)
    r = subprocess.run([PORCHD, "serve", "--max-connections", "0"],
                       capture_output=True, text=True)
    check("settings: values out of range are refused",
          r.returncode != 0 and "out of range" in r.stderr, r.stderr)


def main():
    startup_checks()
    d = Porchd(args=["--timeout", "2", "--rate-burst", "1000"]).start()
    try:
        static_checks(d)
        api_checks(d)
        connection_checks(d)
        catalog_checks(d)
        check("porchd is still up after every bad request", d.alive() and
              d.get("/healthz").status == 200)
        rc = d.stop()
        check("shutdown: SIGTERM exits 0", rc == 0, rc)
    finally:
        d.kill()
    ratelimit_checks()
    drain_checks()
    done()


if __name__ == "__main__":
    main()
