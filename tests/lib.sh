# Shared helpers for the shell tests.  Each test script sources this file,
# calls pass/fail once per check, and the runner counts the lines in
# $RESULTS.  Scripts run with the porch binary in $PORCH.
: "${RESULTS:?run the tests through tests/run.sh}"
: "${PORCH:?}"

pass() { echo "PASS $1" >>"$RESULTS"; }
fail() {
	echo "FAIL $1" >>"$RESULTS"
	printf 'FAIL %s\n' "$1" >&2
	shift
	[ $# -gt 0 ] && printf '    %s\n' "$@" >&2
	return 0
}

# A fresh scratch folder under tests/out, removed by the runner.
scratch() {
	local d
	d=$(mktemp -d "${TEST_OUT:-/tmp}/t.XXXXXX")
	echo "$d"
}

# A small valid site (porch init) in $1.
make_site() {
	"$PORCH" init "$1" >/dev/null
}
