// Runs search.js outside a browser: the index of a built site is read from
// disk.  Usage: node query.js SITE_DIR [--json] QUERY...  Prints, per query,
// the top results as "url<TAB>title › section<TAB>label".  Used by
// tests/cli/search.sh and to measure ranking (MRR) against a query set.
"use strict";
const fs = require("fs");
const load = require("./client.js");
const args = process.argv.slice(2), site = args.shift();
const json = args[0] === "--json" && args.shift();
let fetched = 0, requests = [];
const PS = load(site, (url, file, body) => {
  requests.push(url);
  let gz = 0;
  try { gz = fs.statSync(file + ".gz").size; } catch (e) { gz = body.length; }
  fetched += gz;
});
(async () => {
  const out = [];
  for (const q of args) {
    const before = fetched, n = requests.length;
    const r = await PS.query(q, { limit: 5 });
    out.push({ query: q, results: r, bytes: fetched - before, files: requests.length - n });
  }
  if (json) { console.log(JSON.stringify(out)); return; }
  for (const o of out) {
    console.log(`# ${o.query}  (${o.files} files, ${o.bytes} bytes gzipped)`);
    for (const x of o.results)
      console.log(`${x.url}\t${x.title}${x.section ? " › " + x.section : ""}\t${x.label}`);
  }
})().catch((e) => { console.error(e); process.exit(1); });
