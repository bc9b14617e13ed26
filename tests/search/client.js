// The search client outside a browser: the real
// themes/default/assets/search.js run in node's vm, its fetch() reading the
// files of a built site from disk.  Shared by tests/search/query.js
// (ranking, bytes fetched) and tests/fuzz/query_fuzz.js (the fuzzer).
//
//   const load = require("../search/client.js");
//   const PS = load(SITE_DIR, (url, file, body) => { ... });
//
// load(site, onFetch) runs a fresh copy of the script and returns its
// PorchSearch object.  onFetch, when given, is called for each fetch that
// finds its file: the URL as asked, the path on disk, the bytes read.  A
// fetch of a missing file answers 404 (the query then rejects) and is not
// reported.  load.src is the script's text (query_fuzz.js checks it).
"use strict";
const fs = require("fs"), path = require("path"), vm = require("vm");

const src = fs.readFileSync(path.join(__dirname, "../../themes/default/assets/search.js"), "utf8");

function load(site, onFetch) {
  const ctx = {
    console, Promise, Map, Set, URLSearchParams,
    document: { currentScript: { dataset: { index: "/search/index.json" } } },
    fetch(url) {
      const file = path.join(site, decodeURIComponent(url.replace(/[?#].*$/, "")));
      let body;
      try {
        body = fs.readFileSync(file);
      } catch (e) {
        return Promise.resolve({ ok: false, status: 404 });
      }
      if (onFetch) onFetch(url, file, body);
      return Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve(JSON.parse(body)) });
    },
  };
  ctx.window = ctx;
  vm.createContext(ctx);
  vm.runInContext(src, ctx);
  return ctx.PorchSearch;
}

module.exports = load;
module.exports.src = src;
