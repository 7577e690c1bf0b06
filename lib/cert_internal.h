/* cert_internal.h - what the certificate modules (lib/cert_*.c) share:
 * Base45, big-endian byte helpers, the payload's header and body codecs,
 * DEFLATE within limits, and the trust store's layout. Nothing here is part
 * of the ABI; the tests reach it to write the test vectors stage by stage. */
#ifndef SAMVAD_CERT_INTERNAL_H
#define SAMVAD_CERT_INTERNAL_H

#include "internal.h"
#include "samvad/cert.h"

/* Errors of the trust and revocation lists that samvad.h has no code of
 * its own for yet; samvad_trust_errmsg tells them apart. */
#define SV_CERT_EBADSIG SAMVAD_ECORRUPT
#define SV_CERT_ESTALE SAMVAD_ESTATE

/* The two signed lists' magics; with the certificate's "SV1" they differ in
 * their third byte, so no signed message is valid in another context. */
#define SV_CERT_DOMAIN "SV1"
#define SV_CERT_DOMAIN_LEN 3
#define SV_TRUST_MAGIC "SVTL"
#define SV_REVOKE_MAGIC "SVRL"
#define SV_LIST_VERSION 1
#define SV_TRUST_HEADER_BYTES 26 /* magic, version, seq, times, root id, n */
#define SV_REVOKE_HEADER_BYTES 29
#define SV_REVOKE_ENTRY_BYTES 13

#define SV_CERT_FLAG_DEFLATE 0x01u

/* ---- Bytes -------------------------------------------------------------- */
static inline void sv_put_u32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}
static inline uint32_t sv_get_u32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}
static inline void sv_put_u64(unsigned char *p, uint64_t v) {
  sv_put_u32(p, (uint32_t)(v >> 32));
  sv_put_u32(p + 4, (uint32_t)v);
}
static inline uint64_t sv_get_u64(const unsigned char *p) {
  return (uint64_t)sv_get_u32(p) << 32 | sv_get_u32(p + 4);
}

/* ---- Base45 (RFC 9285), lib/cert_base45.c ---------------------------------- */
/* Characters needed for n bytes. */
static inline size_t sv_base45_len(size_t n) { return n / 2 * 3 + n % 2 * 2; }
/* Writes sv_base45_len(n) characters (no NUL). */
void sv_base45_encode(const unsigned char *in, size_t n, char *out);
/* Strict decoding of len characters into out (room for len / 3 * 2 + 1
 * bytes): returns the number of bytes, or -1 for a character outside the
 * alphabet, len % 3 == 1, a triplet above 65535 or a pair above 255. */
long sv_base45_decode(const char *in, size_t len, unsigned char *out);

/* ---- The payload, lib/cert_payload.c ---------------------------------------- */
/* The 29-byte header, decoded. */
typedef struct sv_cert_header {
  uint8_t version, doc_type, flags;
  uint8_t key_id[SAMVAD_CERT_KEY_ID_BYTES];
  uint32_t issued_at, expires_at;
  uint64_t serial;
  uint16_t body_len; /* bytes of the body as stored (compressed or not) */
} sv_cert_header;

void sv_cert_header_write(const sv_cert_header *h, unsigned char *out);
void sv_cert_header_read(const unsigned char *in, sv_cert_header *h);
/* Static reason when the header breaks a rule (flags, doc_type, serial,
 * times, body length 0), else NULL. The version is the caller's check. */
const char *sv_cert_header_check(const sv_cert_header *h);

/* Checks cert's fields and writes the canonical body (sorted by tag) into
 * out (SAMVAD_CERT_MAX_BODY_BYTES). Returns 0 and *len, or SAMVAD_EINVAL /
 * SAMVAD_ELIMIT with *why. */
int sv_cert_body_encode(const samvad_cert *cert, unsigned char *out,
                        size_t *len, const char **why);

/* How a verifier checks tags: the common set always; a document type's
 * declaration when there is one. */
typedef struct sv_doc_fields {
  uint8_t doc_type;
  size_t count;
  samvad_cert_tag_spec tags[SAMVAD_CERT_MAX_FIELDS]; /* names owned here */
  char names[SAMVAD_CERT_MAX_FIELDS][SAMVAD_CERT_MAX_NAME_BYTES + 1];
} sv_doc_fields;

/* Parses a canonical body into cert->fields, values copied NUL-terminated
 * into storage (cap bytes). decl may be NULL. Returns NULL, or a static
 * reason why the body is not canonical. */
const char *sv_cert_body_decode(const unsigned char *body, size_t len,
                                const sv_doc_fields *decl, samvad_cert *cert,
                                char *storage, size_t cap);

/* A static reason when s is not valid UTF-8 or holds a control character
 * (C0, DEL, C1), else NULL. */
const char *sv_cert_text_problem(const char *s, size_t len);

/* Parses "YYYY-MM-DD" into YYYYMMDD, checking the calendar. */
bool sv_cert_date_parse(const char *s, size_t len, uint32_t *out);
/* Whether YYYYMMDD is a real date, years 1-9999. */
bool sv_cert_date_valid(uint32_t ymd);
/* Writes "YYYY-MM-DD" (10 characters, no NUL). */
void sv_cert_date_format(uint32_t ymd, char *out);

/* Raw DEFLATE of in into out (cap bytes). Returns the compressed size; 0
 * when it would not fit in cap (the caller then stores the body as it is);
 * -1 when zlib cannot allocate. */
long sv_deflate(const unsigned char *in, size_t n, unsigned char *out,
                size_t cap);
/* Inflates a complete raw DEFLATE stream into out (cap bytes). Returns the
 * size; -1 for a broken stream, one that does not end exactly at n, or
 * output over cap; -2 when zlib cannot allocate. */
long sv_inflate(const unsigned char *in, size_t n, unsigned char *out,
                size_t cap);

/* ---- The trust store, lib/cert_trust.c ------------------------------------- */
struct samvad_trust {
  sv_alloc alloc;
  size_t root_count;
  uint8_t roots[SAMVAD_TRUST_MAX_ROOTS][SAMVAD_CERT_PUBLIC_KEY_BYTES];
  uint8_t root_ids[SAMVAD_TRUST_MAX_ROOTS][SAMVAD_CERT_KEY_ID_BYTES];
  bool have_keys;
  samvad_trust_list keys;
  unsigned char keys_hash[32]; /* of the loaded list's bytes */
  uint32_t keys_floor, revocations_floor;
  bool have_revocations;
  samvad_revocation_info revocation_info;
  unsigned char *revocations; /* count entries of 13 bytes, as signed */
  unsigned char revocations_hash[32];
  sv_doc_fields *decls[256]; /* by document type; NULL: not declared */
  const char *errmsg;
};

/* The declaration for a document type, or NULL. */
const sv_doc_fields *sv_trust_fields(const samvad_trust *t, uint8_t doc_type);
/* Finds serial in the loaded revocation list. */
bool sv_trust_revoked(const samvad_trust *t, uint64_t serial,
                      samvad_revocation *out);

#endif /* SAMVAD_CERT_INTERNAL_H */
