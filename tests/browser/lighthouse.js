// Lighthouse scores of the default theme (issue 7): the example site built
// by $PORCH and served by the real $PORCHD on loopback, scored by the npm
// lighthouse with Debian's chromium (CHROME_PATH) for performance,
// accessibility, best practices and SEO, on a phone (Lighthouse's default:
// simulated slow 4G and a 4x slower CPU) and on a desktop.  Prints a
// markdown table and each audit that cost points; --json FILE writes the
// scores.  Run through scripts/lighthouse.sh (not part of make test).
"use strict";
const fs = require("fs");
const h = require("./lib/harness");

const PAGES = [
  ["home", "/"],
  ["docs page", "/docs/backups/retention/"],
  ["search results", "/search/?q=restore"],
  ["ticket form", "/tickets/new/"],
];
const CATS = ["performance", "accessibility", "best-practices", "seo"];

async function main() {
  const ji = process.argv.indexOf("--json");
  const { default: lighthouse, desktopConfig } = await import("lighthouse");
  const chromeLauncher = await import("chrome-launcher");
  const site = h.buildSite();
  const porchd = await h.startPorchd(site, null);
  const chrome = await chromeLauncher.launch({
    chromePath: h.CHROMIUM,
    chromeFlags: ["--headless=new"].concat(h.CHROMIUM_ARGS),
  });
  const rows = [], losses = [];
  try {
    for (const [ff, config] of [["phone", undefined], ["desktop", desktopConfig]]) {
      for (const [name, p] of PAGES) {
        const r = await lighthouse(porchd.base + p, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: CATS }, config);
        const lhr = r.lhr;
        if (lhr.runtimeError) process.stderr.write(`lighthouse: ${name} (${ff}): ${lhr.runtimeError.code}: ${lhr.runtimeError.message}\n`);
        const s = CATS.map((c) => Math.round(lhr.categories[c].score * 100));
        rows.push({ page: name, path: p, form: ff, scores: Object.fromEntries(CATS.map((c, i) => [c, s[i]])) });
        process.stderr.write(`lighthouse: ${name} (${ff}) ${s.join(" ")}\n`);
        for (const c of CATS) {
          if (lhr.categories[c].score >= 1) continue;
          for (const ref of lhr.categories[c].auditRefs) {
            const a = lhr.audits[ref.id];
            if (ref.weight > 0 && a.score !== null && a.score < 1)
              losses.push(`${name} (${ff}), ${c}: ${a.title}` + (a.displayValue ? ` (${a.displayValue})` : "") + ` [score ${a.score}]`);
          }
        }
      }
    }
  } finally {
    await chrome.kill();
    await porchd.stop();
  }
  console.log("| page | form factor | performance | accessibility | best practices | SEO |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.page} (\`${r.path}\`) | ${r.form} | ${CATS.map((c) => r.scores[c]).join(" | ")} |`);
  console.log("\nWhat cost points:\n");
  for (const l of losses) console.log("- " + l);
  if (ji > 0) fs.writeFileSync(process.argv[ji + 1], JSON.stringify(rows, null, 2) + "\n");
}

main().catch((e) => { console.error(e); process.exit(1); });
