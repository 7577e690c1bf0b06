#!/usr/bin/env bash
# chat.sh - `samvad chat` with piped input: a short Hindi exchange through
# to a reference number, --lang, media lines and end of input; with the
# database: a conversation that goes on in the next chat, and a decision
# shown before the next prompt and by "status".
# Args: $1 = samvad binary, $2 = source dir.
set -euo pipefail
samvad=$1
specs=$2/tests/cli/specs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
has() { grep -qF -- "$2" "$tmp/out" || { fail "$1: no '$2' in:"; sed 's/^/    /' "$tmp/out"; }; }
chat() { "$samvad" chat --specs "$specs" "$@"; }

printf 'नमस्ते\n1\nआशा देवी\n2\n' | chat --db "$tmp/a.db" >"$tmp/out" 2>"$tmp/err" ||
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
printf 'नमस्ते\n' | chat --lang en --db "$tmp/b.db" >"$tmp/out" 2>&1 || fail "chat --lang en exited $?"
has "--lang en" '  | 1. Library card'

# A media line where a name is expected is refused, not taken as a name.
touch "$tmp/photo.jpg"
printf 'hi\n1\n%s\n[media] scan.pdf\n' "$tmp/photo.jpg" |
  chat --db "$tmp/c.db" >"$tmp/out" 2>&1 || fail "chat with media exited $?"
[ "$(grep -c 'What is your full name?' "$tmp/out")" -ge 3 ] ||
  { fail "media lines were not refused at the name question"; sed 's/^/    /' "$tmp/out"; }

# Empty input: the hint and exit 0.
chat --db "$tmp/d.db" </dev/null >"$tmp/out" 2>&1 || fail "chat on empty input exited $?"
[ "$(grep -c '' "$tmp/out")" -le 2 ] || fail "chat on empty input printed more than the hint"

# The conversation is kept: the next chat goes on at the name question.
db=$tmp/e.db
printf 'Hi\n1\n' | chat --db "$db" >/dev/null 2>&1 || fail "chat --db exited $?"
[ "$(stat -c %a "$db")" = 600 ] || fail "the database file is not mode 0600"
printf 'Asha Devi\n1\n' | chat --db "$db" >"$tmp/out" 2>"$tmp/err" || fail "the second chat exited $?"
[ ! -s "$tmp/err" ] || { fail "the second chat wrote to stderr"; cat "$tmp/err"; }
app=$(grep -Eo 'LC-2026-[A-Z0-9]{8}' "$tmp/out" | head -n1 || true)
[ -n "$app" ] || { fail "the conversation did not go on in the next chat"; sed 's/^/    /' "$tmp/out"; }

# A decision is shown before the next prompt, once, and "status" shows it.
if [ -n "$app" ]; then
  "$samvad" reject "$app" --reason "The photo is not clear" --db "$db" --specs "$specs" \
    >/dev/null 2>&1 || fail "reject exited $?"
  printf 'status\n' | chat --db "$db" >"$tmp/out" 2>&1 || fail "chat after a decision exited $?"
  has "notice" "  | Not approved: $app (Library card). Reason: The photo is not clear"
  notice_line=$(grep -n 'Not approved' "$tmp/out" | head -n1 | cut -d: -f1)
  status_line=$(grep -n '^> status' "$tmp/out" | cut -d: -f1)
  [ -n "$notice_line" ] && [ "$notice_line" -lt "${status_line:-0}" ] ||
    fail "the notice was not shown before the prompt"
  grep -A3 '^> status' "$tmp/out" | grep -q "$app.*rejected" ||
    { fail "status does not show the rejection"; sed 's/^/    /' "$tmp/out"; }
  printf 'status\n' | chat --db "$db" >"$tmp/out" 2>&1
  [ "$(grep -c 'Not approved' "$tmp/out")" = 0 ] || fail "a notice was shown twice"
fi

# A database that cannot be opened: exit 5, no conversation.
echo 'not a database' >"$tmp/junk.db"
printf 'Hi\n' | chat --db "$tmp/junk.db" >"$tmp/out" 2>&1 && st=0 || st=$?
[ "$st" = 5 ] || fail "chat on a file that is not a database exited $st, not 5"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "chat: all checks passed"
