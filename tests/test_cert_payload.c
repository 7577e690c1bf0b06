/* test_cert_payload.c - what the verifier refuses even under a good
 * signature (a careless or buggy issuer): non-canonical bodies, broken or
 * oversized DEFLATE, header rules; and signatures that are malleated, all
 * zeros, or valid only without the "SV1" domain. The certificates are
 * signed here byte by byte, as the library would never write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <zlib.h>

#include "cert_fixtures.h"

static samvad_cert_result g_res;

static void expect_blob(const samvad_trust *t, const unsigned char *blob,
                        size_t n, samvad_cert_verdict verdict,
                        samvad_cert_step step, const char *reason) {
  char text[2 * SAMVAD_CERT_MAX_TEXT_BYTES];
  size_t len = fx_text(blob, n, text);
  assert_int_equal(samvad_cert_verify(t, text, len, FX_NOW, &g_res), 0);
  if (g_res.verdict != verdict || g_res.failed_step != step ||
      strcmp(g_res.reason, reason) != 0)
    fail_msg("got %s at %s (%s), want %s at %s (%s)",
             samvad_cert_verdict_name(g_res.verdict),
             samvad_cert_step_name(g_res.failed_step), g_res.reason,
             samvad_cert_verdict_name(verdict), samvad_cert_step_name(step),
             reason);
}

/* A body and the reason the verifier gives for it. */
typedef struct body_case {
  const char *bytes;
  size_t len;
  const char *reason;
} body_case;

#define B(lit) lit, sizeof(lit) - 1
#define OFFICE "\x01\x03SDM"

static const body_case bad_bodies[] = {
    {B("\x02\x01X" OFFICE), "tags out of order or repeated"},
    {B(OFFICE "\x01\x03SDM"), "tags out of order or repeated"},
    {B(OFFICE "\x10\x01X\x10\x01Y"), "tags out of order or repeated"},
    {B("\x00\x01X" OFFICE), "tag 0 or 128"},
    {B(OFFICE "\x80\x01\x34\x5f\x1e"), "tag 0 or 128"},
    {B(OFFICE "\x03\x01X"), "reserved tag"},
    {B(OFFICE "\x0F\x01X"), "reserved tag"},
    {B(OFFICE "\x81\x01\x34\x5f\x1e"), "reserved tag"},
    {B(OFFICE "\x8F\x01\x34\x5f\x1e"), "reserved tag"},
    {B(OFFICE "\x10\x00"), "empty text"},
    {B(OFFICE "\x10\x05" "abc"), "truncated text"},
    {B(OFFICE "\x10"), "truncated text"},
    {B(OFFICE "\x90\x01\x34\x5f"), "truncated date"},
    /* 2023-02-30, 2023-13-01, 2023-00-10, 0000-01-01, 2023-04-31 */
    {B(OFFICE "\x90\x01\x34\xb0\x56"), "impossible date"},
    {B(OFFICE "\x90\x01\x34\xb4\x85"), "impossible date"},
    {B(OFFICE "\x90\x01\x34\xaf\x7a"), "impossible date"},
    {B(OFFICE "\x90\x00\x00\x00\x65"), "impossible date"},
    {B(OFFICE "\x90\x01\x34\xb1\x1f"), "impossible date"},
    {B(OFFICE "\x10\x02\xC0\xAF"), "invalid UTF-8"},        /* overlong */
    {B(OFFICE "\x10\x03\xED\xA0\x80"), "invalid UTF-8"},    /* surrogate */
    {B(OFFICE "\x10\x02\xE0\xA4"), "invalid UTF-8"},        /* cut short */
    {B(OFFICE "\x10\x01\xFF"), "invalid UTF-8"},
    {B(OFFICE "\x10\x03" "a\nb"), "control character in a text"},
    {B(OFFICE "\x10\x02" "a\x7F"), "control character in a text"},
    {B(OFFICE "\x10\x03" "a\xC2\x9B"), "control character in a text"},
    {B("\x02\x03" "APP"), "no issuing office (tag 1)"},
    {B("\x01\x04" "SDM\0"), "control character in a text"},
};

static void test_noncanonical_bodies(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  sv_cert_header h = fx_header();
  unsigned char blob[1024];
  for (size_t i = 0; i < sizeof bad_bodies / sizeof *bad_bodies; i++) {
    const body_case *c = &bad_bodies[i];
    size_t n = fx_sign_raw(&h, (const unsigned char *)c->bytes, c->len,
                           FX_ISSUER, blob);
    char text[2048];
    size_t len = fx_text(blob, n, text);
    assert_int_equal(samvad_cert_verify(t, text, len, FX_NOW, &g_res), 0);
    if (g_res.verdict != SAMVAD_CERT_MALFORMED ||
        g_res.failed_step != SAMVAD_CERT_STEP_BODY ||
        strcmp(g_res.reason, c->reason) != 0)
      fail_msg("body %zu: %s at %s (%s), want malformed body (%s)", i,
               samvad_cert_verdict_name(g_res.verdict),
               samvad_cert_step_name(g_res.failed_step), g_res.reason,
               c->reason);
    assert_false(g_res.have_fields);
    assert_int_equal(g_res.cert.field_count, 0);
  }
  /* The same bodies' good neighbours verify: a date of 2024-02-29. */
  static const char good[] = OFFICE "\x90\x01\x34\xd7\x65";
  size_t n = fx_sign_raw(&h, (const unsigned char *)good, sizeof good - 1,
                         FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE, "valid");
  assert_string_equal(g_res.cert.fields[1].value, "2024-02-29");
  samvad_trust_destroy(t);
}

/* Thirty-three fields, each in order and well formed, are still too many. */
static void test_too_many_fields(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  sv_cert_header h = fx_header();
  unsigned char body[200], blob[400];
  size_t o = 0;
  memcpy(body, OFFICE, 5);
  o = 5;
  for (int i = 0; i < 32; i++) {
    body[o++] = (unsigned char)(16 + i);
    body[o++] = 1;
    body[o++] = 'x';
  }
  size_t n = fx_sign_raw(&h, body, o, FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BODY,
              "more than 32 fields");
  n = fx_sign_raw(&h, body, o - 3, FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE, "valid");
  assert_int_equal(g_res.cert.field_count, 32);
  samvad_trust_destroy(t);
}

/* With a declaration, an undeclared tag or a missing required one is
 * malformed. */
static void test_declared_fields(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  samvad_cert_tag_spec spec[] = {{16, 1, "holder_name"}, {144, 0, "dob"}};
  assert_int_equal(samvad_trust_declare_fields(t, FX_DOC_MARRIAGE, spec, 2),
                   0);
  sv_cert_header h = fx_header();
  unsigned char blob[400];
  static const char undeclared[] = OFFICE "\x10\x01X\x11\x01Y";
  size_t n = fx_sign_raw(&h, (const unsigned char *)undeclared,
                         sizeof undeclared - 1, FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BODY,
              "tag not declared for this document type");
  static const char missing[] = OFFICE "\x90\x01\x34\xd7\x65";
  n = fx_sign_raw(&h, (const unsigned char *)missing, sizeof missing - 1,
                  FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BODY,
              "a required field is missing");
  static const char fine[] = OFFICE "\x02\x01R\x10\x01X";
  n = fx_sign_raw(&h, (const unsigned char *)fine, sizeof fine - 1, FX_ISSUER,
                  blob);
  expect_blob(t, blob, n, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE, "valid");
  assert_string_equal(g_res.cert.fields[2].name, "holder_name");
  /* Other document types are unaffected. */
  h.doc_type = FX_DOC_CASTE;
  n = fx_sign_raw(&h, (const unsigned char *)undeclared, sizeof undeclared - 1,
                  FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE, "valid");
  samvad_trust_destroy(t);
}

/* ---- DEFLATE -------------------------------------------------------------------- */
static size_t raw_deflate(const unsigned char *in, size_t n, unsigned char *out,
                          size_t cap, int level) {
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, -15, 8,
                                Z_DEFAULT_STRATEGY),
                   Z_OK);
  z.next_in = (Bytef *)(uintptr_t)in;
  z.avail_in = (uInt)n;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  size_t len = cap - z.avail_out;
  deflateEnd(&z);
  return len;
}

static void test_deflate_refusals(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  sv_cert_header h = fx_header();
  h.flags = 1;
  unsigned char blob[1024], z[700];

  /* Not DEFLATE at all. */
  static const unsigned char junk[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x12};
  size_t n = fx_sign_raw(&h, junk, sizeof junk, FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_INFLATE,
              "broken DEFLATE stream, or over 4096 bytes inflated");

  /* A bomb: 4097 bytes of a valid body inflate past the cap. */
  static unsigned char big[8192];
  memcpy(big, OFFICE "\x10\xFF", 7);
  memset(big + 7, 'a', sizeof big - 7);
  size_t zn = raw_deflate(big, 4097, z, sizeof z, 9);
  n = fx_sign_raw(&h, z, zn, FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_INFLATE,
              "broken DEFLATE stream, or over 4096 bytes inflated");
  zn = raw_deflate(big, sizeof big, z, sizeof z, 9);
  n = fx_sign_raw(&h, z, zn, FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_INFLATE,
              "broken DEFLATE stream, or over 4096 bytes inflated");

  /* A good stream, then truncated, then followed by a byte. */
  static unsigned char body[300];
  size_t bn = 0;
  memcpy(body, OFFICE, 5);
  bn = 5;
  for (int i = 0; i < 8; i++) {
    body[bn++] = (unsigned char)(16 + i);
    body[bn++] = 20;
    memcpy(body + bn, "Kumar Kumar Kumar Ku", 20);
    bn += 20;
  }
  zn = raw_deflate(body, bn, z, sizeof z, 9);
  assert_true(zn < bn);
  n = fx_sign_raw(&h, z, zn, FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE, "valid");
  assert_true(g_res.compressed);
  assert_int_equal(g_res.cert.field_count, 9);
  n = fx_sign_raw(&h, z, zn - 1, FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_INFLATE,
              "broken DEFLATE stream, or over 4096 bytes inflated");
  z[zn] = 0;
  n = fx_sign_raw(&h, z, zn + 1, FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_INFLATE,
              "broken DEFLATE stream, or over 4096 bytes inflated");

  /* Compressed, yet no smaller: stored blocks (level 0). */
  zn = raw_deflate(body, 10, z, sizeof z, 0);
  assert_true(zn >= 10);
  n = fx_sign_raw(&h, z, zn, FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_INFLATE,
              "compressed body no smaller than the body");

  /* The flag clear on a compressed body: the body is then nonsense. */
  h.flags = 0;
  zn = raw_deflate(body, bn, z, sizeof z, 9);
  n = fx_sign_raw(&h, z, zn, FX_ISSUER, blob);
  char text[1024];
  size_t len = fx_text(blob, n, text);
  assert_int_equal(samvad_cert_verify(t, text, len, FX_NOW, &g_res), 0);
  assert_int_equal(g_res.verdict, SAMVAD_CERT_MALFORMED);
  assert_int_equal(g_res.failed_step, SAMVAD_CERT_STEP_BODY);
  samvad_trust_destroy(t);
}

/* ---- The header ------------------------------------------------------------------ */
static void test_header_rules(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  static const unsigned char body[] = OFFICE;
  unsigned char blob[256];
  static const struct {
    int field;
    uint32_t value;
    const char *reason;
  } cases[] = {
      {0, 2, "unknown format version"},
      {0, 0, "unknown format version"},
      {1, 2, "reserved flag bits set"},
      {1, 0x81, "reserved flag bits set"},
      {2, 0, "document type 0"},
      {3, 0, "issue time 0"},
      {4, 1, "expires before it was issued"},
      {5, 0, "serial 0"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    sv_cert_header h = fx_header();
    switch (cases[i].field) {
    case 0: h.version = (uint8_t)cases[i].value; break;
    case 1: h.flags = (uint8_t)cases[i].value; break;
    case 2: h.doc_type = (uint8_t)cases[i].value; break;
    case 3: h.issued_at = cases[i].value; break;
    case 4: h.expires_at = h.issued_at; break;
    case 5: h.serial = 0; break;
    }
    size_t n = fx_sign_raw(&h, body, sizeof body - 1, FX_ISSUER, blob);
    expect_blob(t, blob, n, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_HEADER,
                cases[i].reason);
  }
  /* A header announcing no body at all. */
  sv_cert_header h = fx_header();
  size_t n = fx_sign_raw(&h, body, sizeof body - 1, FX_ISSUER, blob);
  blob[27] = 0;
  blob[28] = 0;
  expect_blob(t, blob, n, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_LENGTH,
              "bytes after the signature");
  samvad_trust_destroy(t);
}

/* ---- Signatures ----------------------------------------------------------------------- */
static void test_signature_forms(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  sv_cert_header h = fx_header();
  static const unsigned char body[] = OFFICE;
  unsigned char blob[256];
  size_t n = fx_sign_raw(&h, body, sizeof body - 1, FX_ISSUER, blob);
  expect_blob(t, blob, n, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE, "valid");
  unsigned char *sig = blob + n - 64;

  /* S + L: the same signature, malleated; libsodium refuses S >= L. */
  static const unsigned char L[32] = {
      0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
      0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
      0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  unsigned char saved[64];
  memcpy(saved, sig, 64);
  unsigned carry = 0;
  for (int i = 0; i < 32; i++) {
    unsigned s = sig[32 + i] + L[i] + carry;
    sig[32 + i] = (unsigned char)s;
    carry = s >> 8;
  }
  expect_blob(t, blob, n, SAMVAD_CERT_BAD_SIGNATURE,
              SAMVAD_CERT_STEP_SIGNATURE, "the signature does not verify");
  /* All zeros; a small-order R (the identity point) with S = 0. */
  memset(sig, 0, 64);
  expect_blob(t, blob, n, SAMVAD_CERT_BAD_SIGNATURE,
              SAMVAD_CERT_STEP_SIGNATURE, "the signature does not verify");
  sig[0] = 1;
  expect_blob(t, blob, n, SAMVAD_CERT_BAD_SIGNATURE,
              SAMVAD_CERT_STEP_SIGNATURE, "the signature does not verify");
  memcpy(sig, saved, 64);
  expect_blob(t, blob, n, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE, "valid");

  /* Signed without the "SV1" domain: refused. */
  samvad_cert_key k = fx_key(FX_ISSUER);
  crypto_sign_detached(sig, NULL, blob, n - 64, k.secret_key);
  expect_blob(t, blob, n, SAMVAD_CERT_BAD_SIGNATURE,
              SAMVAD_CERT_STEP_SIGNATURE, "the signature does not verify");
  samvad_trust_destroy(t);
}

/* Any bytes at all: a verdict and a reason, never a crash (the fuzz target
 * does this at length; here a fixed pseudo-random sample). */
static void test_random_texts(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 8];
  uint32_t x = 99;
  for (int round = 0; round < 2000; round++) {
    x = x * 1103515245u + 12345u;
    size_t len = 4 + (x >> 8) % (sizeof text - 4);
    memcpy(text, "SV1:", 4);
    for (size_t i = 4; i < len; i++) {
      x = x * 1103515245u + 12345u;
      text[i] = alphabet[(x >> 16) % 45];
    }
    assert_int_equal(samvad_cert_verify(t, text, len, FX_NOW, &g_res), 0);
    assert_int_not_equal(g_res.verdict, SAMVAD_CERT_VALID);
    assert_true(g_res.reason[0] != '\0');
  }
  samvad_trust_destroy(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_noncanonical_bodies),
      cmocka_unit_test(test_too_many_fields),
      cmocka_unit_test(test_declared_fields),
      cmocka_unit_test(test_deflate_refusals),
      cmocka_unit_test(test_header_rules),
      cmocka_unit_test(test_signature_forms),
      cmocka_unit_test(test_random_texts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
