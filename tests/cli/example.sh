# The example site in content/ builds with zero warnings and has what the
# README promises.
. tests/lib.sh

d=$(scratch)
if "$PORCH" build content -o "$d/pub" -q 2>"$d/err"; then
	pass "example site builds"
else
	fail "example site builds" "$(cat "$d/err")"
fi
[ ! -s "$d/err" ] && pass "example site builds with zero warnings" ||
	fail "example site builds with zero warnings" "$(head -20 "$d/err")"

python3 - "$d/pub/catalog.json" >"$d/counts" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
docs = sum(1 for a in c["articles"] if a["section"] == "docs")
faq = sum(1 for a in c["articles"] if a["section"] == "faq")
status = {}
for r in c["roadmap"]:
    status[r["status"]] = status.get(r["status"], 0) + 1
print(docs, faq, len(c["changelog"]), len(c["roadmap"]),
      status.get("planned", 0), status.get("in-progress", 0), status.get("shipped", 0),
      sum(1 for r in c["roadmap"] if r["shipped_in"]))
PY
read -r docs faq changes items planned progress shipped linked <"$d/counts"
[ "$docs" -ge 30 ] && pass "example: 30+ docs pages ($docs)" || fail "example: 30+ docs pages ($docs)"
[ "$faq" -ge 25 ] && pass "example: 25 FAQs ($faq)" || fail "example: 25 FAQs ($faq)"
[ "$changes" -ge 12 ] && pass "example: 12 changelog entries ($changes)" || fail "example: 12 changelog entries"
[ "$items" -ge 12 ] && [ "$planned" -gt 0 ] && [ "$progress" -gt 0 ] && [ "$shipped" -gt 0 ] &&
	pass "example: 12 roadmap items in all three states" || fail "example: roadmap states ($planned/$progress/$shipped)"
[ "$linked" -eq "$shipped" ] && pass "example: every shipped item links to its release" ||
	fail "example: every shipped item links to its release ($linked of $shipped)"
[ -f "$d/pub/contact/index.html" ] && pass "example: contact page" || fail "example: contact page"
gz=$(find "$d/pub" -name '*.html' | wc -l)
twins=$(find "$d/pub" -name '*.html.gz' | wc -l)
[ "$gz" -eq "$twins" ] && pass "example: every page has a .gz twin" || fail "example: .gz twins ($twins of $gz)"
if ls "$d/pub/assets/" | grep -Eq '^style\.[0-9a-f]{8}\.css$'; then
	pass "example: fingerprinted stylesheet"
else
	fail "example: fingerprinted stylesheet" "$(ls "$d/pub/assets")"
fi
