# sitemap.xml (generator/sitemap.c): up to 1,000 pages one <urlset>;
# above, a <sitemapindex> of parts a crawler reads in turn.  Every page
# search engines should index is in exactly one part, each part sorted by
# URL; the index gives each part's latest change.  A page added or removed
# writes its own part and the index, and leaves the other parts alone; the
# result is the clean build's, byte for byte.
. tests/lib.sh

d=$(scratch)
cp -R content "$d/c"
c="$d/c"
A="$d/A"
mkdir -p "$c/docs/many"
same_tree() { same_as_clean "sitemap" "$1"; }
ino() { stat -c %i "$1"; }

# The locs in the files given, as paths after the host, one a line (the
# example site's base URL is a host's root).
locs() { sed -n 's|.*<loc>https://[^/<]*\(/[^<]*\)</loc>.*|\1|p' "$@"; }

# The example site is small: one urlset, no parts.
"$PORCH" build "$c" -o "$A" -q 2>"$d/err" || fail "sitemap: small site build" "$(head -5 "$d/err")"
grep -q "^<urlset " "$A/sitemap.xml" && ! ls "$A"/sitemap-*.xml >/dev/null 2>&1 &&
	pass "sitemap: a small site has one urlset" ||
	fail "sitemap: a small site has one urlset"
small=$(locs "$A/sitemap.xml" | wc -l)

# 1,100 pages more: an index of parts.
for n in $(seq 1 1100); do
	printf -- '---\ntitle: Many %d\ndate: 2024-%02d-%02d\n---\n\nPage %d.\n' \
	    "$n" $((n % 12 + 1)) $((n % 28 + 1)) "$n" >"$c/docs/many/m$n.md"
done
"$PORCH" build "$c" -o "$A" -q 2>"$d/err" || fail "sitemap: large site build" "$(head -5 "$d/err")"
grep -q "^<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">$" "$A/sitemap.xml" &&
	pass "sitemap: a large site's sitemap.xml is an index" ||
	fail "sitemap: a large site's sitemap.xml is an index" "$(head -3 "$A/sitemap.xml")"
parts=$(locs "$A/sitemap.xml")
nparts=$(echo "$parts" | wc -l)
missing=0
for p in $parts; do [ -f "$A$p" ] && [ -f "$A$p.gz" ] || missing=1; done
[ "$nparts" -ge 2 ] && [ $missing = 0 ] &&
	[ "$(ls "$A"/sitemap-*.xml | wc -l)" = "$nparts" ] &&
	pass "sitemap: the index lists every part, and each is there with its .gz" ||
	fail "sitemap: the index lists every part, and each is there with its .gz" "$parts"
# Every indexable page once: the small site's, the 1,100 new ones and
# their folder's landing page.
all=$(for p in $parts; do locs "$A$p"; done)
[ "$(echo "$all" | wc -l)" = $((small + 1101)) ] &&
	[ -z "$(echo "$all" | sort | uniq -d)" ] &&
	echo "$all" | grep -qx "/docs/many/m777/" &&
	pass "sitemap: the parts list every page once" ||
	fail "sitemap: the parts list every page once" "$(echo "$all" | wc -l) of $((small + 1101))"
unsorted=0
for p in $parts; do
	locs "$A$p" | LC_ALL=C sort -c 2>/dev/null || unsorted=1
done
[ $unsorted = 0 ] && pass "sitemap: each part is sorted by URL" ||
	fail "sitemap: each part is sorted by URL"
# The index's lastmod of a part is the latest of its pages'.
bad=0
for p in $parts; do
	want=$(sed -n 's|.*<lastmod>\([^<]*\)</lastmod>.*|\1|p' "$A$p" | sort | tail -1)
	grep -q "<loc>[^<]*$p</loc><lastmod>$want</lastmod>" "$A/sitemap.xml" || bad=1
done
[ $bad = 0 ] && pass "sitemap: the index gives each part's latest change" ||
	fail "sitemap: the index gives each part's latest change"
same_tree "the index made"

# A page added: its part and the index are written, the others kept.
snap() { for p in $parts; do echo "$p $(ino "$A$p")"; done; }
before=$(snap)
printf -- '---\ntitle: One more\ndate: 2031-05-06\n---\n\nNew.\n' >"$c/docs/many/added.md"
"$PORCH" build "$c" -o "$A" -q 2>"$d/err" || fail "sitemap: add build" "$(head -5 "$d/err")"
changed=$(diff <(echo "$before") <(snap) | grep -c '^>')
home=$(grep -l "/docs/many/added/<" "$A"/sitemap-*.xml | wc -l)
[ "$changed" = 1 ] && [ "$home" = 1 ] &&
	grep -q "<lastmod>2031-05-06</lastmod></sitemap>" "$A/sitemap.xml" &&
	pass "sitemap: a page added writes its part and the index only" ||
	fail "sitemap: a page added writes its part and the index only" "$changed parts written, in $home parts"
same_tree "a page added"
rm "$c/docs/many/added.md"
"$PORCH" build "$c" -o "$A" -q 2>"$d/err" || fail "sitemap: delete build" "$(head -5 "$d/err")"
! grep -q "/docs/many/added/" "$A"/sitemap-*.xml &&
	pass "sitemap: a page removed leaves its part" ||
	fail "sitemap: a page removed leaves its part"
same_tree "a page removed"

# Back under 1,000 pages: one urlset again, the parts gone.
rm -r "$c/docs/many"
"$PORCH" build "$c" -o "$A" -q 2>"$d/err" || fail "sitemap: shrink build" "$(head -5 "$d/err")"
grep -q "^<urlset " "$A/sitemap.xml" && ! ls "$A"/sitemap-*.xml >/dev/null 2>&1 &&
	pass "sitemap: a site shrunk back has one urlset and no parts" ||
	fail "sitemap: a site shrunk back has one urlset and no parts"
same_tree "back to one file"
