# Search: the index files `porch build` writes under /search/ (bounded in
# number, listed by the root, fingerprinted, with .gz twins), the /search/
# page, the script on every page, the zero-result option, and the query
# sets of the example site, the golden site and a CJK site run through the
# real client (tests/search/query.js, with node), each expected page at
# its rank.
. tests/lib.sh

d=$(scratch)
if ! "$PORCH" build content -o "$d/pub" -q 2>"$d/err"; then
	fail "search: example site builds" "$(cat "$d/err")"
	return 0 2>/dev/null || exit 0
fi
s="$d/pub/search"

# The root and the files it lists, nothing else.
if python3 - "$s" >"$d/check" 2>&1 <<'PY'
import json, os, sys
s = sys.argv[1]
r = json.load(open(os.path.join(s, "index.json")))
assert r["format"] == "porch-search" and r["version"] == 3, "format"
f = r["files"]
assert len(f["s"]) == len(r["shards"]) and 2 * len(f["c"]) == len(r["chunks"]), "names"
for h in f["s"] + f["c"] + [f["t"]]:
    assert len(h) == 8 and int(h, 16) >= 0, "hash %s" % h
want = {"index.json", "index.html", "t.%s.json" % f["t"]}
want |= {"s%d.%s.json" % (i, h) for i, h in enumerate(f["s"])}
want |= {"c%d.%s.json" % (i, h) for i, h in enumerate(f["c"])}
have = {f for f in os.listdir(s) if not f.endswith(".gz")}
assert have == want, "unlisted or missing: %s" % sorted(have ^ want)
assert len(r["shards"]) >= 2, "shards: %d" % len(r["shards"])
assert r["shards"] == sorted(r["shards"]) and r["shards"][0] == "", "shard keys"
# Each chunk's first section (page gap, place in the page), in order, and
# the chunks hold every section: their pages' sections, less the first's
# before its start, and the last page's after the chunk ends.
starts = []
page = 0
for i in range(0, len(r["chunks"]), 2):
    page += r["chunks"][i]
    starts.append((page, r["chunks"][i + 1]))
assert starts[0] == (0, 0) and starts == sorted(set(starts)), "chunk starts"
held = 0
for i, h in enumerate(f["c"]):
    c = json.load(open(os.path.join(s, "c%d.%s.json" % (i, h))))
    held += sum(len(g[4]) for g in c)
    if i + 1 < len(starts):
        # its pages: up to the next chunk's, and that one's start too
        # when the next chunk starts inside it
        (p0, _), (p1, s1) = starts[i], starts[i + 1]
        assert len(c) == p1 - p0 + (s1 > 0), "chunk %d pages" % i
assert held == r["sections"] > 400, "chunk sizes"
assert len(want) <= 256 + 512 + 3, "file count"
for f in want - {"index.html"}:
    json.load(open(os.path.join(s, f)))
print(len(want), "files,", r["sections"], "sections,", len(r["shards"]), "shards,",
      len(r["chunks"]) // 2, "chunks")
PY
then
	pass "search: root lists every index file, bounded ($(cat "$d/check"))"
else
	fail "search: root lists every index file" "$(cat "$d/check")"
fi

bad=0
for f in "$s"/*.json "$s"/index.html; do
	gunzip -c "$f.gz" 2>/dev/null | cmp -s - "$f" || { bad=1; echo "    no .gz twin: $f" >&2; }
done
[ $bad -eq 0 ] && pass "search: every index file has a .gz twin" || fail "search: .gz twins"

"$PORCH" build content -o "$d/pub1" -q -j 1 2>/dev/null
diff -r "$s" "$d/pub1/search" >/dev/null && pass "search: same index with one thread" ||
	fail "search: same index with one thread"

# The page and the script.
grep -q 'class="lead search-nojs"' "$s/index.html" &&
	grep -q 'href="/docs/restore/"' "$s/index.html" &&
	grep -q 'name="sites" value="help.skylark.example"' "$s/index.html" &&
	pass "search: /search/ works without JavaScript (links, web search)" ||
	fail "search: /search/ without JavaScript"
# One indexable URL for every query: no noindex, the canonical link and the
# sitemap name /search/ without ?q=.
! grep -q 'name="robots"' "$s/index.html" &&
	grep -q '<link rel="canonical" href="https://help.skylark.example/search/">' "$s/index.html" &&
	grep -q '<meta name="description" content="Search ' "$s/index.html" &&
	grep -q '<loc>https://help.skylark.example/search/</loc>' "$d/pub/sitemap.xml" &&
	pass "search: /search/ is indexable as one URL (canonical without the query, in the sitemap)" ||
	fail "search: /search/ is indexable as one URL (canonical without the query, in the sitemap)"
js=$(ls "$d/pub/assets/" | grep -E '^search\.[0-9a-f]{8}\.js$')
if [ -n "$js" ] && grep -q "src=\"/assets/$js\" defer data-index=\"/search/index.json\"" \
    "$d/pub/docs/restore/files-and-folders/index.html"; then
	pass "search: every page loads search.js, deferred"
else
	fail "search: every page loads search.js" "$js"
fi
size=$(gzip -9c "$d/pub/assets/$js" | wc -c)
[ "$size" -lt 12288 ] && pass "search: search.js is $size bytes gzipped (< 12 KB)" ||
	fail "search: search.js is $size bytes gzipped (limit 12 KB)"
# A new site (porch init) reports no misses until site.lua asks.
make_site "$d/def"
"$PORCH" build "$d/def" -o "$d/def-out" -q 2>/dev/null
[ -f "$d/def-out/index.html" ] && ! grep -q 'data-miss' "$d/def-out/index.html" &&
	pass "search: misses not reported by default" ||
	fail "search: misses not reported by default"
grep -q 'data-miss="/api/search/miss"' "$d/pub/index.html" &&
	pass "search: the example site reports misses to its endpoint" ||
	fail "search: the example site reports misses to its endpoint"

# site.lua: search = { report_misses = true }
make_site "$d/miss"
sed -i 's|^return {|return {\n  search = { report_misses = true },\n  endpoint = "https://api.example.com/",|' "$d/miss/site.lua"
if "$PORCH" build "$d/miss" -o "$d/miss-out" -q 2>"$d/err" &&
    grep -q 'data-miss="https://api.example.com/search/miss"' "$d/miss-out/index.html" &&
    python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["site"]["search"]["report_misses"] is True' \
	"$d/miss-out/catalog.json"; then
	pass "search: report_misses reaches the page and catalog.json"
else
	fail "search: report_misses reaches the page and catalog.json" "$(cat "$d/err")"
fi
sed -i 's|report_misses = true|report_misses = "yes"|' "$d/miss/site.lua"
"$PORCH" build "$d/miss" -o "$d/miss-out2" -q 2>"$d/err"
[ $? -ne 0 ] && grep -q "report_misses" "$d/err" && pass "search: report_misses must be a boolean" ||
	fail "search: report_misses must be a boolean" "$(cat "$d/err")"

# The query set, through the real client.
if ! command -v node >/dev/null; then
	echo "    (node not installed: query set skipped)" >&2
	return 0 2>/dev/null || exit 0
fi
# queries.tsv: query, expected URL, rank it must reach; prints MRR@5.
run_queries() {	# run_queries SITE_OUT QUERIES_TSV NAME
	python3 - "$1" "$2" "$3" <<'PY'
import json, subprocess, sys
out, tsv, name = sys.argv[1:]
qs = [l.rstrip("\n").split("\t") for l in open(tsv, encoding="utf-8")
      if l.strip() and not l.startswith("#")]
res = json.loads(subprocess.run(["node", "tests/search/query.js", out, "--json"] +
      [q[0] for q in qs], capture_output=True, text=True, check=True).stdout)
mrr, bad = 0.0, 0
for q, r in zip(qs, res):
    urls = [x["url"] for x in r["results"]]
    rank = next((i + 1 for i, u in enumerate(urls) if u == q[1]), None)
    mrr += 1 / rank if rank else 0
    ok = rank is not None and rank <= int(q[2])
    print("PASS" if ok else "FAIL", "search: %s: %r finds %s%s" % (name, q[0], q[1],
          "" if ok else " (rank %s; got %s)" % (rank, urls[:3])))
    bad += not ok
print("PASS search: %s: MRR@5 %.3f over %d queries" % (name, mrr / len(qs), len(qs)))
PY
}
run_queries "$d/pub" tests/search/queries-example.tsv example >"$d/q" 2>"$d/qerr" ||
	echo "FAIL search: query set could not run: $(head -3 "$d/qerr")" >>"$RESULTS"
cat "$d/q" >>"$RESULTS"
grep '^FAIL' "$d/q" >&2

# A page long enough to span excerpt chunks, and the pages around it:
# each section is found at its own anchor (a chunk names its first
# section by its page's place and its place in the page, so one that
# starts inside the long page must be read from there).
make_site "$d/long"
if python3 - "$d/long" "$d/long-out" >"$d/q" 2>&1 <<'PY'
import json, os, subprocess, sys
site, out = sys.argv[1:]
def word(n):	# letters only (digits are not stemmed alike), one per n
    s = ""
    for _ in range(3):
        s += chr(97 + n % 26)
        n //= 26
    return "zq" + s
body = "---\ntitle: Long reference\n---\n\nIntro.\n\n"
for n in range(300):
    body += ("## Topic %d\n\nThe %s setting explains %s in detail, with words "
             "enough to fill the excerpt of a section.\n\n" % (n, word(n), word(n)))
open(site + "/docs/long-reference.md", "w").write(body)
open(site + "/docs/zz-after.md", "w").write(
    "---\ntitle: After the long page\n---\n\nThe zqafter setting.\n")
subprocess.run([os.environ["PORCH"], "build",
                site, "-o", out, "-q"], check=True)
r = json.load(open(out + "/search/index.json"))
assert any(r["chunks"][i + 1] > 0 for i in range(0, len(r["chunks"]), 2)), \
    "no chunk starts inside a page: %s" % r["chunks"]
want = [(word(n), "/docs/long-reference/#topic-%d" % n) for n in (0, 150, 299)]
want.append(("zqafter", "/docs/zz-after/"))
res = json.loads(subprocess.run(["node", "tests/search/query.js", out, "--json"] +
                 [w for w, _ in want], capture_output=True, text=True, check=True).stdout)
for (w, url), got in zip(want, res):
    first = got["results"][0]["url"] if got["results"] else None
    assert first == url, "%s: %s, not %s" % (w, first, url)
print(len(r["chunks"]) // 2, "chunks")
PY
then
	pass "search: a page spanning excerpt chunks: every section found at its anchor ($(cat "$d/q"))"
else
	fail "search: a page spanning excerpt chunks" "$(tail -5 "$d/q")"
fi

"$PORCH" build tests/golden/site -o "$d/golden" -q 2>/dev/null
run_queries "$d/golden" tests/search/queries-golden.tsv golden >"$d/q" 2>"$d/qerr" ||
	echo "FAIL search: golden query set could not run: $(head -3 "$d/qerr")" >>"$RESULTS"
cat "$d/q" >>"$RESULTS"
grep '^FAIL' "$d/q" >&2

# Chinese, Japanese and Korean pages, found without a dictionary.
make_site "$d/cjk"
printf -- '---\ntitle: 备份设置\n---\n\n如何更改备份计划和保留规则。\n' >"$d/cjk/docs/zh.md"
printf -- '---\ntitle: バックアップの復元\n---\n\nファイルを以前の状態に戻す方法。\n' >"$d/cjk/docs/ja.md"
printf -- '---\ntitle: 백업 복원\n---\n\n파일을 이전 상태로 되돌리는 방법.\n' >"$d/cjk/docs/ko.md"
printf -- '---\ntitle: Café résumé\n---\n\nNaïve Straße.\n' >"$d/cjk/docs/accents.md"
"$PORCH" build "$d/cjk" -o "$d/cjk-out" -q 2>"$d/err" || fail "search: CJK site builds" "$(cat "$d/err")"
printf '%s\n' "保留规则	/docs/zh/	1" "备份设置	/docs/zh/	1" "復元	/docs/ja/	1" \
	"以前の状態	/docs/ja/	1" "복원	/docs/ko/	1" "cafe resume	/docs/accents/	1" \
	"NAIVE strasse	/docs/accents/	1" >"$d/cjk.tsv"
run_queries "$d/cjk-out" "$d/cjk.tsv" cjk >"$d/q" 2>"$d/qerr" ||
	echo "FAIL search: CJK query set could not run: $(head -3 "$d/qerr")" >>"$RESULTS"
cat "$d/q" >>"$RESULTS"
grep '^FAIL' "$d/q" >&2
true
