// The browser tests' harness: the real porch, porchd, an SMTP receiver and
// Debian's chromium, all on loopback, and the PASS/FAIL lines tests/run.sh
// counts.  Used by tests/browser/run.js; nothing here is a mock.
//
// Environment: PORCH and PORCHD (the binaries; default build/porch and
// build/porchd), RESULTS (the file PASS/FAIL lines are appended to;
// without it they go to stdout), TEST_OUT (screenshots and scratch files;
// default a temporary folder).
"use strict";
const { spawn, execFileSync } = require("child_process");
const fs = require("fs"), net = require("net"), os = require("os"), path = require("path");

const repo = path.resolve(__dirname, "../../..");
const PORCH = process.env.PORCH || path.join(repo, "build/porch");
const PORCHD = process.env.PORCHD || path.join(repo, "build/porchd");
const RESULTS = process.env.RESULTS || "";
const OUT = process.env.TEST_OUT || fs.mkdtempSync(path.join(os.tmpdir(), "porch-browser-"));
const CHROMIUM = process.env.CHROME_PATH || "/usr/bin/chromium";
// Flags that keep chromium from calling hosts it cannot reach (NOTES.md).
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 900 };

let passed = 0, failed = 0, group = "";

// One result line, to $RESULTS (counted by tests/run.sh) or stdout.
function record(line) {
  if (RESULTS) fs.appendFileSync(RESULTS, line + "\n");
  else console.log(line);
}

function pass(name) {
  passed++;
  record("PASS browser: " + (group ? group + ": " : "") + name);
}

// A failed check; why (a string) goes to stderr under the FAIL line.
function fail(name, why) {
  failed++;
  const n = "browser: " + (group ? group + ": " : "") + name;
  record("FAIL " + n);
  process.stderr.write("FAIL " + n + "\n");
  if (why) process.stderr.write(String(why).split("\n").map((l) => "    " + l).join("\n") + "\n");
}

// Runs fn; a returned non-empty string, or a throw, fails the check.
async function check(name, fn) {
  const t0 = Date.now();
  try {
    const why = await fn();
    why ? fail(name, why) : pass(name);
    return !why;
  } catch (e) {
    fail(name, (e && e.message ? e.message : String(e)).split("\n").slice(0, 3).join("\n"));
    return false;
  } finally {
    if (process.env.BROWSER_TIMES) process.stderr.write(`    ${Date.now() - t0} ms ${name}\n`);
  }
}

function setGroup(g) { group = g; }
function counts() { return { passed, failed }; }

// Run as root (CI containers), porchd refuses to stay root: it drops to
// this user once its socket and database are open (as in tests/e2e).
const RUN_AS = process.getuid && process.getuid() === 0 ? "nobody" : null;
function runAsIds() {
  const line = fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith(RUN_AS + ":"));
  if (!line) throw new Error("no user " + RUN_AS + " for porchd to run as");
  const f = line.split(":");
  return [+f[2], +f[3]];
}

// A fresh folder under OUT, readable by porchd's user.
function scratch(prefix) {
  fs.mkdirSync(OUT, { recursive: true });
  const d = fs.mkdtempSync(path.join(OUT, prefix || "browser."));
  fs.chmodSync(d, 0o755);
  return d;
}

// Builds content/ (or dir) with porch into a fresh folder; its path.
function buildSite(dir) {
  const out = path.join(scratch("browser-site."), "public");
  const env = Object.assign({}, process.env);
  // the site is a fixture: a generator leak (its own tests report those)
  // must not stop the browser tests
  env.ASAN_OPTIONS = ((env.ASAN_OPTIONS || "") + ":detect_leaks=0").replace(/^:/, "");
  try {
    execFileSync(PORCH, ["build", dir || path.join(repo, "content"), "-o", out, "-q"], { env, stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    const err = String(e.stderr || e.message).split("\n");
    throw new Error("porch build failed:\n" + err.slice(0, 8).join("\n") + (err.length > 9 ? "\n..." : ""));
  }
  return out;
}

// A free loopback port (bound, read, closed).
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// Waits until re matches the text a child prints; the match.
function waitOutput(proc, re, what, ms) {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(what + " did not start: " + text)), ms || 15000);
    const on = (d) => {
      text += d;
      const m = text.match(re);
      if (m) { clearTimeout(timer); resolve(m); }
    };
    proc.stdout && proc.stdout.on("data", on);
    proc.stderr && proc.stderr.on("data", on);
    proc.on("exit", (c) => { clearTimeout(timer); reject(new Error(what + " exited (" + c + "): " + text)); });
  });
}

// Decodes a quoted-printable body (RFC 2045): soft breaks and =XX.
function unQP(s) {
  const bytes = [];
  const t = s.replace(/=\r?\n/g, "");
  for (let i = 0; i < t.length; i++) {
    if (t[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(t.substr(i + 1, 2))) {
      bytes.push(parseInt(t.substr(i + 1, 2), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(t[i], "utf8")) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

// tests/e2e/smtp_sink.py, the suite's real SMTP receiver, as a child.
// messages(): [{to, kind, subject, text}], oldest first.
async function startSmtp() {
  const dir = scratch("browser-mail.");
  const proc = spawn("python3", ["-u", path.join(repo, "tests/e2e/smtp_sink.py"), "--port", "0", "--dir", dir],
    { stdio: ["ignore", "pipe", "pipe"] });
  const m = await waitOutput(proc, /127\.0\.0\.1:(\d+)/, "smtp_sink.py");
  const messages = () => fs.readdirSync(dir).filter((f) => /^\d+\.eml$/.test(f)).sort().map((f) => {
    const raw = fs.readFileSync(path.join(dir, f), "latin1");
    const env = JSON.parse(fs.readFileSync(path.join(dir, f.replace(/eml$/, "json")), "utf8"));
    const cut = raw.indexOf("\r\n\r\n");
    const head = raw.slice(0, cut).replace(/\r\n[ \t]+/g, " ");
    const h = (n) => { const x = head.match(new RegExp("^" + n + ":\\s*(.*)$", "im")); return x ? x[1] : ""; };
    let body = raw.slice(cut + 4);
    if (/quoted-printable/i.test(h("Content-Transfer-Encoding"))) body = unQP(body);
    else body = Buffer.from(body, "latin1").toString("utf8");
    return { to: env.rcpt_to || [], kind: h("X-Porch-Kind"), subject: h("Subject"), text: body };
  });
  // The first message to addr (of kind, when given) after the first
  // `after` ones; waits up to ms.
  async function waitMail(addr, opts) {
    const o = opts || {};
    const deadline = Date.now() + (o.ms || 15000);
    for (;;) {
      const all = messages().slice(o.after || 0);
      const hit = all.find((x) => x.to.includes(addr) && (!o.kind || x.kind === o.kind) &&
        (!o.match || o.match.test(x.text)));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error("no mail to " + addr + (o.kind ? " of kind " + o.kind : "") +
        " (mails: " + messages().map((x) => x.kind + " to " + x.to.join(",")).join("; ") + ")");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { port: +m[1], dir, messages, waitMail, stop: () => proc.kill() };
}

// The real porchd serving site on a free loopback port, a temporary
// SQLite database, mails to the SMTP receiver, links in mails to itself.
// The settings are a config file, as in a deployment, so the staff
// command line (cli below) mails the same links as the server.
async function startPorchd(site, smtp, extra) {
  const port = await freePort();
  const dir = scratch("browser-porchd.");
  const base = "http://127.0.0.1:" + port;
  const db = path.join(dir, "porch.db");
  const conf = path.join(dir, "porchd.conf");
  const settings = {
    site, db, listen: "127.0.0.1:" + port, public_url: base,
    attachments_dir: path.join(dir, "attachments"),
    mail_from: "Skylark Help <help@skylark.test>",
    // one browser signs up, logs in, votes and sends tickets many times
    rate_limit: 10000, rate_burst: 1000, vote_limit: 10000, vote_burst: 1000,
    ticket_limit: 10000, ticket_burst: 1000,
  };
  if (smtp) settings.smtp_url = "smtp://127.0.0.1:" + smtp.port;
  if (RUN_AS) {
    settings.user = RUN_AS;
    const [uid, gid] = runAsIds();
    fs.chownSync(dir, uid, gid);
  }
  fs.writeFileSync(conf, Object.keys(settings).map((k) => k + " = " + settings[k]).join("\n") + "\n");
  const args = ["serve", "--config", conf].concat(extra || []);
  const env = {};
  for (const k in process.env) if (!k.startsWith("PORCHD_")) env[k] = process.env[k];
  const log = fs.openSync(path.join(dir, "porchd.log"), "w");
  const proc = spawn(PORCHD, args, { env, stdio: ["ignore", log, log] });
  const deadline = Date.now() + 15000;
  for (;;) {
    const text = fs.readFileSync(path.join(dir, "porchd.log"), "utf8");
    if (/listening on/.test(text)) break;
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error("porchd did not start: " + text);
    await new Promise((r) => setTimeout(r, 30));
  }
  return {
    base, db, site, proc,
    log: () => fs.readFileSync(path.join(dir, "porchd.log"), "utf8"),
    // Runs `porchd COMMAND --config CONF ARGS...` (the staff command
    // line, on the same database and settings); its stdout.
    cli: (command, a) => execFileSync(PORCHD, [command, "--config", conf].concat(a || []),
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve(proc.exitCode);
      proc.on("exit", (c) => resolve(c));
      proc.kill("SIGTERM");
    }),
  };
}

// Debian's chromium, headless, through playwright-core.
async function launch() {
  const { chromium } = require("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// A screenshot of page's viewport as OUT/screenshots/NAME.png (a full-page
// one took seconds on long pages).
async function shot(page, name) {
  const dir = path.join(OUT, "screenshots");
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, name + ".png") });
}

// axe-core's violations on page (rules for WCAG 2.x A/AA and best
// practice, or only the rule ids in rules), as one readable string; ""
// when there are none.
const axeSource = () => fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
let axeText = null;
async function axe(page, rules) {
  if (axeText === null) axeText = axeSource();
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ content: axeText });
  const v = await page.evaluate(async (rules) => {
    const r = await window.axe.run(document, {
      runOnly: rules ? { type: "rule", values: rules } :
        { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      resultTypes: ["violations"],
    });
    return r.violations.map((x) => ({
      id: x.id, impact: x.impact, help: x.help,
      nodes: x.nodes.slice(0, 4).map((n) => n.target.join(" ") + (n.failureSummary ? " (" +
        n.failureSummary.replace(/\s+/g, " ").slice(0, 160) + ")" : "")),
      more: Math.max(0, x.nodes.length - 4),
    }));
  }, rules || null);
  return v.map((x) => `${x.id} [${x.impact}] ${x.help}: ${x.nodes.join("; ")}${x.more ? ` (+${x.more} more)` : ""}`).join("\n");
}

module.exports = {
  repo, PORCH, PORCHD, OUT, PHONE, DESKTOP, CHROMIUM, CHROMIUM_ARGS,
  pass, fail, check, setGroup, counts, scratch, buildSite, freePort,
  startSmtp, startPorchd, launch, shot, axe, unQP,
};
