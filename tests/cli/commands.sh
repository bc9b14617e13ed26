# The command line as a writer meets it: help, init, check, build options,
# and what a rebuild does to the previous site.
. tests/lib.sh

d=$(scratch)

# help and version
for c in build check init version help; do
	if "$PORCH" help "$c" | grep -q "^NAME" && "$PORCH" help "$c" | grep -q "porch $c"; then
		pass "help $c is a manual page"
	else
		fail "help $c is a manual page"
	fi
done
"$PORCH" build --help | grep -q "^SYNOPSIS" && pass "build --help" || fail "build --help"
"$PORCH" version | grep -Eq '^porch [0-9]+\.[0-9]+\.[0-9]+$' && pass "version" || fail "version"
"$PORCH" frobnicate 2>"$d/err"
[ $? -eq 2 ] && grep -q "unknown command 'frobnicate'" "$d/err" && pass "unknown command: status 2" ||
	fail "unknown command: status 2"
"$PORCH" build a b 2>/dev/null
[ $? -eq 2 ] && pass "usage error: status 2" || fail "usage error: status 2"

# init makes a site that builds and checks cleanly; it never overwrites
"$PORCH" init "$d/site" >/dev/null && [ -f "$d/site/site.lua" ] && pass "init creates a site" ||
	fail "init creates a site"
"$PORCH" init "$d/site" 2>"$d/err"
[ $? -eq 1 ] && grep -q "not empty" "$d/err" && pass "init refuses a non-empty folder" ||
	fail "init refuses a non-empty folder"
if (cd "$d" && "$PORCH" check site 2>"$d/err") && [ ! -e "$d/public" ] && grep -q "checked" "$d/err"; then
	pass "check on a good site: status 0, nothing written"
else
	fail "check on a good site: status 0, nothing written" "$(cat "$d/err")"
fi

# check lists every problem, one line each, and writes nothing
cp -R "$d/site" "$d/broken"
printf '\n[a](nowhere.md) and [b](../faq/reset-password.md#nope)\n' >>"$d/broken/docs/getting-started.md"
printf -- '---\ntitle: [x\n---\n' >"$d/broken/docs/bad.md"
"$PORCH" check "$d/broken" 2>"$d/err"
rc=$?
n=$(grep -c ': error: ' "$d/err")
if [ $rc -eq 1 ] && [ "$n" -eq 3 ]; then
	pass "check reports all three problems"
else
	fail "check reports all three problems" "status $rc, $n errors:" "$(cat "$d/err")"
fi
sorted=$(grep ': error: ' "$d/err" | sort -t: -k1,1 -k2,2n)
[ "$sorted" = "$(grep ': error: ' "$d/err")" ] && pass "problems sorted by file and line" ||
	fail "problems sorted by file and line"

# --warn-links: the same broken links are warnings and the site is built
rm "$d/broken/docs/bad.md"
if "$PORCH" build "$d/broken" -o "$d/warn" --warn-links -q 2>"$d/err" && [ -f "$d/warn/index.html" ] &&
	[ "$(grep -c ': warning: broken' "$d/err")" -eq 2 ]; then
	pass "--warn-links builds with warnings"
else
	fail "--warn-links builds with warnings" "$(cat "$d/err")"
fi

# drafts are left out unless asked for
printf -- '---\ntitle: Secret plan\ndraft: true\n---\nsoon\n' >"$d/site/docs/secret.md"
"$PORCH" build "$d/site" -o "$d/pub" -q
[ ! -e "$d/pub/docs/secret" ] && ! grep -q "Secret plan" "$d/pub/catalog.json" &&
	pass "drafts are not published" || fail "drafts are not published"
"$PORCH" build "$d/site" -o "$d/pub" -q --drafts
[ -f "$d/pub/docs/secret/index.html" ] && pass "--drafts publishes drafts" || fail "--drafts publishes drafts"

# a rebuild replaces the site: a deleted page is gone, no leftovers
rm "$d/site/docs/secret.md"
"$PORCH" build "$d/site" -o "$d/pub" -q
[ ! -e "$d/pub/docs/secret" ] && pass "a deleted page disappears on rebuild" ||
	fail "a deleted page disappears on rebuild"
# (pub.porch-cache, the incremental build cache, is no temporary folder)
[ -z "$(ls -d "$d"/pub.* 2>/dev/null | grep -v '/pub\.porch-cache$')" ] &&
	pass "no temporary folders after a build" ||
	fail "no temporary folders after a build"

# a killed build's leftovers are cleaned by the next build
mkdir "$d/pub.tmp-999999"
touch "$d/pub.tmp-999999/half.html"
"$PORCH" build "$d/site" -o "$d/pub" -q
[ ! -e "$d/pub.tmp-999999" ] && pass "leftovers of a killed build are removed" ||
	fail "leftovers of a killed build are removed"

# -o with a trailing slash, and output inside the content folder refused
"$PORCH" build "$d/site" -o "$d/pub/" -q && [ -f "$d/pub/index.html" ] &&
	pass "output path with a trailing slash" || fail "output path with a trailing slash"
"$PORCH" build "$d/site" -o "$d/site/public" -q 2>"$d/err"
[ $? -eq 1 ] && grep -q "inside the content folder" "$d/err" &&
	pass "refuses to write inside the content folder" ||
	fail "refuses to write inside the content folder" "$(cat "$d/err")"

# the theme can be overridden file by file from the site
mkdir -p "$d/site/themes/default/templates"
printf '{%% layout = false %%}<p>custom {{ page.title }}</p>\n' >"$d/site/themes/default/templates/page.html"
"$PORCH" build "$d/site" -o "$d/pub" -q
grep -q "<p>custom Contact us</p>" "$d/pub/contact/index.html" && grep -q "<html" "$d/pub/index.html" &&
	pass "a site overrides one template, keeps the rest" ||
	fail "a site overrides one template, keeps the rest"

# PORCH_PHASES=1: one line of where the build's time went, phases in order
PORCH_PHASES=1 "$PORCH" build "$d/site" -o "$d/pub" -q 2>"$d/err"
line=$(grep "^phases (ms):" "$d/err")
if [ "$(grep -c "^phases (ms):" "$d/err")" = 1 ] &&
    echo "$line" | grep -Eq " model [0-9.]+,.* render [0-9.]+,.* search_finish [0-9.]+,.* commit [0-9.]+,.* total [0-9.]+$"; then
	pass "PORCH_PHASES=1 prints the phases of a build"
else
	fail "PORCH_PHASES=1 prints the phases of a build" "$(cat "$d/err")"
fi
"$PORCH" build "$d/site" -o "$d/pub" -q 2>"$d/err"
[ ! -s "$d/err" ] && pass "without PORCH_PHASES a quiet build prints nothing" ||
	fail "without PORCH_PHASES a quiet build prints nothing" "$(cat "$d/err")"
