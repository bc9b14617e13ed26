// Reading the docs (issue 7): navigate by sidebar, breadcrumbs and
// previous/next at desktop size; at phone size the sidebar collapses into
// a menu that opens; the theme toggle is remembered across pages; copy
// buttons and heading anchors; with JavaScript off the docs still read
// and the search form leads to /search/, which offers a way on.
"use strict";

module.exports = async function (t) {
  const { check } = t;
  const B = t.base;
  const h1 = (page) => page.textContent("main h1").then((s) => s.trim());
  const visible = (page, sel) => page.locator(sel).first().isVisible();

  const page = await t.newPage();
  await page.goto(B + "/docs/");
  await check("the docs index shows the sidebar and the sections", async () => {
    if (!(await visible(page, ".docs-sidebar .sidebar-nav"))) return "no visible sidebar at 1280 px";
    if (await visible(page, ".docs-menu")) return "the phone menu shows at desktop size";
    const n = await page.locator(".docs-sidebar .nav-section").count();
    return n >= 5 ? "" : "sidebar sections: " + n;
  });
  await check("the sidebar leads to a section, then to a page in it", async () => {
    await Promise.all([page.waitForURL(B + "/docs/backups/"), page.click(".docs-sidebar a[href='/docs/backups/']")]);
    if (!(await page.locator(".docs-sidebar details[open] summary").first().textContent()).includes("Backups"))
      return "the Backups section is not open in the sidebar";
    await Promise.all([page.waitForURL(B + "/docs/backups/retention/"),
      page.click(".docs-sidebar a[href='/docs/backups/retention/']")]);
    const cur = await page.getAttribute(".docs-sidebar a[aria-current=page]", "href");
    const title = await h1(page);
    if (title != "Retention rules") return "h1: " + title;
    return cur == "/docs/backups/retention/" ? "" : "aria-current on " + cur;
  });
  await check("the page reads: title, lead, prose, on-page contents, last updated", async () => {
    const words = (await page.textContent(".prose")).split(/\s+/).length;
    if (words < 100) return "prose has " + words + " words";
    if (!(await visible(page, ".docs-toc .toc"))) return "no on-page contents at 1280 px";
    const meta = await page.locator(".page-meta, .article footer").first().textContent().catch(() => "");
    return /updated|edit/i.test(meta) ? "" : "no 'last updated' or 'edit this page': " + meta.trim().slice(0, 80);
  });
  await check("an on-page contents link scrolls to its section", async () => {
    const href = await page.getAttribute(".docs-toc .toc a[href^='#']", "href");
    await page.click(".docs-toc .toc a[href='" + href + "']");
    await page.waitForURL(new RegExp(href + "$"));
    const top = await page.evaluate((id) => document.getElementById(decodeURIComponent(id)).getBoundingClientRect().top, href.slice(1));
    return top >= -2 && top < 300 ? "" : "the heading is at " + top + " px";
  });
  await check("breadcrumbs lead back up to the section", async () => {
    const crumbs = await page.$$eval(".breadcrumbs a", (l) => l.map((a) => a.textContent.trim()));
    if (crumbs.join(" / ") != "Documentation / Backups" && crumbs[crumbs.length - 1] != "Backups")
      return "breadcrumbs: " + crumbs.join(" / ");
    await Promise.all([page.waitForURL(B + "/docs/backups/"), page.click(".breadcrumbs a[href='/docs/backups/']")]);
    return (await h1(page)) == "Backups" ? "" : "h1 after the crumb: " + (await h1(page));
  });
  await check("next and previous follow the reading order", async () => {
    await page.goto(B + "/docs/backups/retention/");
    await Promise.all([page.waitForURL(B + "/docs/backups/selecting-files/"), page.click(".prevnext a[rel=next]")]);
    const next = await h1(page);
    await Promise.all([page.waitForURL(B + "/docs/backups/retention/"), page.click(".prevnext a[rel=prev]")]);
    return next == "Select files and folders" && (await h1(page)) == "Retention rules" ? "" : "went to " + next;
  });
  await check("headings have anchor links to themselves", async () => {
    await page.goto(B + "/docs/agents/linux/install/");
    const a = page.locator(".prose h2 a.anchor").first();
    const href = await a.getAttribute("href");
    const id = await page.locator(".prose h2").first().getAttribute("id");
    return href == "#" + id ? "" : href + " for #" + id;
  });
  await check("a code block's Copy button copies its text", async () => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: B });
    const btn = page.locator(".code-block .copy-btn").first();
    await btn.click();
    await page.waitForFunction(() => document.querySelector(".code-block .copy-btn").textContent == "Copied");
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    const code = await page.locator(".code-block pre").first().innerText();
    return clip.trim() && code.includes(clip.trim()) ? "" : "clipboard has " + JSON.stringify(clip.slice(0, 60));
  });
  await check("no script errors while reading at desktop size", async () => (page.errors.length ? page.errors.join("; ") : ""));
  await page.context().close();

  // Phone size.
  const phone = await t.newPage({ viewport: t.PHONE, isMobile: true, hasTouch: true });
  await phone.goto(B + "/docs/backups/retention/");
  await check("phone: the sidebar is collapsed into a Menu button and nothing is wider than the screen", async () => {
    if (await visible(phone, ".docs-sidebar .sidebar-nav")) return "the desktop sidebar shows at 360 px";
    if (!(await visible(phone, "button.docs-menu"))) return "no Menu button";
    if (await phone.locator(".sidebar-nav").count() !== 1) return "the docs tree is in the page more than once";
    const w = await phone.evaluate(() => document.documentElement.scrollWidth);
    return w <= 360 ? "" : "the page is " + w + " px wide";
  });
  await check("phone: Menu opens the docs tree and a link in it navigates", async () => {
    await phone.click("button.docs-menu");
    if (!(await visible(phone, "#docs-nav .sidebar-nav"))) return "the menu did not open";
    if (await phone.getAttribute("button.docs-menu", "aria-expanded") !== "true") return "the button does not say it is expanded";
    await Promise.all([phone.waitForURL(B + "/docs/backups/schedules/"),
      phone.click("#docs-nav .sidebar-nav a[href='/docs/backups/schedules/']")]);
    if (await visible(phone, "#docs-nav .sidebar-nav")) return "the menu is open again on the next page";
    return (await h1(phone)) == "Schedules" ? "" : "h1: " + (await h1(phone));
  });
  await check("phone: the main navigation and search are reachable", async () => {
    const nav = await phone.locator(".site-nav a").count();
    const searchOk = await phone.locator("#site-search").isVisible() || await phone.locator(".search").isVisible();
    return nav >= 4 && searchOk ? "" : "nav links " + nav + ", search visible " + searchOk;
  });

  // Theme toggle, remembered.
  await check("the theme toggle switches to dark, and the choice is remembered on the next pages", async () => {
    const bg = () => phone.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const before = await bg();
    const wasDark = await phone.evaluate(() => document.documentElement.getAttribute("data-theme") == "dark");
    await phone.click("[data-theme-toggle]");
    const want = wasDark ? "light" : "dark";
    const now = await phone.getAttribute("html", "data-theme");
    if (now != want) return "data-theme " + now;
    const pressed = await phone.getAttribute("[data-theme-toggle]", "aria-pressed");
    if (pressed != String(want == "dark")) return "aria-pressed " + pressed;
    const after = await bg();
    if (after == before) return "the background stayed " + before;
    await phone.goto(B + "/faq/");
    if ((await phone.getAttribute("html", "data-theme")) != want) return "forgotten on the next page";
    await phone.reload();
    if ((await bg()) != after) return "the background after a reload is " + (await bg());
    await phone.click("[data-theme-toggle]");
    return (await phone.getAttribute("html", "data-theme")) != want ? "" : "did not switch back";
  });
  await check("no script errors at phone size", async () => (phone.errors.length ? phone.errors.join("; ") : ""));
  await phone.context().close();

  // JavaScript off.
  const nojs = await t.newPage({ javaScriptEnabled: false });
  await check("JavaScript off: a docs page reads, with its sidebar and links", async () => {
    await nojs.goto(B + "/docs/backups/retention/");
    if ((await h1(nojs)) != "Retention rules") return "h1: " + (await h1(nojs));
    const prose = await nojs.locator(".prose").isVisible();
    const side = await nojs.locator(".docs-sidebar .sidebar-nav").isVisible();
    await Promise.all([nojs.waitForURL(B + "/docs/backups/selecting-files/"), nojs.click(".prevnext a[rel=next]")]);
    return prose && side ? "" : "prose visible " + prose + ", sidebar visible " + side;
  });
  await check("JavaScript off: the header search form leads to /search/ with a useful page", async () => {
    await nojs.fill("#site-search", "restore");
    await Promise.all([nojs.waitForURL(/\/search\/\?q=restore$/), nojs.press("#site-search", "Enter")]);
    const msg = await nojs.locator(".search-nojs").isVisible();
    const links = await nojs.locator(".search-browse a").count();
    return msg && links >= 5 ? "" : "no-JS message visible " + msg + ", links to browse " + links;
  });
  await check("JavaScript off: FAQ answers open", async () => {
    await nojs.goto(B + "/faq/");
    const item = nojs.locator("details.faq-item").first();
    await item.locator("summary").click();
    return (await item.getAttribute("open")) !== null ? "" : "the answer did not open";
  });
  await nojs.context().close();
  const nojsPhone = await t.newPage({ javaScriptEnabled: false, viewport: t.PHONE, isMobile: true });
  await check("JavaScript off at phone size: the docs tree follows the article, without a dead Menu button", async () => {
    await nojsPhone.goto(B + "/docs/backups/retention/");
    if (await visible(nojsPhone, "button.docs-menu")) return "a Menu button that cannot work without JavaScript";
    if (!(await visible(nojsPhone, "#docs-nav .sidebar-nav"))) return "no docs tree";
    const top = async (sel) => nojsPhone.locator(sel).first().evaluate((e) => e.getBoundingClientRect().top);
    return (await top("#docs-nav")) > (await top(".prose")) ? "" : "the tree comes before the article";
  });
  await nojsPhone.context().close();
};
