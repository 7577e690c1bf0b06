/* cert_verdicts.h - what the trust-list and key-policy suites share: a
 * verifier result to reuse, checking a text's verdict, step and reason at
 * a given time, and a small caste certificate issued by a fixture key.
 * Include after cmocka.h and cert_fixtures.h. */
#ifndef CERT_VERDICTS_H
#define CERT_VERDICTS_H

static samvad_cert_result g_res;
static unsigned char g_buf[SAMVAD_TRUST_LIST_MAX_BYTES];

static const samvad_cert_result *verify_at(const samvad_trust *t,
                                           const char *text, int64_t now) {
  assert_int_equal(samvad_cert_verify(t, text, strlen(text), now, &g_res), 0);
  return &g_res;
}

static void expect_at(const samvad_trust *t, const char *text, int64_t now,
                      samvad_cert_verdict verdict, samvad_cert_step step,
                      const char *reason) {
  const samvad_cert_result *r = verify_at(t, text, now);
  if (r->verdict != verdict || r->failed_step != step ||
      strcmp(r->reason, reason) != 0)
    fail_msg("got %s at %s (%s), want %s at %s (%s)",
             samvad_cert_verdict_name(r->verdict),
             samvad_cert_step_name(r->failed_step), r->reason,
             samvad_cert_verdict_name(verdict), samvad_cert_step_name(step),
             reason);
}

/* A caste certificate (doc type 3) with the given times, by key. */
static void issue(enum fx_key key, uint8_t doc_type, int64_t iat, int64_t exp,
                  char *text) {
  samvad_cert c;
  memset(&c, 0, sizeof c);
  c.doc_type = doc_type;
  c.serial = 0xC0FFEE;
  c.issued_at = iat;
  c.expires_at = exp;
  fx_set(&c, SAMVAD_CERT_TAG_OFFICE, "SDM Kalkaji");
  fx_set(&c, 16, "Meena Kumari");
  fx_issue(&c, key, 0, text, SAMVAD_CERT_MAX_TEXT_BYTES + 1);
}

#endif
