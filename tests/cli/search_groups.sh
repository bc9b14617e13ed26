# The search index merges pages in groups, and keeps each group's partial
# index in the pack (search.c, "groups of pages"): after an edit, the other
# groups are read as they were and only the edited page's group is merged
# again.  Whatever was kept, the index must be byte for byte the one a
# clean build makes: the checks compare every file with diff -r.
. tests/lib.sh

d=$(scratch)
cp -R content "$d/c"
c="$d/c"
A="$d/A"
mkdir -p "$c/docs/bulk"

# A site big enough for several groups (about 64 pages each).  Words come
# in inflected forms (surface forms to keep), titles repeat (exact titles
# shared across groups), pages carry tags, and some have headings.
words="install installing installed restore restoring restored backup
backups schedule scheduled scheduling retention retained agent agents
encrypt encrypted encryption verify verifying verified snapshot snapshots"
set -- $words
nw=$#
page() {	# N: the text of bulk page N
	local n=$1 i w
	printf -- '---\ntitle: Bulk topic %d\ntags: [bulk, t%d]\n---\n\n' \
	    $((n % 40)) $((n % 5))
	for i in 1 2 3 4 5 6; do
		w=$(( (n * 7 + i * 13) % nw + 1 ))
		printf '%s ' "${!w}" "word$((n % 97))" "item$((n * i % 211))"
	done
	printf '\n'
	if [ $((n % 3)) = 0 ]; then
		printf '\n## Part %d\n\nMore about %s here.\n' "$n" \
		    "$(eval echo "\${$(( n % nw + 1 ))}")"
	fi
}
for n in $(seq 1 400); do
	page "$n" >"$c/docs/bulk/p$(printf %03d "$n").md"
done

same_tree() { same_as_clean "search groups" "$1"; }
# The kept index would patch most of these edits (search_kept.sh): these
# builds merge.
stats() {
	PORCH_SEARCH_PATCH=0 PORCH_SEARCH_STATS=1 "$PORCH" build "$c" -o "$A" \
	    2>"$d/sum"
}
# groups KEPT MADE: the last build's search line says so (KEPT may be a
# pattern).
groups() {
	grep -Eq "^search: .*; groups: $1 from the pack, $2 made; " "$d/sum"
}

if stats && groups 0 '[3-9][0-9]*'; then
	total=$(sed -n 's/.*groups: 0 from the pack, \([0-9]*\) made.*/\1/p' "$d/sum")
	pass "search groups: a first build makes every group"
else
	total=0
	fail "search groups: a first build makes every group" "$(cat "$d/sum")"
fi
# The index is the one a merge page by page gives, however the pages are
# grouped: with groups of one page, of three, and of the default size, the
# search files are the same.  (The identity checks below compare builds
# that group alike; this is the check that grouping changes nothing.)
for per in 1 3; do
	rm -rf "$d/G" "$d/G.porch-cache"
	if PORCH_SEARCH_GROUP=$per "$PORCH" build "$c" -o "$d/G" -q \
	    2>"$d/errG" && diff -r "$A/search" "$d/G/search" >"$d/diff"; then
		pass "search groups: groups of $per: the same index"
	else
		fail "search groups: groups of $per: the same index" \
		    "$(head -5 "$d/errG" "$d/diff")"
	fi
done
# Readings younger than two seconds are not kept (frontcache.c).
sleep 3
stats

printf '\nOne more restoring sentence.\n' >>"$c/docs/bulk/p200.md"
stats && groups $((total - 1)) 1 &&
	pass "search groups: a body edit merges one group again" ||
	fail "search groups: a body edit merges one group again" "$(cat "$d/sum")"
same_tree "body edit"

printf '\n## A new part\n\nWith scheduled words.\n' >>"$c/docs/bulk/p150.md"
stats && groups $((total - 1)) 1 &&
	pass "search groups: a new section merges one group again" ||
	fail "search groups: a new section merges one group again" "$(cat "$d/sum")"
same_tree "a section added (later sections numbered again)"

page 1000 >"$c/docs/bulk/p100a.md"
stats && groups '[1-9][0-9]*' '[12]' &&
	pass "search groups: a page added moves no other group" ||
	fail "search groups: a page added moves no other group" "$(cat "$d/sum")"
same_tree "page added"

rm "$c/docs/bulk/p300.md"
stats && groups '[1-9][0-9]*' '[12]' &&
	pass "search groups: a page removed moves no other group" ||
	fail "search groups: a page removed moves no other group" "$(cat "$d/sum")"
same_tree "page removed"

# Unsearchable: the page leaves the index, its group is made again.
sed -i '0,/^tags:/s/^tags:/search: false\ntags:/' "$c/docs/bulk/p250.md"
stats && same_tree "a page taken out of search"

# Damage in the pack: partials that fail their checksum are merged again
# from the pages, never used and never an error.
sleep 3
stats
pk="$A.porch-cache/pack"
size=$(stat -c %s "$pk")
for k in $(seq 1 12); do
	printf 'X' | dd of="$pk" bs=1 seek=$((size * k / 13)) conv=notrunc \
	    2>/dev/null
done
printf '\nA sentence after the damage.\n' >>"$c/docs/bulk/p010.md"
if stats; then
	pass "search groups: a damaged pack is no error"
else
	fail "search groups: a damaged pack is no error" "$(cat "$d/sum")"
fi
same_tree "damaged partials"
