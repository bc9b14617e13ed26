// Runs the browser tests: builds the example site (content/) with $PORCH,
// serves it with the real $PORCHD (temporary SQLite database, mails to
// tests/e2e/smtp_sink.py), launches Debian's chromium once and runs each
// tests/browser/*.test.js module against them, in file-name order.
//
//   node tests/browser/run.js [NAME...]     (NAME: docs, search, a11y, ...)
//
// Each module exports async function (t), t being the context below; each
// check appends a "PASS browser: ..." or "FAIL browser: ..." line to
// $RESULTS (tests/run.sh counts them) or prints it.  Exit status 1 when a
// check failed or the run could not start.
"use strict";
const fs = require("fs"), path = require("path");
const h = require("./lib/harness");

async function main() {
  const want = process.argv.slice(2);
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith(".test.js")).sort()
    .filter((f) => !want.length || want.includes(f.replace(/\.test\.js$/, "")));
  if (!files.length) throw new Error("no test named " + want.join(", "));
  const t0 = Date.now();
  const site = h.buildSite();
  const smtp = await h.startSmtp();
  let porchd, browser;
  try {
    porchd = await h.startPorchd(site, smtp);
    browser = await h.launch();
  } catch (e) {
    if (porchd) await porchd.stop();
    smtp.stop();
    throw e;
  }
  const t = Object.assign({}, h, { site, smtp, porchd, browser, base: porchd.base });
  // A fresh browser context (own cookies and storage) and a page in it;
  // script errors on the page are kept in page.errors.
  t.newPage = async (opts) => {
    const ctx = await browser.newContext(Object.assign({ viewport: h.DESKTOP }, opts || {}));
    const page = await ctx.newPage();
    page.errors = [];
    page.on("pageerror", (e) => page.errors.push(e.message));
    page.setDefaultTimeout(10000);
    // porchd's Content-Security-Policy forbids eval, which playwright's
    // own waitForFunction uses; this one polls page.evaluate instead.
    page.waitForFunction = async (fn, arg, o) => {
      const deadline = Date.now() + ((o && o.timeout) || 10000);
      let last;
      for (;;) {
        last = await page.evaluate(fn, arg).catch((e) => { if (/navigat|destroyed/i.test(e.message)) return false; throw e; });
        if (last) return last;
        if (Date.now() > deadline) throw new Error("timed out waiting for " + String(fn).slice(0, 120));
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    return page;
  };
  // Does the built site have this page (a journey needs its page to exist)?
  t.hasPage = (p) => fs.existsSync(path.join(site, p, "index.html"));
  try {
    for (const f of files) {
      const name = f.replace(/\.test\.js$/, "");
      h.setGroup(name);
      const s = Date.now();
      try {
        await require(path.join(__dirname, f))(t);
      } catch (e) {
        h.fail("the " + name + " tests could not finish", e && e.stack ? e.stack.split("\n").slice(0, 4).join("\n") : e);
      }
      process.stderr.write(`browser: ${name} took ${((Date.now() - s) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    h.setGroup("");
    await browser.close();
    const code = await porchd.stop();
    smtp.stop();
    await h.check("porchd stopped cleanly after the browser tests", () =>
      code === 0 ? "" : "exit status " + code + "\n" + porchd.log().split("\n").slice(-15).join("\n"));
  }
  const c = h.counts();
  process.stderr.write(`browser: ${c.passed} checks ok, ${c.failed} not ok in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return c.failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  h.fail("the browser tests could not run", e && e.message ? e.message : e);
  process.exit(1);
});
