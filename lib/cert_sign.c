/* cert_sign.c - Ed25519 keys and their ids (libsodium), and issuing: the
 * canonical payload, compressed only when that makes it smaller, signed
 * under the "SV1" domain and written as "SV1:" + Base45. */
#include "cert_internal.h"

#include <sodium.h>
#include <string.h>

int samvad_cert_key_from_seed(const uint8_t seed[SAMVAD_CERT_SEED_BYTES],
                              samvad_cert_key *out) {
  if (!seed || !out)
    return SAMVAD_EINVAL;
  if (sodium_init() < 0)
    return SAMVAD_ENOMEM;
  crypto_sign_seed_keypair(out->public_key, out->secret_key, seed);
  samvad_cert_key_id(out->public_key, out->key_id);
  return 0;
}

void samvad_cert_key_wipe(samvad_cert_key *key) {
  if (key)
    sodium_memzero(key, sizeof *key);
}

void samvad_cert_key_id(const uint8_t public_key[SAMVAD_CERT_PUBLIC_KEY_BYTES],
                        uint8_t out[SAMVAD_CERT_KEY_ID_BYTES]) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, public_key, SAMVAD_CERT_PUBLIC_KEY_BYTES);
  memcpy(out, hash, SAMVAD_CERT_KEY_ID_BYTES);
}

void samvad_cert_key_id_format(const uint8_t id[SAMVAD_CERT_KEY_ID_BYTES],
                               char out[SAMVAD_CERT_KEY_ID_HEX_BYTES]) {
  sodium_bin2hex(out, SAMVAD_CERT_KEY_ID_HEX_BYTES, id,
                 SAMVAD_CERT_KEY_ID_BYTES);
}

int samvad_cert_key_id_parse(const char *s,
                             uint8_t out[SAMVAD_CERT_KEY_ID_BYTES]) {
  size_t got = 0;
  const char *end = NULL;
  if (!s || !out || strlen(s) != 2 * SAMVAD_CERT_KEY_ID_BYTES)
    return SAMVAD_EINVAL;
  uint8_t tmp[SAMVAD_CERT_KEY_ID_BYTES];
  if (sodium_hex2bin(tmp, sizeof tmp, s, 2 * SAMVAD_CERT_KEY_ID_BYTES, NULL,
                     &got, &end) != 0 ||
      got != SAMVAD_CERT_KEY_ID_BYTES || *end != '\0')
    return SAMVAD_EINVAL;
  memcpy(out, tmp, sizeof tmp);
  return 0;
}

static int fail(const char **why, const char *reason, int rc) {
  if (why)
    *why = reason;
  return rc;
}

/* The largest body that, stored, still fits QR version 15 at level Q (426
 * alphanumeric characters: "SV1:" and the Base45 of 281 bytes). */
#define SV_CERT_STORED_BODY_FITS_V15 (281 - SAMVAD_CERT_HEADER_BYTES - \
                                      SAMVAD_CERT_SIGNATURE_BYTES)

/* DEFLATE costs a third of a signature and gains little on Latin text (a
 * marriage certificate: 421 characters stored, 385 compressed, version 15
 * either way), but a third on Devanagari, which needs it to stay within
 * version 20. So it is tried for text beyond ASCII, and for any body too
 * big to fit version 15 stored. */
static bool worth_compressing(const samvad_cert *cert, size_t body_len) {
  if (body_len > SV_CERT_STORED_BODY_FITS_V15)
    return true;
  for (size_t k = 0; k < cert->field_count; k++) {
    const samvad_cert_field *f = &cert->fields[k];
    if (SAMVAD_CERT_TAG_IS_DATE(f->tag))
      continue;
    for (size_t i = 0; i < f->len; i++)
      if ((unsigned char)f->value[i] >= 0x80)
        return true;
  }
  return false;
}

int samvad_cert_issue(const samvad_cert *cert, const samvad_cert_key *key,
                      unsigned options, char *text, size_t cap, size_t *len,
                      const char **why) {
  if (!cert || !key || !len || (!text && cap > 0))
    return fail(why, "missing argument", SAMVAD_EINVAL);
  if (options & ~(SAMVAD_CERT_NO_COMPRESS | SAMVAD_CERT_TRY_COMPRESS))
    return fail(why, "unknown option", SAMVAD_EINVAL);
  if (cert->issued_at <= 0 || cert->issued_at > (int64_t)UINT32_MAX ||
      cert->expires_at < 0 || cert->expires_at > (int64_t)UINT32_MAX)
    return fail(why, "time outside 1970-2106", SAMVAD_EINVAL);
  if (sodium_init() < 0)
    return fail(why, "libsodium failed to start", SAMVAD_ENOMEM);

  sv_cert_header h = {.version = SAMVAD_CERT_VERSION,
                      .doc_type = cert->doc_type,
                      .flags = 0,
                      .issued_at = (uint32_t)cert->issued_at,
                      .expires_at = (uint32_t)cert->expires_at,
                      .serial = cert->serial};
  memcpy(h.key_id, key->key_id, SAMVAD_CERT_KEY_ID_BYTES);
  h.body_len = 1; /* the real length is checked below */
  const char *bad = sv_cert_header_check(&h);
  if (bad)
    return fail(why, bad, SAMVAD_EINVAL);

  unsigned char body[SAMVAD_CERT_MAX_BODY_BYTES];
  size_t body_len = 0;
  int rc = sv_cert_body_encode(cert, body, &body_len, why ? why : &bad);
  if (rc != 0)
    return rc;

  /* The signed message: domain, header, body; the blob is that without
   * the domain, followed by the signature. */
  unsigned char msg[SV_CERT_DOMAIN_LEN + SAMVAD_CERT_MAX_BLOB_BYTES];
  unsigned char *blob = msg + SV_CERT_DOMAIN_LEN;
  const size_t room = SAMVAD_CERT_MAX_BLOB_BYTES - SAMVAD_CERT_HEADER_BYTES -
                      SAMVAD_CERT_SIGNATURE_BYTES;
  unsigned char *payload = blob + SAMVAD_CERT_HEADER_BYTES;
  size_t payload_len = body_len;
  if (!(options & SAMVAD_CERT_NO_COMPRESS) && body_len > 1 &&
      ((options & SAMVAD_CERT_TRY_COMPRESS) ||
       worth_compressing(cert, body_len))) {
    /* Only a strictly smaller stream is kept, so the flag always means the
     * body gained from it (verifiers check that too). */
    size_t limit = body_len - 1 < room ? body_len - 1 : room;
    long z = sv_deflate(body, body_len, payload, limit);
    if (z < 0)
      return fail(why, "zlib could not allocate", SAMVAD_ENOMEM);
    if (z > 0) {
      h.flags |= SV_CERT_FLAG_DEFLATE;
      payload_len = (size_t)z;
    }
  }
  if (payload_len > room)
    return fail(why, "certificate larger than 800 bytes", SAMVAD_ELIMIT);
  if (!(h.flags & SV_CERT_FLAG_DEFLATE))
    memcpy(payload, body, body_len);

  memcpy(msg, SV_CERT_DOMAIN, SV_CERT_DOMAIN_LEN);
  h.body_len = (uint16_t)payload_len;
  sv_cert_header_write(&h, blob);
  size_t signed_len = SAMVAD_CERT_HEADER_BYTES + payload_len;
  crypto_sign_detached(blob + signed_len, NULL, msg,
                       SV_CERT_DOMAIN_LEN + signed_len, key->secret_key);
  size_t blob_len = signed_len + SAMVAD_CERT_SIGNATURE_BYTES;

  size_t need = SAMVAD_CERT_PREFIX_LEN + sv_base45_len(blob_len);
  *len = need;
  if (cap < need + 1)
    return fail(why, "text buffer too small", SAMVAD_ENOSPC);
  memcpy(text, SAMVAD_CERT_PREFIX, SAMVAD_CERT_PREFIX_LEN);
  sv_base45_encode(blob, blob_len, text + SAMVAD_CERT_PREFIX_LEN);
  text[need] = '\0';
  return 0;
}
