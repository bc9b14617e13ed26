#!/usr/bin/env bash
# Runs Porch under valgrind memcheck (make valgrind; slow, not part of
# make test): every unit test and fuzz-corpus replay of $O/tests, the
# generator on the example site, and porchd through the e2e suites
# (tests/e2e/harness.py starts it under $PORCHD_WRAPPER; its seccomp filter
# is off then, since valgrind makes system calls of its own): every suite
# that starts porchd (VG_SUITES, default server accounts tickets votes
# hostile faults), each summarised on its own line.
#
# Errors and definite leaks fail (--errors-for-leak-kinds=definite);
# "possibly lost" and "still reachable" blocks of the libraries' one-time
# initialisation (libcurl, cmark-gfm's extension registry) are reported
# but do not fail.  Prints one line per program, then a summary; logs in
# $VG_OUT (default $O/valgrind).  VG_E2E=0 skips the e2e part.
set -u
cd "$(dirname "$0")/.."
O=${O:-build}
OUT=${VG_OUT:-$PWD/$O/valgrind}
rm -rf "$OUT"
mkdir -p "$OUT"
VG="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
 --errors-for-leak-kinds=definite --show-leak-kinds=definite
 --track-origins=yes --num-callers=30"
command -v valgrind >/dev/null || { echo "valgrind: not installed" >&2; exit 2; }

ok=0
bad=0
failed=()
run() {	# name, command...
	local name=$1 log="$OUT/$1.log"
	shift
	# shellcheck disable=SC2086
	timeout 1800 $VG --log-file="$log.vg" "$@" >"$log" 2>&1
	local rc=$?
	local errs
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log.vg" | tail -1)
	if [ "$rc" -eq 0 ]; then
		ok=$((ok + 1))
		echo "valgrind: ok   $name (${errs:-0} errors)"
	else
		bad=$((bad + 1))
		failed+=("$name")
		echo "valgrind: FAIL $name (exit $rc, ${errs:-?} errors; $log.vg)"
	fi
}

for t in "$O"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$(basename "$t")" in
	test_pd_store_bench) continue ;;	# a benchmark: minutes under valgrind
	esac
	run "$(basename "$t")" "$t"
done

site=$(mktemp -d "$OUT/site.XXXXXX")
run "porch-build-example" "$O/porch" build content -o "$site/public" -q -j 2

# every e2e suite that starts porchd; each porchd writes its own log,
# named after the suite, so the summary can say which suite's run failed
E2E_SUITES=${VG_SUITES:-"server accounts tickets votes hostile faults"}
if [ "${VG_E2E:-1}" != 0 ]; then
	export PORCH="$PWD/$O/porch" PORCHD="$PWD/$O/porchd"
	export TEST_OUT="$OUT/e2e"
	for suite in $E2E_SUITES; do
		s=tests/e2e/test_$suite.py
		[ -f "$s" ] || continue
		export RESULTS="$OUT/e2e-$suite-results.txt"
		export PORCHD_WRAPPER="$VG --log-file=$OUT/porchd.$suite.%p.vg"
		: >"$RESULTS"
		timeout 3600 python3 "$s" >"$OUT/test_$suite.py.log" 2>&1
		logs=$(ls "$OUT"/porchd."$suite".*.vg 2>/dev/null)
		n=$(echo "$logs" | grep -c .)
		# a porchd that ended with a memcheck error exits 99; its log
		# says; "definitely lost" counts only runs that reached their
		# exit summary (SIGTERM), not those a test SIGKILLed
		vgerr=0
		lost=0
		summ=0
		for l in $logs; do
			grep -q "ERROR SUMMARY: [1-9]" "$l" && vgerr=$((vgerr + 1))
			grep -q "ERROR SUMMARY:" "$l" && summ=$((summ + 1))
			b=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' \
			    "$l" | tr -d , | tail -1)
			lost=$((lost + ${b:-0}))
		done
		p=$(grep -c '^PASS' "$RESULTS")
		f=$(grep -c '^FAIL' "$RESULTS")
		echo "valgrind: porchd e2e $suite: $n porchd runs ($summ reached" \
		    "their exit summary), $vgerr with errors, $lost bytes" \
		    "definitely lost; checks $p passed, $f failed"
		if [ "$vgerr" -eq 0 ]; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
			failed+=("porchd-e2e-$suite")
		fi
	done
fi

echo "valgrind: $ok clean, $bad with errors or definite leaks${failed:+: ${failed[*]}}"
[ "$bad" -eq 0 ]
