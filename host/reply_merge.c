/* reply_merge.c - one step's replies joined into fewer chat messages, so a
 * citizen gets one notification instead of three and the host stays further
 * below the platform's per-number message rate (contract in reply_merge.h).
 * Joining is greedy, left to right: a joined text only grows, so once the
 * next reply does not fit, no later one could be joined in its place. */
#include "reply_merge.h"

#include <stdlib.h>
#include <string.h>

#include "transport_util.h"

static const char separator[] = "\n\n";

/* Frees the joined texts, keeping the array for the next call. */
static void merged_empty(host_merged *out) {
  for (size_t i = 0; i < out->count; i++)
    free(out->items[i].joined);
  out->count = 0;
}

/* Whether next may be joined into cur (of cur_chars characters), given
 * next's text of next_chars characters. */
static int can_join(const samvad_reply *cur, size_t cur_chars,
                    const samvad_reply *next, size_t next_chars,
                    const host_merge_limits *limits) {
  /* A choice's options close its message, so nothing may come after
   * them; a certificate goes out as a message of its own, announced by
   * its own text alone. */
  if (cur->option_count > 0 || cur->document || next->document)
    return 0;
  size_t sep = cur_chars && next_chars ? strlen(separator) : 0;
  size_t max = next->option_count > 0 ? limits->choice_max : limits->text_max;
  return cur_chars + sep + next_chars <= max;
}

/* Appends next's text to m's, a blank line between. The joined text is
 * grown in place: a run of joins copies each earlier text only once. */
static int join(host_merged_reply *m, const samvad_reply *next) {
  const char *text = m->reply.text;
  size_t len = strlen(text), add = strlen(next->text);
  if (add > 0 && len == 0) {
    free(m->joined); /* an empty text has nothing to keep */
    m->joined = NULL;
    text = next->text;
  } else if (add > 0) {
    size_t sep = strlen(separator);
    char *joined = realloc(m->joined, len + sep + add + 1);
    if (!joined)
      return -1;
    if (!m->joined)
      memcpy(joined, text, len);
    memcpy(joined + len, separator, sep);
    memcpy(joined + len + sep, next->text, add + 1);
    m->joined = joined;
    text = joined;
  }
  /* A step submits one application at most: the run keeps it, wherever
   * in the run it was. */
  const samvad_application *application = m->reply.application;
  m->reply = *next;
  m->reply.text = text;
  if (!m->reply.application)
    m->reply.application = application;
  return 0;
}

int host_replies_merge(const samvad_replies *replies,
                       const host_merge_limits *limits, host_merged *out) {
  if (!out)
    return SAMVAD_EINVAL;
  merged_empty(out);
  if (!limits)
    return SAMVAD_EINVAL;
  size_t n = samvad_replies_count(replies);
  if (n > out->cap) {
    host_merged_reply *items = realloc(out->items, n * sizeof *items);
    if (!items)
      return SAMVAD_ENOMEM;
    out->items = items;
    out->cap = n;
  }
  size_t cur_chars = 0;
  for (size_t i = 0; i < n; i++) {
    const samvad_reply *r = samvad_replies_get(replies, i);
    size_t chars = host_text_chars(r->text, strlen(r->text));
    host_merged_reply *cur = out->count ? &out->items[out->count - 1] : NULL;
    if (cur && can_join(&cur->reply, cur_chars, r, chars, limits)) {
      if (join(cur, r) != 0) {
        merged_empty(out);
        return SAMVAD_ENOMEM;
      }
      cur_chars += (cur_chars && chars ? strlen(separator) : 0) + chars;
    } else {
      out->items[out->count].reply = *r;
      out->items[out->count].joined = NULL;
      out->count++;
      cur_chars = chars;
    }
  }
  return 0;
}

void host_merged_free(host_merged *out) {
  if (!out)
    return;
  merged_empty(out);
  free(out->items);
  out->items = NULL;
  out->cap = 0;
}
