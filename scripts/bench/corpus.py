#!/usr/bin/env python3
"""Deterministic synthetic help-site corpus for benchmarking Porch.

Usage: corpus.py N OUTDIR [--seed S]

Writes a Porch content folder with exactly N markdown pages (YAML front
matter, h2/h3 headings, paragraphs with inline code, bold and links,
tables, fenced code, lists, task lists, callouts, raw <kbd>), spread as
about 70% docs/ (nested folders of 20-50 pages, each with index.md),
15% faq/, 10% changelog/, 5% roadmap/, plus site.lua.  Internal links are
relative .md paths to other generated pages, some with an #anchor to a
heading that exists on the target (GitHub slug rule).  Average page size
is about 7.7 KB of markdown.

The same N and seed always give byte-identical files: every page draws
from its own random.Random seeded from (seed, page number), and nothing
reads the clock, the environment or the network.  Python 3 stdlib only.
"""

import os
import random
import sys

# ---------------------------------------------------------------- vocabulary

PRODUCT = "Nimbus"
TAGS = [
    "agent", "api", "backups", "billing", "cli", "compliance", "console",
    "databases", "encryption", "getting-started", "integrations", "linux",
    "macos", "monitoring", "networking", "notifications", "performance",
    "permissions", "restore", "retention", "security", "sso", "storage",
    "teams", "troubleshooting", "upgrades", "webhooks", "windows",
]
AREAS = [
    "Agents", "Backups", "Restore", "Console", "Security", "API and CLI",
    "Integrations", "Billing", "Storage", "Accounts",
]
NOUNS = [
    "agent", "backup plan", "restore job", "snapshot", "retention rule",
    "device", "workspace", "team", "role", "API key", "webhook", "schedule",
    "storage region", "encryption key", "audit log", "alert", "report",
    "proxy", "service account", "policy", "bucket", "database", "volume",
    "file share", "mailbox", "connector", "token", "invoice", "license",
    "dashboard", "notification", "recovery key", "bandwidth limit", "tag",
    "exclusion list", "update ring", "cache", "log bundle", "quota",
    "integration", "template", "session", "domain", "certificate",
]
FOLDER_TOPICS = [
    "agents", "backups", "restore", "administration", "security", "api",
    "integrations", "storage", "monitoring", "billing", "accounts",
    "reporting", "networking", "databases", "endpoints", "cloud", "mobile",
    "compliance", "automation", "migration", "policies", "teams",
    "notifications", "recovery", "devices", "workspaces", "connectors",
    "scheduling", "retention", "encryption", "auditing", "licensing",
    "performance", "updates", "alerts", "webhooks", "identity", "sso",
    "exports", "imports", "archives", "mailboxes", "file-shares", "volumes",
    "servers", "laptops", "virtual-machines", "containers", "kubernetes",
]
VERBS = [
    "Configure", "Install", "Set up", "Manage", "Troubleshoot", "Monitor",
    "Restore", "Rotate", "Export", "Import", "Schedule", "Audit", "Migrate",
    "Update", "Remove", "Share", "Limit", "Encrypt", "Verify", "Automate",
]
QUALIFIERS = [
    "on Windows", "on macOS", "on Linux", "for teams", "with the API",
    "from the console", "with the CLI", "in bulk", "for servers",
    "for laptops", "across regions", "with SSO", "step by step",
    "for administrators", "in a workspace", "behind a proxy",
]
SUBJECTS = [
    "the agent", "each device", "an administrator", "the console",
    "the scheduler", "your workspace", "the restore wizard", "the API",
    "a team owner", "the backup engine", "the audit log", "every snapshot",
    "the update service", "a service account", "the storage layer",
]
PREDICATES = [
    "keeps a local cache of recently changed files",
    "retries failed uploads with an exponential back-off",
    "records every change in the audit log",
    "applies the plan's retention rules after each backup",
    "encrypts data on the device before it is uploaded",
    "checks for a new version once a day",
    "sends an alert when a backup has not run for 48 hours",
    "deduplicates chunks across all devices in the workspace",
    "uses the system proxy settings unless you override them",
    "limits bandwidth during working hours",
    "shows the last ten runs with their duration and size",
    "pauses while the device runs on battery power",
    "verifies each chunk with a SHA-256 checksum",
    "can be managed with the command line or the API",
    "stores metadata in the region you chose at sign-up",
    "skips files that match an exclusion pattern",
    "reports progress every thirty seconds",
    "needs outbound HTTPS access on port 443",
    "keeps deleted files for the period set in the policy",
    "requires an owner or administrator role",
]
CONNECTIVES = [
    "In most cases", "By default", "For example", "If you need more control",
    "When this happens", "On large sites", "After the first backup",
    "Before you continue", "As a rule", "In practice",
]
CLOSERS = [
    "This takes effect at the next run.",
    "The change is recorded in the audit log.",
    "You can undo it at any time.",
    "No restart is needed.",
    "Contact support if the problem persists.",
    "The console shows the new value within a minute.",
]
KEYS = [
    "cache.max_size", "upload.threads", "proxy.url", "schedule.window",
    "retention.days", "log.level", "bandwidth.limit", "scan.interval",
    "agent.ring", "tls.verify", "exclude.patterns", "restore.target",
]
COMMANDS = [
    "nimbus status", "nimbus backup run", "nimbus restore --latest",
    "nimbus logs bundle", "nimbus config get", "nimbus agent update",
    "nimbus devices list", "nimbus snapshots list --limit 20",
]
ERRORS = ["E1001", "E2004", "E3002", "E4010", "E5003", "E6001"]
H2_DOCS = [
    "Before you begin", "Requirements", "Overview", "How it works",
    "Configuration", "Limits", "Troubleshooting", "Examples",
    "Permissions", "Frequently asked questions", "Next steps",
    "Known issues", "Security considerations", "Performance tips",
]
H3_GENERIC = ["Example", "Options", "Notes", "Verify the result", "Defaults"]
FAQ_Q = [
    "How do I {v} {n}?", "Why does {n} show an error?",
    "Can I {v} {n} {q}?", "What happens to {n} when my plan changes?",
    "Is {n} included in every plan?", "Where can I find {n}?",
    "How long does it take to {v} {n}?",
]
CALLOUTS = ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"]
CHANGE_TYPES = ["feature", "improvement", "fix", "security"]
STATUSES = ["planned", "in-progress", "shipped"]
LANGS = ["bash", "json", "yaml", "python", "powershell", "text"]

TARGET_MEAN = 7700       # average page size, bytes of markdown


# ------------------------------------------------------------------ helpers

def slug_heading(text):
    """GitHub's heading id rule for ASCII text, as Porch implements it."""
    out = []
    for ch in text.strip():
        if ch == " ":
            out.append("-")
        elif ch.isascii() and (ch.isalnum() or ch in "-_"):
            out.append(ch.lower())
    return "".join(out)


def unique_ids(texts):
    """Heading ids made unique on a page: -1, -2 ... per slug, skipping
    candidates already taken (Porch's and GitHub's rule)."""
    taken, counter, ids = set(), {}, []
    for t in texts:
        s = slug_heading(t) or "section"
        if s not in taken:
            ident = s
        else:
            n = counter.get(s, 0)
            while True:
                n += 1
                ident = "%s-%d" % (s, n)
                if ident not in taken:
                    break
            counter[s] = n
        taken.add(ident)
        ids.append(ident)
    return ids


def file_slug(text):
    s = []
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            s.append(ch)
        elif s and s[-1] != "-":
            s.append("-")
    return "".join(s).strip("-")


def cap(s):
    return s[:1].upper() + s[1:]


def yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def day(i):
    """Date string for day i since 2016-01-01 (proleptic, no clock)."""
    import datetime
    d = datetime.date(2016, 1, 1) + datetime.timedelta(days=i)
    return d.isoformat()


# -------------------------------------------------------------- page model

class Page:
    __slots__ = ("rel", "kind", "title", "heads", "ids", "meta", "n",
                 "size")

    def __init__(self, rel, kind, title):
        self.rel = rel          # path in the content folder, '/'-separated
        self.kind = kind        # docs, docs-index, faq, changelog, roadmap, intro, home
        self.title = title
        self.heads = []         # [(level, text)]
        self.ids = []
        self.meta = {}
        self.n = 0
        self.size = 0


def plan_docs(rng, ndocs):
    """Folder tree for ndocs pages (index.md files included).  Returns a
    list of (folder, page count) where a folder holds about 20-60 pages
    and at most 10 subfolders."""
    folders = []

    def fill(path, n, depth):
        # n pages for this folder and everything below it; one is index.md
        if n <= 60 or depth >= 6:
            folders.append((path, n))
            return
        here = rng.randint(20, 40)
        rest = n - here
        k = max(1, min(10, rest // 35))
        names = rng.sample(FOLDER_TOPICS, min(k, len(FOLDER_TOPICS)))
        folders.append((path, here))
        share = [rest // k + (1 if i < rest % k else 0) for i in range(k)]
        for name, s in zip(names, share):
            fill(path + "/" + name, s, depth + 1)

    if ndocs <= 50:
        folders.append(("docs", ndocs))
    else:
        top = min(12, max(2, ndocs // 60))
        # docs/index.md alone at the top, then the sections
        folders.append(("docs", 1))
        rest = ndocs - 1
        names = rng.sample(FOLDER_TOPICS, top)
        for i, name in enumerate(names):
            s = rest // top + (1 if i < rest % top else 0)
            fill("docs/" + name, s, 1)
    return folders


def heading_plan(rng, kind):
    """Heading texts for a page (level, text); duplicates on purpose."""
    heads = []
    nh2 = rng.randint(3, 7) if kind in ("docs", "docs-index") else \
        rng.randint(2, 4)
    pool = H2_DOCS[:]
    rng.shuffle(pool)
    for i in range(nh2):
        if i < len(pool) and rng.random() < 0.5:
            h2 = pool[i]
        else:
            verb = rng.choice(VERBS)
            if rng.random() < 0.2:
                h2 = "%s `%s`" % (verb, rng.choice(KEYS))
            else:
                h2 = "%s the %s" % (verb, rng.choice(NOUNS))
        heads.append((2, h2))
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            if rng.random() < 0.5:
                h3 = rng.choice(H3_GENERIC)   # repeats give example-1 ...
            else:
                h3 = "%s %s" % (rng.choice(VERBS), rng.choice(QUALIFIERS))
            heads.append((3, h3))
    return heads


def build_plan(n, seed):
    """All pages with their paths, titles and headings, before any body
    text is written (bodies link to headings of other pages)."""
    rng = random.Random("plan-%d-%d" % (seed, n))
    nroad = max(1, round(n * 0.05))
    nchange = max(1, round(n * 0.10))
    nfaq = max(1, round(n * 0.15))
    ndocs = n - nroad - nchange - nfaq
    if ndocs < 2:
        raise SystemExit("corpus.py: N must be at least 6")
    pages = []

    # the home page counts as a docs-share page
    home = Page("index.md", "home", "Bench help center")
    pages.append(home)
    ndocs -= 1

    for folder, count in plan_docs(rng, ndocs):
        topic = folder.rsplit("/", 1)[-1]
        title = "Documentation" if folder == "docs" else \
            topic.replace("-", " ").capitalize()
        pages.append(Page(folder + "/index.md", "docs-index", title))
        used = {"index"}
        for _ in range(count - 1):
            for attempt in range(100):
                t = "%s %s %s" % (rng.choice(VERBS), "the" if
                                  rng.random() < 0.5 else "your",
                                  rng.choice(NOUNS))
                if rng.random() < 0.6:
                    t += " " + rng.choice(QUALIFIERS)
                name = file_slug(t)
                if attempt > 10:
                    name += "-%d" % attempt
                if name not in used:
                    break
            used.add(name)
            pages.append(Page("%s/%s.md" % (folder, name), "docs", t))

    pages.append(Page("faq/index.md", "intro", "Frequently asked questions"))
    used = set()
    for i in range(nfaq - 1):
        q = rng.choice(FAQ_Q).format(v=rng.choice(VERBS).lower(),
                                     n="the " + rng.choice(NOUNS),
                                     q=rng.choice(QUALIFIERS))
        name = file_slug(q)[:60].strip("-")
        if name in used:
            name += "-%d" % i
        used.add(name)
        p = Page("faq/%s.md" % name, "faq", q)
        p.meta["category"] = rng.choice(AREAS)
        pages.append(p)

    pages.append(Page("changelog/index.md", "intro", "Changelog"))
    major, minor, patch = 1, 0, 0
    nrel = nchange - 1
    for i in range(nrel):
        if i:
            r = rng.random()
            if r < 0.02:
                major, minor, patch = major + 1, 0, 0
            elif r < 0.25:
                minor, patch = minor + 1, 0
            else:
                patch += 1
        v = "%d.%d.%d" % (major, minor, patch)
        p = Page("changelog/%s.md" % v, "changelog", "%s %s" % (PRODUCT, v))
        p.meta["version"] = v
        p.meta["date"] = day(i * 3800 // max(1, nrel))
        p.meta["type"] = "feature" if patch == 0 else rng.choice(CHANGE_TYPES)
        pages.append(p)

    pages.append(Page("roadmap/index.md", "intro", "Roadmap"))
    ids = set()
    for i in range(nroad - 1):
        t = "%s %s" % (rng.choice(VERBS), rng.choice(NOUNS))
        if rng.random() < 0.5:
            t += " " + rng.choice(QUALIFIERS)
        rid = file_slug(t)[:48].strip("-")
        if rid in ids:
            rid += "-%d" % i
        ids.add(rid)
        p = Page("roadmap/%s.md" % rid, "roadmap", t)
        p.meta["id"] = rid
        p.meta["status"] = rng.choice(STATUSES[:2] * 3 + STATUSES[2:])
        p.meta["quarter"] = "%d-Q%d" % (rng.randint(2025, 2027),
                                       rng.randint(1, 4))
        p.meta["category"] = rng.choice(AREAS)
        pages.append(p)

    # ships: each roadmap id shipped at most once, by a feature release
    road = [p for p in pages if p.kind == "roadmap"]
    rng.shuffle(road)
    feats = [p for p in pages if p.kind == "changelog" and
             p.meta["type"] in ("feature", "improvement")]
    k = 0
    for p in feats:
        if k >= len(road) // 3:
            break
        if rng.random() < 0.3:
            m = rng.choice((1, 1, 2))
            p.meta["ships"] = [r.meta["id"] for r in road[k:k + m]]
            for r in road[k:k + m]:
                r.meta["status"] = "shipped"
            k += m

    assert len(pages) == n, (len(pages), n)
    for i, p in enumerate(pages):
        p.n = i
        prng = random.Random("head-%d-%d" % (seed, i))
        p.heads = heading_plan(prng, p.kind)
        p.ids = unique_ids([t for _, t in p.heads])
        sz = int(prng.lognormvariate(0, 0.45) * TARGET_MEAN * 0.80)
        p.size = max(1500, min(40000, sz))
    return pages


# ------------------------------------------------------------ body writing

class Writer:
    def __init__(self, page, pages, by_folder, rng):
        self.p = page
        self.pages = pages
        self.by_folder = by_folder
        self.rng = rng
        self.dir = os.path.dirname(page.rel)

    def link_target(self):
        """A relative .md link to another page, with an anchor 40% of the
        time; prefers pages in the same folder."""
        rng = self.rng
        if rng.random() < 0.5 and self.by_folder.get(self.dir):
            t = rng.choice(self.by_folder[self.dir])
        else:
            t = self.pages[rng.randrange(len(self.pages))]
        if t is self.p:
            t = self.pages[(t.n + 1) % len(self.pages)]
        rel = os.path.relpath(t.rel, self.dir or ".").replace(os.sep, "/")
        # (an intro's headings are not anchors of its section's list page)
        if t.ids and t.kind != "intro" and rng.random() < 0.4:
            rel += "#" + rng.choice(t.ids)
        return t, rel

    def inline(self):
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            return "`%s`" % rng.choice(KEYS + COMMANDS + ERRORS)
        if r < 0.45:
            return "**%s**" % cap(rng.choice(NOUNS))
        if r < 0.80:
            return self.link()
        if r < 0.87:
            return "<kbd>Ctrl</kbd>+<kbd>%s</kbd>" % rng.choice("CVSZR")
        if r < 0.92:
            return "https://status.example.com/%s" % rng.choice(ERRORS).lower()
        if r < 0.96:
            return "the ~~old~~ new %s" % rng.choice(NOUNS)
        return "the *%s*" % rng.choice(NOUNS)

    def sentence(self):
        rng = self.rng
        r = rng.random()
        if r < 0.30:
            s = "%s %s." % (cap(rng.choice(SUBJECTS)), rng.choice(PREDICATES))
        elif r < 0.50:
            s = "%s, %s %s." % (rng.choice(CONNECTIVES), rng.choice(SUBJECTS),
                                rng.choice(PREDICATES))
        elif r < 0.68:
            s = "See %s for %s %s." % (self.link(), "the" if
                                       rng.random() < 0.5 else "every",
                                       rng.choice(NOUNS))
        elif r < 0.78:
            s = "Set `%s` under **Settings > %s** to change this." % (
                rng.choice(KEYS), cap(rng.choice(NOUNS)))
        elif r < 0.90:
            s = "%s %s, as %s shows." % (cap(rng.choice(SUBJECTS)),
                                         rng.choice(PREDICATES), self.inline())
        else:
            s = rng.choice(CLOSERS)
        return s

    def link(self):
        rng = self.rng
        if rng.random() < 0.8:
            t, rel = self.link_target()
            label = t.title if len(t.title) < 50 else rng.choice(NOUNS)
            return "[%s](%s)" % (label.replace("`", ""), rel)
        return "[the %s reference](https://docs.example.com/%s)" % (
            rng.choice(NOUNS), file_slug(rng.choice(NOUNS)))

    def paragraph(self):
        return " ".join(self.sentence() for _ in
                        range(self.rng.randint(3, 6))) + "\n"

    def table(self):
        rng = self.rng
        ncol = rng.randint(2, 4)
        head = ["Setting", "Default", "Description", "Plans"][:ncol]
        lines = ["| " + " | ".join(head) + " |",
                 "|" + "|".join(["---"] * ncol) + "|"]
        for _ in range(rng.randint(3, 8)):
            row = ["`%s`" % rng.choice(KEYS), str(rng.choice(
                (0, 1, 4, 30, 90, 365, "off", "auto"))),
                "%s %s" % (cap(rng.choice(SUBJECTS)),
                           rng.choice(PREDICATES)),
                rng.choice(("All", "Business", "Enterprise"))][:ncol]
            lines.append("| " + " | ".join(row) + " |")
        return "\n".join(lines) + "\n"

    def code(self):
        rng = self.rng
        lang = rng.choice(LANGS)
        n = rng.randint(3, 12)
        if lang == "bash":
            body = ["$ %s" % rng.choice(COMMANDS) for _ in range(n)]
        elif lang == "json":
            body = ["{"] + ['  "%s": %d,' % (rng.choice(KEYS), rng.randint(
                0, 9999)) for _ in range(n)] + ['  "enabled": true', "}"]
        elif lang == "yaml":
            body = ["%s: %d" % (rng.choice(KEYS), rng.randint(0, 999))
                    for _ in range(n)]
        elif lang == "python":
            body = ["import nimbus", "",
                    "client = nimbus.Client(token=os.environ['NIMBUS_TOKEN'])"]
            body += ["client.%s(%d)  # %s" % (
                rng.choice(("backup", "restore", "status", "list_devices")),
                rng.randint(1, 99), rng.choice(PREDICATES)) for _ in range(n)]
        elif lang == "powershell":
            body = ["Get-NimbusDevice -Name 'FS%02d' | Start-NimbusBackup" %
                    rng.randint(1, 99) for _ in range(n)]
        else:
            body = ["%s %s: %s" % (day(rng.randrange(3800)),
                                   rng.choice(ERRORS),
                                   rng.choice(PREDICATES)) for _ in range(n)]
        return "```%s\n%s\n```\n" % (lang, "\n".join(body))

    def blist(self):
        rng = self.rng
        r = rng.random()
        items = []
        for i in range(rng.randint(3, 7)):
            if r < 0.4:
                mark = "- "
            elif r < 0.75:
                mark = "%d. " % (i + 1)
            else:
                mark = "- [%s] " % rng.choice(" x")
            items.append(mark + self.sentence())
        return "\n".join(items) + "\n"

    def callout(self):
        rng = self.rng
        return "> [!%s]\n> %s %s\n" % (rng.choice(CALLOUTS), self.sentence(),
                                       self.sentence())

    def block(self):
        r = self.rng.random()
        if r < 0.50:
            return self.paragraph()
        if r < 0.62:
            return self.blist()
        if r < 0.74:
            return self.code()
        if r < 0.86:
            return self.table()
        return self.callout()

    def body(self):
        out = [self.paragraph()]
        size = len(out[0])
        heads = self.p.heads
        # blocks per heading so that the page reaches its planned size
        per = max(1, (self.p.size // 430) // max(1, len(heads)))
        for _, (level, text) in enumerate(heads):
            out.append("%s %s\n" % ("#" * level, text))
            for _ in range(self.rng.randint(max(1, per - 1), per + 1)):
                b = self.block()
                out.append(b)
                size += len(b)
        while size < self.p.size - 600:
            b = self.block()
            out.append(b)
            size += len(b)
        return "\n".join(out)


def front_matter(p, rng):
    fm = ["---", "title: " + yaml_str(p.title)]
    desc = "%s %s." % (cap(rng.choice(SUBJECTS)),
                       rng.choice(PREDICATES))
    fm.append("description: " + yaml_str(desc))
    if p.kind in ("docs", "faq", "roadmap"):
        fm.append("weight: %d" % (rng.randint(1, 20) * 10))
    tags = rng.sample(TAGS, rng.randint(1, 4))
    fm.append("tags: [%s]" % ", ".join(tags))
    if p.kind == "changelog":
        fm.append('version: "%s"' % p.meta["version"])
        fm.append("date: %s" % p.meta["date"])
        fm.append("type: %s" % p.meta["type"])
        if p.meta.get("ships"):
            fm.append("ships: [%s]" % ", ".join(p.meta["ships"]))
    else:
        d = rng.randrange(3600)
        fm.append("date: %s" % day(d))
        if rng.random() < 0.4:
            fm.append("updated: %s" % day(d + rng.randint(1, 200)))
    if p.kind == "faq":
        fm.append("category: " + yaml_str(p.meta["category"]))
    if p.kind == "roadmap":
        fm.append("id: %s" % p.meta["id"])
        fm.append("status: %s" % p.meta["status"])
        fm.append('quarter: "%s"' % p.meta["quarter"])
        fm.append("category: " + yaml_str(p.meta["category"]))
    fm.append("---\n")
    return "\n".join(fm) + "\n"


SITE_LUA = 'return { title = "Bench", base_url = "https://bench.example/" }\n'


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--seed")]
    seed = 1
    for a in argv[1:]:
        if a.startswith("--seed="):
            seed = int(a.split("=", 1)[1])
    if len(args) != 2 or not args[0].isdigit():
        sys.stderr.write("usage: corpus.py N OUTDIR [--seed=S]\n")
        return 2
    n, out = int(args[0]), args[1]
    if os.path.exists(out) and os.listdir(out):
        sys.stderr.write("corpus.py: %s exists and is not empty\n" % out)
        return 1
    pages = build_plan(n, seed)
    by_folder = {}
    for p in pages:
        by_folder.setdefault(os.path.dirname(p.rel), []).append(p)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "site.lua"), "w") as f:
        f.write(SITE_LUA)
    made = set()
    total = 0
    for p in pages:
        rng = random.Random("body-%d-%d" % (seed, p.n))
        text = front_matter(p, rng) + Writer(p, pages, by_folder,
                                             rng).body()
        d = os.path.join(out, os.path.dirname(p.rel))
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        data = text.encode()
        total += len(data)
        with open(os.path.join(out, p.rel), "wb") as f:
            f.write(data)
    sys.stderr.write("corpus.py: %d pages, %.1f MB, %.0f bytes/page in %s\n"
                     % (n, total / 1e6, total / n, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
