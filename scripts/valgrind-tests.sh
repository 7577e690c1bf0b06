#!/bin/sh
# scripts/valgrind-tests.sh BUILD_DIR - runs every unit test and a gateway
# replay under valgrind; any leak or memory error fails the run.
set -eu
build=$(cd "${1:-build}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
vg="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible"
status=0
for t in "$build"/tests/test_*; do
  [ -x "$t" ] || continue
  if ! (cd "$build/tests" && $vg "$t" >"$t.valgrind.log" 2>&1); then
    echo "valgrind: $(basename "$t") failed:"; cat "$t.valgrind.log"; status=1
  else
    echo "valgrind: $(basename "$t") clean"
  fi
done
db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT
if [ -f "$src/tests/cli/gateway-sample.jsonl" ]; then
  # Twice into one database: the second run answers from the stored replies.
  for run in 1 2; do
    log="$build/gateway$run.valgrind.log"
    if ! $vg "$build/samvad" gateway --specs "$src/fsm-specs" --db "$db/vg.db" \
        <"$src/tests/cli/gateway-sample.jsonl" >"$log" 2>&1; then
      echo "valgrind: samvad gateway (run $run) failed:"; cat "$log"; status=1
    else
      echo "valgrind: samvad gateway (run $run) clean"
    fi
  done
fi
if ! $vg "$build/samvad" test --specs "$src/fsm-specs" "$src/fsm-specs" \
    >"$build/transcripts.valgrind.log" 2>&1; then
  echo "valgrind: samvad test failed:"; cat "$build/transcripts.valgrind.log"; status=1
else
  echo "valgrind: samvad test clean"
fi
exit $status
