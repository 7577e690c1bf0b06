/* test_cert_policy.c - who may sign what, and until when: unknown keys,
 * keys not allowed for a document type, withdrawn keys, issue times outside
 * a key's period, expiry and "not yet valid", revocation, and the trust
 * store's arguments and allocator, all through the public API. The lists'
 * own bytes are tested in test_cert_lists.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cert_fixtures.h"
#include "cert_verdicts.h"


/* ---- Keys --------------------------------------------------------------------- */
static void test_unknown_key(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  issue(FX_STRANGER, FX_DOC_CASTE, FX_ISSUED, 0, text);
  expect_at(t, text, FX_NOW, SAMVAD_CERT_UNTRUSTED, SAMVAD_CERT_STEP_KEY,
            "signed by a key that is not in the trust list");
  /* The root signs trust lists, not certificates. */
  issue(FX_ROOT, FX_DOC_CASTE, FX_ISSUED, 0, text);
  assert_int_equal(verify_at(t, text, FX_NOW)->verdict, SAMVAD_CERT_UNTRUSTED);
  /* A store with no trust list trusts nobody. */
  samvad_cert_key root = fx_key(FX_ROOT);
  samvad_trust *empty = NULL;
  assert_int_equal(samvad_trust_create(NULL,
                                       (const uint8_t(*)[32])root.public_key,
                                       1, &empty),
                   0);
  assert_null(samvad_trust_keys(empty));
  issue(FX_ISSUER, FX_DOC_CASTE, FX_ISSUED, 0, text);
  expect_at(empty, text, FX_NOW, SAMVAD_CERT_UNTRUSTED, SAMVAD_CERT_STEP_KEY,
            "no trust list loaded");
  expect_at(t, text, FX_NOW, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE,
            "valid");
  samvad_trust_destroy(empty);
  samvad_trust_destroy(t);
}

/* The header names a trusted key, but another key signed. */
static void test_key_id_of_another_key(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  sv_cert_header h = fx_header();
  unsigned char body[] = {1, 3, 'S', 'D', 'M'};
  unsigned char blob[256];
  size_t n = fx_sign_as(&h, body, sizeof body, FX_STRANGER, FX_ISSUER, blob);
  char text[512];
  fx_text(blob, n, text);
  expect_at(t, text, FX_NOW, SAMVAD_CERT_BAD_SIGNATURE,
            SAMVAD_CERT_STEP_SIGNATURE, "the signature does not verify");
  samvad_trust_destroy(t);
}

static void test_doc_type_not_allowed(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  issue(FX_LICENCE_ONLY, FX_DOC_MARRIAGE, FX_ISSUED, 0, text);
  expect_at(t, text, FX_NOW, SAMVAD_CERT_UNTRUSTED,
            SAMVAD_CERT_STEP_KEY_POLICY,
            "the signing key may not sign this document type");
  assert_string_equal(g_res.key_label, "Transport Department, Delhi");
  assert_false(g_res.have_fields);
  issue(FX_LICENCE_ONLY, FX_DOC_LICENCE, FX_ISSUED, FX_2031 - 1, text);
  expect_at(t, text, FX_NOW, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE,
            "valid");
  samvad_trust_destroy(t);
}

static void test_withdrawn_key(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  /* Even a certificate dated before the withdrawal: its date could be
   * forged by whoever holds the compromised key. */
  issue(FX_WITHDRAWN, FX_DOC_CASTE, FX_2025 + 86400, 0, text);
  expect_at(t, text, FX_NOW, SAMVAD_CERT_UNTRUSTED,
            SAMVAD_CERT_STEP_KEY_POLICY, "the signing key has been withdrawn");
  samvad_trust_destroy(t);
}

static void test_key_validity_period(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  issue(FX_ISSUER, FX_DOC_CASTE, FX_2025 - 1, 0, text);
  expect_at(t, text, FX_NOW, SAMVAD_CERT_UNTRUSTED,
            SAMVAD_CERT_STEP_KEY_POLICY,
            "issued before the signing key's validity");
  issue(FX_ISSUER, FX_DOC_CASTE, FX_2025, 0, text); /* the first second */
  expect_at(t, text, FX_NOW, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE,
            "valid");
  issue(FX_ISSUER, FX_DOC_CASTE, FX_2031 + 1, 0, text);
  expect_at(t, text, FX_2031 + 10, SAMVAD_CERT_UNTRUSTED,
            SAMVAD_CERT_STEP_KEY_POLICY,
            "issued after the signing key's validity");
  issue(FX_ISSUER, FX_DOC_LICENCE, FX_ISSUED, FX_2031 + 1, text);
  expect_at(t, text, FX_NOW, SAMVAD_CERT_UNTRUSTED,
            SAMVAD_CERT_STEP_KEY_POLICY,
            "expires after the signing key's validity");
  /* No expiry (a marriage) outlives the key's signing period. */
  issue(FX_ISSUER, FX_DOC_MARRIAGE, FX_ISSUED, 0, text);
  expect_at(t, text, FX_2031 + 86400 * 3650, SAMVAD_CERT_VALID,
            SAMVAD_CERT_STEP_NONE, "valid");
  samvad_trust_destroy(t);
}

/* ---- Time ---------------------------------------------------------------------- */
static void test_expired_and_not_yet_valid(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  int64_t exp = FX_NOW + 100;
  issue(FX_ISSUER, FX_DOC_LICENCE, FX_ISSUED, exp, text);
  expect_at(t, text, exp - 1, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE,
            "valid");
  expect_at(t, text, exp, SAMVAD_CERT_EXPIRED, SAMVAD_CERT_STEP_TIME,
            "expired");
  assert_true(g_res.have_fields); /* the CLI shows what expired */
  expect_at(t, text, FX_ISSUED, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE,
            "valid");
  expect_at(t, text, FX_ISSUED - 1, SAMVAD_CERT_EXPIRED, SAMVAD_CERT_STEP_TIME,
            "not yet valid: issued in the future");
  samvad_trust_destroy(t);
}

/* ---- Revocation ------------------------------------------------------------------ */
static size_t sign_revocations(uint32_t seq, const samvad_revocation *e,
                               size_t n, enum fx_key signer,
                               unsigned char *buf) {
  samvad_revocation_info info = {.seq = seq, .issued_at = FX_NOW - 60,
                                 .next_update = FX_NOW + 86400};
  samvad_cert_key k = fx_key(signer);
  size_t len = 0;
  const char *why = NULL;
  int rc = samvad_revocations_sign(&info, e, n, &k, buf, sizeof g_buf, &len,
                                   &why);
  if (rc != 0)
    fail_msg("revocations_sign: %s", why);
  return len;
}

static void test_revoked(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  issue(FX_ISSUER, FX_DOC_CASTE, FX_ISSUED, 0, text);
  assert_int_equal(verify_at(t, text, FX_NOW)->warnings,
                   SAMVAD_CERT_WARN_NO_REVOCATIONS);

  samvad_revocation e[3] = {{0xC0FFEF, FX_NOW - 10, SAMVAD_REVOKED_ERROR},
                            {0xC0FFEE, FX_NOW - 5, SAMVAD_REVOKED_FRAUD},
                            {5, FX_NOW - 7, SAMVAD_REVOKED_SUPERSEDED}};
  samvad_revocations_sort(e, 3);
  assert_true(e[0].serial == 5 && e[2].serial == 0xC0FFEF);
  size_t len = sign_revocations(1, e, 3, FX_ROOT, g_buf);
  assert_int_equal(len, 29 + 3 * 13 + 64);
  assert_int_equal(samvad_trust_load_revocations(t, g_buf, len), 0);
  expect_at(t, text, FX_NOW, SAMVAD_CERT_REVOKED,
            SAMVAD_CERT_STEP_REVOCATION, "revoked");
  assert_true(g_res.revocation.serial == 0xC0FFEE);
  assert_int_equal(g_res.revocation.reason, SAMVAD_REVOKED_FRAUD);
  assert_true(g_res.revocation.revoked_at == FX_NOW - 5);
  assert_true(g_res.have_fields);
  /* Stale status is a warning, not a verdict. */
  verify_at(t, text, FX_NOW + 86401);
  assert_int_equal(g_res.warnings, SAMVAD_CERT_WARN_REVOCATIONS_STALE);

  /* An issuing key may publish the list too; revocation can be undone by
   * a newer list without the serial. */
  len = sign_revocations(2, e, 1, FX_ISSUER, g_buf);
  assert_int_equal(samvad_trust_load_revocations(t, g_buf, len), 0);
  expect_at(t, text, FX_NOW, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE,
            "valid");
  assert_int_equal(g_res.warnings, 0);
  samvad_revocation_info info;
  assert_int_equal(samvad_trust_revocations(t, &info), 0);
  assert_int_equal(info.seq, 2);
  assert_int_equal(info.count, 1);
  samvad_cert_key issuer = fx_key(FX_ISSUER);
  assert_memory_equal(info.signer_key_id, issuer.key_id, 8);
  samvad_revocation got;
  assert_int_equal(samvad_trust_revocation_get(t, 0, &got), 0);
  assert_true(got.serial == 5 && got.reason == SAMVAD_REVOKED_SUPERSEDED);
  assert_int_equal(samvad_trust_revocation_get(t, 1, &got), SAMVAD_ENOTFOUND);
  /* An empty list is a list. */
  len = sign_revocations(3, NULL, 0, FX_ROOT, g_buf);
  assert_int_equal(samvad_trust_load_revocations(t, g_buf, len), 0);
  samvad_trust_destroy(t);
}

/* A store needs 1-4 roots; declarations take only service tags. */
static void test_store_arguments(void **state) {
  (void)state;
  samvad_trust *t = (samvad_trust *)1;
  uint8_t roots[5][32] = {{0}};
  assert_int_equal(samvad_trust_create(NULL, (const uint8_t(*)[32])roots, 0, &t),
                   SAMVAD_EINVAL);
  assert_null(t);
  assert_int_equal(samvad_trust_create(NULL, (const uint8_t(*)[32])roots, 5, &t),
                   SAMVAD_EINVAL);
  t = fx_trust();
  samvad_cert_tag_spec spec[2] = {{16, 1, "groom_name"}, {16, 0, "again"}};
  assert_int_equal(samvad_trust_declare_fields(t, 1, spec, 2), SAMVAD_EINVAL);
  spec[1].tag = 1; /* a common tag */
  assert_int_equal(samvad_trust_declare_fields(t, 1, spec, 2), SAMVAD_EINVAL);
  spec[1].tag = 140; /* reserved common date */
  assert_int_equal(samvad_trust_declare_fields(t, 1, spec, 2), SAMVAD_EINVAL);
  spec[1].tag = 150;
  spec[1].name = "Bad Name";
  assert_int_equal(samvad_trust_declare_fields(t, 1, spec, 2), SAMVAD_EINVAL);
  spec[1].name = "ok_name";
  assert_int_equal(samvad_trust_declare_fields(t, 0, spec, 2), SAMVAD_EINVAL);
  assert_int_equal(samvad_trust_declare_fields(t, 1, spec, 2), 0);
  assert_int_equal(samvad_trust_declare_fields(t, 1, spec, 1), 0);
  samvad_trust_destroy(t);
  samvad_trust_destroy(NULL);
}

/* Allocations go through the caller's allocator, and all are freed. */
static size_t g_live;
static void *counting_malloc(void *ctx, size_t n) {
  (void)ctx;
  g_live++;
  return malloc(n);
}
static void *counting_realloc(void *ctx, void *p, size_t n) {
  (void)ctx;
  return realloc(p, n);
}
static void counting_free(void *ctx, void *p) {
  (void)ctx;
  if (p)
    g_live--;
  free(p);
}

static void test_store_allocator(void **state) {
  (void)state;
  samvad_allocator a = {counting_malloc, counting_realloc, counting_free, NULL};
  samvad_cert_key root = fx_key(FX_ROOT);
  samvad_trust *t = NULL;
  assert_int_equal(samvad_trust_create(&a, (const uint8_t(*)[32])root.public_key,
                                       1, &t),
                   0);
  samvad_trust_list l = fx_trust_list(1);
  size_t len = fx_sign_list(&l, FX_ROOT, g_buf, sizeof g_buf);
  assert_int_equal(samvad_trust_load_keys(t, g_buf, len), 0);
  samvad_revocation e = {5, FX_NOW, 0};
  len = sign_revocations(1, &e, 1, FX_ROOT, g_buf);
  assert_int_equal(samvad_trust_load_revocations(t, g_buf, len), 0);
  assert_int_equal(samvad_trust_declare_fields(t, 1, fx_marriage_tags,
                                               FX_MARRIAGE_TAG_COUNT),
                   0);
  assert_true(g_live >= 3);
  samvad_trust_destroy(t);
  assert_int_equal(g_live, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unknown_key),
      cmocka_unit_test(test_key_id_of_another_key),
      cmocka_unit_test(test_doc_type_not_allowed),
      cmocka_unit_test(test_withdrawn_key),
      cmocka_unit_test(test_key_validity_period),
      cmocka_unit_test(test_expired_and_not_yet_valid),
      cmocka_unit_test(test_revoked),
      cmocka_unit_test(test_store_arguments),
      cmocka_unit_test(test_store_allocator),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
