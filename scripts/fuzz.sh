#!/usr/bin/env bash
# Builds the fuzz targets of tests/fuzz/ with libFuzzer, AddressSanitizer
# and UBSan into build/fuzz/, and runs each for FUZZ_SECONDS (default 60)
# with its dictionary, on a work copy of its saved corpus.  Targets named
# pd_* (fuzz_pd_*.c) are porchd's: linked with endpoints/ objects.
#
# Usage: scripts/fuzz.sh [--build-only] [TARGET...]
#   TARGET is the NAME of tests/fuzz/fuzz_NAME.c, or "query": the search
#   client's query handling (tests/fuzz/query_fuzz.js, node, against the
#   example site built by $PORCH, default build/porch; skipped when node
#   or that binary is missing); default: all of them.
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_FLAGS     extra libFuzzer flags, e.g. "-jobs=2 -workers=2"
#   CC_FUZZ        the compiler (default clang)
#   FUZZ_SEED      the query target's PRNG seed (default random; printed)
#
# Prints per target the executions, the coverage and any crash file;
# exits 1 if a target crashed (or timed out, or ran out of memory).
# Nothing is written to tests/fuzz/corpus/: new inputs stay in
# build/fuzz/work/NAME/, crashes in build/fuzz/crashes/NAME/.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${FUZZ_SECONDS:-60}
CC_FUZZ=${CC_FUZZ:-clang}
PKGS=${FUZZ_PKGS:-libcmark-gfm lua5.4 yaml-0.1 zlib jansson libxxhash libutf8proc}
OUT=build/fuzz
# shellcheck disable=SC2054,SC2086,SC2207
cflags=(-std=c11 -D_GNU_SOURCE -g -O1
	-fsanitize=address,undefined -fno-sanitize-recover=all
	-fno-omit-frame-pointer $(pkg-config --cflags $PKGS)
	"-DPORCH_THEMES_DIR=\"$PWD/themes\"" '-DPORCH_VERSION="fuzz"')
# shellcheck disable=SC2086,SC2207
libs=($(pkg-config --libs $PKGS) -lpthread -ldl -lm)
# porchd's targets (fuzz_pd_*.c) link endpoints/ objects and their
# libraries instead.
PD_PKGS=${FUZZ_PD_PKGS:-libmicrohttpd sqlite3 jansson libargon2 libcurl nettle libseccomp}
# shellcheck disable=SC2054,SC2086,SC2207
pd_cflags=(-std=c11 -D_GNU_SOURCE -g -O1
	-fsanitize=address,undefined -fno-sanitize-recover=all
	-fno-omit-frame-pointer $(pkg-config --cflags $PD_PKGS)
	'-DPORCH_VERSION="fuzz"')
# shellcheck disable=SC2086,SC2207
pd_libs=($(pkg-config --libs $PD_PKGS) -lpthread -lm)

build_only=0
if [ "${1:-}" = "--build-only" ]; then
	build_only=1
	shift
fi
case "$SECONDS_EACH" in
''|*[!0-9]*) echo "fuzz: FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;;
esac
if ! command -v "$CC_FUZZ" >/dev/null; then
	echo "fuzz: $CC_FUZZ not found (scripts/install-deps.sh installs clang)" >&2
	exit 2
fi

if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=()
	for f in tests/fuzz/fuzz_*.c; do
		t=${f#tests/fuzz/fuzz_}
		targets+=("${t%.c}")
	done
	targets+=(query)
fi
for t in "${targets[@]}"; do
	[ "$t" = query ] && continue
	if [ ! -f "tests/fuzz/fuzz_$t.c" ]; then
		echo "fuzz: no target '$t' (tests/fuzz/fuzz_$t.c)" >&2
		exit 2
	fi
done

# The generator's objects, instrumented for coverage; rebuilt when their
# source or any header is newer.
# (Not when only the JavaScript target is asked for.)
need_c=0
for t in "${targets[@]}"; do
	[ "$t" = query ] || need_c=1
done
mkdir -p "$OUT/obj"
newest_h=generator/buf.h
for h in generator/*.h; do
	[ "$h" -nt "$newest_h" ] && newest_h=$h
done
objs=()
for src in generator/*.c; do
	[ "$need_c" -eq 1 ] || break
	[ "$src" = generator/main.c ] && continue
	obj="$OUT/obj/$(basename "${src%.c}").o"
	objs+=("$obj")
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
		echo "fuzz: CC $src"
		"$CC_FUZZ" "${cflags[@]}" -fsanitize=fuzzer-no-link -c -o "$obj" "$src"
	fi
done
# Objects of generator files that are gone would not link: drop them.
for obj in "$OUT"/obj/*.o; do
	[ -f "generator/$(basename "${obj%.o}").c" ] || rm -f "$obj"
done
# The same for porchd's objects, when a pd_ target is asked for.
pd_objs=()
for t in "${targets[@]}"; do
	case "$t" in pd_*) ;; *) continue ;; esac
	mkdir -p "$OUT/pdobj"
	newest_h=endpoints/http.h
	for h in endpoints/*.h; do
		[ "$h" -nt "$newest_h" ] && newest_h=$h
	done
	for src in endpoints/*.c; do
		[ "$src" = endpoints/main.c ] && continue
		obj="$OUT/pdobj/$(basename "${src%.c}").o"
		pd_objs+=("$obj")
		if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
		    [ "$newest_h" -nt "$obj" ]; then
			echo "fuzz: CC $src"
			"$CC_FUZZ" "${pd_cflags[@]}" -fsanitize=fuzzer-no-link \
			    -c -o "$obj" "$src"
		fi
	done
	for obj in "$OUT"/pdobj/*.o; do
		[ -f "endpoints/$(basename "${obj%.o}").c" ] || rm -f "$obj"
	done
	break
done
for t in "${targets[@]}"; do
	[ "$t" = query ] && continue
	echo "fuzz: LD $OUT/fuzz_$t"
	case "$t" in
	pd_*)
		"$CC_FUZZ" "${pd_cflags[@]}" -fsanitize=fuzzer -Iendpoints \
		    -o "$OUT/fuzz_$t" "tests/fuzz/fuzz_$t.c" "${pd_objs[@]}" \
		    "${pd_libs[@]}" ;;
	*)
		"$CC_FUZZ" "${cflags[@]}" -fsanitize=fuzzer -Igenerator \
		    -o "$OUT/fuzz_$t" "tests/fuzz/fuzz_$t.c" "${objs[@]}" \
		    "${libs[@]}" ;;
	esac
done
[ "$build_only" -eq 1 ] && exit 0

crashed=()
summary=()
# The search client (JavaScript): random queries for SECONDS_EACH after the
# saved corpus, against the example site; failing queries are kept in
# build/fuzz/crashes/query/failed.txt (json: lines, ready for the corpus).
fuzz_query() {
	local porch=${PORCH:-build/porch} log="$OUT/query.log" rc=0 site
	if ! command -v node >/dev/null || [ ! -x "$porch" ]; then
		summary+=("query: skipped (needs node and $porch: make all)")
		return 0
	fi
	site="$OUT/work/query-site"
	rm -rf "$site"
	mkdir -p "$OUT/work" "$OUT/crashes/query"
	if ! "$porch" build content -o "$site" -q >"$log" 2>&1; then
		summary+=("query: the example site did not build: see $log")
		crashed+=(query)
		return 0
	fi
	echo "fuzz: running query for ${SECONDS_EACH}s (log: $log)"
	FUZZ_FAILED="$PWD/$OUT/crashes/query/failed.txt" \
	    timeout --kill-after=10 $((SECONDS_EACH + 180)) node \
	    tests/fuzz/query_fuzz.js "$site" --seconds "$SECONDS_EACH" \
	    --seed "${FUZZ_SEED:-$RANDOM}" >>"$log" 2>&1 || rc=$?
	local n
	n=$(sed -n 's/.*(\([0-9]*\) queries).*/\1/p' "$log" | tail -1)
	if [ "$rc" -ne 0 ]; then
		summary+=("query: ${n:-?} random queries, FAILED (exit $rc): see $log and $OUT/crashes/query/failed.txt")
		crashed+=(query)
		grep -E -A3 '^FAIL' "$log" | head -40 >&2 || tail -20 "$log" >&2
	else
		local slow
		slow=$(grep -o 'slowest [0-9]* ms' "$log" | tail -1 || true)
		summary+=("query: ${n:-?} random queries after the corpus, ${slow:-?}")
	fi
}
for t in "${targets[@]}"; do
	if [ "$t" = query ]; then
		fuzz_query
		continue
	fi
	work="$OUT/work/$t"
	crashes="$OUT/crashes/$t"
	tmp="$OUT/tmp/$t"
	log="$OUT/$t.log"
	rm -rf "$work" "$tmp"
	mkdir -p "$work" "$crashes" "$tmp"
	if [ -d "tests/fuzz/corpus/$t" ]; then
		cp -p "tests/fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true
	fi
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=("-dict=tests/fuzz/$t.dict")
	echo "fuzz: running $t for ${SECONDS_EACH}s (log: $log)"
	rc=0
	# A unit over 30 s is a failure (timeout-*); one over 10 s is only
	# reported (slow-unit-*): a template or site.lua that runs into the
	# instruction budget or memory cap takes seconds under ASan.
	# shellcheck disable=SC2086
	TMPDIR="$PWD/$tmp" timeout --kill-after=10 $((SECONDS_EACH + 180)) \
	    "$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=30 \
	    -report_slow_units=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$crashes/" "${dict[@]}" ${FUZZ_FLAGS:-} \
	    "$work" >"$log" 2>&1 || rc=$?
	rm -rf "$tmp"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
	files=$(find "$work" -type f | wc -l)
	line="$t: ${execs:-?} execs, ${cov:-cov: ?}, corpus $files files"
	slow=$(sed -n "s|.*Test unit written to \($crashes/slow-unit-.*\)$|\1|p" \
	    "$log" | tr '\n' ' ')
	if [ -n "$slow" ]; then
		line="$line, slow (over 10 s, not a failure): $slow"
	fi
	if [ "$rc" -ne 0 ]; then
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
		    grep -v /slow-unit- | tail -1 || true)
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			art="${art:-the run did not stop (killed by timeout)}"
		fi
		line="$line, CRASHED (exit $rc): ${art:-see $log}"
		crashed+=("$t")
		echo "fuzz: $t crashed; from $log:" >&2
		grep -E -A40 '^==[0-9]+== ?ERROR|runtime error|ALARM|out-of-memory' \
		    "$log" | head -60 >&2 || tail -40 "$log" >&2
	fi
	summary+=("$line")
done

echo
echo "fuzz: ${SECONDS_EACH}s per target"
for line in "${summary[@]}"; do
	echo "  $line"
done
if [ ${#crashed[@]} -gt 0 ]; then
	cat >&2 <<EOF

fuzz: crashed: ${crashed[*]}
Reproduce with build/fuzz/fuzz_NAME CRASH_FILE (or build/tests/test_fuzz_NAME
CRASH_FILE).  After fixing the bug, copy the crash file into
tests/fuzz/corpus/NAME/ (under a name saying what it was) so that
\`make test\` replays it from then on.
EOF
	exit 1
fi
