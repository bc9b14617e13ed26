#!/usr/bin/env bash
# Installs the Debian packages Porch needs to build and test.
# Idempotent: when everything is present it only asks dpkg and returns in
# well under a second; `apt-get update` runs only when something is missing.
# Usage: scripts/install-deps.sh   (always includes Debian's chromium, node
# and the npm packages of tests/browser pinned by its package-lock.json:
# make test runs the browser tests; --browser is still accepted, a no-op)
set -euo pipefail

# Build: the libraries named in docs/ARCHITECTURE.md, each with its reason there.
build_pkgs=(
	build-essential pkg-config
	libcmark-gfm-dev libcmark-gfm-extensions-dev   # markdown
	liblua5.4-dev                                   # templates, site.lua
	libyaml-dev                                     # front matter
	libdeflate-dev                                  # .gz twins (fast, whole-buffer deflate)
	libjansson-dev                                  # catalog.json, template data
	libxxhash-dev                                   # asset fingerprints, cache keys
	libutf8proc-dev                                 # search: case and accent folding
	libstemmer-dev                                  # search: Snowball stemming
	libsqlite3-dev libmicrohttpd-dev                # porchd
	libargon2-dev                                   # porchd: passwords
	libcurl4-openssl-dev                            # porchd: SMTP, webhooks
	nettle-dev                                      # porchd: SHA-256 of tokens
	libseccomp-dev                                  # porchd: system call filter
)
# Tests: unit-test framework, sanitizer and fuzzer runtimes.
test_pkgs=(
	libcmocka-dev
	clang libclang-rt-14-dev
	valgrind                                        # make valgrind
	python3
)
# Browser tests (tests/browser): Debian's chromium driven by playwright-core
# under node; npm too unless node already brings it (NodeSource's does).
browser_pkgs=(chromium nodejs)
command -v npm >/dev/null 2>&1 || browser_pkgs+=(npm)

want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${browser_pkgs[@]}")

missing=()
# One dpkg-query for all of them (a query per package took seconds on a busy machine).
# dpkg-query exits 1 when it has never heard of a package (a fresh machine):
# that is an answer here, not a failure, hence the || true under pipefail.
installed=" $({ dpkg-query -W -f='${Package}:${Status}\n' "${want[@]}" 2>/dev/null || true; } |
	sed -n 's/:install ok installed$//p' | tr '\n' ' ') "
for p in "${want[@]}"; do
	case "$installed" in
	*" $p "*) ;;
	*) missing+=("$p") ;;
	esac
done

# The browser tests' npm packages (playwright-core, axe-core, lighthouse,
# pinned by tests/browser/package-lock.json), unless each one is already
# installed at the version package.json names (one node start, ~50 ms).
browser_npm() {
	[ -f tests/browser/package-lock.json ] || return 0
	if command -v node >/dev/null && (cd tests/browser && node -e '
		const d = require("./package.json").devDependencies;
		for (const n in d)
			if (require("./node_modules/" + n + "/package.json").version !== d[n]) process.exit(1);
	' 2>/dev/null); then
		return 0
	fi
	if ! command -v npm >/dev/null; then
		echo "install-deps: npm is missing (needed for the browser tests)" >&2
		return 1
	fi
	echo "install-deps: npm ci in tests/browser"
	(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
}
cd "$(dirname "$0")/.."

if [ ${#missing[@]} -eq 0 ]; then
	browser_npm
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
browser_npm
