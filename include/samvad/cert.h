/* cert.h - signed certificates that anyone can verify offline: a compact
 * canonical payload signed with Ed25519 (libsodium), carried as "SV1:" +
 * Base45 text in one alphanumeric QR segment (libqrencode), checked against
 * a trust list of issuing keys signed by a root key and a signed list of
 * revoked serials. docs/certificates.md specifies every byte.
 *
 * Like the rest of libsamvad this module does no I/O, reads no clock and
 * draws no random numbers: the caller supplies key seeds, serials and the
 * time. Every function either fills caller-owned memory or a handle it
 * created; strings it hands out are static or live in that memory. */
#ifndef SAMVAD_CERT_H
#define SAMVAD_CERT_H

#include "samvad/samvad.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Format constants and limits ------------------------------------------ */
#define SAMVAD_CERT_PREFIX "SV1:"          /* first bytes of every QR text */
#define SAMVAD_CERT_PREFIX_LEN 4
#define SAMVAD_CERT_VERSION 1              /* the header's version byte */
#define SAMVAD_CERT_HEADER_BYTES 29
#define SAMVAD_CERT_SIGNATURE_BYTES 64
#define SAMVAD_CERT_MIN_BLOB_BYTES 94      /* header + 1 body byte + sig */
#define SAMVAD_CERT_MAX_BLOB_BYTES 800     /* header + body + signature */
#define SAMVAD_CERT_MAX_TEXT_BYTES 1204    /* prefix + Base45 of 800 bytes */
#define SAMVAD_CERT_MAX_FIELDS 32          /* fields in one certificate */
#define SAMVAD_CERT_MAX_VALUE_BYTES 255    /* one text value, UTF-8 */
#define SAMVAD_CERT_MAX_BODY_BYTES 4096    /* the body before compression */
#define SAMVAD_CERT_MAX_NAME_BYTES 64      /* a field's name (schemas) */

#define SAMVAD_CERT_KEY_ID_BYTES 8         /* first bytes of SHA-256(pk) */
#define SAMVAD_CERT_KEY_ID_HEX_BYTES 17    /* 16 hex digits and a NUL */
#define SAMVAD_CERT_PUBLIC_KEY_BYTES 32
#define SAMVAD_CERT_SECRET_KEY_BYTES 64    /* libsodium's: seed then pk */
#define SAMVAD_CERT_SEED_BYTES 32

/* ---- Field tags -------------------------------------------------------------
 * A field is a tag byte and a value. The tag's top bit gives the type:
 * clear, the value is UTF-8 text; set, a calendar date. Tags 1-15 and
 * 129-143 are the library's common set (only those below are defined; the
 * rest are reserved and refused); a service's spec declares its own fields
 * with text tags 16-127 and date tags 144-255. Tags 0 and 128 never occur. */
#define SAMVAD_CERT_TAG_DATE_BIT 0x80u
#define SAMVAD_CERT_TAG_IS_DATE(tag) (((unsigned)(tag)&0x80u) != 0)
#define SAMVAD_CERT_TAG_OFFICE 1         /* issuing office, text; required */
#define SAMVAD_CERT_TAG_APPLICATION 2    /* application reference, text */
#define SAMVAD_CERT_TAG_FIRST_SERVICE_TEXT 16
#define SAMVAD_CERT_TAG_FIRST_SERVICE_DATE 144

/* One field. When issuing, value is borrowed for the call: UTF-8 text
 * (1-255 bytes, no control characters) or, for a date tag, "YYYY-MM-DD".
 * In a verification result value points into the result and is
 * NUL-terminated, dates again as "YYYY-MM-DD". */
typedef struct samvad_cert_field {
  uint8_t tag;
  const char *value;
  size_t len;       /* bytes of value, without any NUL */
  const char *name; /* results only: the schema's name, "issuing_office" or
                       "application" for the common tags, else NULL */
} samvad_cert_field;

/* What a certificate says. Times are Unix seconds that fit in 32 bits
 * (1970 to 2106); expires_at 0 means the signature never expires (marriage
 * and caste certificates); a driving licence's is its expiry. */
typedef struct samvad_cert {
  uint8_t doc_type;   /* the service's document type, 1-255 */
  uint64_t serial;    /* random and non-zero, drawn by the caller */
  int64_t issued_at;  /* signing time, > 0 */
  int64_t expires_at; /* 0 or later than issued_at */
  uint8_t key_id[SAMVAD_CERT_KEY_ID_BYTES]; /* results only (the signer's) */
  size_t field_count;
  samvad_cert_field fields[SAMVAD_CERT_MAX_FIELDS];
} samvad_cert;

/* ---- Keys --------------------------------------------------------------------
 * An Ed25519 key pair with its key id. A key file need only keep the 32-byte
 * seed; everything else follows from it. The struct holds the secret key:
 * wipe it with samvad_cert_key_wipe when done. */
typedef struct samvad_cert_key {
  uint8_t public_key[SAMVAD_CERT_PUBLIC_KEY_BYTES];
  uint8_t secret_key[SAMVAD_CERT_SECRET_KEY_BYTES];
  uint8_t key_id[SAMVAD_CERT_KEY_ID_BYTES];
} samvad_cert_key;

/* Derives the key pair and id from a seed (the caller draws it, e.g. with
 * libsodium's randombytes_buf). Returns 0, or SAMVAD_EINVAL on NULL. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_cert_key_from_seed(const uint8_t seed[SAMVAD_CERT_SEED_BYTES],
                          samvad_cert_key *out);
/* Overwrites the key with zeros in a way the compiler keeps. */
SAMVAD_API void samvad_cert_key_wipe(samvad_cert_key *key);
/* The key id of a public key: the first 8 bytes of its SHA-256. */
SAMVAD_API void
samvad_cert_key_id(const uint8_t public_key[SAMVAD_CERT_PUBLIC_KEY_BYTES],
                   uint8_t out[SAMVAD_CERT_KEY_ID_BYTES]);
/* A key id as 16 lower-case hex digits and a NUL, as people type it. */
SAMVAD_API void
samvad_cert_key_id_format(const uint8_t id[SAMVAD_CERT_KEY_ID_BYTES],
                          char out[SAMVAD_CERT_KEY_ID_HEX_BYTES]);
/* Parses 16 hex digits (either case, nothing else); SAMVAD_EINVAL when s
 * is anything else. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_cert_key_id_parse(const char *s, uint8_t out[SAMVAD_CERT_KEY_ID_BYTES]);

/* ---- Issuing -----------------------------------------------------------------
 * Builds the canonical payload of cert (fields in any order: they are
 * sorted by tag), compresses the body with raw DEFLATE when that makes it
 * smaller (where worth trying, see SAMVAD_CERT_TRY_COMPRESS; never with
 * SAMVAD_CERT_NO_COMPRESS), signs it with key
 * and writes the QR text "SV1:..." and a NUL into text. *len gets the
 * text's length without the NUL; with cap too small nothing usable is
 * written, SAMVAD_ENOSPC is returned and *len is the length needed (a
 * buffer of SAMVAD_CERT_MAX_TEXT_BYTES + 1 always suffices).
 *
 * Errors: SAMVAD_EINVAL for a certificate that breaks the rules above
 * (doc_type or serial 0, times out of range, a tag 0/128 or reserved, a
 * repeated tag, an empty or invalid text, a bad date, no issuing office);
 * SAMVAD_ELIMIT when a field is too long, there are too many, or the
 * result exceeds SAMVAD_CERT_MAX_BLOB_BYTES; SAMVAD_ENOMEM (zlib).
 * *why (may be NULL) gets a static English reason on failure. */
#define SAMVAD_CERT_NO_COMPRESS 1u
/* By default DEFLATE is tried only for text beyond ASCII or a body too big
 * to fit QR version 15 stored (docs/certificates.md, section 4); this tries
 * it always. */
#define SAMVAD_CERT_TRY_COMPRESS 2u
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_cert_issue(const samvad_cert *cert, const samvad_cert_key *key,
                  unsigned options, char *text, size_t cap, size_t *len,
                  const char **why);

/* ---- Certificate numbers --------------------------------------------------
 * The number printed for people: the document's prefix (1-8 of A-Z 0-9,
 * e.g. the service's "MR"), '-', and the serial as 13 Crockford base32
 * characters (no I, L, O or U), e.g. "MR-0F3KZ8Q1W2ZNA". */
#define SAMVAD_CERT_NUMBER_MAX_BYTES 23 /* 8 + 1 + 13 + NUL */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_cert_number_format(const char *prefix, uint64_t serial, char *out,
                          size_t cap);
/* Reads a number back, e.g. for revocation. Lower case and the look-alikes
 * I, L (read as 1) and O (read as 0) are accepted, as Crockford intends;
 * the prefix is copied (upper-cased) into prefix (may be NULL) of cap
 * bytes. SAMVAD_EINVAL for anything that is not a number. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_cert_number_parse(const char *number, char *prefix, size_t prefix_cap,
                         uint64_t *serial);

/* ---- Trust list ----------------------------------------------------------------
 * The issuing keys that verifiers accept, each with the document types it
 * may sign and the period in which it may sign, signed by a root key that
 * verifiers pin. A key is withdrawn (not deleted) when compromised: every
 * certificate it signed is then refused, whatever its date. */
#define SAMVAD_TRUST_MAX_KEYS 64
#define SAMVAD_TRUST_MAX_DOC_TYPES 16
#define SAMVAD_TRUST_MAX_LABEL_BYTES 64
#define SAMVAD_TRUST_MAX_ROOTS 4
#define SAMVAD_TRUST_LIST_MAX_BYTES 16384

typedef enum samvad_key_status {
  SAMVAD_KEY_ACTIVE = 1,
  SAMVAD_KEY_WITHDRAWN = 2
} samvad_key_status;

typedef struct samvad_trust_key {
  uint8_t public_key[SAMVAD_CERT_PUBLIC_KEY_BYTES];
  uint8_t key_id[SAMVAD_CERT_KEY_ID_BYTES]; /* derived; ignored when signing */
  samvad_key_status status;
  int64_t not_before;   /* first issued_at it may sign */
  int64_t not_after;    /* last issued_at, and latest expires_at; 0: open */
  int64_t withdrawn_at; /* when withdrawn; 0 while active */
  size_t doc_type_count;                          /* 1-16 */
  uint8_t doc_types[SAMVAD_TRUST_MAX_DOC_TYPES];  /* ascending, non-zero */
  char label[SAMVAD_TRUST_MAX_LABEL_BYTES + 1];   /* e.g. the office; UTF-8 */
} samvad_trust_key;

typedef struct samvad_trust_list {
  uint32_t seq;        /* increases with every new version */
  int64_t issued_at;
  int64_t next_update; /* when a newer list is due; 0: none announced */
  uint8_t root_key_id[SAMVAD_CERT_KEY_ID_BYTES]; /* set by parse */
  size_t key_count;    /* 1-64 */
  samvad_trust_key keys[SAMVAD_TRUST_MAX_KEYS];
} samvad_trust_list;

/* Serialises list and signs it with root. Same ENOSPC contract as
 * samvad_cert_issue (SAMVAD_TRUST_LIST_MAX_BYTES always suffices).
 * SAMVAD_EINVAL for a list that breaks the rules above or repeats a public
 * key; *why (may be NULL) says which. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_trust_list_sign(const samvad_trust_list *list,
                       const samvad_cert_key *root, unsigned char *buf,
                       size_t cap, size_t *len, const char **why);

/* Checks a signed trust list against the pinned root public keys and fills
 * out. Errors: SAMVAD_ECORRUPT (malformed, not signed by any of roots, or a
 * signature that does not verify), SAMVAD_EVERSION, SAMVAD_ELIMIT (over
 * SAMVAD_TRUST_LIST_MAX_BYTES); *why (may be NULL) says which. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_trust_list_parse(const unsigned char *buf, size_t len,
                        const uint8_t (*roots)[SAMVAD_CERT_PUBLIC_KEY_BYTES],
                        size_t root_count, samvad_trust_list *out,
                        const char **why);

/* ---- Revocation list -------------------------------------------------------------
 * Serials of revoked certificates, signed by a root key or by an active
 * issuing key of the trust list. Serials are random, so the list says
 * nothing about whom the certificates concern. */
#define SAMVAD_REVOCATIONS_MAX 100000

typedef enum samvad_revocation_reason {
  SAMVAD_REVOKED_UNSPECIFIED = 0,
  SAMVAD_REVOKED_ERROR = 1,      /* issued in error */
  SAMVAD_REVOKED_SUPERSEDED = 2, /* replaced by a new certificate */
  SAMVAD_REVOKED_FRAUD = 3,      /* obtained by fraud */
  SAMVAD_REVOKED_CANCELLED = 4   /* cancelled by an authority or a court */
} samvad_revocation_reason;
#define SAMVAD_REVOKED_REASON_COUNT 5

/* "unspecified", "error", "superseded", "fraud", "cancelled"; NULL for
 * anything else. */
SAMVAD_API const char *samvad_revocation_reason_name(unsigned reason);
/* The reverse; SAMVAD_EINVAL for an unknown name. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_revocation_reason_parse(const char *name, unsigned *out);

typedef struct samvad_revocation {
  uint64_t serial;    /* non-zero */
  int64_t revoked_at;
  unsigned reason;    /* a samvad_revocation_reason */
} samvad_revocation;

typedef struct samvad_revocation_info {
  uint32_t seq;
  int64_t issued_at;
  int64_t next_update; /* 0: none announced */
  uint8_t signer_key_id[SAMVAD_CERT_KEY_ID_BYTES]; /* set by the library */
  size_t count;        /* set by the library */
} samvad_revocation_info;

/* Sorts entries by serial, as samvad_revocations_sign needs them. */
SAMVAD_API void samvad_revocations_sort(samvad_revocation *entries,
                                        size_t count);

/* Serialises and signs a revocation list: info's seq, issued_at and
 * next_update, then entries (strictly ascending serials, at most
 * SAMVAD_REVOCATIONS_MAX), signed by signer. Same ENOSPC contract as
 * samvad_cert_issue; 29 + 13 * count + 64 bytes. SAMVAD_EINVAL for
 * entries out of order, repeated, serial 0 or an unknown reason. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_revocations_sign(const samvad_revocation_info *info,
                        const samvad_revocation *entries, size_t count,
                        const samvad_cert_key *signer, unsigned char *buf,
                        size_t cap, size_t *len, const char **why);

/* ---- The verifier's trust store -------------------------------------------------
 * What a verifier knows: its pinned root keys, the current trust list, the
 * current revocation list and, optionally, the fields each document type
 * declares. Loading never goes backwards: a list whose seq is below the one
 * loaded (or below samvad_trust_require_seq's floor), or equal with
 * different bytes, is refused. A failed load leaves the store unchanged. */
typedef struct samvad_trust samvad_trust;

/* Creates a store pinned to 1-4 root public keys (copied). alloc may be
 * NULL. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_trust_create(const samvad_allocator *alloc,
                    const uint8_t (*roots)[SAMVAD_CERT_PUBLIC_KEY_BYTES],
                    size_t root_count, samvad_trust **out);
SAMVAD_API void samvad_trust_destroy(samvad_trust *trust);

/* Floors for the lists' seq, e.g. the highest a host saw before (it keeps
 * them to refuse an old list replayed to it). */
SAMVAD_API void samvad_trust_require_seq(samvad_trust *trust,
                                         uint32_t keys_seq,
                                         uint32_t revocations_seq);

/* Loads a signed trust list (see samvad_trust_list_parse), replacing the
 * current one. SAMVAD_ESTATE when its seq goes backwards; other errors as
 * samvad_trust_list_parse. samvad_trust_errmsg says why. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_trust_load_keys(samvad_trust *trust, const unsigned char *buf,
                       size_t len);

/* Loads a signed revocation list, replacing the current one. Its signer
 * must be a root or an active key of the loaded trust list. Errors:
 * SAMVAD_ECORRUPT (malformed, unknown signer, bad signature),
 * SAMVAD_EVERSION, SAMVAD_ELIMIT, SAMVAD_ESTATE (seq backwards),
 * SAMVAD_ENOMEM. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_trust_load_revocations(samvad_trust *trust, const unsigned char *buf,
                              size_t len);

/* A static English reason for the last failed load; "" after a success. */
SAMVAD_API const char *samvad_trust_errmsg(const samvad_trust *trust);

/* The loaded trust list, or NULL. It belongs to the store and changes with
 * the next successful samvad_trust_load_keys. */
SAMVAD_API const samvad_trust_list *
samvad_trust_keys(const samvad_trust *trust);

/* The loaded revocation list's header, and its i-th entry (ascending
 * serials). SAMVAD_ENOTFOUND when none is loaded or i is out of range. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_trust_revocations(const samvad_trust *trust,
                         samvad_revocation_info *out);
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_trust_revocation_get(const samvad_trust *trust, size_t i,
                            samvad_revocation *out);

/* Declares the fields of a document type, as its service spec does: then
 * a certificate of that type with a tag not declared, or without a required
 * one, is malformed, and results carry the fields' names. Without a
 * declaration every well-formed service tag is accepted unnamed. names
 * are copied (1-64 bytes of [a-z0-9_]). Replaces an earlier declaration.
 * SAMVAD_EINVAL for a bad tag, name or a repeated tag. */
typedef struct samvad_cert_tag_spec {
  uint8_t tag;
  int required; /* non-zero: every certificate of the type has it */
  const char *name;
} samvad_cert_tag_spec;
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_trust_declare_fields(samvad_trust *trust, uint8_t doc_type,
                            const samvad_cert_tag_spec *tags, size_t count);

/* ---- Verifying -----------------------------------------------------------------
 * Verdicts; their values are samvad verify's exit codes. */
typedef enum samvad_cert_verdict {
  SAMVAD_CERT_VALID = 0,
  SAMVAD_CERT_MALFORMED = 3,     /* encoding, length, version, payload */
  SAMVAD_CERT_UNTRUSTED = 4,     /* unknown key, or one not allowed */
  SAMVAD_CERT_BAD_SIGNATURE = 5,
  SAMVAD_CERT_EXPIRED = 6,       /* expired, or not yet valid */
  SAMVAD_CERT_REVOKED = 7
} samvad_cert_verdict;

/* The verifier's steps, in order; a result names the one that failed. */
typedef enum samvad_cert_step {
  SAMVAD_CERT_STEP_NONE = 0,      /* every step passed */
  SAMVAD_CERT_STEP_PREFIX = 1,
  SAMVAD_CERT_STEP_BASE45 = 2,
  SAMVAD_CERT_STEP_LENGTH = 3,
  SAMVAD_CERT_STEP_HEADER = 4,
  SAMVAD_CERT_STEP_KEY = 5,       /* key id lookup */
  SAMVAD_CERT_STEP_SIGNATURE = 6,
  SAMVAD_CERT_STEP_KEY_POLICY = 7, /* status, document type, validity */
  SAMVAD_CERT_STEP_INFLATE = 8,
  SAMVAD_CERT_STEP_BODY = 9,
  SAMVAD_CERT_STEP_TIME = 10,
  SAMVAD_CERT_STEP_REVOCATION = 11
} samvad_cert_step;

/* "prefix", "base45", ... "revocation"; "none" for SAMVAD_CERT_STEP_NONE. */
SAMVAD_API const char *samvad_cert_step_name(samvad_cert_step step);
/* "valid", "malformed", "untrusted", "bad-signature", "expired",
 * "revoked"; "unknown" for anything else. */
SAMVAD_API const char *samvad_cert_verdict_name(samvad_cert_verdict v);

/* Warnings that do not change the verdict. */
#define SAMVAD_CERT_WARN_NO_REVOCATIONS 1u    /* no revocation list loaded */
#define SAMVAD_CERT_WARN_REVOCATIONS_STALE 2u /* past its next_update */
#define SAMVAD_CERT_WARN_KEYS_STALE 4u        /* trust list past next_update */

/* What samvad_cert_verify found. Large (about 5 KiB): callers keep one and
 * reuse it. cert's header part (doc_type, serial, times, key_id) is filled
 * from step 4 on, for diagnostics, but is authentic only once the signature
 * verified (have_fields); fields are filled only then. */
typedef struct samvad_cert_result {
  samvad_cert_verdict verdict;
  samvad_cert_step failed_step;
  const char *reason;  /* static English, "valid" when valid */
  unsigned warnings;   /* SAMVAD_CERT_WARN_* bits */
  int have_header;     /* cert's header fields are filled */
  int have_fields;     /* the signature verified and fields are filled */
  int compressed;      /* the body was DEFLATE-compressed */
  samvad_cert cert;
  char key_label[SAMVAD_TRUST_MAX_LABEL_BYTES + 1]; /* the signer's label */
  samvad_revocation revocation; /* when REVOKED: the list's entry */
  char storage[SAMVAD_CERT_MAX_BODY_BYTES + SAMVAD_CERT_MAX_FIELDS * 8];
} samvad_cert_result;

/* Verifies a QR text (len bytes, no NUL needed) against trust at time now
 * (Unix seconds), in the order of samvad_cert_step, stopping at the first
 * failure, and fills out. Returns 0 whenever a verdict was reached (valid
 * or not); SAMVAD_EINVAL on NULL arguments and SAMVAD_ENOMEM when zlib
 * cannot allocate, with out's verdict then meaningless. Any input is
 * safe: nothing beyond SAMVAD_CERT_MAX_TEXT_BYTES is read. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_cert_verify(const samvad_trust *trust, const char *text, size_t len,
                   int64_t now, samvad_cert_result *out);

/* ---- The certificates a catalogue's services issue -------------------------
 * What each service's spec declares in its "certificate" section
 * (docs/spec-format.md): the document type, title, number prefix, issuing
 * office, validity and the answers carried under which tags. Strings
 * belong to the catalogue. */
typedef struct samvad_cert_spec_field {
  uint8_t tag;
  const char *var;                      /* the answer's variable name */
  const char *label[SAMVAD_LANG_COUNT]; /* how a verifier names it */
} samvad_cert_spec_field;

/* The document type service i issues (1-255), or 0 when it issues none. */
SAMVAD_API uint8_t samvad_catalogue_cert_doc_type(const samvad_catalogue *c,
                                                  size_t i);
/* The service issuing doc_type, or -1. */
SAMVAD_API long samvad_catalogue_find_doc_type(const samvad_catalogue *c,
                                               uint8_t doc_type);
/* Service i's certificate: its title, number prefix, fields. NULL / 0 when
 * it issues none (or i is out of range). */
SAMVAD_API const char *samvad_catalogue_cert_title(const samvad_catalogue *c,
                                                   size_t i, samvad_lang lang);
SAMVAD_API const char *
samvad_catalogue_cert_prefix(const samvad_catalogue *c, size_t i);
SAMVAD_API size_t samvad_catalogue_cert_field_count(const samvad_catalogue *c,
                                                    size_t i);
/* The k-th field of service i's certificate; SAMVAD_ENOTFOUND out of
 * range. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_catalogue_cert_field(const samvad_catalogue *c, size_t i, size_t k,
                            samvad_cert_spec_field *out);

/* How a verifier shows a value service i's certificate carries under tag:
 * for an answer to a choice, the option's title in lang ("Hindu Marriage
 * Act" for "hma"); NULL otherwise (show the value as it is). */
SAMVAD_API const char *
samvad_catalogue_cert_value_title(const samvad_catalogue *c, size_t i,
                                  uint8_t tag, const char *value,
                                  samvad_lang lang);

/* Fills out with the certificate an approved application gets: the
 * service's document type, serial, issued_at, the expiry its spec's
 * validity gives (0 when it never expires), the issuing office in lang,
 * the application's id (tag 2) and each declared answer the application
 * has. out's strings point into catalogue and app, which must outlive its
 * use. SAMVAD_ENOTFOUND when the service is unknown or issues no
 * certificate; SAMVAD_EINVAL for serial 0 or issued_at <= 0. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_cert_from_application(const samvad_catalogue *catalogue,
                             const samvad_application *app, samvad_lang lang,
                             int64_t issued_at, uint64_t serial,
                             samvad_cert *out);

/* Declares the fields of every document type the catalogue's services
 * issue (names: the variables'; none required, as a path may skip one),
 * so that verification names them and refuses undeclared tags. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_trust_declare_catalogue(samvad_trust *trust,
                               const samvad_catalogue *catalogue);

/* ---- QR codes ----------------------------------------------------------------------
 * A QR text as one alphanumeric segment at error correction level Q, in the
 * smallest version that holds it. Writers render it dark on light with a
 * quiet zone of SAMVAD_QR_QUIET_ZONE modules on every side. */
#define SAMVAD_QR_QUIET_ZONE 4
#define SAMVAD_QR_MAX_TEXT_BYTES 2420 /* version 40 at Q, alphanumeric */
typedef struct samvad_qr samvad_qr;

/* Encodes text (only the QR alphanumeric characters 0-9 A-Z space $ % * + -
 * . / :, which is every character a certificate's text has). Errors:
 * SAMVAD_EINVAL (another character, or empty), SAMVAD_ELIMIT (too long for
 * any version), SAMVAD_ENOMEM. alloc may be NULL (libqrencode itself
 * allocates with malloc while it works). */
SAMVAD_API SAMVAD_WARN_UNUSED int samvad_qr_encode(const char *text,
                                                   size_t len,
                                                   const samvad_allocator *alloc,
                                                   samvad_qr **out);
SAMVAD_API void samvad_qr_destroy(samvad_qr *qr);
/* The QR version, 1-40. */
SAMVAD_API int samvad_qr_version(const samvad_qr *qr);
/* Modules per side, without the quiet zone (17 + 4 * version). */
SAMVAD_API int samvad_qr_size(const samvad_qr *qr);
/* The module matrix, size * size bytes row by row, 1 for dark, 0 for
 * light; it belongs to qr. */
SAMVAD_API const unsigned char *samvad_qr_modules(const samvad_qr *qr);
/* Whether module (x, y) is dark; anything outside the symbol (the quiet
 * zone) is light. */
SAMVAD_API int samvad_qr_dark(const samvad_qr *qr, int x, int y);

/* An SVG document: black modules on a white square including the quiet
 * zone, scale pixels per module (1-100) for its width and height. Writes a
 * NUL after it; same ENOSPC contract as samvad_cert_issue. */
SAMVAD_API SAMVAD_WARN_UNUSED int samvad_qr_svg(const samvad_qr *qr,
                                                unsigned scale, char *buf,
                                                size_t cap, size_t *len);

/* Terminal art with UTF-8 half blocks (two module rows per line), so the
 * modules come out square. SAMVAD_QR_TERM_ANSI paints black on white with
 * ANSI colours, whatever the terminal's theme; without colours, blocks are
 * drawn in the text colour: LIGHT_BLOCKS for light text on a dark
 * background (blocks are the light modules), DARK_BLOCKS for dark text on
 * a light background or paper. Writes a NUL after it; same ENOSPC contract
 * as samvad_cert_issue. */
typedef enum samvad_qr_term_style {
  SAMVAD_QR_TERM_ANSI = 0,
  SAMVAD_QR_TERM_LIGHT_BLOCKS = 1,
  SAMVAD_QR_TERM_DARK_BLOCKS = 2
} samvad_qr_term_style;
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_qr_terminal(const samvad_qr *qr, samvad_qr_term_style style,
                   char *buf, size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* SAMVAD_CERT_H */
