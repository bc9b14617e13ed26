# Golden files: the test site under tests/golden/site uses every feature;
# its rendered tree must match tests/golden/expected file by file.  Also:
# every text file has a .gz twin with the same content (but catalog.json,
# which porchd reads from disk, has none), and a second build is
# byte-identical.  After an intended change: make regen.
. tests/lib.sh

site=tests/golden/site
expected=tests/golden/expected
d=$(scratch)

if ! "$PORCH" build "$site" -o "$d/a" -q 2>"$d/err"; then
	fail "golden site builds" "$(cat "$d/err")"
	return 0 2>/dev/null || exit 0
fi
pass "golden site builds"
[ -s "$d/err" ] && fail "golden site builds without warnings" "$(cat "$d/err")" ||
	pass "golden site builds without warnings"

(cd "$expected" && find . -type f | sort) >"$d/want"
(cd "$d/a" && find . -type f ! -name '*.gz' | sort) >"$d/got"
if diff -u "$d/want" "$d/got" >"$d/list.diff"; then
	pass "golden: the same files"
else
	fail "golden: the same files" "$(cat "$d/list.diff")"
fi
while read -r f; do
	if [ -f "$d/a/$f" ] && cmp -s "$expected/$f" "$d/a/$f"; then
		pass "golden: $f"
	else
		fail "golden: $f" "$(diff -u "$expected/$f" "$d/a/$f" 2>&1 | head -30)"
	fi
done <"$d/want"

bad=0
while read -r f; do
	case "$f" in
	./catalog.json) ;;
	*.html|*.css|*.js|*.xml|*.json|*.svg|*.txt)
		if ! gunzip -c "$d/a/$f.gz" 2>/dev/null | cmp -s - "$d/a/$f"; then
			bad=$((bad + 1))
			echo "    no matching .gz twin: $f" >&2
		fi ;;
	esac
done <"$d/got"
[ "$bad" -eq 0 ] && pass "golden: every text file has a .gz twin" ||
	fail "golden: every text file has a .gz twin"
[ ! -e "$d/a/catalog.json.gz" ] &&
	pass "golden: catalog.json, porchd's, has no .gz twin" ||
	fail "golden: catalog.json, porchd's, has no .gz twin"

"$PORCH" build "$site" -o "$d/b" -q -j 1 2>/dev/null
if diff -r "$d/a" "$d/b" >/dev/null; then
	pass "two builds (parallel and one thread) are byte-identical"
else
	fail "two builds (parallel and one thread) are byte-identical"
fi
