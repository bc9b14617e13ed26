"""A real webhook receiver for the end-to-end tests: http.server on
loopback that checks porchd's signature (X-Porch-Signature: sha256=HEX,
the HMAC-SHA256 with the shared secret of "TIMESTAMP.BODY", TIMESTAMP in
X-Porch-Timestamp) and keeps every delivery.

    sink = WebhookSink(secret="s3cret").start()
    ... porchd --webhook-url sink.url --webhook-secret s3cret ...
    sink.wait(lambda hooks: len(hooks) >= 1)

fail_next(n) answers 503 to the next n deliveries (retries are tested).
delay = SECONDS makes it read each delivery and wait that long before
keeping it and answering (a slow receiver); hang = True makes it read each
delivery and never answer (held until stop(), even after hang = False;
counted in hung and not kept): a receiver that accepts and stalls.
"""
import hashlib
import hmac
import http.server
import json
import threading
import time


def verify(secret, stamp, body, signature):
    """True when signature is "sha256=" and the HMAC of STAMP.BODY."""
    if not signature or not signature.startswith("sha256=") or not stamp:
        return False
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body,
                   hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, signature[7:])


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        sink = self.server.sink
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        stamp = self.headers.get("X-Porch-Timestamp")
        sig = self.headers.get("X-Porch-Signature")
        ok = verify(sink.secret, stamp or "", body, sig)
        if sink.hang:
            with sink.lock:
                sink.hung += 1
            sink.stopping.wait()    # until stop(), whatever hang says
            self.close_connection = True
            return                  # no answer: the connection just ends
        if sink.delay:
            time.sleep(sink.delay)
        with sink.lock:
            if sink.failing > 0:
                sink.failing -= 1
                sink.refused += 1
                self.send_response(503)
                self.end_headers()
                return
            try:
                data = json.loads(body.decode())
            except ValueError:
                data = None
            sink.hooks.append({
                "path": self.path, "body": body, "json": data,
                "signed_ok": ok, "signature": sig, "timestamp": stamp,
                "event": self.headers.get("X-Porch-Event"),
                "message_id": self.headers.get("X-Porch-Message-Id"),
                "content_type": self.headers.get("Content-Type"),
                "received": time.time()})
        self.send_response(200 if ok else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()


class WebhookSink:
    def __init__(self, secret, host="127.0.0.1"):
        self.secret = secret
        self.host = host
        self.hooks = []
        self.lock = threading.Lock()
        self.failing = 0
        self.refused = 0
        self.delay = 0
        self.hang = False
        self.hung = 0
        self.stopping = threading.Event()
        self._server = None

    def start(self):
        self._server = http.server.ThreadingHTTPServer((self.host, 0),
                                                       _Handler)
        self._server.daemon_threads = True
        self._server.sink = self
        self.port = self._server.server_address[1]
        self.url = "http://%s:%d/hook" % (self.host, self.port)
        threading.Thread(target=self._server.serve_forever,
                         daemon=True).start()
        return self

    def stop(self):
        self.stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def fail_next(self, n):
        with self.lock:
            self.failing = n

    def all(self):
        with self.lock:
            return list(self.hooks)

    def wait(self, pred, timeout=10.0):
        deadline = time.time() + timeout
        while True:
            hs = self.all()
            if pred(hs) or time.time() >= deadline:
                return hs
            time.sleep(0.05)
