"""porch serve, the live preview: the real binary on a copy of content/,
fetched over HTTP as a browser does (pages and the server-sent event stream), real
edits of real files.  A writer edits a page and the open page reloads with
the new text; breaks the front matter and sees file:line in the page; fixes
it; adds a new folder; stops the server with Ctrl-C."""
import http.client
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, done, scratch  # noqa: E402


class Server:
    def __init__(self, content):
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                               ":detect_leaks=0").lstrip(":")
        self.proc = subprocess.Popen(
            [harness.PORCH, "serve", content, "--port", "0", "-j", "2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        self.log = b""
        self.port = None
        deadline = time.time() + 60
        while time.time() < deadline and self.port is None:
            self._read(0.5)
            m = re.search(rb"serving http://127\.0\.0\.1:(\d+)/", self.log)
            if m:
                self.port = int(m.group(1))
            if self.proc.poll() is not None:
                break
        m = re.search(rb"into (\S+porch-serve-\w+)/site", self.log)
        self.private = m.group(1).decode() if m else None

    def _read(self, timeout):
        r, _, _ = select.select([self.proc.stderr], [], [], timeout)
        if r:
            chunk = os.read(self.proc.stderr.fileno(), 65536)
            self.log += chunk

    def get(self, path):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request("GET", path)
        r = c.getresponse()
        body = r.read().decode("utf-8", "replace")
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), body


class Events:
    """A subscriber to /__porch/events, read line by line."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", "/__porch/events",
                          headers={"Accept": "text/event-stream"})
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.type = self.resp.getheader("Content-Type", "")

    def next(self, timeout=60):
        """The next event as (name, data dict); pings are skipped."""
        self.conn.sock.settimeout(timeout)
        name, data = None, []
        while True:
            line = self.resp.readline()
            if not line:
                return None, None
            line = line.decode().rstrip("\r\n")
            if line.startswith(":"):
                continue
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
            elif line == "" and name:
                return name, json.loads("\n".join(data))

    def close(self):
        self.conn.close()


def main():
    d = scratch()
    content = os.path.join(d, "content")
    shutil.copytree(os.path.join(harness.ROOT, "content"), content)
    page = os.path.join(content, "docs", "index.md")
    original = open(page, encoding="utf-8").read()

    s = Server(content)
    if not check("serve: starts and prints its address", s.port is not None,
                 s.log.decode("utf-8", "replace")[-2000:]):
        s.proc.kill()
        return
    status, headers, body = s.get("/docs/")
    check("serve: a page is served", status == 200 and "<h1>" in body,
          status)
    check("serve: HTML answers carry the reload script",
          'id="porch-live"' in body and "/__porch/events" in body)
    check("serve: the pages are not cached by the browser",
          headers.get("cache-control") == "no-store", headers)
    built = os.path.join(s.private or "/nonexistent", "site", "docs",
                         "index.html")
    check("serve: the built files themselves have no reload script",
          os.path.isfile(built) and
          "porch-live" not in open(built, encoding="utf-8").read(), built)
    status, headers, body = s.get("/docs")
    check("serve: a folder without / redirects to it",
          status == 301 and headers.get("location") == "/docs/", status)
    status, _, _ = s.get("/../../etc/passwd")
    check("serve: paths out of the site are refused", status in (400, 404),
          status)

    ev = Events(s.port)
    check("serve: the event stream opens",
          ev.status == 200 and ev.type.startswith("text/event-stream"),
          ev.status, ev.type)
    name, data = ev.next(10)
    check("serve: a new subscriber hears which build it sees",
          name == "hello" and data.get("error") is None, name, data)

    # 1. An edit: the open page is told to reload and shows the new text.
    marker = "Preview marker 7319: the edit is live."
    with open(page, "w", encoding="utf-8") as f:
        f.write(original.rstrip("\n") + "\n\n" + marker + "\n")
    name, data = ev.next(60)
    check("serve: an edit sends a reload event", name == "reload",
          name, data)
    _, _, body = s.get("/docs/")
    check("serve: the page has the new text after the reload",
          marker in body)

    # 2. Broken front matter: the error reaches the page with file:line.
    lines = original.split("\n")
    broken = "\n".join([lines[0], "title: [broken"] + lines[1:])
    with open(page, "w", encoding="utf-8") as f:
        f.write(broken)
    name, data = ev.next(60)
    err = (data or {}).get("error") or ""
    check("serve: a failed build sends a build-error event",
          name == "build-error", name, data)
    check("serve: the error names file:line:col and the problem",
          re.search(r"docs/index\.md:\d+:\d+: error: ", err) is not None,
          err)
    status, _, body = s.get("/docs/")
    m = re.search(r"var gen=\d+,err=(\"(?:[^\"\\]|\\.)*\")", body)
    shown = json.loads(m.group(1)) if m else ""
    check("serve: a page opened now shows the error overlay, not a stale "
          "page alone", re.search(r"docs/index\.md:\d+:\d+: error: ", shown)
          is not None and "porch-overlay" in body, body[-600:])
    s._read(1)
    check("serve: the terminal shows the error too",
          re.search(rb"docs/index\.md:\d+:\d+: error: ", s.log) is not None,
          s.log.decode("utf-8", "replace")[-1000:])

    # 3. Fixed: a reload, and the overlay is gone.
    with open(page, "w", encoding="utf-8") as f:
        f.write(original)
    name, data = ev.next(60)
    check("serve: fixing the file sends a reload event", name == "reload",
          name, data)
    _, _, body = s.get("/docs/")
    check("serve: after the fix the page has no error",
          "err=null" in body and marker not in body)

    # 4. A new folder with a page: watched as it appears.
    newdir = os.path.join(content, "docs", "preview-section")
    os.mkdir(newdir)
    time.sleep(0.3)
    with open(os.path.join(newdir, "fresh.md"), "w", encoding="utf-8") as f:
        f.write("---\ntitle: Fresh page\n---\n\nWritten in a new folder.\n")
    name, data = ev.next(60)
    deadline = time.time() + 30
    status = 0
    while time.time() < deadline:
        status, _, body = s.get("/docs/preview-section/fresh/")
        if status == 200:
            break
        name, data = ev.next(30)
    check("serve: a page in a new folder is built and served",
          status == 200 and "Written in a new folder." in body, status)
    ev.close()

    # 5. Ctrl-C: a clean stop, the private folder removed.
    s.proc.send_signal(signal.SIGINT)
    try:
        rc = s.proc.wait(20)
    except subprocess.TimeoutExpired:
        s.proc.kill()
        rc = None
    check("serve: Ctrl-C stops it with status 0", rc == 0, rc)
    check("serve: the private build folder is removed",
          s.private is not None and not os.path.exists(s.private),
          s.private)


main()
done()
