/* Porch search: queries the index under /search/ (docs/search.md) and shows
   results as you type ("/" or Ctrl-K), on /search/?q=, and through
   window.PorchSearch.query(text, {limit}) for other pages, and
   PorchSearch.recent(), the last queries typed here. No dependencies.
   Tokenising must stay in step with generator/tokenize.c. */
(function () {
  "use strict";
  var W = window, D = document, S = D.currentScript || {}, data = S.dataset || {};
  var ROOT = data.index || "/search/index.json";
  var WORD = /[\p{L}\p{N}]/u, NUM = /\p{N}/u, DIGIT = /[0-9]/;
  var CJK = /[\u1100-\u11ff\u3005-\u3007\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\u{20000}-\u{3134f}]/u;
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", B = {}, IMP = [];
  for (var i = 0; i < 64; i++) { B[B64.charCodeAt(i)] = i; IMP[i] = 0.05 * Math.pow(1.12, i); }
  /* A section is named by its page's place and its place in the page;
     here as one number, page * SEC + section, which sorts the same. */
  var SEC = 1048576;

  /* Case and accent folding: NFKC without marks, lower case, ß and ς. */
  function fold(s) {
    return s.normalize("NFKD").replace(/\p{M}/gu, "").normalize("NFC").toLowerCase()
      .replace(/ß/g, "ss").replace(/ς/g, "σ");
  }

  /* Words as the indexer splits them: [{w, cjk, num}]. */
  function tokens(s) {
    var out = [], cs = Array.from(fold(s)), cur = "", n = 0, num = 0, run = "", prev = "";
    function word() { if (n > 1 && n <= 40) out.push({ w: cur, num: num }); cur = ""; n = num = 0; }
    function runEnd() { if (Array.from(run).length == 1) out.push({ w: run, cjk: 1 }); run = ""; }
    cs.forEach(function (c, i) {
      if (WORD.test(c) && CJK.test(c)) {
        word();
        if (run) out.push({ w: Array.from(run).pop() + c, cjk: 1 });
        run += c;
      } else {
        runEnd();
        if (WORD.test(c)) { cur += c; n++; if (NUM.test(c)) num = 1; }
        else if (c == "." && n && DIGIT.test(prev) && DIGIT.test(cs[i + 1] || "")) { cur += c; n++; }
        else word();
      }
      prev = c;
    });
    word(); runEnd();
    return out;
  }

  /* ------------------------------------------------------------ loading */
  var cache = {}, root;
  function get(url, fresh) {
    return cache[url] || (cache[url] = fetch(url, fresh ? { cache: "no-cache" } : {}).then(function (r) {
      if (!r.ok) throw Error(url + ": " + r.status);
      return r.json();
    }).catch(function (e) { delete cache[url]; throw e; }));
  }
  /* Each file is named by its own hash, which the root lists. */
  function file(r, kind, i) {
    return ROOT.replace(/[^/]*$/, "") + kind + (i == null ? "." + r.files[kind] : i + "." + r.files[kind][i]) + ".json";
  }
  function loadRoot() {
    return root || (root = get(ROOT, 1).then(function (r) {
      if (r.format != "porch-search" || r.version != 3) throw Error("unknown index format");
      /* Each chunk's first section: page gap, place in the page. */
      var starts = [], page = 0;
      for (var c = 0; c < r.chunks.length; c += 2) { page += r.chunks[c]; starts.push(page * SEC + r.chunks[c + 1]); }
      r.keys = r.shards; r.starts = starts;
      r.stopset = new Set(r.stop);
      return r;
    }).catch(function (e) { root = null; throw e; }));
  }
  /* The last index i with a[i] <= x (a sorted; JavaScript's < is the
     index's order). */
  function find(a, x) {
    var lo = 0, hi = a.length;
    while (hi - lo > 1) { var m = (lo + hi) >> 1; if (a[m] <= x) lo = m; else hi = m; }
    return lo;
  }
  function shard(r, i) {
    return get(file(r, "s", i)).then(function (s) {
      if (s.m) return s;
      s.m = new Map(); s.sf = new Map();
      s.t.forEach(function (e) {
        e = { k: e[0], df: e[1], p: e[2], s: e[3] || [] };
        s.m.set(e.k, e);
        e.s.forEach(function (w) { s.sf.set(w, e); });
      });
      s.al = new Map(s.a || []);
      s.ti = new Map((s.x || []).map(function (x) { return [x[0], x.slice(1).map(function (p) { return p * SEC; })]; }));
      return s;
    });
  }
  /* Postings: [section, impact, ...]. Each: the page gap doubled, plus 1
     when a section number follows (its place in the page, or the gap
     from the previous one in the same page; less 1); then the impact. */
  function postings(e) {
    if (e.d) return e.d;
    var s = e.p, out = [], page = -1, sec = 0, i = 0, v;
    function num() {
      var n = 0, m = 1, c;
      do { c = B[s.charCodeAt(i++)]; n += (c & 31) * m; m *= 32; } while (c & 32);
      return n;
    }
    while (i < s.length) {
      v = num();
      if (v >= 2) { page += Math.floor(v / 2); sec = 0; }
      if (v & 1) sec += num() + 1;
      out.push(page * SEC + sec, B[s.charCodeAt(i++)]);
    }
    return (e.d = out);
  }
  /* Edit distance of a and b (a swap of two letters is one edit), or
     max + 1 when larger. */
  function ed(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var p = [], q = [], c, i, j, low;
    for (j = 0; j <= b.length; j++) p[j] = j;
    for (i = 1; i <= a.length; i++) {
      c = [i]; low = i;
      for (j = 1; j <= b.length; j++) {
        c[j] = Math.min(p[j] + 1, c[j - 1] + 1, p[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) c[j] = Math.min(c[j], q[j - 2] + 1);
        if (c[j] < low) low = c[j];
      }
      if (low > max) return max + 1;
      q = p; p = c;
    }
    return p[b.length];
  }

  /* The dictionary entries a query word matches, with a factor each:
     1 the word or a form of it, .9 a stem it starts with (forms the site
     never uses), .8 a completion of the last word, .6 a typo. */
  function resolve(r, t, last) {
    var w = t.w, first = find(r.keys, w), upto = first, hit = new Map();
    if (last && !t.cjk && w.length > 1) upto = Math.min(find(r.keys, w + "\uffff"), first + 2);
    var ids = [];
    for (var i = first; i <= upto; i++) ids.push(i);
    return Promise.all(ids.map(function (i) { return shard(r, i); })).then(function (sh) {
      var s = sh[0], e = s.m.get(w) || s.sf.get(w), more = [];
      if (e) hit.set(e, 1);
      else if (s.al.has(w)) {
        var stem = s.al.get(w);
        more.push(shard(r, find(r.keys, stem)).then(function (o) { var x = o.m.get(stem); if (x) hit.set(x, 1); }));
      }
      return Promise.all(more).then(function () {
        /* A form the site never uses: a stem it starts with, when the rest
           looks like an ending (a vowel or "s"). */
        if (!hit.size && !t.cjk && !t.num)
          for (var k = w.length - 1; k >= Math.max(3, w.length - 4); k--)
            if (/^[aeiouys]/.test(w.slice(k)) && (e = s.m.get(w.slice(0, k)))) { hit.set(e, 0.9); break; }
        var cand = [];
        if (last && !t.cjk && w.length > 1) sh.forEach(function (o) {
          o.m.forEach(function (x) {
            if (!hit.has(x) && (x.k.startsWith(w) || x.s.some(function (f) { return f.startsWith(w); }))) cand.push(x);
          });
        });
        cand.sort(function (a, b) { return b.df - a.df; }).slice(0, 40).forEach(function (x) { hit.set(x, 0.8); });
        if (hit.size || w.length < 5 || t.cjk) return { hit: hit, shard: s };
        /* Typos: the terms of the shards that hold words starting with
           the same two letters, up to four shards around the word's. */
        var max = w.length >= 9 ? 2 : 1, lo = find(r.keys, w.slice(0, 2)), hi = find(r.keys, w.slice(0, 2) + "\uffff"), more2 = [];
        lo = Math.max(lo, first - 2); hi = Math.min(hi, Math.max(lo, first - 2) + 3);
        for (var k2 = lo; k2 <= hi; k2++) if (k2 < first || k2 > upto) more2.push(shard(r, k2));
        return Promise.all(more2).then(function (extra) {
          sh.concat(extra).forEach(function (o) {
            o.m.forEach(function (x) {
              var d = Math.min.apply(null, [x.k].concat(x.s).map(function (f) { return ed(w, f, max); }));
              if (d <= max) hit.set(x, d == 1 ? 0.6 : 0.45);
            });
          });
          return { hit: hit, shard: s };
        });
      });
    });
  }

  function kindOf(r, sid) {
    var lo = 0, hi = r.runs.length / 2, page = Math.floor(sid / SEC);
    while (hi - lo > 1) { var m = (lo + hi) >> 1; if (r.runs[2 * m] <= page) lo = m; else hi = m; }
    return r.kinds[r.runs[2 * lo + 1]];
  }
  function tagSet(r, tag) {
    if (!tag) return Promise.resolve(null);
    return get(file(r, "t")).then(function (t) {
      var v = t[tag] || [], set = new Set(), at = 0;
      for (var i = 0; i < v.length; i++) set.add(at += v[i]);
      return set;
    });
  }
  function chunk(r, ci) {
    return get(file(r, "c", ci)).then(function (c) {
      if (c.recs) return c;
      /* The chunk's pages follow one another; the first may start
         inside its page. */
      var page = Math.floor(r.starts[ci] / SEC), sec = r.starts[ci] % SEC;
      c.recs = {};
      c.forEach(function (g, gi) {
        if (gi) { page++; sec = 0; }
        g[4].forEach(function (s) {
          c.recs[page * SEC + sec++] = { url: r.base + g[0].slice(1) + (s[0] ? "#" + s[0] : ""), title: g[1], label: g[2],
            kind: r.kinds[g[3]], section: s[1], excerpt: s[2] };
        });
      });
      return c;
    });
  }

  /* Runs a query: {results: [{title, section, url, excerpt, kind, label}],
     total, marks} where marks are the folded words and prefixes to
     highlight. opts: limit, kind, tag. */
  function run(text, opts) {
    opts = opts || {};
    return loadRoot().then(function (r) {
      var all = tokens(text), partial = !/\s$/.test(text), toks = all.filter(function (t) {
        return !r.stopset.has(t.w);
      });
      if (!toks.length || !r.keys.length) return { results: [], total: 0, marks: [] };
      var lastw = toks.map(function (t) { return partial && t === all[all.length - 1]; });
      return Promise.all(toks.map(function (t, i) { return resolve(r, t, lastw[i]); })).then(function (res) {
        /* Per section: the score, and a bit per query word it contains. */
        var N = r.sections, score = new Map(), bits = new Map(), marks = [], ti;
        res.forEach(function (x, i) {
          var best = new Map(), bit = 1 << Math.min(i, 30);
          marks.push({ w: toks[i].w, p: lastw[i] });
          x.hit.forEach(function (f, e) {
            var idf = Math.log(1 + (N - e.df + 0.5) / (e.df + 0.5)), p = postings(e);
            marks.push({ w: e.k }); e.s.forEach(function (s) { marks.push({ w: s }); });
            for (var j = 0; j < p.length; j += 2) {
              var v = idf * IMP[p[j + 1]] * f;
              if (!(best.get(p[j]) >= v)) best.set(p[j], v);
            }
          });
          best.forEach(function (v, sid) {
            score.set(sid, (score.get(sid) || 0) + v);
            bits.set(sid, (bits.get(sid) || 0) | bit);
          });
        });
        function present(sid) {
          for (var b = bits.get(sid), n = 0; b; b &= b - 1) n++;
          return n;
        }
        /* An exact title match comes first. */
        ti = res[0].shard.ti.get(toks.map(function (t) { return t.w; }).join(" "));
        (ti || []).forEach(function (sid) { score.set(sid, (score.get(sid) || 0) + 1e6); bits.set(sid, -1 >>> 1); });
        return tagSet(r, opts.tag).then(function (tags) {
          var list = [];
          score.forEach(function (v, sid) {
            if (opts.kind && kindOf(r, sid) != opts.kind) return;
            if (tags && !tags.has(Math.floor(sid / SEC))) return;
            var c = Math.min(1, present(sid) / toks.length);
            list.push([v * c * c, sid]);
          });
          list.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
          var top = list.slice(0, opts.limit || 10);
          return Promise.all(top.map(function (x) { return chunk(r, find(r.starts, x[1])); })).then(function (cs) {
            return {
              total: list.length, marks: marks,
              results: top.map(function (x, i) { return Object.assign({ score: x[0] }, cs[i].recs[x[1]]); })
            };
          });
        });
      });
    });
  }

  W.PorchSearch = {
    query: function (text, opts) {
      return run(text, opts).then(function (r) {
        return r.results.map(function (x) {
          return { title: x.title, section: x.section, url: x.url, excerpt: x.excerpt, kind: x.kind, label: x.label };
        });
      });
    },
    tokens: tokens,
    run: run
  };
  if (!D.createElement) return;

  /* ----------------------------------------------------------------- UI */
  function el(tag, cls, text) {
    var e = D.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  /* text with the words matching marks in <mark> (built as DOM: nothing is
     parsed as HTML). */
  function highlight(text, marks) {
    var f = D.createDocumentFragment(), exact = new Set(), pre = [], cjk = new Set(), at = 0, m;
    marks.forEach(function (x) { (CJK.test(x.w) ? cjk : exact).add(x.w); if (x.p) pre.push(x.w); });
    var re = /[\p{L}\p{N}]+/gu;
    function add(a, b, hl) {
      if (b <= a) return;
      var s = text.slice(a, b);
      f.appendChild(hl ? el("mark", "", s) : D.createTextNode(s));
    }
    while ((m = re.exec(text))) {
      var s = m[0], st = m.index, fw = fold(s);
      if (CJK.test(s)) {
        var cs = Array.from(s), off = st, on = [];
        cs.forEach(function (c, i) {
          var a = i && cjk.has(fold(cs[i - 1] + c)), b = i + 1 < cs.length && cjk.has(fold(c + cs[i + 1]));
          on.push(a || b || (cs.length == 1 && cjk.has(fold(c))));
        });
        cs.forEach(function (c, i) {
          if (on[i]) { add(at, off, 0); add(off, off + c.length, 1); at = off + c.length; }
          off += c.length;
        });
      } else if (exact.has(fw) || pre.some(function (p) { return fw.startsWith(p); })) {
        add(at, st, 0); add(st, st + s.length, 1); at = st + s.length;
      }
    }
    add(at, text.length, 0);
    return f;
  }
  function item(x, marks, id, plain) {
    var li = el("li", "ps-item"), a = el("a"), head = el("span", "ps-head");
    li.id = id; a.href = x.url;
    if (!plain) { li.setAttribute("role", "option"); a.tabIndex = -1; }
    head.appendChild(el("span", "ps-title", x.title));
    if (x.section) { head.appendChild(el("span", "ps-sep", " \u203a ")); head.appendChild(el("span", "ps-sec", x.section)); }
    a.appendChild(head);
    if (x.label) a.appendChild(el("span", "ps-label ps-" + x.kind, x.label));
    var p = el("span", "ps-excerpt");
    p.appendChild(highlight(x.excerpt || "", marks));
    a.appendChild(p);
    li.appendChild(a);
    return li;
  }
  function plural(n) { return n == 1 ? "1 result" : n + " results"; }
  function searchURL(q) { return (data.page || "/search/") + "?q=" + encodeURIComponent(q); }

  /* Zero-result queries go to porchd when site.lua asks for it. */
  var missed = new Set(), missTimer;
  function miss(q) {
    clearTimeout(missTimer);
    q = q.trim();
    if (!data.miss || q.length < 3 || missed.has(q)) return;
    missTimer = setTimeout(function () {
      missed.add(q);
      fetch(data.miss, { method: "POST", keepalive: true, headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ query: q }) }).catch(function () {});
    }, 1500);
  }

  /* The last queries typed here (those with no results too), kept in this
     browser for a day: the ticket form offers to send them to support,
     with the customer's consent (PorchSearch.recent()). */
  var RKEY = "porch-searches", remTimer;
  function recent() {
    try {
      var now = Date.now();
      return (JSON.parse(localStorage.getItem(RKEY)) || []).filter(function (x) { return now - x.t < 864e5; });
    } catch (e) { return []; }
  }
  function remember(q, n) {
    clearTimeout(remTimer);
    q = q.trim();
    if (q.length < 2) return;
    remTimer = setTimeout(function () {
      var now = Date.now(), a = recent().filter(function (x) {
        return x.q != q && !(now - x.t < 3e4 && q.indexOf(x.q) == 0);
      });
      a.push({ q: q, n: n, t: now });
      try { localStorage.setItem(RKEY, JSON.stringify(a.slice(-8))); } catch (e) { /* private mode */ }
    }, 1000);
  }
  W.PorchSearch.recent = function () { return recent().map(function (x) { return x.q; }); };

  var css = ".ps-dialog{width:min(680px,calc(100vw - 24px));max-height:min(640px,calc(100vh - 48px));margin:8vh auto auto;padding:0;border:1px solid var(--border);border-radius:12px;background:var(--bg);color:var(--fg);box-shadow:var(--shadow)}" +
    ".ps-dialog::backdrop{background:rgb(0 0 0/.4)}.ps-dialog[open]{display:flex;flex-direction:column}" +
    ".ps-bar{display:flex;gap:8px;padding:12px;border-bottom:1px solid var(--border-soft)}" +
    ".ps-bar input{flex:1;min-width:0;height:44px;padding:0 12px;font:inherit;font-size:1.0625rem;color:inherit;background:var(--bg-soft);border:1px solid var(--border);border-radius:8px}" +
    ".ps-list{list-style:none;margin:0;padding:6px;overflow:auto}.ps-item a{display:block;padding:10px 12px;border-radius:8px;color:inherit;text-decoration:none}" +
    ".ps-item[aria-selected=true] a,.ps-item a:hover{background:var(--bg-muted)}.ps-head{display:block;font-weight:600;color:var(--fg-strong)}" +
    ".ps-sep,.ps-sec{font-weight:500}.ps-label{display:inline-block;margin:4px 0 0;padding:0 8px;font-size:.75rem;border:1px solid var(--border);border-radius:99px;color:var(--fg-muted)}" +
    ".ps-excerpt{display:block;margin-top:4px;font-size:.875rem;color:var(--fg-muted)}.ps-list mark{background:color-mix(in srgb,var(--primary) 22%,transparent);color:var(--fg-strong);border-radius:2px}" +
    ".ps-status,.ps-foot{margin:0;padding:8px 18px;font-size:.8125rem;color:var(--fg-muted)}.ps-page .ps-status{min-height:calc(1.3rem + 16px)}.ps-foot{border-top:1px solid var(--border-soft)}" +
    ".ps-filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:16px 0}.ps-filters select{height:38px;padding:0 8px;font:inherit;color:inherit;background:var(--bg);border:1px solid var(--border);border-radius:8px}.ps-filters button[aria-pressed=true]{background:var(--primary);color:#fff;border-color:var(--primary)}" +
    ".ps-page .ps-item a{padding:16px 0;border-radius:0;border-top:1px solid var(--border-soft)}.ps-page .ps-item[aria-selected=true] a{background:none}" +
    ".ps-more{margin:16px 0}";
  /* The styles of the dialog and the results, added when first needed:
     a page that never searches pays no style recalculation for them. */
  function styles() {
    if (css) { D.head.appendChild(el("style", "", css)); css = ""; }
  }

  /* A result list bound to an input: arrows move, Enter opens.  plain: a
     list of links reached with Tab (the results page), not a listbox,
     whose options may not hold links. */
  function List(input, list, status, plain) {
    var self = this, items = [], active = -1, seq = 0;
    if (!plain) {
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", list.id);
      list.setAttribute("role", "listbox");
    }
    function select(i) {
      if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
      active = i;
      if (i >= 0 && items[i]) {
        items[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }
    input.addEventListener("keydown", function (e) {
      if (plain) return;
      if (e.key == "ArrowDown" || e.key == "ArrowUp") {
        e.preventDefault();
        if (items.length) select((active + (e.key == "ArrowDown" ? 1 : items.length - 1 + (active < 0 ? 1 : 0))) % items.length);
      } else if (e.key == "Enter" && active >= 0 && items[active]) {
        e.preventDefault();
        location.href = items[active].querySelector("a").href;
        if (self.onopen) self.onopen();
      }
    });
    self.show = function (q, opts) {
      var mine = ++seq;
      if (!q.trim()) { self.fill([], [], ""); return Promise.resolve(); }
      return run(q, opts).then(function (r) {
        if (mine == seq) self.fill(r.results, r.marks, q, r.total);
      }, function () {
        if (mine == seq) { self.fill([], [], ""); status.textContent = "Search is not available right now."; }
      });
    };
    self.fill = function (results, marks, q, total) {
      list.textContent = "";
      items = results.map(function (x, i) { var li = item(x, marks, list.id + "-" + i, plain); list.appendChild(li); return li; });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!plain) input.setAttribute("aria-expanded", String(items.length > 0));
      status.textContent = !q ? "" : items.length ? (total > items.length ? items.length + " of " + plural(total) : plural(items.length)) :
        "No results for \u201c" + q.trim() + "\u201d";
      if (q && !items.length) miss(q);
      if (q) remember(q, items.length);
      if (items.length && self.autoselect) select(0);
    };
  }

  function debounce(fn, ms) {
    var t;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  /* The search page: /search/?q=&kind=&tag= */
  var pageBox = D.querySelector("[data-search-results]");
  if (pageBox) {
    styles();
    var form = D.querySelector(".search-page-form"), pin = D.querySelector("[data-search-page-input]");
    var params = new URLSearchParams(location.search), kind = params.get("kind") || "", tag = params.get("tag") || "";
    var filters = el("div", "ps-filters"), plist = el("ul", "ps-list"), pstat = el("p", "ps-status"), more = el("button", "btn ps-more", "Show more");
    var nojs = D.querySelector(".search-nojs"), limit = 20, plainList;
    if (nojs) nojs.hidden = true;
    pageBox.classList.add("ps-page");
    plist.id = "ps-page-list";
    pstat.setAttribute("role", "status");
    pstat.setAttribute("aria-live", "polite");
    more.type = "button";
    more.hidden = true;
    pageBox.append(filters, pstat, plist, more);
    pin.value = params.get("q") || "";
    plainList = new List(pin, plist, pstat, true);
    var kinds = [["", "All"], ["docs", "Docs"], ["faq", "FAQ"], ["changelog", "Changelog"], ["roadmap", "Roadmap"]];
    var kbtn = kinds.map(function (k) {
      var b = el("button", "btn", k[1]);
      b.type = "button";
      b.setAttribute("aria-pressed", String(k[0] == kind));
      b.onclick = function () { kind = k[0]; kbtn.forEach(function (x, i) { x.setAttribute("aria-pressed", String(kinds[i][0] == kind)); }); go(); };
      filters.appendChild(b);
      return b;
    });
    var tsel = el("select");
    tsel.setAttribute("aria-label", "Tag");
    tsel.appendChild(el("option", "", "Any tag")).value = "";
    filters.appendChild(tsel);
    loadRoot().then(function (r) {
      r.tags.forEach(function (t) { tsel.appendChild(el("option", "", t[0] + " (" + t[1] + ")")).value = t[0]; });
      tsel.value = tag;
      tsel.hidden = !r.tags.length;
    }).catch(function () {});
    tsel.onchange = function () { tag = tsel.value; go(); };
    more.onclick = function () { limit += 20; go(1); };
    var go = function (keep) {
      var q = pin.value, u = new URLSearchParams();
      if (!keep) limit = 20;
      if (q) u.set("q", q);
      if (kind) u.set("kind", kind);
      if (tag) u.set("tag", tag);
      history.replaceState(null, "", "?" + u);
      plainList.show(q, { limit: limit, kind: kind, tag: tag }).then(function () {
        more.hidden = plist.children.length < limit;
        var found = plist.children.length > 0;
        D.querySelector("[data-search-browse]").hidden = found;
        D.documentElement.classList.toggle("search-q", found);
      });
    };
    form.addEventListener("submit", function (e) { e.preventDefault(); go(); });
    pin.addEventListener("input", debounce(go, 120));
    go();
  }

  /* The dialog: "/" or Ctrl-K, or focus on a header search box. */
  var dlg, din, back, quiet;
  function build() {
    styles();
    dlg = el("dialog", "ps-dialog");
    dlg.setAttribute("aria-label", "Search");
    var bar = el("form", "ps-bar"), list = el("ul", "ps-list"), st = el("p", "ps-status"), foot = el("p", "ps-foot"), all = el("a", "", "All results");
    bar.setAttribute("role", "search");
    din = el("input");
    din.type = "search";
    din.placeholder = "Search";
    din.setAttribute("aria-label", "Search the help center");
    din.autocomplete = "off";
    list.id = "ps-list";
    st.setAttribute("role", "status");
    st.setAttribute("aria-live", "polite");
    bar.appendChild(din);
    foot.append(all, " \u00b7 \u2191\u2193 to move, Enter to open, Esc to close");
    dlg.append(bar, st, list, foot);
    D.body.appendChild(dlg);
    var L = new List(din, list, st);
    L.autoselect = 1;
    L.onopen = close;
    var upd = debounce(function () { all.href = searchURL(din.value); L.show(din.value, { limit: 6 }); }, 80);
    din.addEventListener("input", upd);
    bar.addEventListener("submit", function (e) { e.preventDefault(); location.href = searchURL(din.value); });
    dlg.addEventListener("click", function (e) { if (e.target == dlg) close(); });
    /* Escape closes at once (in a search field it would first clear it). */
    dlg.addEventListener("keydown", function (e) { if (e.key == "Escape") { e.preventDefault(); close(); } });
    dlg.addEventListener("close", function () {
      if (back && back.focus) { quiet = back; back.focus(); }
      back = null;
    });
    all.href = searchURL("");
    list.addEventListener("click", function () { close(); });
    dlg.upd = upd;
  }
  function open(text) {
    if (!dlg) build();
    if (dlg.open) return;
    back = D.activeElement;
    dlg.showModal();
    if (text != null) din.value = text;
    din.focus();
    din.select();
    dlg.upd();
    loadRoot().catch(function () {});
  }
  function close() { if (dlg && dlg.open) dlg.close(); }
  W.PorchSearch.open = open;
  D.addEventListener("keydown", function (e) {
    var t = e.target, typing = t && (/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable);
    if (((e.key == "k" || e.key == "K") && (e.ctrlKey || e.metaKey)) || (e.key == "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey)) {
      if (pageBox && e.key == "/") { e.preventDefault(); pin.focus(); return; }
      e.preventDefault();
      open();
    }
  }, true);
  D.querySelectorAll("[data-search-input]").forEach(function (inp) {
    inp.addEventListener("focus", function () {
      if (quiet === inp) { quiet = null; return; }
      open(inp.value);
    });
  });
})();
