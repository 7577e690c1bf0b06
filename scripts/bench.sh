#!/usr/bin/env bash
# bench.sh - runs the engine benchmark (tests/bench_engine.c) and, when Node
# and npm are installed, its baseline (the same marriage applications as an
# XState 5 machine, tests/bench/xstate/) one after the other for the same
# number of seconds, and prints them side by side: the project compares
# performance figures only with a baseline measured in the same run.
# Both run on one thread, pinned to the same CPU when taskset exists
# (BENCH_CPU=N picks the CPU, BENCH_CPU=none turns pinning off).
#
# Usage: scripts/bench.sh [SECONDS]   (default 5)
set -eu

seconds=${1:-5}
case $seconds in
  '' | *[!0-9.]* | .*) echo "usage: scripts/bench.sh [SECONDS]" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-bench
xdir=$root/tests/bench/xstate

echo "== building a Release build in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target bench_engine -j2 >/dev/null

pin=()
cpus=$(nproc 2>/dev/null || echo 1)
if [ "${BENCH_CPU:-}" != none ] && command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "${BENCH_CPU:-$((cpus - 1))}")
fi

model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
echo "== machine: ${model:-unknown CPU}, $cpus CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "== date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
[ ${#pin[@]} -gt 0 ] && echo "== pinned to CPU ${pin[2]} (${pin[*]})"

echo "== samvad: bench_engine --seconds $seconds"
c_out=$("${pin[@]}" "$build/tests/bench_engine" --seconds "$seconds")
echo "$c_out"

x_out=
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  echo "== XState: npm ci && node bench.mjs --seconds $seconds ($(node --version))"
  if (cd "$xdir" && npm ci --silent --no-audit --no-fund); then
    x_out=$(cd "$xdir" && "${pin[@]}" node bench.mjs --seconds "$seconds")
    echo "$x_out"
  else
    echo "(npm ci failed: no XState baseline in this run)"
  fi
else
  echo "== XState: skipped (node and npm are needed for the baseline)"
fi

# The figures, from the lines both programs print.
steps() { sed -n 's/.*= \([0-9]*\) steps\/s.*/\1/p' <<<"$1"; }
sizes() { sed -n 's/.* after seven answers: \([0-9]*\) bytes (Hindi), \([0-9]*\) bytes (English).*/\1 \/ \2 B/p' <<<"$1"; }
load() { sed -n 's/^load [^:]*: \([0-9.]*\) ms.*/\1 ms/p' <<<"$1"; }

echo
echo "== side by side ($seconds s each, the same run)"
printf '%-34s %18s %18s\n' "" "samvad (C)" "XState 5 (Node)"
printf '%-34s %18s %18s\n' "steps/s, one core" "$(steps "$c_out")" "$(steps "$x_out")"
printf '%-34s %18s %18s\n' "state after 7 answers (hi / en)" "$(sizes "$c_out")" "$(sizes "$x_out")"
printf '%-34s %18s %18s\n' "load specs (C) / build machine" "$(load "$c_out")" "$(load "$x_out")"
if [ -n "$x_out" ]; then
  awk -v c="$(steps "$c_out")" -v x="$(steps "$x_out")" \
    'BEGIN { if (x > 0) printf "%-34s %18.1fx\n", "samvad steps/s over XState", c / x }'
fi
echo "(samvad: serialised session bytes; XState: JSON.stringify(actor.getPersistedSnapshot()) bytes, UTF-8)"
