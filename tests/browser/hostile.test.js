// Hostile input in a real browser (issue 9): a ticket titled with an
// image whose onerror sets window.__xss, and a comment full of markup, show
// as literal text on My tickets and on the ticket page, and the handler
// never runs (portal.js inserts customer text with textContent only); the
// login page follows next= only to a path of this site: after logging in
// with next=//evil.example/, https://evil.example/, /\evil.example,
// javascript:..., a tab trick, the browser is still on the portal.
// (The server half of the tour is tests/e2e/test_hostile.py.)
"use strict";
const acc = require("./accounts.test.js");

const TITLE = "<img src=x onerror=window.__xss=1> <script>window.__xss=2</script>";
const COMMENT = "\"><svg onload=window.__xss=3> <b>not bold</b> {{7*7}}";

// Sends a ticket (and a comment on it) from page's session through the API,
// as any script of the customer's could; resolves to the ticket's ref.
async function sendTicket(page) {
  return page.evaluate(async ([title, comment]) => {
    const me = await (await fetch("/api/auth/me")).json();
    const h = { "Content-Type": "application/json", "X-CSRF-Token": me.csrf };
    const r = await fetch("/api/tickets", { method: "POST", headers: h, body: JSON.stringify({
      type: "question", fields: { subject: title, description: "Markup in the title must stay text." } }) });
    const j = await r.json();
    if (r.status != 201) throw new Error("ticket: " + r.status + " " + JSON.stringify(j));
    await fetch("/api/tickets/" + j.ticket.ref + "/comments", { method: "POST", headers: h,
      body: JSON.stringify({ body: comment }) });
    return j.ticket.ref;
  }, [TITLE, COMMENT]);
}

// What an injection would leave in the page: the flag, and elements or
// handlers that came from customer text.
async function injected(page) {
  return page.evaluate(() => {
    const bad = [];
    if (window.__xss !== undefined) bad.push("window.__xss = " + window.__xss);
    document.querySelectorAll("main img[src=x], main svg[onload], main script:not([src]):not([type])").forEach((e) =>
      bad.push(e.outerHTML.slice(0, 80)));
    document.querySelectorAll("main b").forEach((e) => { if (e.textContent == "not bold") bad.push("<b> rendered"); });
    return bad.join("; ");
  });
}

module.exports = async function (t) {
  const { check } = t;
  if (!t.hasPage("/tickets/view") || !t.hasPage("/account/signup")) {
    process.stderr.write("    hostile: the theme has no ticket pages yet: not tested\n");
    return;
  }
  const B = t.base;
  const email = "mallory." + process.pid + "@example.test";
  const page = await t.newPage();
  let ref = null;
  const ok = await check("a customer signs up and sends a ticket titled with markup", async () => {
    await acc.signUp(t, page, "Mallory", email);
    ref = await sendTicket(page);
    return ref ? "" : "no ref";
  });
  if (!ok) { await page.context().close(); return; }

  await check("My tickets shows the markup title as literal text; its onerror never runs", async () => {
    await page.goto(B + "/tickets/");
    await page.waitForFunction((r) => document.querySelector("main") && document.querySelector("main").textContent.includes(r), ref);
    await page.waitForTimeout(300);    // an image error would have fired by now
    const text = await page.locator("main").textContent();
    if (!text.includes(TITLE)) return "the literal title is not on the page: " + text.slice(0, 300);
    return await injected(page);
  });
  await check("the ticket page shows the title and the comment as literal text; no handler runs", async () => {
    await page.goto(B + "/tickets/view/?ref=" + encodeURIComponent(ref));
    await page.waitForFunction((c) => document.querySelector("main").textContent.includes(c), COMMENT);
    await page.waitForTimeout(300);
    const title = await page.locator("#ticket-title").textContent();
    if (title.trim() != TITLE) return "title shown as " + JSON.stringify(title);
    return await injected(page);
  });
  await page.context().close();

  // The login page's next=: only a path of this site is followed.
  const origin = new URL(B).origin;
  for (const next of ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:window.__xss=4",
    "/\t/evil.example", "\\\\evil.example", "http:evil.example"]) {
    await check("login with next=" + JSON.stringify(next) + " stays on the site", async () => {
      const p = await t.newPage();
      try {
        await acc.logIn(t, p, email, acc.PASSWORD, next);
        await p.waitForLoadState("load");
        const u = new URL(p.url());
        if (u.origin != origin) return "went to " + p.url();
        if (u.pathname.startsWith("//")) return "on a protocol-relative path " + u.pathname;
        const x = await p.evaluate(() => window.__xss);
        return x === undefined ? "" : "window.__xss = " + x;
      } finally {
        await p.context().close();
      }
    });
  }
  await check("a same-site next= is still followed after login", async () => {
    const p = await t.newPage();
    try {
      await acc.logIn(t, p, email, acc.PASSWORD, "/tickets/");
      return new URL(p.url()).pathname == "/tickets/" ? "" : "went to " + p.url();
    } finally {
      await p.context().close();
    }
  });
};
