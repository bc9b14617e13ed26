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

# same_as_clean PREFIX NAME: the site folder $A against a clean build of
# the sources $c into $d/B (the caller's variables): one check that every
# file is byte for byte the same, named "PREFIX: NAME: identical to a
# clean build".
same_as_clean() {
	rm -rf "$d/B" "$d/B.porch-cache"
	if ! "$PORCH" build "$c" -o "$d/B" -q --clean 2>"$d/errB"; then
		fail "$1: $2: clean build" "$(head -5 "$d/errB")"
		return
	fi
	if diff -r "$A" "$d/B" >"$d/diff" 2>&1; then
		pass "$1: $2: identical to a clean build"
	else
		fail "$1: $2: identical to a clean build" "$(head -10 "$d/diff")"
	fi
}
