#!/usr/bin/env bash
# Installs the Debian packages Porch needs to build and test.
# Idempotent: when everything is present it only asks dpkg and returns in
# well under a second; `apt-get update` runs only when something is missing.
# Usage: scripts/install-deps.sh [--browser]   (--browser adds chromium and
# the npm packages of tests/browser, for the browser tests and lighthouse)
set -euo pipefail

# Build: the libraries named in docs/ARCHITECTURE.md, each with its reason there.
build_pkgs=(
	build-essential pkg-config
	libcmark-gfm-dev libcmark-gfm-extensions-dev   # markdown
	liblua5.4-dev                                   # templates, site.lua
	libyaml-dev                                     # front matter
	zlib1g-dev                                      # .gz twins
	libjansson-dev                                  # catalog.json, template data
	libxxhash-dev                                   # asset fingerprints, cache keys
	libutf8proc-dev                                 # search: case and accent folding
	libstemmer-dev                                  # search: Snowball stemming
	libsqlite3-dev libmicrohttpd-dev                # porchd
	libargon2-dev                                   # porchd: passwords
	libcurl4-openssl-dev                            # porchd: SMTP, webhooks
	nettle-dev                                      # porchd: SHA-256 of tokens
)
# Tests: unit-test framework, sanitizer and fuzzer runtimes.
test_pkgs=(
	libcmocka-dev
	clang libclang-rt-14-dev
	python3
)
browser_pkgs=(chromium)

want=("${build_pkgs[@]}" "${test_pkgs[@]}")
if [ "${1:-}" = "--browser" ]; then
	want+=("${browser_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"ok installed") ;;
	*) missing+=("$p") ;;
	esac
done

# The browser tests' npm packages (playwright-core, pinned by
# tests/browser/package-lock.json), when asked for and not there yet.
browser_npm() {
	[ "${1:-}" = "--browser" ] && [ -f tests/browser/package-lock.json ] || return 0
	[ -d tests/browser/node_modules/playwright-core ] && return 0
	if ! command -v npm >/dev/null; then
		echo "install-deps: npm is missing (needed for the browser tests)" >&2
		return 1
	fi
	echo "install-deps: npm ci in tests/browser"
	(cd tests/browser && npm ci --no-audit --no-fund --silent)
}
cd "$(dirname "$0")/.."

if [ ${#missing[@]} -eq 0 ]; then
	browser_npm "${1:-}"
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
browser_npm "${1:-}"
