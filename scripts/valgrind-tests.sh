#!/bin/sh
# scripts/valgrind-tests.sh BUILD_DIR - runs every unit test, a gateway
# replay, the certificate commands and a serve run under valgrind; any leak
# or memory error fails the run.
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
# samvad serve: a signed webhook answered through the fake Graph API, then
# SIGTERM; its threads (HTTP, store, sync, senders) end and free all.
if [ -x "$build/tests/fake_graph" ] && [ -x "$build/tests/webhook_sign" ] &&
   command -v curl >/dev/null; then
  "$build/tests/fake_graph" --port 0 --log "$db/graph.log" >"$db/fake.port" &
  fake=$!
  for _ in $(seq 100); do [ -s "$db/fake.port" ] && break; sleep 0.05; done
  log="$build/serve.valgrind.log"
  SAMVAD_WA_APP_SECRET=vg-secret SAMVAD_WA_TOKEN=vg-token \
    SAMVAD_WA_PHONE_NUMBER_ID=1 SAMVAD_WA_VERIFY_TOKEN=vg \
    SAMVAD_WA_GRAPH_URL="http://127.0.0.1:$(cat "$db/fake.port")" \
    $vg "$build/samvad" serve --listen 127.0.0.1:0 --specs "$src/fsm-specs" \
    --db "$db/serve.db" 2>"$log" &
  serve=$!
  port=
  for _ in $(seq 600); do
    port=$(sed -n 's/.*event=listening address=[0-9.]*:\([0-9]*\).*/\1/p' "$log")
    [ -n "$port" ] && break
    sleep 0.1
  done
  body='{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"1"},"contacts":[{"profile":{"name":"A"},"wa_id":"919810000001"}],"messages":[{"from":"919810000001","id":"wamid.vg1","timestamp":"'$(date +%s)'","type":"text","text":{"body":"Hi"}}]}}]}]}'
  header=$(printf '%s' "$body" | "$build/tests/webhook_sign" vg-secret -)
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Hub-Signature-256: $header" \
    -H 'Content-Type: application/json' --data-binary "$body" \
    "http://127.0.0.1:${port:-1}/webhook" || true)
  for _ in $(seq 600); do [ -s "$db/graph.log" ] && break; sleep 0.1; done
  kill -TERM "$serve" 2>/dev/null || true
  rc=0
  wait "$serve" || rc=$?
  kill "$fake" 2>/dev/null || true
  wait "$fake" 2>/dev/null || true
  if [ "$code" != 200 ] || [ ! -s "$db/graph.log" ] || [ "$rc" != 0 ]; then
    echo "valgrind: samvad serve failed (webhook $code, exit $rc):"; cat "$log"; status=1
  else
    echo "valgrind: samvad serve clean"
  fi
fi
if ! $vg "$build/samvad" test --specs "$src/fsm-specs" "$src/fsm-specs" \
    >"$build/transcripts.valgrind.log" 2>&1; then
  echo "valgrind: samvad test failed:"; cat "$build/transcripts.valgrind.log"; status=1
else
  echo "valgrind: samvad test clean"
fi
exit $status
