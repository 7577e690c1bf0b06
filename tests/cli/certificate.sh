#!/usr/bin/env bash
# certificate.sh - the whole way of a certificate, as its users take it: a
# citizen applies through the gateway (and through the chat), the
# department approves from another command, the citizen receives the
# certificate in the conversation (a "document" with the QR text and a
# PNG), and anyone verifies it: from the QR text, from the PNG decoded by
# zbarimg (Debian's zbar-tools, a decoder nobody here wrote) and with
# `samvad verify --png`. Also --auto-approve, status after approval, and
# an approval without keys refused with nothing decided.
# Args: $1 = samvad binary, $2 = source dir.
set -euo pipefail
samvad=$1
src=$2
specs=$src/fsm-specs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
has() { grep -qF -- "$2" "$1" || { fail "$3"; echo "  wanted: $2"; sed 's/^/    /' "$1" | head -40; }; }
expect() { # CODE CMD...: stdout in out, stderr in err
  local want=$1; shift
  local got=0
  "$@" >out 2>err </dev/null || got=$?
  if [ "$got" != "$want" ]; then
    fail "'${*#"$samvad "}' exited $got, expected $want"
    sed 's/^/    /' out err | head -40
  fi
}
# The value of a JSON string field in a line (the gateway writes no spaces).
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1; }

now=$(date -u +%s)
# shellcheck source=lib/jsonl.sh
. "$src/tests/cli/lib/jsonl.sh"
to_jsonl 919810003210 m $((now - 600)) <"$src/tests/bench/marriage-en.txt" >marriage.jsonl

# ---- Without keys, approval decides nothing ------------------------------------
"$samvad" gateway --db app.db --specs "$specs" <marriage.jsonl >gw1 2>gw1err ||
  fail "the gateway failed: $(cat gw1err)"
app=$(grep '"application"' gw1 | sed 's/.*"application":{"id":"\([^"]*\)".*/\1/')
[ -n "$app" ] || { fail "no application was submitted"; sed 's/^/    /' gw1 | tail -5; exit 1; }
expect 4 "$samvad" approve "$app" --db app.db --specs "$specs" --keys nokeys
has err "keygen" "an approval without keys does not say how to make them"
expect 0 "$samvad" applications --db app.db --status submitted
has out "$app" "a refused approval changed the application's status"

# ---- Keys, approval, the certificate in the conversation ------------------------
expect 0 "$samvad" keygen --specs "$specs"
[ -d keys ] || fail "keygen made no keys/ folder"
expect 0 "$samvad" approve "$app" --db app.db --specs "$specs" --actor clerk
has out "Certificate MC-" "approve does not name the certificate it issued"
printf '{"from": "919810003210", "id": "s1", "text": "status", "time": "%s"}\n' \
  "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)" >status.jsonl
"$samvad" gateway --db app.db --specs "$specs" <status.jsonl >gw2 2>gw2err ||
  fail "the second gateway run failed: $(cat gw2err)"
grep '"document"' gw2 >doc.line || fail "no reply carries the certificate"
has doc.line '"in_reply_to":null' "the certificate is not a notice"
has doc.line '"service":"marriage-registration"' "the document does not name its service"
qr=$(field qr <doc.line)
number=$(field number <doc.line)
png=$(field png <doc.line)
case $qr in SV1:*) ;; *) fail "the document's qr is not a certificate text: $qr" ;; esac
case $number in MC-*) ;; *) fail "the certificate number is $number" ;; esac
[ "$png" = "certificates/$number.png" ] || fail "the PNG is at '$png'"
[ -s "$png" ] || fail "the PNG $png was not written"
has gw2 "approved" "status does not show the approval"
has gw2 "$number" "the notice does not tell the certificate number"

# ---- Anyone verifies it ------------------------------------------------------------
expect 0 "$samvad" verify "$qr" --specs "$specs"
has out "Rahul Verma" "verify does not show the husband's name"
has out "Priya Sharma" "verify does not show the wife's name"
has out "2026-02-15" "verify does not show the marriage date"
has out "Hindu Marriage Act" "verify shows the act as its option id, not its title"
expect 0 "$samvad" verify --json "$qr" --specs "$specs"
has out '"verdict":"valid"' "verify --json gives no verdict"
if command -v zbarimg >/dev/null; then
  zbarimg --quiet --raw "$png" >decoded 2>/dev/null || fail "zbarimg could not read $png"
  [ "$(tr -d '\n' <decoded)" = "$qr" ] || fail "zbarimg read another text from the PNG"
  expect 0 "$samvad" verify "$(tr -d '\n' <decoded)" --specs "$specs"
else
  echo "zbarimg not installed (Debian: zbar-tools): the independent decode is skipped"
fi
expect 0 "$samvad" verify --png "$png" --specs "$specs"
has out "Rahul Verma" "verify --png does not show the certificate"
# One changed character is refused, with a reason and not exit 0.
bad=${qr%?}; last=${qr: -1}
if [ "$last" = 0 ]; then bad=${bad}1; else bad=${bad}0; fi
got=0; "$samvad" verify "$bad" --specs "$specs" >out 2>err || got=$?
[ "$got" -ge 3 ] || fail "a changed certificate exited $got"

# ---- The chat, with --auto-approve ---------------------------------------------------
grep -v '^#' "$src/tests/bench/marriage-en.txt" >chat.in
"$samvad" chat --lang en --auto-approve --db chat.db --specs "$specs" --out chatcerts \
  <chat.in >chat.out 2>chat.err || fail "the chat failed: $(cat chat.err)"
has chat.out "Certificate of Registration of Marriage" "the chat does not announce the certificate"
chatqr=$(grep -o 'SV1:[0-9A-Z $%*+./:-]*' chat.out | head -n 1)
[ -n "$chatqr" ] || fail "the chat shows no QR text"
ls chatcerts/MC-*.png >/dev/null 2>&1 || fail "the chat wrote no PNG into --out"
grep -q '▀\|▄\|█' chat.out || fail "the chat draws no QR code"
expect 0 "$samvad" verify "$chatqr" --specs "$specs"

# ---- The gateway, with --auto-approve -------------------------------------------------
sed 's/919810003210/919810007777/; s/"id": "m/"id": "a/' marriage.jsonl >auto.jsonl
"$samvad" gateway --auto-approve --db auto.db --specs "$specs" <auto.jsonl >gw3 2>gw3err ||
  fail "the gateway with --auto-approve failed: $(cat gw3err)"
grep '"document"' gw3 >auto.line || fail "--auto-approve delivered no certificate"
expect 0 "$samvad" verify "$(field qr <auto.line)" --specs "$specs"
expect 1 "$samvad" approve "$(grep '"application"' gw3 | sed 's/.*"application":{"id":"\([^"]*\)".*/\1/')" \
  --db auto.db --specs "$specs"

# Delivered again, the submission is not decided twice.
"$samvad" gateway --auto-approve --db auto.db --specs "$specs" <auto.jsonl >gw4 2>/dev/null ||
  fail "replaying into the --auto-approve gateway failed"
[ "$(grep -c '"document"' gw4 || true)" = 0 ] || fail "a replayed submission issued a second certificate"

if [ "$failures" -ne 0 ]; then
  echo "certificate.sh: $failures failure(s)"
  exit 1
fi
echo "certificate.sh: all passed"
