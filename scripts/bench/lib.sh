# Shared by the benchmarks (run.sh, search.sh, incremental.sh); sourced,
# not run.
# Expects $cache (the benchmark cache) and $logdir to be set.

note() { printf '%s\n' "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
# bench_corpus N: the folder of the N-page corpus (corpus.py, seed 1)
# under $cache, generated on first use; prints its path, or returns 1.
# The name carries corpus.py's hash, so a changed generator makes a new one.
bench_corpus() {
	local dir
	dir="$cache/corpus-$1-$(sha256sum "$here/corpus.py" | cut -c1-12)"
	if [ ! -f "$dir/site.lua" ]; then
		note "generating the $1-page corpus into $dir"
		rm -rf "$dir.tmp"
		if ! python3 "$here/corpus.py" "$1" "$dir.tmp" >&2; then
			echo "corpus.py failed for $1" >&2
			return 1
		fi
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}
median() { sort -g | awk '{a[NR]=$1} END { if (NR) print a[int((NR+1)/2)] }'; }

# The machine and the porch binary, three lines for a report's head:
# date, cores/CPU/RAM/OS/kernel, porch's version and tree.  Expects $ncpu,
# $porch and $root.
bench_host() {
	local model mem
	model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "date:       $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine:    $ncpu cores, $model, $mem RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
	echo "porch:      $("$porch" version 2>/dev/null) ($porch, built $(date -u -r "$porch" '+%H:%M UTC'); tree at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- generator themes 2>/dev/null || echo ' with local changes to generator/ or themes/'))"
}

# Pagefind, from npm into the cache (not a Debian package): sets $pagefind
# to its binary, installing it when npm is there; else leaves $pagefind
# empty and sets $pagefind_why to what to do.  $1 names the caller in
# the log line.
bench_pagefind() {
	local who=$1
	pagefind=""
	pagefind_why=""
	_find_pagefind() {
		pagefind=$(find "$cache/node_modules/@pagefind" -path '*/bin/pagefind*' \
		    -type f -perm -u+x 2>/dev/null | sort | head -n 1)
		if [ -z "$pagefind" ] && [ -x "$cache/node_modules/.bin/pagefind" ]; then
			pagefind="$cache/node_modules/.bin/pagefind"
		fi
	}
	_find_pagefind
	[ -n "$pagefind" ] && return 0
	if ! command -v npm >/dev/null 2>&1; then
		pagefind_why="npm missing; install with: sudo apt-get install npm (then rerun)"
		return 1
	fi
	note "$who: installing pagefind with npm into $cache/node_modules"
	npm install --prefix "$cache" --no-audit --no-fund --silent pagefind \
	    >"$logdir/npm-pagefind.log" 2>&1
	_find_pagefind
	[ -n "$pagefind" ] && return 0
	pagefind_why="npm install pagefind failed (see $logdir/npm-pagefind.log)"
	return 1
}

# porchd refuses to stay root: as root the benchmarks run it as nobody,
# which then owns DIR.  Sets the array porchd_user_args for `porchd serve`.
porchd_user() {
	porchd_user_args=()
	if [ "$(id -u)" = 0 ]; then
		chmod 755 "$1"
		chown -R nobody "$1"
		porchd_user_args=(--user nobody)
	fi
}

# Prints the port a `porchd serve --listen 127.0.0.1:0` logged to LOG,
# waiting up to 30 s; status 1 if it never did.
porchd_port() {
	local p
	for _ in $(seq 300); do
		p=$(grep -o 'port [0-9]*' "$1" | awk '{print $2}' | head -1 || true)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.1
	done
	return 1
}
