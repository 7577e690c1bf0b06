/* wa_answer.c - what the Graph API's answers mean: the id of the message
 * sent (or of the media uploaded), or whether an error is worth trying
 * again. */
#include "wa_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "json_tree.h"
#include "transport_util.h"

#define WA_ANSWER_MAX (256 * 1024) /* a Graph API answer we read */
#define ANSWER_DEPTH_MAX 32

/* ---- The id of what was sent ---------------------------------------------------- */

/* Reading messages[0].id, or a media upload's top-level id, from yajl's
 * events rather than from a tree: every reply sent has an answer, and
 * building its tree was 8% of the sending thread. As the tree reading
 * did, the first of repeated keys counts, a number is taken as its text,
 * and an answer that is not JSON (or nests too deep) gives no id. */
typedef struct id_scan {
  int depth;          /* containers open */
  int top_key;        /* the top-level key just read: KEY_ID, KEY_MESSAGES */
  int top_id_met;     /* a top-level "id" key was met */
  int messages_met;   /* a top-level "messages" key was met */
  int in_messages;    /* inside that key's array (depth 2) */
  int elements;       /* elements of that array begun */
  int first_key_id;   /* in messages[0], the key just read is its "id" */
  int message_id_met; /* messages[0] had an "id" key */
  int has_top_id, has_message_id; /* as text (a string or a number) */
  char top_id[256], message_id[256];
} id_scan;

enum { KEY_OTHER, KEY_ID, KEY_MESSAGES };

static void take(char *dest, size_t cap, int *has, const unsigned char *s,
                 size_t n) {
  if (n >= cap)
    n = cap - 1; /* as snprintf into the caller's buffer would */
  memcpy(dest, s, n);
  dest[n] = '\0';
  *has = 1;
}

/* A value begins: a scalar, or a container about to open. */
static void value(id_scan *x) {
  if (x->in_messages && x->depth == 2)
    x->elements++;
}

static void value_done(id_scan *x) {
  x->top_key = KEY_OTHER;
  x->first_key_id = 0;
}

static int on_scalar_text(void *ctx, const unsigned char *s, size_t n) {
  id_scan *x = ctx;
  value(x);
  if (x->depth == 1 && x->top_key == KEY_ID)
    take(x->top_id, sizeof x->top_id, &x->has_top_id, s, n);
  if (x->depth == 3 && x->first_key_id)
    take(x->message_id, sizeof x->message_id, &x->has_message_id, s, n);
  value_done(x);
  return 1;
}

static int on_string(void *ctx, const unsigned char *s, size_t n) {
  return on_scalar_text(ctx, s, n);
}

static int on_number(void *ctx, const char *s, size_t n) {
  return on_scalar_text(ctx, (const unsigned char *)s, n);
}

static int on_other(id_scan *x) {
  value(x);
  value_done(x);
  return 1;
}

static int on_null(void *ctx) { return on_other(ctx); }

static int on_boolean(void *ctx, int b) {
  (void)b;
  return on_other(ctx);
}

static int open_container(id_scan *x, int array) {
  value(x);
  if (array && x->depth == 1 && x->top_key == KEY_MESSAGES)
    x->in_messages = 1;
  value_done(x);
  return ++x->depth <= ANSWER_DEPTH_MAX;
}

static int on_start_map(void *ctx) { return open_container(ctx, 0); }
static int on_start_array(void *ctx) { return open_container(ctx, 1); }

static int on_end(void *ctx) {
  id_scan *x = ctx;
  if (--x->depth < 2)
    x->in_messages = 0;
  return 1;
}

static int is_key(const unsigned char *s, size_t n, const char *key) {
  return n == strlen(key) && memcmp(s, key, n) == 0;
}

static int on_map_key(void *ctx, const unsigned char *s, size_t n) {
  id_scan *x = ctx;
  if (x->depth == 1) {
    x->top_key = KEY_OTHER;
    if (is_key(s, n, "id") && !x->top_id_met)
      x->top_key = KEY_ID, x->top_id_met = 1;
    else if (is_key(s, n, "messages") && !x->messages_met)
      x->top_key = KEY_MESSAGES, x->messages_met = 1;
  } else if (x->depth == 3 && x->in_messages && x->elements == 1) {
    x->first_key_id = is_key(s, n, "id") && !x->message_id_met;
    x->message_id_met |= x->first_key_id;
  }
  return 1;
}

static const yajl_callbacks id_events = {
    on_null, on_boolean, NULL,         NULL,   on_number, on_string,
    on_start_map, on_map_key, on_end, on_start_array, on_end};

static void sent_id_of(const char *body, size_t len, char *sent_id,
                       size_t cap) {
  if (!cap)
    return;
  id_scan x = {0};
  yajl_handle h = len && len <= WA_ANSWER_MAX ? yajl_alloc(&id_events, NULL, &x)
                                              : NULL;
  if (!h)
    return;
  int ok = yajl_parse(h, (const unsigned char *)body, len) == yajl_status_ok &&
           yajl_complete_parse(h) == yajl_status_ok;
  yajl_free(h);
  if (ok)
    snprintf(sent_id, cap, "%s",
             x.has_message_id ? x.message_id : x.has_top_id ? x.top_id : "");
}

/* ---- Whether to try again -------------------------------------------------------- */

/* Graph API error codes that mean "later": throughput (130429), pair rate
 * (131056), number being upgraded (131057), application rate limits (4,
 * 80007), spam rate (131048), temporary failures (1, 2, 131000, 131016,
 * 133004), and an expired or revoked token (190): an operator's mistake
 * that a restart with a new token mends, so the messages wait for it. */
static int transient_code(long code) {
  static const long codes[] = {1,      2,      4,      190,    80007,
                               130429, 131000, 131016, 131048, 131056,
                               131057, 133004};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    if (codes[i] == code)
      return 1;
  return 0;
}

int host_wa_outcome(long http_status, const char *body, size_t len,
                    char *sent_id, size_t cap, int *retry_after, char *error,
                    size_t error_cap) {
  host_outcome_clear(sent_id, cap, retry_after, error, error_cap);
  if (http_status >= 200 && http_status < 300) {
    sent_id_of(body, len, sent_id, cap);
    return 0;
  }
  yajl_val v = host_json_parse(body, len, WA_ANSWER_MAX, ANSWER_DEPTH_MAX);
  static const char *const code_path[] = {"error", "code", NULL};
  static const char *const message_path[] = {"error", "message", NULL};
  static const char *const details_path[] = {"error", "error_data",
                                             "details", NULL};
  const char *code_text = host_json_get(v, code_path);
  long code = code_text ? strtol(code_text, NULL, 10) : 0;
  const char *message = host_json_get(v, message_path);
  const char *details = host_json_get(v, details_path);
  if (code)
    snprintf(error, error_cap, "HTTP %ld, code %ld: %s%s%s", http_status,
             code, message ? message : "", details ? ": " : "",
             details ? details : "");
  else
    snprintf(error, error_cap, "HTTP %ld", http_status);
  host_json_tree_free(v);
  if (http_status == 0 || http_status == 401 || http_status == 429 ||
      http_status >= 500 || transient_code(code))
    return 1;
  return 2;
}
