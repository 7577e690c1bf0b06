#!/usr/bin/env bash
# store.sh - the database through the binary: the file is private, `db
# check` on fresh, corrupt, foreign, newer and unreachable databases, a
# whole marriage application through `samvad gateway --db`, the listing,
# approve and reject (and their refusals), the notice a later gateway run
# delivers, retention (`db sweep`), a full disk, a locked database, and no
# personal data on stderr, and an upgrade from schema 3. Args: $1 = samvad
# binary, $2 = source dir.
# The sqlite3 command-line shell is used when installed (a corrupt session
# row, a locked database); without it those two checks are skipped.
set -euo pipefail
samvad=$1
src=$2
specs=$src/fsm-specs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# has FILE PATTERN WHAT: FILE must contain the fixed string PATTERN.
has() { grep -qF -- "$2" "$1" || { fail "$3"; echo "  wanted: $2"; sed 's/^/    /' "$1"; }; }
hasnt() { ! grep -qF -- "$2" "$1" || { fail "$3"; sed 's/^/    /' "$1"; }; }
# expect CODE CMD...: runs CMD; stdout in $tmp/out, stderr in $tmp/err.
expect() {
  local want=$1; shift
  local got=0
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || got=$?
  if [ "$got" != "$want" ]; then
    fail "'${*#"$samvad "}' exited $got, expected $want"
    sed 's/^/    /' "$tmp/out" "$tmp/err"
  fi
}
mode() { stat -c %a "$1"; }
# Approving a marriage registration issues its certificate: keys for that.
export SAMVAD_KEYS=$tmp/keys
"$samvad" keygen --specs "$specs" >/dev/null || fail "samvad keygen failed"
# The citizen's number and names must never reach stderr.
no_personal_data() {
  for secret in 9810003210 9810007777 "Rahul Verma" "Priya Sharma" 234123412346; do
    hasnt "$1" "$secret" "personal data ($secret) on stderr of $2"
  done
}

# ---- The file ---------------------------------------------------------------
db=$tmp/fresh.db
(umask 000; "$samvad" db migrate --db "$db" >"$tmp/out" 2>"$tmp/err") ||
  fail "db migrate failed on a new file"
[ "$(mode "$db")" = 600 ] || fail "a new database has mode $(mode "$db"), not 600 (even with umask 000)"
expect 0 "$samvad" db check --db "$db" --specs "$specs"
has "$tmp/out" "sound" "db check on a fresh database does not say sound"
expect 0 "$samvad" db migrate --db "$db"
has "$tmp/out" "schema version 4" "db migrate does not report the schema version"

# Commands that read a database refuse a missing one rather than create it.
expect 5 "$samvad" db check --db "$tmp/missing.db" --specs "$specs"
has "$tmp/err" "no database there" "a missing database is not explained"
[ ! -e "$tmp/missing.db" ] || fail "db check created a missing database"
expect 5 "$samvad" applications --db "$tmp/missing.db"
SAMVAD_DB=$tmp/missing.db expect 5 "$samvad" applications
has "$tmp/err" "missing.db" "\$SAMVAD_DB is not used"

# Garbage is a clear error (exit 5), never a crash, and is left as it was.
head -c 20000 /dev/urandom >"$tmp/garbage.db"
cp "$tmp/garbage.db" "$tmp/garbage.orig"
for cmd in "db check --specs $specs" "db dump" "applications" \
           "approve MR-2026-AAAAAAAA --specs $specs"; do
  # shellcheck disable=SC2086
  expect 5 "$samvad" $cmd --db "$tmp/garbage.db"
  has "$tmp/err" "garbage.db: file is not a database" "'$cmd' on garbage: unclear message"
done
cmp -s "$tmp/garbage.db" "$tmp/garbage.orig" || fail "a garbage file was modified"

# A path that cannot be created: exit 4, with the reason.
expect 4 "$samvad" db migrate --db "$tmp/no/such/folder/x.db"
has "$tmp/err" "cannot open or create the database: No such file or directory" \
  "an unreachable folder is not explained"
expect 4 "$samvad" db migrate --db "$tmp"
expect 4 "$samvad" db migrate --db "$tmp/garbage.db/x.db"
has "$tmp/err" "Not a directory" "a path under a file is not explained"

# A newer schema (user_version, at offset 60 of the header, set to 999) is
# refused and not touched; so is another program's SQLite database
# (application_id, at offset 68).
cp "$db" "$tmp/newer.db"
printf '\000\000\003\347' | dd of="$tmp/newer.db" bs=1 seek=60 conv=notrunc 2>/dev/null
cp "$tmp/newer.db" "$tmp/newer.orig"
expect 5 "$samvad" db check --db "$tmp/newer.db" --specs "$specs"
has "$tmp/err" "written by a newer samvad (schema version 999" "a newer schema is not refused clearly"
cmp -s "$tmp/newer.db" "$tmp/newer.orig" || fail "a newer database was modified"
cp "$db" "$tmp/foreign.db"
printf 'XXXX' | dd of="$tmp/foreign.db" bs=1 seek=68 conv=notrunc 2>/dev/null
expect 5 "$samvad" applications --db "$tmp/foreign.db"
has "$tmp/err" "not a samvad database" "another program's database is not refused"

# ---- A whole application through the gateway -----------------------------------
# tests/bench/marriage-en.txt holds one message per line; times are an hour
# ago so that nothing is old enough for retention.
now=$(date -u +%s)
# shellcheck source=lib/jsonl.sh
. "$src/tests/cli/lib/jsonl.sh"
to_jsonl 919810003210 m $((now - 3600)) <"$src/tests/bench/marriage-en.txt" >"$tmp/marriage.jsonl"
db=$tmp/app.db
"$samvad" gateway --db "$db" --specs "$specs" <"$tmp/marriage.jsonl" >"$tmp/gw1" 2>"$tmp/gw1err" ||
  fail "gateway --db exited $?"
no_personal_data "$tmp/gw1err" "the gateway"
app=$(grep -o '"application":{"id":"MR-2026-[A-Z0-9]*' "$tmp/gw1" | cut -d'"' -f6 || true)
[ -n "$app" ] || { fail "the gateway submitted no application"; app=MR-2026-MISSING0; }
[ "$(mode "$db")" = 600 ] || fail "the gateway's database has mode $(mode "$db")"

# The write-ahead log and shared-memory files exist while a gateway runs;
# they are as private as the database, whatever the umask.
(
  umask 000
  { head -n 3 "$tmp/marriage.jsonl" | sed 's/"id": "m/"id": "w/'; sleep 3; } |
    "$samvad" gateway --db "$tmp/wal.db" --specs "$specs" >/dev/null 2>&1
) &
gateway=$!
for _ in $(seq 50); do
  [ -e "$tmp/wal.db-wal" ] && [ -e "$tmp/wal.db-shm" ] && break
  sleep 0.1
done
for f in "$tmp/wal.db" "$tmp/wal.db-wal" "$tmp/wal.db-shm"; do
  if [ ! -e "$f" ]; then fail "${f##*/} does not exist while the gateway runs"
  elif [ "$(mode "$f")" != 600 ]; then fail "${f##*/} has mode $(mode "$f"), not 600"
  fi
done
wait "$gateway" || fail "the gateway with a slow input exited $?"

# Replaying the same lines: the same replies, and no second application.
"$samvad" gateway --db "$db" --specs "$specs" <"$tmp/marriage.jsonl" >"$tmp/gw1again" 2>/dev/null ||
  fail "the replay exited $?"
cmp -s "$tmp/gw1" "$tmp/gw1again" || { fail "a repeated delivery got different replies"; diff "$tmp/gw1" "$tmp/gw1again" | head -5; }

expect 0 "$samvad" applications --db "$db"
has "$tmp/out" "$app" "the listing lacks the application"
has "$tmp/out" "marriage-registration" "the listing lacks the service"
has "$tmp/out" "91XXXXXX3210" "the listing does not show the masked number"
hasnt "$tmp/out" "919810003210" "the listing shows a citizen's number in full"
has "$tmp/out" "1 application" "the listing does not count"
[ "$(grep -c "$app" "$tmp/out")" = 1 ] || fail "the application is listed more than once"
expect 0 "$samvad" applications --db "$db" --json
[ "$(grep -c '' "$tmp/out")" = 1 ] || fail "--json is not one line per application"
has "$tmp/out" "{\"id\":\"$app\",\"service\":\"marriage-registration\",\"user\":\"919810003210\",\"status\":\"submitted\"," "--json fields"
has "$tmp/out" '"decided":null' "--json: an undecided application has a decision time"
has "$tmp/out" '"groom_name":"Rahul Verma"' "--json lacks the answers"
has "$tmp/out" '"bride_aadhaar":"398765432109"' "--json lacks the answers"
expect 0 "$samvad" applications --db "$db" --status approved
has "$tmp/out" "0 applications" "--status approved lists a submitted application"
expect 0 "$samvad" applications --db "$db" --service driving-licence --json
[ ! -s "$tmp/out" ] || fail "--service driving-licence lists a marriage registration"
expect 0 "$samvad" applications --db "$db" --service marriage-registration --status submitted
has "$tmp/out" "$app" "--service and --status together miss the application"
expect 2 "$samvad" applications --db "$db" --status pending

# Decisions.
expect 2 "$samvad" reject "$app" --db "$db" --specs "$specs"
has "$tmp/err" "--reason" "reject without --reason does not ask for one"
expect 1 "$samvad" approve MR-2026-NOSUCH00 --db "$db" --specs "$specs"
has "$tmp/err" "no application MR-2026-NOSUCH00" "an unknown application is not explained"
expect 2 "$samvad" approve --db "$db" --specs "$specs"
expect 0 "$samvad" approve "$app" --db "$db" --specs "$specs" --actor officer7
has "$tmp/out" "$app approved; the citizen (91XXXXXX3210) will be told." "approve's confirmation"
no_personal_data "$tmp/err" "approve"
expect 1 "$samvad" approve "$app" --db "$db" --specs "$specs"
has "$tmp/err" "already approved" "a second approval is not refused clearly"
expect 1 "$samvad" reject "$app" --db "$db" --specs "$specs" --reason "late"
has "$tmp/err" "already approved" "rejecting an approved application is not refused"
expect 0 "$samvad" applications --db "$db" --status approved --json
has "$tmp/out" '"status":"approved"' "the listing does not show the approval"
hasnt "$tmp/out" '"decided":null' "the approval has no time"
expect 0 "$samvad" applications "$app" --db "$db"
has "$tmp/out" "submitted  by citizen" "the history lacks the submission"
has "$tmp/out" "approved   by officer7" "the history lacks the approval by its actor"
expect 1 "$samvad" applications MR-2026-NOSUCH00 --db "$db"

# The notice: the next gateway run writes it, with "in_reply_to": null,
# before anything else, and "status" shows the decision. Set
# SAMVAD_SKIP_NOTICES=1 to skip this while the gateway lacks notices.
if [ "${SAMVAD_SKIP_NOTICES:-0}" != 1 ]; then
  printf '{"from": "919810003210", "id": "s1", "text": "status"}\n' >"$tmp/status.jsonl"
  "$samvad" gateway --db "$db" --specs "$specs" <"$tmp/status.jsonl" >"$tmp/gw2" 2>"$tmp/gw2err" ||
    fail "the second gateway run exited $?"
  head -n1 "$tmp/gw2" | grep -q '^{"to":"919810003210","in_reply_to":null,"text":"[^"]*'"$app"'[^"]*approved' ||
    { fail "the notice is not the first line, with in_reply_to null"; sed 's/^/    /' "$tmp/gw2"; }
  grep '"in_reply_to":"s1"' "$tmp/gw2" | grep -q "$app.*approved" || fail "status does not show the approval"
  "$samvad" gateway --db "$db" --specs "$specs" </dev/null >"$tmp/gw3" 2>/dev/null ||
    fail "the third gateway run exited $?"
  [ ! -s "$tmp/gw3" ] || fail "a delivered notice was written again"
fi

# A rejection, with its reason, for a second citizen.
sed 's/919810003210/919810007777/; s/"id": "m/"id": "r/' "$tmp/marriage.jsonl" >"$tmp/second.jsonl"
"$samvad" gateway --db "$db" --specs "$specs" <"$tmp/second.jsonl" >"$tmp/gw4" 2>/dev/null ||
  fail "the gateway exited $? on a second citizen's application"
app2=$(grep -o '"application":{"id":"MR-2026-[A-Z0-9]*' "$tmp/gw4" | cut -d'"' -f6 || true)
[ -n "$app2" ] && [ "$app2" != "$app" ] || fail "the second application has no new number ($app2)"
# A full disk: the decision is not recorded, and says why.
(
  trap '' XFSZ
  ulimit -f 1
  expect 5 "$samvad" approve "$app2" --db "$db" --specs "$specs"
  echo "$failures" >"$tmp/subshell-failures"
) || true
failures=$(cat "$tmp/subshell-failures")
expect 0 "$samvad" applications --db "$db" --status submitted
has "$tmp/out" "$app2" "a failed write changed an application"

expect 0 "$samvad" reject "$app2" --db "$db" --specs "$specs" --reason "The witnesses' addresses are missing" --actor officer8
has "$tmp/out" "$app2 rejected; the citizen (91XXXXXX7777) will be told." "reject's confirmation"
expect 0 "$samvad" applications --db "$db" --status rejected --json
has "$tmp/out" '"reason":"The witnesses'"'"' addresses are missing"' "the rejection's reason is not kept"
expect 0 "$samvad" applications --db "$db"
has "$tmp/out" "2 applications" "the listing does not show both applications"

# Dumps are reproducible and hold what defines the outcome.
expect 0 "$samvad" db dump --db "$db"
cp "$tmp/out" "$tmp/dump1"
has "$tmp/dump1" '["session","919810003210",' "the dump lacks a session"
has "$tmp/dump1" '["message","919810003210","m1",' "the dump lacks a processed message"
has "$tmp/dump1" "[\"application\",\"$app\",\"marriage-registration\",\"919810003210\",\"approved\"" "the dump lacks an application"
has "$tmp/dump1" "[\"audit\",\"$app\",\"approved\",\"officer7\"" "the dump lacks the audit of the approval"
expect 0 "$samvad" db dump --db "$db"
cmp -s "$tmp/dump1" "$tmp/out" || fail "two dumps of one database differ"
expect 0 "$samvad" db check --db "$db" --specs "$specs"

# ---- Retention ---------------------------------------------------------------------
# A citizen stops halfway, 40 days ago; the sweep erases the answers, keeps
# the submitted application of another, and audits it.
db=$tmp/sweep.db
head -n 12 "$tmp/marriage.jsonl" | sed 's/919810003210/919810005555/; s/"id": "m/"id": "old/' |
  while IFS= read -r line; do
    t=$(date -u -d "@$((now - 40 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
    printf '%s\n' "${line%\"time\"*}\"time\": \"$t\"}"
  done >"$tmp/abandoned.jsonl"
# (The gateway sweeps too, at start: a long retention keeps it out of this.)
for input in abandoned marriage; do
  "$samvad" gateway --db "$db" --specs "$specs" --retention-days 3650 <"$tmp/$input.jsonl" >/dev/null 2>"$tmp/err" ||
    { fail "the gateway exited $? on $input.jsonl"; sed 's/^/    /' "$tmp/err"; }
done
expect 0 "$samvad" db dump --db "$db"
has "$tmp/out" '["session","919810005555","marriage-registration"' "the abandoned session is not in its service"
# Each database has its own secret reference key: the same conversation
# gets another number in another database.
grep -q "\"application\",\"MR-2026-" "$tmp/out" || fail "the second database has no application"
hasnt "$tmp/out" "\"$app\"" "two databases gave the same reference number"
expect 0 "$samvad" db sweep --db "$db" --specs "$specs" --retention-days 30
has "$tmp/out" "Erased the answers of 1 abandoned application and 12 processed-message records" \
  "the sweep did not erase the abandoned answers"
no_personal_data "$tmp/err" "db sweep"
expect 0 "$samvad" db dump --db "$db"
has "$tmp/out" '["session","919810005555",null' "the swept session is still in its service"
hasnt "$tmp/out" '"old1"' "old processed-message records were kept"
has "$tmp/out" '["message","919810003210","m1"' "recent processed-message records were pruned"
has "$tmp/out" '["audit",null,"answers_erased","retention","marriage-registration"]' "the erasure is not audited"
has "$tmp/out" '["application","MR-2026-' "the submitted application was not kept"
expect 0 "$samvad" db sweep --db "$db" --specs "$specs"
has "$tmp/out" "Erased the answers of 0 abandoned applications" "a second sweep found more"
expect 0 "$samvad" db check --db "$db" --specs "$specs"

# ---- With the sqlite3 shell: a damaged session, a locked database ----------------
if command -v sqlite3 >/dev/null; then
  db=$tmp/app.db
  cp "$db" "$tmp/damaged.db"
  sqlite3 "$tmp/damaged.db" "UPDATE sessions SET bytes = x'00ff00ff' WHERE user = '919810007777'"
  expect 1 "$samvad" db check --db "$tmp/damaged.db" --specs "$specs"
  has "$tmp/out" "the session of 91XXXXXX7777" "db check does not name the damaged session (masked)"
  has "$tmp/out" "1 problem found" "db check does not count the problem"
  hasnt "$tmp/out" "919810007777" "db check shows a number in full"

  # samvad serve's tables come under retention too: what the webhook took
  # in and what was sent hold what citizens wrote and were told. Rows as
  # serve leaves them, 40 days old and today: old finished ones go (with
  # the delivery report of the one sent); today's, and an old one still
  # pending, stay.
  sdb=$tmp/serve-retention.db
  expect 0 "$samvad" db migrate --db "$sdb"
  old=$((now - 40 * 86400))
  sqlite3 "$sdb" "
    INSERT INTO inbox(transport, user, event_id, at, received_at, event, processed_at) VALUES
      ('whatsapp', '919810006666', 'wamid.old', $old, $old, x'00', $old),
      ('whatsapp', '919810006666', 'wamid.new', $now, $now, x'00', $now);
    INSERT INTO outbox(transport, user, url, body, created_at, next_at, state, sent_id, done_at) VALUES
      ('whatsapp', '919810006666', 'http://x', 'old sent', $old, $old, 'sent', 'wamid.out1', $old),
      ('whatsapp', '919810006666', 'http://x', 'old failed', $old, $old, 'failed', NULL, $old),
      ('whatsapp', '919810006666', 'http://x', 'old pending', $old, $now, 'pending', NULL, NULL),
      ('whatsapp', '919810006666', 'http://x', 'new sent', $now, $now, 'sent', 'wamid.out2', $now);
    INSERT INTO deliveries(sent_id, status, at) VALUES ('wamid.out1', 'read', $old), ('wamid.out2', 'read', $now);"
  expect 0 "$samvad" db sweep --db "$sdb" --specs "$specs" --retention-days 30
  has "$tmp/out" "Deleted 1 processed webhook event and 2 finished sends" "db sweep does not prune serve's tables"
  [ "$(sqlite3 "$sdb" "SELECT group_concat(event_id) FROM inbox")" = wamid.new ] ||
    fail "the inbox kept $(sqlite3 "$sdb" "SELECT group_concat(event_id) FROM inbox")"
  [ "$(sqlite3 "$sdb" "SELECT group_concat(CAST(body AS TEXT), '|') FROM outbox ORDER BY id")" = "old pending|new sent" ] ||
    fail "the outbox kept $(sqlite3 "$sdb" "SELECT group_concat(CAST(body AS TEXT), '|') FROM outbox")"
  [ "$(sqlite3 "$sdb" "SELECT group_concat(sent_id) FROM deliveries")" = wamid.out2 ] ||
    fail "the delivery reports kept $(sqlite3 "$sdb" "SELECT group_concat(sent_id) FROM deliveries")"
  expect 0 "$samvad" db check --db "$sdb" --specs "$specs"
  # When every row is old, the newest stays, emptied: an empty table would
  # hand out row ids from 1 again.
  sqlite3 "$sdb" "DELETE FROM outbox;
    INSERT INTO outbox(id, transport, user, url, body, created_at, next_at, state, done_at) VALUES
      (7, 'whatsapp', '919810006666', 'http://x', 'old failed', $old, $old, 'failed', $old),
      (8, 'whatsapp', '919810006666', 'http://x', 'old failed too', $old, $old, 'failed', $old);"
  expect 0 "$samvad" db sweep --db "$sdb" --specs "$specs" --retention-days 30
  [ "$(sqlite3 "$sdb" "SELECT id || ':' || length(body) FROM outbox")" = "8:0" ] ||
    fail "an old outbox was not emptied down to its newest row: $(sqlite3 "$sdb" "SELECT id, body FROM outbox")"

  # Upgrading from schema 3 keeps the outbox and the delivery reports
  # (ids too, which keep each citizen's order) and their checks, now
  # written as comparisons. A schema-3 database: a current one with those
  # two tables as schema 3 made them.
  udb=$tmp/schema3.db
  expect 0 "$samvad" db migrate --db "$udb"
  sqlite3 "$udb" "
    DROP TABLE outbox; DROP TABLE deliveries;
    CREATE TABLE outbox(id INTEGER PRIMARY KEY, transport TEXT NOT NULL,
      user TEXT NOT NULL, url TEXT NOT NULL, body BLOB NOT NULL,
      created_at INTEGER NOT NULL, next_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL
      DEFAULT 'pending' CHECK(state IN ('pending', 'sent', 'failed')),
      sent_id TEXT, error TEXT, done_at INTEGER);
    CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
    CREATE INDEX outbox_failed ON outbox(id) WHERE state = 'failed';
    CREATE TABLE deliveries(sent_id TEXT PRIMARY KEY, status TEXT NOT NULL
      CHECK(status IN ('sent', 'delivered', 'read', 'failed')),
      error TEXT, at INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO outbox(id, transport, user, url, body, created_at, next_at, attempts, state, sent_id, error, done_at) VALUES
      (5, 'whatsapp', '919810006666', 'http://x', 'sent one', $now, $now, 1, 'sent', 'wamid.out5', NULL, $now),
      (9, 'whatsapp', '919810006666', 'http://x', 'waiting', $now, $((now + 60)), 2, 'pending', NULL, 'HTTP 500', NULL);
    INSERT INTO deliveries VALUES ('wamid.out5', 'delivered', NULL, $now);
    PRAGMA user_version = 3;"
  rows="SELECT quote(id), transport, user, url, CAST(body AS TEXT), created_at, next_at, attempts,
          state, quote(sent_id), quote(error), quote(done_at) FROM outbox ORDER BY id;
        SELECT * FROM deliveries;"
  sqlite3 "$udb" "$rows" >"$tmp/rows3"
  expect 0 "$samvad" db migrate --db "$udb"
  has "$tmp/out" "schema version 4" "a schema-3 database was not upgraded"
  sqlite3 "$udb" "$rows" >"$tmp/rows4"
  cmp -s "$tmp/rows3" "$tmp/rows4" || { fail "the upgrade changed the outbox or the deliveries"; diff "$tmp/rows3" "$tmp/rows4"; }
  [ "$(sqlite3 "$udb" "SELECT group_concat(name) FROM sqlite_master WHERE tbl_name = 'outbox' AND type = 'index' ORDER BY name")" \
    = "outbox_pending,outbox_failed" ] || fail "the upgraded outbox lost an index"
  ! sqlite3 "$udb" "UPDATE outbox SET state = 'lost' WHERE id = 9" 2>/dev/null ||
    fail "the upgraded outbox takes a state that is not one"
  ! sqlite3 "$udb" "INSERT INTO deliveries VALUES ('wamid.x', 'seen', NULL, 0)" 2>/dev/null ||
    fail "the upgraded deliveries take a status that is not one"
  expect 0 "$samvad" db check --db "$udb" --specs "$specs"

  # A writer holds the lock for longer than the 5-second busy timeout.
  { echo "BEGIN IMMEDIATE; INSERT INTO meta VALUES('lock', 1);"; sleep 8; echo "ROLLBACK;"; } |
    sqlite3 "$db" &
  holder=$!
  sleep 1
  expect 5 "$samvad" approve "$app2" --db "$db" --specs "$specs"
  has "$tmp/err" "locked by another process" "a locked database is not explained"
  wait "$holder" || true
else
  echo "store: sqlite3 shell not installed; skipping the damaged-session and lock checks"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "store: all checks passed"
