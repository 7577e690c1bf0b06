#!/usr/bin/env bash
# crash.sh - crash safety and exactly-once processing of `samvad gateway`.
# A few thousand messages from many citizens (marriage registrations in
# English and Hindi, interleaved, with explicit times) go through the
# gateway twice, into two copies of one empty database (so the same
# reference-number key): once in one go, and once with the gateway killed
# (SIGKILL) at random moments and restarted with every message not yet
# answered, plus a few answered ones again. A message counts as answered
# when its reply lines up to the one ending "end":true} were written. At
# the end both databases must dump identically, and every message must
# have had exactly the same replies in both runs, however often it was
# sent. Args: $1 = samvad binary, $2 = source dir.
# CRASH_CITIZENS, CRASH_KILLS and CRASH_SEED change the run.
set -euo pipefail
samvad=$1
src=$2
specs=$src/fsm-specs
citizens=${CRASH_CITIZENS:-150}
kills=${CRASH_KILLS:-30}
seed=${CRASH_SEED:-$RANDOM}
RANDOM=$seed
tmp=$(mktemp -d)
pid=
feeder=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  [ -n "$feeder" ] && kill "$feeder" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
die() {
  echo "FAIL: $*"
  echo "(reproduce with CRASH_SEED=$seed CRASH_CITIZENS=$citizens CRASH_KILLS=$kills)"
  exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Times a few hours back, so that no retention sweep or idle expiry at
# restart depends on when the test runs.
base=$(($(date +%s) - 4 * 3600))
awk -v citizens="$citizens" -v base="$base" -v seed="$seed" \
  -f "$src/tests/bench/gateway-load.awk" \
  "$src/tests/bench/marriage-en.txt" "$src/tests/bench/marriage-hi.txt" >"$tmp/in"
total=$(grep -c '' "$tmp/in")

# groups OUT: one line per complete answer, "id<TAB>line<US>line...",
# from gateway output that may end in a torn answer (dropped). Output of a
# message is contiguous; anything else is reported.
groups() {
  # A torn last line (no newline) is dropped.
  if [ "$(tail -c1 "$1" | wc -l)" = 0 ]; then head -n -1 "$1"; else cat "$1"; fi | awk '
    function flush_bad() {
      if (n > 0 && cur != "") printf "BROKEN\t%s answer interleaved with another\n", cur
    }
    {
      if (!match($0, /"in_reply_to":"[^"]*"/)) { printf "BROKEN\tno in_reply_to: %s\n", $0; next }
      id = substr($0, RSTART + 15, RLENGTH - 16)
      if (n > 0 && id != cur) { flush_bad(); n = 0 }
      cur = id
      acc = n++ ? acc "\037" $0 : $0
      if ($0 ~ /"end":true}$/) { printf "%s\t%s\n", id, acc; n = 0 }
    }'
}

# The empty database, copied twice.
"$samvad" gateway --specs "$specs" --db "$tmp/empty.db" </dev/null >/dev/null ||
  die "gateway on empty input exited $?"
cp "$tmp/empty.db" "$tmp/base.db"
cp "$tmp/empty.db" "$tmp/crash.db"
# answers OUT: how many messages the gateway has answered in OUT (each
# answer ends with a line ending "end":true}).
answers() { grep -c '"end":true}$' "$1" || true; }

# drip FILE OUT: writes FILE in pieces of 1 to 200 lines, each once the
# gateway has answered the one before in OUT, as a client with one piece
# in flight would, so that the gateway commits batches of many sizes and
# a run's progress moves in small steps whatever the machine's speed.
drip() {
  local from=1 to last
  last=$(grep -c '' "$1")
  while [ "$from" -le "$last" ]; do
    to=$((from + RANDOM % 200))
    sed -n "${from},${to}p;${to}q" "$1"
    while [ "$(answers "$2")" -lt $((to < last ? to : last)) ]; do sleep 0.002; done
    from=$((to + 1))
  done
}

# How long a gateway takes to start (catalogue, database, sweep): the
# window for the kills that hit start-up.
cp "$tmp/empty.db" "$tmp/scratch.db"
t0=$(now_ms)
"$samvad" gateway --specs "$specs" --db "$tmp/scratch.db" </dev/null >/dev/null
start_ms=$(($(now_ms) - t0))
mkfifo "$tmp/feed"

# running PID: whether PID has not yet exited (a zombie, not yet waited
# for, has).
running() {
  local state
  read -r _ _ state _ <"/proc/$1/stat" 2>/dev/null || return 1
  [ "$state" != Z ]
}

# The run without kills.
"$samvad" gateway --specs "$specs" --db "$tmp/base.db" <"$tmp/in" >"$tmp/base.out" 2>"$tmp/base.err" ||
  die "the baseline gateway exited $?"
[ ! -s "$tmp/base.err" ] || { cat "$tmp/base.err"; die "the baseline wrote to stderr"; }
groups "$tmp/base.out" | sort >"$tmp/base.groups"
! grep -q '^BROKEN' "$tmp/base.groups" || die "baseline output: $(grep -m1 '^BROKEN' "$tmp/base.groups")"
[ "$(grep -c '' "$tmp/base.groups")" = "$total" ] ||
  die "the baseline answered $(grep -c '' "$tmp/base.groups") of $total messages"
! grep -q '"error"' "$tmp/base.out" || die "the baseline answered with an error: $(grep -m1 '"error"' "$tmp/base.out")"
submitted=$(grep -c '"application":{' "$tmp/base.out" || true)
[ "$submitted" = "$citizens" ] || die "$submitted applications submitted in the baseline, not $citizens"

# The run with kills. pending = every unanswered line in input order, plus
# a few answered ones sent again.
cp "$tmp/in" "$tmp/pending"
: >"$tmp/answered"
run=0
killed=0
progress=
while :; do
  run=$((run + 1))
  [ "$run" -le $((kills + 3)) ] || die "messages still unanswered after $run runs"
  left=$(grep -c '' "$tmp/pending")
  out=$tmp/run$run.out
  : >"$out"
  drip "$tmp/pending" "$out" >"$tmp/feed" &
  feeder=$!
  "$samvad" gateway --specs "$specs" --db "$tmp/crash.db" <"$tmp/feed" >"$out" 2>>"$tmp/crash.err" &
  pid=$!
  status=0
  if [ "$killed" -lt "$kills" ]; then
    # A quarter of the kills hit start-up (opening, recovering the
    # database); the others come once the run has answered a random number
    # of messages, 1/kills of what is left on average, so that most runs
    # die with work left. Counting answers rather than timing them keeps
    # the kills landing however fast the machine is at the moment (other
    # tests, the hypervisor).
    if [ $((RANDOM % 4)) = 0 ]; then
      delay=$((RANDOM % (start_ms + 1)))
      sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
    else
      target=$((RANDOM % (2 * left / kills + 1)))
      while running "$pid" && [ "$(answers "$out")" -lt "$target" ]; do
        sleep 0.005
      done
    fi
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || status=$?
    [ "$status" != 137 ] || killed=$((killed + 1))
    [ "$status" = 0 ] || [ "$status" = 137 ] || die "run $run: gateway exited $status"
  else
    wait "$pid" || die "run $run (not killed): gateway exited $?"
  fi
  pid=
  # A feeder whose gateway died waits for answers that never come.
  kill "$feeder" 2>/dev/null || true
  wait "$feeder" 2>/dev/null || true
  feeder=
  ! grep -q '"error"' "$out" || die "run $run answered with an error: $(grep -m1 '"error"' "$out")"
  groups "$out" >"$tmp/run$run.groups"
  ! grep -q '^BROKEN' "$tmp/run$run.groups" || die "run $run: $(grep -m1 '^BROKEN' "$tmp/run$run.groups")"
  cut -f1 "$tmp/run$run.groups" >>"$tmp/answered"
  got=$(grep -c "" "$tmp/run$run.groups" || true)
  progress="$progress $got"
  sort -u -o "$tmp/answered" "$tmp/answered"
  answered=$(grep -c '' "$tmp/answered" || true)
  [ "$answered" -lt "$total" ] || break
  # Resend five answered messages, in their places among the rest.
  shuf -n 5 --random-source=<(yes "$seed.$run") "$tmp/answered" >"$tmp/resend" || true
  awk 'FILENAME == ARGV[1] { done[$0] = 1; next }
       FILENAME == ARGV[2] { again[$0] = 1; next }
       { id = $0; sub(/.*"id":"/, "", id); sub(/".*/, "", id)
         if (!(id in done) || (id in again)) print }' \
    "$tmp/answered" "$tmp/resend" "$tmp/in" >"$tmp/pending"
done
echo "crash: $total messages from $citizens citizens, $killed kills in $run runs (seed $seed)"
echo "crash: answers written per run:$progress"
[ "$killed" -ge $((kills / 2)) ] || die "only $killed of $kills kills hit a running gateway"
if [ -s "$tmp/crash.err" ]; then
  cat "$tmp/crash.err"
  die "the killed gateways wrote to stderr"
fi

# Every message: the same replies as in the baseline, each time it was
# answered.
cat "$tmp"/run*.groups | sort -u >"$tmp/crash.groups"
if ! diff "$tmp/base.groups" "$tmp/crash.groups" | tr '\037' '\n' >"$tmp/groups.diff"; then
  head -n 40 "$tmp/groups.diff"
  die "replies differ between the runs (< baseline, > with kills)"
fi

# Sending answered messages once more changes nothing and repeats the replies.
shuf -n 50 --random-source=<(yes "$seed") "$tmp/in" >"$tmp/again"
"$samvad" db dump --db "$tmp/crash.db" >"$tmp/crash.dump" || die "db dump exited $?"
"$samvad" gateway --specs "$specs" --db "$tmp/crash.db" <"$tmp/again" >"$tmp/again.out" 2>&1 ||
  die "the gateway exited $? on repeated messages"
groups "$tmp/again.out" | sort -u >"$tmp/again.groups"
[ "$(grep -c '' "$tmp/again.groups")" = "$(sort -u "$tmp/again" | grep -c '')" ] ||
  die "not every repeated message was answered"
comm -23 "$tmp/again.groups" "$tmp/base.groups" >"$tmp/again.diff"
[ ! -s "$tmp/again.diff" ] || { head -n 5 "$tmp/again.diff" | tr '\037' '\n'; die "a repeated message got other replies"; }
"$samvad" db dump --db "$tmp/crash.db" >"$tmp/crash.dump2" || die "db dump exited $?"
diff -q "$tmp/crash.dump" "$tmp/crash.dump2" >/dev/null || die "repeated messages changed the database"

# Both databases: sound, and the same conversations, messages and
# applications.
for db in base crash; do
  "$samvad" db check --specs "$specs" --db "$tmp/$db.db" >"$tmp/$db.check" 2>&1 ||
    { cat "$tmp/$db.check"; die "db check of the $db database failed"; }
done
"$samvad" db dump --db "$tmp/base.db" >"$tmp/base.dump" || die "db dump exited $?"
grep -q '' "$tmp/base.dump" || die "the dump is empty"
if ! diff "$tmp/base.dump" "$tmp/crash.dump" >"$tmp/dump.diff"; then
  head -n 40 "$tmp/dump.diff"
  die "the databases differ (< baseline, > with kills)"
fi
echo "crash: all checks passed"
