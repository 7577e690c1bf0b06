/* util.c - the host's small shared helpers: growable buffer, bounded line
 * reading, whole-file reading and log masking of user ids. */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int host_buf_append(host_buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) {
      if (cap > ((size_t)-1) / 2)
        return -1;
      cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p)
      return -1;
    b->data = p;
    b->cap = cap;
  }
  if (n)
    memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

int host_buf_puts(host_buf *b, const char *s) {
  return host_buf_append(b, s, strlen(s));
}

void host_buf_reset(host_buf *b) {
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

void host_buf_free(host_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

int host_read_line(FILE *f, char *buf, size_t cap, size_t *len) {
  size_t n = 0;
  int c;
  int too_long = 0;
  int got_any = 0;
  while ((c = getc(f)) != EOF) {
    got_any = 1;
    if (c == '\n')
      break;
    if (n + 1 < cap)
      buf[n++] = (char)c;
    else
      too_long = 1;
  }
  if (c == EOF && ferror(f))
    return HOST_LINE_ERROR;
  if (!got_any)
    return HOST_LINE_EOF;
  if (n > 0 && buf[n - 1] == '\r')
    n--;
  buf[n] = '\0';
  *len = n;
  return too_long ? HOST_LINE_TOO_LONG : HOST_LINE_OK;
}

void host_mask_id(const char *id, char *out, size_t cap) {
  size_t n = strlen(id);
  int ascii = 1;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)id[i] >= 0x80)
      ascii = 0;
  /* Show a little of a long ASCII id so that an operator can tell users
   * apart; never enough to recover a mobile number. */
  size_t head = (ascii && n >= 10) ? 2 : 0;
  size_t tail = (ascii && n >= 10) ? 4 : 0;
  size_t o = 0;
  if (cap == 0)
    return;
  for (size_t i = 0; i < n && i < 64 && o + 1 < cap; i++)
    out[o++] = (i < head || i >= n - tail) ? id[i] : 'X';
  out[o] = '\0';
}

int host_read_file(const char *path, size_t max, char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  host_buf b = {0};
  char chunk[8192];
  size_t got;
  int rc = 0;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (b.len + got > max) {
      rc = -2;
      break;
    }
    if (host_buf_append(&b, chunk, got) != 0) {
      errno = ENOMEM;
      rc = -1;
      break;
    }
  }
  if (rc == 0 && ferror(f)) {
    errno = EIO;
    rc = -1;
  }
  fclose(f);
  if (rc != 0) {
    host_buf_free(&b);
    return rc;
  }
  if (host_buf_append(&b, "", 0) != 0) {
    errno = ENOMEM;
    return -1;
  }
  *out = b.data;
  *len = b.len;
  return 0;
}

const char *host_guess_mime(const char *path, int *known) {
  static const struct {
    const char *ext;
    const char *mime;
  } table[] = {
      {"jpg", "image/jpeg"},      {"jpeg", "image/jpeg"},
      {"png", "image/png"},       {"webp", "image/webp"},
      {"gif", "image/gif"},       {"heic", "image/heic"},
      {"pdf", "application/pdf"}, {"txt", "text/plain"},
      {"doc", "application/msword"},
      {"docx", "application/"
               "vnd.openxmlformats-officedocument.wordprocessingml.document"},
  };
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (known)
    *known = 0;
  if (!dot || (slash && dot < slash) || strlen(dot + 1) > 8)
    return "application/octet-stream";
  char ext[9];
  size_t i = 0;
  for (const char *p = dot + 1; *p; p++)
    ext[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
  ext[i] = '\0';
  for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
    if (strcmp(ext, table[k].ext) == 0) {
      if (known)
        *known = 1;
      return table[k].mime;
    }
  return "application/octet-stream";
}
