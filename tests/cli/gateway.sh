#!/usr/bin/env bash
# gateway.sh - `samvad gateway` over the tiny specs in tests/cli/specs: a
# whole application, "end" placement, options, the error object for
# malformed lines (and carrying on), exact replay and JSON escaping; with a
# database file: conversations that go on after a restart, repeated
# deliveries answered from the store, notices of a decision, and a full disk
# ("store" errors, nothing lost).
# Args: $1 = samvad binary, $2 = source dir.
set -euo pipefail
samvad=$1
specs=$2/tests/cli/specs
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] && echo "$tmp" || rm -rf "$tmp"' EXIT
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
"$samvad" gateway --specs "$specs" --db :memory: <"$tmp/in" >"$tmp/out" 2>"$tmp/err" ||
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

# Replay: the same lines with "time" into a fresh database give the same
# output but for the reference number, which comes from each database's
# secret key (the same database answers byte for byte, tested below).
"$samvad" gateway --specs "$specs" --db :memory: <"$tmp/in" >"$tmp/out2" 2>/dev/null
noref() { sed 's/LC-2026-[A-Z0-9]\{8\}/LC-2026-NUMBER/g' "$1"; }
cmp -s <(noref "$tmp/out") <(noref "$tmp/out2") || { fail "replay differs"; diff "$tmp/out" "$tmp/out2" | head; }
cmp -s "$tmp/out" "$tmp/out2" && fail "two databases drew the same reference number"

# Hindi: detected from the first message; UTF-8 is written as is.
printf '{"from":"hindi-user","id":"h1","text":"नमस्ते","time":"2026-03-01T10:00:00+05:30"}\n' |
  "$samvad" gateway --specs "$specs" --db :memory: >"$tmp/hi" 2>/dev/null
has "$tmp/hi" '"lang":"hi"' "नमस्ते did not start in Hindi"
has "$tmp/hi" '"title":"पुस्तकालय कार्ड"' "Hindi title not written as raw UTF-8"
hasnt "$tmp/hi" '\u09' "Devanagari escaped as \\u"

# Escaping: quotes, backslashes, tabs and control characters in values are
# escaped; the user id comes back in "to" exactly.
printf '%s\n' '{"from":"a\"b\\c\td\u0001é","id":"q\"1","text":"hi","time":"2026-03-01T10:00:00Z"}' |
  "$samvad" gateway --specs "$specs" --db :memory: >"$tmp/esc" 2>/dev/null
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
"$samvad" gateway --specs "$specs" --db :memory: <"$tmp/bad" >"$tmp/badout" 2>"$tmp/baderr" ||
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

# Line ends: "\r\n", and a last line without "\n", are lines too. A line of
# exactly 65536 bytes is read; one byte more is too long.
pad() { # BYTES: a valid message padded with spaces to BYTES bytes
  local head='{"from": "u9", "id": "p'$1'", "text": "hi", "time": 1772339400'
  printf '%s%*s}\n' "$head" $(($1 - ${#head} - 1)) ''
}
{
  printf '{"from": "u9", "id": "crlf", "text": "hi", "time": 1772339400}\r\n'
  pad 65536
  pad 65537
  printf '{"from": "u9", "id": "last", "text": "hi", "time": 1772339400}'
} >"$tmp/ends"
[ "$(sed -n 2p "$tmp/ends" | wc -c)" = 65537 ] || fail "the padded line is not 65536 bytes"
"$samvad" gateway --specs "$specs" --db :memory: <"$tmp/ends" >"$tmp/endsout" 2>/dev/null
for id in crlf p65536 last; do
  grep -q "\"in_reply_to\":\"$id\".*\"end\":true}\$" "$tmp/endsout" || fail "message $id was not answered"
done
grep -q '^{"error":{"code":"too_long","message":"a line is longer than 65536 bytes"},"in_reply_to":null' "$tmp/endsout" ||
  fail "a line of 65537 bytes was not refused as too long"
[ "$(grep -c '"end":true}$' "$tmp/endsout")" = 4 ] || fail "line ends: expected 4 answers"
# A line that arrives in pieces, with a pause longer than the idle poll.
{ printf '{"from": "u9", "id": "sl'; sleep 0.7; printf 'ow", "text": "hi"}\n'; } |
  "$samvad" gateway --specs "$specs" --db :memory: >"$tmp/slow" 2>/dev/null
grep -q '"in_reply_to":"slow".*"end":true}$' "$tmp/slow" || fail "a line sent in pieces was not answered"

# Users have separate sessions.
cat >"$tmp/two" <<'JSON'
{"from": "A", "id": "a1", "text": "hi", "time": "2026-03-01T10:00:00Z"}
{"from": "B", "id": "b1", "text": "hi", "time": "2026-03-01T10:00:01Z"}
{"from": "A", "id": "a2", "reply_id": "library-card", "time": "2026-03-01T10:00:02Z"}
{"from": "B", "id": "b2", "text": "Ravi Kumar", "time": "2026-03-01T10:00:03Z"}
JSON
"$samvad" gateway --specs "$specs" --db :memory: <"$tmp/two" >"$tmp/twoout" 2>/dev/null
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
"$samvad" gateway --specs "$specs" --db :memory: <"$tmp/times" >"$tmp/timesout" 2>/dev/null
grep '"in_reply_to":"a4"' "$tmp/timesout" | grep -q 'Welcome back' ||
  { fail "A was not asked to resume after 31 idle minutes"; sed 's/^/    /' "$tmp/timesout"; }
if grep -E '"in_reply_to":"b[45]"' "$tmp/timesout" | grep -q 'Welcome back'; then
  fail "B was asked to resume after 29 minutes"
fi
grep '"in_reply_to":"b4"' "$tmp/timesout" | grep -q '"state":"choose_kind"' ||
  fail "a photo at a choice moved B on"
grep '"in_reply_to":"b5"' "$tmp/timesout" | grep -q '"application":{"id":"LC-2026-' ||
  fail "B's application was not submitted"

# ---- With a database file ----------------------------------------------------
# Times near the clock, so that the retention sweep at start keeps them.
now=$(date +%s)
msg() { # ID FROM FIELD SECONDS: one incoming line
  printf '{"from": "%s", "id": "%s", %s, "time": %d}\n' "$2" "$1" "$3" $((now + $4))
}
# wait_for FILE PATTERN: waits up to 10 s for the fixed string in FILE.
wait_for() {
  for _ in $(seq 100); do
    grep -qF -- "$2" "$1" && return 0
    sleep 0.1
  done
  return 1
}
u=919810003210

# The conversation goes on after a restart; a repeated delivery gets the
# replies stored the first time and changes nothing.
db=$tmp/g.db
{ msg r1 $u '"text": "Hi"' 0; msg r2 $u '"reply_id": "library-card"' 10; } >"$tmp/part1"
{
  msg r2 $u '"reply_id": "library-card"' 10
  msg r3 $u '"text": "Asha Devi"' 20
  msg r2 $u '"reply_id": "library-card"' 10
  msg r4 $u '"reply_id": "student"' 30
} >"$tmp/part2"
"$samvad" gateway --specs "$specs" --db "$db" <"$tmp/part1" >"$tmp/p1" 2>"$tmp/p1err" ||
  fail "gateway --db exited $?"
[ ! -s "$tmp/p1err" ] || { fail "gateway --db wrote to stderr"; cat "$tmp/p1err"; }
[ "$(stat -c %a "$db")" = 600 ] || fail "the database file is not mode 0600"
"$samvad" gateway --specs "$specs" --db "$db" <"$tmp/part2" >"$tmp/p2" 2>/dev/null ||
  fail "gateway --db exited $? after a restart"
grep '"in_reply_to":"r2"' "$tmp/p1" >"$tmp/r2.first"
cat "$tmp/r2.first" "$tmp/r2.first" "$tmp/r2.first" >"$tmp/r2.thrice"
grep '"in_reply_to":"r2"' "$tmp/p2" | cat "$tmp/r2.first" - | cmp -s - "$tmp/r2.thrice" ||
  fail "a repeated message did not get the same replies"
grep '"in_reply_to":"r3"' "$tmp/p2" | grep -q '"state":"choose_kind"' ||
  fail "the conversation did not go on after a restart"
grep '"in_reply_to":"r4"' "$tmp/p2" | grep -q '"application":{"id":"LC-2026-' ||
  fail "a repeated message moved the conversation (no application after r4)"
# Everything again: byte-identical output, and the database unchanged.
"$samvad" db dump --db "$db" >"$tmp/dump1"
cat "$tmp/part1" "$tmp/part2" | "$samvad" gateway --specs "$specs" --db "$db" >"$tmp/p3" 2>/dev/null
cat "$tmp/p1" "$tmp/p2" | cmp -s - "$tmp/p3" || { fail "a resent exchange was answered differently"; diff <(cat "$tmp/p1" "$tmp/p2") "$tmp/p3" | head; }
"$samvad" db dump --db "$db" >"$tmp/dump2"
cmp -s "$tmp/dump1" "$tmp/dump2" || fail "resent messages changed the database"

# A decision reaches a running gateway as a notice ("in_reply_to": null),
# and "status" shows it; it is written once, not again after a restart.
ndb=$tmp/n.db
mkfifo "$tmp/fifo"
"$samvad" gateway --specs "$specs" --db "$ndb" <"$tmp/fifo" >"$tmp/nout" 2>"$tmp/nerr" &
gwpid=$!
exec 3>"$tmp/fifo"
{
  msg n1 $u '"text": "Hi"' 0
  msg n2 $u '"reply_id": "library-card"' 5
  msg n3 $u '"text": "Asha Devi"' 10
  msg n4 $u '"reply_id": "student"' 15
} >&3
app=
if wait_for "$tmp/nout" '"application":{"id":"'; then
  app=$(grep -o '"application":{"id":"[^"]*"' "$tmp/nout" | sed 's/.*"id":"//; s/"$//')
  "$samvad" approve "$app" --db "$ndb" --specs "$specs" --actor tester >/dev/null 2>&1 ||
    fail "approve exited $?"
  wait_for "$tmp/nout" '"in_reply_to":null' || fail "the running gateway wrote no notice"
  msg n5 $u '"text": "status"' 20 >&3
  wait_for "$tmp/nout" '"in_reply_to":"n5"' || fail "no answer to status"
else
  fail "no application before the decision"
fi
exec 3>&-
wait "$gwpid" || fail "the gateway exited $? after a notice"
[ ! -s "$tmp/nerr" ] || { fail "the gateway wrote to stderr around a notice"; cat "$tmp/nerr"; }
grep '"in_reply_to":null' "$tmp/nout" >"$tmp/notice" || true
[ "$(grep -c '' "$tmp/notice")" -ge 1 ] || fail "no notice line"
grep -v '^{"to":"919810003210","in_reply_to":null,"text":"[^"]' "$tmp/notice" >"$tmp/notice.bad" || true
[ ! -s "$tmp/notice.bad" ] || { fail "a notice line is not {\"to\", \"in_reply_to\": null, \"text\"...}"; cat "$tmp/notice.bad"; }
tail -n1 "$tmp/notice" | grep -q '"end":true}$' || fail "the notice does not end with \"end\": true"
[ -z "$app" ] || grep -qF "$app" "$tmp/notice" || fail "the notice does not name $app"
grep '"in_reply_to":"n5"' "$tmp/nout" | grep -qiF approved || fail "status does not show the approval"
"$samvad" gateway --specs "$specs" --db "$ndb" </dev/null >"$tmp/nout2" 2>&1 || fail "gateway restart exited $?"
[ ! -s "$tmp/nout2" ] || { fail "a delivered notice was written again"; cat "$tmp/nout2"; }
# A decision taken while no gateway runs is written when one starts.
{
  msg k1 B '"text": "Hi"' 0
  msg k2 B '"reply_id": "library-card"' 5
  msg k3 B '"text": "Ravi Kumar"' 10
  msg k4 B '"reply_id": "adult"' 15
} | "$samvad" gateway --specs "$specs" --db "$ndb" >"$tmp/kout" 2>/dev/null
app2=$(grep -o '"application":{"id":"[^"]*"' "$tmp/kout" | sed 's/.*"id":"//; s/"$//')
"$samvad" reject "$app2" --reason "The photo is not clear" --db "$ndb" --specs "$specs" >/dev/null 2>&1 ||
  fail "reject exited $?"
"$samvad" gateway --specs "$specs" --db "$ndb" </dev/null >"$tmp/kout2" 2>/dev/null
grep -q '^{"to":"B","in_reply_to":null,' "$tmp/kout2" || fail "a waiting notice was not written at start"

# A full disk (a file size limit): a message whose transaction fails gets
# a "store" error and no reply; the others go on; sent again later, every
# message is answered, and those stored before are answered as before.
fdb=$tmp/f.db
"$samvad" gateway --specs "$specs" --db "$fdb" </dev/null
for i in $(seq 1 300); do msg "f$i" "9198100$i" '"text": "Hi"' 0; done >"$tmp/many"
(trap '' XFSZ; ulimit -f 100; exec "$samvad" gateway --specs "$specs" --db "$fdb" <"$tmp/many" >"$tmp/fout" 2>"$tmp/ferr") ||
  fail "the gateway exited $? on a full disk"
[ "$(grep -c '"end":true}$' "$tmp/fout")" = 300 ] || fail "not every message was answered on a full disk"
stored=$(grep -c '"store"' "$tmp/fout" || true)
[ "$stored" -ge 1 ] || fail "no \"store\" error on a full disk"
grep -c '"error"' "$tmp/fout" | grep -qx "$stored" || fail "other errors than \"store\" on a full disk"
grep -v '"error"' "$tmp/fout" | grep -o '"in_reply_to":"f[0-9]*"' | sort -u >"$tmp/fok"
grep '"error"' "$tmp/fout" | grep -o '"in_reply_to":"f[0-9]*"' | sort -u >"$tmp/ffail"
[ -z "$(comm -12 "$tmp/fok" "$tmp/ffail")" ] || fail "a message got both replies and a store error"
grep -q '{"error":{"code":"store","message":"the message was not stored; send it again (' "$tmp/fout" ||
  fail "the store error does not say to send the message again"
"$samvad" gateway --specs "$specs" --db "$fdb" <"$tmp/many" >"$tmp/fout2" 2>/dev/null
[ "$(grep -c '"end":true}$' "$tmp/fout2")" = 300 ] && ! grep -q '"error"' "$tmp/fout2" ||
  fail "messages sent again after a full disk were not all answered"
grep -v '"error"' "$tmp/fout" >"$tmp/fok.lines" || true
grep -vFf "$tmp/fout2" "$tmp/fok.lines" >"$tmp/fchanged" || true
[ ! -s "$tmp/fchanged" ] || fail "messages stored before the disk filled were answered differently"
"$samvad" db check --specs "$specs" --db "$fdb" >/dev/null 2>&1 || fail "the database is not sound after a full disk"

# A database locked by another program (here the sqlite3 shell, when it is
# installed): once the busy timeout has passed, every message of the batch
# gets a "store" error at once, not one timeout each; sent again after the
# lock is gone, they are answered.
if command -v sqlite3 >/dev/null 2>&1; then
  ldb=$tmp/l.db
  "$samvad" gateway --specs "$specs" --db "$ldb" </dev/null
  mkfifo "$tmp/lfifo" "$tmp/sqlfifo"
  "$samvad" gateway --specs "$specs" --db "$ldb" <"$tmp/lfifo" >"$tmp/lout" 2>"$tmp/lerr" &
  gwpid=$!
  exec 4>"$tmp/lfifo"
  sleep 0.5 # the gateway's start-up sweep writes; let it finish first
  sqlite3 "$ldb" <"$tmp/sqlfifo" >/dev/null 2>&1 &
  sqlpid=$!
  exec 5>"$tmp/sqlfifo"
  echo 'BEGIN IMMEDIATE;' >&5
  sleep 0.5
  for i in 1 2 3; do msg "l$i" "L$i" '"text": "Hi"' 0; done >"$tmp/locked"
  started=$(date +%s)
  cat "$tmp/locked" >&4
  wait_for "$tmp/lout" '"in_reply_to":"l3"' || sleep 5
  waited=$(($(date +%s) - started))
  echo 'ROLLBACK;' >&5
  exec 5>&-
  wait "$sqlpid" || true
  [ "$(grep -c '"code":"store","message":"the message was not stored; send it again (database is locked)"' "$tmp/lout")" = 3 ] ||
    { fail "a locked database did not give three store errors"; cat "$tmp/lout"; }
  [ "$waited" -le 8 ] || fail "a locked database held the batch for $waited s"
  cat "$tmp/locked" >&4
  exec 4>&-
  wait "$gwpid" || fail "the gateway exited $? after a lock"
  [ "$(grep -c '"in_reply_to":"l[123]","text"' "$tmp/lout")" -ge 3 ] ||
    fail "messages sent again after a lock were not answered"
else
  echo "gateway: no sqlite3 shell; the locked-database check is skipped"
fi

# Databases that cannot be used: exit 4 (the folder) or 5 (the file), a
# message naming the path, and nothing on stdout.
printf '{"from": "x", "id": "1", "text": "hi"}\n' >"$tmp/one"
"$samvad" gateway --specs "$specs" --db "$tmp/no/such/dir/x.db" <"$tmp/one" >"$tmp/o" 2>"$tmp/e" && st=0 || st=$?
[ "$st" = 4 ] || fail "an unwritable folder: exit $st, not 4"
grep -qF "$tmp/no/such/dir/x.db" "$tmp/e" || fail "the error does not name the database"
echo 'not a database' >"$tmp/junk.db"
"$samvad" gateway --specs "$specs" --db "$tmp/junk.db" <"$tmp/one" >"$tmp/o" 2>"$tmp/e" && st=0 || st=$?
[ "$st" = 5 ] || fail "a file that is not a database: exit $st, not 5"
[ ! -s "$tmp/o" ] || fail "a gateway without a database wrote replies"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "gateway: all checks passed"
