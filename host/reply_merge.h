/* reply_merge.h - one step's replies joined into fewer chat messages.
 * Answering a question often gives a citizen two or three replies at once
 * (a remark, then the next question). Sent one by one, each is a message
 * of its own: another notification on the citizen's phone, and another
 * call against the platform's per-number rate (WhatsApp Cloud API: 80
 * messages a second by default). So a plain text reply is joined to the
 * reply after it, a blank line between, whenever the joined text still
 * fits the message that reply becomes. */
#ifndef SAMVAD_HOST_REPLY_MERGE_H
#define SAMVAD_HOST_REPLY_MERGE_H

#include <stddef.h>

#include "samvad/samvad.h"

/* How much text (in characters, that is Unicode code points, as the
 * platforms count) one message may carry. */
typedef struct host_merge_limits {
  size_t text_max;   /* a text message (WhatsApp 4096, Telegram 4096) */
  size_t choice_max; /* the text above choices (WhatsApp: an interactive
                        message's body, 1024; Telegram 4096) */
} host_merge_limits;

/* One message's reply: reply.text points at joined (owned, freed by
 * host_merged_free) or, when nothing was joined, at the step's own text;
 * every other field is the last joined reply's, but for application: the
 * one submitted in the run. */
typedef struct host_merged_reply {
  samvad_reply reply;
  char *joined;
} host_merged_reply;

typedef struct host_merged {
  host_merged_reply *items;
  size_t count, cap;
} host_merged;

/* Fills out (zeroed before its first use, emptied by each call, so it may
 * be reused) with replies' messages, in order. Reply i is joined into reply i+1 when i asks no
 * choice and carries no document, i+1 carries no document, and the joined
 * text, i's text + "\n\n" + i+1's, is at most limits->choice_max
 * characters when i+1 asks a choice, else at most limits->text_max;
 * joining goes on from the joined reply, so three short texts become one.
 * A reply over a limit on its own is left as it is (the renderer splits
 * or shortens it). The result refers to replies' strings: use it before
 * the next step into replies. Returns 0, SAMVAD_ENOMEM (out is then
 * empty), or SAMVAD_EINVAL for a NULL out or limits. */
int host_replies_merge(const samvad_replies *replies,
                       const host_merge_limits *limits, host_merged *out);
/* Frees what out holds (out itself is the caller's). */
void host_merged_free(host_merged *out);

#endif
