#!/usr/bin/env bash
# Runs every test and ends with one line "N passed, N failed".
# Unit tests are the cmocka programs in $O/tests; shell tests are
# tests/cli/*.sh and tests/golden/run.sh; each check counts once.
set -u
cd "$(dirname "$0")/.."
O=${O:-build}
export PORCH="$PWD/$O/porch"
export TEST_OUT="${TEST_OUT:-$PWD/tests/out}"
export RESULTS="$TEST_OUT/results.txt"
rm -rf "$TEST_OUT"
mkdir -p "$TEST_OUT"
: >"$RESULTS"

unit_passed=0
unit_failed=0
for t in "$O"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	log="$TEST_OUT/$name.log"
	timeout 300 "$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or sanitizer report: count the program as failed
		echo "FAIL $name (exit status $rc)" >&2
		tail -20 "$log" >&2
	elif [ "$f" -gt 0 ]; then
		grep -E '^\[  (FAILED|ERROR)' "$log" >&2
	fi
	unit_passed=$((unit_passed + p))
	unit_failed=$((unit_failed + f))
done

for s in tests/cli/*.sh tests/golden/run.sh; do
	[ -f "$s" ] || continue
	timeout 600 bash "$s" || echo "FAIL $s (exit status $?)" >>"$RESULTS"
done

# End-to-end tests of the real porchd (python3, standard library only).
export PORCHD="$PWD/$O/porchd"
for s in tests/e2e/test_*.py; do
	[ -f "$s" ] || continue
	[ -x "$PORCHD" ] || { echo "FAIL $s (no porchd binary)" >>"$RESULTS"; continue; }
	timeout 600 python3 "$s" || echo "FAIL $s (exit status $?)" >>"$RESULTS"
done

sh_passed=$(grep -c '^PASS' "$RESULTS")
sh_failed=$(grep -c '^FAIL' "$RESULTS")
passed=$((unit_passed + sh_passed))
failed=$((unit_failed + sh_failed))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
