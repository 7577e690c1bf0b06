/* cert_trust.c - the trust list (issuing keys, each with its document
 * types, signing period and status, signed by a pinned root key) as bytes
 * and back, and the verifier's trust store that holds it. Signatures are
 * checked before anything after the fixed header is believed. */
#include "cert_internal.h"

#include <sodium.h>
#include <string.h>

/* Bytes of one entry without its doc types and label. */
#define ENTRY_FIXED 47

static int fail(const char **why, const char *reason, int rc) {
  if (why)
    *why = reason;
  return rc;
}

static bool fits_u32(int64_t t) { return t >= 0 && t <= (int64_t)UINT32_MAX; }

/* The rules every entry obeys, when signing and when parsing. */
static const char *key_problem(const samvad_trust_key *k) {
  if (k->status != SAMVAD_KEY_ACTIVE && k->status != SAMVAD_KEY_WITHDRAWN)
    return "key status neither active nor withdrawn";
  if (!fits_u32(k->not_before) || !fits_u32(k->not_after) ||
      !fits_u32(k->withdrawn_at))
    return "key time outside 1970-2106";
  if (k->not_after != 0 && k->not_after < k->not_before)
    return "key not_after before not_before";
  if ((k->status == SAMVAD_KEY_WITHDRAWN) != (k->withdrawn_at != 0))
    return "withdrawn_at set on an active key or missing on a withdrawn one";
  if (k->doc_type_count == 0 || k->doc_type_count > SAMVAD_TRUST_MAX_DOC_TYPES)
    return "a key needs 1-16 document types";
  for (size_t i = 0; i < k->doc_type_count; i++)
    if (k->doc_types[i] == 0 || (i > 0 && k->doc_types[i] <= k->doc_types[i - 1]))
      return "document types not ascending or 0";
  return NULL;
}

int samvad_trust_list_sign(const samvad_trust_list *list,
                           const samvad_cert_key *root, unsigned char *buf,
                           size_t cap, size_t *len, const char **why) {
  if (!list || !root || !len || (!buf && cap > 0))
    return fail(why, "missing argument", SAMVAD_EINVAL);
  if (list->key_count == 0 || list->key_count > SAMVAD_TRUST_MAX_KEYS)
    return fail(why, "a trust list needs 1-64 keys", SAMVAD_EINVAL);
  if (!fits_u32(list->issued_at) || !fits_u32(list->next_update) ||
      (list->next_update != 0 && list->next_update < list->issued_at))
    return fail(why, "list times out of range", SAMVAD_EINVAL);
  size_t need = SV_TRUST_HEADER_BYTES + SAMVAD_CERT_SIGNATURE_BYTES;
  for (size_t i = 0; i < list->key_count; i++) {
    const samvad_trust_key *k = &list->keys[i];
    const char *bad = key_problem(k);
    size_t label_len = strnlen(k->label, sizeof k->label);
    if (!bad && label_len > SAMVAD_TRUST_MAX_LABEL_BYTES)
      bad = "label longer than 64 bytes";
    if (!bad && label_len > 0)
      bad = sv_cert_text_problem(k->label, label_len);
    for (size_t j = 0; !bad && j < i; j++)
      if (memcmp(list->keys[j].public_key, k->public_key,
                 SAMVAD_CERT_PUBLIC_KEY_BYTES) == 0)
        bad = "a public key listed twice";
    if (bad)
      return fail(why, bad, SAMVAD_EINVAL);
    need += ENTRY_FIXED + k->doc_type_count + label_len;
  }
  *len = need;
  if (cap < need)
    return fail(why, "buffer too small", SAMVAD_ENOSPC);
  if (sodium_init() < 0)
    return fail(why, "libsodium failed to start", SAMVAD_ENOMEM);

  unsigned char *p = buf;
  memcpy(p, SV_TRUST_MAGIC, 4);
  p[4] = SV_LIST_VERSION;
  sv_put_u32(p + 5, list->seq);
  sv_put_u32(p + 9, (uint32_t)list->issued_at);
  sv_put_u32(p + 13, (uint32_t)list->next_update);
  memcpy(p + 17, root->key_id, SAMVAD_CERT_KEY_ID_BYTES);
  p[25] = (unsigned char)list->key_count;
  p += SV_TRUST_HEADER_BYTES;
  for (size_t i = 0; i < list->key_count; i++) {
    const samvad_trust_key *k = &list->keys[i];
    size_t label_len = strnlen(k->label, sizeof k->label);
    memcpy(p, k->public_key, SAMVAD_CERT_PUBLIC_KEY_BYTES);
    p[32] = (unsigned char)k->status;
    sv_put_u32(p + 33, (uint32_t)k->not_before);
    sv_put_u32(p + 37, (uint32_t)k->not_after);
    sv_put_u32(p + 41, (uint32_t)k->withdrawn_at);
    p[45] = (unsigned char)k->doc_type_count;
    memcpy(p + 46, k->doc_types, k->doc_type_count);
    p += 46 + k->doc_type_count;
    *p++ = (unsigned char)label_len;
    memcpy(p, k->label, label_len);
    p += label_len;
  }
  size_t signed_len = (size_t)(p - buf);
  crypto_sign_detached(p, NULL, buf, signed_len, root->secret_key);
  return 0;
}

int samvad_trust_list_parse(const unsigned char *buf, size_t len,
                            const uint8_t (*roots)[SAMVAD_CERT_PUBLIC_KEY_BYTES],
                            size_t root_count, samvad_trust_list *out,
                            const char **why) {
  if (!buf || !out || (!roots && root_count > 0))
    return fail(why, "missing argument", SAMVAD_EINVAL);
  if (len > SAMVAD_TRUST_LIST_MAX_BYTES)
    return fail(why, "trust list larger than 16 KiB", SAMVAD_ELIMIT);
  if (len < SV_TRUST_HEADER_BYTES + SAMVAD_CERT_SIGNATURE_BYTES ||
      memcmp(buf, SV_TRUST_MAGIC, 4) != 0)
    return fail(why, "not a trust list", SAMVAD_ECORRUPT);
  if (buf[4] != SV_LIST_VERSION)
    return fail(why, "unknown trust list version", SAMVAD_EVERSION);
  if (sodium_init() < 0)
    return fail(why, "libsodium failed to start", SAMVAD_ENOMEM);

  /* Any root whose id matches may have signed (ids are truncated hashes). */
  size_t signed_len = len - SAMVAD_CERT_SIGNATURE_BYTES;
  bool known = false, verified = false;
  for (size_t r = 0; r < root_count && !verified; r++) {
    uint8_t id[SAMVAD_CERT_KEY_ID_BYTES];
    samvad_cert_key_id(roots[r], id);
    if (memcmp(id, buf + 17, SAMVAD_CERT_KEY_ID_BYTES) != 0)
      continue;
    known = true;
    verified = crypto_sign_verify_detached(buf + signed_len, buf, signed_len,
                                           roots[r]) == 0;
  }
  if (!known)
    return fail(why, "trust list signed by an unknown root key",
                SV_CERT_EBADSIG);
  if (!verified)
    return fail(why, "trust list signature does not verify", SV_CERT_EBADSIG);

  memset(out, 0, sizeof *out);
  out->seq = sv_get_u32(buf + 5);
  out->issued_at = sv_get_u32(buf + 9);
  out->next_update = sv_get_u32(buf + 13);
  memcpy(out->root_key_id, buf + 17, SAMVAD_CERT_KEY_ID_BYTES);
  out->key_count = buf[25];
  if (out->key_count == 0 || out->key_count > SAMVAD_TRUST_MAX_KEYS)
    return fail(why, "trust list key count not 1-64", SAMVAD_ECORRUPT);
  if (out->next_update != 0 && out->next_update < out->issued_at)
    return fail(why, "trust list next_update before issued_at",
                SAMVAD_ECORRUPT);
  size_t i = SV_TRUST_HEADER_BYTES;
  for (size_t n = 0; n < out->key_count; n++) {
    samvad_trust_key *k = &out->keys[n];
    if (signed_len - i < ENTRY_FIXED)
      return fail(why, "trust list truncated", SAMVAD_ECORRUPT);
    const unsigned char *p = buf + i;
    memcpy(k->public_key, p, SAMVAD_CERT_PUBLIC_KEY_BYTES);
    samvad_cert_key_id(k->public_key, k->key_id);
    k->status = (samvad_key_status)p[32];
    k->not_before = sv_get_u32(p + 33);
    k->not_after = sv_get_u32(p + 37);
    k->withdrawn_at = sv_get_u32(p + 41);
    k->doc_type_count = p[45];
    if (k->doc_type_count > SAMVAD_TRUST_MAX_DOC_TYPES ||
        signed_len - i < ENTRY_FIXED + k->doc_type_count)
      return fail(why, "trust list truncated or too many document types",
                  SAMVAD_ECORRUPT);
    memcpy(k->doc_types, p + 46, k->doc_type_count);
    size_t label_len = p[46 + k->doc_type_count];
    i += ENTRY_FIXED + k->doc_type_count;
    if (label_len > SAMVAD_TRUST_MAX_LABEL_BYTES || signed_len - i < label_len)
      return fail(why, "trust list label too long or truncated",
                  SAMVAD_ECORRUPT);
    memcpy(k->label, buf + i, label_len);
    k->label[label_len] = '\0';
    i += label_len;
    const char *bad = key_problem(k);
    if (!bad && label_len > 0)
      bad = sv_cert_text_problem(k->label, label_len);
    for (size_t j = 0; !bad && j < n; j++)
      if (memcmp(out->keys[j].public_key, k->public_key,
                 SAMVAD_CERT_PUBLIC_KEY_BYTES) == 0)
        bad = "a public key listed twice";
    if (bad)
      return fail(why, bad, SAMVAD_ECORRUPT);
  }
  if (i != signed_len)
    return fail(why, "bytes after the last key of the trust list",
                SAMVAD_ECORRUPT);
  return 0;
}

/* ---- The store ---------------------------------------------------------------- */
int samvad_trust_create(const samvad_allocator *alloc,
                        const uint8_t (*roots)[SAMVAD_CERT_PUBLIC_KEY_BYTES],
                        size_t root_count, samvad_trust **out) {
  if (!out)
    return SAMVAD_EINVAL;
  *out = NULL;
  if (!roots || root_count == 0 || root_count > SAMVAD_TRUST_MAX_ROOTS)
    return SAMVAD_EINVAL;
  if (sodium_init() < 0)
    return SAMVAD_ENOMEM;
  sv_alloc al;
  sv_alloc_init(&al, alloc);
  samvad_trust *t = sv_malloc(&al, sizeof *t);
  if (!t)
    return SAMVAD_ENOMEM;
  memset(t, 0, sizeof *t);
  t->alloc = al;
  t->root_count = root_count;
  for (size_t r = 0; r < root_count; r++) {
    memcpy(t->roots[r], roots[r], SAMVAD_CERT_PUBLIC_KEY_BYTES);
    samvad_cert_key_id(roots[r], t->root_ids[r]);
  }
  t->errmsg = "";
  *out = t;
  return 0;
}

void samvad_trust_destroy(samvad_trust *t) {
  if (!t)
    return;
  for (size_t d = 0; d < 256; d++)
    sv_free(&t->alloc, t->decls[d]);
  sv_free(&t->alloc, t->revocations);
  sv_alloc al = t->alloc;
  sv_free(&al, t);
}

void samvad_trust_require_seq(samvad_trust *t, uint32_t keys_seq,
                              uint32_t revocations_seq) {
  if (!t)
    return;
  t->keys_floor = keys_seq;
  t->revocations_floor = revocations_seq;
}

const char *samvad_trust_errmsg(const samvad_trust *t) {
  return t ? t->errmsg : "no trust store";
}

const samvad_trust_list *samvad_trust_keys(const samvad_trust *t) {
  return t && t->have_keys ? &t->keys : NULL;
}

int samvad_trust_load_keys(samvad_trust *t, const unsigned char *buf,
                           size_t len) {
  if (!t || !buf)
    return SAMVAD_EINVAL;
  samvad_trust_list list;
  const char *why = "";
  int rc = samvad_trust_list_parse(buf, len, (const uint8_t(*)[32])t->roots,
                                   t->root_count, &list, &why);
  if (rc != 0) {
    t->errmsg = why;
    return rc;
  }
  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash, buf, len, NULL, 0);
  if (list.seq < t->keys_floor ||
      (t->have_keys && list.seq < t->keys.seq)) {
    t->errmsg = "trust list older than the one already accepted";
    return SV_CERT_ESTALE;
  }
  if (t->have_keys && list.seq == t->keys.seq &&
      memcmp(hash, t->keys_hash, sizeof hash) != 0) {
    t->errmsg = "trust list with the same sequence number but other keys";
    return SV_CERT_ESTALE;
  }
  t->keys = list;
  memcpy(t->keys_hash, hash, sizeof hash);
  t->have_keys = true;
  t->errmsg = "";
  return 0;
}

static bool name_ok(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > SAMVAD_CERT_MAX_NAME_BYTES)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
          s[i] == '_'))
      return false;
  return true;
}

int samvad_trust_declare_fields(samvad_trust *t, uint8_t doc_type,
                                const samvad_cert_tag_spec *tags,
                                size_t count) {
  if (!t || doc_type == 0 || (!tags && count > 0) ||
      count > SAMVAD_CERT_MAX_FIELDS)
    return SAMVAD_EINVAL;
  for (size_t i = 0; i < count; i++) {
    if ((tags[i].tag & 0x7F) < SAMVAD_CERT_TAG_FIRST_SERVICE_TEXT ||
        !name_ok(tags[i].name))
      return SAMVAD_EINVAL;
    for (size_t j = 0; j < i; j++)
      if (tags[j].tag == tags[i].tag)
        return SAMVAD_EINVAL;
  }
  sv_doc_fields *d = t->decls[doc_type];
  if (!d) {
    d = sv_malloc(&t->alloc, sizeof *d);
    if (!d)
      return SAMVAD_ENOMEM;
    t->decls[doc_type] = d;
  }
  memset(d, 0, sizeof *d);
  d->doc_type = doc_type;
  d->count = count;
  for (size_t i = 0; i < count; i++) {
    memcpy(d->names[i], tags[i].name, strlen(tags[i].name) + 1);
    d->tags[i].tag = tags[i].tag;
    d->tags[i].required = tags[i].required != 0;
    d->tags[i].name = d->names[i];
  }
  return 0;
}

const sv_doc_fields *sv_trust_fields(const samvad_trust *t, uint8_t doc_type) {
  return t->decls[doc_type];
}
