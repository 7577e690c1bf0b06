/* test_cert_qr.c - QR codes of certificates: the size targets (a marriage
 * certificate with Latin names at version 15 or lower at level Q, with
 * Devanagari names at 20 or lower), the symbol's shape, and the SVG and
 * terminal writers, whose output is read back module by module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cert_fixtures.h"

static char g_out[1 << 20];

static samvad_qr *encode(const char *text, size_t len) {
  samvad_qr *qr = NULL;
  assert_int_equal(samvad_qr_encode(text, len, NULL, &qr), 0);
  assert_non_null(qr);
  return qr;
}

/* Issues the fixture marriage certificate and reports its figures. */
static int marriage_version(int devanagari, unsigned options) {
  samvad_cert c = fx_marriage(devanagari);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t len = fx_issue(&c, FX_ISSUER, options, text, sizeof text);
  unsigned char blob[SAMVAD_CERT_MAX_BLOB_BYTES];
  size_t n = fx_blob(text, len, blob);
  samvad_qr *qr = encode(text, len);
  int v = samvad_qr_version(qr);
  print_message("marriage certificate, %s names, %s: blob %zu bytes, QR text "
                "%zu characters, version %d at Q (%dx%d modules)\n",
                devanagari ? "Devanagari" : "Latin",
                options & SAMVAD_CERT_NO_COMPRESS ? "uncompressed"
                                                  : "compressed if smaller",
                n, len, v, samvad_qr_size(qr), samvad_qr_size(qr));
  samvad_qr_destroy(qr);
  return v;
}

static void test_size_targets(void **state) {
  (void)state;
  assert_true(marriage_version(0, 0) <= 15);
  assert_true(marriage_version(0, SAMVAD_CERT_NO_COMPRESS) <= 15);
  assert_true(marriage_version(1, 0) <= 20);
  /* Compression is what brings Devanagari down. */
  assert_true(marriage_version(1, SAMVAD_CERT_NO_COMPRESS) >
              marriage_version(1, 0));
}

static void test_symbol_shape(void **state) {
  (void)state;
  const char *text = "SV1:HELLO WORLD $%*+-./:0123456789";
  samvad_qr *qr = encode(text, strlen(text));
  int v = samvad_qr_version(qr), n = samvad_qr_size(qr);
  assert_true(v >= 1 && v <= 40);
  assert_int_equal(n, 17 + 4 * v);
  const unsigned char *m = samvad_qr_modules(qr);
  for (int i = 0; i < n * n; i++)
    assert_true(m[i] == 0 || m[i] == 1);
  /* The three finder patterns: dark ring, light ring, dark 3x3 centre. */
  static const int corners[3][2] = {{0, 0}, {1, 0}, {0, 1}};
  for (int c = 0; c < 3; c++) {
    int ox = corners[c][0] * (n - 7), oy = corners[c][1] * (n - 7);
    for (int y = 0; y < 7; y++)
      for (int x = 0; x < 7; x++) {
        int ring = x < y ? x : y;
        int edge = 6 - (x > y ? x : y);
        int d = ring < edge ? ring : edge; /* distance from the border */
        assert_int_equal(samvad_qr_dark(qr, ox + x, oy + y), d != 1);
      }
  }
  /* Outside the symbol is the quiet zone: light. */
  assert_int_equal(samvad_qr_dark(qr, -1, 0), 0);
  assert_int_equal(samvad_qr_dark(qr, n, 0), 0);
  assert_int_equal(samvad_qr_dark(qr, 0, n), 0);
  assert_int_equal(samvad_qr_dark(NULL, 0, 0), 0);
  samvad_qr_destroy(qr);
  samvad_qr_destroy(NULL);
}

static void test_encode_refusals(void **state) {
  (void)state;
  samvad_qr *qr = (samvad_qr *)1;
  assert_int_equal(samvad_qr_encode("sv1:abc", 7, NULL, &qr), SAMVAD_EINVAL);
  assert_null(qr);
  assert_int_equal(samvad_qr_encode("SV1:\xE0\xA4", 6, NULL, &qr),
                   SAMVAD_EINVAL);
  assert_int_equal(samvad_qr_encode("AB\0C", 4, NULL, &qr), SAMVAD_EINVAL);
  assert_int_equal(samvad_qr_encode("", 0, NULL, &qr), SAMVAD_EINVAL);
  static char many[SAMVAD_QR_MAX_TEXT_BYTES + 1];
  memset(many, '7', sizeof many);
  assert_int_equal(samvad_qr_encode(many, sizeof many, NULL, &qr),
                   SAMVAD_ELIMIT);
  /* The largest text fits version 40 exactly. */
  assert_int_equal(samvad_qr_encode(many, sizeof many - 1, NULL, &qr), 0);
  assert_int_equal(samvad_qr_version(qr), 40);
  samvad_qr_destroy(qr);
}

/* Reads an SVG written by samvad_qr_svg back into modules. */
static void test_svg(void **state) {
  (void)state;
  samvad_cert c = fx_marriage(0);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t tlen = fx_issue(&c, FX_ISSUER, 0, text, sizeof text);
  samvad_qr *qr = encode(text, tlen);
  int n = samvad_qr_size(qr);
  size_t need = 0, len = 0;
  assert_int_equal(samvad_qr_svg(qr, 8, NULL, 0, &need), SAMVAD_ENOSPC);
  assert_int_equal(samvad_qr_svg(qr, 8, g_out, need, &len), SAMVAD_ENOSPC);
  assert_int_equal(samvad_qr_svg(qr, 8, g_out, need + 1, &len), 0);
  assert_int_equal(len, need);
  assert_int_equal(strlen(g_out), len);
  char head[160];
  snprintf(head, sizeof head,
           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
           "height=\"%d\" viewBox=\"0 0 %d %d\"",
           (n + 8) * 8, (n + 8) * 8, n + 8, n + 8);
  assert_memory_equal(g_out, head, strlen(head));
  assert_string_equal(g_out + len - 7, "</svg>\n");
  /* Paint the runs and compare with the symbol. */
  static unsigned char painted[177 * 177];
  memset(painted, 0, sizeof painted);
  const char *p = strstr(g_out, " d=\"");
  assert_non_null(p);
  p += 4;
  while (*p == 'M') {
    int x, y, run, run2, used = 0;
    assert_int_equal(sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &run, &run2, &used),
                     4);
    assert_int_equal(run, run2);
    for (int k = 0; k < run; k++) {
      int mx = x - 4 + k, my = y - 4;
      assert_true(mx >= 0 && mx < n && my >= 0 && my < n);
      assert_int_equal(painted[my * n + mx], 0);
      painted[my * n + mx] = 1;
    }
    p += used;
  }
  assert_memory_equal(painted, samvad_qr_modules(qr), (size_t)(n * n));
  assert_int_equal(samvad_qr_svg(qr, 0, g_out, sizeof g_out, &len),
                   SAMVAD_EINVAL);
  samvad_qr_destroy(qr);
}

/* Reads terminal art back: each line one cell per module column, two
 * module rows per line; returns the ink of module (x, y) in art
 * coordinates (quiet zone included). */
static void read_art(const char *art, int side, int ansi,
                     unsigned char *ink) {
  const char *p = art;
  int lines = (side + 1) / 2;
  memset(ink, 0, (size_t)side * (size_t)side);
  for (int line = 0; line < lines; line++) {
    if (ansi) {
      assert_memory_equal(p, "\x1b[30;107m", 9);
      p += 9;
    }
    for (int x = 0; x < side; x++) {
      int top = 0, bottom = 0;
      if (*p == ' ') {
        p++;
      } else {
        assert_memory_equal(p, "\xE2\x96", 2);
        top = p[2] == '\x80' || p[2] == '\x88';
        bottom = p[2] == '\x84' || p[2] == '\x88';
        assert_true(top || bottom);
        p += 3;
      }
      ink[(2 * line) * side + x] = (unsigned char)top;
      if (2 * line + 1 < side)
        ink[(2 * line + 1) * side + x] = (unsigned char)bottom;
      else
        assert_int_equal(bottom, 0);
    }
    if (ansi) {
      assert_memory_equal(p, "\x1b[0m", 4);
      p += 4;
    }
    assert_int_equal(*p, '\n');
    p++;
  }
  assert_int_equal(*p, '\0');
}

static void test_terminal(void **state) {
  (void)state;
  samvad_cert c = fx_marriage(1);
  char text[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  size_t tlen = fx_issue(&c, FX_ISSUER, 0, text, sizeof text);
  samvad_qr *qr = encode(text, tlen);
  int n = samvad_qr_size(qr), side = n + 2 * SAMVAD_QR_QUIET_ZONE;
  static unsigned char ink[185 * 185];
  static const samvad_qr_term_style styles[] = {SAMVAD_QR_TERM_ANSI,
                                                SAMVAD_QR_TERM_DARK_BLOCKS,
                                                SAMVAD_QR_TERM_LIGHT_BLOCKS};
  for (size_t s = 0; s < 3; s++) {
    size_t need = 0, len = 0;
    assert_int_equal(samvad_qr_terminal(qr, styles[s], NULL, 0, &need),
                     SAMVAD_ENOSPC);
    assert_int_equal(samvad_qr_terminal(qr, styles[s], g_out, need + 1, &len),
                     0);
    assert_int_equal(len, need);
    read_art(g_out, side, styles[s] == SAMVAD_QR_TERM_ANSI, ink);
    int light = styles[s] == SAMVAD_QR_TERM_LIGHT_BLOCKS;
    for (int y = 0; y < side; y++)
      for (int x = 0; x < side; x++) {
        int dark = samvad_qr_dark(qr, x - 4, y - 4);
        if (ink[y * side + x] != (dark != light))
          fail_msg("style %zu: module (%d, %d) drawn wrong", s, x - 4, y - 4);
      }
    if (s == 0)
      print_message("terminal QR: %d lines of %d cells, %zu bytes\n",
                    (side + 1) / 2, side, len);
  }
  assert_int_equal(samvad_qr_terminal(qr, (samvad_qr_term_style)3, g_out,
                                      sizeof g_out, &tlen),
                   SAMVAD_EINVAL);
  samvad_qr_destroy(qr);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_size_targets),
      cmocka_unit_test(test_symbol_shape),
      cmocka_unit_test(test_encode_refusals),
      cmocka_unit_test(test_svg),
      cmocka_unit_test(test_terminal),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
