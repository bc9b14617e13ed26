#!/usr/bin/env bash
# Search benchmark: Porch's search index and client side by side with
# Pagefind indexing the same built pages, in one run, per site.
#
# Usage: scripts/bench/search.sh [--sizes "example 1000 10000"]
#                                [--repeat 3] [--porch PATH] [--queries 40]
#
#   --sizes    "example" (the example site, content/) and corpus sizes in
#              pages (corpus.py, generated once into the cache and reused,
#              the same corpora as run.sh); default "example 1000 10000"
#   --repeat   runs of each index build; the median is reported (default 3)
#   --porch    the porch binary (default build/porch)
#   --queries  queries per corpus from tests/search/corpus-queries.py
#              (default 40; the example site uses queries-example.tsv)
#
# For each site: `porch build` with PORCH_SEARCH_STATS=1 (the CPU its
# index adds, the files and bytes under /search/); Pagefind over the same
# pages as docs/search.md describes (Porch's output less its list, tag,
# search and 404 pages, --root-selector main) under /usr/bin/time; then
# tests/browser/compare.js in chromium for both engines (MRR@5, bytes of
# the first query and the next three, latency).  Prints one table per
# site with the goals of issue 3, met or MISSED.
#
# Everything it makes or installs goes under $PORCH_BENCH_CACHE (default
# ~/.cache/porch-bench), never into the repository: the corpora, the
# built sites (out/search-*), logs, query sets, a copy of each report
# under results/, and Pagefind (npm, into the cache, as run.sh does).  A
# missing tool makes its figures "n/a" with the reason.  Exits 0 whatever
# Pagefind or the browser do; 1 only when Porch itself cannot be measured.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${PORCH_BENCH_CACHE:-$HOME/.cache/porch-bench}
sizes="example 1000 10000"
repeat=3
porch="$root/build/porch"
nqueries=40

while [ $# -gt 0 ]; do
	case "$1" in
	--sizes) sizes="$2"; shift 2 ;;
	--sizes=*) sizes="${1#*=}"; shift ;;
	--repeat) repeat="$2"; shift 2 ;;
	--repeat=*) repeat="${1#*=}"; shift ;;
	--porch) porch="$2"; shift 2 ;;
	--porch=*) porch="${1#*=}"; shift ;;
	--queries) nqueries="$2"; shift 2 ;;
	--queries=*) nqueries="${1#*=}"; shift ;;
	-h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "search.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done

mkdir -p "$cache"
logdir="$cache/logs"
mkdir -p "$logdir"
ncpu=$(nproc)
. "$here/lib.sh"

if [ ! -x /usr/bin/time ]; then
	echo "search.sh: /usr/bin/time is missing; install it with: sudo apt-get install time" >&2
	exit 1
fi
case "$porch" in /*) ;; *) porch="$PWD/$porch" ;; esac
if [ ! -x "$porch" ]; then
	echo "search.sh: $porch not found; run 'make' first" >&2
	exit 1
fi

# ------------------------------------------------------------------ tools

# Pagefind: found or installed as run.sh does (lib.sh, npm into the cache).
bench_pagefind search.sh
pf_why=$pagefind_why

# The browser comparison: node, Debian's chromium and playwright-core in
# tests/browser/node_modules (scripts/install-deps.sh installs them).
br_why=""
chrome=/usr/bin/chromium	# compare.js's executablePath
if ! command -v node >/dev/null 2>&1; then
	br_why="node missing (scripts/install-deps.sh installs it)"
elif [ ! -x "$chrome" ]; then
	br_why="$chrome missing (scripts/install-deps.sh installs chromium)"
elif [ ! -d "$root/tests/browser/node_modules/playwright-core" ]; then
	br_why="tests/browser/node_modules/playwright-core missing (scripts/install-deps.sh installs it)"
fi

# ------------------------------------------------------------- measuring


# Figures of the site being measured, "name value" lines in $fig.
fig=""
put() { printf '%s %s\n' "$1" "$2" >>"$fig"; }

# porch_runs SRC SITE: builds SRC into SITE $repeat times with
# PORCH_SEARCH_STATS=1 under /usr/bin/time; records the medians of the
# build's wall, CPU and peak RSS and of the index's own CPU (collect +
# merge + finish, as search.c prints them), and the index counts.
porch_runs() {
	local src=$1 site=$2 log=$logdir/search-porch.log t st
	local walls="" cpus="" rsss="" idx="" col="" mer="" fin="" secs=""
	: >"$log"
	for _ in $(seq "$repeat"); do
		rm -rf "$site" "$site.porch-cache"
		t=$(mktemp)
		st=$(mktemp)
		if ! PORCH_SEARCH_STATS=1 /usr/bin/time -f "%e %U %S %M" -o "$t" \
		    "$porch" build "$src" -o "$site" -q 2>"$st"; then
			cat "$st" >>"$log"
			echo "search.sh: porch build $src failed: $(tail -n 1 "$st" | grep . || echo 'no message') (see $log)" >&2
			rm -f "$t" "$st"
			return 1
		fi
		cat "$st" >>"$log"
		read -r w u s m <"$t"
		walls+="$w"$'\n'
		cpus+="$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"$'\n'
		rsss+="$m"$'\n'
		# "search: N sections, ...; collect N ms CPU, merge N ms CPU, finish N ms CPU"
		local line
		line=$(grep '^search: ' "$st" | tail -n 1)
		rm -f "$t" "$st"
		if [ -z "$line" ]; then
			echo "search.sh: porch printed no 'search:' line with PORCH_SEARCH_STATS=1 (see $log)" >&2
			return 1
		fi
		local c m2 f
		c=$(printf '%s' "$line" | sed -n 's/.*collect \([0-9.]*\) ms.*/\1/p')
		m2=$(printf '%s' "$line" | sed -n 's/.*merge \([0-9.]*\) ms.*/\1/p')
		f=$(printf '%s' "$line" | sed -n 's/.*finish \([0-9.]*\) ms.*/\1/p')
		col+="${c:-0}"$'\n'; mer+="${m2:-0}"$'\n'; fin+="${f:-0}"$'\n'
		idx+="$(awk -v a="${c:-0}" -v b="${m2:-0}" -v d="${f:-0}" 'BEGIN { print (a + b + d) / 1000 }')"$'\n'
		secs=$(printf '%s' "$line" | sed -n 's/^search: \([0-9]*\) sections.*/\1/p')
	done
	put porch_sections "$secs"
	put porch_build_wall "$(printf '%s' "$walls" | median)"
	put porch_build_cpu "$(printf '%s' "$cpus" | median)"
	put porch_rss_kb "$(printf '%s' "$rsss" | median)"
	put porch_index_cpu "$(printf '%s' "$idx" | median)"
	put porch_collect_ms "$(printf '%s' "$col" | median)"
	put porch_merge_ms "$(printf '%s' "$mer" | median)"
	put porch_finish_ms "$(printf '%s' "$fin" | median)"
	return 0
}

# index_size PREFIX DIR: files (not counting .gz twins), bytes as a
# gzip-serving host sends them (the .gz twin when there is one, a file
# already in gzip as it is, else the gzip -9 of .js/.css/.json/.html as
# compare.js counts, else the file) and raw bytes (uncompressed).
index_size() {
	python3 - "$2" "$1" >>"$fig" <<'EOF'
import gzip, os, sys
top, prefix = sys.argv[1], sys.argv[2]
files = gz = raw = 0
for d, _, names in os.walk(top):
    for n in names:
        p = os.path.join(d, n)
        if n.endswith(".gz") and os.path.exists(p[:-3]):
            continue
        data = open(p, "rb").read()
        files += 1
        packed = data[:2] == b"\x1f\x8b"
        raw += len(gzip.decompress(data)) if packed else len(data)
        if os.path.exists(p + ".gz"):
            gz += os.path.getsize(p + ".gz")
        elif packed or not n.endswith((".js", ".css", ".json", ".html")):
            gz += len(data)
        else:
            gz += len(gzip.compress(data, 9))
print("%s_files %d\n%s_gz %d\n%s_raw %d" % (prefix, files, prefix, gz, prefix, raw))
EOF
}

# pagefind_input SITE DIR: hard links (or copies) into DIR the HTML pages
# of SITE that Pagefind indexes: all but the list, tag, search and 404
# pages (by the theme's <body class="kind-...">).  Prints the page count.
pagefind_input() {
	rm -rf "$2"
	python3 - "$1" "$2" <<'EOF'
import os, re, shutil, sys
site, dst = sys.argv[1], sys.argv[2]
skip = re.compile(r"_list$|^faq_category$|^tags?$|^search$|^404$")
kind = re.compile(rb'<body[^>]*class="[^"]*\bkind-([a-z0-9_]+)')
n = 0
for d, dirs, names in os.walk(site):
    rel = os.path.relpath(d, site)
    if rel == "pagefind" or rel.startswith("pagefind" + os.sep):
        dirs[:] = []
        continue
    for f in names:
        if not f.endswith(".html"):
            continue
        src = os.path.join(d, f)
        m = kind.search(open(src, "rb").read())
        if m and skip.search(m.group(1).decode()):
            continue
        out = os.path.join(dst, rel, f)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        try:
            os.link(src, out)
        except OSError:
            shutil.copyfile(src, out)
        n += 1
print(n)
EOF
}

# pagefind_runs SITE: Pagefind over SITE's pages (less those above), its
# bundle written to SITE/pagefind/ so that the browser finds both engines
# on one site; $repeat runs under /usr/bin/time, medians recorded.
pagefind_runs() {
	local site=$1 in=$1.pf-in log=$logdir/search-pagefind.log t
	local walls="" cpus="" rsss="" n
	if ! n=$(pagefind_input "$site" "$in"); then
		pf_site_why="could not select its input pages"
		return 1
	fi
	put pagefind_pages "$n"
	: >"$log"
	for _ in $(seq "$repeat"); do
		rm -rf "$site/pagefind"
		t=$(mktemp)
		if ! /usr/bin/time -f "%e %U %S %M" -o "$t" "$pagefind" --site "$in" \
		    --output-path "$site/pagefind" --root-selector main --quiet >>"$log" 2>&1; then
			pf_site_why="pagefind failed, see $log: $(grep -v '^Command exited' "$log" | tail -n 1)"
			rm -f "$t"
			return 1
		fi
		read -r w u s m <"$t"
		rm -f "$t"
		walls+="$w"$'\n'
		cpus+="$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"$'\n'
		rsss+="$m"$'\n'
	done
	rm -rf "$in"
	put pagefind_wall "$(printf '%s' "$walls" | median)"
	put pagefind_cpu "$(printf '%s' "$cpus" | median)"
	put pagefind_rss_kb "$(printf '%s' "$rsss" | median)"
	return 0
}

# compare ENGINE SITE QUERIES: tests/browser/compare.js for one engine
# (one run each, so that one engine failing leaves the other's figures);
# its JSON line becomes ENGINE_* figures.
compare() {
	local engine=$1 site=$2 qfile=$3 log=$logdir/search-compare-$1.log line
	if ! (cd "$root/tests/browser" && timeout 3600 node compare.js "$site" "$qfile" \
	    --engines "$engine") >"$log.out" 2>"$log"; then
		cmp_why[$engine]="compare.js failed, see $log: $(tail -n 1 "$log")"
		return 1
	fi
	line=$(grep '^{' "$log.out" | tail -n 1)
	printf '%s\n' "$line" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
for k, v in d.items():
    if isinstance(v, (int, float)):
        print("%s_%s %s" % (sys.argv[1], k, v))
' "$engine" >>"$fig"
}

# ------------------------------------------------------------------ table

# table FIGURES LABEL: the side-by-side table and the goals of issue 3.
table() {
	python3 - "$1" "$2" "$ncpu" <<'EOF'
import sys
figs, label, ncpu = {}, sys.argv[2], sys.argv[3]
notes = {}
for line in open(sys.argv[1]):
    k, _, v = line.rstrip("\n").partition(" ")
    if k.startswith("why_"):
        notes[k[4:]] = v
    elif v:
        figs[k] = float(v)

def g(k):
    return figs.get(k)

def kb(b):
    return None if b is None else b / 1000

def num(x, fmt):
    return "n/a" if x is None else fmt % x

def pair(a, b, fmt):
    if a is None and b is None:
        return "n/a"
    return num(a, fmt) + " / " + num(b, fmt)

def mp(m, p):
    return "n/a" if m is None else "%.1f (%.1f)" % (m, p)

def size(b):
    if b is None:
        return "n/a"
    return "%.0f KB" % (b / 1e3) if b < 1e6 else "%.1f MB" % (b / 1e6)

def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return "%.3f" % (a / b)

rows = []
def row(name, porch, pagefind, r):
    rows.append((name, porch, pagefind, r))

P = lambda k: g("porch_" + k)
F = lambda k: g("pagefind_" + k)
nq = P("queries") or F("queries")
row("MRR@5 (%s queries, by page)" % ("%d" % nq if nq else "?"),
    num(P("mrr5"), "%.3f"), num(F("mrr5"), "%.3f"), ratio(P("mrr5"), F("mrr5")))
row("first query KB gz, median (p90)",
    mp(kb(P("first_query_bytes_median")), kb(P("first_query_bytes_p90"))),
    mp(kb(F("first_query_bytes_median")), kb(F("first_query_bytes_p90"))),
    ratio(P("first_query_bytes_median"), F("first_query_bytes_median")))
row("first query files, median", num(P("first_query_files_median"), "%.0f"),
    num(F("first_query_files_median"), "%.0f"),
    ratio(P("first_query_files_median"), F("first_query_files_median")))
row("next three queries KB gz, median (p90)",
    mp(kb(P("next3_bytes_median")), kb(P("next3_bytes_p90"))),
    mp(kb(F("next3_bytes_median")), kb(F("next3_bytes_p90"))),
    ratio(P("next3_bytes_median"), F("next3_bytes_median")))
row("index files (no .gz twins)", num(P("idx_files"), "%.0f"), num(F("idx_files"), "%.0f"),
    ratio(P("idx_files"), F("idx_files")))
row("index bytes, gz / raw", size(P("idx_gz")) + " / " + size(P("idx_raw")),
    (size(F("idx_gz")) + " / " + size(F("idx_raw"))) if F("idx_gz") is not None else "n/a",
    ratio(P("idx_gz"), F("idx_gz")) + " / " + ratio(P("idx_raw"), F("idx_raw")))
row("index time, CPU s", num(P("index_cpu"), "%.2f"), num(F("cpu"), "%.2f"),
    ratio(P("index_cpu"), F("cpu")))
row("index time, wall s", "(in build)", num(F("wall"), "%.2f"), "n/a")
mib = lambda k: None if k is None else k / 1024	# GNU time's %M is in KiB; MB as run.sh prints them
row("peak RSS MB (porch: whole build)", num(mib(P("rss_kb")), "%.0f"), num(mib(F("rss_kb")), "%.0f"),
    ratio(P("rss_kb"), F("rss_kb")))
row("latency once loaded, p50 / p95 ms", pair(P("p50_ms"), P("p95_ms"), "%.1f"),
    pair(F("p50_ms"), F("p95_ms"), "%.1f"), ratio(P("p50_ms"), F("p50_ms")) + " / " +
    ratio(P("p95_ms"), F("p95_ms")))
row("porch build, whole: wall / CPU s", pair(P("build_wall"), P("build_cpu"), "%.2f"), "", "")

w = [max(len(r[i]) for r in rows + [(label, "Porch", "Pagefind", "ratio")]) for i in range(4)]
fmt = "| %%-%ds | %%%ds | %%%ds | %%%ds |" % tuple(w)
print(fmt % (label, "Porch", "Pagefind", "ratio"))
print("|" + "|".join("-" * (x + 2) if i == 0 else "-" * (x + 1) + ":" for i, x in enumerate(w)) + "|")
for r in rows:
    print(fmt % r)

if P("index_cpu") is not None and P("build_cpu"):
    print("  porch's index: %.0f ms collect + %.0f ms merge (CPU, in the render workers) + %.0f ms finish (CPU, one thread) = %.1f%% of the build's CPU; %s sections"
          % (P("collect_ms"), P("merge_ms"), P("finish_ms"), 100 * P("index_cpu") / P("build_cpu"),
             num(P("sections"), "%.0f")))
    print("  there is no switch to build without search, so the build's time without the index is not measured")
if F("pages") is not None:
    print("  pagefind indexed %d HTML pages (porch's output less its list, tag, search and 404 pages; --root-selector main)" % F("pages"))
if F("disk") is not None:
    print("  index files: porch's /search/ (shards, chunks, tags, root; its results page search/index.html included; search.js not);"
          " pagefind's bundle (its %d scripts and UI files included), %s on disk" % (F("scripts"), size(F("disk"))))
names = {"pagefind": "Pagefind", "browser": "compare.js (both engines)",
         "cmp_porch": "compare.js (porch)", "cmp_pagefind": "compare.js (pagefind)"}
for k, v in notes.items():
    print("  n/a: %s: %s" % (names.get(k, k), v))

def goal(text, ok):
    print("  %-64s %s" % (text, "n/a" if ok is None else ("met" if ok else "MISSED")))
print("goals (issue 3, for the 1,000- and 10,000-page corpora):")
a, b = P("mrr5"), F("mrr5")
goal("MRR@5 at least Pagefind's (%s vs %s)" % (num(a, "%.3f"), num(b, "%.3f")),
     None if a is None or b is None else a >= b)
a, b = P("first_query_bytes_median"), F("first_query_bytes_median")
goal("first query <= 1/4 of Pagefind's bytes (median; ratio %s)" % ratio(a, b),
     None if a is None or not b else a / b <= 0.25)
a, b = P("index_cpu"), F("cpu")
goal("index time <= 1/20 of Pagefind's, CPU vs CPU (ratio %s)" % ratio(a, b),
     None if a is None or not b else a / b <= 0.05)
if a is not None and F("wall"):
    print("  (for information: porch's index CPU / Pagefind's wall = %s)" % ratio(a, F("wall")))
EOF
}

# ------------------------------------------------------------------- run

declare -A cmp_why
bench_one() {	# bench_one SRC LABEL KEY QUERIES
	local src=$1 label=$2 key=$3 qfile=$4 out site pages
	out="$cache/out/search-$key"
	site="$out/site"
	mkdir -p "$out"
	fig="$out/figures.txt"
	: >"$fig"
	cmp_why=()
	pf_site_why=""
	pages=$(find "$src" \( -path "$src/static" -o -path "$src/themes" \) -prune -o -name '*.md' -print | wc -l)
	echo
	echo "== $label: $pages markdown pages, $(grep -v '^#' "$qfile" | grep -c .) queries ($qfile), load average before: $(load)"

	porch_runs "$src" "$site" || return 1
	index_size porch_idx "$site/search"

	if [ -n "$pf_why" ]; then
		put why_pagefind "$pf_why"
	elif pagefind_runs "$site"; then
		index_size pagefind_idx "$site/pagefind"
		put pagefind_disk "$(du -sb --apparent-size "$site/pagefind" | cut -f1)"
		put pagefind_scripts "$(find "$site/pagefind" -maxdepth 1 -type f \( -name 'pagefind*.js' -o -name 'pagefind*.css' \) | wc -l)"
	else
		put why_pagefind "$pf_site_why"
	fi

	if [ -n "$br_why" ]; then
		put why_browser "$br_why"
	else
		compare porch "$site" "$qfile" || put why_cmp_porch "${cmp_why[porch]}"
		if [ -z "$pf_why" ] && [ -z "$pf_site_why" ]; then
			compare pagefind "$site" "$qfile" || put why_cmp_pagefind "${cmp_why[pagefind]}"
		fi
	fi

	echo
	table "$fig" "$label, median of $repeat"
	echo "load average after: $(load)"
}

# A copy of everything printed, for docs/PERFORMANCE.md.
mkdir -p "$cache/results"
exec > >(tee "$cache/results/search-$(date -u +%Y%m%dT%H%M%SZ).txt")

echo "Porch search against Pagefind (scripts/bench/search.sh), $repeat index builds per figure, median reported"
echo "date:       $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine:    $ncpu cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
echo "porch:      $("$porch" version 2>/dev/null) ($porch, built $(date -u -r "$porch" '+%H:%M UTC'); tree at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- generator themes 2>/dev/null || echo ' with local changes to generator/ or themes/'))"
echo "pagefind:   $([ -n "$pagefind" ] && "$pagefind" --version 2>/dev/null | awk '{print $2}' || echo "n/a: $pf_why")"
echo "browser:    $([ -z "$br_why" ] && "$chrome" --version 2>/dev/null | head -n 1 || echo "n/a: $br_why")"
echo "load:       $(load) (1, 5, 15 min) at start; $(ps -eo stat= | grep -c '^R') runnable processes"
echo "cache:      $cache"

gen_hash=$(sha256sum "$here/corpus.py" | cut -c1-12)
status=0
for n in $sizes; do
	if [ "$n" = example ]; then
		bench_one "$root/content" "example site (content/)" example \
		    "$root/tests/search/queries-example.tsv" || status=1
		continue
	fi
	if ! dir=$(bench_corpus "$n"); then
		status=1
		continue
	fi
	q="$cache/queries-$n-$gen_hash-$nqueries.tsv"
	if [ ! -s "$q" ]; then
		python3 "$root/tests/search/corpus-queries.py" "$dir" "$nqueries" >"$q.tmp" &&
		    mv "$q.tmp" "$q"
	fi
	bench_one "$dir" "corpus of $n pages" "corpus-$n" "$q" || status=1
done
exit $status
