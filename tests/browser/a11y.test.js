// Accessibility of every page type (issue 7): axe-core (WCAG 2.1 A/AA and
// best practice) reports zero violations in light and in dark; and a
// screenshot of each page type at phone (360x740, light) and desktop
// (1280x900, light and dark) size under $TEST_OUT/screenshots/.  Portal pages are
// checked when the built site has them (logged out here; the journeys in
// portal.test.js check the logged-in states).
"use strict";

// [name, path, a selector that shows the page is ready (JS-rendered parts)]
const PAGES = [
  ["home", "/", "main h1"],
  ["docs index", "/docs/", "main h1"],
  ["docs page", "/docs/agents/linux/install/", ".code-block .copy-btn"],
  ["FAQ list", "/faq/", "main h1"],
  ["FAQ category", "/faq/billing/", "main h1"],
  ["FAQ entry", "/faq/are-restores-free/", "main h1"],
  ["changelog list", "/changelog/", "main h1"],
  ["changelog entry", "/changelog/4.2.0/", "main h1"],
  ["roadmap list", "/roadmap/", "main h1"],
  ["roadmap item", "/roadmap/passkeys/", "main h1"],
  ["tags", "/tags/", "main h1"],
  ["tag", "/tags/billing/", "main h1"],
  ["search results", "/search/?q=restore", ".ps-page .ps-item"],
  ["404", "/no-such-page/", "main h1"],
  ["contact", "/contact/", "main h1"],
  // portal pages (logged out), when the theme has them
  ["log in", "/account/login/", "main form"],
  ["sign up", "/account/signup/", "main form"],
  ["verify", "/account/verify/?token=" + "0".repeat(64), "main h1"],
  ["reset", "/account/reset/", "main form"],
  ["magic link", "/account/magic/?token=" + "0".repeat(64), "main h1"],
  ["account", "/account/", "main h1"],
  ["My tickets", "/tickets/", "main h1"],
  ["ticket form", "/tickets/new/", "main form"],
  ["ticket", "/tickets/view/?ref=SKY-1", "main h1"],
  ["ticket rating", "/tickets/rate/?token=" + "0".repeat(64) + "&rating=good", "main h1"],
  ["ticket confirmation", "/tickets/confirm/?token=" + "0".repeat(64), "main h1"],
  ["unsubscribe", "/account/unsubscribe/?token=" + "0".repeat(64), "main h1"],
];

// Waits for a page to settle: its ready selector, fonts, no running
// transitions (axe's contrast check reads computed colours).
async function settle(page, ready) {
  await page.waitForSelector(ready, { timeout: 8000 });
  await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)))));
}

module.exports = async function (t) {
  const { check } = t;
  const pages = PAGES.filter(([, p]) => t.hasPage(p.replace(/\?.*$/, "")) || !p.startsWith("/account") && !p.startsWith("/tickets"));
  const missing = PAGES.filter((x) => !pages.includes(x)).map((x) => x[0]);
  if (missing.length) process.stderr.write("    a11y: not built yet, not checked: " + missing.join(", ") + "\n");
  // Three views at once (a page each): desktop light (axe, all rules),
  // desktop dark (axe's colour rule: the only one the scheme changes),
  // phone light; screenshots of the visible part in each.
  const views = [
    ["desktop", "light", { viewport: t.DESKTOP, colorScheme: "light" }, null],
    ["desktop", "dark", { viewport: t.DESKTOP, colorScheme: "dark" }, ["color-contrast"]],
    ["phone", "light", { viewport: t.PHONE, colorScheme: "light", isMobile: true, hasTouch: true }, undefined],
  ];
  await Promise.all(views.map(async ([size, scheme, opts, rules]) => {
    const page = await t.newPage(opts);
    for (const [name, p, ready] of pages) {
      const file = name.replace(/\W+/g, "-") + "." + size + "." + scheme;
      const run = async () => {
        const r = await page.goto(t.base + p);
        if (name == "404" ? r.status() != 404 : !r.ok()) return "HTTP " + r.status();
        await settle(page, ready);
        await t.shot(page, file);
        return rules !== undefined ? await t.axe(page, rules) : "";
      };
      await check(rules !== undefined ? `axe: ${name} (${scheme}) has no violations` : `${name} renders at ${size} size`, run);
    }
    await check(`no script errors on any page type (${size}, ${scheme})`, async () =>
      page.errors.length ? page.errors.join("; ") : "");
    await page.context().close();
  }));
};
