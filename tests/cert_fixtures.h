/* cert_fixtures.h - what the certificate tests, the benchmark and the
 * vectors share: keys from fixed seeds, a trust list over them, the
 * marriage certificates (Latin and Devanagari names) that the size targets
 * are about, and Base45 both ways for tests that edit a certificate's
 * bytes. Everything is deterministic, so runs and vectors repeat. */
#ifndef CERT_FIXTURES_H
#define CERT_FIXTURES_H

#include "cert_internal.h"
#include "samvad/cert.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2026-01-15 10:00 IST, the transcripts' clock: the verifier's "now". */
#define FX_NOW ((int64_t)1768451400)
#define FX_ISSUED (FX_NOW - 3600)
#define FX_2025 ((int64_t)1735689600) /* 2025-01-01 00:00 UTC */
#define FX_2031 ((int64_t)1924992000) /* 2031-01-01 00:00 UTC */
#define FX_SERIAL 0x0123456789ABCDEFull

/* Document types, as the services' specs give them. */
#define FX_DOC_MARRIAGE 1
#define FX_DOC_LICENCE 2
#define FX_DOC_CASTE 3

/* Keys: each from a seed of one repeated byte. */
enum fx_key {
  FX_ROOT = 0,      /* signs the trust list */
  FX_ISSUER,        /* active, marriage + licence + caste, 2025-2031 */
  FX_LICENCE_ONLY,  /* active, driving licences only */
  FX_WITHDRAWN,     /* withdrawn (compromised) */
  FX_STRANGER,      /* in no list */
  FX_OTHER_ROOT,    /* a root nobody pinned */
  FX_KEY_COUNT
};

static inline samvad_cert_key fx_key(enum fx_key which) {
  uint8_t seed[SAMVAD_CERT_SEED_BYTES];
  memset(seed, 0x11 * ((int)which + 1), sizeof seed);
  samvad_cert_key k;
  if (samvad_cert_key_from_seed(seed, &k) != 0)
    abort();
  return k;
}

static inline samvad_trust_key fx_trust_entry(enum fx_key which) {
  samvad_trust_key e;
  memset(&e, 0, sizeof e);
  samvad_cert_key k = fx_key(which);
  memcpy(e.public_key, k.public_key, sizeof e.public_key);
  e.status = SAMVAD_KEY_ACTIVE;
  e.not_before = FX_2025;
  e.not_after = FX_2031;
  if (which == FX_LICENCE_ONLY) {
    e.doc_types[0] = FX_DOC_LICENCE;
    e.doc_type_count = 1;
    strcpy(e.label, "Transport Department, Delhi");
  } else {
    e.doc_types[0] = FX_DOC_MARRIAGE;
    e.doc_types[1] = FX_DOC_LICENCE;
    e.doc_types[2] = FX_DOC_CASTE;
    e.doc_type_count = 3;
    strcpy(e.label, which == FX_WITHDRAWN ? "Old key, SDM Kalkaji"
                                          : "SDM Kalkaji, South East");
  }
  if (which == FX_WITHDRAWN) {
    e.status = SAMVAD_KEY_WITHDRAWN;
    e.withdrawn_at = FX_NOW - 86400;
  }
  return e;
}

/* The fixture trust list: issuer, licence-only and withdrawn keys. */
static inline samvad_trust_list fx_trust_list(uint32_t seq) {
  samvad_trust_list l;
  memset(&l, 0, sizeof l);
  l.seq = seq;
  l.issued_at = FX_2025;
  l.next_update = FX_2031;
  l.keys[0] = fx_trust_entry(FX_ISSUER);
  l.keys[1] = fx_trust_entry(FX_LICENCE_ONLY);
  l.keys[2] = fx_trust_entry(FX_WITHDRAWN);
  l.key_count = 3;
  return l;
}

/* Signs list with root into buf; aborts on failure (fixtures are valid). */
static inline size_t fx_sign_list(const samvad_trust_list *list,
                                  enum fx_key root, unsigned char *buf,
                                  size_t cap) {
  samvad_cert_key k = fx_key(root);
  size_t len = 0;
  const char *why = NULL;
  if (samvad_trust_list_sign(list, &k, buf, cap, &len, &why) != 0) {
    fprintf(stderr, "fixture trust list: %s\n", why);
    abort();
  }
  return len;
}

/* A store pinned to FX_ROOT with the fixture trust list loaded (seq 1). */
static inline samvad_trust *fx_trust(void) {
  samvad_cert_key root = fx_key(FX_ROOT);
  samvad_trust *t = NULL;
  if (samvad_trust_create(NULL, (const uint8_t(*)[32])root.public_key, 1,
                          &t) != 0)
    abort();
  samvad_trust_list l = fx_trust_list(1);
  unsigned char buf[SAMVAD_TRUST_LIST_MAX_BYTES];
  size_t len = fx_sign_list(&l, FX_ROOT, buf, sizeof buf);
  if (samvad_trust_load_keys(t, buf, len) != 0)
    abort();
  return t;
}

/* Marriage certificate fields: tags as a marriage spec would declare them. */
#define FX_TAG_GROOM 16
#define FX_TAG_GROOM_FATHER 17
#define FX_TAG_BRIDE 18
#define FX_TAG_BRIDE_FATHER 19
#define FX_TAG_PLACE 20
#define FX_TAG_ACT 21
#define FX_TAG_MARRIAGE_DATE 144
#define FX_TAG_GROOM_DOB 145
#define FX_TAG_BRIDE_DOB 146

static const samvad_cert_tag_spec fx_marriage_tags[] = {
    {FX_TAG_GROOM, 1, "groom_name"},
    {FX_TAG_GROOM_FATHER, 1, "groom_father_name"},
    {FX_TAG_BRIDE, 1, "bride_name"},
    {FX_TAG_BRIDE_FATHER, 1, "bride_father_name"},
    {FX_TAG_PLACE, 1, "marriage_place"},
    {FX_TAG_ACT, 1, "act"},
    {FX_TAG_MARRIAGE_DATE, 1, "marriage_date"},
    {FX_TAG_GROOM_DOB, 0, "groom_dob"},
    {FX_TAG_BRIDE_DOB, 0, "bride_dob"},
};
#define FX_MARRIAGE_TAG_COUNT (sizeof fx_marriage_tags / sizeof *fx_marriage_tags)

static inline void fx_set(samvad_cert *c, uint8_t tag, const char *value) {
  samvad_cert_field *f = &c->fields[c->field_count++];
  f->tag = tag;
  f->value = value;
  f->len = strlen(value);
  f->name = NULL;
}

/* The marriage certificate of the size targets: eleven fields. */
static inline samvad_cert fx_marriage(int devanagari) {
  samvad_cert c;
  memset(&c, 0, sizeof c);
  c.doc_type = FX_DOC_MARRIAGE;
  c.serial = FX_SERIAL;
  c.issued_at = FX_ISSUED;
  c.expires_at = 0;
  if (!devanagari) {
    fx_set(&c, SAMVAD_CERT_TAG_OFFICE, "SDM Kalkaji, South East");
    fx_set(&c, FX_TAG_GROOM, "Rahul Kumar Verma");
    fx_set(&c, FX_TAG_GROOM_FATHER, "Suresh Kumar Verma");
    fx_set(&c, FX_TAG_BRIDE, "Priya Sharma");
    fx_set(&c, FX_TAG_BRIDE_FATHER, "Rajesh Kumar Sharma");
    fx_set(&c, FX_TAG_PLACE, "Arya Samaj Mandir, Lajpat Nagar");
    fx_set(&c, FX_TAG_ACT, "Hindu Marriage Act");
  } else {
    fx_set(&c, SAMVAD_CERT_TAG_OFFICE, "एसडीएम कालकाजी, दक्षिण पूर्व");
    fx_set(&c, FX_TAG_GROOM, "राहुल कुमार वर्मा");
    fx_set(&c, FX_TAG_GROOM_FATHER, "सुरेश कुमार वर्मा");
    fx_set(&c, FX_TAG_BRIDE, "प्रिया शर्मा");
    fx_set(&c, FX_TAG_BRIDE_FATHER, "राजेश कुमार शर्मा");
    fx_set(&c, FX_TAG_PLACE, "आर्य समाज मंदिर, लाजपत नगर");
    fx_set(&c, FX_TAG_ACT, "हिंदू विवाह अधिनियम");
  }
  fx_set(&c, SAMVAD_CERT_TAG_APPLICATION, "MR-2026-7K3QX9WD");
  fx_set(&c, FX_TAG_MARRIAGE_DATE, "2025-11-23");
  fx_set(&c, FX_TAG_GROOM_DOB, "1996-04-12");
  fx_set(&c, FX_TAG_BRIDE_DOB, "1998-08-30");
  return c;
}

/* Issues c with key; aborts on failure. Returns the text's length. */
static inline size_t fx_issue(const samvad_cert *c, enum fx_key key,
                              unsigned options, char *text, size_t cap) {
  samvad_cert_key k = fx_key(key);
  size_t len = 0;
  const char *why = NULL;
  int rc = samvad_cert_issue(c, &k, options, text, cap, &len, &why);
  if (rc != 0) {
    fprintf(stderr, "fixture certificate: %s (%s)\n", why,
            samvad_err_name(rc));
    abort();
  }
  return len;
}

/* A certificate's blob, from its text; aborts when it is not one. */
static inline size_t fx_blob(const char *text, size_t len,
                             unsigned char *blob) {
  long n = sv_base45_decode(text + SAMVAD_CERT_PREFIX_LEN,
                            len - SAMVAD_CERT_PREFIX_LEN, blob);
  if (n < 0)
    abort();
  return (size_t)n;
}

/* The text of a blob (any bytes); returns its length. text needs
 * SAMVAD_CERT_PREFIX_LEN + sv_base45_len(n) + 1 bytes. */
static inline size_t fx_text(const unsigned char *blob, size_t n,
                             char *text) {
  memcpy(text, SAMVAD_CERT_PREFIX, SAMVAD_CERT_PREFIX_LEN);
  sv_base45_encode(blob, n, text + SAMVAD_CERT_PREFIX_LEN);
  size_t len = SAMVAD_CERT_PREFIX_LEN + sv_base45_len(n);
  text[len] = '\0';
  return len;
}

/* Signs header || body under the certificate domain with key, the way the
 * library does, so tests can build certificates it would refuse to issue
 * (bad bodies, broken DEFLATE) and see the verifier refuse them after the
 * signature. The header names kid_of's key id (usually key itself).
 * Returns the blob's length. */
static inline size_t fx_sign_as(const sv_cert_header *h0,
                                const unsigned char *body, size_t body_len,
                                enum fx_key key, enum fx_key kid_of,
                                unsigned char *blob) {
  samvad_cert_key k = fx_key(key), named = fx_key(kid_of);
  sv_cert_header h = *h0;
  memcpy(h.key_id, named.key_id, sizeof h.key_id);
  h.body_len = (uint16_t)body_len;
  unsigned char msg[3 + 4096 + 64];
  memcpy(msg, "SV1", 3);
  sv_cert_header_write(&h, msg + 3);
  memcpy(msg + 3 + SAMVAD_CERT_HEADER_BYTES, body, body_len);
  size_t signed_len = SAMVAD_CERT_HEADER_BYTES + body_len;
  crypto_sign_detached(msg + 3 + signed_len, NULL, msg, 3 + signed_len,
                       k.secret_key);
  memcpy(blob, msg + 3, signed_len + 64);
  return signed_len + 64;
}

static inline size_t fx_sign_raw(const sv_cert_header *h,
                                 const unsigned char *body, size_t body_len,
                                 enum fx_key key, unsigned char *blob) {
  return fx_sign_as(h, body, body_len, key, key, blob);
}

/* A header like the fixture certificate's. */
static inline sv_cert_header fx_header(void) {
  sv_cert_header h;
  memset(&h, 0, sizeof h);
  h.version = 1;
  h.doc_type = FX_DOC_MARRIAGE;
  h.issued_at = (uint32_t)FX_ISSUED;
  h.serial = FX_SERIAL;
  return h;
}

#endif /* CERT_FIXTURES_H */
