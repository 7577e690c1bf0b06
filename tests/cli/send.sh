#!/usr/bin/env bash
# send.sh - the sending side of `samvad serve` against tests/fake_graph (a
# fake Graph API and Bot API that records every request): a step's
# replies joined into as few messages as fit ("Hi": the greeting and the
# menu in one list message), a 429 retried after Retry-After with the
# same request, each citizen's replies in order while several citizens
# are served at once, many requests in flight when the platform is slow,
# replies left in the outbox by a stopped or killed server delivered
# after the restart, a permanent refusal recorded,
# counted and logged (phone number masked), a certificate uploaded as a
# PNG and sent as an image, never joined to the text before it (each
# notice a template of its own outside the 24-hour window), Telegram with
# its token only in the URL it is sent to, its keyboard below the joined
# text. No token ever reaches the log or the database.
# Args: $1 = samvad binary, $2 = source dir. The fake is $FAKE_GRAPH, else
# tests/fake_graph beside the binary.
set -euo pipefail
samvad=$1
src=$2
specs=$src/fsm-specs
fake=${FAKE_GRAPH:-$(dirname "$samvad")/tests/fake_graph}
[ -x "$fake" ] || { echo "FAIL: no fake_graph at $fake"; exit 1; }
sign=${WEBHOOK_SIGN:-$(dirname "$samvad")/tests/webhook_sign}
[ -x "$sign" ] || { echo "FAIL: no webhook_sign at $sign"; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "$tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

TOKEN=EAAG-secret-token-42
TG_TOKEN=123456:tg-secret-token
export SAMVAD_WA_PHONE_NUMBER_ID=106540352242922 SAMVAD_WA_TOKEN=$TOKEN
export SAMVAD_WA_APP_SECRET=app-secret SAMVAD_WA_VERIFY_TOKEN=verify
export SAMVAD_SENDERS=4

# start_fake NAME ARGS...: a fake API logging to NAME.log (on port
# $fake_port when set); its URL in $graph, its pid in $fake_pid.
start_fake() {
  local name=$1; shift
  : >"$name.port"
  "$fake" --port "${fake_port:-0}" --log "$name.log" --token "$TOKEN" "$@" >"$name.port" &
  fake_pid=$!
  pids+=("$fake_pid")
  for _ in $(seq 100); do [ -s "$name.port" ] && break; sleep 0.05; done
  graph=http://127.0.0.1:$(cat "$name.port")
}

# start_serve NAME GRAPH-URL [ARGS...]: serve on NAME.db, log in NAME.err.
start_serve() {
  local name=$1 url=$2; shift 2
  : >>"$name.err" # before serve opens it: sed reads it at once
  SAMVAD_WA_GRAPH_URL=$url SAMVAD_TG_API_URL=$url \
    "$samvad" serve --listen 127.0.0.1:0 --specs "$specs" --db "$name.db" \
    "$@" 2>>"$name.err" &
  serve_pid=$!
  pids+=("$serve_pid")
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/.*event=listening address=[0-9.]*:\([0-9]*\).*/\1/p' "$name.err" | tail -n1)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { fail "serve $name did not start"; cat "$name.err"; exit 1; }
}

stop_serve() { kill -TERM "$serve_pid"; wait "$serve_pid" || fail "serve exited $? on SIGTERM"; }

# post USER ID TEXT: a signed WhatsApp text message; prints the HTTP status.
post() {
  local body header
  body=$(printf '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"A"},"wa_id":"%s"}],"messages":[{"from":"%s","id":"%s","timestamp":"%s","type":"text","text":{"body":"%s"}}]}}]}]}' \
    "$1" "$1" "$2" "$(date +%s)" "$3")
  header=$(printf '%s' "$body" | "$sign" "$SAMVAD_WA_APP_SECRET" -)
  curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-Hub-Signature-256: $header" \
    -H 'Content-Type: application/json' --data-binary "$body" "http://127.0.0.1:$port/webhook"
}
say() { [ "$(post "$@")" = 200 ] || fail "the webhook refused message $2"; }

sql() { sqlite3 -cmd '.timeout 5000' "$1" "$2"; }
# wait_for SECONDS CONDITION...: polls until the command succeeds.
wait_for() {
  local t=$1; shift
  for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}
outbox_settled() { # DB: every event stepped, nothing pending, something sent or failed
  [ "$(sql "$1" "select count(*) from inbox where processed_at is null")" = 0 ] &&
    [ "$(sql "$1" "select count(*) from outbox where state = 'pending'")" = 0 ] &&
    [ "$(sql "$1" "select count(*) from outbox")" -gt 0 ]
}
# resent_after_restart NAME FAKE WHEN: the three replies left pending in
# NAME.db (Hi's list, the service's text, its buttons) go, in that order,
# once serve runs over it again with a new fake FAKE on the same port.
resent_after_restart() {
  [ "$(sql "$1.db" "select count(*) from outbox where state = 'pending'")" = 3 ] ||
    fail "$3: the unsent replies are not pending in the outbox"
  fake_port=${graph##*:} start_fake "$2"
  start_serve "$1" "$graph"
  wait_for 15 outbox_settled "$1.db" || fail "$3: the pending replies were not sent"
  [ "$(jq -r '.body|fromjson|.type' "$2.log" | tr '\n' ' ')" = "interactive text interactive " ] ||
    fail "$3: $(jq -c . "$2.log")"
  stop_serve
}
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
metric_is() { [ "$(metric "$1")" = "$2" ]; }
# The n-th line of a fake's log, as jq sees it.
req() { sed -n "${2}p" "$1.log" | jq -r "$3"; }

# ---- 429: retried after Retry-After, with the same request, then in order -------
# "Hi" is one message: the greeting joined to the menu's list. Choosing a
# service ("1") is two: its description is too long to join the Act's
# buttons (at most 1024 characters above them).
start_fake g429 --fail-first 2 --fail-status 429 --retry-after 1
start_serve s429 "$graph"
say 919810000001 wamid.a1 Hi
say 919810000001 wamid.a2 1
wait_for 15 outbox_settled s429.db || fail "the replies were not sent after two 429s"
[ "$(wc -l <g429.log)" = 5 ] || fail "expected 2 refused + 3 accepted requests, got $(wc -l <g429.log)"
[ "$(jq -r .status g429.log | tr '\n' ' ')" = "429 429 200 200 200 " ] ||
  fail "statuses were $(jq -r .status g429.log | tr '\n' ' ')"
b1=$(req g429 1 .body) b2=$(req g429 2 .body) b3=$(req g429 3 .body)
[ "$b1" = "$b2" ] && [ "$b2" = "$b3" ] || fail "the retried request is not the refused one"
[ "$(req g429 3 '.body|fromjson|.interactive.type')" = list ] || fail "Hi's answer is not one list message"
req g429 3 '.body|fromjson|.interactive.body.text' >hi.txt
grep -q '^Namaste! Welcome to ' hi.txt && grep -q '^Our services: which one do you need?' hi.txt &&
  [ "$(sed -n '/^Namaste/{n;p;}' hi.txt)" = "" ] ||
  fail "the greeting and the menu are not joined, a blank line between: $(cat hi.txt)"
[ "$(req g429 4 '.body|fromjson|.text.body' | head -n1)" = '*Marriage registration*' ] ||
  fail "the service's description did not come after the retried list"
[ "$(req g429 5 '.body|fromjson|.interactive.type')" = button ] || fail "the Act's buttons did not come last"
gap=$(( $(req g429 2 .t_ms) - $(req g429 1 .t_ms) ))
[ "$gap" -ge 950 ] || fail "retried after ${gap} ms despite Retry-After: 1"
[ "$(jq -r .auth_ok g429.log | sort -u)" = true ] || fail "a request lacked the bearer token"
[ "$(metric samvad_send_retries_total)" = 2 ] || fail "send_retries is not 2"
[ "$(metric samvad_messages_out_total)" = 3 ] || fail "messages_out is not 3"
grep -q 'event=send_retry .*status=429' s429.err || fail "no send_retry log line"
stop_serve

# ---- Order per citizen, several citizens at once ----------------------------------
start_fake gorder --delay-ms 40
start_serve sorder "$graph"
users="919810000011 919810000012 919810000013"
i=0
for text in Hi 1 2 1 "Asha Devi"; do
  i=$((i + 1))
  for u in $users; do say "$u" "wamid.$u.$i" "$text"; done
done
wait_for 30 outbox_settled sorder.db || fail "the conversations' replies were not all sent"
[ "$(sql sorder.db "select count(*) from outbox where state <> 'sent'")" = 0 ] ||
  fail "some replies were not sent"
for u in $users; do
  # Rows in outbox order; the fake numbers requests as it receives them.
  got=$(sql sorder.db "select substr(sent_id, 12) from outbox where user = '$u' order by id")
  # Hi: 1 (greeting and menu joined); 1: 2 (the description, then the
  # Act's buttons); 2: 1; 1: 1; "Asha Devi", not a date: 1 (the remark
  # joined to the question asked again).
  [ "$(printf '%s\n' "$got" | wc -l)" = 6 ] || fail "$u got $(printf '%s\n' "$got" | wc -l) messages, not 6"
  [ "$got" = "$(printf '%s\n' "$got" | sort -n)" ] || fail "$u's replies arrived out of order"
done
# The citizens were served at once: their requests interleave.
first=$(jq -r .to gorder.log | head -n 6 | sort -u | wc -l)
[ "$first" -ge 2 ] || fail "one citizen at a time: no concurrency"
stop_serve

# ---- Many requests in flight: a slow platform does not serialise the replies ---------
# The fake answers after 1 s. With 8 requests in flight, 8 citizens' Hi
# replies are all answered within a moment of each other; a sender with
# fewer at once would answer them in waves a second apart.
start_fake gwide --delay-ms 1000
SAMVAD_SENDERS=8 start_serve swide "$graph"
for k in 1 2 3 4 5 6 7 8; do say "91981000003$k" "wamid.wide.$k" Hi; done
wait_for 30 outbox_settled swide.db || fail "the 8 replies were not all sent"
[ "$(wc -l <gwide.log)" = 8 ] || fail "expected 8 requests, got $(wc -l <gwide.log)"
span=$(jq -r .t_ms gwide.log | sort -n | sed -n '1p;$p' | paste -sd' ' | awk '{print $2 - $1}')
[ "$span" -lt 900 ] || fail "8 replies over a 1 s platform took ${span} ms: not sent at once"
stop_serve

# ---- Restart: what could not be sent is sent after it -----------------------------
# The outbox keeps absolute URLs: the fake comes back on the same port.
start_fake gdown
kill "$fake_pid"
wait "$fake_pid" 2>/dev/null || true
start_serve srestart "$graph" # nothing listens there now
say 919810000021 wamid.r1 Hi
say 919810000021 wamid.r2 1
wait_for 10 grep -q 'event=send_retry .*network' srestart.err || fail "no network retry logged"
stop_serve
resent_after_restart srestart grestart "after a restart"
kill "$fake_pid"
# Killed while a request is in flight: sent again after the restart.
start_fake gslow --delay-ms 3000
start_serve skill "$graph"
say 919810000022 wamid.k1 Hi
say 919810000022 wamid.k2 1
sleep 0.5
{ kill -KILL "$serve_pid"; wait "$serve_pid"; } 2>/dev/null || true
kill "$fake_pid"
wait "$fake_pid" 2>/dev/null || true
resent_after_restart skill gafter "after a kill"

# ---- A permanent refusal: recorded, counted, logged masked ------------------------
start_fake greject --reject-to 919810000029
start_serve sreject "$graph"
say 919810000029 wamid.p1 Hi
say 919810000029 wamid.p2 1
wait_for 15 outbox_settled sreject.db || fail "a refused reply stays pending"
[ "$(sql sreject.db "select count(*) from outbox where state = 'failed' and error like '%131030%'")" = 3 ] ||
  fail "the refusals are not recorded with Meta's code"
[ "$(jq -r .status greject.log | tr '\n' ' ')" = "400 400 400 " ] || fail "a refusal was retried"
[ "$(metric samvad_send_failures_total)" = 3 ] || fail "send_failures is not 3"
wait_for 3 metric_is samvad_outbox_failed 3 || fail "the failed gauge is not 3"
grep -q 'event=send_failed .*user=91XXXXXX0029 .*131030' sreject.err || fail "no send_failed log line"
stop_serve

# ---- A certificate: templates outside the window; the image when they write ---------
. "$src/tests/cli/lib/jsonl.sh"
to_jsonl 919810003210 m $(( $(date +%s) - 600 )) <"$src/tests/bench/marriage-en.txt" >marriage.jsonl
"$samvad" gateway --db cert.db --specs "$specs" <marriage.jsonl >gw 2>gw.err || fail "gateway: $(cat gw.err)"
app=$(grep -o '"application":{"id":"[^"]*' gw | cut -d'"' -f6)
"$samvad" keygen --specs "$specs" >/dev/null 2>&1 || fail "keygen failed"
"$samvad" approve "$app" --db cert.db --specs "$specs" >approve.out 2>&1 || fail "approve: $(cat approve.out)"
# The same approval again, sent without a template (below).
sqlite3 cert.db ".backup certplain.db"
mkdir -p uploads
start_fake gcert --save-dir uploads
SAMVAD_WA_TEMPLATE=samvad_notice start_serve cert "$graph" --keys keys --out pngs
wait_for 15 outbox_settled cert.db || fail "the notices were not sent"
# The approval's two notices go as the template. WhatsApp takes nothing
# else outside the window, so the certificate waits for the citizen.
[ "$(jq -r '.path|split("/")|last' gcert.log | tr '\n' ' ')" = "messages messages " ] ||
  fail "expected template, template: $(jq -c . gcert.log)"
[ "$(req gcert 1 '.body|fromjson|.template.name')" = samvad_notice ] || fail "no template outside the window"
[ "$(req gcert 2 '.body|fromjson|.template.name')" = samvad_notice ] || fail "the second notice is no template"
grep -q "approved" <(req gcert 1 '.body|fromjson|.template.components[0].parameters[0].text') ||
  fail "the template does not carry the notice"
[ "$(sql cert.db "select count(*) from outbox_held")" = 1 ] || fail "the certificate is not held"
sleep 1.2 # a turn of the senders' tick: nothing more goes by itself
[ "$(wc -l <gcert.log)" = 2 ] || fail "something went before the citizen wrote: $(jq -c . gcert.log)"
# They write: the certificate goes first (upload, image), then the reply.
say 919810003210 wamid.c1 status
wait_for 15 outbox_settled cert.db || fail "the certificate was not sent"
[ "$(jq -r '.path|split("/")|last' gcert.log | tr '\n' ' ')" = "messages messages media messages messages " ] ||
  fail "expected template, template, upload, image, reply: $(jq -c . gcert.log)"
[ "$(sql cert.db "select count(*) from outbox_held")" = 0 ] || fail "the certificate is still held"
grep -q 'event=released transport=whatsapp user=91XXXXXX3210 requests=1' cert.err ||
  fail "no log line for the release"
[ "$(req gcert 3 '.file.png')" = true ] || fail "the upload is not a PNG"
[ "$(req gcert 3 '.form.messaging_product')" = whatsapp ] || fail "the upload lacks its form fields"
[ "$(req gcert 4 '.body|fromjson|.image.id')" = "media.3" ] || fail "the image does not name the uploaded media"
number=$(req gcert 4 '.body|fromjson|.image.caption')
png=uploads/$number.png
[ -s "$png" ] && qr=$(zbarimg -q --raw "$png" 2>/dev/null) || fail "the uploaded PNG holds no QR code"
"$samvad" verify "${qr:-none}" --specs "$specs" >verify.out 2>&1 || fail "the uploaded certificate does not verify"
stop_serve
# Without a template the notice's replies go as they are, joined where
# they may: the approval's text stays a message of its own, not joined to
# the certificate's, which goes with its document (text, upload, image).
start_fake gplain
start_serve certplain "$graph" --keys keys --out pngs-plain
wait_for 15 outbox_settled certplain.db || fail "the certificate was not sent without a template"
grep -q 'event=no_template' certplain.err || fail "no log line for a notice sent without a template"
[ "$(jq -r '.path|split("/")|last' gplain.log | tr '\n' ' ')" = "messages messages media messages " ] ||
  fail "expected text, text, upload, image: $(jq -c . gplain.log)"
[ "$(req gplain 1 '.body|fromjson|.type')" = text ] || fail "the approval is not a text"
[ "$(req gplain 1 '.body|fromjson|.text.body')" = "Good news: your application $app for Marriage registration has been approved." ] ||
  fail "the approval's text was joined to another: $(req gplain 1 '.body|fromjson|.text.body')"
grep -q "^Your Certificate of Registration of Marriage is ready, number $number\." <(req gplain 2 '.body|fromjson|.text.body') ||
  fail "the certificate's text does not come before its upload: $(req gplain 2 .body)"
[ "$(req gplain 3 '.file.png')" = true ] || fail "the upload without a template is not a PNG"
[ "$(req gplain 4 '.body|fromjson|.image.caption')" = "$number" ] || fail "the image does not name the certificate"
stop_serve

# ---- Telegram: the token only in the URL it goes to ------------------------------
start_fake gtg
SAMVAD_TG_TOKEN=$TG_TOKEN SAMVAD_TG_SECRET=tg-webhook-secret start_serve stg "$graph"
update='{"update_id":700,"message":{"message_id":1,"from":{"id":1111},"chat":{"id":1111,"type":"private"},"date":'$(date +%s)',"text":"Hi"}}'
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Telegram-Bot-Api-Secret-Token: tg-webhook-secret' \
  -H 'Content-Type: application/json' --data-binary "$update" "http://127.0.0.1:$port/telegram")
[ "$code" = 200 ] || fail "the Telegram webhook answered $code"
wait_for 15 outbox_settled stg.db || fail "the Telegram replies were not sent"
[ "$(jq -r .path gtg.log | sort -u)" = "/bot$TG_TOKEN/sendMessage" ] || fail "Telegram paths: $(jq -r .path gtg.log)"
# One message: the greeting joined to the menu, the menu's keyboard below.
[ "$(wc -l <gtg.log)" = 1 ] || fail "Hi on Telegram gave $(wc -l <gtg.log) messages, not 1"
[ "$(req gtg 1 '.body|fromjson|.reply_markup.inline_keyboard|length')" -ge 2 ] || fail "no inline keyboard"
req gtg 1 '.body|fromjson|.text' >tg.txt
grep -q 'Welcome to ' tg.txt && grep -q '^Our services: which one do you need?' tg.txt ||
  fail "Telegram's greeting and menu are not one message: $(cat tg.txt)"
stop_serve

# ---- No secret in any log or database ---------------------------------------------
for f in *.err; do
  ! grep -qF -e "$TOKEN" -e "$TG_TOKEN" "$f" || fail "$f shows a token"
  ! grep -qE '9198100000[0-9]{2}|919810003210' "$f" || fail "$f shows a phone number unmasked"
done
for d in *.db; do
  ! sql "$d" .dump | grep -qF -e "$TOKEN" -e "$TG_TOKEN" || fail "$d stores a token"
done

[ "$failures" = 0 ] && echo "send: all passed" || { echo "send: $failures failed"; exit 1; }
