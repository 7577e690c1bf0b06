/* util.h - small helpers shared by the host's commands: a growable text
 * buffer, a bounded line reader and the masking of user ids for logs. */
#ifndef SAMVAD_HOST_UTIL_H
#define SAMVAD_HOST_UTIL_H

#include <stddef.h>
#include <stdio.h>

/* A NUL-terminated, growable byte string. Zero-initialise before use. */
typedef struct host_buf {
  char *data; /* NULL until the first append; always NUL-terminated after */
  size_t len; /* bytes used, without the terminating NUL */
  size_t cap; /* bytes allocated */
} host_buf;

/* Append n bytes (or a C string); 0 on success, -1 when out of memory (the
 * buffer is unchanged then). */
int host_buf_append(host_buf *b, const char *s, size_t n);
int host_buf_puts(host_buf *b, const char *s);
/* Empties the buffer, keeping its memory. */
void host_buf_reset(host_buf *b);
void host_buf_free(host_buf *b);

/* The results of host_read_line. */
enum host_line_result {
  HOST_LINE_OK = 1,        /* a line is in buf */
  HOST_LINE_EOF = 0,       /* end of input, nothing read */
  HOST_LINE_TOO_LONG = -1, /* longer than cap-1 bytes: the rest was skipped */
  HOST_LINE_ERROR = -2     /* a read error */
};

/* Reads one line of at most cap-1 bytes into buf (NUL-terminated), without
 * its "\n" or "\r\n". A longer line is read to its end and thrown away so
 * that a hostile peer cannot make the host allocate without bound. *len
 * gets the bytes stored; the line may contain NUL bytes. */
int host_read_line(FILE *f, char *buf, size_t cap, size_t *len);

/* Writes a masked form of a user id into out for logs ("91XXXXXX3210"), so
 * that no log line carries a citizen's mobile number. */
void host_mask_id(const char *id, char *out, size_t cap);

/* Reads a whole file of at most max bytes into *out (NUL-terminated, to be
 * freed with free()). 0 on success, -1 on an I/O error (errno set), -2 when
 * the file is larger than max. */
int host_read_file(const char *path, size_t max, char **out, size_t *len);



/* The MIME type for a file name's extension (case-insensitive), for media
 * sent from the terminal or a transcript; "application/octet-stream" when
 * unknown. *known (if not NULL) tells whether the extension was known. */
const char *host_guess_mime(const char *path, int *known);

#endif
