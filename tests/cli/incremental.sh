# Incremental builds (generator/cache.c): after every kind of change, a
# build over the previous site gives exactly the files a clean build of the
# same input gives (diff -r compares every file, .gz twins included), and
# files whose bytes did not change are left alone (same inode).
. tests/lib.sh

d=$(scratch)
cp -R content "$d/c"
c="$d/c"
A="$d/A"

# same_tree NAME: A against a clean build of c into a fresh folder.
same_tree() { same_as_clean "incremental" "$1"; }

# build NAME: the incremental build of c into A; its summary in $d/sum.
build() {
	if "$PORCH" build "$c" -o "$A" 2>"$d/sum"; then
		return 0
	fi
	fail "incremental: $1: build" "$(head -5 "$d/sum")"
	return 1
}

ino() { stat -c %i "$1"; }

if "$PORCH" build "$c" -o "$A" -q 2>"$d/err" && [ -f "$A.porch-cache/manifest" ]; then
	pass "incremental: a build leaves a manifest beside the site"
else
	fail "incremental: a build leaves a manifest beside the site" "$(head -5 "$d/err")"
fi
[ ! -e "$A/.porch-cache" ] && ! grep -rq porch-cache "$A/sitemap.xml" &&
	pass "incremental: the cache is not in the published folder" ||
	fail "incremental: the cache is not in the published folder"

faq="$A/faq/close-account/index.html"
before=$(ino "$faq")
build "no change" && grep -q "incremental: 0 files written" "$d/sum" &&
	pass "incremental: nothing changed, nothing written" ||
	fail "incremental: nothing changed, nothing written" "$(cat "$d/sum")"
[ "$(ino "$faq")" = "$before" ] &&
	pass "incremental: an unchanged page keeps its file" ||
	fail "incremental: an unchanged page keeps its file"

# A body edit: the page and the search index change, other pages do not.
page="$A/docs/backups/retention/index.html"
p_before=$(ino "$page")
printf '\n## Added section\n\nNew words about glaciers.\n' >>"$c/docs/backups/retention.md"
build "body edit" && same_tree "body edit"
[ "$(ino "$faq")" = "$before" ] && [ "$(ino "$page")" != "$p_before" ] &&
	pass "incremental: body edit rewrites the page, not the others" ||
	fail "incremental: body edit rewrites the page, not the others"
grep -q "glaciers" "$page" && pass "incremental: the edit is in the page" ||
	fail "incremental: the edit is in the page"

# A title edit changes the navigation of other pages.
map_before=$(ino "$A/sitemap.xml")
sed -i 's/^title: .*/title: Keeping old versions longer/' "$c/docs/backups/retention.md"
PORCH_CACHE_STATS=1 build "title edit" &&
	same_tree "title edit (navigation of neighbours)"
# The memos of the pages that do not show the title were made with the
# site the memo table saw: each is checked against what changed since
# (memosince.h), and the table stays as it was.
grep -q "^memo table's site: [1-9][0-9]* memos checked against" "$d/sum" &&
	pass "incremental: a title edit checks memos against the table's site" ||
	fail "incremental: a title edit checks memos against the table's site" "$(cat "$d/sum")"
# The sitemap holds URLs and dates, not titles; the catalog lists titles.
[ "$(ino "$A/sitemap.xml")" = "$map_before" ] &&
    grep -q '"title": "Keeping old versions longer"' "$A/catalog.json" &&
	pass "incremental: a title edit keeps the sitemap, writes the catalog" ||
	fail "incremental: a title edit keeps the sitemap, writes the catalog"
# A date the sitemap shows, changed: the sitemap is made again.
sed -i 's/^updated: .*/updated: 2031-02-03/' "$c/docs/backups/retention.md"
build "updated date" && same_tree "an updated date (sitemap)"
grep -q "<lastmod>2031-02-03</lastmod>" "$A/sitemap.xml" &&
	pass "incremental: an updated date is in the sitemap" ||
	fail "incremental: an updated date is in the sitemap"

# A new page, then renamed, then deleted.
printf -- '---\ntitle: Cold storage\nweight: 99\n---\n\nArchive tier.\n' \
    >"$c/docs/backups/cold-storage.md"
PORCH_CACHE_STATS=1 build "add" && same_tree "page added"
# Where the memos' links lead is checked against the paths whose
# destination changed since the memo table was written (memosince.h),
# the table's rows through the backlinks (backlinks.h).
grep -q "against what changed since it was written, [1-9][0-9]* against where links lead since ([1-9][0-9]* by the backlinks)$" "$d/sum" &&
	pass "incremental: a page added checks links against what moved since" ||
	fail "incremental: a page added checks links against what moved since" "$(cat "$d/sum")"
[ -f "$A/docs/backups/cold-storage/index.html.gz" ] &&
	pass "incremental: the new page and its .gz twin are there" ||
	fail "incremental: the new page and its .gz twin are there"
mv "$c/docs/backups/cold-storage.md" "$c/docs/backups/archive-tier.md"
build "rename" && same_tree "page renamed"
[ ! -e "$A/docs/backups/cold-storage" ] &&
	pass "incremental: the old name's files and folder are gone" ||
	fail "incremental: the old name's files and folder are gone"
rm "$c/docs/backups/archive-tier.md"
build "delete" && same_tree "page deleted"

# FAQ, changelog and roadmap edits (list pages, feed, catalog).
printf '\nAlso by phone.\n' >>"$c/faq/close-account.md"
build "faq edit" && same_tree "faq answer edited (list pages)"
f=$(ls "$c"/changelog/*.md | grep -v index.md | tail -1)
sed -i 's/^title: \(.*\)$/title: \1 (updated)/' "$f"
build "changelog edit" && same_tree "changelog title edited (feed, catalog)"

# site.lua, a template, an asset, a static file.
sed -i 's/title = "Skylark Help Center"/title = "Skylark Help"/' "$c/site.lua"
build "site.lua" && same_tree "site.lua changed"
# The manifest is opened before site.lua is read (build.c): a manifest
# written with .gz twins must not be taken by a build without, or back.
cp "$c/site.lua" "$d/site.gzip.lua"
sed -i 's/^return {/return {\n  options = { gzip = false },/' "$c/site.lua"
build "gzip off" && same_tree "gzip turned off"
[ -z "$(find "$A" -name '*.gz' | head -1)" ] &&
	pass "incremental: gzip off: no .gz twin is left" ||
	fail "incremental: gzip off: no .gz twin is left" "$(find "$A" -name '*.gz' | head -3)"
cp "$d/site.gzip.lua" "$c/site.lua"
build "gzip on" && same_tree "gzip turned on again"
[ -f "$faq.gz" ] && pass "incremental: gzip on: the twins are back" ||
	fail "incremental: gzip on: the twins are back"
mkdir -p "$c/themes/default/templates/partials" "$c/themes/default/assets"
{ cat themes/default/templates/partials/footer.html; echo '<!-- footer v2 -->'; } \
    >"$c/themes/default/templates/partials/footer.html"
build "template" && same_tree "theme template overridden"
grep -q "footer v2" "$faq" && pass "incremental: the template change is in every page" ||
	fail "incremental: the template change is in every page"
{ cat themes/default/assets/style.css; echo '/* v2 */'; } >"$c/themes/default/assets/style.css"
build "asset" && same_tree "theme asset changed (new fingerprint)"
mkdir -p "$c/static/files"
echo "hello" >"$c/static/files/note.txt"
build "static add" && same_tree "static file added"
echo "hello again" >"$c/static/files/note.txt"
build "static edit" && same_tree "static file edited"
rm -r "$c/static/files"
build "static delete" && same_tree "static file deleted"

# A failed build leaves the site as it was, cache included.
cp -a "$A" "$d/A.before"
cp "$A.porch-cache/pack" "$d/pack.before"
mv "$c/docs/backups/retention.md" "$d/moved.md"	# other pages link to it
if "$PORCH" build "$c" -o "$A" -q 2>/dev/null; then
	fail "incremental: a broken link fails the build"
else
	diff -r "$A" "$d/A.before" >/dev/null &&
		pass "incremental: a failed build leaves the site untouched" ||
		fail "incremental: a failed build leaves the site untouched"
	# What the header commits (to its end, a u64 at byte 40) is as it
	# was; bytes past it are for the next build to write over.
	end=$(od -An -t u8 -j 40 -N 8 "$d/pack.before" | tr -d ' ')
	cmp -s -n "$end" "$A.porch-cache/pack" "$d/pack.before" &&
		pass "incremental: a failed build leaves the cached results as they were" ||
		fail "incremental: a failed build leaves the cached results as they were"
fi
mv "$d/moved.md" "$c/docs/backups/retention.md"
build "after failure" && same_tree "the build after a failed one"

# The markdown cache (generator/mdcache.c): a page's cached render is used
# only while its links resolve as they did.  src links to dst and to a
# heading of dst.
# fails_like_clean NAME: the incremental build fails with exactly the
# messages a clean build gives, and leaves the site as it was.
fails_like_clean() {
	rm -rf "$d/A.before" "$d/B" "$d/B.porch-cache"
	cp -a "$A" "$d/A.before"
	if "$PORCH" build "$c" -o "$A" 2>"$d/errA"; then
		fail "incremental: $1: the build fails"
		return
	fi
	"$PORCH" build "$c" -o "$d/B" --clean 2>"$d/errB"
	grep -q "error:" "$d/errA" && cmp -s "$d/errA" "$d/errB" &&
		pass "incremental: $1: fails with a clean build's messages" ||
		fail "incremental: $1: fails with a clean build's messages" \
		    "$(diff "$d/errA" "$d/errB" | head -6)"
	diff -r "$A" "$d/A.before" >/dev/null &&
		pass "incremental: $1: the site is untouched" ||
		fail "incremental: $1: the site is untouched"
}
# stats: a build with the cache's counts in $d/sum.
stats() { PORCH_CACHE_STATS=1 PORCH_SEARCH_STATS=1 "$PORCH" build "$c" -o "$A" 2>"$d/sum"; }
printf -- '---\ntitle: Cache target\nweight: 98\n---\n\n## First part\n\nWords.\n' \
    >"$c/docs/mdc-dst.md"
printf -- '---\ntitle: Cache source\nweight: 97\n---\n\nSee [the target](mdc-dst.md) and\n[its first part](mdc-dst.md#first-part).\n' \
    >"$c/docs/mdc-src.md"
# A reading is kept only for files older than two seconds (frontcache.c:
# a coarse clock could not tell a second write in the same tick apart).
sleep 3
build "linked pages" && same_tree "two linked pages added"
if stats && grep -q "mdcache: [0-9]* reused, 0 rendered" "$d/sum" &&
    grep -q "pack: [0-9]* found, 0 missing, 0 damaged, 0 stored" "$d/sum"; then
	pass "incremental: nothing changed, no markdown rendered or page tokenised"
else
	fail "incremental: nothing changed, no markdown rendered or page tokenised" "$(cat "$d/sum")"
fi
size1=$(stat -c %s "$A.porch-cache/pack")
stats && [ "$(stat -c %s "$A.porch-cache/pack")" = "$size1" ] &&
	pass "incremental: the cache does not grow when nothing changed" ||
	fail "incremental: the cache does not grow when nothing changed" "$size1 -> $(stat -c %s "$A.porch-cache/pack")"

# The linking page edited, the linked one recalled from its memo (its
# heading ids read from the pack, pagememo.c): a link to one of them still
# resolves, a link to an id it does not have still fails.
cp "$c/docs/mdc-src.md" "$d/mdc-src.md"
printf '\nAgain: [the first part](mdc-dst.md#first-part).\n' >>"$c/docs/mdc-src.md"
build "linking page edited" && same_tree "linking page edited, linked page recalled"
printf '\nAnd [no such part](mdc-dst.md#no-such-part).\n' >>"$c/docs/mdc-src.md"
fails_like_clean "link to an id the recalled page lacks"
cp "$d/mdc-src.md" "$c/docs/mdc-src.md"
build "linking page restored" && same_tree "linking page restored"

sed -i 's/^## First part/## Opening part/' "$c/docs/mdc-dst.md"
fails_like_clean "linked heading renamed"
sed -i 's/^## Opening part/## First part/' "$c/docs/mdc-dst.md"
mv "$c/docs/mdc-dst.md" "$c/docs/mdc-moved.md"
fails_like_clean "linked page renamed"
sed -i 's/mdc-dst\.md/mdc-moved.md/g' "$c/docs/mdc-src.md"
build "link follows the rename" && same_tree "link fixed after the rename"

# With warn_links a deleted target leaves the link as written: the
# source page's cached HTML must not be reused, and the warning is said on
# every build, cached or not.
cp "$c/site.lua" "$d/site.lua"
sed -i 's/^return {/return {\n  options = { warn_links = true },/' "$c/site.lua"
build "warn_links" && same_tree "warn_links site"
rm "$c/docs/mdc-moved.md"
if stats; then
	same_tree "warn_links: linked page deleted"
	grep "warning:" "$d/sum" >"$d/wA"
	grep "warning:" "$d/errB" >"$d/wB"
	[ -s "$d/wA" ] && cmp -s "$d/wA" "$d/wB" &&
		pass "incremental: warn_links: a clean build's warnings" ||
		fail "incremental: warn_links: a clean build's warnings" "$(cat "$d/sum")"
	grep -q 'href="mdc-moved.md' "$A/docs/mdc-src/index.html" &&
		pass "incremental: warn_links: the broken link is left as written" ||
		fail "incremental: warn_links: the broken link is left as written"
	stats
	grep "warning:" "$d/sum" >"$d/wA2"
	grep -q "mdcache: [0-9]* reused, 0 rendered" "$d/sum" &&
		cmp -s "$d/wA" "$d/wA2" &&
		pass "incremental: warn_links: a cached page still warns" ||
		fail "incremental: warn_links: a cached page still warns" "$(cat "$d/sum")"
else
	fail "incremental: warn_links: a deleted target only warns" "$(cat "$d/sum")"
fi
cp "$d/site.lua" "$c/site.lua"
rm "$c/docs/mdc-src.md"
build "cache pages removed" && same_tree "linked pages removed"

# Front matter is parsed once (generator/frontcache.c): a file broken
# since is reported exactly as a clean build reports it.
cp "$c/docs/backups/retention.md" "$d/retention.md"
sed -i '0,/^title: /s/^title: .*/title: [unclosed/' "$c/docs/backups/retention.md"
fails_like_clean "broken front matter"
cp "$d/retention.md" "$c/docs/backups/retention.md"
build "front matter fixed" && same_tree "front matter fixed"

sleep 3	# the files were just written: let their readings be kept
build "settled" || :

# A source is not read again while its path and identity are the same;
# an edit that keeps its size and modification time still changes its
# change time (frontcache.c's key), so it is seen.
f="$c/docs/backups/retention.md"
touch -r "$f" "$d/stamp"
# (in place, same inode: sed -i would make a new file)
python3 -c 'import sys; p = sys.argv[1]; t = open(p).read()
open(p, "r+").write(t.replace("main lever on your", "main lever in your"))' "$f"
touch -r "$d/stamp" "$f"
build "same size and mtime" && same_tree "an edit keeping size and modification time"
sleep 3
build "settled again" || :

# A folder's listing is kept in the pack while the folder's times are
# unchanged (dirlist.c): "settled again" kept docs/backups' listing, and a
# page added to it, then renamed, then removed changes those times each
# time, so each build lists the folder again and matches a clean build.
late="$c/docs/backups/listed-late.md"
printf -- '---\ntitle: Listed late\n---\n\nA page in a folder listed from the pack.\n' >"$late"
build "page added to a listed folder" &&
	same_tree "a page added to a folder whose listing was kept"
sleep 3
build "settled with the added page" || :
mv "$late" "$c/docs/backups/listed-later.md"
build "page renamed in a listed folder" &&
	same_tree "a page renamed in a folder whose listing was kept"
sleep 3
build "settled with the renamed page" || :
rm "$c/docs/backups/listed-later.md"
build "page removed from a listed folder" &&
	same_tree "a page removed from a folder whose listing was kept"
sleep 3
build "settled without it" || :

# Whole pages reused (generator/pagememo.c): a page is not rendered at all
# while its file, the site's shape (paths, front matter, votes), the
# templates and every page's headings are as they were; a change to any
# of them renders what it affects, and the site is a clean build's.
# reused N FOUND STORED: the last stats line says so.
# The generated pages, sitemap, feed and catalog (G of them) are kept
# unless the model or a list entry (FAQ answer, changelog entry) changed.
reused() {
	grep -q "^pages: $1 reused whole, $2 memos found, $3 stored; ${4:-[0-9]*} generated" "$d/sum"
}
stats
n=$(sed -n 's/^pages: \([0-9]*\) reused whole.*/\1/p' "$d/sum")
g=$(sed -n 's/.* \([0-9]*\) generated files kept$/\1/p' "$d/sum")
if [ "${n:-0}" -gt 10 ] && [ "${g:-0}" -gt 10 ] && reused "$n" "$n" 0 &&
    grep -q "mdcache: 0 reused, 0 rendered" "$d/sum"; then
	pass "incremental: nothing changed: every page reused whole"
else
	fail "incremental: nothing changed: every page reused whole" "$(cat "$d/sum")"
fi
# The search index's inputs (every record, URL, title...) are the last
# build's: its files are kept and no record is read (search.c).
grep -q "^search: the last build's index kept ([1-9][0-9]* files)$" "$d/sum" &&
	pass "incremental: nothing changed: the search index is kept whole" ||
	fail "incremental: nothing changed: the search index is kept whole" "$(cat "$d/sum")"
# The memos come from one table of them (pagememo.c), which has them all.
grep -q "^memo table: $n rows, 0 pages not in it$" "$d/sum" &&
	pass "incremental: nothing changed: every memo read from the memo table" ||
	fail "incremental: nothing changed: every memo read from the memo table" "$(cat "$d/sum")"
f="$c/docs/backups/retention.md"
printf '\nOne more sentence for the memo.\n' >>"$f"
stats && reused $((n - 1)) $((n - 1)) 1 "$g" &&
	grep -q "mdcache: 0 reused, 1 rendered" "$d/sum" &&
	pass "incremental: a body edit renders that page alone" ||
	fail "incremental: a body edit renders that page alone" "$(cat "$d/sum")"
# ... and the records of a kept index stay in the pack: one is made (the
# last index patched with it, or merged).
grep -Eq "^search: (the last build's index patched \(1 pages|.*; records: [1-9][0-9]* from the pack, 1 made$)" "$d/sum" &&
	pass "incremental: a body edit after a kept index tokenises one page" ||
	fail "incremental: a body edit after a kept index tokenises one page" "$(cat "$d/sum")"
# The edited page's memo is not in the table: it reads its own (a new
# one, rendered).
grep -q "^memo table: $n rows, 1 pages not in it$" "$d/sum" &&
	pass "incremental: a body edit: the edited page alone is not in the memo table" ||
	fail "incremental: a body edit: the edited page alone is not in the memo table" "$(cat "$d/sum")"
same_tree "memo: body edit"
# Two more pages edited: not in the table and rendered again, they are
# more than one page in 64 of this site's $n, so the table is written
# again, and the next build finds every memo in it.
for mt in $(find "$c/docs" -name '*.md' ! -name index.md ! -name retention.md |
    LC_ALL=C sort | head -2); do
	printf '\nA sentence for the memo table.\n' >>"$mt"
done
stats && grep -q "^memo table: $n rows, 2 pages not in it$" "$d/sum" && stats &&
	reused "$n" "$n" 0 && grep -q "^memo table: $n rows, 0 pages not in it$" "$d/sum" &&
	pass "incremental: the memo table is written again when pages are missing from it" ||
	fail "incremental: the memo table is written again when pages are missing from it" "$(cat "$d/sum")"
same_tree "memo: memo table written again"
# A FAQ answer shows whole on the FAQ pages, a changelog entry on the
# changelog pages and in the feed: those are made again.
faq1=$(ls "$c"/faq/*.md | grep -v index.md | head -1)
printf '\nAn answer grows by a sentence.\n' >>"$faq1"
stats && reused $((n - 1)) $((n - 1)) 1 && ! reused $((n - 1)) $((n - 1)) 1 "$g" &&
	pass "incremental: a FAQ answer edit makes the FAQ pages again" ||
	fail "incremental: a FAQ answer edit makes the FAQ pages again" "$(cat "$d/sum")"
same_tree "memo: FAQ answer edit"
grep -q "An answer grows by a sentence" "$A/faq/index.html" &&
	pass "incremental: the FAQ page shows the edited answer" ||
	fail "incremental: the FAQ page shows the edited answer"
cl1=$(ls "$c"/changelog/*.md | grep -v index.md | tail -1)
printf '\nOne more fix in this release.\n' >>"$cl1"
build "memo: changelog entry edit" && same_tree "memo: changelog entry edit"
grep -q "One more fix in this release" "$A/changelog/feed.xml" &&
	pass "incremental: the feed has the edited entry" ||
	fail "incremental: the feed has the edited entry"
# A new heading changes the site's heading ids: the other pages are
# reused once the headings their links name are found (pagememo.c), not
# rendered again; a heading they name that is gone fails the build
# ("linked heading renamed" above).  The rows of the memo table are
# checked against the pages whose headings changed since it was written
# (memosince.h), not looked up link by link.
printf '\n## A new heading\n\nUnder it.\n' >>"$f"
stats && reused $((n - 1)) $((n - 1)) 1 &&
	grep -q "^headings changed: $((n - 1)) pages reused after their links to headings were checked, [1-9][0-9]* against the headings changed since the memo table was written$" "$d/sum" &&
	pass "incremental: a new heading renders its page alone; the others' links are checked" ||
	fail "incremental: a new heading renders its page alone; the others' links are checked" "$(cat "$d/sum")"
same_tree "memo: heading added"
stats && reused "$n" "$n" 0 &&
	pass "incremental: then every page is reused whole again" ||
	fail "incremental: then every page is reused whole again" "$(cat "$d/sum")"
# A page that links to the new heading, recalled from its row when the
# heading is renamed: the row's links are looked up again, and the build
# fails as a clean one does.
printf -- '---\ntitle: Heading link\n---\n\nSee [the new heading](backups/retention.md#a-new-heading).\n' \
    >"$c/docs/heading-link.md"
build "memo: a link to the new heading" &&
	same_tree "memo: a link to the new heading"
build "memo: settled" || :
sed -i 's/^## A new heading/## A renamed heading/' "$f"
fails_like_clean "memo: a heading a recalled page links to, renamed"
sed -i 's/^## A renamed heading/## A new heading/' "$f"
rm "$c/docs/heading-link.md"
build "memo: the link taken out" && same_tree "memo: the link taken out"
# A title edit renders the pages that show that title (the page, its
# section's pages whose docs tree shows it, its neighbours): each memo
# keeps what its page showed of the others (pagememo.c), and the other
# pages are reused whole.
sed -i '0,/^title: /s/^title: .*/title: Retention, renamed/' "$f"
stats
shown=$(grep -rl --include=index.html "Retention, renamed" "$A" | grep -vc "^$A/tags/")
if reused $((n - shown)) $((n - shown)) "$shown" && [ "$shown" -gt 2 ]; then
	pass "incremental: a title edit renders only the $shown pages that show the title"
else
	fail "incremental: a title edit renders only the $shown pages that show the title" "$(cat "$d/sum")"
fi
same_tree "memo: title edit"
cp "$d/retention.md" "$f"
build "memo: file restored" && same_tree "memo: file restored"
# A theme may show more of the docs tree than a page's branch: what each
# render reads of the tree is tracked (template.h), so a footer listing
# every docs title is made again on every page by a title edit.
foot="$c/themes/default/templates/partials/footer.html"
cp "$foot" "$d/footer.keep"
{ cat "$d/footer.keep"
  echo '{%- local function walk(n) for _, k in ipairs(n.children or {}) do %}<li>{{ k.title }}</li>{% walk(k) end end %}'
  echo '<ul class="all-docs">{% if site.docs then walk(site.docs) end %}</ul>'; } >"$foot"
build "a footer lists the docs tree" && same_tree "memo: a footer lists the docs tree"
sed -i '0,/^title: /s/^title: .*/title: Retention, listed everywhere/' "$f"
stats && reused 0 0 "$n" &&
	pass "incremental: a title every page lists renders every page" ||
	fail "incremental: a title every page lists renders every page" "$(cat "$d/sum")"
same_tree "memo: title edit, every page lists the docs tree"
grep -q "Retention, listed everywhere" "$faq" &&
	pass "incremental: a FAQ page's footer lists the new docs title" ||
	fail "incremental: a FAQ page's footer lists the new docs title"
cp "$d/retention.md" "$f"
cp "$d/footer.keep" "$foot"
build "footer and title restored" && same_tree "memo: footer and title restored"
# A page's data shows other pages' fields too (pagedata.c): the release
# that ships a roadmap item shows the item's title, and is made again when
# it changes, though no docs tree is involved.
item="$c/roadmap/slack-app.md"
cp "$item" "$d/slack-app.md"
sed -i '0,/^title: /s/^title: .*/title: Slack app, renamed/' "$item"
build "a shipped item renamed" && same_tree "memo: a shipped item renamed"
grep -q "Slack app, renamed" "$A/changelog/3.1.0/index.html" &&
	pass "incremental: the release that ships the item shows its new title" ||
	fail "incremental: the release that ships the item shows its new title"
cp "$d/slack-app.md" "$item"
build "shipped item restored" && same_tree "memo: shipped item restored"
# A page added or removed renders the pages that show it (its folder's,
# whose docs tree lists it, its neighbours), not every page: memos name
# the pages they showed by output file, not by place in the site, and
# the other pages are reused once their links are found to lead where
# they led (pagememo.c).
new="$c/docs/backups/memo-added.md"
printf -- '---\ntitle: Memo added page\n---\n\nA page of its own.\n' >"$new"
stats
shown=$(grep -rl --include=index.html "Memo added page" "$A" | grep -vc "^$A/tags/")
if reused $((n + 1 - shown)) $((n + 1 - shown)) "$shown" &&
    [ "$shown" -gt 2 ] && [ "$shown" -lt $((n / 2)) ] &&
    grep -q " [1-9][0-9]* after where their links lead was$" "$d/sum"; then
	pass "incremental: a page added renders only the $shown pages that show it"
else
	fail "incremental: a page added renders only the $shown pages that show it" "$(cat "$d/sum")"
fi
same_tree "memo: page added"
rm "$new"
stats
if reused $((n + 1 - shown)) $((n + 1 - shown)) $((shown - 1)) &&
    ! grep -rq --include=index.html "Memo added page" "$A"; then
	pass "incremental: a page removed renders only the $((shown - 1)) pages that showed it"
else
	fail "incremental: a page removed renders only the $((shown - 1)) pages that showed it" "$(cat "$d/sum")"
fi
same_tree "memo: page removed"
# A list's length is part of what a page shows of it: a section that
# gains its first page is shown as a section (closed) in every docs
# page's sidebar, though no title changed.
mkdir "$c/docs/memo-sec"
printf -- '---\ntitle: Memo section\n---\n\nA section.\n' >"$c/docs/memo-sec/index.md"
build "an empty section" && same_tree "memo: an empty section added"
printf -- '---\ntitle: Memo first page\n---\n\nIts first page.\n' \
    >"$c/docs/memo-sec/first.md"
build "its first page" && same_tree "memo: a section's first page added"
grep -q 'nav-section-closed"><a href="/docs/memo-sec/"' \
    "$A/docs/backups/retention/index.html" &&
	pass "incremental: a section's first page makes it a section in other pages' sidebars" ||
	fail "incremental: a section's first page makes it a section in other pages' sidebars"
rm -r "$c/docs/memo-sec"
build "section removed" && same_tree "memo: the section removed"
# A theme that shows how many pages each section has reads the lists'
# lengths, which are reads (template.h): a page added changes the count
# on every page.
foot="$c/themes/default/templates/partials/footer.html"
cp "$foot" "$d/footer.keep"
{ cat "$d/footer.keep"
  echo '<p class="counts">{% for _, n in ipairs(site.docs.children or {}) do %}{{ n.title }}: {{ #n.children }}; {% end %}</p>'; } >"$foot"
build "a footer counts each section's pages" && same_tree "memo: a footer counts the sections' pages"
printf -- '---\ntitle: Memo counted page\n---\n\nCounted.\n' >"$c/docs/backups/memo-counted.md"
build "a counted page added" && same_tree "memo: a page added to a counted section"
rm "$c/docs/backups/memo-counted.md"
cp "$d/footer.keep" "$foot"
build "count footer removed" && same_tree "memo: the count footer removed"
# The site data's lists made of pages (FAQ categories, recent changes,
# roadmap counts) are tracked like the docs tree (pagedata.c): a FAQ
# question added makes again the pages that read them (the home page),
# its category's questions (which show its count) and the FAQ lists, not
# every page.
# (A footer shows a question's category's count, as a theme may.)
q="$c/faq/memo-added-question.md"
cp "$foot" "$d/footer.keep"
{ cat "$d/footer.keep"
  echo '{% if page.category then %}<p class="cat-count">{{ page.category.count }}</p>{% end %}'; } >"$foot"
build "a footer shows the category's count" &&
	same_tree "memo: a footer shows a question's category's count"
printf -- '---\ntitle: Is there a memo question?\ncategory: Billing\n---\n\nThere is.\n' >"$q"
stats
st=$(sed -n 's/^pages: [0-9]* reused whole, [0-9]* memos found, \([0-9]*\) stored.*/\1/p' "$d/sum")
if [ "${st:-0}" -gt 1 ] && [ "$st" -lt $((n / 4)) ]; then
	pass "incremental: a FAQ question added renders $st pages, not every page"
else
	fail "incremental: a FAQ question added renders $st pages, not every page" "$(cat "$d/sum")"
fi
same_tree "memo: a FAQ question added"
grep -q "memo question" "$A/faq/billing/index.html" &&
	pass "incremental: the new question is on its category's page" ||
	fail "incremental: the new question is on its category's page"
rm "$q"
build "question removed" && same_tree "memo: the FAQ question removed"
cp "$d/footer.keep" "$foot"
build "count footer gone" && same_tree "memo: the category count footer removed"
# A release added: the home page's recent changes show it.
rel="$c/changelog/9.9.9.md"
printf -- '---\ntitle: Skylark 9.9.9\nversion: "9.9.9"\ndate: 2026-11-01\ntype: fix\n---\n\nA memo release.\n' >"$rel"
build "a release added" && same_tree "memo: a release added"
grep -q "Skylark 9.9.9" "$A/index.html" &&
	pass "incremental: the home page shows the new release" ||
	fail "incremental: the home page shows the new release"
rm "$rel"
build "release removed" && same_tree "memo: the release removed"
# Generated pages keep memos too (pagememo.c): kept while what they list
# is as it was (which pages, in what order, and the render keys of those
# they show whole) and the fields they showed of others hold.  A page
# tagged anew is on its tag's page, though that page never showed it.
tagged="$c/docs/restore/test-restores.md"
cp "$tagged" "$d/tagged.md"
sed -i 's/^tags: \[restore, backups\]$/tags: [restore, backups, retention]/' "$tagged"
build "a page tagged anew" && same_tree "memo: a page tagged anew"
grep -q "Test restores" "$A/tags/retention/index.html" &&
	pass "incremental: a page tagged anew is on its tag's page" ||
	fail "incremental: a page tagged anew is on its tag's page"
cp "$d/tagged.md" "$tagged"
build "tag taken off" && same_tree "memo: the tag taken off"
! grep -q "Test restores" "$A/tags/retention/index.html" &&
	pass "incremental: a tag taken off leaves its tag's page" ||
	fail "incremental: a tag taken off leaves its tag's page"
# Tags' pages split over pages (options.tags_per_page): a page retitled
# makes again the page of its tag's list that shows it; the list's first
# page, which shows the count and two other pages, is kept.
sed -i 's/^  search = { report_misses = true },$/&\n  options = { tags_per_page = 2 },/' \
    "$c/site.lua"
build "tags split" && same_tree "tags split over pages"
slice=$(grep -l "Bandwidth and performance" "$A"/tags/backups/page/*/index.html)
if [ -n "$slice" ] && grep -q 'rel="prev"' "$slice" &&
    grep -q "pages have this tag" "$A/tags/backups/index.html" &&
    ! grep -q "pages have this tag" "$slice"; then
	pass "incremental: a tag's pages are split, the count on the first"
else
	fail "incremental: a tag's pages are split, the count on the first" \
	    "$(ls "$A/tags/backups" "$A/tags/backups/page" 2>&1)"
fi
first=$(ino "$A/tags/backups/index.html")
s_before=$(ino "$slice")
bw="$c/docs/backups/bandwidth-and-performance.md"
sed -i 's/^title: Bandwidth and performance$/title: Bandwidth and speed/' "$bw"
build "retitled, tags split" && same_tree "a page retitled, tags split"
if [ "$(ino "$A/tags/backups/index.html")" = "$first" ] &&
    [ "$(ino "$slice")" != "$s_before" ] &&
    grep -q "Bandwidth and speed" "$slice"; then
	pass "incremental: a retitled page's tag page is made again, not the first"
else
	fail "incremental: a retitled page's tag page is made again, not the first"
fi
sed -i 's/^title: Bandwidth and speed$/title: Bandwidth and performance/' "$bw"
sed -i '/^  options = { tags_per_page = 2 },$/d' "$c/site.lua"
build "tags whole again" && same_tree "tags whole again"
# A list's introduction (its section's index.md) is in what it lists.
printf -- '---\ntitle: Questions\n---\n\nAsk us about the opal-lantern plan.\n' \
    >"$c/faq/index.md"
build "a FAQ introduction" && same_tree "memo: a FAQ introduction added"
sed -i 's/opal-lantern/amber-kite/' "$c/faq/index.md"
build "the introduction edited" && same_tree "memo: the FAQ introduction edited"
grep -q "amber-kite" "$A/faq/index.html" &&
	pass "incremental: the FAQ page shows its edited introduction" ||
	fail "incremental: the FAQ page shows its edited introduction"
rm "$c/faq/index.md"
build "introduction removed" && same_tree "memo: the FAQ introduction removed"
# A page whose link leads to a page or file that is then removed fails
# the build as a clean build does, though nothing it shows changed (the
# target is in another folder) and no heading is named: its memo's links
# are checked.
hold="$c/docs/backups/memo-holder.md"
target="$c/docs/restore/memo-target.md"
printf -- '---\ntitle: Link holder\n---\n\nSee [the target](../restore/memo-target.md) and\n[the sheet](memo-sheet.csv).\n' \
    >"$hold"
printf -- '---\ntitle: Link target\n---\n\nHere.\n' >"$target"
printf 'a,b\n1,2\n' >"$c/docs/backups/memo-sheet.csv"
sleep 3
build "a link holder" && build "a link holder, settled" &&
	same_tree "memo: a page linking to a page and a file"
mv "$target" "$d/memo-target.md"
fails_like_clean "a linked page removed (no heading named)"
mv "$d/memo-target.md" "$target"
build "linked page back" && same_tree "memo: the linked page back"
mv "$c/docs/backups/memo-sheet.csv" "$d/memo-sheet.csv"
fails_like_clean "a linked file removed"
rm "$hold" "$target"
build "link holder removed" && same_tree "memo: the link holder removed"
# A section's title is the search results' label of every page in it.
sec="$c/docs/backups/index.md"
cp "$sec" "$d/backups-index.md"
sed -i '0,/^title: /s/^title: .*/title: Backing up/' "$sec"
build "section renamed" && same_tree "memo: section renamed (search labels)"
grep -q '"Backing up"' "$A"/search/c*.json &&
	pass "incremental: search results carry the section's new name" ||
	fail "incremental: search results carry the section's new name"
cp "$d/backups-index.md" "$sec"
build "section name restored" && same_tree "memo: section name restored"
# Vote counts show on each roadmap item's own page.
echo '{"counts": {"passkeys": 5}}' >"$d/v5.json"
echo '{"counts": {"passkeys": 6}}' >"$d/v6.json"
"$PORCH" build "$c" -o "$A" -q --votes "$d/v5.json" &&
	"$PORCH" build "$c" -o "$A" -q --votes "$d/v6.json" &&
	"$PORCH" build "$c" -o "$d/B" -q --clean --votes "$d/v6.json" &&
	grep -q '6 votes' "$A/roadmap/passkeys/index.html" &&
	diff -r "$A" "$d/B" >/dev/null &&
	pass "incremental: new vote counts are on the item's page" ||
	fail "incremental: new vote counts are on the item's page" \
	    "$(grep -o '[0-9]* votes' "$A/roadmap/passkeys/index.html")"
build "votes gone" && same_tree "memo: without votes"
sleep 3
build "settled after the memo's edits" || :

# Damaged cached results (a disk error, a build killed while writing)
# are computed again, never used and never an error.
pk="$A.porch-cache/pack"
# The entries lie before the index (its offset: a u64 at byte 16 of the
# header); the file may go on past the index.
size=$(od -An -t u8 -j 16 -N 8 "$pk" | tr -d ' ')
# (many places; a page reused whole and a search index kept leave the
# markdown entries and the search records unread, so damage there is
# found when they are next needed: a title edit needs them all)
for k in $(seq 1 15); do
	off=$((size * k / 20))
	printf 'X' | dd of="$pk" bs=1 seek="$off" conv=notrunc 2>/dev/null
done
f="$c/docs/backups/retention.md"
cp "$f" "$d/retention-before-damage.md"
sed -i '0,/^title: /s/^title: .*/title: Retention after damage/' "$f"
if stats && grep -q "pack: .* [1-9][0-9]* damaged" "$d/sum"; then
	pass "incremental: damaged cached results are computed again"
else
	fail "incremental: damaged cached results are computed again" "$(cat "$d/sum")"
fi
same_tree "after damaged cached results"
cp "$d/retention-before-damage.md" "$f"
sleep 3
build "settled after the damage" || :
stats && grep -q "pack: [0-9]* found, 0 missing, 0 damaged, 0 stored" "$d/sum" &&
	pass "incremental: the damaged results were replaced" ||
	fail "incremental: the damaged results were replaced" "$(cat "$d/sum")"
# An FAQ answer's HTML that the FAQ list shows comes from its memo, read
# only when a list is made: damaged there (and in the markdown cache, and
# wherever else the pack has the answer's words), the answer is rendered
# from its file again when another answer's edit remakes the list.
printf '\nAsk for the zebra-quartz form.\n' >>"$c/faq/close-account.md"
build "an answer to damage" || :
sleep 3
build "its memo kept" || :
for off in $(grep -obUa "zebra-quartz" "$pk" | cut -d: -f1); do
	printf 'X' | dd of="$pk" bs=1 seek="$off" conv=notrunc 2>/dev/null
done
printf '\nOr write to us.\n' >>"$c/faq/are-restores-free.md"
if stats && grep -q "pack: .* [1-9][0-9]* damaged" "$d/sum" &&
    grep -q "zebra-quartz" "$A/faq/index.html"; then
	pass "incremental: a list entry's damaged HTML is rendered again"
else
	fail "incremental: a list entry's damaged HTML is rendered again" \
	    "$(cat "$d/sum")"
fi
same_tree "after a list entry's damaged HTML"
echo "not a pack" >"$pk"
stats && grep -q "mdcache: 0 reused" "$d/sum" &&
	pass "incremental: a foreign cache file is ignored" ||
	fail "incremental: a foreign cache file is ignored" "$(cat "$d/sum")"
same_tree "after a foreign cache file"

# No manifest (a killed build, or someone's cleanup): a full, correct build.
rm "$A.porch-cache/manifest"
echo '<!-- stray -->' >"$A/stray.html"
build "no manifest" && ! grep -q "(incremental:" "$d/sum" &&
	pass "incremental: without a manifest the build is a full one" ||
	fail "incremental: without a manifest the build is a full one" "$(cat "$d/sum")"
same_tree "full build after a lost manifest"
"$PORCH" build "$c" -o "$A" --clean 2>"$d/sum" &&
	! grep -q "(incremental:" "$d/sum" &&
	pass "incremental: --clean forces a full build" ||
	fail "incremental: --clean forces a full build" "$(cat "$d/sum")"

# A generated corpus of 1,000 pages: one body edit, one title edit.
if python3 scripts/bench/corpus.py 1000 "$d/big" >/dev/null 2>&1; then
	c="$d/big"
	A="$d/bigA"
	if build "corpus"; then
		f=$(ls "$c"/docs/*/*.md | grep -v index.md | head -5 | tail -1)
		other=$(ls "$A"/faq/*/index.html | tail -1)
		o_before=$(ino "$other")
		printf '\nOne more paragraph about quotas.\n' >>"$f"
		build "corpus body" && same_tree "1,000 pages, body edit"
		grep -q "(incremental:" "$d/sum" && [ "$(ino "$other")" = "$o_before" ] &&
			pass "incremental: 1,000 pages: a body edit leaves other pages alone" ||
			fail "incremental: 1,000 pages: a body edit leaves other pages alone" "$(cat "$d/sum")"
		sed -i '0,/^title: /s/^title: .*/title: A renamed page/' "$f"
		build "corpus title" && same_tree "1,000 pages, title edit"
	fi
else
	fail "incremental: corpus.py makes 1,000 pages"
fi
