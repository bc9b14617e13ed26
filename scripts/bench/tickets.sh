#!/usr/bin/env bash
# Ticket submissions under load, with wrk on loopback: POST /api/tickets
# from one logged-in account over 64 connections (each ticket a row, its
# customer mail and its staff mail in the outbox, committed before the
# 201), then a count of the rows against the 201s wrk saw.  Not a test:
# it prints figures for docs/PERFORMANCE-porchd.md.
# Usage: scripts/bench/tickets.sh [SECONDS] [CONNECTIONS]  (default 10, 64)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
secs=${1:-10}
conns=${2:-64}
O=${O:-build}
command -v wrk >/dev/null || { echo "tickets bench: wrk is missing (apt-get install wrk)"; exit 0; }
[ -x "$O/porchd" ] && [ -x "$O/porch" ] || make -s O="$O" all
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
"$O/porch" build content -o "$tmp/public" -q
email=bench@example.com
password='correct horse battery staple'
printf '%s\n' "$password" | "$O/porchd" users --db "$tmp/porch.db" add "$email" \
	--name Bench --password-stdin >/dev/null
porchd_user "$tmp"
"$O/porchd" serve "${porchd_user_args[@]}" --site "$tmp/public" --db "$tmp/porch.db" \
	--listen 127.0.0.1:0 --max-per-ip 1000 --max-connections 1000 \
	--rate-limit 1000000 --rate-burst 1000000 \
	--ticket-limit 1000000 --ticket-burst 1000000 \
	--support-email staff@example.com --attachments-dir "$tmp/att" 2>"$tmp/log" &
pid=$!
port=$(porchd_port "$tmp/log") || { echo "tickets bench: porchd did not start"; tail -5 "$tmp/log"; exit 1; }
[ -n "$port" ] || { echo "tickets bench: porchd did not start"; cat "$tmp/log"; exit 1; }
base=http://127.0.0.1:$port
curl -s -D "$tmp/h" -o "$tmp/login.json" -H 'Content-Type: application/json' \
	-d "{\"email\":\"$email\",\"password\":\"$password\"}" "$base/api/auth/login"
cookie=$(sed -n 's/^Set-Cookie: \([^;]*\).*/\1/p' "$tmp/h" | head -1)
csrf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$tmp/login.json")
[ -n "$cookie" ] || { echo "tickets bench: login failed"; tail -5 "$tmp/log"; exit 1; }

cat >"$tmp/submit.lua" <<LUA
wrk.method = "POST"
wrk.headers["Cookie"] = "$cookie"
wrk.headers["X-CSRF-Token"] = "$csrf"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"question","fields":{"subject":"Restore of one file",'
    .. '"description":"I need to restore a single file from last week, please."},'
    .. '"source_url":"http://portal.test/docs/restore/",'
    .. '"context":{"searches":["restore file"]}}'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) created = 0 end
function response(status, headers, body)
	if status == 201 then created = created + 1 end
end
function done(summary, latency, requests)
	local n = 0
	for _, t in ipairs(threads) do n = n + t:get("created") end
	io.write(string.format("acknowledged %d\n", n))
end
LUA

echo "porchd $("$O/porchd" version | awk '{print $2}'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$tmp/submit.lua" "$base/api/tickets" >"$tmp/wrk" 2>&1
awk -v c="$conns" '
	/Requests\/sec/ {rps=$2}
	/^ +99%/ {p99=$2}
	/^ +50%/ {p50=$2}
	/Non-2xx/ {bad=$NF}
	/^acknowledged/ {ack=$2}
	END {printf "POST /api/tickets, c=%d: %s req/s  p50 %s  p99 %s  201s %s%s\n",
	    c, rps, p50, p99, ack, bad ? "  (" bad " non-2xx)" : ""}' "$tmp/wrk"
sleep 1	# requests wrk cut off at the end may still commit
kill "$pid"; wait "$pid" 2>/dev/null || true
ack=$(awk '/^acknowledged/ {print $2}' "$tmp/wrk")
rows=$(python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("select count(*) from tickets").fetchone()[0], c.execute("select count(*) from outbox").fetchone()[0])' "$tmp/porch.db")
set -- $rows
echo "rows stored: $1 tickets, $2 outbox rows; 201s seen by wrk: $ack"
if [ "$1" -ge "$ack" ] && [ $(( $1 - ack )) -le "$conns" ] && [ "$2" -eq $(( $1 * 2 )) ]; then
	echo "durable: every acknowledged ticket is stored (extra rows: $(( $1 - ack )), requests cut off by wrk's stop after their commit)"
else
	echo "MISMATCH: acknowledged $ack, stored $1"; exit 1
fi
