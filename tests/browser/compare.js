// Porch's search against Pagefind on the same built site, in chromium:
// bytes a browser downloads for its first query and for the next three,
// MRR@5 over a query set, and query latency once the files are loaded.
//
//   node compare.js SITE_DIR QUERIES.tsv [--engines porch,pagefind]
//
// SITE_DIR is a site built by porch; for Pagefind, run
// `pagefind --site SITE_DIR` first (it adds SITE_DIR/pagefind/).  The
// query file has "query<TAB>expected URL" lines; results are compared by
// page (the URL without its #anchor), since Pagefind's unit is the page.
// Bytes are what a host serving gzip would send: a file's .gz twin when
// there is one, else the gzip of text files, else the file itself
// (Pagefind's index files are compressed already).
"use strict";
const { chromium } = require("playwright-core");
const { spawn } = require("child_process");
const fs = require("fs"), path = require("path"), zlib = require("zlib");

const [site, qfile] = process.argv.slice(2);
const ei = process.argv.indexOf("--engines");
const engines = (ei > 0 ? process.argv[ei + 1] : "porch,pagefind").split(",");
const queries = fs.readFileSync(qfile, "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"))
  .map((l) => l.split("\t"));

function wireBytes(urlPath) {
  const file = path.join(site, decodeURIComponent(urlPath));
  try { return fs.statSync(file + ".gz").size; } catch (e) { /* no twin */ }
  const body = fs.readFileSync(file);
  return /\.(js|css|json|html)$/.test(file) ? zlib.gzipSync(body, { level: 9 }).length : body.length;
}

function serve() {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", site],
      { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    p.stdout.on("data", (d) => { out += d; const m = out.match(/port (\d+)/); if (m) resolve({ proc: p, base: "http://127.0.0.1:" + m[1] }); });
    setTimeout(() => reject(new Error("http.server did not start")), 10000);
  });
}

const run = {
  porch: (q) => window.PorchSearch.query(q, { limit: 5 }).then((r) => r.map((x) => x.url)),
  pagefind: async (q) => {
    window.pf = window.pf || await import("/pagefind/pagefind.js");
    const r = await window.pf.search(q);
    const d = await Promise.all(r.results.slice(0, 5).map((x) => x.data()));
    return d.map((x) => x.url);
  },
};
const counted = { porch: /^\/(search\/|assets\/search\.)/, pagefind: /^\/pagefind\// };

(async () => {
  const srv = await serve();
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const med = (a) => { a = a.slice().sort((x, y) => x - y); return a[a.length >> 1]; };
  const p90 = (a) => { a = a.slice().sort((x, y) => x - y); return a[Math.floor(a.length * 0.9)]; };
  for (const engine of engines) {
    const first = [], next3 = [], firstFiles = [];
    let mrr = 0, page, ctx;
    // Each query as the first of a visit (empty cache, the script
    // included), followed by the next three of the set.
    for (let i = 0; i < queries.length; i++) {
      ctx = await browser.newContext();
      page = await ctx.newPage();
      let bytes = 0, files = 0;
      page.on("requestfinished", (req) => {
        const u = new URL(req.url());
        if (!counted[engine].test(u.pathname)) return;
        bytes += wireBytes(u.pathname);
        files++;
      });
      await page.goto(srv.base + "/");
      await page.waitForFunction(() => window.PorchSearch);
      const urls = await page.evaluate(`(${run[engine].toString()})(${JSON.stringify(queries[i][0])})`);
      first.push(bytes);
      firstFiles.push(files);
      const pages = urls.map((u) => new URL(u, srv.base).pathname);
      const rank = pages.indexOf(queries[i][1].replace(/#.*/, "")) + 1;
      if (rank) mrr += 1 / rank;
      const b0 = bytes;
      for (let k = 1; k <= 3; k++)
        await page.evaluate(`(${run[engine].toString()})(${JSON.stringify(queries[(i + k) % queries.length][0])})`);
      next3.push(bytes - b0);
      if (i + 1 < queries.length) await ctx.close();
    }
    // Latency once loaded: every query again, three times, in the last visit.
    const times = await page.evaluate(async (args) => {
      const [src, qs] = args, f = eval(src), t = [];
      for (const q of qs) await f(q);
      for (let k = 0; k < 3; k++) for (const q of qs) { const s = performance.now(); await f(q); t.push(performance.now() - s); }
      return t.sort((a, b) => a - b);
    }, [`(${run[engine].toString()})`, queries.map((q) => q[0])]);
    await ctx.close();
    console.log(JSON.stringify({
      engine, queries: queries.length, mrr5: +(mrr / queries.length).toFixed(3),
      first_query_bytes_median: med(first), first_query_bytes_p90: p90(first), first_query_files_median: med(firstFiles),
      next3_bytes_median: med(next3), next3_bytes_p90: p90(next3),
      p50_ms: +times[times.length >> 1].toFixed(2), p95_ms: +times[Math.floor(times.length * 0.95)].toFixed(2),
    }));
  }
  await browser.close();
  srv.proc.kill();
})().catch((e) => { console.error(e); process.exit(1); });
