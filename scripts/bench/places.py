#!/usr/bin/env python3
"""What numbering the search index's pages by stable places would cost.

Usage: scripts/bench/places.py SITE/search [CONTENT]

A page added or removed moves the place of every page after it, and the
index's postings name pages by place, so most dictionary shards change
(docs/search.md, "Files").  A numbering that no page added elsewhere
moves would spare them: each folder's pages in a block of places, each
page at the hash of its URL in its block (or one block for the site).
This reads the index a build wrote, decodes every posting, and writes
the postings again under such numberings, to print what they would weigh
against the index as it is; and in how many shards a page's postings
lie (docs/PERFORMANCE.md, session 34).  The bytes are the postings
strings only; "gz" is zlib level 6 of all of them together.  Given the
CONTENT folder, it also counts the shards that 200 of its pages' words
fall in: a page added changes the document frequency, and so the entry,
of every word it has.
"""
import bisect
import collections
import glob
import hashlib
import json
import os
import random
import re
import statistics
import sys
import zlib

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
DIGIT = {c: i for i, c in enumerate(B64)}


def get_varint(s, i):
    """The base64url varint at s[i], and the index after it."""
    v = shift = 0
    while True:
        d = DIGIT[s[i]]
        i += 1
        v |= (d & 31) << shift
        shift += 5
        if not d & 32:
            return v, i


def put_varint(v):
    out = []
    while True:
        d, v = v & 31, v >> 5
        if v:
            out.append(B64[d | 32])
        else:
            out.append(B64[d])
            return "".join(out)


def decode(postings):
    """(page place, place in page, impact) of each posting."""
    i, place, sec, out = 0, -1, 0, []
    while i < len(postings):
        code, i = get_varint(postings, i)
        gap, flag = code >> 1, code & 1
        if gap > 0:
            place += gap
        s = 0
        if flag:
            s, i = get_varint(postings, i)
            s += 1
        sec = s if gap > 0 else sec + s
        out.append((place, sec, DIGIT[postings[i]]))
        i += 1
    return out


def encode(posts):
    out, prev, prev_sec = [], -1, 0
    for place, sec, impact in posts:
        gap = place - prev
        s = sec if gap > 0 else sec - prev_sec
        out.append(put_varint(2 * gap + (s > 0)))
        if s > 0:
            out.append(put_varint(s - 1))
        out.append(B64[impact])
        prev, prev_sec = place, sec
    return "".join(out)


def read_index(folder):
    """The root, each page place's URL, each term's postings and shard."""
    root = json.load(open(os.path.join(folder, "index.json")))
    names = os.listdir(folder)
    url, first = {}, 0
    chunks = root["chunks"]
    for c in range(len(chunks) // 2):
        first += chunks[2 * c]
        name = next(n for n in names
                    if n.startswith(f"c{c}.") and n.endswith(".json"))
        for k, group in enumerate(json.load(open(os.path.join(folder,
                                                              name)))):
            url[first + k] = group[0]
    terms = []
    for s, h in enumerate(root["files"]["s"]):
        shard = json.load(open(os.path.join(folder, f"s{s}.{h}.json")))
        terms.extend((e[2], s) for e in shard["t"])
    return root, url, terms


def url_hash(u):
    return int.from_bytes(hashlib.blake2b(u.encode(), digest_size=8)
                          .digest(), "little")


def pow2_at_least(x):
    p = 1
    while p < x:
        p *= 2
    return p


def hashed_slots(urls, size, base):
    """Each URL's place in a block: its hash's slot, or the next free one
    (in hash order, so the set alone decides)."""
    taken, place = set(), {}
    for home, u in sorted((url_hash(u) % size, u) for u in urls):
        s = home
        while s in taken:
            s = (s + 1) % size
        taken.add(s)
        place[u] = base + s
    return place


def numbering(url, kind, factor):
    if kind == "dense":
        return {p: p for p in url}
    if kind == "site":
        size = pow2_at_least(factor * len(url))
        place = hashed_slots(list(url.values()), size, 0)
        return {p: place[url[p]] for p in url}
    folders = collections.OrderedDict()
    for p in sorted(url):
        folders.setdefault(url[p].rstrip("/").rsplit("/", 1)[0],
                           []).append(url[p])
    base, place = 0, {}
    for urls in folders.values():
        size = pow2_at_least(int(factor * len(urls)))
        place.update(hashed_slots(urls, size, base))
        base += size
    return {p: place[url[p]] for p in url}


def weigh(terms, moved):
    lists = [encode(sorted((moved[p], s, q) for p, s, q in decode(text)))
             for text, _ in terms]
    blob = "\n".join(lists).encode()
    return sum(map(len, lists)), len(zlib.compress(blob, 6))


def main():
    root, url, terms = read_index(sys.argv[1])
    print(f"{len(url)} pages, {len(terms)} terms, "
          f"{len(root['files']['s'])} shards")
    base = None
    for kind, factor in [("dense", 1), ("folder", 1), ("folder", 2),
                         ("site", 1), ("site", 2)]:
        moved = numbering(url, kind, factor)
        size, gz = weigh(terms, moved)
        if base is None:
            base = (size, gz)
            same = size == sum(len(t) for t, _ in terms)
            print("decoded and encoded again: "
                  + ("same size" if same else "OTHER SIZE"))
        grew = 100 * size / base[0] - 100
        print(f"{kind:6} x{factor}: places {max(moved.values()) + 1}, "
              f"postings {size / 1e6:.3f} MB ({grew:+.1f}%), "
              f"gz {gz / 1e6:.3f} MB ({100 * gz / base[1] - 100:+.1f}%)")
    shards = collections.defaultdict(set)
    for text, s in terms:
        for p, _, _ in decode(text):
            shards[p].add(s)
    n = sorted(len(v) for v in shards.values())
    print(f"shards a page's entry postings lie in: median "
          f"{statistics.median(n)}, p10 {n[len(n) // 10]}, "
          f"p90 {n[9 * len(n) // 10]}")
    if len(sys.argv) > 2:
        words_per_page(root, sys.argv[2])


def words_per_page(root, content):
    """The distinct words of 200 pages, and the shards they fall in (by
    the word's own prefix: its stem's is the same but for rare words)."""
    keys, stop = root["shards"], set(root["stop"])
    files = sorted(glob.glob(os.path.join(content, "**", "*.md"),
                             recursive=True))
    random.seed(1)
    nwords, nshards = [], []
    for f in random.sample(files, min(200, len(files))):
        text = open(f, encoding="utf-8").read().lower()
        words = {w for w in re.findall(r"[a-z][a-z0-9]+", text)
                 if w not in stop}
        nwords.append(len(words))
        nshards.append(len({bisect.bisect_right(keys, w) - 1
                            for w in words}))
    print(f"a page's distinct words: median {statistics.median(nwords)}, "
          f"in {statistics.median(nshards)} shards (median)")


if __name__ == "__main__":
    main()
