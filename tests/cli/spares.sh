# Spare files (generator/spare.c): an incremental build keeps the files it
# replaces in DEST.porch-cache/spare/ and the next one writes over them
# instead of making new files.  The site stays identical to a clean build,
# a spare that is still a site file's is never written over, nothing in
# the folder is followed out of it, and the folder stays bounded.
. tests/lib.sh

d=$(scratch)
cp -R content "$d/c"
c="$d/c"
A="$d/A"
spare="$A.porch-cache/spare"
page="$c/docs/backups/retention.md"

# build NAME: the incremental build of c into A, its stats in $d/sum.
build() {
	if PORCH_CACHE_STATS=1 "$PORCH" build "$c" -o "$A" 2>"$d/sum"; then
		return 0
	fi
	fail "spares: $1: build" "$(head -5 "$d/sum")"
	return 1
}
count() { find "$spare" -type f | wc -l; }
# written_over: how many files the last build wrote over spares.
written_over() {
	sed -n 's/^spare files: \([0-9]*\) written over.*/\1/p' "$d/sum"
}

"$PORCH" build "$c" -o "$A" -q 2>/dev/null
sed -i 's/^title: .*/title: Keeping old versions longer/' "$page"
build "title edit" && same_as_clean spares "a title edit"
kept=$(count)
[ "$kept" -gt 10 ] &&
	pass "spares: the files a title edit replaced are kept ($kept)" ||
	fail "spares: the files a title edit replaced are kept" "$kept in $spare"

sed -i 's/^title: .*/title: Keeping versions for a year/' "$page"
build "second title edit" && same_as_clean spares "a title edit written over spares"
n=$(written_over)
[ "${n:-0}" -gt 10 ] &&
	pass "spares: the next edit writes over them ($n)" ||
	fail "spares: the next edit writes over them" "$(grep spare "$d/sum")"
grep -q "Keeping versions for a year" "$A/docs/backups/retention/index.html" &&
	pass "spares: the page written over a spare has the new title" ||
	fail "spares: the page written over a spare has the new title"

# A build stopped between keeping a file and moving its replacement into
# place leaves a spare that is still the site's: it must be dropped, not
# written over.  A link out of the folder must not be followed either.
faq="$A/faq/close-account/index.html"
cp "$faq" "$d/faq.before"
echo "outside" >"$d/outside"
find "$spare" -type f -delete
# Named SIZE-SEQ as the folder names them, with sizes any page fits.
ln "$faq" "$spare/$(stat -c %s "$faq")-7"
ln -s "$d/outside" "$spare/4000-8"
printf '\nA sentence about glaciers.\n' >>"$page"
build "spares still linked" && same_as_clean spares "a spare still linked"
cmp -s "$faq" "$d/faq.before" && [ "$(cat "$d/outside")" = outside ] &&
	pass "spares: a spare still linked from the site is not written over" ||
	fail "spares: a spare still linked from the site is not written over" \
	    "$(diff "$faq" "$d/faq.before" | head -3; cat "$d/outside")"
[ "$(written_over)" = 0 ] &&
	pass "spares: neither the linked spare nor the symlink was used" ||
	fail "spares: neither the linked spare nor the symlink was used" \
	    "$(grep spare "$d/sum")"

# A full folder takes no more: 2,100 spares, an edit that replaces files.
(cd "$spare" && seq -f '0-%g' 100 2199 | xargs touch)
before=$(count)
sed -i 's/^title: .*/title: Keeping versions for two years/' "$page"
build "full folder" && same_as_clean spares "a full spare folder"
after=$(count)
[ "$after" -lt "$before" ] && grep -q "; 0 kept for the next build" "$d/sum" &&
	pass "spares: a full folder keeps no more ($before -> $after)" ||
	fail "spares: a full folder keeps no more" "$before -> $after; $(grep spare "$d/sum")"
