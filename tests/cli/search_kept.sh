# The kept index (search.c, "the kept index"): a build whose pages are the
# last build's in the same order but for a few changed, added or removed
# patches the last index with those pages' words, sections and headers
# instead of merging it again, and falls back to the merge whenever an
# edit reaches further (an average length, too many pages, pages in
# another order).  Either way the index must be byte for byte the one a
# clean build makes: every check compares the whole site with diff -r.
. tests/lib.sh

d=$(scratch)
cp -R content "$d/c"
c="$d/c"
A="$d/A"
mkdir -p "$c/docs/long"

# Pages with long sections (so an appended sentence leaves the excerpts
# alone), a common word in every page ("backup": more postings than an
# entry keeps, so patching must know the best of the rest), words in
# inflected forms, tags, and a second section in some pages.
words="install installing installed restore restoring restored agent
agents encrypt encrypted encryption verify verifying verified snapshot
snapshots schedule scheduled retention"
set -- $words
nw=$#
para() {	# N K: a paragraph of about 40 words
	local n=$1 k=$2 i w
	for i in 1 2 3 4 5 6 7 8 9 10; do
		w=$(( (n * 7 + i * 13 + k) % nw + 1 ))
		printf '%s backup %s item%d ' "${!w}" "word$(( (n + i) % 89))" \
		    $(( (n * i + k) % 301 ))
	done
	printf '\n'
}
page() {	# N: the text of long page N
	local n=$1
	printf -- '---\ntitle: Long topic %d\ntags: [long, t%d]\n---\n\n' \
	    "$n" $((n % 4))
	para "$n" 1
	printf '\n'
	para "$n" 2
	if [ $((n % 2)) = 0 ]; then
		printf '\n## Part %d\n\n' "$n"
		para "$n" 3
	fi
}
for n in $(seq 1 450); do
	page "$n" >"$c/docs/long/p$(printf %03d "$n").md"
done

same_tree() { same_as_clean "kept index" "$1"; }
stats() { PORCH_SEARCH_STATS=1 "$PORCH" build "$c" -o "$A" 2>"$d/sum"; }
# patched N: the last build patched the kept index with N pages.
patched() {
	grep -q "^search: the last build's index patched ($1 pages" "$d/sum"
}
# merged WHY: the last build merged again, for this reason.
merged() {
	grep -q "^search: the last build's index not patched: $1" "$d/sum"
}
check() {	# NAME TEST...: the last build's line, then the identity
	local name=$1
	shift
	if "$@"; then
		pass "kept index: $name"
	else
		fail "kept index: $name" "$(cat "$d/sum")"
	fi
	same_tree "$name"
}

stats
# Readings younger than two seconds are not kept (frontcache.c).
sleep 3
stats

printf 'The agents verified every backup again.\n' >>"$c/docs/long/p200.md"
stats
check "a sentence appended is patched in" patched 1

printf 'A zyxwvutsrq appears once in the whole site.\n' \
    >>"$c/docs/long/p201.md"
stats
check "a word new to the site is patched in" patched 1

sed -i 's/zyxwvutsrq appears/appears/' "$c/docs/long/p201.md"
stats
check "a word gone from the site is patched out" patched 1

# A sentence taken out again: its words leave the page but not the site,
# and their forms ("verified") are still shown by other pages.
sed -i 's/^The agents verified every backup again\.$//' "$c/docs/long/p200.md"
stats
check "a sentence removed again, its forms still elsewhere" patched 1

# A form only one page shows ("snapshotting"), of a word other pages show in
# other forms: the site loses the form, not the word.
printf 'The agent keeps snapshotting every file.\n' >>"$c/docs/long/p210.md"
stats
check "a form new to the site is patched in" patched 1
grep -q '"snapshotting"' "$A"/search/s*.json &&
	pass "kept index: the new form is in the index" ||
	fail "kept index: the new form is in the index"
sed -i 's/^The agent keeps snapshotting every file\.$//' "$c/docs/long/p210.md"
stats
check "a form gone from the site is patched out" patched 1
! grep -q '"snapshotting"' "$A"/search/s*.json &&
	pass "kept index: the form gone is not in the index" ||
	fail "kept index: the form gone is not in the index"
# The same with the page that alone shows it removed.
printf -- '---\ntitle: Short restore note\n---\n\nThe agent keeps snapshotting it.\n' \
    >"$c/docs/long/p211b.md"
stats
sed -i 's/^title: Short restore note$/title: Short restore note/' \
    "$c/docs/long/p211b.md"
rm "$c/docs/long/p211b.md"
stats
check "a page removed with the only form of a word" patched 1

# A form of the common word ("backuping", in no other page) that an edited
# page loses, still shown by a page whose posting of the word is too weak
# to be kept (once in a long section): the form stays, whether the kept
# postings know that page or not.
{
	printf -- '---\ntitle: Long filler\n---\n\n'
	for k in $(seq 1 120); do
		printf 'Filler sentence %d about nothing in particular here. ' "$k"
	done
	printf 'Old backuping.\n'
} >"$c/docs/long/p451.md"
stats
printf 'Two backuping were verified.\n' >>"$c/docs/long/p300.md"
stats
sed -i 's/^Two backuping were verified\.$//' "$c/docs/long/p300.md"
stats
check "a common word's form lost where its postings are not all kept" \
    patched 1
grep -q '"backuping"' "$A"/search/s*.json &&
	pass "kept index: a form shown by a page whose posting is not kept stays" ||
	fail "kept index: a form shown by a page whose posting is not kept stays"

# A word with a full list of surface forms (the first 8 in section
# order; "zorblect" has nine): the page where one of them first shows
# loses it, a later page still shows it, and the ninth comes in between.
# A clean build lists the ninth then; the kept index does not know where
# forms first show, so the index merges.
printf -- '---\ntitle: Zorblect one\n---\n\nIt zorblects, zorblected, is zorblecting; a zorblection, zorblections, zorblective, zorblectives.\n' \
    >"$c/docs/long/c1.md"
printf -- '---\ntitle: Zorblect two\n---\n\nThe zorblectivity of the agent.\n' \
    >"$c/docs/long/c2.md"
printf -- '---\ntitle: Zorblect three\n---\n\nA zorblectional word.\n' \
    >"$c/docs/long/c3.md"
printf -- '---\ntitle: Zorblect four\n---\n\nMore zorblectivity here.\n' \
    >"$c/docs/long/c4.md"
stats
sed -i 's/^The zorblectivity of the agent\.$/The agent./' "$c/docs/long/c2.md"
stats
check "a full list's form lost where it first showed" \
    merged "a word with a full list of surface forms"

# A form two neighbouring pages show (one group's): one of them loses it,
# and the kept count of pages that show it says the other still does.
# The pages come in with a merge, so the groups count them.
printf -- '---\ntitle: Flimber five\n---\n\nThe agent was flimbering.\n' \
    >"$c/docs/long/c5.md"
printf -- '---\ntitle: Flimber six\n---\n\nStill flimbering.\n' \
    >"$c/docs/long/c6.md"
PORCH_SEARCH_PATCH=0 stats
sed -i 's/^The agent was flimbering\.$/The agent was idle./' "$c/docs/long/c5.md"
stats
check "a form two pages of a group show, lost by one" patched 1
grep -q '"flimbering"' "$A"/search/s*.json &&
	pass "kept index: the form the other page shows stays" ||
	fail "kept index: the form the other page shows stays"

# The same page edited again and again: each patch drops its postings
# from the kept best of a common word, and must still know the best.
for k in 1 2 3 4 5 6; do
	printf 'Backup backup backup restored %d.\n' "$k" \
	    >>"$c/docs/long/p120.md"
	stats || break
done
check "the same page patched six times over" patched 1

for n in 010 020 030; do
	printf 'Encryption verified for backup %s.\n' "$n" \
	    >>"$c/docs/long/p$n.md"
done
stats
check "three pages patched at once" patched 3

# Markdown that is not text (a comment) makes the page longer without a
# word more: the chunks' size target, projected from the pages' lengths,
# moves, and where the chunks after it are cut with it: those are
# written again.
printf '\n<!-- %s -->\n' "$(head -c 24000000 /dev/zero | tr '\0' x)" \
    >>"$c/docs/long/p005.md"
stats
check "a page much longer cuts the chunks elsewhere" patched 1

# Line 6: the first words of the page's text (its excerpt).
sed -i '6s/^/Reinstalled /' "$c/docs/long/p300.md"
stats
check "an edited excerpt is patched" patched 1

printf '\n## A new part\n\n' >>"$c/docs/long/p151.md"
para 151 9 >>"$c/docs/long/p151.md"
stats
check "a section added: every later section moves" patched 1

# A title is in the page's words, in the exact titles and in its results'
# header, which is in an excerpt chunk: that chunk is written again.
sed -i 's/^title: Long topic 42$/title: Long topic forty-two/' \
    "$c/docs/long/p042.md"
stats
check "a title edit is patched" patched 1

# Two titles edited in pages far apart: two chunks written again, and a
# page's title now the same as another's (two sections under one exact
# title).
sed -i 's/^title: Long topic 7$/title: Long topic 400/' "$c/docs/long/p007.md"
sed -i 's/^title: Long topic 390$/title: Renamed topic/' \
    "$c/docs/long/p390.md"
stats
check "two titles, one the same as another page's" patched 2

# The tag file is made again from the pages' tags and sections.
sed -i 's/^tags: \[long, t1\]$/tags: [long, t1, extra]/' \
    "$c/docs/long/p013.md"
stats
check "a tag added" patched 1

# A page moved to another file name in the same place of the site: one
# page removed and one added, with the same words in the same sections;
# its URL, in its results' header, changes and nothing else.
mv "$c/docs/long/p222.md" "$c/docs/long/p222b.md"
stats
check "a page renamed in place is patched" patched 2

# Pages added and removed: the sections after them move, their words
# come and go.
page 451 >"$c/docs/long/p000a.md"
stats
check "a page added at the start" patched 1
page 452 >"$c/docs/long/p2000.md"
rm "$c/docs/long/p100.md"
stats
check "a page added and one removed" patched 2
# A page of two sections removed and two of one section each added in
# its place: every later section keeps its number, but the pages after
# them have moved one place (the files name sections by page place).
rm "$c/docs/long/p002.md"
page 453 >"$c/docs/long/p002a.md"
page 455 >"$c/docs/long/p002b.md"
stats
check "two pages in one's place: the sections stay, the pages move" patched 3
# A page moved elsewhere is one removed and one added.
mv "$c/docs/long/p410.md" "$c/docs/long/p040a.md"
stats
check "a page renamed to another place" patched 2
# Out of the index (unsearched) and back in.
sed -i 's/^title: Long topic 77$/&\nsearch: false/' "$c/docs/long/p077.md"
stats
check "a page left out of the search index" patched 1
sed -i '/^search: false$/d' "$c/docs/long/p077.md"
stats
check "and back in" patched 1
# More pages added than a patch takes: merged.
for n in $(seq 460 480); do page "$n" >"$c/docs/long/q$n.md"; done
stats
check "twenty pages added are merged" \
    eval '! grep -q "index patched\|not patched" "$d/sum"'

# Damage: a kept index that fails its checksum is not read, never an
# error (the pack checks every entry it hands out).
sleep 3
stats
printf 'After the last edit, a backup sentence.\n' >>"$c/docs/long/p099.md"
stats
check "after a title edit, patching again" patched 1
