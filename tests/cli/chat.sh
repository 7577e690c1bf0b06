#!/usr/bin/env bash
# chat.sh - `samvad chat` with piped input: a short Hindi exchange through
# to a reference number, --lang, media lines and end of input.
# Args: $1 = samvad binary, $2 = source dir.
set -euo pipefail
samvad=$1
specs=$2/tests/cli/specs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
has() { grep -qF -- "$2" "$tmp/out" || { fail "$1: no '$2' in:"; sed 's/^/    /' "$tmp/out"; }; }

printf 'नमस्ते\n1\nआशा देवी\n2\n' | "$samvad" chat --specs "$specs" >"$tmp/out" 2>"$tmp/err" ||
  fail "chat exited $?"
[ ! -s "$tmp/err" ] || { fail "chat wrote to stderr"; cat "$tmp/err"; }
head -n1 "$tmp/out" | grep -q 'Type Hi to start; Ctrl-D to quit' || fail "no English hint on the first line"
head -n1 "$tmp/out" | grep -q 'Ctrl-D' || fail "no hint"
has "hindi" '> नमस्ते'
has "hindi" '  | 1. पुस्तकालय कार्ड'
has "hindi" '  | आपका पूरा नाम क्या है?'
has "hindi" '  | 2. विद्यार्थी कार्ड'
grep -Eq '^  \| धन्यवाद, आशा देवी। आपका संदर्भ क्रमांक LC-2026-[A-Z0-9]{8} है।$' "$tmp/out" ||
  fail "no reference number in Hindi"

# --lang en: the same greeting, answered in English.
printf 'नमस्ते\n' | "$samvad" chat --lang en --specs "$specs" >"$tmp/out" 2>&1 || fail "chat --lang en exited $?"
has "--lang en" '  | 1. Library card'

# A media line where a name is expected is refused, not taken as a name.
touch "$tmp/photo.jpg"
printf 'hi\n1\n%s\n[media] scan.pdf\n' "$tmp/photo.jpg" |
  "$samvad" chat --specs "$specs" >"$tmp/out" 2>&1 || fail "chat with media exited $?"
[ "$(grep -c 'What is your full name?' "$tmp/out")" -ge 3 ] ||
  { fail "media lines were not refused at the name question"; sed 's/^/    /' "$tmp/out"; }

# Empty input: the hint and exit 0.
"$samvad" chat --specs "$specs" </dev/null >"$tmp/out" 2>&1 || fail "chat on empty input exited $?"
[ "$(grep -c '' "$tmp/out")" -le 2 ] || fail "chat on empty input printed more than the hint"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "chat: all checks passed"
