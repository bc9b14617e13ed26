# Browser tests (tests/browser/*.test.js): Debian's chromium driven by
# playwright-core against the example site served on loopback.  They run
# when `scripts/install-deps.sh --browser` has installed chromium and
# tests/browser/node_modules; otherwise they are skipped with a note.
. tests/lib.sh

if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null ||
    [ ! -d tests/browser/node_modules/playwright-core ]; then
	echo "    (browser tests skipped: scripts/install-deps.sh --browser installs them)" >&2
	return 0 2>/dev/null || exit 0
fi
d=$(scratch)
if ! "$PORCH" build content -o "$d/site" -q 2>"$d/err"; then
	fail "browser: example site builds" "$(cat "$d/err")"
	return 0 2>/dev/null || exit 0
fi
for t in tests/browser/*.test.js; do
	timeout 120 node "$t" --site "$d/site" >"$d/out" 2>"$d/err"
	rc=$?
	grep -E '^(PASS|FAIL) ' "$d/out" >>"$RESULTS"
	if grep -q '^FAIL' "$d/out"; then
		grep '^FAIL' "$d/out" >&2
		sed 's/^/    /' "$d/err" | head -20 >&2
	elif [ $rc -ne 0 ]; then
		fail "browser: $t (exit status $rc)" "$(tail -5 "$d/err")"
	fi
done
