/* test_cert_vectors.c - the test vectors in tests/cert-vectors/: one JSON
 * file per case with every stage (QR text, Base45, blob, header fields,
 * body as stored and inflated, signed message, signature) and the verdict
 * expected, plus trust.json with the keys (from fixed seeds), the signed
 * trust list and the revocation list. This test builds every case again,
 * checks each verdict against the table below and compares the files byte
 * for byte. SAMVAD_CERT_VECTORS_WRITE=1 rewrites them instead (after a
 * deliberate format change; the diff then shows what moved). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <yajl/yajl_gen.h>
#include <zlib.h>

#include "cert_fixtures.h"
#include "test_files.h"

#define VECTOR_DIR SAMVAD_TEST_DIR "/cert-vectors"

/* ---- JSON through yajl ------------------------------------------------------ */
static void j_str(yajl_gen g, const char *s) {
  yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}
static void j_key_str(yajl_gen g, const char *k, const char *v) {
  j_str(g, k);
  j_str(g, v);
}
static void j_key_int(yajl_gen g, const char *k, long long v) {
  j_str(g, k);
  yajl_gen_integer(g, v);
}
static void j_key_hex(yajl_gen g, const char *k, const unsigned char *b,
                      size_t n) {
  static char hex[2 * 5000 + 1];
  sodium_bin2hex(hex, sizeof hex, b, n);
  j_key_str(g, k, hex);
}

static yajl_gen j_new(void) {
  yajl_gen g = yajl_gen_alloc(NULL);
  yajl_gen_config(g, yajl_gen_beautify, 1);
  yajl_gen_config(g, yajl_gen_indent_string, "  ");
  yajl_gen_config(g, yajl_gen_validate_utf8, 1);
  return g;
}

/* Compares (or, when asked, writes) the generated file. */
static void j_finish(yajl_gen g, const char *name) {
  const unsigned char *buf;
  size_t len;
  assert_int_equal(yajl_gen_get_buf(g, &buf, &len), yajl_gen_status_ok);
  char path[512];
  snprintf(path, sizeof path, "%s/%s", VECTOR_DIR, name);
  const char *write = getenv("SAMVAD_CERT_VECTORS_WRITE");
  if (write && strcmp(write, "1") == 0) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
  } else {
    size_t have_len = 0;
    char *have = test_read_file(path, &have_len);
    if (!have)
      fail_msg("%s is missing (SAMVAD_CERT_VECTORS_WRITE=1 writes it)", path);
    if (have_len != len || memcmp(have, buf, len) != 0)
      fail_msg("%s differs from what the library produces now", path);
    free(have);
  }
  yajl_gen_free(g);
}

/* ---- The shared keys and lists ----------------------------------------------- */
static unsigned char g_revocations[512];
static size_t g_revocations_len;
#define REVOKED_SERIAL 0x5EED5EED5EED5EEDull

static samvad_trust *vector_trust(void) {
  samvad_trust *t = fx_trust();
  samvad_revocation e = {REVOKED_SERIAL, FX_NOW - 86400, SAMVAD_REVOKED_ERROR};
  samvad_revocation_info info = {.seq = 1, .issued_at = FX_NOW - 86400,
                                 .next_update = FX_NOW + 6 * 86400};
  samvad_cert_key root = fx_key(FX_ROOT);
  assert_int_equal(samvad_revocations_sign(&info, &e, 1, &root, g_revocations,
                                           sizeof g_revocations,
                                           &g_revocations_len, NULL),
                   0);
  assert_int_equal(
      samvad_trust_load_revocations(t, g_revocations, g_revocations_len), 0);
  return t;
}

static void test_trust_file(void **state) {
  (void)state;
  samvad_trust *t = vector_trust();
  yajl_gen g = j_new();
  yajl_gen_map_open(g);
  j_key_str(g, "about", "Keys from fixed seeds (crypto_sign_seed_keypair), "
                        "the signed trust list and revocation list that "
                        "every case is verified against, at time now.");
  j_key_int(g, "now", FX_NOW);
  j_str(g, "keys");
  yajl_gen_map_open(g);
  static const char *const names[FX_KEY_COUNT] = {
      "root", "issuer", "licence_only", "withdrawn", "stranger", "other_root"};
  for (int k = 0; k < FX_KEY_COUNT; k++) {
    samvad_cert_key key = fx_key((enum fx_key)k);
    j_str(g, names[k]);
    yajl_gen_map_open(g);
    j_key_hex(g, "seed", key.secret_key, 32);
    j_key_hex(g, "public_key", key.public_key, 32);
    j_key_hex(g, "key_id", key.key_id, 8);
    yajl_gen_map_close(g);
  }
  yajl_gen_map_close(g);
  samvad_trust_list l = fx_trust_list(1);
  static unsigned char buf[SAMVAD_TRUST_LIST_MAX_BYTES];
  size_t len = fx_sign_list(&l, FX_ROOT, buf, sizeof buf);
  j_key_hex(g, "trust_list", buf, len);
  j_key_hex(g, "revocation_list", g_revocations, g_revocations_len);
  yajl_gen_map_close(g);
  j_finish(g, "trust.json");
  samvad_trust_destroy(t);
}

/* ---- Cases ------------------------------------------------------------------- */
typedef struct vcase {
  const char *name;
  const char *what;
  samvad_cert_verdict verdict;
  samvad_cert_step step;
} vcase;

/* The expected verdicts: fixed here, not taken from the library. */
static const vcase cases[] = {
    {"valid-latin", "marriage, Latin names, compressed", SAMVAD_CERT_VALID,
     SAMVAD_CERT_STEP_NONE},
    {"valid-latin-uncompressed", "the same without compression",
     SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE},
    {"valid-devanagari", "marriage, Devanagari names, compressed",
     SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE},
    {"valid-licence", "driving licence with an expiry, licence-only key",
     SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE},
    {"prefix-lower-case", "valid-latin with \"sv1:\"", SAMVAD_CERT_MALFORMED,
     SAMVAD_CERT_STEP_PREFIX},
    {"prefix-hc1", "valid-latin with \"HC1:\"", SAMVAD_CERT_MALFORMED,
     SAMVAD_CERT_STEP_PREFIX},
    {"base45-bad-character", "a lower-case letter in the Base45",
     SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BASE45},
    {"base45-length", "one Base45 character more (length % 3 == 1)",
     SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BASE45},
    {"base45-triplet-overflow", "first triplet GGW = 65536",
     SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BASE45},
    {"truncated", "valid-latin without its last byte", SAMVAD_CERT_MALFORMED,
     SAMVAD_CERT_STEP_LENGTH},
    {"trailing-bytes", "valid-latin with a zero byte appended",
     SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_LENGTH},
    {"unknown-version", "version byte 2, signed", SAMVAD_CERT_MALFORMED,
     SAMVAD_CERT_STEP_HEADER},
    {"reserved-flag", "flags 0x02, signed", SAMVAD_CERT_MALFORMED,
     SAMVAD_CERT_STEP_HEADER},
    {"unknown-key", "signed by the stranger key", SAMVAD_CERT_UNTRUSTED,
     SAMVAD_CERT_STEP_KEY},
    {"bad-signature", "valid-latin with the signature's last bit flipped",
     SAMVAD_CERT_BAD_SIGNATURE, SAMVAD_CERT_STEP_SIGNATURE},
    {"no-domain", "signed without the \"SV1\" domain prefix",
     SAMVAD_CERT_BAD_SIGNATURE, SAMVAD_CERT_STEP_SIGNATURE},
    {"doc-type-not-allowed", "a marriage certificate by the licence-only key",
     SAMVAD_CERT_UNTRUSTED, SAMVAD_CERT_STEP_KEY_POLICY},
    {"withdrawn-key", "signed by the withdrawn key", SAMVAD_CERT_UNTRUSTED,
     SAMVAD_CERT_STEP_KEY_POLICY},
    {"issued-before-key", "issued before the key's not_before",
     SAMVAD_CERT_UNTRUSTED, SAMVAD_CERT_STEP_KEY_POLICY},
    {"broken-deflate", "flag 1 on bytes that are not DEFLATE",
     SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_INFLATE},
    {"deflate-bomb", "a stream inflating to 8192 bytes",
     SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_INFLATE},
    {"tags-out-of-order", "tag 2 before tag 1", SAMVAD_CERT_MALFORMED,
     SAMVAD_CERT_STEP_BODY},
    {"impossible-date", "2023-02-30 as a date", SAMVAD_CERT_MALFORMED,
     SAMVAD_CERT_STEP_BODY},
    {"invalid-utf8", "an overlong '/' (C0 AF) in a text",
     SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BODY},
    {"expired", "a licence that expired an hour before now",
     SAMVAD_CERT_EXPIRED, SAMVAD_CERT_STEP_TIME},
    {"not-yet-valid", "issued a day after now", SAMVAD_CERT_EXPIRED,
     SAMVAD_CERT_STEP_TIME},
    {"revoked", "serial 5eed5eed5eed5eed is on the revocation list",
     SAMVAD_CERT_REVOKED, SAMVAD_CERT_STEP_REVOCATION},
};
#define CASE_COUNT (sizeof cases / sizeof *cases)

static samvad_cert licence(int64_t iat, int64_t exp, uint64_t serial) {
  samvad_cert c;
  memset(&c, 0, sizeof c);
  c.doc_type = FX_DOC_LICENCE;
  c.serial = serial;
  c.issued_at = iat;
  c.expires_at = exp;
  fx_set(&c, SAMVAD_CERT_TAG_OFFICE, "Zonal Office, Sarai Kale Khan");
  fx_set(&c, SAMVAD_CERT_TAG_APPLICATION, "DL-2026-4M8ZQ2KC");
  fx_set(&c, 16, "Anita Singh");
  fx_set(&c, 17, "LMV, MCWG");
  fx_set(&c, 144, "2026-01-15");
  fx_set(&c, 145, "2046-01-14");
  return c;
}

/* Signs a raw body (as the library never would) into text. */
static size_t raw(sv_cert_header h, const char *body, size_t n,
                  enum fx_key key, char *text) {
  unsigned char blob[4200];
  size_t len = fx_sign_raw(&h, (const unsigned char *)body, n, key, blob);
  return fx_text(blob, len, text);
}

/* Builds case i's text; *cert (may stay unused) is the issuer's input. */
static size_t build(size_t i, char *text, samvad_cert *cert, int *have_cert) {
  const char *name = cases[i].name;
  *have_cert = 1;
  *cert = fx_marriage(0);
  size_t len = fx_issue(cert, FX_ISSUER, 0, text, SAMVAD_CERT_MAX_TEXT_BYTES + 1);
  unsigned char blob[SAMVAD_CERT_MAX_BLOB_BYTES + 1];
  if (strcmp(name, "valid-latin") == 0)
    return len;
  if (strcmp(name, "valid-latin-uncompressed") == 0)
    return fx_issue(cert, FX_ISSUER, SAMVAD_CERT_NO_COMPRESS, text,
                    SAMVAD_CERT_MAX_TEXT_BYTES + 1);
  if (strcmp(name, "valid-devanagari") == 0) {
    *cert = fx_marriage(1);
    return fx_issue(cert, FX_ISSUER, 0, text, SAMVAD_CERT_MAX_TEXT_BYTES + 1);
  }
  if (strcmp(name, "valid-licence") == 0 || strcmp(name, "expired") == 0) {
    int64_t exp = name[0] == 'v' ? FX_2031 - 86400 : FX_NOW - 3600;
    *cert = licence(FX_ISSUED - 86400 * 30, exp, 0x1CE1CE1CE1CE1CEull);
    return fx_issue(cert, FX_LICENCE_ONLY, 0, text,
                    SAMVAD_CERT_MAX_TEXT_BYTES + 1);
  }
  if (strcmp(name, "prefix-lower-case") == 0) {
    memcpy(text, "sv1:", 4);
    return len;
  }
  if (strcmp(name, "prefix-hc1") == 0) {
    memcpy(text, "HC1:", 4);
    return len;
  }
  if (strcmp(name, "base45-bad-character") == 0) {
    text[10] = 'q';
    return len;
  }
  if (strcmp(name, "base45-length") == 0) {
    text[len] = '0';
    text[len + 1] = '\0';
    return len + 1;
  }
  if (strcmp(name, "base45-triplet-overflow") == 0) {
    memcpy(text + 4, "GGW", 3);
    return len;
  }
  size_t n = fx_blob(text, len, blob);
  if (strcmp(name, "truncated") == 0)
    return fx_text(blob, n - 1, text);
  if (strcmp(name, "trailing-bytes") == 0) {
    blob[n] = 0;
    return fx_text(blob, n + 1, text);
  }
  if (strcmp(name, "bad-signature") == 0) {
    blob[n - 1] ^= 1;
    return fx_text(blob, n, text);
  }
  if (strcmp(name, "no-domain") == 0) {
    samvad_cert_key k = fx_key(FX_ISSUER);
    crypto_sign_detached(blob + n - 64, NULL, blob, n - 64, k.secret_key);
    return fx_text(blob, n, text);
  }
  if (strcmp(name, "unknown-key") == 0)
    return fx_issue(cert, FX_STRANGER, 0, text, SAMVAD_CERT_MAX_TEXT_BYTES + 1);
  if (strcmp(name, "doc-type-not-allowed") == 0)
    return fx_issue(cert, FX_LICENCE_ONLY, 0, text,
                    SAMVAD_CERT_MAX_TEXT_BYTES + 1);
  if (strcmp(name, "withdrawn-key") == 0)
    return fx_issue(cert, FX_WITHDRAWN, 0, text, SAMVAD_CERT_MAX_TEXT_BYTES + 1);
  if (strcmp(name, "issued-before-key") == 0) {
    cert->issued_at = FX_2025 - 86400;
    return fx_issue(cert, FX_ISSUER, 0, text, SAMVAD_CERT_MAX_TEXT_BYTES + 1);
  }
  if (strcmp(name, "not-yet-valid") == 0) {
    cert->issued_at = FX_NOW + 86400;
    return fx_issue(cert, FX_ISSUER, 0, text, SAMVAD_CERT_MAX_TEXT_BYTES + 1);
  }
  if (strcmp(name, "revoked") == 0) {
    cert->serial = REVOKED_SERIAL;
    return fx_issue(cert, FX_ISSUER, 0, text, SAMVAD_CERT_MAX_TEXT_BYTES + 1);
  }
  /* The rest are signed byte by byte. */
  *have_cert = 0;
  sv_cert_header h = fx_header();
#define RAW(body) raw(h, body, sizeof body - 1, FX_ISSUER, text)
  if (strcmp(name, "unknown-version") == 0) {
    h.version = 2;
    return RAW("\x01\x03SDM");
  }
  if (strcmp(name, "reserved-flag") == 0) {
    h.flags = 2;
    return RAW("\x01\x03SDM");
  }
  if (strcmp(name, "broken-deflate") == 0) {
    h.flags = 1;
    return RAW("\xFF\xFF\xFF\xFF\x00\x12");
  }
  if (strcmp(name, "deflate-bomb") == 0) {
    static unsigned char zeros[8192], z[200];
    uLongf zn = sizeof z;
    z_stream s;
    memset(&s, 0, sizeof s);
    assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -15, 8,
                                  Z_DEFAULT_STRATEGY),
                     Z_OK);
    s.next_in = zeros;
    s.avail_in = sizeof zeros;
    s.next_out = z;
    s.avail_out = (uInt)zn;
    assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
    zn = sizeof z - s.avail_out;
    deflateEnd(&s);
    h.flags = 1;
    return raw(h, (const char *)z, zn, FX_ISSUER, text);
  }
  if (strcmp(name, "tags-out-of-order") == 0)
    return RAW("\x02\x03" "APP" "\x01\x03" "SDM");
  if (strcmp(name, "impossible-date") == 0)
    return RAW("\x01\x03SDM\x90\x01\x34\xb0\x56");
  if (strcmp(name, "invalid-utf8") == 0)
    return RAW("\x01\x03SDM\x10\x04" "a\xC0\xAF" "b");
#undef RAW
  fail_msg("no builder for case %s", name);
  return 0;
}

/* Every stage that can be read from the text, for another implementation
 * to compare against. */
static void write_stages(yajl_gen g, const char *text, size_t len) {
  j_str(g, "stages");
  yajl_gen_map_open(g);
  unsigned char blob[SAMVAD_CERT_MAX_TEXT_BYTES];
  long n = len >= 4 ? sv_base45_decode(text + 4, len - 4, blob) : -1;
  if (n >= SAMVAD_CERT_HEADER_BYTES + 64) {
    size_t bn = (size_t)n;
    j_key_hex(g, "blob", blob, bn);
    j_key_hex(g, "header", blob, SAMVAD_CERT_HEADER_BYTES);
    sv_cert_header h;
    sv_cert_header_read(blob, &h);
    j_str(g, "header_fields");
    yajl_gen_map_open(g);
    j_key_int(g, "version", h.version);
    j_key_int(g, "doc_type", h.doc_type);
    j_key_int(g, "flags", h.flags);
    j_key_hex(g, "key_id", h.key_id, 8);
    j_key_int(g, "issued_at", h.issued_at);
    j_key_int(g, "expires_at", h.expires_at);
    unsigned char serial[8];
    sv_put_u64(serial, h.serial);
    j_key_hex(g, "serial", serial, 8);
    j_key_int(g, "body_len", h.body_len);
    yajl_gen_map_close(g);
    size_t stored = bn - SAMVAD_CERT_HEADER_BYTES - 64;
    j_key_hex(g, "stored_body", blob + SAMVAD_CERT_HEADER_BYTES, stored);
    if ((h.flags & 1) && h.version == 1) {
      static unsigned char body[SAMVAD_CERT_MAX_BODY_BYTES];
      long b = sv_inflate(blob + SAMVAD_CERT_HEADER_BYTES, stored, body,
                          sizeof body);
      if (b > 0)
        j_key_hex(g, "body", body, (size_t)b);
    }
    static unsigned char msg[3 + SAMVAD_CERT_MAX_TEXT_BYTES];
    memcpy(msg, "SV1", 3);
    memcpy(msg + 3, blob, bn - 64);
    j_key_hex(g, "signed_message", msg, 3 + bn - 64);
    j_key_hex(g, "signature", blob + bn - 64, 64);
  }
  yajl_gen_map_close(g);
}

static void test_cases(void **state) {
  (void)state;
  samvad_trust *t = vector_trust();
  static samvad_cert_result r;
  for (size_t i = 0; i < CASE_COUNT; i++) {
    char text[2 * SAMVAD_CERT_MAX_TEXT_BYTES];
    samvad_cert cert;
    int have_cert = 0;
    size_t len = build(i, text, &cert, &have_cert);
    assert_int_equal(samvad_cert_verify(t, text, len, FX_NOW, &r), 0);
    if (r.verdict != cases[i].verdict || r.failed_step != cases[i].step)
      fail_msg("case %s: %s at %s (%s)", cases[i].name,
               samvad_cert_verdict_name(r.verdict),
               samvad_cert_step_name(r.failed_step), r.reason);

    yajl_gen g = j_new();
    yajl_gen_map_open(g);
    j_key_str(g, "name", cases[i].name);
    j_key_str(g, "description", cases[i].what);
    j_key_str(g, "trust", "trust.json");
    j_key_int(g, "now", FX_NOW);
    j_str(g, "qr_text");
    yajl_gen_string(g, (const unsigned char *)text, len);
    if (have_cert) {
      j_str(g, "certificate");
      yajl_gen_map_open(g);
      j_key_int(g, "doc_type", cert.doc_type);
      unsigned char serial[8];
      sv_put_u64(serial, cert.serial);
      j_key_hex(g, "serial", serial, 8);
      j_key_int(g, "issued_at", cert.issued_at);
      j_key_int(g, "expires_at", cert.expires_at);
      j_str(g, "fields");
      yajl_gen_array_open(g);
      for (size_t f = 0; f < cert.field_count; f++) {
        yajl_gen_map_open(g);
        j_key_int(g, "tag", cert.fields[f].tag);
        j_key_str(g, "type",
                  SAMVAD_CERT_TAG_IS_DATE(cert.fields[f].tag) ? "date"
                                                              : "text");
        j_str(g, "value");
        yajl_gen_string(g, (const unsigned char *)cert.fields[f].value,
                        cert.fields[f].len);
        yajl_gen_map_close(g);
      }
      yajl_gen_array_close(g);
      yajl_gen_map_close(g);
    }
    write_stages(g, text, len);
    j_str(g, "expected");
    yajl_gen_map_open(g);
    j_key_str(g, "verdict", samvad_cert_verdict_name(cases[i].verdict));
    j_key_int(g, "exit_code", cases[i].verdict);
    j_key_str(g, "failed_step", samvad_cert_step_name(cases[i].step));
    j_key_str(g, "reason", r.reason);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    char file[96];
    snprintf(file, sizeof file, "%02zu-%s.json", i + 1, cases[i].name);
    j_finish(g, file);
  }
  samvad_trust_destroy(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trust_file),
      cmocka_unit_test(test_cases),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
