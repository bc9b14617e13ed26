// Fuzzes the search client's query handling (themes/default/assets/search.js)
// the way tests/search/query.js runs it: the real script in node's vm, its
// fetch() reading the index of a built site from disk.  Feeds it every line
// of tests/fuzz/corpus/query/*.txt, then random queries from a seeded PRNG
// mixing hostile pieces, real words of the site and random code points.
//
//   node tests/fuzz/query_fuzz.js SITE_DIR [--n N] [--seconds S] [--seed S]
//
// --n: random queries (default 300); --seconds: generate for S seconds
// instead (make fuzz); --seed: the PRNG's seed (default 1; printed, so a
// failure is reproducible).  A corpus line starting with "json:" is a JSON
// string literal (lone surrogates, NUL, newlines); any other line is the
// query as it stands.
//
// For each query it asserts what a user would notice: the promise settles
// without an exception; at most the result limit; every result links to a
// page of the site, and its #section to an id on that page; the kind
// filter is kept; titles, sections, excerpts and labels are the index's
// text (the query never changes what is shown) and the words to highlight
// are words (letters, digits, "."), never markup; each query answers
// within BOUND_MS so that no input can hang the page.  The highlighter
// builds DOM nodes (textContent, <mark> elements), never HTML from
// strings: checked on the source, and in chromium by
// tests/browser/search.test.js.  Prints one PASS/FAIL line per check;
// failing queries are written to $FUZZ_FAILED (a corpus file to keep) when
// set.  Exit status 1 when a check failed.
"use strict";
const fs = require("fs"), path = require("path");

const BOUND_MS = 2000;
const args = process.argv.slice(2);
const site = args.shift();
const opt = { n: 300, seconds: 0, seed: 1 };
for (let i = 0; i < args.length; i += 2) {
  const k = args[i].replace(/^--/, "");
  if (!(k in opt) || !/^[0-9]+$/.test(args[i + 1] || "")) {
    console.error("query_fuzz: usage: SITE_DIR [--n N] [--seconds S] [--seed S]");
    process.exit(2);
  }
  opt[k] = Number(args[i + 1]);
}
if (!site || !fs.existsSync(path.join(site, "search/index.json"))) {
  console.error("query_fuzz: no built site with a search index at " + site);
  process.exit(2);
}
const here = __dirname;

/* ---- the client, loaded as tests/search/query.js loads it ---- */
const load = require("../search/client.js");
const src = load.src;
const PS = load(site);

/* ---- what the site holds: every record the index can answer ---- */
const root = JSON.parse(fs.readFileSync(path.join(site, "search/index.json")));
const records = new Map();          // url -> {title, label, kind, section, excerpt}
root.files.c.forEach((h, ci) => {
  const c = JSON.parse(fs.readFileSync(path.join(site, "search", `c${ci}.${root.files.c[ci]}.json`)));
  c.forEach((g) => g[4].forEach((s) => {
    records.set(root.base + g[0].slice(1) + (s[0] ? "#" + s[0] : ""),
      { title: g[1], label: g[2], kind: root.kinds[g[3]], section: s[1], excerpt: s[2] });
  }));
});
const pages = new Map();            // path -> HTML (or null: no such file)
function pageHTML(p) {
  if (!pages.has(p)) {
    const f = path.join(site, decodeURIComponent(p) + (p.endsWith("/") ? "index.html" : ""));
    let html = null;
    try { html = fs.readFileSync(f, "utf8"); } catch (e) { /* none */ }
    pages.set(p, html);
  }
  return pages.get(p);
}
/* Words of the site, for queries that find something. */
const siteWords = [];
for (const r of records.values()) {
  for (const w of (r.title + " " + (r.section || "")).split(/[^\p{L}\p{N}]+/u))
    if (w.length > 2 && siteWords.length < 5000) siteWords.push(w);
}

/* ---- the checks ---- */
const CHECKS = [
  ["settle", "every query settles without an exception"],
  ["limit", "at most the result limit"],
  ["urls", "every result links to a page of the site and its section"],
  ["text", "titles, sections, excerpts are the index's text; highlight words are words, never markup"],
  ["time", `each query answers within ${BOUND_MS / 1000} s`],
];
const WORDISH = /^[\p{L}\p{N}.]+$/u;

function withTimeout(p, ms) {
  let t;
  return Promise.race([p, new Promise((_, no) => { t = setTimeout(() => no(Error(`not settled after ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t));
}

/* Runs one query; returns {check: why} for each check it fails. */
async function one(q, o) {
  const bad = {}, t0 = process.hrtime.bigint();
  let r;
  try {
    PS.tokens(q);
    r = await withTimeout(PS.run(q, o), 10 * BOUND_MS);
    if (!r || !Array.isArray(r.results) || !Array.isArray(r.marks) || typeof r.total != "number")
      bad.settle = "not a result object";
  } catch (e) {
    bad.settle = String(e && e.stack || e).split("\n").slice(0, 3).join(" | ");
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (ms > BOUND_MS) bad.time = `${ms.toFixed(0)} ms`;
  if (bad.settle) return { bad, ms };
  const limit = o.limit || 10;
  if (r.results.length > limit || r.total < r.results.length)
    bad.limit = `${r.results.length} results, limit ${limit}, total ${r.total}`;
  for (const x of r.results) {
    const url = String(x.url), m = /^([^#]*)(?:#(.*))?$/.exec(url), html = pageHTML(m[1]);
    if (!records.has(url) || html == null) { bad.urls = `no page for ${url}`; break; }
    if (m[2] && !html.includes(`id="${m[2]}"`)) { bad.urls = `no id "${m[2]}" on ${m[1]}`; break; }
    if (o.kind && x.kind != o.kind) { bad.urls = `kind ${x.kind} with the filter ${o.kind}`; break; }
    const want = records.get(url);
    for (const k of ["title", "label", "kind", "section", "excerpt"])
      if (x[k] !== want[k]) { bad.text = `${k} of ${url}: ${JSON.stringify(x[k])}`; break; }
  }
  for (const mk of r.marks)
    if (typeof mk.w != "string" || !WORDISH.test(mk.w)) { bad.text = `highlight word ${JSON.stringify(mk.w)}`; break; }
  return { bad, ms };
}

/* ---- queries ---- */
function readCorpus() {
  const dir = path.join(here, "corpus/query"), out = [];
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".txt")).sort()) {
    const lines = fs.readFileSync(path.join(dir, f), "utf8").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    lines.forEach((l, i) => {
      let q = l;
      if (l.startsWith("json:")) {
        try { q = JSON.parse(l.slice(5)); } catch (e) { throw Error(`${f}:${i + 1}: bad JSON string`); }
      }
      out.push({ q, where: `${f}:${i + 1}` });
    });
  }
  return out;
}

/* mulberry32: small, seeded, the same sequence everywhere. */
function prng(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const PIECES = ["", " ", "\t", "\n", "\u00a0", "\u3000", ".*+?^${}()|[]\\", "(a+)+$", "(.*a){20}", "\\", "[", "(",
  "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "&amp;", "&lt;b&gt;", "<b>", "</mark>",
  "\u0000", "\u0001\u001f\u007f", "\u0085\u009b", "\ud800", "\udfff", "\udfff\ud800", "\u202e", "\u2066\u2069",
  "\u200d", "\ufeff", "\uffff", "e\u0301", "a\u0300\u0301\u0302\u0303\u0304\u0305", "\u0301",
  "备份设置", "バックアップ", "백업", "😀", "👩\u200d💻", "🇫🇷", "résumé", "STRASSE", "straße", "İ", "ﬁ",
  "__proto__", "constructor", "toString", "hasOwnProperty", "prototype", "valueOf",
  "0", "-1", "1e308", "3.0.1", "NaN", "Infinity", "0x1F", "-", "--", "\"", "\"\"", "'", "*", "?", "~",
  "AND", "OR", "NOT", "+restore", "-restore", "\"restore files\"", "title:restore", "%00", "%3Cscript%3E"];
function randChar(rnd) {
  const kind = Math.floor(rnd() * 8);
  const ranges = [[0x20, 0x7e], [0, 0x1f], [0xa0, 0x24f], [0x300, 0x36f], [0x4e00, 0x9fff],
    [0xac00, 0xd7a3], [0xd800, 0xdfff], [0x1f300, 0x1faff]];
  const [lo, hi] = ranges[kind];
  return String.fromCodePoint(lo + Math.floor(rnd() * (hi - lo + 1)));
}
function randQuery(rnd) {
  const big = rnd() < 0.03, n = big ? 200 + Math.floor(rnd() * 2000) : 1 + Math.floor(rnd() * 8);
  let q = "";
  for (let i = 0; i < n && q.length < 10000; i++) {
    const r = rnd();
    if (r < 0.35) q += siteWords[Math.floor(rnd() * siteWords.length)] || "restore";
    else if (r < 0.65) q += PIECES[Math.floor(rnd() * PIECES.length)];
    else if (r < 0.8) for (let k = 1 + Math.floor(rnd() * 6); k > 0; k--) q += randChar(rnd);
    else if (r < 0.9) { const w = siteWords[Math.floor(rnd() * siteWords.length)] || "restore";
      const at = Math.floor(rnd() * w.length); q += w.slice(0, at) + randChar(rnd) + w.slice(at + 1); }
    else q += (siteWords[Math.floor(rnd() * siteWords.length)] || "restore").slice(0, 1 + Math.floor(rnd() * 4));
    if (rnd() < 0.7) q += rnd() < 0.9 ? " " : PIECES[1 + Math.floor(rnd() * 4)];
  }
  return q.slice(0, 10000);
}
const LIMITS = [undefined, 1, 5, 6, 10, 20, 40];
function randOpts(rnd) {
  const o = { limit: LIMITS[Math.floor(rnd() * LIMITS.length)] };
  if (rnd() < 0.15) o.kind = [...root.kinds, "__proto__", "toString", "x"][Math.floor(rnd() * (root.kinds.length + 3))];
  if (rnd() < 0.1) o.tag = [...root.tags.map((t) => t[0]), "__proto__", "constructor", "toString", "length"][
    Math.floor(rnd() * (root.tags.length + 4))];
  return o;
}

/* ---- the run ---- */
async function series(name, gen) {
  const fails = new Map(CHECKS.map((c) => [c[0], []]));
  let count = 0, slow = { ms: 0, q: "" }, found = 0;
  for (let item; (item = gen(count)); count++) {
    const { bad, ms } = await one(item.q, item.o);
    if (ms > slow.ms) slow = { ms, q: item.q };
    for (const k of Object.keys(bad)) fails.get(k).push({ q: item.q, o: item.o, where: item.where, why: bad[k] });
    if (!bad.settle) found++;
  }
  let failed = 0;
  for (const [k, label] of CHECKS) {
    const f = fails.get(k);
    const extra = k == "time" ? ` (slowest ${slow.ms.toFixed(0)} ms, ${slow.q.length} chars)` : "";
    console.log(`${f.length ? "FAIL" : "PASS"} search fuzz: ${name} (${count} queries): ${label}${extra}`);
    for (const x of f.slice(0, 3))
      console.error(`    ${x.where ? x.where + ": " : ""}${JSON.stringify(x.q.slice(0, 200))} ${JSON.stringify(x.o)}: ${x.why}`);
    failed += f.length;
    if (f.length && process.env.FUZZ_FAILED)
      fs.appendFileSync(process.env.FUZZ_FAILED, f.map((x) => "json:" + JSON.stringify(x.q) + "\n").join(""));
  }
  return failed;
}

(async () => {
  let failed = 0;
  const source = /\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|DOMParser|createContextualFragment/.exec(src);
  console.log(`${source ? "FAIL" : "PASS"} search fuzz: search.js builds results as DOM nodes, never HTML from strings`);
  if (source) { console.error(`    search.js uses ${source[0]}`); failed++; }
  const corpus = readCorpus();
  failed += await series("corpus", (i) => i < corpus.length ?
    { q: corpus[i].q, o: { limit: i % 3 ? 10 : 5 }, where: corpus[i].where } : null);
  const rnd = prng(opt.seed), end = Date.now() + opt.seconds * 1000;
  const name = opt.seconds ? `${opt.seconds} s of random queries, seed ${opt.seed}` : `random, seed ${opt.seed}`;
  failed += await series(name, (i) => (opt.seconds ? Date.now() < end : i < opt.n) ?
    { q: randQuery(rnd), o: randOpts(rnd) } : null);
  process.exitCode = failed ? 1 : 0;     // stdout may be a pipe: let it drain
})().catch((e) => { console.error(e); process.exit(1); });
