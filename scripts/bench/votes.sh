#!/usr/bin/env bash
# Vote toggles under wrk on loopback (docs/PERFORMANCE-porchd.md, "Votes"):
# 64 connections, each request a POST /api/votes that flips one account's
# vote on one item, so every acknowledged request is a durable write
# (WAL, synchronous=FULL) through the group-committing writer.  Beside it,
# in the same run, the no-op route (an unknown API route) for the ratio.
# Afterwards the stored counts must equal what the acknowledged votes add
# up to: the cache (GET /votes/counts), COUNT(*) of votes and the sum of
# vote_events deltas all agree with the load generator's own tally.
# Usage: scripts/bench/votes.sh [SECONDS] [CONNECTIONS]   (default 10, 64)
# PERF_OUT=FILE also records a perf profile of porchd during the votes run.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
secs=${1:-10}
conns=${2:-64}
users=${BENCH_USERS:-16}	# x the votable items: pairs never overlap in flight
O=${O:-build}
command -v wrk >/dev/null || { echo "votes bench: wrk is missing (apt-get install wrk)"; exit 0; }
[ -x "$O/porchd" ] && [ -x "$O/porch" ] || make -s O="$O" all
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
"$O/porch" build content -o "$tmp/public" -q
password='correct horse battery staple'
for i in $(seq "$users"); do
	printf '%s\n' "$password" | "$O/porchd" users --db "$tmp/porch.db" add \
		"bench$i@example.com" --name "Bench $i" --password-stdin >/dev/null 2>"$tmp/users.err" || { echo "votes bench: users add failed"; cat "$tmp/users.err"; exit 1; }
done
porchd_user "$tmp"
"$O/porchd" serve "${porchd_user_args[@]}" --site "$tmp/public" --db "$tmp/porch.db" --listen 127.0.0.1:0 \
	--max-per-ip 1000 --max-connections 1000 --rate-limit 1000000 \
	--rate-burst 1000000 --vote-limit 1000000 --vote-burst 1000000 \
	2>"$tmp/log" &
pid=$!
port=$(porchd_port "$tmp/log") || { echo "votes bench: porchd did not start"; tail -5 "$tmp/log"; exit 1; }
base=http://127.0.0.1:$port
# the items customers can vote on: roadmap ids that have not shipped
python3 - "$tmp/public/catalog.json" >"$tmp/items" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
print("\n".join(r["id"] for r in c["roadmap"] if r["status"] != "shipped"))
PY
# one session per account: "cookie csrf" lines
: >"$tmp/sessions"
for i in $(seq "$users"); do
	for _ in 1 2 3 4 5; do	# a busy machine may answer 503 busy
		code=$(curl -s -D "$tmp/h" -o "$tmp/b" -w '%{http_code}' \
			-H 'Content-Type: application/json' \
			-d "{\"email\":\"bench$i@example.com\",\"password\":\"$password\"}" \
			"$base/api/auth/login")
		[ "$code" = 200 ] && break
		sleep 1
	done
	[ "$code" = 200 ] || { echo "votes bench: login $i answered $code"; cat "$tmp/b"; tail -3 "$tmp/log"; exit 1; }
	cookie=$(sed -n 's/^Set-Cookie: \([^;]*\).*/\1/p' "$tmp/h" | head -1)
	csrf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$tmp/b")
	echo "$cookie $csrf" >>"$tmp/sessions"
done

cat >"$tmp/votes.lua" <<'LUA'
-- Each thread owns the accounts whose index = its id (mod threads) and
-- walks its (account, item) pairs round-robin, flipping each pair's vote;
-- a pair comes back only after hundreds of other requests, so no two
-- requests for one pair are ever in flight together.  For the last second
-- it re-sends each pair's current state (a no-op write) so that every
-- flip is acknowledged before wrk stops.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } ts_t;
int clock_gettime(int, ts_t *);
]]
local function now()
  local t = ffi.new("ts_t")
  ffi.C.clock_gettime(1, t)
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end
local threads, counter = {}, 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  local dir, flip_secs, nthreads = args[1], tonumber(args[2]), tonumber(args[3])
  local sessions, items = {}, {}
  for line in io.lines(dir .. "/sessions") do
    local c, t = line:match("^(%S+) (%S+)$")
    table.insert(sessions, { cookie = c, csrf = t })
  end
  for line in io.lines(dir .. "/items") do table.insert(items, line) end
  pairs_ = {}
  for u = 1, #sessions do
    if (u - 1) % nthreads == id then
      for _, it in ipairs(items) do
        table.insert(pairs_, { s = sessions[u], item = it, on = false })
      end
    end
  end
  flips, on, next_, t0, flip_for = 0, 0, 1, nil, flip_secs
end
function request()
  if t0 == nil then t0 = now() end
  local p = pairs_[next_]
  next_ = next_ % #pairs_ + 1
  if now() - t0 < flip_for then
    p.on = not p.on
    flips = flips + 1
    on = on + (p.on and 1 or -1)
  end
  return wrk.format("POST", "/api/votes", {
    ["Content-Type"] = "application/json",
    ["Cookie"] = p.s.cookie, ["X-CSRF-Token"] = p.s.csrf },
    '{"item":"' .. p.item .. '","vote":' .. tostring(p.on) .. '}')
end
function done(summary, latency, requests)
  local f, o = 0, 0
  for _, t in ipairs(threads) do
    f = f + t:get("flips")
    o = o + t:get("on")
  end
  io.write(string.format("FLIPS %d ON %d NON2XX %d ERRORS %d\n", f, o,
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
LUA

flip_secs=$((secs - 1))
wrk_run() {	# label, wrk arguments...
	local label=$1
	shift
	wrk -t2 --latency "$@" 2>&1 | tee "$tmp/wrk.out" | awk -v l="$label" '
		/Requests\/sec/ {rps=$2}
		/^ +99%/ {p99=$2}
		/^ +50%/ {p50=$2}
		END {printf "%-40s %9s req/s  p50 %8s  p99 %8s\n", l, rps, p50, p99}'
}
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "porchd $("$O/porchd" version | awk '{print $2}'), $(nproc) cores, load $load, $users accounts, $(wc -l <"$tmp/items") items"
wrk_run "no-op (unknown API route), c=$conns" -c"$conns" -d"${secs}s" "$base/api/bench-nothing"
noop=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")
read -r c0 w0 < <(awk '/porchd_store_commits_total / {c=$2} /porchd_store_writes_total / {w=$2} END {print c+0, w+0}' <(curl -s "$base/metrics"))
# PERF_OUT=FILE: a perf profile of porchd during the votes run
perf_pid=
if [ -n "${PERF_OUT:-}" ] && command -v perf >/dev/null; then
	perf record -q -F 999 -g -p "$pid" -o "$PERF_OUT" -- sleep "$flip_secs" &
	perf_pid=$!
fi
wrk_run "POST /api/votes (toggle), c=$conns" -c"$conns" -d"${secs}s" \
	-s "$tmp/votes.lua" "$base/api/votes" -- "$tmp" "$flip_secs" 2
[ -z "$perf_pid" ] || wait "$perf_pid"
read -r flips on non2xx errors < <(awk '/^FLIPS/ {print $2, $4, $6, $8}' "$tmp/wrk.out")
read -r c1 w1 < <(awk '/porchd_store_commits_total / {c=$2} /porchd_store_writes_total / {w=$2} END {print c+0, w+0}' <(curl -s "$base/metrics"))
toggles=$(awk -v f="$flips" -v s="$flip_secs" 'BEGIN {printf "%.0f", f / s}')
ratio=$(awk -v t="$toggles" -v n="$noop" 'BEGIN {if (n > 0) printf "%.2f", t / n}')
echo "toggles acknowledged: $flips in ${flip_secs} s = $toggles toggles/s (${ratio}x the no-op route); non-2xx $non2xx, socket errors $errors"
if [ "$((c1 - c0))" -gt 0 ]; then
	echo "commits during the run: $((c1 - c0)), writes $((w1 - w0)), $(awk -v c=$((c1 - c0)) -v w=$((w1 - w0)) 'BEGIN {printf "%.1f", w / c}') writes per commit"
fi
items=$(paste -sd, "$tmp/items")
cache=$(curl -s "$base/api/votes/counts?items=$items" | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["counts"].values()))')
read -r stored net < <(python3 - "$tmp/porch.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("SELECT COUNT(*) FROM votes").fetchone()[0],
      c.execute("SELECT COALESCE(SUM(delta), 0) FROM vote_events").fetchone()[0])
PY
)
echo "votes: acknowledged $on, counts cache $cache, stored rows $stored, sum of events $net"
if [ "$on" = "$cache" ] && [ "$on" = "$stored" ] && [ "$on" = "$net" ] && [ "$non2xx" = 0 ]; then
	echo "consistent: stored counts equal the acknowledged votes"
else
	echo "INCONSISTENT: stored counts differ from the acknowledged votes"
	exit 1
fi
