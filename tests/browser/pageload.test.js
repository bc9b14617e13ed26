// How the pages Lighthouse scores load (issue 7): home, a docs page,
// search results and the ticket form, on a phone and a desktop.
// - The layout does not jump while the page loads: the scripts, the API
//   and the search index are held back 400 ms each (a slow connection),
//   so the page is painted before they arrive; the layout shifts the
//   browser reports (CLS) add up to less than 0.02 (the target is 0.05).
// - The browser's console stays clean (no errors, no warnings, no failed
//   requests), logged out and logged in: "who am I" answered "nobody" is
//   not an error.
// - Search engines may index the scored pages, each with a description
//   and a canonical link without the query; the pages that are empty
//   shells for one customer are noindex, and sitemap.xml agrees.
"use strict";
const fs = require("fs"), path = require("path");
const acc = require("./accounts.test.js");

const PAGES = [
  ["home", "/", "main h1"],
  ["docs page", "/docs/backups/retention/", ".code-block .copy-btn, main h1"],
  ["search results", "/search/?q=restore", ".ps-page .ps-item"],
  ["ticket form", "/tickets/new/", "#ticket-form"],
];
// Portal pages that are only shells for one customer (or a mailed link's
// landing page): noindex, not in the sitemap.
const SHELLS = ["/account/", "/account/login/", "/account/signup/", "/account/verify/", "/account/reset/",
  "/account/magic/", "/account/unsubscribe/", "/tickets/", "/tickets/view/", "/tickets/confirm/", "/tickets/rate/"];
const HOLD = 400;
// Lighthouse's screens: its phone (Moto G Power) and its desktop.
const LH_PHONE = { width: 412, height: 823 }, LH_DESKTOP = { width: 1350, height: 940 };
// The target is under 0.05; the pages measure 0 now, and the ticket
// form's old jump (the address field appearing) measured 0.04 here.
const CLS_MAX = 0.02;

// Sums the layout shifts of the page (not those right after input), from
// the first paint on, in a global the test reads.
function observeShifts() {
  window.__cls = 0;
  window.__shifts = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      if (e.hadRecentInput) continue;
      window.__cls += e.value;
      window.__shifts.push(e.value.toFixed(4) + " " + (e.sources || []).map((s) => s.node ? (s.node.id ? "#" + s.node.id : s.node.nodeName + "." + (s.node.className || "")) : "?").join(","));
    }
  }).observe({ type: "layout-shift", buffered: true });
}

// A page that records console errors and warnings and failed requests,
// with scripts, API answers and the search index held back HOLD ms.
async function watched(t, opts, ctx) {
  const page = ctx ? await ctx.newPage() : await t.newPage(opts);
  const c = page.context();
  page.setDefaultTimeout(10000);
  page.console = [];
  page.on("console", (m) => { if (m.type() == "error" || m.type() == "warning") page.console.push(m.type() + ": " + m.text()); });
  page.on("pageerror", (e) => page.console.push("script error: " + e.message));
  page.on("requestfailed", (r) => page.console.push("request failed: " + r.url()));
  page.on("response", (r) => { if (r.status() >= 400) page.console.push(r.status() + " " + r.url()); });
  if (!c.__held) {
    c.__held = true;
    const hold = (route) => setTimeout(() => route.continue().catch(() => {}), HOLD);
    await c.route(/\/assets\/[^/]+\.js$/, hold);
    await c.route(/\/api\//, hold);
    await c.route(/\/search\/[^/]+\.json$/, hold);
    await c.addInitScript(observeShifts);
  }
  return page;
}

// Loads path, waits for its ready selector and for the network to be
// quiet, then a moment for late paints; the CLS and the shifts.
async function load(page, base, p, ready) {
  await page.goto(base + p, { waitUntil: "load" });
  await page.waitForSelector(ready, { state: "attached" });
  await page.waitForLoadState("networkidle").catch(() => null);
  await page.waitForTimeout(300);
  return page.evaluate(() => ({ cls: window.__cls, shifts: window.__shifts }));
}

function head(html, re) { const m = html.match(re); return m ? m[1] : null; }

module.exports = async function (t) {
  const { check } = t;
  const B = t.base;
  const views = [["phone", { viewport: LH_PHONE, isMobile: true, hasTouch: true }], ["desktop", { viewport: LH_DESKTOP }]];

  // Logged out: layout stability and a clean console, each page a first
  // visit in a fresh browser context (nothing cached), as Lighthouse loads it.
  for (const [ff, opts] of views) {
    for (const [name, p, ready] of PAGES) {
      const page = await watched(t, opts);
      let r = null;
      await check(`${name} (${ff}, logged out, slow scripts): the layout does not jump (CLS < ${CLS_MAX})`, async () => {
        r = await load(page, B, p, ready);
        return r.cls < CLS_MAX ? "" : "CLS " + r.cls.toFixed(3) + ": " + r.shifts.join("; ");
      });
      await check(`${name} (${ff}, logged out): no console errors, warnings or failed requests`, async () =>
        page.console.length ? page.console.join("\n") : "");
      await page.context().close();
    }
  }

  // Logged in: the console stays clean too, and the ticket form does not
  // jump (the anonymous address is not offered to an account).
  const page = await watched(t, { viewport: LH_DESKTOP });
  let inOk = false;
  await check("logged in (a new account): the header shows the name", async () => {
    await acc.signUp(t, page, "Hedy Lamarr", "hedy.pageload." + process.pid + "@example.test");
    await page.goto(B + "/");
    // (who-am-i is held back: wait for the name, not the first answer)
    const n = await page.waitForSelector(".site-header .account-name").then((e) => e.textContent(), () => "");
    inOk = n == "Hedy Lamarr";
    return inOk ? "" : "the header shows " + JSON.stringify(n);
  });
  if (inOk) {
    for (const [name, p, ready] of PAGES) {
      page.console.length = 0;
      await check(`${name} (desktop, logged in): no console errors, warnings or failed requests; CLS < ${CLS_MAX}`, async () => {
        const r = await load(page, B, p, ready);
        await page.waitForSelector(".site-header .account-name");
        const why = page.console.slice();
        if (r.cls >= CLS_MAX) why.push("CLS " + r.cls.toFixed(3) + ": " + r.shifts.join("; "));
        if (p == "/tickets/new/" && await page.isVisible("#anon-email")) why.push("the anonymous address field is shown to an account");
        // The search is kept a second after its results show; the ticket
        // form then offers it, in the page from its first paint (it came
        // with portal.js once, and the buttons below it jumped).
        if (p.startsWith("/search/")) await page.waitForFunction(() => /restore/.test(localStorage.getItem("porch-searches")));
        if (p == "/tickets/new/" && !await page.isVisible("#share-searches-field")) why.push("the search just made is not offered");
        return why.join("\n");
      });
    }
  }
  await page.context().close();

  // What search engines see.
  await check("search results and the ticket form may be indexed: canonical without the query, a description of their own", async () => {
    const why = [];
    const site = fs.readFileSync(path.join(t.site, "index.html"), "utf8");
    const siteDesc = head(site, /<meta name="description" content="([^"]*)">/);
    for (const [name, p] of PAGES) {
      const html = fs.readFileSync(path.join(t.site, p.replace(/\?.*$/, ""), "index.html"), "utf8");
      const canon = head(html, /<link rel="canonical" href="([^"]*)">/) || "";
      const desc = head(html, /<meta name="description" content="([^"]*)">/) || "";
      if (/noindex/.test(html)) why.push(name + ": noindex");
      if (!canon.endsWith(p.replace(/\?.*$/, "")) || canon.includes("?")) why.push(name + ": canonical " + canon);
      if (!desc) why.push(name + ": no description");
      if ((p.startsWith("/search/") || p.startsWith("/tickets/")) && desc == siteDesc) why.push(name + ": the site's description, not its own");
    }
    const form = fs.readFileSync(path.join(t.site, "tickets/new/index.html"), "utf8");
    if (!/<meta name="description" content="[^"]*Billing and plans/.test(form)) why.push("the ticket form's description does not name the request types");
    return why.join("\n");
  });
  await check("pages that are shells for one customer are noindex; sitemap.xml lists search and the ticket form, not them", async () => {
    const why = [];
    const map = fs.readFileSync(path.join(t.site, "sitemap.xml"), "utf8");
    const locs = new Set([...map.matchAll(/<loc>https?:\/\/[^/<]+([^<]*)<\/loc>/g)].map((m) => m[1]));
    for (const p of SHELLS) {
      const f = path.join(t.site, p, "index.html");
      if (!fs.existsSync(f)) continue;
      if (!/<meta name="robots" content="noindex">/.test(fs.readFileSync(f, "utf8"))) why.push(p + ": indexable");
      if (locs.has(p)) why.push(p + ": in the sitemap");
    }
    for (const p of ["/search/", "/tickets/new/"]) if (!locs.has(p)) why.push(p + ": not in the sitemap");
    if (!/<meta name="robots" content="noindex">/.test(fs.readFileSync(path.join(t.site, "404.html"), "utf8"))) why.push("404: indexable");
    const robots = await (await fetch(B + "/robots.txt")).text();
    if (!/Allow: \/\n/.test(robots) || /Disallow: \/(search|tickets)/.test(robots)) why.push("robots.txt: " + robots);
    return why.join("\n");
  });
};
