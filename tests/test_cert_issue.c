/* test_cert_issue.c - what samvad_cert_issue refuses (each rule with its
 * own reason) and its ENOSPC contract; certificate numbers both ways; key
 * ids and their hex form; the names of verdicts, steps and revocation
 * reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cert_fixtures.h"

/* ---- What the issuer refuses -------------------------------------------------------- */
static void expect_issue(const samvad_cert *c, int want, const char *why) {
  samvad_cert_key k = fx_key(FX_ISSUER);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t len = 0;
  const char *got = NULL;
  int rc = samvad_cert_issue(c, &k, 0, text, sizeof text, &len, &got);
  if (rc != want || !got || strcmp(got, why) != 0)
    fail_msg("issue gave %s (%s), want %s (%s)", samvad_err_name(rc),
             got ? got : "-", samvad_err_name(want), why);
}

static void test_issue_refusals(void **state) {
  (void)state;
  samvad_cert c = fx_marriage(0);
  static char big[300];
  memset(big, 'x', sizeof big - 1);

  samvad_cert b = c;
  b.doc_type = 0;
  expect_issue(&b, SAMVAD_EINVAL, "document type 0");
  b = c;
  b.serial = 0;
  expect_issue(&b, SAMVAD_EINVAL, "serial 0");
  b = c;
  b.issued_at = 0;
  expect_issue(&b, SAMVAD_EINVAL, "time outside 1970-2106");
  b.issued_at = (int64_t)UINT32_MAX + 1;
  expect_issue(&b, SAMVAD_EINVAL, "time outside 1970-2106");
  b = c;
  b.expires_at = c.issued_at;
  expect_issue(&b, SAMVAD_EINVAL, "expires before it was issued");
  b = c;
  b.fields[3].tag = 0;
  expect_issue(&b, SAMVAD_EINVAL, "tag 0 or 128");
  b.fields[3].tag = 128;
  expect_issue(&b, SAMVAD_EINVAL, "tag 0 or 128");
  b.fields[3].tag = 3;
  expect_issue(&b, SAMVAD_EINVAL, "reserved tag");
  b.fields[3].tag = 130;
  expect_issue(&b, SAMVAD_EINVAL, "reserved tag");
  b.fields[3].tag = FX_TAG_GROOM;
  expect_issue(&b, SAMVAD_EINVAL, "repeated tag");
  b = c;
  b.fields[1].value = "Rahul\nVerma";
  b.fields[1].len = 11;
  expect_issue(&b, SAMVAD_EINVAL, "control character in a text");
  b.fields[1].value = "Rahul \xC2\x85";
  b.fields[1].len = 8;
  expect_issue(&b, SAMVAD_EINVAL, "control character in a text");
  b.fields[1].value = "\xC0\xAF";
  b.fields[1].len = 2;
  expect_issue(&b, SAMVAD_EINVAL, "invalid UTF-8");
  b.fields[1].len = 0;
  expect_issue(&b, SAMVAD_EINVAL, "empty text");
  b.fields[1].value = NULL;
  expect_issue(&b, SAMVAD_EINVAL, "field without a value");
  b.fields[1].value = big;
  b.fields[1].len = 256;
  expect_issue(&b, SAMVAD_ELIMIT, "text longer than 255 bytes");
  b = c;
  static const char *const dates[] = {"2023-02-29", "2023-02-30", "2025-13-01",
                                      "2025-00-10", "0000-01-01", "2025-1-01",
                                      "25-11-2025", "2025/11/23", "2025-11-2x"};
  for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
    b.fields[8].value = dates[i];
    b.fields[8].len = strlen(dates[i]);
    assert_int_equal(b.fields[8].tag, FX_TAG_MARRIAGE_DATE);
    expect_issue(&b, SAMVAD_EINVAL, "date not a real YYYY-MM-DD");
  }
  b.fields[8].value = "2024-02-29"; /* a leap day is real */
  b.fields[8].len = 10;
  samvad_cert_key k = fx_key(FX_ISSUER);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t len = 0;
  assert_int_equal(samvad_cert_issue(&b, &k, 0, text, sizeof text, &len, NULL),
                   0);
  b = c;
  b.fields[0].tag = 22; /* the office removed */
  expect_issue(&b, SAMVAD_EINVAL, "no issuing office (tag 1)");
  b = c;
  b.field_count = 33;
  expect_issue(&b, SAMVAD_ELIMIT, "more than 32 fields");
  /* Too large: 32 fields of 200 bytes exceed the 800-byte blob even
   * compressed (no repeats to exploit across distinct random text). */
  memset(&b, 0, sizeof b);
  b.doc_type = 1;
  b.serial = 1;
  b.issued_at = FX_ISSUED;
  static char values[32][201];
  uint32_t x = 12345;
  for (int i = 0; i < 32; i++) {
    for (int j = 0; j < 200; j++) {
      x = x * 1103515245u + 12345u;
      values[i][j] = (char)('A' + (x >> 16) % 26);
    }
    fx_set(&b, (uint8_t)(i == 0 ? 1 : 15 + i), values[i]);
  }
  expect_issue(&b, SAMVAD_ELIMIT, "body larger than 4096 bytes");
  b.field_count = 8;
  expect_issue(&b, SAMVAD_ELIMIT, "certificate larger than 800 bytes");
  /* Unknown options and missing arguments. */
  assert_int_equal(samvad_cert_issue(&c, &k, 4, text, sizeof text, &len, NULL),
                   SAMVAD_EINVAL);
  assert_int_equal(samvad_cert_issue(NULL, &k, 0, text, sizeof text, &len, NULL),
                   SAMVAD_EINVAL);
}

/* SAMVAD_ENOSPC tells the size needed, and that size is enough. */
static void test_issue_enospc(void **state) {
  (void)state;
  samvad_cert c = fx_marriage(1);
  samvad_cert_key k = fx_key(FX_ISSUER);
  size_t need = 0, len = 0;
  assert_int_equal(samvad_cert_issue(&c, &k, 0, NULL, 0, &need, NULL),
                   SAMVAD_ENOSPC);
  char *text = malloc(need + 1);
  assert_non_null(text);
  assert_int_equal(samvad_cert_issue(&c, &k, 0, text, need, &len, NULL),
                   SAMVAD_ENOSPC);
  assert_int_equal(samvad_cert_issue(&c, &k, 0, text, need + 1, &len, NULL), 0);
  assert_int_equal(len, need);
  assert_int_equal(strlen(text), need);
  free(text);
}

/* ---- Numbers and key ids ------------------------------------------------------------- */
static void test_cert_number(void **state) {
  (void)state;
  char num[SAMVAD_CERT_NUMBER_MAX_BYTES], prefix[9];
  uint64_t serial = 0;
  assert_int_equal(samvad_cert_number_format("MR", FX_SERIAL, num, sizeof num),
                   0);
  /* 0x0123456789ABCDEF: 4 bits, then 5-bit groups (checked by hand). */
  assert_string_equal(num, "MR-028T5CY4TQKFF");
  assert_int_equal(samvad_cert_number_parse(num, prefix, sizeof prefix, &serial),
                   0);
  assert_string_equal(prefix, "MR");
  assert_true(serial == FX_SERIAL);
  static const uint64_t serials[] = {1, 31, 32, UINT64_MAX, 1ull << 63,
                                     0x8000000000000001ull};
  for (size_t i = 0; i < sizeof serials / sizeof *serials; i++) {
    assert_int_equal(
        samvad_cert_number_format("DL2", serials[i], num, sizeof num), 0);
    assert_int_equal(strlen(num), 3 + 1 + 13);
    assert_null(strpbrk(num + 4, "ILOU"));
    assert_int_equal(samvad_cert_number_parse(num, NULL, 0, &serial), 0);
    assert_true(serial == serials[i]);
  }
  assert_int_equal(samvad_cert_number_format("MR", UINT64_MAX, num, sizeof num),
                   0);
  assert_string_equal(num, "MR-FZZZZZZZZZZZZ");
  /* Read leniently: lower case, I/L as 1, O as 0. */
  assert_int_equal(
      samvad_cert_number_parse("mr-028t5cy4tqkff", prefix, sizeof prefix,
                               &serial),
      0);
  assert_string_equal(prefix, "MR");
  assert_true(serial == FX_SERIAL);
  assert_int_equal(samvad_cert_number_parse("MR-OOOOOOOOOOOOL", NULL, 0,
                                            &serial),
                   0);
  assert_true(serial == 1);
  /* Refused: no dash, empty or long prefix, wrong length, U, overflow. */
  static const char *const bad[] = {
      "MR04HMASW9NF6YF", "-04HMASW9NF6YF",  "ABCDEFGHI-04HMASW9NF6YF",
      "MR-04HMASW9NF6Y", "MR-04HMASW9NF6YFF", "MR-04HMASW9NF6YU",
      "MR-G4HMASW9NF6YF", "M R-04HMASW9NF6YF", "MR-04HMASW9NF6Y!", ""};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (samvad_cert_number_parse(bad[i], NULL, 0, &serial) != SAMVAD_EINVAL)
      fail_msg("\"%s\" parsed", bad[i]);
  assert_int_equal(samvad_cert_number_format("mr", 1, num, sizeof num),
                   SAMVAD_EINVAL);
  assert_int_equal(samvad_cert_number_format("ABCDEFGHI", 1, num, sizeof num),
                   SAMVAD_EINVAL);
  assert_int_equal(samvad_cert_number_format("MR", 1, num, 16), SAMVAD_ENOSPC);
  assert_int_equal(samvad_cert_number_parse("MR-028T5CY4TQKFF", prefix, 2,
                                            &serial),
                   SAMVAD_ENOSPC);
}

static void test_key_ids(void **state) {
  (void)state;
  samvad_cert_key k = fx_key(FX_ISSUER);
  unsigned char hash[32];
  crypto_hash_sha256(hash, k.public_key, 32);
  assert_memory_equal(k.key_id, hash, 8);
  uint8_t id[8];
  samvad_cert_key_id(k.public_key, id);
  assert_memory_equal(id, hash, 8);
  char hex[SAMVAD_CERT_KEY_ID_HEX_BYTES];
  samvad_cert_key_id_format(id, hex);
  assert_int_equal(strlen(hex), 16);
  uint8_t back[8];
  assert_int_equal(samvad_cert_key_id_parse(hex, back), 0);
  assert_memory_equal(back, id, 8);
  for (char *p = hex; *p; p++)
    if (*p >= 'a' && *p <= 'f')
      *p = (char)(*p - 'a' + 'A');
  assert_int_equal(samvad_cert_key_id_parse(hex, back), 0);
  assert_memory_equal(back, id, 8);
  assert_int_equal(samvad_cert_key_id_parse("0123456789abcde", back),
                   SAMVAD_EINVAL);
  assert_int_equal(samvad_cert_key_id_parse("0123456789abcdefa", back),
                   SAMVAD_EINVAL);
  assert_int_equal(samvad_cert_key_id_parse("0123456789abcdeg", back),
                   SAMVAD_EINVAL);
  assert_int_equal(samvad_cert_key_id_parse("01 23456789abcde", back),
                   SAMVAD_EINVAL);
  samvad_cert_key_wipe(&k);
  static const samvad_cert_key zero;
  assert_memory_equal(&k, &zero, sizeof k);
  assert_int_equal(samvad_cert_key_from_seed(NULL, &k), SAMVAD_EINVAL);
}

static void test_names(void **state) {
  (void)state;
  assert_string_equal(samvad_cert_verdict_name(SAMVAD_CERT_VALID), "valid");
  assert_string_equal(samvad_cert_verdict_name(SAMVAD_CERT_REVOKED), "revoked");
  assert_string_equal(samvad_cert_verdict_name((samvad_cert_verdict)1),
                      "unknown");
  assert_string_equal(samvad_cert_step_name(SAMVAD_CERT_STEP_REVOCATION),
                      "revocation");
  assert_string_equal(samvad_cert_step_name((samvad_cert_step)12), "unknown");
  unsigned reason = 9;
  assert_int_equal(samvad_revocation_reason_parse("fraud", &reason), 0);
  assert_int_equal(reason, SAMVAD_REVOKED_FRAUD);
  assert_string_equal(samvad_revocation_reason_name(reason), "fraud");
  assert_int_equal(samvad_revocation_reason_parse("Fraud", &reason),
                   SAMVAD_EINVAL);
  assert_null(samvad_revocation_reason_name(5));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_issue_refusals),
      cmocka_unit_test(test_issue_enospc),
      cmocka_unit_test(test_cert_number),
      cmocka_unit_test(test_key_ids),
      cmocka_unit_test(test_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
