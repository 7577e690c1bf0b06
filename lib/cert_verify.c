/* cert_verify.c - the verifier: the steps of docs/certificates.md in
 * order, stopping at the first failure with a verdict (the CLI's exit
 * code) and a specific reason. The signature is checked before anything
 * past the fixed header is decoded, and inflation is capped, so bytes
 * from anyone cost at most one signature check and 4 KiB. */
#include "cert_internal.h"

#include <sodium.h>
#include <string.h>

static const char *const step_names[] = {
    "none",       "prefix",  "base45", "length",     "header",
    "key",        "signature", "key-policy", "inflate", "body",
    "time",       "revocation"};

const char *samvad_cert_step_name(samvad_cert_step step) {
  return (unsigned)step < sizeof step_names / sizeof *step_names
             ? step_names[step]
             : "unknown";
}

const char *samvad_cert_verdict_name(samvad_cert_verdict v) {
  switch (v) {
  case SAMVAD_CERT_VALID:
    return "valid";
  case SAMVAD_CERT_MALFORMED:
    return "malformed";
  case SAMVAD_CERT_UNTRUSTED:
    return "untrusted";
  case SAMVAD_CERT_BAD_SIGNATURE:
    return "bad-signature";
  case SAMVAD_CERT_EXPIRED:
    return "expired";
  case SAMVAD_CERT_REVOKED:
    return "revoked";
  }
  return "unknown";
}

static int verdict(samvad_cert_result *out, samvad_cert_verdict v,
                   samvad_cert_step step, const char *reason) {
  out->verdict = v;
  out->failed_step = step;
  out->reason = reason;
  return 0;
}

/* Key policy, once the signature verified: status, document type, signing
 * period; NULL when the key may have signed this certificate. */
static const char *policy_problem(const samvad_trust_key *k,
                                  const sv_cert_header *h) {
  if (k->status != SAMVAD_KEY_ACTIVE)
    return "the signing key has been withdrawn";
  if (!memchr(k->doc_types, h->doc_type, k->doc_type_count))
    return "the signing key may not sign this document type";
  if ((int64_t)h->issued_at < k->not_before)
    return "issued before the signing key's validity";
  if (k->not_after != 0 && (int64_t)h->issued_at > k->not_after)
    return "issued after the signing key's validity";
  if (k->not_after != 0 && h->expires_at != 0 &&
      (int64_t)h->expires_at > k->not_after)
    return "expires after the signing key's validity";
  return NULL;
}

static void set_warnings(const samvad_trust *t, int64_t now,
                         samvad_cert_result *out) {
  if (t->keys.next_update != 0 && now > t->keys.next_update)
    out->warnings |= SAMVAD_CERT_WARN_KEYS_STALE;
  if (!t->have_revocations)
    out->warnings |= SAMVAD_CERT_WARN_NO_REVOCATIONS;
  else if (t->revocation_info.next_update != 0 &&
           now > t->revocation_info.next_update)
    out->warnings |= SAMVAD_CERT_WARN_REVOCATIONS_STALE;
}

int samvad_cert_verify(const samvad_trust *trust, const char *text,
                       size_t len, int64_t now, samvad_cert_result *out) {
  if (!trust || !out || (!text && len > 0))
    return SAMVAD_EINVAL;
  out->verdict = SAMVAD_CERT_MALFORMED;
  out->failed_step = SAMVAD_CERT_STEP_NONE;
  out->reason = "";
  out->warnings = 0;
  out->have_header = out->have_fields = out->compressed = 0;
  out->key_label[0] = '\0';
  memset(&out->cert, 0, sizeof out->cert);
  memset(&out->revocation, 0, sizeof out->revocation);

  /* 1-3: prefix, Base45, length. */
  if (len < SAMVAD_CERT_PREFIX_LEN ||
      memcmp(text, SAMVAD_CERT_PREFIX, SAMVAD_CERT_PREFIX_LEN) != 0)
    return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_PREFIX,
                   "does not start with SV1:");
  if (len > SAMVAD_CERT_MAX_TEXT_BYTES)
    return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_LENGTH,
                   "text longer than 1204 characters");
  unsigned char msg[SV_CERT_DOMAIN_LEN + SAMVAD_CERT_MAX_BLOB_BYTES + 2];
  unsigned char *blob = msg + SV_CERT_DOMAIN_LEN;
  long n = sv_base45_decode(text + SAMVAD_CERT_PREFIX_LEN,
                            len - SAMVAD_CERT_PREFIX_LEN, blob);
  if (n < 0)
    return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BASE45,
                   "not canonical Base45");
  size_t blob_len = (size_t)n;
  if (blob_len < SAMVAD_CERT_MIN_BLOB_BYTES)
    return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_LENGTH,
                   "too short for a header, a body and a signature");
  if (blob_len > SAMVAD_CERT_MAX_BLOB_BYTES)
    return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_LENGTH,
                   "longer than 800 bytes");

  /* 4: the header: its version first, as another version may be laid out
   * differently; then its body length against the bytes there are. */
  sv_cert_header h;
  sv_cert_header_read(blob, &h);
  if (h.version != SAMVAD_CERT_VERSION)
    return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_HEADER,
                   "unknown format version");
  size_t want = (size_t)SAMVAD_CERT_HEADER_BYTES + h.body_len +
                SAMVAD_CERT_SIGNATURE_BYTES;
  if (blob_len < want)
    return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_LENGTH,
                   "truncated: shorter than its header says");
  if (blob_len > want)
    return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_LENGTH,
                   "bytes after the signature");
  const char *bad = sv_cert_header_check(&h);
  if (bad)
    return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_HEADER, bad);
  samvad_cert *c = &out->cert;
  c->doc_type = h.doc_type;
  c->serial = h.serial;
  c->issued_at = h.issued_at;
  c->expires_at = h.expires_at;
  memcpy(c->key_id, h.key_id, SAMVAD_CERT_KEY_ID_BYTES);
  out->have_header = 1;
  out->compressed = (h.flags & SV_CERT_FLAG_DEFLATE) != 0;

  /* 5-6: the key and the signature. Ids are truncated hashes, so every
   * listed key with the id is tried. */
  if (!trust->have_keys)
    return verdict(out, SAMVAD_CERT_UNTRUSTED, SAMVAD_CERT_STEP_KEY,
                   "no trust list loaded");
  set_warnings(trust, now, out);
  size_t signed_len = blob_len - SAMVAD_CERT_SIGNATURE_BYTES;
  memcpy(msg, SV_CERT_DOMAIN, SV_CERT_DOMAIN_LEN);
  const samvad_trust_key *signer = NULL;
  bool known = false;
  for (size_t k = 0; k < trust->keys.key_count && !signer; k++) {
    const samvad_trust_key *key = &trust->keys.keys[k];
    if (memcmp(key->key_id, h.key_id, SAMVAD_CERT_KEY_ID_BYTES) != 0)
      continue;
    known = true;
    if (crypto_sign_verify_detached(blob + signed_len, msg,
                                    SV_CERT_DOMAIN_LEN + signed_len,
                                    key->public_key) == 0)
      signer = key;
  }
  if (!known)
    return verdict(out, SAMVAD_CERT_UNTRUSTED, SAMVAD_CERT_STEP_KEY,
                   "signed by a key that is not in the trust list");
  if (!signer)
    return verdict(out, SAMVAD_CERT_BAD_SIGNATURE, SAMVAD_CERT_STEP_SIGNATURE,
                   "the signature does not verify");
  memcpy(out->key_label, signer->label, sizeof out->key_label);

  /* 7: may this key sign this? */
  bad = policy_problem(signer, &h);
  if (bad)
    return verdict(out, SAMVAD_CERT_UNTRUSTED, SAMVAD_CERT_STEP_KEY_POLICY,
                   bad);

  /* 8: inflate, capped. A compressed body must have gained from it, so
   * each body has one encoding. */
  const unsigned char *payload = blob + SAMVAD_CERT_HEADER_BYTES;
  size_t payload_len = signed_len - SAMVAD_CERT_HEADER_BYTES;
  unsigned char inflated[SAMVAD_CERT_MAX_BODY_BYTES];
  const unsigned char *body = payload;
  size_t body_len = payload_len;
  if (out->compressed) {
    long z = sv_inflate(payload, payload_len, inflated, sizeof inflated);
    if (z == -2)
      return SAMVAD_ENOMEM;
    if (z < 0)
      return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_INFLATE,
                     "broken DEFLATE stream, or over 4096 bytes inflated");
    if ((size_t)z <= payload_len)
      return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_INFLATE,
                     "compressed body no smaller than the body");
    body = inflated;
    body_len = (size_t)z;
  }

  /* 9: the body. */
  bad = sv_cert_body_decode(body, body_len, sv_trust_fields(trust, h.doc_type),
                            c, out->storage, sizeof out->storage);
  if (bad) {
    c->field_count = 0;
    return verdict(out, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BODY, bad);
  }
  out->have_fields = 1;

  /* 10-11: time, then revocation. */
  if ((int64_t)h.issued_at > now)
    return verdict(out, SAMVAD_CERT_EXPIRED, SAMVAD_CERT_STEP_TIME,
                   "not yet valid: issued in the future");
  if (h.expires_at != 0 && now >= (int64_t)h.expires_at)
    return verdict(out, SAMVAD_CERT_EXPIRED, SAMVAD_CERT_STEP_TIME,
                   "expired");
  if (sv_trust_revoked(trust, h.serial, &out->revocation))
    return verdict(out, SAMVAD_CERT_REVOKED, SAMVAD_CERT_STEP_REVOCATION,
                   "revoked");
  return verdict(out, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE, "valid");
}
