#!/usr/bin/env bash
# serve.sh - `samvad serve` over HTTP, with curl, against the fake Graph API
# (tests/fake_graph.c, which records every request samvad sends). Webhook
# bodies are real-format WhatsApp payloads signed with the app secret
# (tests/tools/webhook_sign.c). Checks: settings (options, environment,
# config file, mistakes), the handshake, a missing or bad signature
# (401, nothing processed), malformed JSON (400), an oversized body (413,
# by its Content-Length and chunked), a batch with several messages and
# statuses (every one handled), a body with \u escapes and \/ (the
# signature is over the raw bytes), a duplicate delivery answered once, a
# step's replies joined into one message where they fit (a greeting and
# the menu: one list message), a full marriage application ending with its
# reference number, a department's decision reaching the citizen,
# Telegram's inline keyboard, /healthz, /metrics, that no secret reaches
# the log, SIGTERM: the events held are processed and their replies
# sent after a restart, and the write-ahead log kept short.
# Args: $1 = samvad binary, $2 = source dir. FAKE_GRAPH and WEBHOOK_SIGN
# name the helper programs when they are not in the build's tests/.
set -euo pipefail
samvad=$1
src=$2
specs=$src/fsm-specs
tools=$(cd "$(dirname "$samvad")" && pwd)/tests
fake=${FAKE_GRAPH:-$tools/fake_graph}
sign=${WEBHOOK_SIGN:-$tools/webhook_sign}
for p in "$fake" "$sign"; do
  [ -x "$p" ] || { echo "FAIL: $p is missing (build the tests)"; exit 1; }
done
tmp=$(mktemp -d)
serve_pid= fake_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill -9 "$serve_pid" 2>/dev/null
  [ -n "$fake_pid" ] && kill -9 "$fake_pid" 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "$tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

secret=app-secret-7f3c9a
token=access-token-51be2d
verify=verify-token-c0ffee
export SAMVAD_WA_APP_SECRET=$secret SAMVAD_WA_TOKEN=$token
export SAMVAD_WA_PHONE_NUMBER_ID=106540352242922 SAMVAD_WA_VERIFY_TOKEN=$verify
export SAMVAD_LISTEN=127.0.0.1:0
unset SAMVAD_TG_TOKEN SAMVAD_TG_SECRET SAMVAD_DB SAMVAD_MAX_BODY_BYTES SAMVAD_WAL_PAGES

# ---- helpers ------------------------------------------------------------------
start_fake() {
  : >"$tmp/graph.log"
  "$fake" --port 0 --log "$tmp/graph.log" --token "$token" "$@" >"$tmp/fake.port" &
  fake_pid=$!
  for _ in $(seq 100); do [ -s "$tmp/fake.port" ] && break; sleep 0.05; done
  export SAMVAD_WA_GRAPH_URL=http://127.0.0.1:$(cat "$tmp/fake.port")
}
stop_fake() { kill -TERM "$fake_pid"; wait "$fake_pid" || true; fake_pid=; }
# start_serve [OPTIONS...]: starts serve on $tmp/s.db, sets $port.
start_serve() {
  : >"$tmp/serve.log"
  "$samvad" serve --specs "$specs" --db "$tmp/s.db" --keys "$tmp/keys" \
    --out "$tmp/certs" "$@" 2>>"$tmp/serve.log" &
  serve_pid=$!
  for _ in $(seq 100); do
    grep -q 'event=listening' "$tmp/serve.log" && break
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.05
  done
  port=$(sed -n 's/.*event=listening address=[^ ]*:\([0-9]*\) .*/\1/p' "$tmp/serve.log")
  [ -n "$port" ] || { fail "serve did not start"; cat "$tmp/serve.log"; exit 1; }
}
# stop_serve: SIGTERM; serve must exit 0 having logged that it stopped.
stop_serve() {
  kill -TERM "$serve_pid"
  local rc=0
  wait "$serve_pid" || rc=$?
  serve_pid=
  [ "$rc" = 0 ] || fail "serve exited $rc on SIGTERM"
  grep -q 'event=stopped' "$tmp/serve.log" || fail "serve did not log that it stopped"
  cat "$tmp/serve.log" >>"$tmp/all.log"
}
url() { echo "http://127.0.0.1:$port$1"; }
# post BODY [SIGNATURE]: prints the HTTP status of a signed webhook.
post() {
  local sig=${2-$(printf %s "$1" | "$sign" "$secret" -)}
  curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-Hub-Signature-256: $sig" \
    -H 'Content-Type: application/json' --data-binary "$1" "$(url /webhook)"
}
expect_status() { # WANT GOT WHAT
  [ "$1" = "$2" ] || fail "$3: HTTP $2, wanted $1"
}
# wait_for N PATTERN: until the fake Graph API has N requests matching.
wait_for() {
  for _ in $(seq 200); do
    [ "$(grep -cF -- "$2" "$tmp/graph.log" || true)" -ge "$1" ] && return 0
    sleep 0.05
  done
  fail "waited for $1 requests with $2, got $(grep -cF -- "$2" "$tmp/graph.log" || true)"
}
sent_to() { grep -cF "\"to\":\"+$1\"" "$tmp/graph.log" || true; }
# to NUMBER: the requests sent to NUMBER, in a file (no pipes into grep -q,
# which pipefail would turn into a false failure).
to() { grep -F "\"to\":\"+$1\"" "$tmp/graph.log" >"$tmp/to" || true; echo "$tmp/to"; }
metric() { curl -s "$(url /metrics)" | sed -n "s/^$1 //p"; }
# texts TO: what each request to TO (+number on WhatsApp, the chat id on
# Telegram) says, one line each, in order: its kind, then its text with
# line breaks as \n: "list: ...", "button: ...", "text: ...", "template:
# ...", "image: ...", Telegram's "tg: ..." or "tg-keyboard: ...".
texts() {
  jq -r --arg to "$1" 'select(.to == $to) | .body | fromjson? // empty |
    if .type == "interactive" then "\(.interactive.type): \(.interactive.body.text)"
    elif .type then "\(.type): \(.text.body // "")"
    elif .text then "tg\(if .reply_markup.inline_keyboard then "-keyboard" else "" end): \(.text)"
    else empty end | gsub("\n"; "\\n")' "$tmp/graph.log" >"$tmp/texts" || true
  echo "$tmp/texts"
}
now=$(date +%s)
# text_msg FROM ID TEXT, payload PARTS...: the pieces of a payload.
text_msg() {
  printf '{"from":"%s","id":"%s","timestamp":"%s","type":"text","text":{"body":"%s"}}' "$1" "$2" "$now" "$3"
}
payload() { # MESSAGES-JSON [STATUSES-JSON]
  printf '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Test"},"wa_id":"919810000001"}],"messages":[%s],"statuses":[%s]}}]}]}' "$1" "${2:-}"
}

# ---- settings -----------------------------------------------------------------
rc=0; "$samvad" serve --bogus 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] || fail "an unknown option exits $rc, not 2"
"$samvad" serve --help >"$tmp/help" && grep -q 'Usage: samvad serve' "$tmp/help" || fail "serve --help"
"$samvad" help serve >"$tmp/help" && grep -q 'SAMVAD_WA_TOKEN' "$tmp/help" || fail "help serve does not name the environment"
rc=0; env -u SAMVAD_WA_APP_SECRET "$samvad" serve --specs "$specs" --db "$tmp/x.db" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'no transport is configured' "$tmp/err" || fail "serve without secrets exits $rc"
rc=0; "$samvad" serve --db :memory: 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] || fail "serve --db :memory: exits $rc, not 2"
printf 'listen = 127.0.0.1:0\nwa_tokn = x\n' >"$tmp/bad.conf"
rc=0; "$samvad" serve --config "$tmp/bad.conf" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -qF "bad.conf:2: unknown key 'wa_tokn'" "$tmp/err" ||
  { fail "a config file's unknown key: exit $rc"; cat "$tmp/err"; }
printf 'max_body_bytes = lots\n' >"$tmp/bad.conf"
rc=0; "$samvad" serve --config "$tmp/bad.conf" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] || fail "a bad max_body_bytes exits $rc"

# The file gives settings; the environment overrides them. A small body
# limit for the 413 tests; the verify token from the file while the
# environment has none; the app secret from the environment.
start_fake
cat >"$tmp/serve.conf" <<EOF
# samvad serve settings
max_body_bytes = 8192
wa_verify_token = "from-the-file"
wa_app_secret = overridden-by-the-environment
EOF
chmod 644 "$tmp/serve.conf"
unset SAMVAD_WA_VERIFY_TOKEN
start_serve --config "$tmp/serve.conf"
grep -q 'event=config_warning' "$tmp/serve.log" || fail "no warning about a readable file of secrets"
grep -q 'max_body_bytes=8192' "$tmp/serve.log" || fail "max_body_bytes from the file was not used"

# ---- the handshake --------------------------------------------------------------
hs() { curl -s -o "$tmp/hs" -w '%{http_code}' "$(url "/webhook?$1")"; }
expect_status 200 "$(hs "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=from-the-file")" "the handshake"
[ "$(cat "$tmp/hs")" = 1158201444 ] || fail "the handshake's body is not the challenge: $(cat "$tmp/hs")"
expect_status 403 "$(hs "hub.mode=subscribe&hub.challenge=1&hub.verify_token=$verify")" "a wrong verify token"
expect_status 403 "$(hs "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=from-the-file")" "a wrong hub.mode"
expect_status 403 "$(hs "hub.challenge=1")" "a handshake without a token"
stop_serve
export SAMVAD_WA_VERIFY_TOKEN=$verify
# With a template for notices outside the 24-hour window: G's decision,
# below, comes while G is inside it, and goes as a plain message.
export SAMVAD_WA_TEMPLATE=samvad_notice
start_serve --config "$tmp/serve.conf"
expect_status 200 "$(hs "hub.mode=subscribe&hub.challenge=42&hub.verify_token=$verify")" "the environment's verify token"
expect_status 403 "$(hs "hub.mode=subscribe&hub.challenge=42&hub.verify_token=from-the-file")" "the file's token when the environment has one"

# ---- refusals: nothing of them is processed ---------------------------------------
body=$(payload "$(text_msg 919810000001 wamid.refused1 Hi)")
expect_status 401 "$(post "$body" "sha256=$(printf '0%.0s' $(seq 64))")" "a bad signature"
expect_status 401 "$(post "$body" "")" "a missing signature"
expect_status 401 "$(post "$body" "$(printf %s "$body" | "$sign" overridden-by-the-environment -)")" "a signature with the file's secret"
expect_status 401 "$(post "$body " "$(printf %s "$body" | "$sign" "$secret" -)")" "a signature of other bytes"
grep -q 'event=webhook_refused transport=whatsapp status=401 reason=signature' "$tmp/serve.log" ||
  fail "no log line for a refused signature"
expect_status 400 "$(post '{"object":"whatsapp_business_account","entry":[')" "truncated JSON"
expect_status 400 "$(post 'hello')" "not JSON"
expect_status 400 "$(post '{"object":"whatsapp_business_account"}')" "no entry list"
expect_status 400 "$(post "$(printf '[%.0s' $(seq 100))$(printf ']%.0s' $(seq 100))")" "JSON nested 100 deep"
head -c 9000 /dev/zero | tr '\0' ' ' >"$tmp/big"
printf '{"entry":[]}' >>"$tmp/big"
big_sig=$("$sign" "$secret" "$tmp/big")
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-Hub-Signature-256: $big_sig" \
  --data-binary @"$tmp/big" "$(url /webhook)")
expect_status 413 "$code" "a body over max_body_bytes (Content-Length)"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-Hub-Signature-256: $big_sig" \
  -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big" "$(url /webhook)")
expect_status 413 "$code" "a chunked body over max_body_bytes"
[ "$(metric samvad_signature_failures_total)" = 4 ] || fail "signature failures: $(metric samvad_signature_failures_total)"
[ "$(metric samvad_bad_requests_total)" = 6 ] || fail "bad requests: $(metric samvad_bad_requests_total)"
[ "$(metric samvad_messages_in_total)" = 0 ] || fail "a refused webhook's message was accepted"
sleep 0.3
[ ! -s "$tmp/graph.log" ] || { fail "a refused webhook was answered"; head -3 "$tmp/graph.log"; }

# ---- other routes --------------------------------------------------------------------
[ "$(curl -s "$(url /healthz)")" = ok ] || fail "/healthz"
expect_status 404 "$(curl -s -o /dev/null -w '%{http_code}' "$(url /nothing)")" "an unknown path"
expect_status 405 "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$(url /webhook)")" "PUT on the webhook"
curl -s "$(url /metrics)" >"$tmp/metrics"
for m in samvad_messages_in_total samvad_signature_failures_total samvad_messages_out_total \
  samvad_send_retries_total samvad_outbox_pending 'samvad_webhook_answer_seconds_bucket{le="+Inf"}' \
  samvad_webhook_answer_seconds_count '# TYPE samvad_webhook_answer_seconds histogram'; do
  grep -qF "$m" "$tmp/metrics" || fail "/metrics has no $m"
done
stop_serve

# ---- a batch: every entry, change, message and status --------------------------------
start_serve
A=919810000001 B=919810000002 C=919810000003 D=919810000004 E=919810000005
m_a1=$(text_msg $A wamid.A1 Hi)
m_b1=$(printf '{"from":"%s","id":"wamid.B1","timestamp":"%s","type":"audio","audio":{"id":"aud1","mime_type":"audio/ogg"}}' $B "$now")
m_a2=$(printf '{"context":{"from":"15550783881","id":"wamid.out"},"from":"%s","id":"wamid.A2","timestamp":"%s","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"marriage-registration","title":"Marriage registration"}}}' $A "$now")
m_c1=$(printf '{"from":"%s","id":"wamid.C1","timestamp":"%s","type":"image","image":{"id":"media.1","mime_type":"image/jpeg","sha256":"x"}}' $C "$now")
m_d1=$(printf '{"from":"%s","id":"wamid.D1","timestamp":"%s","type":"reaction","reaction":{"message_id":"wamid.out","emoji":"x"}}' $D "$now")
s_1=$(printf '{"id":"wamid.sent1","status":"delivered","timestamp":"%s","recipient_id":"%s"}' "$now" $A)
s_2=$(printf '{"id":"wamid.sent2","status":"failed","timestamp":"%s","recipient_id":"%s","errors":[{"code":131047,"title":"Re-engagement message","error_data":{"details":"More than 24 hours have passed"}}]}' "$now" $C)
batch=$(printf '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[%s,%s,%s],"statuses":[%s]}},{"field":"messages","value":{"contacts":[{"wa_id":"%s"}],"messages":[%s],"statuses":[%s]}}]},{"id":"2","changes":[{"field":"account_update","value":{}},{"field":"messages","value":{"messages":[%s]}}]}]}' \
  "$m_a1" "$m_b1" "$m_a2" "$s_1" $C "$m_c1" "$s_2" "$m_d1")
expect_status 200 "$(post "$batch")" "a batch"
grep -q 'event=webhook transport=whatsapp status=200 messages=3 statuses=2 unsupported=1' "$tmp/serve.log" ||
  { fail "the batch's log line"; grep webhook "$tmp/serve.log"; }
# A: "Hi" is one list message (greeting and menu joined); choosing the
# service gives two, its description being too long to join the Act's
# buttons (1024 characters at most above them). C: one.
wait_for 3 "\"to\":\"+$A\""
wait_for 1 "\"to\":\"+$B\""
wait_for 1 "\"to\":\"+$C\""
grep -q -- 'Under which Act' "$(to $A)" || fail "A's list reply did not choose the service"
[ "$(cut -d: -f1 "$(texts +$A)" | tr '\n' ' ')" = "list text button " ] ||
  { fail "A's messages are not list, text, buttons"; cat "$tmp/texts"; }
grep -q -- 'Sorry, we cannot read this kind of message' "$(to $B)" || fail "no polite answer to a voice note"
grep -q -- 'माफ़ कीजिए' "$(to $B)" || fail "the polite answer is not bilingual"
grep -q -- "a photo or document can't be used here" "$(to $C)" || fail "no answer to an unexpected photo"
grep -q 'event=delivery_failed transport=whatsapp user=91XXXXXX0003 error="131047 Re-engagement message: More than 24 hours' "$tmp/serve.log" ||
  fail "a failed delivery was not logged"
[ "$(metric samvad_statuses_in_total)" = 2 ] || fail "statuses in: $(metric samvad_statuses_in_total)"
[ "$(metric samvad_messages_in_total)" = 4 ] || fail "messages in: $(metric samvad_messages_in_total)"

# The same batch again (Meta retries) is acknowledged and changes nothing;
# so are five copies of a new message posted at once.
expect_status 200 "$(post "$batch")" "a redelivered batch"
body=$(payload "$(text_msg $E wamid.E1 'Hello')")
posts=
for i in 1 2 3 4 5; do
  post "$body" >"$tmp/dup$i" &
  posts="$posts $!"
done
wait $posts
for i in 1 2 3 4 5; do expect_status 200 "$(cat "$tmp/dup$i")" "concurrent copy $i"; done
wait_for 1 "\"to\":\"+$E\""
sleep 1
[ "$(sent_to $A)" = 3 ] || fail "a redelivery was answered again: $(sent_to $A) requests to A"
[ "$(sent_to $B)" = 1 ] || fail "a redelivered voice note was answered again"
[ "$(sent_to $C)" = 1 ] || fail "a redelivered photo was answered again"
[ "$(sent_to $D)" = 0 ] || fail "a reaction was answered"
[ "$(sent_to $E)" = 1 ] || fail "five copies of one message got $(sent_to $E) replies, not 1"
# E's greeting and the menu went as one message: the list, its body the
# greeting, a blank line, then the menu's question.
grep -qx 'list: Namaste! Welcome to .* in the chat\.\\n\\nOur services: which one do you need?.*' "$(texts +$E)" ||
  { fail "the greeting and the menu were not joined into one list"; cat "$tmp/texts"; }
[ "$(metric samvad_duplicates_in_total)" = 10 ] || fail "duplicates: $(metric samvad_duplicates_in_total)"

# Meta escapes non-ASCII and '/' on the wire: the signature is over those
# bytes, and the text is what they mean.
F=919810000006
esc=$(payload "$(text_msg $F wamid.F1 '\u0928\u092e\u0938\u094d\u0924\u0947 \/')")
expect_status 200 "$(post "$esc")" "a body with \\u escapes"
wait_for 1 "\"to\":\"+$F\""
grep -q -- 'हमारी सेवाएँ' "$(to $F)" || fail "नमस्ते in \\u escapes did not get a Hindi answer"

# ---- a whole marriage application over the webhook, then the decision --------------
G=919810000042 i=0
while IFS= read -r line; do
  case $line in '#'*) continue ;; esac
  i=$((i + 1))
  code=$(post "$(payload "$(text_msg $G "wamid.G$i" "$line")")")
  [ "$code" = 200 ] || fail "marriage message $i: HTTP $code"
done <"$src/tests/bench/marriage-en.txt"
wait_for 1 'MR-2026-'
ref=$(sed -n 's/.*Your reference number is \(MR-2026-[A-Z0-9]\{8\}\).*/\1/p' "$(to $G)" | sed -n 1p)
[ -n "$ref" ] || { fail "no reference number reached $G"; tail -n 3 "$(to $G)"; }
"$samvad" applications --db "$tmp/s.db" --json >"$tmp/apps"
grep -q "\"id\":\"$ref\"" "$tmp/apps" || fail "application $ref is not in the database"
# The replies to G were sent in the order of the conversation.
[ "$(awk '/Namaste/ && !w { w = NR } /reference number/ && !r { r = NR }
  END { print (w && r && w < r) }' "$(to $G)")" = 1 ] || fail "G's replies are out of order"
"$samvad" reject "$ref" --reason "The witnesses' addresses are missing" --db "$tmp/s.db" --specs "$specs" >/dev/null ||
  fail "samvad reject failed"
wait_for 1 "was not approved."
grep -q -- "Your application $ref for Marriage registration was not approved" "$(to $G)" ||
  fail "the decision did not reach the citizen"
grep -q 'event=notice transport=whatsapp user=91XXXXXX0042' "$tmp/serve.log" || fail "no log line for the notice"
grep -q '^text: Your application .* was not approved' "$(texts +$G)" && ! grep -q '^template:' "$tmp/texts" ||
  fail "a notice inside the 24-hour window did not go as a plain message"
# Every request the fake took is counted once its outcome is recorded
# (41 with this file: G's application alone is 34 messages).
out_counted() { [ "$(metric samvad_messages_out_total)" = "$(grep -c '"status":200' "$tmp/graph.log")" ]; }
for _ in $(seq 40); do out_counted && break; sleep 0.05; done
out_counted && [ "$(metric samvad_messages_out_total)" -ge 40 ] ||
  fail "messages out: $(metric samvad_messages_out_total), requests: $(wc -l <"$tmp/graph.log")"
[ "$(sent_to $G)" -ge 30 ] || fail "G's application got only $(sent_to $G) messages"
[ "$(curl -s "$(url /healthz)")" = ok ] || fail "/healthz after the work"
stop_serve

# ---- Telegram beside WhatsApp: its own path, secret and sessions ---------------------
export SAMVAD_TG_TOKEN=$token SAMVAD_TG_SECRET=tg-secret-9d1e SAMVAD_TG_API_URL=$SAMVAD_WA_GRAPH_URL
start_serve
grep -q 'transports=whatsapp,telegram' "$tmp/serve.log" || fail "Telegram is not served"
tg() { # BODY [SECRET]
  curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-Telegram-Bot-Api-Secret-Token: ${2-tg-secret-9d1e}" \
    -H 'Content-Type: application/json' --data-binary "$1" "$(url /telegram)"
}
upd() { # UPDATE-ID CHAT TEXT
  printf '{"update_id":%s,"message":{"message_id":%s,"from":{"id":%s,"is_bot":false,"first_name":"A"},"chat":{"id":%s,"type":"private"},"date":%s,"text":"%s"}}' "$1" "$1" "$2" "$2" "$now" "$3"
}
expect_status 401 "$(tg "$(upd 500 $A Hi)" wrong-secret)" "a Telegram update with a wrong secret"
expect_status 200 "$(tg "$(upd 501 $A Hi)")" "a Telegram update"
expect_status 200 "$(tg "$(upd 501 $A Hi)")" "a redelivered Telegram update"
# One message: the greeting joined to the menu, its keyboard below.
wait_for 1 "/sendMessage"
sleep 0.5
[ "$(grep -c '/sendMessage' "$tmp/graph.log")" = 1 ] || fail "a redelivered Telegram update was answered again"
# The same number on Telegram is another conversation: a fresh greeting,
# not A's WhatsApp application.
grep -m1 '/sendMessage' "$tmp/graph.log" >"$tmp/first" || true
grep -q 'Welcome' "$tmp/first" || fail "Telegram shares WhatsApp's session"
cb=$(printf '{"update_id":502,"callback_query":{"id":"cbq-77","from":{"id":%s,"is_bot":false,"first_name":"A"},"message":{"message_id":9,"chat":{"id":%s,"type":"private"},"date":%s,"text":"menu"},"chat_instance":"-1","data":"marriage-registration"}}' $A $A "$now")
expect_status 200 "$(tg "$cb")" "a tapped Telegram button"
wait_for 1 "answerCallbackQuery"
# Telegram allows 4096 characters above a keyboard: the service's
# description and the Act's question are one message.
wait_for 2 "/sendMessage"
first=$(grep -m1 'answerCallbackQuery\|/sendMessage.*Register your marriage' "$tmp/graph.log" || true)
case $first in *answerCallbackQuery*) ;; *) fail "the callback was not answered before the replies" ;; esac
sleep 0.3
texts $A >/dev/null
[ "$(cut -d: -f1 "$tmp/texts" | tr '\n' ' ')" = "tg-keyboard tg-keyboard " ] ||
  { fail "Telegram's messages are not two, each with its keyboard"; cat "$tmp/texts"; }
grep -qx 'tg-keyboard: Namaste! Welcome to .*\\n\\nOur services: which one do you need?.*' "$tmp/texts" ||
  fail "Telegram's greeting and menu were not joined"
grep -qx 'tg-keyboard: \*Marriage registration\*\\nRegister your marriage.*\\n\\nUnder which Act.*' "$tmp/texts" ||
  fail "Telegram's description and question were not joined"
stop_serve
unset SAMVAD_TG_TOKEN SAMVAD_TG_SECRET SAMVAD_TG_API_URL

# ---- SIGTERM: what was accepted is processed; unsent replies survive -------------------
# The Graph API is down: replies stay in the outbox across a restart.
fake_port=$(cat "$tmp/fake.port")
stop_fake
start_serve
H=919810000077
for i in 1 2 3; do
  body=$(payload "$(text_msg $H "wamid.H$i" "$([ $i = 1 ] && echo Hi || echo 1)")")
  expect_status 200 "$(post "$body")" "message $i while the API is down"
done
stop_serve
[ "$(grep -c "event=message transport=whatsapp user=91XXXXXX0077" "$tmp/serve.log")" = 3 ] ||
  fail "SIGTERM left accepted messages unprocessed"
: >"$tmp/graph.log"
"$fake" --port "$fake_port" --log "$tmp/graph.log" --token "$token" >/dev/null &
fake_pid=$!
sleep 0.3
start_serve
# Four messages: the greeting with the menu; the service's description;
# the Act's buttons; the date's question.
wait_for 4 "\"to\":\"+$H\""
sleep 0.3
[ "$(sent_to $H)" = 4 ] || fail "H got $(sent_to $H) messages after the restart, not 4"
[ "$(cut -d: -f1 "$(texts +$H)" | tr '\n' ' ')" = "list text button text " ] ||
  { fail "H's replies after the restart are not in order"; cat "$tmp/texts"; }
tail -n 1 "$(to $H)" >"$tmp/last"
grep -q 'On which date did the marriage' "$tmp/last" ||
  fail "H's replies after the restart are not in order"
stop_serve

# ---- the write-ahead log: copied back off the store thread, kept short -------------------
# wal_pages = 100: forty citizens' first messages write several times
# that. The checkpoint thread copies the log back as it grows, the store
# thread's short pass lets it start over, and the file stays near 100
# pages; every message is still answered and the database checks clean.
export SAMVAD_WAL_PAGES=100
start_serve
: >"$tmp/graph.log"
for i in $(seq 10 49); do
  expect_status 200 "$(post "$(payload "$(text_msg 9198100011$i "wamid.W$i" Hi)")")" "message $i of the checkpoint test"
done
wait_for 40 '"to":"+9198100011'
passes=$(metric samvad_checkpoints_background_total)
[ "$passes" -ge 3 ] || fail "the checkpoint thread made $passes passes"
wal=$(stat -c %s "$tmp/s.db-wal")
[ "$wal" -lt 1000000 ] || fail "the write-ahead log grew to $wal bytes with wal_pages = 100"
grep -q 'stage=checkpoint' "$tmp/serve.log" && fail "a checkpoint failed: $(grep -m1 stage=checkpoint "$tmp/serve.log")"
stop_serve
unset SAMVAD_WAL_PAGES
"$samvad" db check --specs "$specs" --db "$tmp/s.db" >"$tmp/check" 2>&1 ||
  { fail "store check after the checkpoints"; cat "$tmp/check"; }
printf 'wal_pages = 99\n' >"$tmp/bad.conf"
rc=0; "$samvad" serve --config "$tmp/bad.conf" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'wal_pages takes 100 to 1000000' "$tmp/err" || fail "wal_pages = 99 exits $rc"

for s in "$secret" "$token" "$verify" from-the-file; do
  ! grep -qF -- "$s" "$tmp/all.log" || fail "a secret is in the log: $s"
done
! grep -q '9198100000[0-9][0-9]' "$tmp/all.log" || fail "a phone number is in the log unmasked"
stop_fake
[ "$failures" = 0 ] || { echo "$failures failures"; exit 1; }
echo "serve: all passed"
