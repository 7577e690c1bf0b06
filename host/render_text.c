/* render_text.c - plain-text rendering of replies (text, numbered options). */
#include "render_text.h"

#include <stdio.h>
#include <string.h>

/* Appends text line by line, each line prefixed; a trailing newline in the
 * text does not produce an empty extra line. */
static int put_lines(host_buf *out, const char *prefix, const char *text) {
  const char *p = text;
  do {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    /* An empty line gets the prefix without its trailing spaces. */
    size_t plen = strlen(prefix);
    while (n == 0 && plen > 0 && prefix[plen - 1] == ' ')
      plen--;
    if (host_buf_append(out, prefix, plen) || host_buf_append(out, p, n) ||
        host_buf_append(out, "\n", 1))
      return -1;
    p = nl ? nl + 1 : p + n;
  } while (*p);
  return 0;
}

int host_render_replies(const samvad_replies *replies, const char *prefix,
                        const char *separator, host_buf *out) {
  size_t n = samvad_replies_count(replies);
  for (size_t i = 0; i < n; i++) {
    const samvad_reply *r = samvad_replies_get(replies, i);
    if (!r)
      continue;
    if (i > 0 && separator && put_lines(out, "", separator))
      return -1;
    if (put_lines(out, prefix, r->text ? r->text : ""))
      return -1;
    for (size_t k = 0; k < r->option_count; k++) {
      char num[24];
      snprintf(num, sizeof num, "%zu. ", k + 1);
      if (host_buf_puts(out, prefix) || host_buf_puts(out, num) ||
          put_lines(out, "", r->options[k].title ? r->options[k].title : ""))
        return -1;
    }
  }
  return 0;
}
