/* bench_cert.c - the certificate benchmark: certificates issued per second
 * (canonical payload, DEFLATE when it helps, Ed25519 signature, Base45
 * text) beside bare libsodium crypto_sign_detached over a message of the
 * same length, and verifications per second (every check of
 * samvad_cert_verify) beside bare crypto_sign_verify_detached, measured in
 * the same run, alternating, on one core; then the QR matrix and its SVG
 * and terminal renderings, which cost far more than the signature.
 *
 *   bench_cert [SECONDS_PER_MEASUREMENT]   (default 0.5; 5 rounds each) */
#include "cert_fixtures.h"

#include <time.h>
#include <zlib.h>

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct job {
  const samvad_cert *cert;
  const samvad_cert_key *key;
  const samvad_trust *trust;
  const char *text;
  size_t text_len;
  const unsigned char *msg; /* the signed message, for the bare calls */
  size_t msg_len;
  const unsigned char *sig;
  samvad_qr *qr;
} job;

static volatile size_t g_sink;
static samvad_cert_result g_res;
static char g_out[1 << 18];

static void do_issue(const job *j) {
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t len = 0;
  if (samvad_cert_issue(j->cert, j->key, 0, text, sizeof text, &len, NULL))
    abort();
  g_sink += len;
}

static void do_issue_stored(const job *j) {
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t len = 0;
  if (samvad_cert_issue(j->cert, j->key, SAMVAD_CERT_NO_COMPRESS, text,
                        sizeof text, &len, NULL))
    abort();
  g_sink += len;
}

static void do_sign(const job *j) {
  unsigned char sig[64];
  crypto_sign_detached(sig, NULL, j->msg, j->msg_len, j->key->secret_key);
  g_sink += sig[0];
}

static void do_verify(const job *j) {
  if (samvad_cert_verify(j->trust, j->text, j->text_len, FX_NOW, &g_res) ||
      g_res.verdict != SAMVAD_CERT_VALID)
    abort();
  g_sink += g_res.cert.field_count;
}

static void do_bare_verify(const job *j) {
  if (crypto_sign_verify_detached(j->sig, j->msg, j->msg_len,
                                  j->key->public_key) != 0)
    abort();
  g_sink++;
}

static void do_qr(const job *j) {
  samvad_qr *qr = NULL;
  if (samvad_qr_encode(j->text, j->text_len, NULL, &qr))
    abort();
  g_sink += (size_t)samvad_qr_version(qr);
  samvad_qr_destroy(qr);
}

static void do_svg(const job *j) {
  size_t len = 0;
  if (samvad_qr_svg(j->qr, 8, g_out, sizeof g_out, &len))
    abort();
  g_sink += len;
}

static void do_terminal(const job *j) {
  size_t len = 0;
  if (samvad_qr_terminal(j->qr, SAMVAD_QR_TERM_ANSI, g_out, sizeof g_out,
                         &len))
    abort();
  g_sink += len;
}

/* Operations per second of fn over at least `seconds`. */
static double rate(void (*fn)(const job *), const job *j, double seconds) {
  long n = 0;
  double t0 = now_seconds(), t;
  do {
    for (int k = 0; k < 50; k++)
      fn(j);
    n += 50;
    t = now_seconds();
  } while (t - t0 < seconds);
  return (double)n / (t - t0);
}

/* Best of `rounds` for a pair measured alternately, so both see the same
 * machine state. */
static void pair(const char *what, void (*ours)(const job *),
                 void (*bare)(const job *), const char *bare_what,
                 const job *j, double seconds) {
  double best_ours = 0, best_bare = 0;
  for (int r = 0; r < 5; r++) {
    double a = rate(ours, j, seconds), b = rate(bare, j, seconds);
    best_ours = a > best_ours ? a : best_ours;
    best_bare = b > best_bare ? b : best_bare;
  }
  printf("  %-34s %9.0f /s\n  %-34s %9.0f /s   -> %.1f%% of bare\n", what,
         best_ours, bare_what, best_bare, 100.0 * best_ours / best_bare);
}

static void single(const char *what, void (*fn)(const job *), const job *j,
                   double seconds) {
  double best = 0;
  for (int r = 0; r < 3; r++) {
    double a = rate(fn, j, seconds);
    best = a > best ? a : best;
  }
  printf("  %-34s %9.0f /s   (%.1f us each)\n", what, best, 1e6 / best);
}

static void run(const char *title, int devanagari, const samvad_trust *trust,
                double seconds) {
  samvad_cert c = fx_marriage(devanagari);
  samvad_cert_key key = fx_key(FX_ISSUER);
  static char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t len = fx_issue(&c, FX_ISSUER, 0, text, sizeof text);
  static unsigned char msg[3 + SAMVAD_CERT_MAX_BLOB_BYTES];
  unsigned char blob[SAMVAD_CERT_MAX_BLOB_BYTES];
  size_t n = fx_blob(text, len, blob);
  memcpy(msg, "SV1", 3);
  memcpy(msg + 3, blob, n - 64);
  job j = {.cert = &c, .key = &key, .trust = trust, .text = text,
           .text_len = len, .msg = msg, .msg_len = 3 + n - 64,
           .sig = blob + n - 64};
  if (samvad_qr_encode(text, len, NULL, &j.qr))
    abort();
  sv_cert_header h;
  sv_cert_header_read(blob, &h);
  printf("%s: %zu fields, blob %zu bytes (%s), QR text %zu characters, "
         "version %d at Q\n",
         title, c.field_count, n, h.flags & 1 ? "compressed" : "stored", len,
         samvad_qr_version(j.qr));
  pair("issue (payload+deflate+sign+b45)", do_issue, do_sign,
       "bare crypto_sign_detached", &j, seconds);
  pair("issue, SAMVAD_CERT_NO_COMPRESS", do_issue_stored, do_sign,
       "bare crypto_sign_detached", &j, seconds);
  pair("verify (all checks)", do_verify, do_bare_verify,
       "bare crypto_sign_verify_detached", &j, seconds);
  single("QR matrix (libqrencode)", do_qr, &j, seconds);
  single("SVG writer", do_svg, &j, seconds);
  single("terminal half blocks", do_terminal, &j, seconds);
  samvad_qr_destroy(j.qr);
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 0.5;
  if (!(seconds > 0 && seconds < 60)) {
    fprintf(stderr, "usage: bench_cert [SECONDS_PER_MEASUREMENT]\n");
    return 2;
  }
  samvad_trust *trust = fx_trust();
  samvad_revocation e[1000];
  for (size_t i = 0; i < 1000; i++)
    e[i] = (samvad_revocation){(i + 1) * 0x9E3779B97F4A7C15ull, FX_NOW, 0};
  samvad_revocations_sort(e, 1000);
  static unsigned char buf[29 + 1000 * 13 + 64];
  samvad_revocation_info info = {.seq = 1, .issued_at = FX_NOW - 60};
  samvad_cert_key root = fx_key(FX_ROOT);
  size_t len = 0;
  if (samvad_revocations_sign(&info, e, 1000, &root, buf, sizeof buf, &len,
                              NULL) ||
      samvad_trust_load_revocations(trust, buf, len) ||
      samvad_trust_declare_fields(trust, FX_DOC_MARRIAGE, fx_marriage_tags,
                                  FX_MARRIAGE_TAG_COUNT))
    abort();
  printf("samvad certificate benchmark (libsodium %s, zlib %s; one core; "
         "best of 5 rounds of %.2f s; 1000 revoked serials loaded)\n",
         sodium_version_string(), zlibVersion(), seconds);
  run("Latin marriage certificate", 0, trust, seconds);
  run("Devanagari marriage certificate", 1, trust, seconds);
  samvad_trust_destroy(trust);
  return g_sink == 0;
}
