# The order in which a docs folder, a tag page and the reading order (next
# and previous) list pages: weight first, then title case-insensitively,
# then as written.  model.c numbers the pages once and compares titles by
# their first eight folded bytes before the whole title, so these titles
# share prefixes of eight bytes and more, differ only in case, and one is
# a prefix of another.
. tests/lib.sh

d=$(scratch)
make_site "$d/s"
mkdir -p "$d/s/docs/order"
# page FILE TITLE [WEIGHT]
page() {
	{
		printf -- '---\ntitle: "%s"\n' "$2"
		[ -n "${3:-}" ] && printf 'weight: %s\n' "$3"
		printf 'tags: [ordering]\n---\n\nText of %s.\n' "$2"
	} >"$d/s/docs/order/$1.md"
}
page p1 "billing addresses"
page p2 "Zeta" 1
page p3 "BILLING ADDRESSES X"
page p4 "Billing"
page p5 "Alpha" 2
page p6 "Bill"
page p7 "billing"
page p8 "Billing address"
want="p2 p5 p6 p4 p7 p8 p1 p3"

# The pages of the order folder linked from FILE, each once, in order.
listed() {
	grep -o 'href="/docs/order/p[0-9]/"' "$1" | awk '!seen[$0]++' |
	    sed 's#href="/docs/order/\(p[0-9]\)/"#\1#' | tr '\n' ' ' | sed 's/ $//'
}

if ! "$PORCH" build "$d/s" -o "$d/o" -q 2>"$d/err"; then
	fail "order: build" "$(head -5 "$d/err")"
else
	got=$(listed "$d/o/docs/order/index.html")
	[ "$got" = "$want" ] && pass "order: a docs folder lists by weight, then title" ||
		fail "order: a docs folder lists by weight, then title" "want: $want" "got:  $got"
	got=$(listed "$d/o/tags/ordering/index.html")
	[ "$got" = "$want" ] && pass "order: a tag page lists in the same order" ||
		fail "order: a tag page lists in the same order" "want: $want" "got:  $got"
	next=$(grep -o 'href="/docs/order/p[0-9]/" rel="next"' "$d/o/docs/order/p4/index.html" | head -1)
	prev=$(grep -o 'href="/docs/order/p[0-9]/" rel="prev"' "$d/o/docs/order/p4/index.html" | head -1)
	[ "$next" = 'href="/docs/order/p7/" rel="next"' ] &&
	    [ "$prev" = 'href="/docs/order/p6/" rel="prev"' ] &&
	    pass "order: reading order follows it (Bill, Billing, billing)" ||
		fail "order: reading order follows it (Bill, Billing, billing)" "next: $next" "prev: $prev"
fi
