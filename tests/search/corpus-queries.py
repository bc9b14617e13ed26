#!/usr/bin/env python3
"""Query set for a generated corpus (scripts/bench/corpus.py), with the
page each query should find: exact titles, inflected forms, typos,
prefixes and several words, from pages whose title is unique.

Usage: corpus-queries.py CONTENT_DIR [N]   (N pages, default 40)

Prints "query<TAB>expected URL<TAB>5" lines (the format of
tests/search/queries-example.tsv).  Deterministic: the same corpus gives
the same queries.  Python 3 standard library only.
"""

import os
import random
import re
import sys

STOP = {"the", "a", "an", "of", "to", "in", "for", "on", "and", "or", "is",
        "does", "do", "how", "what", "why", "when", "can", "i", "my", "your",
        "with", "it", "its", "be", "are", "will", "when", "which", "long",
        "take"}


def pages(root):
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if not f.endswith(".md") or f == "index.md":
                continue
            path = os.path.join(d, f)
            text = open(path, encoding="utf-8").read()
            m = re.search(r'^title:\s*"?(.*?)"?\s*$', text, re.M)
            if not m:
                continue
            rel = os.path.relpath(path, root)[:-3]
            yield "/" + rel + "/", m.group(1)


def inflect(w):
    if w.endswith("e"):
        return w + "d"
    if w.endswith("s") or w.endswith("y"):
        return w
    return w + "s"


def typo(w):
    i = len(w) // 2
    return w[:i - 1] + w[i] + w[i - 1] + w[i + 1:]


def main():
    root = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    all_pages = list(pages(root))
    count = {}
    for _, t in all_pages:
        count[t.lower()] = count.get(t.lower(), 0) + 1
    unique = [(u, t) for u, t in all_pages if count[t.lower()] == 1]
    rnd = random.Random(7)
    picked = rnd.sample(unique, min(n, len(unique)))
    for i, (url, title) in enumerate(picked):
        words = re.findall(r"[A-Za-z0-9.]+", title)
        content = [w for w in words if w.lower() not in STOP]
        kind = i % 5
        if kind == 0 or not content:
            q = title
        elif kind == 1:
            q = " ".join(inflect(w.lower()) if len(w) > 3 and w.isalpha() else w
                         for w in content)
        elif kind == 2:
            longest = max(content, key=len)
            q = " ".join(typo(w) if w is longest and len(w) >= 5 else w
                         for w in content)
        elif kind == 3:
            last = content[-1]
            q = " ".join(content[:-1] + [last[:max(3, len(last) - 2)]])
        else:
            q = " ".join(reversed(content)).lower()
        print("%s\t%s\t5" % (q, url))


if __name__ == "__main__":
    main()
