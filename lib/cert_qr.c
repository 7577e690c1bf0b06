/* cert_qr.c - a certificate's QR code: libqrencode makes the symbol (one
 * alphanumeric segment, error correction Q, smallest version), and two
 * pure writers render it into the caller's buffer, as SVG and as UTF-8
 * half blocks for a terminal, dark on light with a 4-module quiet zone as
 * phone cameras expect. */
#include "cert_internal.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

struct samvad_qr {
  sv_alloc alloc;
  int version, size;
  unsigned char modules[]; /* size * size, 1 = dark */
};

static bool alnum_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
         (c && strchr(" $%*+-./:", c));
}

int samvad_qr_encode(const char *text, size_t len,
                     const samvad_allocator *alloc, samvad_qr **out) {
  if (!out)
    return SAMVAD_EINVAL;
  *out = NULL;
  if (!text || len == 0)
    return SAMVAD_EINVAL;
  if (len > SAMVAD_QR_MAX_TEXT_BYTES)
    return SAMVAD_ELIMIT;
  for (size_t i = 0; i < len; i++)
    if (!alnum_char(text[i]))
      return SAMVAD_EINVAL;

  QRinput *in = QRinput_new2(0, QR_ECLEVEL_Q);
  if (!in)
    return SAMVAD_ENOMEM;
  QRcode *code = NULL;
  int rc = 0;
  if (QRinput_append(in, QR_MODE_AN, (int)len, (const unsigned char *)text) !=
      0) {
    rc = errno == ENOMEM ? SAMVAD_ENOMEM : SAMVAD_EINVAL;
  } else {
    errno = 0;
    code = QRcode_encodeInput(in);
    if (!code)
      rc = errno == ERANGE ? SAMVAD_ELIMIT : SAMVAD_ENOMEM;
  }
  QRinput_free(in);
  if (rc != 0)
    return rc;

  sv_alloc al;
  sv_alloc_init(&al, alloc);
  size_t cells = (size_t)code->width * (size_t)code->width;
  samvad_qr *qr = sv_malloc(&al, sizeof *qr + cells);
  if (!qr) {
    QRcode_free(code);
    return SAMVAD_ENOMEM;
  }
  qr->alloc = al;
  qr->version = code->version;
  qr->size = code->width;
  /* libqrencode's bytes carry flags for how each module was placed; bit 0
   * is its colour. */
  for (size_t i = 0; i < cells; i++)
    qr->modules[i] = code->data[i] & 1u;
  QRcode_free(code);
  *out = qr;
  return 0;
}

void samvad_qr_destroy(samvad_qr *qr) {
  if (qr) {
    sv_alloc al = qr->alloc;
    sv_free(&al, qr);
  }
}

int samvad_qr_version(const samvad_qr *qr) { return qr ? qr->version : 0; }
int samvad_qr_size(const samvad_qr *qr) { return qr ? qr->size : 0; }
const unsigned char *samvad_qr_modules(const samvad_qr *qr) {
  return qr ? qr->modules : NULL;
}

int samvad_qr_dark(const samvad_qr *qr, int x, int y) {
  if (!qr || x < 0 || y < 0 || x >= qr->size || y >= qr->size)
    return 0;
  return qr->modules[(size_t)y * (size_t)qr->size + (size_t)x];
}

/* ---- Writers ----------------------------------------------------------------
 * Both count what they would write even past cap, so one pass tells the
 * size needed. */
typedef struct writer {
  char *buf;
  size_t cap, len;
} writer;

static void put(writer *w, const char *s, size_t n) {
  if (w->len + n < w->cap)
    memcpy(w->buf + w->len, s, n);
  w->len += n;
}

static void put_str(writer *w, const char *s) { put(w, s, strlen(s)); }

static void put_uint(writer *w, unsigned v) {
  char tmp[16];
  size_t n = sizeof tmp;
  do {
    tmp[--n] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  put(w, tmp + n, sizeof tmp - n);
}

static int finish(writer *w, size_t *len) {
  *len = w->len;
  if (w->len + 1 > w->cap)
    return SAMVAD_ENOSPC;
  w->buf[w->len] = '\0';
  return 0;
}

int samvad_qr_svg(const samvad_qr *qr, unsigned scale, char *buf, size_t cap,
                  size_t *len) {
  if (!qr || !len || (!buf && cap > 0) || scale < 1 || scale > 100)
    return SAMVAD_EINVAL;
  writer w = {buf, cap, 0};
  unsigned side = (unsigned)qr->size + 2 * SAMVAD_QR_QUIET_ZONE;
  put_str(&w, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"");
  put_uint(&w, side * scale);
  put_str(&w, "\" height=\"");
  put_uint(&w, side * scale);
  put_str(&w, "\" viewBox=\"0 0 ");
  put_uint(&w, side);
  put_str(&w, " ");
  put_uint(&w, side);
  put_str(&w, "\" shape-rendering=\"crispEdges\">\n<rect width=\"");
  put_uint(&w, side);
  put_str(&w, "\" height=\"");
  put_uint(&w, side);
  put_str(&w, "\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"");
  /* One rectangle per horizontal run of dark modules. */
  for (int y = 0; y < qr->size; y++) {
    for (int x = 0; x < qr->size;) {
      if (!samvad_qr_dark(qr, x, y)) {
        x++;
        continue;
      }
      int run = 1;
      while (samvad_qr_dark(qr, x + run, y))
        run++;
      put_str(&w, "M");
      put_uint(&w, (unsigned)(x + SAMVAD_QR_QUIET_ZONE));
      put_str(&w, " ");
      put_uint(&w, (unsigned)(y + SAMVAD_QR_QUIET_ZONE));
      put_str(&w, "h");
      put_uint(&w, (unsigned)run);
      put_str(&w, "v1h-");
      put_uint(&w, (unsigned)run);
      put_str(&w, "z");
      x += run;
    }
  }
  put_str(&w, "\"/>\n</svg>\n");
  return finish(&w, len);
}

int samvad_qr_terminal(const samvad_qr *qr, samvad_qr_term_style style,
                       char *buf, size_t cap, size_t *len) {
  if (!qr || !len || (!buf && cap > 0) ||
      (style != SAMVAD_QR_TERM_ANSI && style != SAMVAD_QR_TERM_LIGHT_BLOCKS &&
       style != SAMVAD_QR_TERM_DARK_BLOCKS))
    return SAMVAD_EINVAL;
  /* Cells show "ink" in the upper and lower half: the dark modules in black
   * on white for ANSI and DARK_BLOCKS, the light ones for LIGHT_BLOCKS. */
  static const char *const cell[4] = {" ", "\xE2\x96\x80" /* upper half */,
                                      "\xE2\x96\x84" /* lower half */,
                                      "\xE2\x96\x88" /* full block */};
  int q = SAMVAD_QR_QUIET_ZONE, end = qr->size + SAMVAD_QR_QUIET_ZONE;
  bool ink_light = style == SAMVAD_QR_TERM_LIGHT_BLOCKS;
  writer w = {buf, cap, 0};
  for (int y = -q; y < end; y += 2) {
    if (style == SAMVAD_QR_TERM_ANSI)
      put_str(&w, "\x1b[30;107m"); /* black on bright white */
    for (int x = -q; x < end; x++) {
      int top = samvad_qr_dark(qr, x, y) != ink_light;
      /* An odd side leaves the last line's lower half past the quiet
       * zone: no ink there. */
      int bottom = y + 1 < end && samvad_qr_dark(qr, x, y + 1) != ink_light;
      put_str(&w, cell[top | bottom << 1]);
    }
    if (style == SAMVAD_QR_TERM_ANSI)
      put_str(&w, "\x1b[0m");
    put_str(&w, "\n");
  }
  return finish(&w, len);
}
