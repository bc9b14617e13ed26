#!/usr/bin/env bash
# Rewrites tests/golden/expected from the current build after showing what
# changes.  Only for intended changes; never part of `make test`.
set -eu
cd "$(dirname "$0")/../.."
O=${O:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$O/porch" build tests/golden/site -o "$tmp/new" -q
find "$tmp/new" -name '*.gz' -delete
if [ -d tests/golden/expected ]; then
	diff -ru tests/golden/expected "$tmp/new" | head -200 || true
fi
printf 'Replace tests/golden/expected with this output? [y/N] '
read -r answer
case "$answer" in
y|Y|yes)
	rm -rf tests/golden/expected
	cp -R "$tmp/new" tests/golden/expected
	echo "golden files updated" ;;
*)	echo "left unchanged" ;;
esac
