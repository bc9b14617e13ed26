// Votes and "Was this helpful?" in a real browser (issue 7): logged out the
// roadmap invites to log in to vote; logged in, a vote raises the count,
// survives a reload and is taken back; a docs page's "No" with a comment
// reaches porchd (`porchd report feedback` lists it).
"use strict";
const acc = require("./accounts.test.js");

const count = (page, sel) => page.textContent(sel + " .vote-count").then((s) => parseInt(s, 10));

module.exports = async function (t) {
  const { check } = t;
  const B = t.base;
  const page = await t.newPage();
  const item = "passkeys";
  const box = `.vote[data-item='${item}']`;

  if (t.hasPage("/account/login")) {
    await check("logged out, the roadmap shows counts and 'Log in to vote'", async () => {
      await page.goto(B + "/roadmap/");
      await page.waitForSelector(box + " .vote-login, " + box + " .vote-msg");
      const n = await count(page, box);
      const href = await page.getAttribute(box + " a.vote-login", "href");
      return Number.isInteger(n) && /\/account\/login\/\?next=%2Froadmap%2F/.test(href) ? "" : "count " + n + ", link " + href;
    });
    let ok = false;
    await check("a verified customer logs in from the roadmap and comes back to it", async () => {
      const email = "katherine." + process.pid + "@example.test";
      await acc.signUp(t, page, "Katherine Johnson", email);
      await page.goto(B + "/account/");
      await page.waitForSelector("#account-details:not([hidden])");
      await Promise.all([page.waitForURL(B + "/"), page.click("#logout")]);
      await page.goto(B + "/roadmap/");
      await Promise.all([page.waitForURL(/\/account\/login\//), page.click(box + " a.vote-login")]);
      await page.fill("#login-email", email);
      await page.fill("#login-password", acc.PASSWORD);
      await Promise.all([page.waitForURL(B + "/roadmap/"), page.click("#login-form button[type=submit]")]);
      ok = true;
      return ok ? "" : "landed on " + page.url();
    });
    if (ok) {
      let before = null;
      await check("vote on a roadmap item: the count goes up and the button is pressed; a reload keeps the vote", async () => {
        await page.waitForSelector(box + " button.vote-btn");
        before = await count(page, box);
        await page.click(box + " button.vote-btn");
        await page.waitForFunction(([s, n]) => parseInt(document.querySelector(s + " .vote-count").textContent, 10) == n + 1, [box, before]);
        if ((await page.getAttribute(box + " button.vote-btn", "aria-pressed")) != "true") return "not pressed";
        await page.reload();
        await page.waitForSelector(box + " button.vote-btn");
        const p = await page.getAttribute(box + " button.vote-btn", "aria-pressed");
        if (p != "true") return "after a reload the button is not pressed";
        const n = await count(page, box);	// not the count cached from before the vote
        return n == before + 1 ? "" : "after a reload the count is " + n + ", not " + (before + 1);
      });
      await check("'Most votes' puts the voted item first in its column, and the choice is remembered", async () => {
        await page.reload();
        await page.waitForSelector(box + " button.vote-btn[aria-pressed=true]");
        await page.selectOption("#roadmap-sort", "votes");
        const first = () => page.evaluate((s) => {
          const li = document.querySelector(s).closest(".roadmap-items").firstElementChild;
          return li.querySelector(".vote").dataset.item;
        }, box);
        if ((await first()) != item) return "first in its column: " + (await first());
        await page.reload();
        await page.waitForSelector(box + " button.vote-btn");
        return (await page.inputValue("#roadmap-sort")) == "votes" && (await first()) == item ? "" : "not remembered after a reload";
      });
      await check("the item's own page counts the vote; taking it back lowers the count", async () => {
        await page.goto(B + "/roadmap/" + item + "/");
        await page.waitForSelector(box + " button.vote-btn[aria-pressed=true]");
        const there = await count(page, box);
        if (there != before + 1) return `the item's page shows ${there}, not ${before + 1}`;
        await page.click(box + " button.vote-btn");
        await page.waitForFunction(([s, n]) => parseInt(document.querySelector(s + " .vote-count").textContent, 10) == n, [box, before]);
        return (await page.getAttribute(box + " button.vote-btn", "aria-pressed")) == "false" ? "" : "still pressed";
      });
      await check("axe: the roadmap with vote buttons, logged in, has no violations", async () => {
        await page.goto(B + "/roadmap/");
        await page.waitForSelector(box + " button.vote-btn");
        return t.axe(page);
      });
    }
  } else process.stderr.write("    votes: no login page yet: voting not tested\n");

  await check("'Was this helpful?' No, with a comment: thanked, and porchd has it", async () => {
    const p = await t.newPage();
    await p.goto(B + "/docs/backups/retention/");
    const w = p.locator(".article [data-helpful]").first();
    await w.waitFor({ state: "visible" });
    await w.locator("button[data-answer=no]").click();
    await p.waitForFunction(() => /Thank you/.test(document.querySelector(".article [data-helpful] .helpful-status").textContent));
    if ((await w.locator("button[data-answer=no]").getAttribute("aria-pressed")) != "true") return "No is not pressed";
    await w.locator("textarea").fill("I could not find how long deleted files are kept.");
    await w.locator("form button[type=submit]").click();
    await p.waitForFunction(() => /your comment reached/.test(document.querySelector(".article [data-helpful] .helpful-status").textContent));
    await p.reload();
    await w.waitFor({ state: "visible" });
    const kept = await w.locator("button[data-answer=no]").getAttribute("aria-pressed");
    await p.context().close();
    if (kept != "true") return "the answer is forgotten after a reload";
    const rep = t.porchd.cli("report", ["feedback", "--json"]);
    return rep.includes("how long deleted files are kept") ? "" : "porchd report feedback: " + rep.slice(0, 300);
  });
  await check("no script errors on the roadmap", async () => (page.errors.length ? page.errors.join("; ") : ""));
  await page.context().close();
};
