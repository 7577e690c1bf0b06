/* gateway_proto.h - the gateway's wire format, apart from its loop: what a
 * JSON line in means, and the JSON lines written for replies and errors.
 * Output goes into a buffer, not a stream, because the gateway may write
 * a reply only after the transaction that produced it committed. The
 * protocol is documented in docs/cli.md. */
#ifndef SAMVAD_HOST_GATEWAY_PROTO_H
#define SAMVAD_HOST_GATEWAY_PROTO_H

#include <stdint.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "samvad/samvad.h"
#include "util.h"

#define HOST_GW_MAX_LINE_BYTES (64 * 1024) /* one incoming JSON line */

/* What one valid incoming line asks for. Strings point into the tree. */
typedef struct host_gw_incoming {
  const char *from;
  const char *id;
  samvad_message msg;
  int64_t now;
} host_gw_incoming;

/* A problem with a line: a stable code for programs and a message for
 * people. The message never quotes the line, which may hold personal data. */
typedef struct host_gw_error {
  const char *code;
  const char *message;
} host_gw_error;

/* A parsed line. tree owns the strings in in; errbuf holds yajl's message
 * when the line is not JSON. */
typedef struct host_gw_line {
  yajl_val tree;
  host_gw_incoming in;
  const char *id;  /* the line's id when it could be read, for errors */
  host_gw_error error;
  char errbuf[256];
} host_gw_line;

enum host_gw_parse_result {
  HOST_GW_MESSAGE = 0, /* a valid message in line->in */
  HOST_GW_BLANK = 1,   /* a blank line: nothing to answer */
  HOST_GW_INVALID = 2  /* answer with line->error (and line->id) */
};

/* Parses one line (NUL-terminated; len counts any NUL bytes inside). Free
 * with host_gw_line_free whatever the result. */
int host_gw_parse(const char *text, size_t len, host_gw_line *line);
void host_gw_line_free(host_gw_line *line);

/* Appends one error object as a line to out. gen is a yajl_gen configured
 * to validate UTF-8. Returns 0, or -1 when out of memory. */
int host_gw_render_error(yajl_gen gen, host_buf *out, const char *in_reply_to,
                         host_gw_error e);

/* Appends one line per reply to out, "end": true on the last; with no
 * replies a single {"to", "in_reply_to", "end": true}. in_reply_to is NULL
 * for a notice (written as null). A reply that cannot be encoded (text
 * that is not UTF-8 would be a library bug) is left out; should it be the
 * last, an "internal" error that ends the answer is written instead. A
 * reply carrying a certificate gets "document": {"service", "number",
 * "qr", "png"}, png being document_png (null when NULL).
 * Returns 0, or -1 when out of memory. */
int host_gw_render_replies(yajl_gen gen, host_buf *out, const char *to,
                           const char *in_reply_to,
                           const samvad_replies *replies,
                           const char *document_png);

#endif
