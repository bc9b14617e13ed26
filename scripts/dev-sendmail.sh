#!/usr/bin/env bash
# A sendmail for `make run`: instead of sending, keeps each message porchd
# hands over as a file under var/mail/ (the verification and reset links
# are in it) and says so on the terminal.  porchd calls it as
# `sendmail -i -f FROM -- RECIPIENT` with the message on standard input.
set -eu
dir="${PORCH_DEV_MAIL:-var/mail}"
mkdir -p "$dir"
rcpt="${!#}"
file="$dir/$(date +%Y%m%d-%H%M%S)-$$.eml"
cat >"$file"
echo "dev-sendmail: mail to $rcpt kept in $file" >&2
