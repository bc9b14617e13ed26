# The portal's built-in pages (generator/portal.c, the default theme's
# account_*.html and tickets*.html): made when the site has an endpoint,
# not indexed, overridable, and the ticket form built from site.lua.
. tests/lib.sh

d=$(scratch)
make_site "$d/s"
cat >"$d/s/site.lua" <<'LUA'
return {
  title = "Portal Test", base_url = "https://example.com/help/",
  accounts = { signup = true, magic_link = true },
  tickets = { prefix = "PT", anonymous = true, types = {
    { id = "question", label = "Question", description = "Ask us anything.", fields = {
      { name = "subject", type = "text", label = "Subject", required = true, max = 150 },
      { name = "description", type = "textarea", label = "Details", required = true, min = 20, max = 5000 },
    } },
    { id = "bug", label = "Bug", fields = {
      { name = "subject", type = "text", label = "Subject", required = true, max = 120,
        help = "One line, like `E3002 at night`." },
      { name = "platform", type = "select", label = "Platform", required = true, options = { "Windows", "Linux" } },
      { name = "distro", type = "text", label = "Distribution", show_if = { field = "platform", equals = "Linux" } },
      { name = "logs", type = "file", label = "Log file" },
      { name = "urgent", type = "checkbox", label = "Blocked right now" },
    } },
  } },
}
LUA
printf -- '- [ ] first task\n- [x] done task\n' >>"$d/s/docs/getting-started.md"
if "$PORCH" build "$d/s" -o "$d/pub" -q 2>"$d/err"; then
	pass "portal: a site with an endpoint builds"
else
	fail "portal: a site with an endpoint builds" "$(cat "$d/err")"
fi

pages="account/login account/signup account/verify account/reset account/magic
account account/unsubscribe tickets tickets/new tickets/view tickets/confirm tickets/rate"
# The ticket form (its request types) is content search engines may
# index; the other portal pages are shells for one customer: noindex, and
# not in the sitemap.
missing="" indexed=""
for p in $pages; do
	f="$d/pub/$p/index.html"
	[ -f "$f" ] || { missing="$missing $p"; continue; }
	[ "$p" = tickets/new ] && continue
	grep -q '<meta name="robots" content="noindex">' "$f" || indexed="$indexed $p"
done
[ -z "$missing" ] && pass "portal: all 12 pages the mails link to exist" ||
	fail "portal: all 12 pages the mails link to exist" "missing:$missing"
[ -z "$indexed" ] && pass "portal: every portal page but the ticket form is noindex" ||
	fail "portal: every portal page but the ticket form is noindex" "without noindex:$indexed"
f="$d/pub/tickets/new/index.html"
if [ -f "$f" ] && ! grep -q 'name="robots"' "$f" &&
    grep -q '<link rel="canonical" href="https://example.com/help/tickets/new/">' "$f"; then
	pass "portal: the ticket form may be indexed, with its canonical link"
else
	fail "portal: the ticket form may be indexed, with its canonical link" "$(grep -E 'robots|canonical' "$f" 2>&1)"
fi
if grep -E 'example\.com/help/(account|tickets)/' "$d/pub/sitemap.xml" | grep -qv '/help/tickets/new/<'; then
	fail "portal: shells left out of the sitemap, the ticket form in it" "$(grep -E 'help/(account|tickets)/' "$d/pub/sitemap.xml")"
elif grep -q '<loc>https://example.com/help/tickets/new/</loc>' "$d/pub/sitemap.xml"; then
	pass "portal: shells left out of the sitemap, the ticket form in it"
else
	fail "portal: shells left out of the sitemap, the ticket form in it" "no /help/tickets/new/"
fi
if grep -rqE --include='*.json' '"/help/(account|tickets)/|"/(account|tickets)/' "$d/pub/search"; then
	fail "portal: pages left out of the search index"
else
	pass "portal: pages left out of the search index"
fi

f="$d/pub/account/login/index.html"
grep -q 'id="login-form"' "$f" && grep -q 'id="magic-form"' "$f" &&
	grep -q 'href="/help/account/signup/"' "$f" &&
	pass "portal: login page has the password form, the magic link form and a sign-up link" ||
	fail "portal: login page has the password form, the magic link form and a sign-up link"
grep -q '<script src="/help/assets/portal\.[0-9a-f]\{8\}\.js" defer data-api="/api"' "$f" &&
	pass "portal: pages load the fingerprinted portal.js with the API prefix" ||
	fail "portal: pages load the fingerprinted portal.js with the API prefix" "$(grep -o '<script[^>]*portal[^>]*>' "$f")"
grep -q '<div class="account" data-endpoint="/api"><a class="account-login" href="/help/account/login/">Log in</a></div>' "$d/pub/index.html" &&
	pass "portal: the header's account slot links to the login page" ||
	fail "portal: the header's account slot links to the login page"

f="$d/pub/tickets/new/index.html"
check_form() {
	grep -q -- "$2" "$f" && pass "ticket form: $1" || fail "ticket form: $1" "no match for $2"
}
check_form "a type chooser of labelled radios" '<input type="radio" name="type" value="bug" id="type-bug" required>'
check_form "type descriptions tied to their radio" 'aria-describedby="type-question-desc"'
check_form "one fieldset per type, hidden until chosen" '<fieldset class="ticket-fields" id="fields-bug" data-type="bug" hidden disabled>'
check_form "labels point at their inputs" '<label for="f-bug-platform">Platform'
check_form "required and maxlength from site.lua" 'name="fields.subject" type="text" required maxlength="120"'
check_form "minlength from site.lua" 'minlength="20" maxlength="5000"'
check_form "help text as markdown, tied with aria-describedby" '<p class="field-help" id="f-bug-subject-help">One line, like <code>E3002 at night</code>.</p>'
check_form "select options" '<option>Linux</option>'
check_form "show_if as data attributes" 'data-field="distro" data-show-if="platform" data-equals="Linux"'
check_form "file input" 'name="fields.logs" type="file"'
check_form "checkbox with its label" '<input id="f-bug-urgent" name="fields.urgent" type="checkbox" value="true">'
check_form "an error place per field" '<p class="field-error" id="f-bug-distro-error" hidden></p>'
check_form "an email field for anonymous tickets" 'data-anonymous="true"'

f="$d/pub/docs/getting-started/index.html"
grep -q '<label class="task"><input type="checkbox" disabled="" /> first task</label>' "$f" &&
	grep -q '<label class="task"><input type="checkbox" checked="" disabled="" /> done task</label>' "$f" &&
	pass "task list checkboxes are labelled by their text" ||
	fail "task list checkboxes are labelled by their text" "$(grep -o '<li><[^>]*checkbox[^>]*>[^<]*' "$f")"
grep -q 'data-helpful="/docs/getting-started/"' "$f" &&
	pass "docs pages carry the helpful widget" || fail "docs pages carry the helpful widget"

# A site may override one portal template like any other.
mkdir -p "$d/s/themes/default/templates"
printf '<main id="main">Our own login</main>\n' >"$d/s/themes/default/templates/account_login.html"
"$PORCH" build "$d/s" -o "$d/pub" -q 2>"$d/err"
grep -q 'Our own login' "$d/pub/account/login/index.html" &&
	grep -q 'id="signup-form"' "$d/pub/account/signup/index.html" &&
	pass "portal: a site overrides one portal template" ||
	fail "portal: a site overrides one portal template" "$(cat "$d/err")"
rm -r "$d/s/themes"

# endpoint = "": a documentation-only site, no portal at all.
sed -i 's|^  title = "Portal Test",|  endpoint = "", title = "Portal Test",|' "$d/s/site.lua"
"$PORCH" build "$d/s" -o "$d/pub" -q 2>"$d/err"
if [ ! -e "$d/pub/account" ] && [ ! -e "$d/pub/tickets" ] && ! grep -q 'portal\.' "$d/pub/index.html" &&
	! grep -q 'class="account"' "$d/pub/index.html" && ! grep -q 'data-helpful' "$f"; then
	pass "portal: endpoint \"\" builds no portal pages, no portal.js, no account slot"
else
	fail "portal: endpoint \"\" builds no portal pages, no portal.js, no account slot" "$(cat "$d/err")"
fi

# A theme of its own without portal templates still builds (no portal pages).
sed -i 's|^  endpoint = "", |  theme = "mine", |' "$d/s/site.lua"
mkdir -p "$d/s/themes/mine/templates/layouts" "$d/s/themes/mine/assets"
for t in home page docs faq faq_list changelog changelog_list roadmap roadmap_list tags tag search 404 alias; do
	printf '{%% layout = false %%}<p>{{ page.title }}</p>\n' >"$d/s/themes/mine/templates/$t.html"
done
if "$PORCH" build "$d/s" -o "$d/pub" -q 2>"$d/err" && [ ! -e "$d/pub/account/login/index.html" ] &&
    [ ! -e "$d/pub/tickets/new/index.html" ] && ! grep -q '/tickets/new/' "$d/pub/sitemap.xml"; then
	pass "portal: a theme without portal templates builds, without portal pages (none in the sitemap)"
else
	fail "portal: a theme without portal templates builds, without portal pages (none in the sitemap)" "$(cat "$d/err")"
fi
