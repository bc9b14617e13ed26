#!/usr/bin/env bash
# porchd under load, with wrk on loopback: the server's own ceiling (an
# unknown API route: routing and a JSON answer, nothing else), who-am-i
# with a session (a session lookup in SQLite), login (argon2id-bound by
# design), and the memory it takes idle and at peak.  Not a test: it
# prints figures for docs/PERFORMANCE-porchd.md.
# Usage: scripts/bench/porchd.sh [SECONDS]   (default 8 per measurement)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
secs=${1:-8}
command -v wrk >/dev/null || { echo "porchd bench: wrk is missing (apt-get install wrk)"; exit 0; }
[ -x build/porchd ] && [ -x build/porch ] || make -s all
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
build/porch build content -o "$tmp/public" -q
email=bench@example.com
password='correct horse battery staple'
printf '%s\n' "$password" | build/porchd users --db "$tmp/porch.db" add "$email" \
	--name Bench --password-stdin >/dev/null
porchd_user "$tmp"
build/porchd serve "${porchd_user_args[@]}" --site "$tmp/public" --db "$tmp/porch.db" --listen 127.0.0.1:0 \
	--max-per-ip 1000 --max-connections 1000 --rate-limit 1000000 \
	--rate-burst 1000000 2>"$tmp/log" &
pid=$!
port=$(porchd_port "$tmp/log") || { echo "porchd bench: porchd did not start"; tail -5 "$tmp/log"; exit 1; }
base=http://127.0.0.1:$port
rss() { awk '/^VmRSS/{r=$2} /^VmHWM/{h=$2} END{printf "%d MB now, %d MB peak", r/1024, h/1024}' "/proc/$pid/status"; }
echo "porchd $(build/porchd version | awk '{print $2}'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "idle: $(rss)"

cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
	-d "{\"email\":\"$email\",\"password\":\"$password\"}" "$base/api/auth/login" |
	sed -n 's/^Set-Cookie: \([^;]*\).*/\1/p' | head -1)
[ -n "$cookie" ] || { echo "porchd bench: login failed"; tail -5 "$tmp/log"; exit 1; }

cat >"$tmp/me.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
LUA
cat >"$tmp/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"email":"$email","password":"$password"}'
wrk.headers["Content-Type"] = "application/json"
LUA

run() {	# label, wrk arguments...
	local label=$1
	shift
	wrk -t2 -d"${secs}s" --latency "$@" 2>&1 | awk -v l="$label" '
		/Requests\/sec/ {rps=$2}
		/^ +99%/ {p99=$2}
		/^ +50%/ {p50=$2}
		/Non-2xx/ {bad=$NF}
		END {printf "%-44s %9s req/s  p50 %8s  p99 %8s%s\n", l, rps, p50, p99, bad ? "  (" bad " non-2xx)" : ""}'
}
run "no-op (unknown API route, 404 JSON), c=8" -c8 "$base/api/bench-nothing"
run "no-op, c=64" -c64 "$base/api/bench-nothing"
run "who-am-i with a session, c=8" -c8 -s "$tmp/me.lua" "$base/api/auth/me"
run "who-am-i with a session, c=64" -c64 -s "$tmp/me.lua" "$base/api/auth/me"
run "login (argon2id m=19 MiB t=2), c=2" -c2 -s "$tmp/login.lua" "$base/api/auth/login"
run "login, c=8 (more than the hash cap)" -c8 -s "$tmp/login.lua" "$base/api/auth/login"
echo "after the runs: $(rss)"
