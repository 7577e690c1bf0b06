#!/usr/bin/env bash
# gateway.sh - `samvad gateway` over the tiny specs in tests/cli/specs: a
# whole application, "end" placement, options, the error object for
# malformed lines (and carrying on), exact replay and JSON escaping.
# Args: $1 = samvad binary, $2 = source dir.
set -euo pipefail
samvad=$1
specs=$2/tests/cli/specs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# has FILE PATTERN WHAT: FILE must contain the fixed string PATTERN.
has() { grep -qF -- "$2" "$1" || { fail "$3"; echo "  wanted: $2"; sed 's/^/    /' "$1"; }; }
hasnt() { ! grep -qF -- "$2" "$1" || { fail "$3"; sed 's/^/    /' "$1"; }; }

u='"from": "919810003210"'
cat >"$tmp/in" <<JSON
{$u, "id": "m1", "text": "Hi", "time": "2026-03-01T10:00:00+05:30"}
{$u, "id": "m2", "reply_id": "library-card", "time": "2026-03-01T10:00:10+05:30"}
{$u, "id": "m3", "text": "Asha Devi", "time": "2026-03-01T04:30:20Z"}
{$u, "id": "m4", "reply_id": "student", "time": "2026-03-01T10:00:30+05:30"}
JSON
"$samvad" gateway --specs "$specs" <"$tmp/in" >"$tmp/out" 2>"$tmp/err" ||
  fail "gateway exited $? on a good exchange"
[ ! -s "$tmp/err" ] || { fail "gateway wrote to stderr"; cat "$tmp/err"; }

# Every line is one object; exactly one "end":true per message, on its last
# reply (the line before the next message's first reply).
[ "$(grep -c '"end":true}$' "$tmp/out")" = 4 ] || fail "expected 4 end markers"
bad=$(grep -vc '^{"to":"919810003210","in_reply_to":"m[1-4]","text":' "$tmp/out" || true)
[ "$bad" = 0 ] || fail "$bad reply lines do not start with to/in_reply_to/text"
for m in m1 m2 m3 m4; do
  last=$(grep -n "\"in_reply_to\":\"$m\"" "$tmp/out" | tail -n1 | cut -d: -f1)
  ends=$(grep -n "\"in_reply_to\":\"$m\".*\"end\":true}$" "$tmp/out" | cut -d: -f1)
  [ "$last" = "$ends" ] || fail "the end marker of $m is not on its last reply ($ends vs $last)"
done
has "$tmp/out" '"options":[{"id":"library-card","title":"Library card"}]' "the menu offers no library-card option"
has "$tmp/out" '"lang":"en","flow":"library-card","state":"ask_name"' "m2 did not reach ask_name"
has "$tmp/out" 'What is your full name?' "no name question"
has "$tmp/out" '"options":[{"id":"adult","title":"Adult card"},{"id":"student","title":"Student card"}]' "no card choice"
grep -Eq '"text":"Thank you, Asha Devi. Your reference number is LC-2026-[A-Z0-9]{8}\."' "$tmp/out" ||
  fail "no reference number after the last answer"
grep -Eq '"application":\{"id":"LC-2026-[A-Z0-9]{8}","service":"library-card"\}' "$tmp/out" ||
  fail "no application object"
[ "$(grep -c '"application"' "$tmp/out")" = 1 ] || fail "application announced more than once"
grep '"in_reply_to":"m1"' "$tmp/out" | grep -q '"flow":null,"state":null' || fail "the menu is not outside a service"

# Replay: the same lines with "time" give byte-identical output.
"$samvad" gateway --specs "$specs" <"$tmp/in" >"$tmp/out2" 2>/dev/null
cmp -s "$tmp/out" "$tmp/out2" || { fail "replay differs"; diff "$tmp/out" "$tmp/out2" | head; }

# Hindi: detected from the first message; UTF-8 is written as is.
printf '{"from":"hindi-user","id":"h1","text":"नमस्ते","time":"2026-03-01T10:00:00+05:30"}\n' |
  "$samvad" gateway --specs "$specs" >"$tmp/hi" 2>/dev/null
has "$tmp/hi" '"lang":"hi"' "नमस्ते did not start in Hindi"
has "$tmp/hi" '"title":"पुस्तकालय कार्ड"' "Hindi title not written as raw UTF-8"
hasnt "$tmp/hi" '\u09' "Devanagari escaped as \\u"

# Escaping: quotes, backslashes, tabs and control characters in values are
# escaped; the user id comes back in "to" exactly.
printf '%s\n' '{"from":"a\"b\\c\td\u0001é","id":"q\"1","text":"hi","time":"2026-03-01T10:00:00Z"}' |
  "$samvad" gateway --specs "$specs" >"$tmp/esc" 2>/dev/null
has "$tmp/esc" '{"to":"a\"b\\c\td\u0001é","in_reply_to":"q\"1",' "escaping of to/in_reply_to"
if LC_ALL=C grep -q "$(printf '\001')" "$tmp/esc"; then fail "a raw control character was written"; fi

# Malformed lines: one error object each, then the gateway carries on.
long=$(head -c 70000 /dev/zero | tr '\0' 'x')
text5000=$(head -c 5000 /dev/zero | tr '\0' 'y')
{
  echo 'this is not json'
  echo '{"from": "u1", "id": "e1"'
  echo '[1, 2]'
  echo '{"id": "e2", "text": "hi"}'
  echo '{"from": "u1", "text": "hi"}'
  echo '{"from": "u1", "id": "e3"}'
  echo '{"from": 42, "id": "e4", "text": "hi"}'
  echo '{"from": "u1", "id": "e5", "text": "hi", "reply_id": "x"}'
  echo '{"from": "u1", "id": "e6", "text": "hi", "time": "yesterday"}'
  echo '{"from": "u1", "id": "e7", "text": "hi", "time": "2026-02-30T10:00:00Z"}'
  echo "{\"from\": \"u1\", \"id\": \"e8\", \"text\": \"$long\"}"
  echo "{\"from\": \"u1\", \"id\": \"e9\", \"text\": \"$text5000\"}"
  echo '{"from": "u1", "id": "e10", "media": "photo.jpg"}'
  echo '{"from": "u1", "id": "e11", "text": 7}'
  echo ''
  echo '{"from": "u1", "id": "ok1", "text": "hi", "time": "2026-03-01T10:00:00+05:30"}'
} >"$tmp/bad"
"$samvad" gateway --specs "$specs" <"$tmp/bad" >"$tmp/badout" 2>"$tmp/baderr" ||
  fail "gateway exited $? after malformed lines"
n=$(grep -c '' "$tmp/badout")
errs=$(grep -c '^{"error":{"code":"[a-z_]*","message":"[^"]' "$tmp/badout" || true)
[ "$errs" = 14 ] || { fail "expected 14 error objects, got $errs"; sed 's/^/    /' "$tmp/badout"; }
[ "$(grep -c '"end":true}$' "$tmp/badout")" = 15 ] || fail "every error and the last message must end with \"end\":true"
expect_error() { # LINE-NUMBER CODE IN_REPLY_TO
  local line
  line=$(sed -n "${1}p" "$tmp/badout")
  case $line in
    "{\"error\":{\"code\":\"$2\",\"message\":"*"},\"in_reply_to\":$3,\"end\":true}") ;;
    *) fail "line $1: expected code $2 in reply to $3, got: $line" ;;
  esac
}
expect_error 1 bad_json null
expect_error 2 bad_json null
expect_error 3 bad_json null
expect_error 4 missing_field '"e2"'
expect_error 5 missing_field null
expect_error 6 missing_field '"e3"'
expect_error 7 bad_field '"e4"'
expect_error 8 bad_field '"e5"'
expect_error 9 bad_time '"e6"'
expect_error 10 bad_time '"e7"'
expect_error 11 too_long null
expect_error 12 too_long '"e9"'
expect_error 13 bad_field '"e10"'
expect_error 14 bad_field '"e11"'
sed -n '15,$p' "$tmp/badout" | grep -q '"in_reply_to":"ok1"' || fail "the gateway did not carry on after errors"
[ "$n" -ge 15 ] || fail "too few output lines ($n)"
hasnt "$tmp/baderr" 'u1' "a user id was logged"

# Users have separate sessions.
cat >"$tmp/two" <<'JSON'
{"from": "A", "id": "a1", "text": "hi", "time": "2026-03-01T10:00:00Z"}
{"from": "B", "id": "b1", "text": "hi", "time": "2026-03-01T10:00:01Z"}
{"from": "A", "id": "a2", "reply_id": "library-card", "time": "2026-03-01T10:00:02Z"}
{"from": "B", "id": "b2", "text": "Ravi Kumar", "time": "2026-03-01T10:00:03Z"}
JSON
"$samvad" gateway --specs "$specs" <"$tmp/two" >"$tmp/twoout" 2>/dev/null
grep '"in_reply_to":"a2"' "$tmp/twoout" | grep -q '"state":"ask_name"' || fail "user A did not reach ask_name"
if grep '"in_reply_to":"b2"' "$tmp/twoout" | grep -q '"state":"choose_kind"'; then
  fail "user B's message was taken as user A's answer"
fi

# Times: with a zone, in UTC, without a zone (IST) and as Unix seconds all
# land on the same clock; the idle prompt (after 30 minutes, once something
# was answered) shows it. A idles 31 minutes, B 29.
cat >"$tmp/times" <<'JSON'
{"from": "A", "id": "a1", "text": "hi", "time": "2026-03-01T10:00:00+05:30"}
{"from": "A", "id": "a2", "reply_id": "library-card", "time": "2026-03-01T10:00:10+0530"}
{"from": "A", "id": "a3", "text": "Asha Devi", "time": "2026-03-01T04:30:20Z"}
{"from": "A", "id": "a4", "reply_id": "student", "time": "2026-03-01T05:01:20.5Z"}
{"from": "B", "id": "b1", "text": "hi", "time": 1772339400}
{"from": "B", "id": "b2", "reply_id": "library-card", "time": "2026-03-01T10:00:10"}
{"from": "B", "id": "b3", "text": "Ravi Kumar", "time": "2026-03-01T10:00:20"}
{"from": "B", "id": "b4", "media": {"id": "/tmp/card.jpg", "mime": "image/jpeg"}, "time": "2026-03-01T10:29:00"}
{"from": "B", "id": "b5", "reply_id": "adult", "time": "2026-03-01T10:29:20+05:30"}
JSON
"$samvad" gateway --specs "$specs" <"$tmp/times" >"$tmp/timesout" 2>/dev/null
grep '"in_reply_to":"a4"' "$tmp/timesout" | grep -q 'Welcome back' ||
  { fail "A was not asked to resume after 31 idle minutes"; sed 's/^/    /' "$tmp/timesout"; }
if grep -E '"in_reply_to":"b[45]"' "$tmp/timesout" | grep -q 'Welcome back'; then
  fail "B was asked to resume after 29 minutes"
fi
grep '"in_reply_to":"b4"' "$tmp/timesout" | grep -q '"state":"choose_kind"' ||
  fail "a photo at a choice moved B on"
grep '"in_reply_to":"b5"' "$tmp/timesout" | grep -q '"application":{"id":"LC-2026-' ||
  fail "B's application was not submitted"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "gateway: all checks passed"
