/* test_cert.c - certificates end to end through the public API: issue and
 * verify round trips (Latin and Devanagari, compressed or not), every
 * single-bit change, truncations, trailing bytes, wrong prefixes,
 * and non-canonical Base45 (the issuer's refusals, numbers and key ids are
 * in test_cert_issue.c). Base45 itself is checked against RFC 9285's
 * examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cert_fixtures.h"

static samvad_cert_result g_res;

/* Verifies text at FX_NOW; the call itself must succeed. */
static const samvad_cert_result *check(const samvad_trust *t,
                                       const char *text, size_t len) {
  int rc = samvad_cert_verify(t, text, len, FX_NOW, &g_res);
  assert_int_equal(rc, 0);
  assert_non_null(g_res.reason);
  return &g_res;
}

static void expect(const samvad_trust *t, const char *text, size_t len,
                   samvad_cert_verdict verdict, samvad_cert_step step,
                   const char *reason) {
  const samvad_cert_result *r = check(t, text, len);
  if (r->verdict != verdict || r->failed_step != step ||
      (reason && strcmp(r->reason, reason) != 0))
    fail_msg("got %s at %s (%s), want %s at %s (%s)",
             samvad_cert_verdict_name(r->verdict),
             samvad_cert_step_name(r->failed_step), r->reason,
             samvad_cert_verdict_name(verdict), samvad_cert_step_name(step),
             reason ? reason : "any reason");
}

/* ---- Base45 ------------------------------------------------------------------ */
static void test_base45_rfc9285(void **state) {
  (void)state;
  static const struct {
    const char *bytes, *text;
  } cases[] = {{"AB", "BB8"},
               {"Hello!!", "%69 VD92EX0"},
               {"base-45", "UJCLQE7W581"},
               {"ietf!", "QED8WEX0"},
               {"", ""}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char out[64] = {0};
    size_t n = strlen(cases[i].bytes);
    sv_base45_encode((const unsigned char *)cases[i].bytes, n, out);
    assert_int_equal(sv_base45_len(n), strlen(cases[i].text));
    assert_memory_equal(out, cases[i].text, strlen(cases[i].text));
    unsigned char back[64];
    long m = sv_base45_decode(cases[i].text, strlen(cases[i].text), back);
    assert_int_equal(m, (long)n);
    assert_memory_equal(back, cases[i].bytes, n);
  }
  /* Every 2-byte value and every 1-byte value survive the round trip. */
  for (unsigned v = 0; v < 65536; v++) {
    unsigned char in[2] = {(unsigned char)(v >> 8), (unsigned char)v}, back[2];
    char text[3];
    sv_base45_encode(in, 2, text);
    assert_int_equal(sv_base45_decode(text, 3, back), 2);
    assert_memory_equal(in, back, 2);
    if (v < 256) {
      sv_base45_encode(in + 1, 1, text);
      assert_int_equal(sv_base45_decode(text, 2, back), 1);
      assert_int_equal(back[0], in[1]);
    }
  }
}

static void test_base45_strict(void **state) {
  (void)state;
  unsigned char out[16];
  static const char *const bad[] = {
      "GGW",     /* 65536 */
      "ZZZ",     /* above 65535 */
      "ZZ",      /* pair 1610 */
      "72",      /* pair 7 + 2*45 = 97 is fine, so extend below */
      "A",       /* length % 3 == 1 */
      "BB8A",    /* length % 3 == 1 */
      "bb8",     /* lower case */
      "BB!",     /* outside the alphabet */
      "B\nB",    /* line break */
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    if (i == 3) {
      assert_int_equal(sv_base45_decode("72", 2, out), 1); /* sanity */
      assert_int_equal(sv_base45_decode("6:", 2, out), -1); /* 6+44*45 */
      continue;
    }
    assert_int_equal(sv_base45_decode(bad[i], strlen(bad[i]), out), -1);
  }
  /* The NUL byte is outside the alphabet too. */
  assert_int_equal(sv_base45_decode("B\0B", 3, out), -1);
}

/* ---- Round trips --------------------------------------------------------------- */
static void roundtrip(int devanagari, unsigned options, int want_compressed) {
  samvad_trust *t = fx_trust();
  assert_int_equal(samvad_trust_declare_fields(t, FX_DOC_MARRIAGE,
                                               fx_marriage_tags,
                                               FX_MARRIAGE_TAG_COUNT),
                   0);
  samvad_cert c = fx_marriage(devanagari);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t len = fx_issue(&c, FX_ISSUER, options, text, sizeof text);
  assert_int_equal(strlen(text), len);
  assert_memory_equal(text, "SV1:", 4);
  const samvad_cert_result *r = check(t, text, len);
  assert_int_equal(r->verdict, SAMVAD_CERT_VALID);
  assert_string_equal(r->reason, "valid");
  assert_int_equal(r->failed_step, SAMVAD_CERT_STEP_NONE);
  assert_true(r->have_header && r->have_fields);
  assert_int_equal(r->compressed, want_compressed);
  assert_int_equal(r->warnings, SAMVAD_CERT_WARN_NO_REVOCATIONS);
  assert_string_equal(r->key_label, "SDM Kalkaji, South East");
  assert_int_equal(r->cert.doc_type, FX_DOC_MARRIAGE);
  assert_true(r->cert.serial == FX_SERIAL);
  assert_true(r->cert.issued_at == FX_ISSUED);
  assert_true(r->cert.expires_at == 0);
  samvad_cert_key k = fx_key(FX_ISSUER);
  assert_memory_equal(r->cert.key_id, k.key_id, 8);
  /* Every field comes back, sorted by tag, with its declared name. */
  assert_int_equal(r->cert.field_count, c.field_count);
  for (size_t i = 0; i < c.field_count; i++) {
    const samvad_cert_field *got = &r->cert.fields[i];
    if (i > 0)
      assert_true(got->tag > r->cert.fields[i - 1].tag);
    const samvad_cert_field *want = NULL;
    for (size_t j = 0; j < c.field_count; j++)
      if (c.fields[j].tag == got->tag)
        want = &c.fields[j];
    assert_non_null(want);
    assert_int_equal(got->len, want->len);
    assert_memory_equal(got->value, want->value, want->len);
    assert_int_equal(got->value[got->len], '\0');
    assert_non_null(got->name);
  }
  assert_string_equal(r->cert.fields[0].name, "issuing_office");
  assert_string_equal(r->cert.fields[1].name, "application");
  assert_string_equal(r->cert.fields[2].name, "groom_name");
  /* Issuing is deterministic (Ed25519 is): the same input, the same text. */
  char again[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  assert_int_equal(fx_issue(&c, FX_ISSUER, options, again, sizeof again), len);
  assert_string_equal(text, again);
  samvad_trust_destroy(t);
}

static void test_roundtrip_latin(void **state) {
  (void)state;
  roundtrip(0, SAMVAD_CERT_NO_COMPRESS, 0);
  /* Latin text that fits version 15 stored is not worth DEFLATE's time. */
  roundtrip(0, 0, 0);
  roundtrip(0, SAMVAD_CERT_TRY_COMPRESS, 1); /* "Kumar", ", " repeat */
}

static void test_roundtrip_devanagari(void **state) {
  (void)state;
  roundtrip(1, 0, 1);
  roundtrip(1, SAMVAD_CERT_NO_COMPRESS, 0);
}

/* Compression is kept only when it makes the body smaller. */
static void test_compress_only_when_smaller(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  samvad_cert c;
  memset(&c, 0, sizeof c);
  c.doc_type = FX_DOC_CASTE;
  c.serial = 7;
  c.issued_at = FX_ISSUED;
  fx_set(&c, SAMVAD_CERT_TAG_OFFICE, "SDM Rohini");
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t len = fx_issue(&c, FX_ISSUER, 0, text, sizeof text);
  const samvad_cert_result *r = check(t, text, len);
  assert_int_equal(r->verdict, SAMVAD_CERT_VALID);
  assert_int_equal(r->compressed, 0);
  /* Without a declaration, service tags are accepted unnamed. */
  fx_set(&c, 150, "2026-02-01");
  fx_set(&c, 40, "OBC (Delhi)");
  len = fx_issue(&c, FX_ISSUER, 0, text, sizeof text);
  r = check(t, text, len);
  assert_int_equal(r->verdict, SAMVAD_CERT_VALID);
  assert_int_equal(r->cert.field_count, 3);
  assert_int_equal(r->cert.fields[1].tag, 40);
  assert_null(r->cert.fields[1].name);
  assert_int_equal(r->cert.fields[2].tag, 150);
  assert_string_equal(r->cert.fields[2].value, "2026-02-01");
  samvad_trust_destroy(t);
}

/* ---- Single-bit changes, truncations, trailing bytes ---------------------------- */
static void flip_every_bit(int devanagari) {
  samvad_trust *t = fx_trust();
  samvad_cert c = fx_marriage(devanagari);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t len = fx_issue(&c, FX_ISSUER, 0, text, sizeof text);
  unsigned char blob[SAMVAD_CERT_MAX_BLOB_BYTES], copy[sizeof blob];
  size_t n = fx_blob(text, len, blob);
  size_t by_verdict[8] = {0};
  for (size_t bit = 0; bit < n * 8; bit++) {
    memcpy(copy, blob, n);
    copy[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    char changed[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
    size_t clen = fx_text(copy, n, changed);
    const samvad_cert_result *r = check(t, changed, clen);
    if (r->verdict == SAMVAD_CERT_VALID)
      fail_msg("bit %zu changed and the certificate still verifies", bit);
    /* Past the header only the signature can notice. */
    if (bit / 8 >= SAMVAD_CERT_HEADER_BYTES)
      assert_int_equal(r->verdict, SAMVAD_CERT_BAD_SIGNATURE);
    /* A changed key id names a key nobody has. */
    if (bit / 8 >= 3 && bit / 8 < 11)
      assert_int_equal(r->verdict, SAMVAD_CERT_UNTRUSTED);
    by_verdict[r->verdict]++;
  }
  assert_int_equal(by_verdict[SAMVAD_CERT_UNTRUSTED], 64);
  assert_true(by_verdict[SAMVAD_CERT_MALFORMED] > 0); /* version, length */
  print_message("%s: %zu bits flipped: %zu malformed, %zu untrusted, "
                "%zu bad signature\n",
                devanagari ? "devanagari" : "latin", n * 8,
                by_verdict[SAMVAD_CERT_MALFORMED],
                by_verdict[SAMVAD_CERT_UNTRUSTED],
                by_verdict[SAMVAD_CERT_BAD_SIGNATURE]);
  samvad_trust_destroy(t);
}

static void test_every_bit_flip_latin(void **state) {
  (void)state;
  flip_every_bit(0);
}

static void test_every_bit_flip_devanagari(void **state) {
  (void)state;
  flip_every_bit(1);
}

static void test_truncated(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  samvad_cert c = fx_marriage(0);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1], cut[sizeof text];
  size_t len = fx_issue(&c, FX_ISSUER, 0, text, sizeof text);
  unsigned char blob[SAMVAD_CERT_MAX_BLOB_BYTES];
  size_t n = fx_blob(text, len, blob);
  for (size_t k = 1; k < n; k++) {
    size_t clen = fx_text(blob, k, cut);
    const samvad_cert_result *r = check(t, cut, clen);
    assert_int_equal(r->verdict, SAMVAD_CERT_MALFORMED);
    assert_int_equal(r->failed_step, SAMVAD_CERT_STEP_LENGTH);
    if (k >= SAMVAD_CERT_MIN_BLOB_BYTES)
      assert_string_equal(r->reason, "truncated: shorter than its header says");
    else
      assert_string_equal(r->reason,
                          "too short for a header, a body and a signature");
  }
  /* Cutting the text itself: every prefix of it is refused. */
  for (size_t k = 0; k < len; k++)
    assert_int_equal(check(t, text, k)->verdict, SAMVAD_CERT_MALFORMED);
  samvad_trust_destroy(t);
}

static void test_trailing_bytes(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  samvad_cert c = fx_marriage(0);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 8], longer[sizeof text];
  size_t len = fx_issue(&c, FX_ISSUER, 0, text, sizeof text);
  unsigned char blob[SAMVAD_CERT_MAX_BLOB_BYTES + 2];
  size_t n = fx_blob(text, len, blob);
  for (unsigned extra = 1; extra <= 2; extra++) {
    blob[n] = 0;
    blob[n + 1] = 0x41;
    size_t clen = fx_text(blob, n + extra, longer);
    expect(t, longer, clen, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_LENGTH,
           "bytes after the signature");
  }
  /* Text after the Base45: a line break, a space, more characters. */
  static const char *const tails[] = {"\n", " ", "\r\n", "00", "A"};
  for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
    memcpy(longer, text, len);
    memcpy(longer + len, tails[i], strlen(tails[i]));
    assert_int_equal(check(t, longer, len + strlen(tails[i]))->verdict,
                     SAMVAD_CERT_MALFORMED);
  }
  samvad_trust_destroy(t);
}

/* ---- Prefix and encoding --------------------------------------------------------- */
static void test_wrong_prefix(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  samvad_cert c = fx_marriage(0);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1], other[sizeof text + 8];
  size_t len = fx_issue(&c, FX_ISSUER, 0, text, sizeof text);
  const char *body = text + 4;
  size_t body_len = len - 4;
  static const char *const prefixes[] = {"", "sv1:", "HC1:", "SV2:", "SV1",
                                         "SV1 :", " SV1:", "Sv1:"};
  for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
    size_t p = strlen(prefixes[i]);
    memcpy(other, prefixes[i], p);
    memcpy(other + p, body, body_len);
    expect(t, other, p + body_len, SAMVAD_CERT_MALFORMED,
           SAMVAD_CERT_STEP_PREFIX, "does not start with SV1:");
  }
  expect(t, "", 0, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_PREFIX, NULL);
  expect(t, "SV", 2, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_PREFIX, NULL);
  assert_int_equal(samvad_cert_verify(t, NULL, 0, FX_NOW, &g_res), 0);
  assert_int_equal(g_res.verdict, SAMVAD_CERT_MALFORMED);
  samvad_trust_destroy(t);
}

static void test_noncanonical_base45(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  samvad_cert c = fx_marriage(0);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t len = fx_issue(&c, FX_ISSUER, 0, text, sizeof text);
  char bad[sizeof text];
  /* A character outside the alphabet (lower case), at every position. */
  for (size_t i = 4; i < len; i++) {
    memcpy(bad, text, len);
    bad[i] = 'a';
    expect(t, bad, len, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BASE45,
           "not canonical Base45");
  }
  /* A triplet above 65535 and a final pair above 255. */
  memcpy(bad, text, len);
  memcpy(bad + 4, "GGW", 3);
  expect(t, bad, len, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BASE45, NULL);
  memcpy(bad, text, len);
  memcpy(bad + len, "ZZ", 2);
  expect(t, bad, len + 2, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BASE45,
         NULL);
  /* Length % 3 == 1. */
  memcpy(bad + len, "0", 1);
  assert_int_equal((len - 4 + 1) % 3, 1);
  expect(t, bad, len + 1, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_BASE45,
         NULL);
  /* Over the length limit: refused before decoding. */
  char huge[SAMVAD_CERT_MAX_TEXT_BYTES + 4];
  memcpy(huge, "SV1:", 4);
  memset(huge + 4, '0', sizeof huge - 4);
  expect(t, huge, sizeof huge, SAMVAD_CERT_MALFORMED, SAMVAD_CERT_STEP_LENGTH,
         "text longer than 1204 characters");
  samvad_trust_destroy(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_base45_rfc9285),
      cmocka_unit_test(test_base45_strict),
      cmocka_unit_test(test_roundtrip_latin),
      cmocka_unit_test(test_roundtrip_devanagari),
      cmocka_unit_test(test_compress_only_when_smaller),
      cmocka_unit_test(test_every_bit_flip_latin),
      cmocka_unit_test(test_every_bit_flip_devanagari),
      cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_trailing_bytes),
      cmocka_unit_test(test_wrong_prefix),
      cmocka_unit_test(test_noncanonical_base45),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
