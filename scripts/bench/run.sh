#!/usr/bin/env bash
# Benchmark: Porch against its peers (Hugo, Hugo + Pagefind) and the floors
# (cmark-gfm and gzip -6 over the same files), on one corpus, in one run.
#
# Usage: scripts/bench/run.sh [--sizes "1000 10000"] [--content DIR]
#                             [--repeat 3] [--porch PATH] [--no-peers]
#
#   --sizes    corpus sizes in pages (default "1000 10000"); each corpus is
#              generated once by corpus.py into the cache and reused
#   --content  benchmark an existing content folder instead of generating
#   --repeat   runs per measurement; the median is reported (default 3)
#   --porch    the porch binary (default build/porch)
#   --no-peers only Porch and the floors
#
# Everything it generates or installs goes under $PORCH_BENCH_CACHE
# (default ~/.cache/porch-bench), never into the repository.  Missing
# tools are installed when running as root (hugo, cmark-gfm and time with
# apt-get; pagefind with npm into the cache); otherwise their rows say
# "n/a" and why.  Exits 0 whatever the peers do; 1 only when Porch itself
# cannot be measured.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${PORCH_BENCH_CACHE:-$HOME/.cache/porch-bench}
sizes="1000 10000"
content=""
repeat=3
porch="$root/build/porch"
peers=1

while [ $# -gt 0 ]; do
	case "$1" in
	--sizes) sizes="$2"; shift 2 ;;
	--sizes=*) sizes="${1#*=}"; shift ;;
	--content) content="$2"; shift 2 ;;
	--content=*) content="${1#*=}"; shift ;;
	--repeat) repeat="$2"; shift 2 ;;
	--repeat=*) repeat="${1#*=}"; shift ;;
	--porch) porch="$2"; shift 2 ;;
	--porch=*) porch="${1#*=}"; shift ;;
	--no-peers) peers=0; shift ;;
	-h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done

mkdir -p "$cache"
ncpu=$(nproc)
logdir="$cache/logs"
mkdir -p "$logdir"

. "$here/lib.sh"	# note, load, median, bench_host, bench_pagefind

# ------------------------------------------------------------------ tools

is_root=0
[ "$(id -u)" -eq 0 ] && is_root=1
apt_updated=0
apt_install() {	# apt_install PACKAGE: installs when root; returns status
	[ $is_root -eq 1 ] || return 1
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq --no-install-recommends "$1" >"$logdir/apt-$1.log" 2>&1; then
		if [ $apt_updated -eq 0 ]; then
			apt-get update -qq >>"$logdir/apt-$1.log" 2>&1
			apt_updated=1
		fi
		apt-get install -y -qq --no-install-recommends "$1" >>"$logdir/apt-$1.log" 2>&1 || return 1
	fi
}

if [ ! -x /usr/bin/time ]; then
	note "run.sh: installing GNU time (package 'time')"
	if ! apt_install time; then
		echo "run.sh: /usr/bin/time is missing; install it with: sudo apt-get install time" >&2
		exit 1
	fi
fi
if [ ! -x "$porch" ]; then
	echo "run.sh: $porch not found; run 'make' first" >&2
	exit 1
fi

declare -A why	# tool -> reason it is n/a
need_cmd() {	# need_cmd TOOL COMMAND PACKAGE
	command -v "$2" >/dev/null 2>&1 && return 0
	note "run.sh: installing $3 for $1"
	if apt_install "$3" && command -v "$2" >/dev/null 2>&1; then
		return 0
	fi
	if [ $is_root -eq 1 ]; then
		why[$1]="apt-get install $3 failed (see $logdir/apt-$3.log)"
	else
		why[$1]="$2 not installed; install with: sudo apt-get install $3"
	fi
	return 1
}

need_cmd cmark-gfm cmark-gfm cmark-gfm
if [ $peers -eq 1 ]; then
	need_cmd hugo hugo hugo
	bench_pagefind run.sh || why[pagefind]=$pagefind_why
else
	why[hugo]="--no-peers"
	why[pagefind]="--no-peers"
fi

# ------------------------------------------------------------ measuring

# Per tool results: wall, cpu, rss (KB), bytes.
declare -A R_WALL R_CPU R_SYS R_RSS R_BYTES


# measure TOOL SETUP CMD: runs SETUP (untimed) and CMD under /usr/bin/time
# $repeat times; stores the median wall, CPU (user+sys) and peak RSS.
# Returns 1, with the reason in why[TOOL], when a run fails.
measure() {
	local tool=$1 setup=$2 cmd=$3 i t log
	log=$logdir/$tool.log
	local walls="" cpus="" syss="" rsss=""
	: >"$log"
	for i in $(seq "$repeat"); do
		bash -c "$setup" >>"$log" 2>&1
		t=$(mktemp)
		if ! /usr/bin/time -f "%e %U %S %M" -o "$t" bash -c "$cmd" >>"$log" 2>&1; then
			why[$tool]="failed, see $log: $(grep -v '^Command exited' "$log" | tail -n 1)"
			rm -f "$t"
			return 1
		fi
		read -r w u s m <"$t"
		rm -f "$t"
		walls+="$w"$'\n'
		cpus+="$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"$'\n'
		syss+="$s"$'\n'
		rsss+="$m"$'\n'
	done
	R_WALL[$tool]=$(printf '%s' "$walls" | median)
	R_CPU[$tool]=$(printf '%s' "$cpus" | median)
	R_SYS[$tool]=$(printf '%s' "$syss" | median)
	R_RSS[$tool]=$(printf '%s' "$rsss" | median)
	return 0
}

bytes_of() { du -sb --apparent-size "$@" 2>/dev/null | awk '{s+=$1} END {print s+0}'; }

# combine NEW A B [mode]: sums (or for the floor, sums walls) two results
combine() {
	local new=$1 a=$2 b=$3
	if [ -n "${R_WALL[$a]:-}" ] && [ -n "${R_WALL[$b]:-}" ]; then
		R_WALL[$new]=$(awk -v x="${R_WALL[$a]}" -v y="${R_WALL[$b]}" 'BEGIN { print x + y }')
		R_CPU[$new]=$(awk -v x="${R_CPU[$a]}" -v y="${R_CPU[$b]}" 'BEGIN { print x + y }')
		R_SYS[$new]=$(awk -v x="${R_SYS[$a]}" -v y="${R_SYS[$b]}" 'BEGIN { print x + y }')
		R_RSS[$new]=$(( ${R_RSS[$a]} > ${R_RSS[$b]} ? ${R_RSS[$a]} : ${R_RSS[$b]} ))
		R_BYTES[$new]=$(( ${R_BYTES[$a]:-0} + ${R_BYTES[$b]:-0} ))
	else
		why[$new]="${why[$a]:-${why[$b]:-n/a}}"
	fi
}

notes=()
row() {	# row LABEL TOOL PAGES
	local label=$1 tool=$2 pages=$3
	if [ -n "${R_WALL[$tool]:-}" ]; then
		awk -v l="$label" -v w="${R_WALL[$tool]}" -v c="${R_CPU[$tool]}" \
		    -v s="${R_SYS[$tool]}" -v r="${R_RSS[$tool]}" \
		    -v b="${R_BYTES[$tool]:-0}" -v p="$pages" \
		    'BEGIN { printf "| %-38s | %7.2f | %7.2f | %7.2f | %11.0f | %9.1f | %7.0f |\n",
		        l, w, c, s, r / 1024, b / 1e6, (w > 0 ? p / w : 0) }'
	else
		printf '| %-38s | %7s | %7s | %7s | %11s | %9s | %7s |\n' "$label" n/a n/a n/a n/a n/a n/a
		notes+=("$label: n/a, ${why[$tool]:-no figure}")
	fi
}

ratio() {	# ratio LABEL A B TARGET: prints A/B for wall time and the target
	local label=$1 a=$2 b=$3 target=$4 field=${5:-wall}
	local x y
	case "$field" in
	rss) x=${R_RSS[$a]:-}; y=${R_RSS[$b]:-} ;;
	cpu) x=${R_CPU[$a]:-}; y=${R_CPU[$b]:-} ;;
	*) x=${R_WALL[$a]:-}; y=${R_WALL[$b]:-} ;;
	esac
	if [ -n "$x" ] && [ -n "$y" ]; then
		awk -v l="$label" -v x="$x" -v y="$y" -v t="$target" \
		    'BEGIN { r = (y > 0 ? x / y : 0);
		        if (t == "-") printf "  %-40s %6.3f\n", l, r;
		        else printf "  %-40s %6.3f   target <= %-5s %s\n", l, r, t,
		            (r <= t ? "met" : "MISSED") }'
	else
		printf '  %-40s %6s   (%s)\n' "$label" n/a "${why[$b]:-${why[$a]:-n/a}}"
	fi
}

# ---------------------------------------------------------------- corpus

# make_hugo_site CORPUS SITE: a Hugo site whose content/ holds the corpus's
# markdown (hard links, or copies across file systems); index.md becomes
# _index.md, since a Hugo folder with index.md is a leaf bundle whose other
# pages would vanish.
make_hugo_site() {
	local src=$1 site=$2
	rm -rf "$site.tmp"
	mkdir -p "$site.tmp"
	cp "$here/hugo/config.toml" "$site.tmp/config.toml"
	cp -R "$here/hugo/layouts" "$site.tmp/layouts"
	python3 - "$src" "$site.tmp/content" <<'EOF'
import os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
for d, dirs, files in os.walk(src):
    rel = os.path.relpath(d, src)
    top = rel.split(os.sep)[0]
    dirs[:] = sorted(x for x in dirs if not x.startswith(".") and
                     not (rel == "." and x in ("static", "themes")))
    for f in sorted(files):
        if not f.endswith(".md") or f.startswith("."):
            continue
        out = os.path.join(dst, rel, "_index.md" if f == "index.md" else f)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        try:
            os.link(os.path.join(d, f), out)
        except OSError:
            shutil.copyfile(os.path.join(d, f), out)
EOF
	rm -rf "$site"
	mv "$site.tmp" "$site"
}

# The markdown files of a content folder, NUL-separated, sorted.
md_list() {
	(cd "$1" && find . \( -path ./static -o -path ./themes -o -name '.*' ! -name . \) -prune \
	    -o -type f -name '*.md' -print0 | sort -z)
}

machine() {	# the report's head: bench_host (lib.sh), then the peers
	bench_host
	echo "hugo:       $(command -v hugo >/dev/null && hugo version 2>/dev/null | awk '{print $2}' || echo "n/a")"
	echo "pagefind:   $([ -n "${pagefind:-}" ] && "$pagefind" --version 2>/dev/null | awk '{print $2}' || echo "n/a")"
	echo "cmark-gfm:  $(command -v cmark-gfm >/dev/null && cmark-gfm --version | head -n 1 | awk '{print $2}' || echo "n/a")"
	echo "gzip:       $(gzip --version | head -n 1 | awk '{print $2}')"
}


# ------------------------------------------------------------------- run

bench_one() {	# bench_one CORPUS_DIR LABEL KEY
	local src=$1 label=$2 key=$3 out pages list
	out="$cache/out/$key"
	R_WALL=(); R_CPU=(); R_RSS=(); R_BYTES=()
	mkdir -p "$out"
	list="$out/md.list0"
	md_list "$src" >"$list"
	pages=$(tr -cd '\0' <"$list" | wc -c)
	local mdbytes
	mdbytes=$(cd "$src" && xargs -0 cat <"$list" | wc -c)
	echo
	echo "== $label: $pages markdown pages, $(awk -v b="$mdbytes" 'BEGIN{printf "%.1f MB", b/1e6}') ($(awk -v b="$mdbytes" -v p="$pages" 'BEGIN{printf "%.0f", b/p}') bytes/page), load average before: $(load)"

	# Porch: the full build (HTML, .gz twins, feeds, catalog.json).  A
	# full build is a cold one: each run removes OUT.porch-cache, beside
	# OUT, with OUT, or porch would reuse the previous run's manifest and
	# cached markdown renders and measure an incremental build
	# (scripts/bench/incremental.sh measures those).
	if measure porch "rm -rf '$out/porch' '$out/porch.porch-cache'" "'$porch' build '$src' -o '$out/porch' -q"; then
		R_BYTES[porch]=$(bytes_of "$out/porch")
	else
		echo "run.sh: porch failed on $src: ${why[porch]}" >&2
		return 1
	fi
	if measure porch-j1 "rm -rf '$out/porch-j1' '$out/porch-j1.porch-cache'" "'$porch' build '$src' -o '$out/porch-j1' -q -j 1"; then
		R_BYTES[porch-j1]=$(bytes_of "$out/porch-j1")
	fi
	rm -rf "$out/porch-j1" "$out/porch-j1.porch-cache"

	# Hugo, then Pagefind over Hugo's output.
	if [ -z "${why[hugo]:-}" ]; then
		make_hugo_site "$src" "$out/hugo-site"
		if measure hugo "rm -rf '$out/hugo'" \
		    "hugo --source '$out/hugo-site' --destination '$out/hugo' --quiet"; then
			R_BYTES[hugo]=$(bytes_of "$out/hugo")
		fi
	fi
	if [ -z "${why[pagefind]:-}" ]; then
		if [ -n "${R_WALL[hugo]:-}" ]; then
			if measure pagefind "rm -rf '$out/hugo/pagefind'" \
			    "'$pagefind' --site '$out/hugo' --quiet"; then
				R_BYTES[pagefind]=$(bytes_of "$out/hugo/pagefind")
			fi
		else
			why[pagefind]="needs Hugo's output: ${why[hugo]:-}"
		fi
	fi
	combine hugo+pagefind hugo pagefind

	# Floors: cmark-gfm over the same .md files (500 files per process,
	# given together so one process renders their concatenation: process
	# start-up, about 10 ms here, would otherwise dominate), and gzip -6 of
	# every file Porch compressed (Porch's .gz twins, recompressed from
	# the originals), split over the cores with xargs -P, and on one core.
	local gzsrc="$out/gzip-src"
	rm -rf "$gzsrc"
	mkdir -p "$gzsrc"
	(cd "$out/porch" && find . -type f -name '*.gz' -print0 | sed -z 's/\.gz$//' |
	    tar --null -T - -cf - | tar -xf - -C "$gzsrc")
	(cd "$gzsrc" && find . -type f -print0 | sort -z) >"$out/gz.list0"
	local p
	for p in "$ncpu" 1; do
		if [ -z "${why[cmark-gfm]:-}" ]; then
			if measure "cmark-P$p" "rm -rf '$out/cmark'; mkdir -p '$out/cmark'" \
			    "cd '$src' && xargs -0 -P $p -n 500 sh -c 'exec cmark-gfm --unsafe -e table -e strikethrough -e autolink -e tagfilter -e tasklist \"\$@\" >\"$out/cmark/\$\$.html\"' cmark <'$list'"; then
				R_BYTES[cmark-P$p]=$(bytes_of "$out/cmark")
			fi
		else
			why[cmark-P$p]=${why[cmark-gfm]}
		fi
		if measure "gzip-P$p" "find '$gzsrc' -name '*.gz' -delete" \
		    "cd '$gzsrc' && xargs -0 -P $p -n 1000 gzip -6 -k -f <'$out/gz.list0'"; then
			R_BYTES[gzip-P$p]=$(cd "$gzsrc" && find . -name '*.gz' -print0 | xargs -0 du -cb --apparent-size | awk '/total$/ {s+=$1} END {print s+0}')
		fi
		combine "floor-P$p" "cmark-P$p" "gzip-P$p"
	done
	rm -rf "$gzsrc" "$out/cmark"

	echo
	notes=()
	printf '| %-38s | %7s | %7s | %7s | %11s | %9s | %7s |\n' \
	    "$pages pages, median of $repeat" "wall s" "CPU s" "of: sys" "peak RSS MB" "output MB" "pages/s"
	echo "|----------------------------------------|--------:|--------:|--------:|------------:|----------:|--------:|"
	row "porch build (full, -j $ncpu)" porch "$pages"
	row "porch build (full, -j 1)" porch-j1 "$pages"
	row "hugo" hugo "$pages"
	row "pagefind (over hugo's output)" pagefind "$pages"
	row "hugo + pagefind" hugo+pagefind "$pages"
	row "floor: cmark-gfm, -P $ncpu" "cmark-P$ncpu" "$pages"
	row "floor: gzip -6 porch's files, -P $ncpu" "gzip-P$ncpu" "$pages"
	row "floor: cmark-gfm + gzip, -P $ncpu" "floor-P$ncpu" "$pages"
	row "floor: cmark-gfm + gzip, 1 core" "floor-P1" "$pages"
	local note_line
	for note_line in "${notes[@]}"; do echo "  $note_line"; done
	echo
	echo "ratios (wall time unless noted; targets are for 10,000 pages):"
	ratio "porch / (hugo + pagefind)" porch hugo+pagefind 0.15
	ratio "porch / hugo" porch hugo 0.4
	ratio "porch peak RSS / hugo peak RSS" porch hugo 0.25 rss
	ratio "porch / floor (-P $ncpu)" porch "floor-P$ncpu" 1.5
	ratio "porch -j 1 / floor (1 core)" porch-j1 floor-P1 1.5
	echo "the same on CPU time (user+sys; less sensitive to a shared machine):"
	ratio "porch / (hugo + pagefind), CPU" porch hugo+pagefind - cpu
	ratio "porch / hugo, CPU" porch hugo - cpu
	ratio "porch / floor, CPU" porch "floor-P$ncpu" - cpu
	echo "load average after: $(load)"
	rm -rf "$out/porch" "$out/porch.porch-cache" "$out/hugo"
}

# A copy of everything printed, for docs/PERFORMANCE.md.
mkdir -p "$cache/results"
exec > >(tee "$cache/results/$(date -u +%Y%m%dT%H%M%SZ).txt")

echo "Porch benchmark (scripts/bench/run.sh), $repeat runs per figure, median reported"
machine
echo "load:       $(load) (1, 5, 15 min) at start; $(ps -eo stat= | grep -c '^R') runnable processes"
echo "cache:      $cache"

if [ -n "$content" ]; then
	if [ ! -d "$content" ]; then
		echo "run.sh: $content is not a folder" >&2
		exit 1
	fi
	src=$(cd "$content" && pwd)
	bench_one "$src" "content folder $src" "content-$(echo "$src" | cksum | cut -d' ' -f1)" || exit 1
	exit 0
fi

status=0
for n in $sizes; do
	if ! dir=$(bench_corpus "$n"); then
		status=1
		continue
	fi
	bench_one "$dir" "corpus of $n pages (corpus.py, seed 1)" "corpus-$n" || status=1
done
exit $status
