#!/usr/bin/env bash
# Benchmark: incremental `porch build` after small edits (issue 8: "after
# one page of 10,000 changes, porch build rewrites only what changed in
# under 100 ms, and the result is byte-identical to a clean build").
#
# Usage: scripts/bench/incremental.sh [--sizes "1000 10000"] [--repeat 3]
#                                     [--porch PATH]
#
#   --sizes    corpus sizes in pages (default "1000 10000"); the corpora of
#              corpus.py, generated once into the cache and reused (the
#              same ones as run.sh and search.sh)
#   --repeat   runs per scenario; the median is reported (default 3)
#   --porch    the porch binary (default build/porch)
#
# For each size: copies the corpus into a scratch folder under the cache
# (the cached corpus is never touched), builds it once into OUT (a full
# build, not measured; its wall time is printed), then times six
# scenarios, each --repeat times, every edit made on the result of the
# previous build: no change; an appended sentence in one docs page; a
# section (an h2 and a paragraph) appended to one docs page; a new title
# in one docs page; a page added; that page deleted.  Each row gives
# the median wall and CPU (user+sys) ms of the porch process, its peak RSS,
# and the files written as porch's incremental summary line reports them
# ("full" when a build printed no such line).  Then a clean build of the
# edited source into a fresh folder must be byte-identical to OUT
# (diff -r); the script exits 1 when it is not, or when a build fails.
#
# Everything goes under $PORCH_BENCH_CACHE (default ~/.cache/porch-bench):
# the corpora, the scratch copies (out/incremental-N, removed at exit
# with OUT.porch-cache), logs, and a copy of each report in results/.

# The edit commands and cleanup are called indirectly (scenario's "$@",
# the trap):
# shellcheck disable=SC2317
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${PORCH_BENCH_CACHE:-$HOME/.cache/porch-bench}
sizes="1000 10000"
repeat=3
porch="$root/build/porch"

while [ $# -gt 0 ]; do
	case "$1" in
	--sizes) sizes="$2"; shift 2 ;;
	--sizes=*) sizes="${1#*=}"; shift ;;
	--repeat) repeat="$2"; shift 2 ;;
	--repeat=*) repeat="${1#*=}"; shift ;;
	--porch) porch="$2"; shift 2 ;;
	--porch=*) porch="${1#*=}"; shift ;;
	-h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "incremental.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done

case "$repeat" in
''|*[!0-9]*|0) echo "incremental.sh: --repeat wants a positive number" >&2; exit 2 ;;
esac
mkdir -p "$cache"
logdir="$cache/logs"
mkdir -p "$logdir"
ncpu=$(nproc)	# for bench_host
export ncpu
# shellcheck source=scripts/bench/lib.sh
. "$here/lib.sh"	# note, load, median, bench_host

if [ ! -x /usr/bin/time ]; then
	echo "incremental.sh: /usr/bin/time is missing; install it with: sudo apt-get install time" >&2
	exit 1
fi
case "$porch" in /*) ;; *) porch="$PWD/$porch" ;; esac
if [ ! -x "$porch" ]; then
	echo "incremental.sh: $porch not found; run 'make' first" >&2
	exit 1
fi

# The scratch folders of this run, removed at exit whatever happens.
scratch=()
cleanup() {
	local d
	for d in "${scratch[@]+"${scratch[@]}"}"; do
		rm -rf "$d"
	done
}
trap cleanup EXIT

# ------------------------------------------------------------ measuring

# Results of the last timed build: wall and CPU ms, peak RSS KB, files
# written (a number, or "full" when porch printed no incremental line).
B_WALL="" B_CPU="" B_RSS="" B_FILES=""

# timed_build SRC OUT LOG: one `porch build SRC -o OUT` (no -q: its
# summary line is parsed).  Wall and CPU come from bash's `time` keyword
# (millisecond resolution; /usr/bin/time, as run.sh's measure uses, has
# only 10 ms, too coarse for builds of tens of ms), the peak RSS from
# /usr/bin/time -f %M around porch (its own few hundred microseconds are
# in the wall and CPU figures).  Appends porch's stderr to LOG; returns 1
# when the build fails.
timed_build() {
	local src=$1 out=$2 log=$3 t st tm line rc=0
	t=$(mktemp)
	st=$(mktemp)
	tm=$(mktemp)
	{
		TIMEFORMAT='%3R %3U %3S'
		time /usr/bin/time -f '%M' -o "$t" "$porch" build "$src" -o "$out" \
		    >/dev/null 2>"$st"
	} 2>"$tm" || rc=$?
	cat "$st" >>"$log"
	if [ $rc -ne 0 ]; then
		echo "incremental.sh: porch build $src failed (status $rc): $(grep . "$st" | tail -n 1) (see $log)" >&2
		rm -f "$t" "$st" "$tm"
		return 1
	fi
	local r u s
	read -r r u s <"$tm"
	B_WALL=$(awk -v r="$r" 'BEGIN { printf "%.0f", r * 1000 }')
	B_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.0f", (u + s) * 1000 }')
	B_RSS=$(tail -n 1 "$t")
	# "porch: built N pages in X ms into OUT (incremental: W files written, K unchanged)"
	line=$(grep '^porch: built .*(incremental: ' "$st" | tail -n 1 || true)
	if [ -n "$line" ]; then
		B_FILES=$(printf '%s\n' "$line" | sed 's/.*(incremental: \([0-9]*\) files written.*/\1/')
	else
		B_FILES=full
	fi
	rm -f "$t" "$st" "$tm"
	return 0
}

# ---------------------------------------------------------------- edits

# The docs pages of SRC, one relative path a line, sorted (C locale), less
# the section indexes: the pages the edits pick from.
docs_pages() {
	(cd "$1" && find docs -type f -name '*.md' ! -name index.md ! -name '.*' | LC_ALL=C sort)
}

# nth_page LIST K: the Kth line (0-based, modulo the count) of file LIST.
nth_page() {
	local n
	n=$(wc -l <"$1")
	sed -n "$(( $2 % n + 1 ))p" "$1"
}

# edit_body FILE R: appends a sentence (naming repeat R) to FILE's body.
edit_body() {
	printf '\nThe incremental benchmark appended this sentence (edit %s).\n' "$2" >>"$1"
}

# add_heading FILE R: appends a section, a heading and its paragraph, to
# FILE's body: the page has one section more, so the search index's
# sections after it are numbered anew.
add_heading() {
	printf '\n## Section %s added by the benchmark\n\nA paragraph under the new heading.\n' "$2" >>"$1"
}

# edit_title FILE R: rewrites the title: line of FILE's front matter (the
# first one between the opening and closing ---).
edit_title() {
	awk -v r="$2" '
	    NR == 1 && /^---[ \t]*$/ { fm = 1; print; next }
	    fm && /^---[ \t]*$/ { fm = 0 }
	    fm && !done && /^title:/ {
	        print "title: \"Edited title " r " for the incremental benchmark\""
	        done = 1; next }
	    { print }' "$1" >"$1.tmp"
	mv "$1.tmp" "$1"
}

# add_page FILE R: writes a new docs page, front matter and a paragraph.
add_page() {
	cat >"$1" <<EOF
---
title: "Page $2 added by the incremental benchmark"
description: "A page the benchmark adds, then deletes."
weight: 500
tags: [teams]
date: 2024-01-0$(( $2 % 9 + 1 ))
---

This page was added to measure an incremental build after a new page
appears in a section. It is removed again by the next scenario.
EOF
}

# ------------------------------------------------------------------- run

declare -A S_WALL S_CPU S_RSS S_FILES	# scenario -> median figures

# scenario NAME SRC OUT LOG EDIT...: $repeat times, runs the command
# EDIT with the repeat number (1..N) appended, then a timed build;
# stores the medians under NAME.  Returns 1 when a build fails.
scenario() {
	local name=$1 src=$2 out=$3 log=$4 r
	shift 4
	local walls="" cpus="" rsss="" files="" full=0
	for r in $(seq "$repeat"); do
		"$@" "$r" || {
			echo "incremental.sh: the edit of scenario '$name' failed" >&2
			return 1
		}
		echo "-- $name, run $r" >>"$log"
		timed_build "$src" "$out" "$log" || return 1
		walls+="$B_WALL"$'\n'
		cpus+="$B_CPU"$'\n'
		rsss+="$B_RSS"$'\n'
		if [ "$B_FILES" = full ]; then
			full=1
		else
			files+="$B_FILES"$'\n'
		fi
	done
	S_WALL[$name]=$(printf '%s' "$walls" | median)
	S_CPU[$name]=$(printf '%s' "$cpus" | median)
	S_RSS[$name]=$(printf '%s' "$rsss" | median)
	if [ $full -eq 1 ]; then
		S_FILES[$name]=full
	else
		# the median, and the range when the runs differ
		S_FILES[$name]=$(printf '%s' "$files" | sort -g |
		    awk '{ a[NR] = $1 } END { m = a[int((NR + 1) / 2)];
		        if (a[1] != a[NR]) printf "%s (%s-%s)", m, a[1], a[NR];
		        else printf "%s", m }')
	fi
}

# The edit commands of the scenarios; $pages (docs_pages's list) and $src
# are set by bench_one.  Each picks a different page per repeat R.
no_edit() { :; }
body_edit() { edit_body "$src/$(nth_page "$pages" $(( $1 * 97 + 11 )))" "$1"; }
heading_add() { add_heading "$src/$(nth_page "$pages" $(( $1 * 97 + 31 )))" "$1"; }
title_edit() { edit_title "$src/$(nth_page "$pages" $(( $1 * 97 + 53 )))" "$1"; }
# the new page goes into the folder of an existing page
added_path() { echo "$src/$(dirname "$(nth_page "$pages" $(( $1 * 31 )))")/incbench-added-$1.md"; }
page_add() { add_page "$(added_path "$1")" "$1"; }
page_delete() { rm "$(added_path "$1")"; }

# table_row LABEL NAME: one row of the table.
table_row() {
	printf '| %-30s | %8s | %8s | %7s | %-13s |\n' "$1" "${S_WALL[$2]}" \
	    "${S_CPU[$2]}" "$(awk -v k="${S_RSS[$2]}" 'BEGIN { printf "%.0f", k / 1024 }')" \
	    "${S_FILES[$2]}"
}

body_10000=""	# the body edit's median wall ms at 10,000 pages, if measured

# bench_one N CORPUS: the scenarios on a scratch copy of CORPUS.
bench_one() {
	local n=$1 corpus=$2 work log out clean
	work="$cache/out/incremental-$n"
	log="$logdir/incremental-$n.log"
	scratch+=("$work")
	rm -rf "$work"
	mkdir -p "$work"
	src="$work/src"
	out="$work/out"
	clean="$work/clean"
	pages="$work/pages.list"
	cp -R "$corpus" "$src"
	# A source's reading is kept only once its times are two seconds old
	# (generator/frontcache.c); files just copied would be read again by
	# the first builds, which is not the steady state measured here.
	sleep 3
	docs_pages "$src" >"$pages"
	: >"$log"
	rm -f "$logdir/incremental-$n.diff"	# a previous run's
	S_WALL=(); S_CPU=(); S_RSS=(); S_FILES=()

	echo
	echo "== corpus of $n pages ($(wc -l <"$pages") docs pages to edit), load average before: $(load)"
	echo "-- initial full build" >>"$log"
	timed_build "$src" "$out" "$log" || return 1
	echo "initial full build (not in the table): $B_WALL ms wall, $B_CPU ms CPU, $(( B_RSS / 1024 )) MB peak RSS"

	scenario none "$src" "$out" "$log" no_edit || return 1
	scenario body "$src" "$out" "$log" body_edit || return 1
	scenario heading "$src" "$out" "$log" heading_add || return 1
	scenario title "$src" "$out" "$log" title_edit || return 1
	scenario add "$src" "$out" "$log" page_add || return 1
	scenario delete "$src" "$out" "$log" page_delete || return 1

	echo
	printf '| %-30s | %8s | %8s | %7s | %-13s |\n' \
	    "$n pages, median of $repeat" "wall ms" "CPU ms" "RSS MB" "files written"
	echo "|--------------------------------|---------:|---------:|--------:|---------------|"
	table_row "no change" none
	table_row "body edit (one docs page)" body
	table_row "section added (one docs page)" heading
	table_row "title edit (one docs page)" title
	table_row "page added" add
	table_row "page deleted" delete
	[ "$n" = 10000 ] && body_10000=${S_WALL[body]}

	# Byte identity: a clean build of the edited source into a fresh
	# folder (its cache, clean.porch-cache, is beside it, not inside).
	echo "-- clean build for the comparison" >>"$log"
	"$porch" build "$src" -o "$clean" --clean -q 2>>"$log" || {
		echo "incremental.sh: the clean build of $src failed (see $log)" >&2
		return 1
	}
	local d="$work/diff.txt"
	if diff -r "$out" "$clean" >"$d" 2>&1; then
		echo "identical to a clean build: yes"
	else
		echo "identical to a clean build: NO ($(grep -c '^\(Only in\|Files\|Binary\|diff -r\)' "$d" || true) files differ); first lines of diff -r OUT CLEAN:"
		head -n 20 "$d" | sed 's/^/    /'
		cp "$d" "$logdir/incremental-$n.diff"
		echo "    (whole diff in $logdir/incremental-$n.diff)"
		return 2
	fi
	echo "load average after: $(load)"
	rm -rf "$work" "$out.porch-cache" "$clean.porch-cache"
}

# A copy of everything printed, as run.sh keeps.
mkdir -p "$cache/results"
exec > >(tee "$cache/results/incremental-$(date -u +%Y%m%dT%H%M%SZ).txt")

echo "Porch incremental build benchmark (scripts/bench/incremental.sh), $repeat runs per figure, median reported"
bench_host
# shellcheck disable=SC2009
echo "load:       $(load) (1, 5, 15 min) at start; $(ps -eo stat= | grep -c '^R' || true) runnable processes"
echo "cache:      $cache"

status=0
for n in $sizes; do
	if ! dir=$(bench_corpus "$n"); then
		status=1
		continue
	fi
	rc=0
	bench_one "$n" "$dir" || rc=$?
	[ $rc -ne 0 ] && status=1
done

echo
if [ -n "$body_10000" ]; then
	echo "goal: body edit at 10,000 pages < 100 ms wall: $([ "$body_10000" -lt 100 ] && echo MET || echo MISSED) ($body_10000 ms)"
else
	echo "goal: body edit at 10,000 pages < 100 ms wall: not measured (--sizes \"$sizes\")"
fi
exit $status
