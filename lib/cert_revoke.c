/* cert_revoke.c - the revocation list: serials of revoked certificates,
 * signed by a root key or an active issuing key, as bytes and back; and
 * the trust store's copy of it, searched by serial. Entries are kept as
 * the signed bytes (sorted), so loading is one copy and a lookup a binary
 * search. */
#include "cert_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char **why, const char *reason, int rc) {
  if (why)
    *why = reason;
  return rc;
}

static int by_serial(const void *a, const void *b) {
  uint64_t x = ((const samvad_revocation *)a)->serial;
  uint64_t y = ((const samvad_revocation *)b)->serial;
  return x < y ? -1 : x > y;
}

void samvad_revocations_sort(samvad_revocation *entries, size_t count) {
  if (entries && count > 1)
    qsort(entries, count, sizeof *entries, by_serial);
}

int samvad_revocations_sign(const samvad_revocation_info *info,
                            const samvad_revocation *entries, size_t count,
                            const samvad_cert_key *signer, unsigned char *buf,
                            size_t cap, size_t *len, const char **why) {
  if (!info || !signer || !len || (!entries && count > 0) ||
      (!buf && cap > 0))
    return fail(why, "missing argument", SAMVAD_EINVAL);
  if (count > SAMVAD_REVOCATIONS_MAX)
    return fail(why, "more than 100000 revocations", SAMVAD_ELIMIT);
  if (info->issued_at < 0 || info->issued_at > (int64_t)UINT32_MAX ||
      info->next_update < 0 || info->next_update > (int64_t)UINT32_MAX ||
      (info->next_update != 0 && info->next_update < info->issued_at))
    return fail(why, "list times out of range", SAMVAD_EINVAL);
  for (size_t i = 0; i < count; i++) {
    const samvad_revocation *e = &entries[i];
    if (e->serial == 0 || (i > 0 && e->serial <= entries[i - 1].serial))
      return fail(why, "serials not ascending, repeated or 0", SAMVAD_EINVAL);
    if (e->reason >= SAMVAD_REVOKED_REASON_COUNT)
      return fail(why, "unknown revocation reason", SAMVAD_EINVAL);
    if (e->revoked_at < 0 || e->revoked_at > (int64_t)UINT32_MAX)
      return fail(why, "revocation time out of range", SAMVAD_EINVAL);
  }
  size_t need = SV_REVOKE_HEADER_BYTES + count * SV_REVOKE_ENTRY_BYTES +
                SAMVAD_CERT_SIGNATURE_BYTES;
  *len = need;
  if (cap < need)
    return fail(why, "buffer too small", SAMVAD_ENOSPC);
  if (sodium_init() < 0)
    return fail(why, "libsodium failed to start", SAMVAD_ENOMEM);
  memcpy(buf, SV_REVOKE_MAGIC, 4);
  buf[4] = SV_LIST_VERSION;
  sv_put_u32(buf + 5, info->seq);
  sv_put_u32(buf + 9, (uint32_t)info->issued_at);
  sv_put_u32(buf + 13, (uint32_t)info->next_update);
  memcpy(buf + 17, signer->key_id, SAMVAD_CERT_KEY_ID_BYTES);
  sv_put_u32(buf + 25, (uint32_t)count);
  unsigned char *p = buf + SV_REVOKE_HEADER_BYTES;
  for (size_t i = 0; i < count; i++, p += SV_REVOKE_ENTRY_BYTES) {
    sv_put_u64(p, entries[i].serial);
    sv_put_u32(p + 8, (uint32_t)entries[i].revoked_at);
    p[12] = (unsigned char)entries[i].reason;
  }
  size_t signed_len = need - SAMVAD_CERT_SIGNATURE_BYTES;
  crypto_sign_detached(buf + signed_len, NULL, buf, signed_len,
                       signer->secret_key);
  return 0;
}

/* Whether a key with this id signed: a root, or an active key of the trust
 * list (every key with the id is tried, ids being truncated hashes). */
static const char *check_signer(const samvad_trust *t,
                                const unsigned char *buf, size_t signed_len) {
  const unsigned char *id = buf + 17, *sig = buf + signed_len;
  bool known = false, withdrawn = false;
  for (size_t r = 0; r < t->root_count; r++) {
    if (memcmp(t->root_ids[r], id, SAMVAD_CERT_KEY_ID_BYTES) != 0)
      continue;
    known = true;
    if (crypto_sign_verify_detached(sig, buf, signed_len, t->roots[r]) == 0)
      return NULL;
  }
  for (size_t k = 0; t->have_keys && k < t->keys.key_count; k++) {
    const samvad_trust_key *key = &t->keys.keys[k];
    if (memcmp(key->key_id, id, SAMVAD_CERT_KEY_ID_BYTES) != 0)
      continue;
    if (key->status != SAMVAD_KEY_ACTIVE) {
      withdrawn = true;
      continue;
    }
    known = true;
    if (crypto_sign_verify_detached(sig, buf, signed_len, key->public_key) ==
        0)
      return NULL;
  }
  if (known)
    return "revocation list signature does not verify";
  return withdrawn ? "revocation list signed by a withdrawn key"
                   : "revocation list signed by an unknown key";
}

int samvad_trust_load_revocations(samvad_trust *t, const unsigned char *buf,
                                  size_t len) {
  if (!t || !buf)
    return SAMVAD_EINVAL;
  const size_t max = SV_REVOKE_HEADER_BYTES +
                     (size_t)SAMVAD_REVOCATIONS_MAX * SV_REVOKE_ENTRY_BYTES +
                     SAMVAD_CERT_SIGNATURE_BYTES;
  const char *why = NULL;
  int rc = SAMVAD_ECORRUPT;
  if (len > max) {
    why = "revocation list longer than 100000 entries";
    rc = SAMVAD_ELIMIT;
  } else if (len < SV_REVOKE_HEADER_BYTES + SAMVAD_CERT_SIGNATURE_BYTES ||
             memcmp(buf, SV_REVOKE_MAGIC, 4) != 0) {
    why = "not a revocation list";
  } else if (buf[4] != SV_LIST_VERSION) {
    why = "unknown revocation list version";
    rc = SAMVAD_EVERSION;
  } else {
    rc = SV_CERT_EBADSIG;
    why = check_signer(t, buf, len - SAMVAD_CERT_SIGNATURE_BYTES);
  }
  if (why) {
    t->errmsg = why;
    return rc;
  }

  samvad_revocation_info info = {.seq = sv_get_u32(buf + 5),
                                 .issued_at = sv_get_u32(buf + 9),
                                 .next_update = sv_get_u32(buf + 13),
                                 .count = sv_get_u32(buf + 25)};
  memcpy(info.signer_key_id, buf + 17, SAMVAD_CERT_KEY_ID_BYTES);
  const unsigned char *e = buf + SV_REVOKE_HEADER_BYTES;
  if (info.count > SAMVAD_REVOCATIONS_MAX ||
      len != SV_REVOKE_HEADER_BYTES + info.count * SV_REVOKE_ENTRY_BYTES +
                 SAMVAD_CERT_SIGNATURE_BYTES)
    why = "revocation list length does not match its count";
  else if (info.next_update != 0 && info.next_update < info.issued_at)
    why = "revocation list next_update before issued_at";
  for (size_t i = 0; !why && i < info.count; i++) {
    const unsigned char *p = e + i * SV_REVOKE_ENTRY_BYTES;
    uint64_t serial = sv_get_u64(p);
    if (serial == 0 ||
        (i > 0 && serial <= sv_get_u64(p - SV_REVOKE_ENTRY_BYTES)))
      why = "revoked serials not ascending, repeated or 0";
    else if (p[12] >= SAMVAD_REVOKED_REASON_COUNT)
      why = "unknown revocation reason";
  }
  if (why) {
    t->errmsg = why;
    return SAMVAD_ECORRUPT;
  }

  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash, buf, len, NULL, 0);
  if (info.seq < t->revocations_floor ||
      (t->have_revocations && info.seq < t->revocation_info.seq)) {
    t->errmsg = "revocation list older than the one already accepted";
    return SV_CERT_ESTALE;
  }
  if (t->have_revocations && info.seq == t->revocation_info.seq &&
      memcmp(hash, t->revocations_hash, sizeof hash) != 0) {
    t->errmsg = "revocation list with the same sequence number but other "
                "entries";
    return SV_CERT_ESTALE;
  }
  size_t bytes = info.count * SV_REVOKE_ENTRY_BYTES;
  unsigned char *copy = sv_malloc(&t->alloc, bytes);
  if (!copy) {
    t->errmsg = "out of memory";
    return SAMVAD_ENOMEM;
  }
  memcpy(copy, e, bytes);
  sv_free(&t->alloc, t->revocations);
  t->revocations = copy;
  t->revocation_info = info;
  memcpy(t->revocations_hash, hash, sizeof hash);
  t->have_revocations = true;
  t->errmsg = "";
  return 0;
}

int samvad_trust_revocations(const samvad_trust *t,
                             samvad_revocation_info *out) {
  if (!t || !out)
    return SAMVAD_EINVAL;
  if (!t->have_revocations)
    return SAMVAD_ENOTFOUND;
  *out = t->revocation_info;
  return 0;
}

static void entry_read(const unsigned char *p, samvad_revocation *out) {
  out->serial = sv_get_u64(p);
  out->revoked_at = sv_get_u32(p + 8);
  out->reason = p[12];
}

int samvad_trust_revocation_get(const samvad_trust *t, size_t i,
                                samvad_revocation *out) {
  if (!t || !out)
    return SAMVAD_EINVAL;
  if (!t->have_revocations || i >= t->revocation_info.count)
    return SAMVAD_ENOTFOUND;
  entry_read(t->revocations + i * SV_REVOKE_ENTRY_BYTES, out);
  return 0;
}

bool sv_trust_revoked(const samvad_trust *t, uint64_t serial,
                      samvad_revocation *out) {
  if (!t->have_revocations)
    return false;
  size_t lo = 0, hi = t->revocation_info.count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const unsigned char *p = t->revocations + mid * SV_REVOKE_ENTRY_BYTES;
    uint64_t s = sv_get_u64(p);
    if (s == serial) {
      entry_read(p, out);
      return true;
    }
    if (s < serial)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
}
