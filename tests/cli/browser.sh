# Browser tests (tests/browser/run.js and its *.test.js): Debian's chromium
# driven by playwright-core against the example site built by $PORCH and
# served by the real $PORCHD on loopback, mails to a real SMTP receiver.
# scripts/install-deps.sh (make test runs it) installs chromium, node and
# tests/browser/node_modules; when one is missing this is a failure, not a
# skip, unless PORCH_SKIP_BROWSER=1 (local use only; .ci/run unsets it).
. tests/lib.sh
PORCHD=${PORCHD:-$(dirname "$PORCH")/porchd}
export PORCHD

if [ "${PORCH_SKIP_BROWSER:-0}" = 1 ]; then
	echo "    (browser tests skipped: PORCH_SKIP_BROWSER=1)" >&2
	return 0 2>/dev/null || exit 0
fi
missing=""
[ -x "${CHROME_PATH:-/usr/bin/chromium}" ] || missing="$missing chromium"
command -v node >/dev/null || missing="$missing node"
for m in playwright-core axe-core; do
	[ -d "tests/browser/node_modules/$m" ] || missing="$missing tests/browser/node_modules/$m"
done
[ -x "$PORCHD" ] || missing="$missing $PORCHD"
if [ -n "$missing" ]; then
	fail "browser: the browser tests can run" "missing:$missing" \
	    "scripts/install-deps.sh installs them (PORCH_SKIP_BROWSER=1 skips, locally)"
	return 0 2>/dev/null || exit 0
fi
d=$(scratch)
RESULTS= timeout 570 node tests/browser/run.js >"$d/out" 2>"$d/err"
rc=$?
grep -E '^(PASS|FAIL) ' "$d/out" >>"$RESULTS"
if grep -q '^FAIL' "$d/out"; then
	grep -v '^browser:' "$d/err" | head -100 >&2	# each FAIL with its reason
elif [ $rc -ne 0 ]; then
	fail "browser: tests/browser/run.js (exit status $rc)" "$(tail -15 "$d/err")"
fi
grep '^browser:' "$d/err" >&2	# the time each part took
