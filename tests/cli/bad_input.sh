# Bad input: each case must give a clear error line naming the place, exit
# status 1, and leave the previously built site exactly as it was.
. tests/lib.sh

tree_sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum; }

# expect_error NAME PATTERN: builds $site into $pub (which holds a good old
# site) and checks the outcome.
expect_error() {
	local name=$1 pattern=$2 before after rc
	before=$(tree_sum "$pub")
	"$PORCH" build "$site" -o "$pub" -q 2>"$d/err"
	rc=$?
	after=$(tree_sum "$pub")
	if [ "$rc" -ne 1 ]; then
		fail "$name: exit status 1" "got $rc" "$(cat "$d/err")"
	elif ! grep -Eq -- "$pattern" "$d/err"; then
		fail "$name: message" "wanted /$pattern/" "got: $(cat "$d/err")"
	elif [ "$before" != "$after" ]; then
		fail "$name: old site untouched"
	elif ls "$d" | grep -q 'pub.tmp-'; then
		fail "$name: no temporary folder left behind"
	else
		pass "$name"
	fi
}

# fresh: a new valid site in $site, built into $pub.
fresh() {
	d=$(scratch)
	site=$d/site
	pub=$d/pub
	make_site "$site"
	"$PORCH" build "$site" -o "$pub" -q || fail "fresh site builds"
}

fresh
printf -- '---\ntitle: Broken\ndescription: [unclosed\n---\nbody\n' >"$site/docs/broken.md"
expect_error "malformed YAML" "docs/broken.md:[34]:[0-9]+: error: "

fresh
mkdir -p "$site/themes/default/templates"
printf '<p>\n{{ page.title\n</p>\n' >"$site/themes/default/templates/page.html"
expect_error "unclosed template tag" "themes/default/templates/page.html:2:1: error: unclosed '\{\{'"

fresh
mkdir -p "$site/themes/default/templates"
printf '<p>\n\n{{ page.nothing.here }}\n</p>\n' >"$site/themes/default/templates/page.html"
expect_error "template runtime error" "themes/default/templates/page.html:3: error: .*nil"

fresh
printf '\nSee [the manual](missing-page.md).\n' >>"$site/docs/getting-started.md"
expect_error "broken link" "docs/getting-started.md:2[0-9]:5: error: broken link 'missing-page.md'"

fresh
printf '\nSee [reset](../faq/reset-password.md#no-such-heading).\n' >>"$site/docs/getting-started.md"
expect_error "broken anchor" "docs/getting-started.md:2[0-9]:5: error: broken anchor '#no-such-heading'"

fresh
printf '\nJump to [nowhere](#nowhere).\n' >>"$site/docs/getting-started.md"
expect_error "broken anchor on the same page" "docs/getting-started.md:2[0-9]:9: error: broken anchor '#nowhere'"

fresh
mkdir -p "$site/docs/getting-started"
printf -- '---\ntitle: Twin\n---\n' >"$site/docs/getting-started/index.md"
expect_error "duplicate URL" "error: duplicate URL /docs/getting-started/"

fresh
printf -- '---\ntitle: Latin-1\n---\n\nCaf\xe9\n' >"$site/docs/latin1.md"
expect_error "non-UTF-8 file" "docs/latin1.md:5:4: error: not valid UTF-8"

fresh
ln -s .. "$site/docs/loop"
expect_error "symlink loop" "docs/loop.*error: symbolic link loop"

fresh
printf -- '---\ndescription: no title here\n---\n' >"$site/docs/untitled.md"
expect_error "missing title" "docs/untitled.md:1:1: error: missing 'title'"

fresh
sed -i 's/ships: \[first-release\]/ships: [no-such-item]/' "$site/changelog/1.0.0.md"
expect_error "unknown roadmap id in ships" "changelog/1.0.0.md:[0-9]+:[0-9]+: error: .*'no-such-item'"

fresh
sed -i 's/^  title = /  titel = /' "$site/site.lua"
expect_error "unknown site.lua option" "site.lua: error: unknown option 'titel' \(did you mean 'title'\?\)"

fresh
printf 'return { title = "x", \n' >"$site/site.lua"
expect_error "site.lua syntax error" "site.lua:[0-9]+: error: "

# An empty content folder is an error too (there is no old site to keep).
d=$(scratch)
mkdir "$d/empty"
"$PORCH" build "$d/empty" -o "$d/pub" -q 2>"$d/err"
if [ $? -eq 1 ] && grep -q "error: no pages" "$d/err" && [ ! -e "$d/pub" ]; then
	pass "empty content folder"
else
	fail "empty content folder" "$(cat "$d/err")"
fi

# A 20 MB page builds (the limit is 64 MiB, reported clearly above it).
fresh
{
	printf -- '---\ntitle: Huge\n---\n\n'
	for i in $(seq 1 2000); do
		printf '## Part %d\n\n' "$i"
		head -c 10000 /dev/zero | tr '\0' 'a' | fold -w 100 | sed 's/$/ word/'
		printf '\n'
	done
} >"$site/docs/huge.md"
if "$PORCH" build "$site" -o "$pub" -q 2>"$d/err" && [ -s "$pub/docs/huge/index.html" ]; then
	pass "20 MB markdown file builds"
else
	fail "20 MB markdown file builds" "$(cat "$d/err")"
fi
head -c $((65 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$site/docs/huge.md"
expect_error "over the size limit" "docs/huge.md: error: file is [0-9]+ bytes, over the limit of 64 MiB"

# A destination that is not a Porch site is never replaced.
d=$(scratch)
make_site "$d/site"
mkdir "$d/home"
echo precious >"$d/home/notes.txt"
"$PORCH" build "$d/site" -o "$d/home" -q 2>"$d/err"
if [ $? -eq 1 ] && [ "$(cat "$d/home/notes.txt")" = precious ] && grep -q "refusing to replace" "$d/err"; then
	pass "refuses to replace a folder Porch did not build"
else
	fail "refuses to replace a folder Porch did not build" "$(cat "$d/err")"
fi
