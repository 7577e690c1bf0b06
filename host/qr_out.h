/* qr_out.h - a certificate's QR code on its way out and back in: a PNG
 * file (libpng), an SVG file, terminal art on a stream, and reading the
 * text back from a PNG photo or screenshot (libzbar). */
#ifndef SAMVAD_HOST_QR_OUT_H
#define SAMVAD_HOST_QR_OUT_H

#include <stddef.h>
#include <stdio.h>

/* Writes text's QR code as a PNG (8 pixels per module, quiet zone
 * included, 1-bit greyscale) to path, created with mode 0644 through a
 * temporary file and rename, so a reader never sees half a file. 0, or -1
 * with errno set (or EINVAL for text that cannot be encoded). */
int host_qr_write_png(const char *text, const char *path);

/* The same as an SVG file. */
int host_qr_write_svg(const char *text, const char *path);

/* Prints text's QR code to out in UTF-8 half blocks, black on white
 * (ANSI colours when out is a terminal, else plain blocks for a light
 * background). 0 or -1. */
int host_qr_print(const char *text, FILE *out);

/* Reads the first QR code in a PNG file with libzbar into text (NUL
 * terminated, at most cap - 1 bytes). 0; -1 when the file cannot be read
 * or is not a PNG; -2 when it holds no QR code; -3 when the text is longer
 * than cap - 1. */
int host_qr_read_png(const char *path, char *text, size_t cap);

#endif
