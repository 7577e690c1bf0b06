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
# Certificates: keys, an application approved at once in the chat (signed,
# QR drawn, PNG written), and verifying that PNG (libpng and libzbar).
cert_run() { # NAME CMD...: runs CMD under valgrind in $db
  local name=$1; shift
  if ! (cd "$db" && $vg --suppressions="$src/tests/valgrind-zbar.supp" "$@" \
        >"$build/$name.valgrind.log" 2>&1); then
    echo "valgrind: samvad $name failed:"; cat "$build/$name.valgrind.log"; status=1
  else
    echo "valgrind: samvad $name clean"
  fi
}
cert_run keygen "$build/samvad" keygen --specs "$src/fsm-specs"
grep -v '^#' "$src/tests/bench/marriage-en.txt" >"$db/chat.in"
cert_run chat "$build/samvad" chat --lang en --auto-approve --db chat.db \
  --specs "$src/fsm-specs" <"$db/chat.in"
png=$(ls "$db"/certificates/*.png 2>/dev/null | head -n 1)
if [ -n "$png" ]; then
  cert_run verify "$build/samvad" verify --png "$png" --specs "$src/fsm-specs"
else
  echo "valgrind: the chat wrote no certificate"; status=1
fi
if ! $vg "$build/samvad" test --specs "$src/fsm-specs" "$src/fsm-specs" \
    >"$build/transcripts.valgrind.log" 2>&1; then
  echo "valgrind: samvad test failed:"; cat "$build/transcripts.valgrind.log"; status=1
else
  echo "valgrind: samvad test clean"
fi
exit $status
