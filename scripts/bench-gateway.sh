#!/usr/bin/env bash
# bench-gateway.sh - messages per second through `samvad gateway`: durable
# (a fresh database file: WAL, synchronous=FULL, a commit per batch of what
# has arrived) beside the in-memory store (--db :memory:), in the same run.
# The input is many citizens each completing a marriage registration in
# English or Hindi, interleaved (tests/bench/gateway-load.awk), with
# explicit times; every message must be answered without an error.
# The durable store is run twice: with stdin a file (every line is there
# at once: full batches of 256) and through a pipe (batches of what has
# arrived), as a client on the other end of a pipe would drive it.
#
# Usage: scripts/bench-gateway.sh [MESSAGES]   (default 100000)
# BENCH_BUILD=DIR uses an existing build instead of a Release build in
# build-bench; BENCH_DIR=DIR puts the database there (default: a temporary
# folder under /tmp; the figure depends on the disk's fsync).
set -eu

n=${1:-100000}
case $n in
  '' | *[!0-9]*) echo "usage: scripts/bench-gateway.sh [MESSAGES]" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${BENCH_BUILD:-}" ]; then
  build=$BENCH_BUILD
else
  build=$root/build-bench
  echo "== building a Release build in $build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --target samvad_bin -j2 >/dev/null
fi
samvad=$build/samvad
work=$(mktemp -d "${BENCH_DIR:-/tmp}/samvad-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
echo "== machine: ${model:-unknown CPU}, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); database in $(df -P "$work" | awk 'NR == 2 { print $1 " (" $6 ")" }')"

# About 34 messages per citizen (cut to n); times start a day back and go
# up a second every 20 messages, so nothing is old enough for the retention
# sweep and no conversation idles long enough to be asked to resume.
citizens=$((n * 6 / 203 + 1))
awk -v citizens="$citizens" -v base=$(($(date +%s) - 86400)) -v seed=1 -v pace=20 \
  -f "$root/tests/bench/gateway-load.awk" \
  "$root/tests/bench/marriage-en.txt" "$root/tests/bench/marriage-hi.txt" |
  head -n "$n" >"$work/in"
[ "$(grep -c "" "$work/in")" = "$n" ] || { echo "bench-gateway: the input is short" >&2; exit 1; }
echo "== input: $n messages from $citizens citizens, $(($(wc -c <"$work/in") / 1024)) KiB"

now_ns() { date +%s%N; }
# run LABEL DB FEED: times one gateway over the whole input.
run() {
  local t0 t1 ms answered
  t0=$(now_ns)
  if [ "$3" = pipe ]; then
    # shellcheck disable=SC2002 # a pipe on purpose: batches of what has arrived
    cat "$work/in" | "$samvad" gateway --specs "$root/fsm-specs" --db "$2" >"$work/out"
  else
    "$samvad" gateway --specs "$root/fsm-specs" --db "$2" <"$work/in" >"$work/out"
  fi
  t1=$(now_ns)
  ms=$(((t1 - t0) / 1000000))
  answered=$(grep -c '"end":true}$' "$work/out" || true)
  if [ "$answered" != "$n" ] || grep -q '"error"' "$work/out"; then
    echo "$1: $answered of $n messages answered, or errors:" >&2
    grep -m3 '"error"' "$work/out" >&2 || true
    exit 1
  fi
  awk -v label="$1" -v n="$n" -v ms="$ms" \
    'BEGIN { printf "%-34s %8d ms %10.0f messages/s\n", label, ms, n * 1000 / (ms ? ms : 1) }'
}

run "durable (file db, stdin a file)" "$work/a.db" file
echo "   database: $(($(stat -c %s "$work/a.db") / 1024)) KiB, $("$samvad" applications --db "$work/a.db" --json | grep -c '') applications"
run "durable (file db, stdin a pipe)" "$work/b.db" pipe
run "in memory (--db :memory:)" ":memory:" file
