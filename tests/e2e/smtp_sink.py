"""A real SMTP receiver on loopback for the end-to-end tests (python3
standard library only: socketserver, no smtpd, which Python 3.12 dropped).

It speaks enough SMTP for porchd's libcurl client and for sendmail-like
relays: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.  Every message
received is written to a folder as NNNN.eml (the DATA, dot-unstuffed, with
CRLF line ends) beside NNNN.json (the envelope: mail_from, rcpt_to), each
file first written under a temporary name and then renamed, so a reader
never sees half a message.

Use it from a test:

    sink = SmtpSink(folder).start()      # port 0: a free port
    ... smtp://127.0.0.1:%d % sink.port ...
    msgs = sink.wait(lambda ms: len(ms) >= 1, timeout=10)
    sink.stop()

or alone: python3 tests/e2e/smtp_sink.py --port 2525 --dir /tmp/mails
"""
import argparse
import email
import email.policy
import glob
import json
import os
import re
import socketserver
import threading
import time

MAX_MESSAGE = 10 * 1024 * 1024
MAX_LINE = 4096


class _Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def _say(self, line):
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def _readline(self):
        line = self.rfile.readline(MAX_LINE + 2)
        if not line:
            return None
        return line.rstrip(b"\r\n")

    def handle(self):
        sink = self.server.sink
        mail_from, rcpts = None, []
        self._say("220 sink.test ESMTP porch test sink")
        while True:
            raw = self._readline()
            if raw is None:
                return
            line = raw.decode("utf-8", "replace")
            verb = line[:4].upper()
            if verb == "EHLO":
                self._say("250-sink.test")
                self._say("250-8BITMIME")
                self._say("250 SIZE %d" % MAX_MESSAGE)
            elif verb == "HELO":
                self._say("250 sink.test")
            elif verb == "MAIL":
                m = re.match(r"(?i)MAIL FROM:\s*<([^>]*)>", line)
                if not m:
                    self._say("501 syntax: MAIL FROM:<address>")
                    continue
                mail_from, rcpts = m.group(1), []
                self._say("250 OK")
            elif verb == "RCPT":
                m = re.match(r"(?i)RCPT TO:\s*<([^>]+)>", line)
                if mail_from is None:
                    self._say("503 MAIL first")
                elif not m:
                    self._say("501 syntax: RCPT TO:<address>")
                else:
                    rcpts.append(m.group(1))
                    self._say("250 OK")
            elif verb == "DATA":
                if mail_from is None or not rcpts:
                    self._say("503 MAIL and RCPT first")
                    continue
                self._say("354 end with <CRLF>.<CRLF>")
                lines, size = [], 0
                while True:
                    l = self._readline()
                    if l is None:
                        return
                    if l == b".":
                        break
                    if l.startswith(b"."):
                        l = l[1:]          # dot-unstuffing
                    size += len(l) + 2
                    if size > MAX_MESSAGE:
                        self._say("552 too big")
                        return
                    lines.append(l)
                sink._store(b"\r\n".join(lines) + b"\r\n", mail_from, rcpts)
                mail_from, rcpts = None, []
                self._say("250 OK queued")
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self._say("250 OK")
            elif verb == "NOOP":
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 command not implemented")


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpSink:
    def __init__(self, folder, port=0, host="127.0.0.1"):
        self.folder = folder
        self.host = host
        self.port = port
        self._lock = threading.Lock()
        self._server = None
        os.makedirs(folder, exist_ok=True)

    def start(self):
        self._server = _Server((self.host, self.port), _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]
        t = threading.Thread(target=self._server.serve_forever, daemon=True)
        t.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _store(self, data, mail_from, rcpts):
        with self._lock:
            n = len(glob.glob(os.path.join(self.folder, "*.eml"))) + 1
            base = os.path.join(self.folder, "%04d" % n)
            for ext, content in ((".json", json.dumps(
                    {"mail_from": mail_from, "rcpt_to": rcpts}).encode()),
                    (".eml", data)):
                tmp = base + ext + ".tmp"
                with open(tmp, "wb") as f:
                    f.write(content)
                os.rename(tmp, base + ext)

    def messages(self):
        """Every message so far, oldest first: dicts with raw (bytes),
        msg (email.message.EmailMessage), mail_from, rcpt_to."""
        out = []
        for path in sorted(glob.glob(os.path.join(self.folder, "*.eml"))):
            with open(path, "rb") as f:
                raw = f.read()
            try:
                with open(path[:-4] + ".json") as f:
                    env = json.load(f)
            except (OSError, ValueError):
                env = {}
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            out.append({"raw": raw, "msg": msg, "path": path,
                        "mail_from": env.get("mail_from"),
                        "rcpt_to": env.get("rcpt_to", [])})
        return out

    def wait(self, pred, timeout=10.0):
        """Polls messages() until pred(messages) is true or timeout; returns
        the last list either way."""
        deadline = time.time() + timeout
        while True:
            ms = self.messages()
            if pred(ms) or time.time() >= deadline:
                return ms
            time.sleep(0.05)


def body_text(m):
    """The decoded text body of a message dict from messages()."""
    return m["msg"].get_body(preferencelist=("plain",)).get_content()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=2525)
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()
    sink = SmtpSink(a.dir, a.port).start()
    print("smtp sink on 127.0.0.1:%d writing to %s" % (sink.port, a.dir),
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sink.stop()


if __name__ == "__main__":
    main()
