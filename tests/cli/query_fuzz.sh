# The search client's query handling, fuzzed (tests/fuzz/query_fuzz.js):
# the saved corpus tests/fuzz/corpus/query/*.txt and QUERY_FUZZ_N (300)
# seeded random queries through the real search.js in node, against the
# example site built by $PORCH.  One PASS/FAIL line per check.
. tests/lib.sh

if ! command -v node >/dev/null; then
	fail "search fuzz: node is installed (scripts/install-deps.sh)"
	return 0 2>/dev/null || exit 0
fi
d=$(scratch)
if ! "$PORCH" build content -o "$d/pub" -q 2>"$d/err"; then
	fail "search fuzz: example site builds" "$(cat "$d/err")"
	return 0 2>/dev/null || exit 0
fi
FUZZ_FAILED="$d/failed.txt" timeout 120 node tests/fuzz/query_fuzz.js "$d/pub" \
    --n "${QUERY_FUZZ_N:-300}" --seed "${QUERY_FUZZ_SEED:-1}" >"$d/out" 2>"$d/err"
rc=$?
grep -E '^(PASS|FAIL) ' "$d/out" >>"$RESULTS"
if [ "$rc" -ne 0 ]; then
	grep '^FAIL' "$d/out" >&2
	head -20 "$d/err" >&2
	grep -q '^FAIL' "$d/out" ||
		fail "search fuzz: the fuzzer ran (exit status $rc)" "$(tail -5 "$d/err")"
fi
true
