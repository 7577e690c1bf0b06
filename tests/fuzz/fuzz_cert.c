/* fuzz_cert.c - libFuzzer target: arbitrary text to samvad_cert_verify,
 * through the public API only, against a trust store built from fixed
 * seeds (root, an issuer for document types 1-3, a withdrawn key) with a
 * revocation list and a declared marriage schema.
 *
 * Any input must give a verdict with a reason, never a crash: a verdict is
 * one of the six, VALID exactly when no step failed, fields only after the
 * signature, each field a NUL-terminated valid UTF-8 value in ascending tag
 * order. A VALID certificate must be canonical: issuing its fields again
 * with the same key gives the same text.
 *
 * Since only the fixture keys can sign, random text rarely gets past the
 * signature. An input "RAW:" + flags + doc type + body is therefore signed
 * here, byte for byte as given, so the fuzzer also explores inflation and
 * the body parser behind a good signature. The same bytes also go to the
 * trust list and revocation list loaders and the certificate number
 * parser. */
#include "fuzz_common.h"
#include "samvad/cert.h"

#include <sodium.h>

static samvad_trust *g_trust;
static samvad_cert_key g_issuer, g_root;
static samvad_cert_result g_res;

#define NOW ((int64_t)1768451400)

static samvad_cert_key key_from_byte(unsigned char b) {
  uint8_t seed[32];
  memset(seed, b, sizeof seed);
  samvad_cert_key k;
  FZ_CHECK(samvad_cert_key_from_seed(seed, &k) == 0, "key");
  return k;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  g_root = key_from_byte(0x11);
  g_issuer = key_from_byte(0x22);
  samvad_cert_key withdrawn = key_from_byte(0x44);
  FZ_CHECK(samvad_trust_create(NULL, (const uint8_t(*)[32])g_root.public_key,
                               1, &g_trust) == 0,
           "trust");
  static samvad_trust_list list;
  list.seq = 1;
  list.issued_at = 1735689600;
  list.key_count = 2;
  for (int i = 0; i < 2; i++) {
    samvad_trust_key *k = &list.keys[i];
    memcpy(k->public_key, i ? withdrawn.public_key : g_issuer.public_key, 32);
    k->status = i ? SAMVAD_KEY_WITHDRAWN : SAMVAD_KEY_ACTIVE;
    k->withdrawn_at = i ? NOW - 86400 : 0;
    k->not_before = 1735689600;
    k->not_after = 1924992000;
    k->doc_type_count = 3;
    k->doc_types[0] = 1, k->doc_types[1] = 2, k->doc_types[2] = 3;
  }
  static unsigned char buf[SAMVAD_TRUST_LIST_MAX_BYTES];
  size_t len = 0;
  FZ_CHECK(samvad_trust_list_sign(&list, &g_root, buf, sizeof buf, &len,
                                  NULL) == 0,
           "sign list");
  FZ_CHECK(samvad_trust_load_keys(g_trust, buf, len) == 0, "load list");
  samvad_revocation e = {0x5EED5EED5EED5EEDull, NOW - 86400, 1};
  samvad_revocation_info info = {.seq = 1, .issued_at = NOW - 86400};
  FZ_CHECK(samvad_revocations_sign(&info, &e, 1, &g_root, buf, sizeof buf,
                                   &len, NULL) == 0 &&
               samvad_trust_load_revocations(g_trust, buf, len) == 0,
           "revocations");
  static const samvad_cert_tag_spec marriage[] = {
      {16, 1, "groom_name"},    {17, 1, "groom_father_name"},
      {18, 1, "bride_name"},    {19, 1, "bride_father_name"},
      {20, 1, "marriage_place"}, {21, 1, "act"},
      {144, 1, "marriage_date"}, {145, 0, "groom_dob"},
      {146, 0, "bride_dob"}};
  FZ_CHECK(samvad_trust_declare_fields(g_trust, 1, marriage, 9) == 0, "decl");
  return 0;
}

/* Base45 (RFC 9285) for the RAW inputs: the library keeps its encoder
 * internal, and a second, independent one here is no loss. */
static size_t base45(const unsigned char *in, size_t n, char *out) {
  static const char a[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 2) {
    unsigned v = i + 1 < n ? (unsigned)in[i] << 8 | in[i + 1] : in[i];
    out[o++] = a[v % 45];
    out[o++] = a[v / 45 % 45];
    if (i + 1 < n)
      out[o++] = a[v / 2025];
  }
  return o;
}

/* "RAW:" flags doc_type body...: a header as the library writes it, the
 * body as given, signed by the issuer. */
static size_t raw_certificate(const uint8_t *data, size_t size, char *text) {
  static unsigned char msg[3 + 29 + 1024 + 64];
  size_t body = size - 6 > 700 ? 700 : size - 6;
  unsigned char *h = msg + 3;
  memcpy(msg, "SV1", 3);
  h[0] = 1;
  h[1] = data[5];
  h[2] = data[4];
  memcpy(h + 3, g_issuer.key_id, 8);
  static const unsigned char times[8] = {0x69, 0x68, 0x5f, 0x38, 0, 0, 0, 0};
  memcpy(h + 11, times, 8); /* issued an hour before NOW, no expiry */
  memset(h + 19, 0x42, 8);  /* serial */
  h[27] = (unsigned char)(body >> 8);
  h[28] = (unsigned char)body;
  memcpy(h + 29, data + 6, body);
  size_t signed_len = 29 + body;
  crypto_sign_detached(h + signed_len, NULL, msg, 3 + signed_len,
                       g_issuer.secret_key);
  memcpy(text, "SV1:", 4);
  return 4 + base45(h, signed_len + 64, text + 4);
}

static void check_result(const samvad_cert_result *r) {
  FZ_CHECK(r->reason && r->reason[0], "no reason");
  FZ_CHECK(fz_utf8_valid(r->reason, strlen(r->reason)), "reason not UTF-8");
  switch (r->verdict) {
  case SAMVAD_CERT_VALID:
  case SAMVAD_CERT_MALFORMED:
  case SAMVAD_CERT_UNTRUSTED:
  case SAMVAD_CERT_BAD_SIGNATURE:
  case SAMVAD_CERT_EXPIRED:
  case SAMVAD_CERT_REVOKED:
    break;
  default:
    FZ_CHECK(0, "verdict %d", (int)r->verdict);
  }
  FZ_CHECK((r->verdict == SAMVAD_CERT_VALID) ==
               (r->failed_step == SAMVAD_CERT_STEP_NONE),
           "verdict %d at step %d", (int)r->verdict, (int)r->failed_step);
  FZ_CHECK(!r->have_fields || r->have_header, "fields without a header");
  FZ_CHECK(r->have_fields || r->cert.field_count == 0, "fields too early");
  FZ_CHECK(r->verdict != SAMVAD_CERT_VALID || r->have_fields,
           "valid without fields");
  FZ_CHECK(r->cert.field_count <= SAMVAD_CERT_MAX_FIELDS, "field count");
  for (size_t i = 0; i < r->cert.field_count; i++) {
    const samvad_cert_field *f = &r->cert.fields[i];
    FZ_CHECK(f->value && strlen(f->value) == f->len, "field %zu length", i);
    FZ_CHECK(fz_utf8_valid(f->value, f->len), "field %zu UTF-8", i);
    FZ_CHECK(i == 0 || f->tag > r->cert.fields[i - 1].tag, "tag order");
    FZ_CHECK(!SAMVAD_CERT_TAG_IS_DATE(f->tag) || f->len == 10, "date");
  }
}

/* A valid certificate is canonical: the library issues the same text. */
static void check_canonical(const char *text, size_t len,
                            const samvad_cert_result *r) {
  static char again[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t len2 = 0;
  FZ_CHECK(memcmp(r->cert.key_id, g_issuer.key_id, 8) == 0, "signer");
  unsigned options =
      r->compressed ? SAMVAD_CERT_TRY_COMPRESS : SAMVAD_CERT_NO_COMPRESS;
  int rc = samvad_cert_issue(&r->cert, &g_issuer, options, again,
                             sizeof again, &len2, NULL);
  FZ_CHECK(rc == 0, "re-issue: %s", samvad_err_name(rc));
  FZ_CHECK(len2 == len && memcmp(again, text, len) == 0,
           "a valid certificate that the library would write differently");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!g_trust)
    LLVMFuzzerInitialize(NULL, NULL);
  static char raw[4 + 2 * (29 + 1024 + 64)];
  const char *text = (const char *)data;
  size_t len = size;
  int is_raw = size >= 6 && memcmp(data, "RAW:", 4) == 0;
  if (is_raw) {
    len = raw_certificate(data, size, raw);
    text = raw;
  }
  int rc = samvad_cert_verify(g_trust, text, len, NOW, &g_res);
  FZ_CHECK(rc == 0, "verify: %s", samvad_err_name(rc));
  check_result(&g_res);
  /* Without compression, every well-formed body is canonical; with it,
   * another deflater's stream may verify and still differ from zlib's. */
  if (g_res.verdict == SAMVAD_CERT_VALID && (!is_raw || !g_res.compressed))
    check_canonical(text, len, &g_res);

  /* The same bytes as lists and as a certificate number. */
  samvad_trust *t = NULL;
  FZ_CHECK(samvad_trust_create(NULL, (const uint8_t(*)[32])g_root.public_key,
                               1, &t) == 0,
           "create");
  rc = samvad_trust_load_keys(t, data, size);
  FZ_CHECK(rc == 0 || rc == SAMVAD_ECORRUPT || rc == SAMVAD_EVERSION ||
               rc == SAMVAD_ELIMIT,
           "load_keys: %s", samvad_err_name(rc));
  rc = samvad_trust_load_revocations(t, data, size);
  FZ_CHECK(rc == 0 || rc == SAMVAD_ECORRUPT || rc == SAMVAD_EVERSION ||
               rc == SAMVAD_ELIMIT,
           "load_revocations: %s", samvad_err_name(rc));
  samvad_trust_destroy(t);
  char number[64];
  if (size < sizeof number) {
    memcpy(number, data, size);
    number[size] = '\0';
    uint64_t serial = 0;
    char prefix[9];
    if (samvad_cert_number_parse(number, prefix, sizeof prefix, &serial) == 0) {
      char back[SAMVAD_CERT_NUMBER_MAX_BYTES];
      FZ_CHECK(samvad_cert_number_format(prefix, serial, back, sizeof back) ==
                   0,
               "format after parse");
      uint64_t again = 0;
      FZ_CHECK(samvad_cert_number_parse(back, NULL, 0, &again) == 0 &&
                   again == serial,
               "number round trip");
    }
  }
  return 0;
}
