#!/usr/bin/env bash
# cert.sh - the key folder and certificate checks through the binary:
# keygen on a fresh folder (files, modes, no overwrite without --force,
# the root kept apart with --root), rotation (old certificates still
# verify, new ones carry the new key), withdrawal (exit 4), revocation
# (exit 7), every verdict of samvad verify on the test vectors of
# tests/cert-vectors (a key folder written from trust.json in the format
# docs/certificates.md gives), a changed character (5), a wrong key folder
# (4), expiry through --now (6), --json, and a certificate's PNG read back
# by zbarimg (Debian's zbar-tools, a decoder nobody here wrote) and by
# `samvad verify --png`. Certificates come the real way: gateway, then
# approve. Args: $1 = samvad binary, $2 = source dir.
set -euo pipefail
samvad=$1
src=$2
specs=$src/fsm-specs
vectors=$src/tests/cert-vectors
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
has() { grep -qF -- "$2" "$1" || { fail "$3"; echo "  wanted: $2"; sed 's/^/    /' "$1" | head -30; }; }
hasnt() { ! grep -qF -- "$2" "$1" || { fail "$3"; sed 's/^/    /' "$1" | head -30; }; }
# expect CODE CMD...: runs CMD; stdout in out, stderr in err.
expect() {
  local want=$1; shift
  local got=0
  "$@" >out 2>err </dev/null || got=$?
  if [ "$got" != "$want" ]; then
    fail "'${*#"$samvad "}' exited $got, expected $want"
    sed 's/^/    /' out err | head -30
  fi
}
mode() { stat -c %a "$1"; }
hex2bin() { printf '%b' "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }
# A string value of a JSON file written one key per line.
json_value() { sed -n "s/^ *\"$2\": \"\\(.*\\)\",\\{0,1\\}$/\\1/p" "$1" | head -n 1; }
json_number() { sed -n "s/^ *\"$2\": \\([0-9]*\\),\\{0,1\\}$/\\1/p" "$1" | head -n 1; }

# ---- keygen on a fresh folder -------------------------------------------------
(umask 000; "$samvad" keygen --specs "$specs" >out 2>err) || fail "keygen failed: $(cat err)"
issuer_seed=$(ls keys/issuer-*.seed 2>/dev/null | head -n 1)
for f in keys/root.seed keys/root.pub keys/trust.list keys/revocations.list "$issuer_seed"; do
  [ -s "$f" ] || fail "keygen did not write $f"
done
[ "$(mode keys)" = 700 ] || fail "the key folder has mode $(mode keys), not 700"
[ "$(mode keys/root.seed)" = 600 ] || fail "root.seed has mode $(mode keys/root.seed) under umask 000"
[ "$(mode "$issuer_seed")" = 600 ] || fail "$issuer_seed has mode $(mode "$issuer_seed")"
[ "$(mode keys/root.pub)" = 644 ] || fail "root.pub has mode $(mode keys/root.pub)"
[ "$(head -n 1 keys/root.seed)" = samvad-ed25519-seed-v1 ] || fail "root.seed is not in the documented format"
[ "$(head -n 1 keys/root.pub)" = samvad-ed25519-public-v1 ] || fail "root.pub is not in the documented format"
has out "document types 1, 2, 3" "keygen does not give the issuing key the specs' document types"
# The key id is the first 8 bytes of SHA-256 over the public key.
root_id=$(hex2bin "$(sed -n 2p keys/root.pub)" | sha256sum | cut -c1-16)
has out "root key     $root_id" "the root's key id is not derived from its public key"
expect 0 "$samvad" keys
has out "Root key $root_id" "samvad keys does not show the root"
has out "issuing " "samvad keys shows no issuing key"
has out "1,2,3" "samvad keys does not show the document types"

# Never overwritten without --force; --force starts afresh.
sum_before=$(cat keys/* | sha256sum)
expect 2 "$samvad" keygen --specs "$specs"
has err "--force" "a refused keygen does not mention --force"
[ "$(cat keys/* | sha256sum)" = "$sum_before" ] || fail "a refused keygen changed the folder"
mkdir partial && cp keys/root.pub partial/
expect 2 "$samvad" keygen --keys partial --specs "$specs"
[ ! -e partial/trust.list ] || fail "keygen wrote into a folder that had a root.pub"
cp -r keys keys.orig
expect 0 "$samvad" keygen --force --specs "$specs"
cmp -s keys/root.pub keys.orig/root.pub && fail "keygen --force kept the old root"
[ "$(ls keys/issuer-*.seed | wc -l)" = 1 ] || fail "keygen --force left the old issuing seed"
[ "$(mode keys/root.seed)" = 600 ] || fail "a replaced root.seed has mode $(mode keys/root.seed)"
rm -rf keys.orig

# SAMVAD_KEYS names the folder; a missing one is explained.
SAMVAD_KEYS=$tmp/envkeys expect 0 "$samvad" keygen --specs "$specs"
[ -s envkeys/trust.list ] || fail "\$SAMVAD_KEYS is not used by keygen"
expect 4 "$samvad" keys --keys nowhere
has err "samvad keygen" "a missing key folder does not say how to make one"

# ---- the root kept apart --------------------------------------------------------
expect 0 "$samvad" keygen --keys apart --root offline --specs "$specs"
[ -e apart/root.seed ] && fail "with --root the root seed is in the key folder"
[ "$(mode offline/root.seed)" = 600 ] || fail "the root kept apart is missing or not private"
cmp -s apart/root.pub offline/root.pub || fail "the two root.pub differ"
expect 4 "$samvad" keygen --rotate --keys apart
has err "--root" "a rotation without the root does not ask for --root"
expect 4 "$samvad" keygen --rotate --keys apart --root envkeys
has err "not the root key" "another folder's root is taken"
expect 0 "$samvad" keygen --rotate --keys apart --root offline
[ "$(ls apart/issuer-*.seed | wc -l)" = 2 ] || fail "--rotate added no seed"
expect 2 "$samvad" keygen --keys fresh --root offline --specs "$specs"
has err "offline/root.seed" "keygen would overwrite a root kept apart"

# A seed others can read is refused, and said so.
chmod 644 offline/root.seed
expect 4 "$samvad" keygen --rotate --keys apart --root offline
has err "chmod 600" "a readable root seed is not refused clearly"
chmod 600 offline/root.seed

# ---- the test vectors, through a key folder written by hand ----------------------
mkdir -m 700 vk
pk=$(grep -A3 '"root"' "$vectors/trust.json" | sed -n 's/.*"public_key": "\([0-9a-f]*\)".*/\1/p')
printf 'samvad-ed25519-public-v1\n%s\n' "$pk" >vk/root.pub
hex2bin "$(json_value "$vectors/trust.json" trust_list)" >vk/trust.list
hex2bin "$(json_value "$vectors/trust.json" revocation_list)" >vk/revocations.list
(umask 077
 printf 'samvad-ed25519-seed-v1\n%s\n' "$(printf '11%.0s' {1..32})" >vk/root.seed
 printf 'samvad-ed25519-seed-v1\n%s\n' "$(printf '22%.0s' {1..32})" >vk/issuer-1325b850c2871916.seed)
vnow=$(json_number "$vectors/trust.json" now)
cp -r vk vk.orig
count=0
for v in "$vectors"/[0-9]*.json; do
  qr=$(json_value "$v" qr_text)
  code=$(json_number "$v" exit_code)
  reason=$(json_value "$v" reason)
  expect "$code" "$samvad" verify --keys vk --now "$vnow" "$qr"
  [ "$code" = 0 ] || has out "$reason" "$(basename "$v"): the reason is not printed"
  count=$((count + 1))
done
[ "$count" -ge 27 ] || fail "only $count test vectors found"
latin=$(json_value "$vectors/01-valid-latin.json" qr_text)
licence=$(json_value "$vectors/04-valid-licence.json" qr_text)
revoked=$(json_value "$vectors/27-revoked.json" qr_text)

# Text and JSON output of a valid certificate, and of a revoked one.
expect 0 "$samvad" verify --keys vk --now "$vnow" "$latin"
has out "VALID" "verify does not say valid"
has out "Rahul Kumar Verma" "verify does not show the fields"
has out "1325b850c2871916 (SDM Kalkaji, South East)" "verify does not name the signing key"
expect 0 "$samvad" verify --json --keys vk --now "$vnow" "$latin"
has out '"verdict":"valid","exit_code":0' "--json: no verdict"
has out '"serial_hex":"0123456789abcdef"' "--json: no serial"
has out '"tag":16,' "--json: no fields"
has out '"value":"Rahul Kumar Verma"' "--json: no field values"
expect 7 "$samvad" verify --json --keys vk --now "$vnow" "$revoked"
has out '"verdict":"revoked","exit_code":7' "--json: a revoked certificate"
has out '"revocation":{' "--json: a revoked certificate has no revocation entry"
printf '%s\n' "$latin" >latin.txt
got=0; "$samvad" verify --keys vk --now "$vnow" - <latin.txt >out 2>err || got=$?
[ "$got" = 0 ] || fail "verify - (standard input) exited $got"

# Expired and not yet valid through --now; usage errors.
expect 0 "$samvad" verify --keys vk --now 2026-06-01T00:00:00+05:30 "$licence"
expect 6 "$samvad" verify --keys vk --now 2031-01-01 "$licence"
has out "expired" "an expired licence is not called expired"
expect 6 "$samvad" verify --keys vk --now 2020-01-01 "$latin"
expect 2 "$samvad" verify --keys vk --now yesterday "$latin"
expect 2 "$samvad" verify --keys vk
expect 2 "$samvad" verify --keys vk "$latin" "$latin"
expect 3 "$samvad" verify --keys vk ""
expect 3 "$samvad" verify --keys vk "SV1:$(printf 'A%.0s' {1..1300})"

# ---- revoke and withdraw on the vectors' folder ----------------------------------------
expect 0 "$samvad" revoke MR-028T5CY4TQKFF --reason "issued in error" --keys vk --now "$vnow"
has out "reason: error" "revoke does not print the stored reason"
has out "signed by the root key" "with the root seed at hand, the root does not sign"
expect 7 "$samvad" verify --keys vk --now "$vnow" "$latin"
has out "reason: error" "verify does not show the revocation's reason"
expect 7 "$samvad" verify --keys vk --now "$vnow" "$revoked"
expect 1 "$samvad" revoke mr-028t5cy4tqkff --reason again --keys vk
has err "revoked already" "a second revocation is not refused clearly"
expect 2 "$samvad" revoke MR-NOT-A-NUMBER --reason x --keys vk
expect 2 "$samvad" revoke MR-028T5CY4TQKFU --reason x --keys vk
expect 2 "$samvad" revoke MR-028T5CY4TQKF --reason x --keys vk
expect 2 "$samvad" revoke MR-028T5CY4TQKFF --keys vk
grep -q "issued in error" vk/history.log || fail "the free-text reason is not in history.log"

# Without the root seed the issuing key signs the list; withdrawing that key
# (with the root from elsewhere) has the root sign the list again, so that
# revocations stay in force.
mkdir -m 700 vroot && mv vk/root.seed vroot/
expect 0 "$samvad" revoke MR-00000000000A1 --reason "superseded by MR-1" --keys vk --now "$vnow"
has out "reason: superseded" "'superseded by' is not mapped to its reason"
has out "issuing key 1325b850c2871916" "without the root, the issuing key does not sign"
expect 4 "$samvad" keys withdraw 1325b850c2871916 --keys vk
has err "--root" "withdraw without the root does not ask for it"
expect 0 "$samvad" keys withdraw 1325B850C2871916 --reason "laptop stolen" --keys vk --root vroot --now "$vnow"
expect 4 "$samvad" verify --keys vk --now "$vnow" "$(json_value "$vectors/02-valid-latin-uncompressed.json" qr_text)"
has out "withdrawn" "a withdrawn key's certificate is not refused as withdrawn"
# (The licence verifies only if the re-signed revocation list still loads.)
expect 0 "$samvad" verify --keys vk --now "$vnow" "$licence"
hasnt out "no revocation list" "the revocation list was lost"
expect 4 "$samvad" verify --keys vk --now "$vnow" "$revoked"
expect 0 "$samvad" keys --keys vk
has out "withdrawn" "samvad keys does not show the withdrawal"
has out "3 revoked" "the revocations did not survive the withdrawal"
expect 1 "$samvad" keys withdraw 1325b850c2871916 --keys vk --root vroot
expect 1 "$samvad" keys withdraw 0000000000000000 --keys vk --root vroot
expect 2 "$samvad" keys withdraw 1325b850 --keys vk --root vroot
expect 2 "$samvad" keys frobnicate --keys vk

# A damaged list or a foreign root is no trust at all.
cp vk.orig/trust.list vk2.trust && printf '\001' | dd of=vk2.trust bs=1 seek=40 conv=notrunc 2>/dev/null
cp -r vk.orig vk2 && cp vk2.trust vk2/trust.list
expect 4 "$samvad" verify --keys vk2 --now "$vnow" "$latin"
has err "trust.list" "a damaged trust list is not named"
cp vk.orig/trust.list vk2/trust.list && head -c 100 vk.orig/revocations.list >vk2/revocations.list
expect 4 "$samvad" verify --keys vk2 --now "$vnow" "$latin"
has err "revocations.list" "a damaged revocation list is not named"

# ---- certificates the real way: gateway, approve ------------------------------------
now=$(date -u +%s)
# shellcheck source=lib/jsonl.sh
. "$src/tests/cli/lib/jsonl.sh"
{ to_jsonl 919810003210 a $((now - 900)) <"$src/tests/bench/marriage-en.txt"
  to_jsonl 919810007777 b $((now - 900)) <"$src/tests/bench/marriage-en.txt"; } >apply.jsonl
"$samvad" gateway --db app.db --specs "$specs" <apply.jsonl >gw 2>gwerr || fail "the gateway failed: $(cat gwerr)"
apps=$(sed -n 's/.*"application":{"id":"\([^"]*\)".*/\1/p' gw)
app1=$(echo "$apps" | sed -n 1p)
app2=$(echo "$apps" | sed -n 2p)
[ -n "$app1" ] && [ -n "$app2" ] || { fail "two applications were not submitted"; exit 1; }
# approve DB-ID: prints the certificate's QR text (from the notice the
# gateway delivers next) and leaves its PNG path in $png.
approve() {
  "$samvad" approve "$1" --db app.db --specs "$specs" >out 2>err || { fail "approve $1: $(cat err)"; return; }
  printf '{"from": "%s", "id": "s%s", "text": "status", "time": "%s"}\n' "$2" "$1" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" | "$samvad" gateway --db app.db --specs "$specs" >notice 2>/dev/null
  sed -n 's/.*"document":{[^}]*"qr":"\([^"]*\)".*/\1/p' notice | head -n 1
}
qr1=$(approve "$app1" 919810003210)
png1=$(sed -n 's/.*"document":{[^}]*"png":"\([^"]*\)".*/\1/p' notice | head -n 1)
number1=$(sed -n 's/.*"document":{[^}]*"number":"\([^"]*\)".*/\1/p' notice | head -n 1)
case $qr1 in SV1:*) ;; *) fail "approve issued no certificate: '$qr1'" ;; esac
key1=$(ls keys/issuer-*.seed | sed 's/.*issuer-\(.*\)\.seed/\1/')
expect 0 "$samvad" verify "$qr1" --specs "$specs"
has out "Rahul Verma" "verify does not show the husband's name"
has out "number            $number1" "verify does not show the certificate number"
has out "signed by         $key1" "the certificate is not signed by the issuing key"
expect 4 "$samvad" verify --keys vk "$qr1"
has out "$key1" "a wrong key folder does not show which key signed"
expect 6 "$samvad" verify --now 2020-01-01 "$qr1"
has out "not yet valid" "a certificate checked before its issue is not 'not yet valid'"

# One changed character: in the signature, and in the body: bad signature.
flip() { # TEXT POS: the character at POS moved one place in the Base45 alphabet
  local alphabet='0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'
  local c=${1:$2:1}
  local rest=${alphabet#*"$c"}
  local i=$(( ${#alphabet} - ${#rest} - 1 ))
  local j=$(( i == 0 ? 1 : i - 1 ))
  printf '%s%s%s' "${1:0:$2}" "${alphabet:$j:1}" "${1:$(($2 + 1))}"
}
# Triplets start every 3 characters after "SV1:"; their first character is
# the least significant digit, so moving it keeps the Base45 canonical.
len=$(( ${#qr1} - 4 ))
expect 5 "$samvad" verify "$(flip "$qr1" $((4 + (len / 3 - 8) * 3)))"
has out "signature" "a changed signature is not a bad signature"
expect 5 "$samvad" verify "$(flip "$qr1" $((4 + (len / 6) * 3)))"

# The PNG: 1-bit greyscale, public, read back by zbarimg and by verify --png.
[ -s "$png1" ] || fail "no PNG at '$png1'"
[ "$(od -An -tu1 -j24 -N2 "$png1" | tr -s ' ')" = " 1 0" ] || fail "the PNG is not 1-bit greyscale"
[ "$(mode "$png1")" = 644 ] || fail "the PNG has mode $(mode "$png1")"
if command -v zbarimg >/dev/null; then
  zbarimg --quiet --raw "$png1" >decoded 2>/dev/null || fail "zbarimg could not read $png1"
  [ "$(tr -d '\n' <decoded)" = "$qr1" ] || fail "zbarimg read another text from the PNG"
  expect 0 "$samvad" verify "$(tr -d '\n' <decoded)"
else
  echo "zbarimg not installed (Debian: zbar-tools): the independent decode is skipped"
fi
expect 0 "$samvad" verify --png "$png1" --json
has out '"verdict":"valid"' "verify --png does not verify the PNG"
hex2bin 89504e470d0a1a0a0000000d49484452000000100000001008000000003a98a0bd0000000f4944415478da63f88f061846b6000080f9ff0191eb201a0000000049454e44ae426082 >blank.png
expect 3 "$samvad" verify --png blank.png
has out "no QR code" "a PNG without a QR code is not explained"
head -c 300 "$png1" >cut.png
expect 2 "$samvad" verify --png cut.png
expect 2 "$samvad" verify --png latin.txt
expect 2 "$samvad" verify --png missing.png

# ---- rotation: new certificates carry the new key, old ones still verify ------------------
expect 0 "$samvad" keygen --rotate
key2=$(ls keys/issuer-*.seed | sed 's/.*issuer-\(.*\)\.seed/\1/' | grep -v "$key1")
[ -n "$key2" ] || fail "--rotate wrote no new seed"
qr2=$(approve "$app2" 919810007777)
expect 0 "$samvad" verify "$qr2"
has out "signed by         $key2" "after --rotate the certificate is not signed by the new key"
expect 0 "$samvad" verify "$qr1"
expect 0 "$samvad" keys
has out "$key2  issuing" "samvad keys does not show the new key as issuing"

# Withdrawing the new key refuses its certificate only; revoking the old one works.
expect 0 "$samvad" keys withdraw "$key2" --reason test
expect 4 "$samvad" verify "$qr2"
expect 0 "$samvad" verify "$qr1"
expect 0 "$samvad" revoke "$number1" --reason "Fraud: forged affidavit"
has out "reason: fraud" "the reason's word is not mapped"
expect 7 "$samvad" verify "$qr1"
expect 7 "$samvad" verify --json "$qr1"
has out '"reason":"fraud"' "--json does not give the revocation's reason"
hasnt err "Rahul" "personal data on stderr"

if [ "$failures" -ne 0 ]; then
  echo "cert.sh: $failures failure(s)"
  exit 1
fi
echo "cert.sh: all passed"
