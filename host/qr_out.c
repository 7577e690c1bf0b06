/* qr_out.c - a certificate's QR code as a PNG file (libpng, 1-bit
 * greyscale), an SVG file and terminal art, and reading the text back out
 * of a PNG with libzbar, a decoder nobody here wrote. Files appear whole:
 * they are written to a temporary file beside the target and renamed. */
#include "qr_out.h"

#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>
#include <zbar.h>

#include "samvad/cert.h"

#define PNG_PIXELS_PER_MODULE 8
#define SVG_PIXELS_PER_MODULE 8
/* A photo or screenshot bigger than this is not a certificate's QR code;
 * the bound keeps a hostile file from making us allocate gigabytes. */
#define PNG_READ_MAX_SIDE 8192
#define PNG_READ_MAX_PIXELS (24u * 1024u * 1024u)

static int encode(const char *text, samvad_qr **qr) {
  int err = samvad_qr_encode(text, strlen(text), NULL, qr);
  if (err) {
    errno = err == SAMVAD_ENOMEM ? ENOMEM : EINVAL;
    return -1;
  }
  return 0;
}

/* ---- writing files ------------------------------------------------------- */

/* A temporary file beside path, mode 0644. */
static FILE *open_temp(const char *path, char *tmp, size_t cap) {
  int n = snprintf(tmp, cap, "%s.tmp-XXXXXX", path);
  if (n < 0 || (size_t)n >= cap) {
    errno = ENAMETOOLONG;
    return NULL;
  }
  int fd = mkstemp(tmp);
  if (fd < 0)
    return NULL;
  FILE *f = fchmod(fd, 0644) == 0 ? fdopen(fd, "wb") : NULL;
  if (!f) {
    int e = errno;
    close(fd);
    unlink(tmp);
    errno = e;
  }
  return f;
}

/* Closes f and renames tmp to path when ok; removes tmp otherwise. */
static int finish_temp(FILE *f, const char *tmp, const char *path, int ok) {
  int e = ok ? 0 : (errno ? errno : EIO);
  if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)
    e = e ? e : errno;
  if (fclose(f) != 0)
    e = e ? e : errno;
  if (!e && rename(tmp, path) != 0)
    e = errno;
  if (e) {
    unlink(tmp);
    errno = e;
    return -1;
  }
  return 0;
}

static void png_error_handler(png_structp png, png_const_charp msg) {
  (void)msg;
  png_longjmp(png, 1);
}

static void png_warning_handler(png_structp png, png_const_charp msg) {
  (void)png;
  (void)msg;
}

/* Writes the image; 0 or -1. Separate from host_qr_write_png so that no
 * local of that function is live across setjmp. */
static int write_png_stream(FILE *f, const samvad_qr *qr) {
  const int size = samvad_qr_size(qr);
  const int modules = size + 2 * SAMVAD_QR_QUIET_ZONE;
  const png_uint_32 side = (png_uint_32)(modules * PNG_PIXELS_PER_MODULE);
  png_structp png = png_create_write_struct(
      PNG_LIBPNG_VER_STRING, NULL, png_error_handler, png_warning_handler);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  png_bytep row = calloc((side + 7) / 8, 1);
  if (!png || !info || !row) {
    png_destroy_write_struct(&png, &info);
    free(row);
    errno = ENOMEM;
    return -1;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    free(row);
    errno = EIO;
    return -1;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, side, side, 1, PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int my = 0; my < modules; my++) {
    /* A set bit is white: 1-bit greyscale runs from black (0) to white. */
    memset(row, 0, (side + 7) / 8);
    for (png_uint_32 x = 0; x < side; x++) {
      int mx = (int)(x / PNG_PIXELS_PER_MODULE) - SAMVAD_QR_QUIET_ZONE;
      if (!samvad_qr_dark(qr, mx, my - SAMVAD_QR_QUIET_ZONE))
        row[x / 8] |= (png_byte)(0x80u >> (x % 8));
    }
    for (int k = 0; k < PNG_PIXELS_PER_MODULE; k++)
      png_write_row(png, row);
  }
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  free(row);
  return 0;
}

int host_qr_write_png(const char *text, const char *path) {
  samvad_qr *qr = NULL;
  if (encode(text, &qr) != 0)
    return -1;
  char tmp[4096];
  FILE *f = open_temp(path, tmp, sizeof tmp);
  int rc = -1;
  if (f)
    rc = finish_temp(f, tmp, path, write_png_stream(f, qr) == 0);
  int e = errno;
  samvad_qr_destroy(qr);
  errno = e;
  return rc;
}

int host_qr_write_svg(const char *text, const char *path) {
  samvad_qr *qr = NULL;
  if (encode(text, &qr) != 0)
    return -1;
  size_t need = 0;
  char *svg = NULL;
  int rc = -1;
  if (samvad_qr_svg(qr, SVG_PIXELS_PER_MODULE, NULL, 0, &need) !=
          SAMVAD_ENOSPC ||
      !(svg = malloc(need + 1)) ||
      samvad_qr_svg(qr, SVG_PIXELS_PER_MODULE, svg, need + 1, &need) != 0) {
    errno = ENOMEM;
  } else {
    char tmp[4096];
    FILE *f = open_temp(path, tmp, sizeof tmp);
    if (f)
      rc = finish_temp(f, tmp, path, fwrite(svg, 1, need, f) == need);
  }
  int e = errno;
  free(svg);
  samvad_qr_destroy(qr);
  errno = e;
  return rc;
}

int host_qr_print(const char *text, FILE *out) {
  samvad_qr *qr = NULL;
  if (encode(text, &qr) != 0)
    return -1;
  /* Colours make it black on white on any terminal theme; on paper or in
   * a file the blocks themselves are the dark modules. */
  samvad_qr_term_style style =
      isatty(fileno(out)) ? SAMVAD_QR_TERM_ANSI : SAMVAD_QR_TERM_DARK_BLOCKS;
  size_t need = 0;
  char *art = NULL;
  int rc = -1;
  if (samvad_qr_terminal(qr, style, NULL, 0, &need) == SAMVAD_ENOSPC &&
      (art = malloc(need + 1)) != NULL &&
      samvad_qr_terminal(qr, style, art, need + 1, &need) == 0 &&
      fwrite(art, 1, need, out) == need)
    rc = 0;
  free(art);
  samvad_qr_destroy(qr);
  return rc;
}

/* ---- reading a PNG ------------------------------------------------------- */

/* Decodes the PNG in f to 8-bit greyscale (*pixels malloc'd) with
 * libpng's simplified API, which handles every bit depth, palette and
 * colour type; transparency is composed over white, as a viewer shows it.
 * 0 or -1. */
static int read_grey(FILE *f, unsigned char **pixels, png_uint_32 *width,
                     png_uint_32 *height) {
  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_stdio(&image, f))
    return -1;
  if (image.width == 0 || image.height == 0 ||
      image.width > PNG_READ_MAX_SIDE || image.height > PNG_READ_MAX_SIDE ||
      (uint64_t)image.width * image.height > PNG_READ_MAX_PIXELS) {
    png_image_free(&image);
    return -1;
  }
  image.format = PNG_FORMAT_GRAY;
  unsigned char *buf = malloc(PNG_IMAGE_SIZE(image));
  png_color white = {0xff, 0xff, 0xff};
  if (!buf || !png_image_finish_read(&image, &white, buf, 0, NULL)) {
    png_image_free(&image);
    free(buf);
    return -1;
  }
  *pixels = buf;
  *width = image.width;
  *height = image.height;
  return 0;
}

int host_qr_read_png(const char *path, char *text, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  unsigned char sig[8];
  struct stat st;
  unsigned char *pixels = NULL;
  png_uint_32 w = 0, h = 0;
  int ok = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
           fread(sig, 1, sizeof sig, f) == sizeof sig &&
           png_sig_cmp(sig, 0, sizeof sig) == 0 && fseek(f, 0, SEEK_SET) == 0 &&
           read_grey(f, &pixels, &w, &h) == 0;
  fclose(f);
  if (!ok)
    return -1;
  zbar_image_scanner_t *scanner = zbar_image_scanner_create();
  zbar_image_t *image = zbar_image_create();
  int rc = -1;
  if (scanner && image) {
    zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(image, w, h);
    zbar_image_set_data(image, pixels, (unsigned long)w * h, NULL);
    rc = -2;
    if (zbar_scan_image(scanner, image) > 0) {
      const zbar_symbol_t *sym = zbar_image_first_symbol(image);
      for (; sym; sym = zbar_symbol_next(sym)) {
        if (zbar_symbol_get_type(sym) != ZBAR_QRCODE)
          continue;
        unsigned n = zbar_symbol_get_data_length(sym);
        if ((size_t)n + 1 > cap) {
          rc = -3;
        } else {
          memcpy(text, zbar_symbol_get_data(sym), n);
          text[n] = '\0';
          rc = 0;
        }
        break;
      }
    }
  }
  if (image)
    zbar_image_destroy(image);
  if (scanner)
    zbar_image_scanner_destroy(scanner);
  free(pixels);
  return rc;
}
