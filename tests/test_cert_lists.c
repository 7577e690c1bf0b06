/* test_cert_lists.c - the trust list and the revocation list as bytes:
 * round trips, every single-bit change refused, unknown signers, withdrawn
 * signers, versions, sequence numbers that go backwards or repeat with
 * other contents, non-canonical entries, what the signers refuse, and key
 * rotation seen by a verifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cert_fixtures.h"
#include "cert_verdicts.h"


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

static void expect_revocations_refused(samvad_trust *t,
                                       const unsigned char *buf, size_t len,
                                       int rc, const char *why) {
  int got = samvad_trust_load_revocations(t, buf, len);
  if (got != rc || strcmp(samvad_trust_errmsg(t), why) != 0)
    fail_msg("load gave %s (%s), want %s (%s)", samvad_err_name(got),
             samvad_trust_errmsg(t), samvad_err_name(rc), why);
}

static void test_revocation_list_refused(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  samvad_revocation e[2] = {{5, FX_NOW, 0}, {9, FX_NOW, 1}};
  size_t len = sign_revocations(4, e, 2, FX_STRANGER, g_buf);
  expect_revocations_refused(t, g_buf, len, SAMVAD_ECORRUPT,
                             "revocation list signed by an unknown key");
  len = sign_revocations(4, e, 2, FX_WITHDRAWN, g_buf);
  expect_revocations_refused(t, g_buf, len, SAMVAD_ECORRUPT,
                             "revocation list signed by a withdrawn key");
  len = sign_revocations(4, e, 2, FX_ROOT, g_buf);
  /* Every single-bit change of the signed list is refused. */
  for (size_t bit = 0; bit < len * 8; bit++) {
    g_buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    int rc = samvad_trust_load_revocations(t, g_buf, len);
    g_buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    if (rc == 0)
      fail_msg("bit %zu changed and the list still loads", bit);
  }
  g_buf[len - 1] ^= 1;
  expect_revocations_refused(t, g_buf, len, SAMVAD_ECORRUPT,
                             "revocation list signature does not verify");
  g_buf[len - 1] ^= 1;
  expect_revocations_refused(t, g_buf, len - 13, SAMVAD_ECORRUPT,
                             "revocation list signature does not verify");
  expect_revocations_refused(t, g_buf, 20, SAMVAD_ECORRUPT,
                             "not a revocation list");
  g_buf[4] = 2;
  expect_revocations_refused(t, g_buf, len, SAMVAD_EVERSION,
                             "unknown revocation list version");
  g_buf[4] = 1;
  assert_int_equal(samvad_trust_load_revocations(t, g_buf, len), 0);
  assert_string_equal(samvad_trust_errmsg(t), "");

  /* Sequence numbers never go backwards; equal means the same list. */
  size_t older = sign_revocations(3, e, 2, FX_ROOT, g_buf);
  expect_revocations_refused(t, g_buf, older, SAMVAD_ESTATE,
                             "revocation list older than the one already "
                             "accepted");
  len = sign_revocations(4, e, 1, FX_ROOT, g_buf);
  expect_revocations_refused(t, g_buf, len, SAMVAD_ESTATE,
                             "revocation list with the same sequence number "
                             "but other entries");
  len = sign_revocations(4, e, 2, FX_ROOT, g_buf);
  assert_int_equal(samvad_trust_load_revocations(t, g_buf, len), 0);
  samvad_trust_require_seq(t, 0, 9);
  len = sign_revocations(8, e, 2, FX_ROOT, g_buf);
  expect_revocations_refused(t, g_buf, len, SAMVAD_ESTATE,
                             "revocation list older than the one already "
                             "accepted");
  /* A refused load left the accepted list in place. */
  samvad_revocation_info info;
  assert_int_equal(samvad_trust_revocations(t, &info), 0);
  assert_int_equal(info.seq, 4);
  assert_int_equal(info.count, 2);

  /* What the signer refuses. */
  samvad_revocation_info hdr = {.seq = 1, .issued_at = FX_NOW};
  samvad_cert_key root = fx_key(FX_ROOT);
  const char *why = NULL;
  samvad_revocation bad[2] = {{9, FX_NOW, 0}, {5, FX_NOW, 0}};
  assert_int_equal(samvad_revocations_sign(&hdr, bad, 2, &root, g_buf,
                                           sizeof g_buf, &len, &why),
                   SAMVAD_EINVAL);
  assert_string_equal(why, "serials not ascending, repeated or 0");
  bad[1].serial = 9;
  assert_int_equal(samvad_revocations_sign(&hdr, bad, 2, &root, g_buf,
                                           sizeof g_buf, &len, &why),
                   SAMVAD_EINVAL);
  bad[1].serial = 10;
  bad[1].reason = 5;
  assert_int_equal(samvad_revocations_sign(&hdr, bad, 2, &root, g_buf,
                                           sizeof g_buf, &len, &why),
                   SAMVAD_EINVAL);
  assert_string_equal(why, "unknown revocation reason");
  bad[1].reason = 0;
  assert_int_equal(samvad_revocations_sign(&hdr, bad, 2, &root, g_buf, 10,
                                           &len, &why),
                   SAMVAD_ENOSPC);
  assert_int_equal(len, 29 + 26 + 64);
  samvad_trust_destroy(t);
}

/* Entries that only a bad issuer would sign are refused after the
 * signature: out of order, serial 0, an unknown reason, a wrong count. */
static void test_revocation_list_noncanonical(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  samvad_cert_key root = fx_key(FX_ROOT);
  samvad_revocation e[2] = {{5, FX_NOW, 0}, {9, FX_NOW, 1}};
  static const struct {
    size_t offset;
    unsigned char value;
    const char *why;
  } edits[] = {
      {29 + 7, 10, "revoked serials not ascending, repeated or 0"},
      {29 + 7, 0, "revoked serials not ascending, repeated or 0"},
      {29 + 12, 7, "unknown revocation reason"},
      {28, 3, "revocation list length does not match its count"},
  };
  for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
    size_t len = sign_revocations(1, e, 2, FX_ROOT, g_buf);
    g_buf[edits[i].offset] = edits[i].value;
    crypto_sign_detached(g_buf + len - 64, NULL, g_buf, len - 64,
                         root.secret_key);
    expect_revocations_refused(t, g_buf, len, SAMVAD_ECORRUPT, edits[i].why);
  }
  samvad_trust_destroy(t);
}

/* ---- The trust list ---------------------------------------------------------------- */
static void expect_keys_refused(samvad_trust *t, const unsigned char *buf,
                                size_t len, int rc, const char *why) {
  int got = samvad_trust_load_keys(t, buf, len);
  if (got != rc || strcmp(samvad_trust_errmsg(t), why) != 0)
    fail_msg("load gave %s (%s), want %s (%s)", samvad_err_name(got),
             samvad_trust_errmsg(t), samvad_err_name(rc), why);
}

static void test_trust_list_roundtrip(void **state) {
  (void)state;
  samvad_trust_list l = fx_trust_list(7);
  size_t len = fx_sign_list(&l, FX_ROOT, g_buf, sizeof g_buf);
  samvad_cert_key root = fx_key(FX_ROOT), other = fx_key(FX_OTHER_ROOT);
  uint8_t roots[2][32];
  memcpy(roots[0], other.public_key, 32);
  memcpy(roots[1], root.public_key, 32);
  static samvad_trust_list back;
  const char *why = NULL;
  assert_int_equal(
      samvad_trust_list_parse(g_buf, len, (const uint8_t(*)[32])roots, 2,
                              &back, &why),
      0);
  assert_int_equal(back.seq, 7);
  assert_true(back.issued_at == FX_2025 && back.next_update == FX_2031);
  assert_memory_equal(back.root_key_id, root.key_id, 8);
  assert_int_equal(back.key_count, 3);
  for (size_t i = 0; i < 3; i++) {
    const samvad_trust_key *a = &l.keys[i], *b = &back.keys[i];
    assert_memory_equal(a->public_key, b->public_key, 32);
    uint8_t id[8];
    samvad_cert_key_id(a->public_key, id);
    assert_memory_equal(b->key_id, id, 8);
    assert_int_equal(a->status, b->status);
    assert_true(a->not_before == b->not_before && a->not_after == b->not_after &&
                a->withdrawn_at == b->withdrawn_at);
    assert_int_equal(a->doc_type_count, b->doc_type_count);
    assert_memory_equal(a->doc_types, b->doc_types, a->doc_type_count);
    assert_string_equal(a->label, b->label);
  }
  /* Signing the parsed list again gives the same bytes. */
  static unsigned char again[SAMVAD_TRUST_LIST_MAX_BYTES];
  assert_int_equal(fx_sign_list(&back, FX_ROOT, again, sizeof again), len);
  assert_memory_equal(again, g_buf, len);
  /* The ENOSPC contract. */
  size_t need = 0;
  assert_int_equal(samvad_trust_list_sign(&l, &root, NULL, 0, &need, NULL),
                   SAMVAD_ENOSPC);
  assert_int_equal(need, len);
}

static void test_trust_list_refused(void **state) {
  (void)state;
  samvad_trust *t = fx_trust();
  samvad_trust_list l = fx_trust_list(2);
  size_t len = fx_sign_list(&l, FX_OTHER_ROOT, g_buf, sizeof g_buf);
  expect_keys_refused(t, g_buf, len, SAMVAD_ECORRUPT,
                      "trust list signed by an unknown root key");
  len = fx_sign_list(&l, FX_ROOT, g_buf, sizeof g_buf);
  for (size_t bit = 0; bit < len * 8; bit++) {
    g_buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    int rc = samvad_trust_load_keys(t, g_buf, len);
    g_buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    if (rc == 0)
      fail_msg("bit %zu changed and the trust list still loads", bit);
  }
  g_buf[40] ^= 4;
  expect_keys_refused(t, g_buf, len, SAMVAD_ECORRUPT,
                      "trust list signature does not verify");
  g_buf[40] ^= 4;
  expect_keys_refused(t, g_buf, len - 1, SAMVAD_ECORRUPT,
                      "trust list signature does not verify");
  expect_keys_refused(t, g_buf, 60, SAMVAD_ECORRUPT, "not a trust list");
  expect_keys_refused(t, g_buf, SAMVAD_TRUST_LIST_MAX_BYTES + 1, SAMVAD_ELIMIT,
                      "trust list larger than 16 KiB");
  g_buf[4] = 9;
  expect_keys_refused(t, g_buf, len, SAMVAD_EVERSION,
                      "unknown trust list version");
  g_buf[4] = 1;
  assert_int_equal(samvad_trust_load_keys(t, g_buf, len), 0);
  assert_int_equal(samvad_trust_keys(t)->seq, 2);

  /* Going backwards, or the same seq with other keys, is refused. */
  samvad_trust_list old = fx_trust_list(1);
  len = fx_sign_list(&old, FX_ROOT, g_buf, sizeof g_buf);
  expect_keys_refused(t, g_buf, len, SAMVAD_ESTATE,
                      "trust list older than the one already accepted");
  samvad_trust_list same = fx_trust_list(2);
  same.key_count = 2;
  len = fx_sign_list(&same, FX_ROOT, g_buf, sizeof g_buf);
  expect_keys_refused(t, g_buf, len, SAMVAD_ESTATE,
                      "trust list with the same sequence number but other "
                      "keys");
  samvad_trust_require_seq(t, 5, 0);
  samvad_trust_list four = fx_trust_list(4);
  len = fx_sign_list(&four, FX_ROOT, g_buf, sizeof g_buf);
  expect_keys_refused(t, g_buf, len, SAMVAD_ESTATE,
                      "trust list older than the one already accepted");
  assert_int_equal(samvad_trust_keys(t)->seq, 2);
  assert_int_equal(samvad_trust_keys(t)->key_count, 3);

  /* Rotation: a newer list withdraws the issuer and adds the stranger. */
  samvad_trust_list rotated = fx_trust_list(5);
  rotated.keys[0].status = SAMVAD_KEY_WITHDRAWN;
  rotated.keys[0].withdrawn_at = FX_NOW;
  rotated.keys[3] = fx_trust_entry(FX_STRANGER);
  rotated.key_count = 4;
  len = fx_sign_list(&rotated, FX_ROOT, g_buf, sizeof g_buf);
  assert_int_equal(samvad_trust_load_keys(t, g_buf, len), 0);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  issue(FX_ISSUER, FX_DOC_CASTE, FX_ISSUED, 0, text);
  expect_at(t, text, FX_NOW, SAMVAD_CERT_UNTRUSTED,
            SAMVAD_CERT_STEP_KEY_POLICY, "the signing key has been withdrawn");
  issue(FX_STRANGER, FX_DOC_CASTE, FX_ISSUED, 0, text);
  expect_at(t, text, FX_NOW, SAMVAD_CERT_VALID, SAMVAD_CERT_STEP_NONE,
            "valid");
  samvad_trust_destroy(t);
}

/* What samvad_trust_list_sign refuses: every rule of an entry. */
static void test_trust_list_sign_refusals(void **state) {
  (void)state;
  samvad_cert_key root = fx_key(FX_ROOT);
  size_t len = 0;
  const char *why = NULL;
  static const char *const whys[] = {
      "key status neither active nor withdrawn",
      "key not_after before not_before",
      "withdrawn_at set on an active key or missing on a withdrawn one",
      "withdrawn_at set on an active key or missing on a withdrawn one",
      "a key needs 1-16 document types",
      "document types not ascending or 0",
      "document types not ascending or 0",
      "a public key listed twice",
      "control character in a text",
      "key time outside 1970-2106",
  };
  for (size_t i = 0; i < sizeof whys / sizeof *whys; i++) {
    samvad_trust_list l = fx_trust_list(1);
    samvad_trust_key *k = &l.keys[0];
    switch (i) {
    case 0: k->status = (samvad_key_status)3; break;
    case 1: k->not_after = k->not_before - 1; break;
    case 2: k->withdrawn_at = FX_NOW; break;
    case 3: l.keys[2].withdrawn_at = 0; k = &l.keys[2]; break;
    case 4: k->doc_type_count = 0; break;
    case 5: k->doc_types[1] = k->doc_types[0]; break;
    case 6: k->doc_types[0] = 0; break;
    case 7: l.keys[1] = l.keys[0]; break;
    case 8: strcpy(k->label, "SDM\tKalkaji"); break;
    case 9: k->not_before = -1; break;
    }
    int rc = samvad_trust_list_sign(&l, &root, g_buf, sizeof g_buf, &len, &why);
    if (rc != SAMVAD_EINVAL || strcmp(why, whys[i]) != 0)
      fail_msg("case %zu: %s (%s)", i, samvad_err_name(rc), why);
  }
  samvad_trust_list l = fx_trust_list(1);
  l.key_count = 0;
  assert_int_equal(samvad_trust_list_sign(&l, &root, g_buf, sizeof g_buf, &len,
                                          &why),
                   SAMVAD_EINVAL);
  l.key_count = 65;
  assert_int_equal(samvad_trust_list_sign(&l, &root, g_buf, sizeof g_buf, &len,
                                          &why),
                   SAMVAD_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_revocation_list_refused),
      cmocka_unit_test(test_revocation_list_noncanonical),
      cmocka_unit_test(test_trust_list_roundtrip),
      cmocka_unit_test(test_trust_list_refused),
      cmocka_unit_test(test_trust_list_sign_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
