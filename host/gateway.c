/* gateway.c - `samvad gateway`: the JSON-lines protocol that lets a gateway
 * written in any language drive samvad through a pipe. One JSON object per
 * line in, one per reply out, the last reply to a message marked "end".
 * Input is parsed with yajl's tree API and output written with yajl_gen so
 * escaping is always right; a malformed line gets an error object and the
 * gateway carries on. The protocol is documented in docs/cli.md. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "options.h"
#include "sessions.h"
#include "timeparse.h"
#include "util.h"

#define GW_MAX_LINE_BYTES (64 * 1024) /* one incoming JSON line */
#define GW_MAX_ID_BYTES 256           /* message, option and media ids */
#define GW_MAX_MEDIA_REF_BYTES 1024   /* a media id or file path */

typedef struct gateway {
  const samvad_catalogue *catalogue;
  host_sessions *sessions;
  samvad_replies *replies;
  yajl_gen gen;
  FILE *out;
} gateway;

/* What one valid incoming line asks for. Strings point into the yajl tree. */
typedef struct incoming {
  const char *from;
  const char *id;
  samvad_message msg;
  int64_t now;
} incoming;

/* A problem with a line: a stable code for programs and a message for
 * people. The message never quotes the line, which may hold personal data. */
typedef struct gw_error {
  const char *code;
  const char *message;
} gw_error;

static void gen_str(yajl_gen g, const char *s) {
  yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_str_or_null(yajl_gen g, const char *s) {
  if (s)
    gen_str(g, s);
  else
    yajl_gen_null(g);
}

/* Writes the generated object as one line. Returns -1 on a write error. */
static int flush_object(gateway *gw) {
  const unsigned char *buf;
  size_t len;
  int rc = 0;
  if (yajl_gen_get_buf(gw->gen, &buf, &len) != yajl_gen_status_ok)
    rc = -1;
  else if (fwrite(buf, 1, len, gw->out) != len || putc('\n', gw->out) == EOF)
    rc = -1;
  yajl_gen_clear(gw->gen);
  yajl_gen_reset(gw->gen, NULL);
  return rc;
}

static int emit_error(gateway *gw, const char *in_reply_to, gw_error e) {
  yajl_gen g = gw->gen;
  yajl_gen_map_open(g);
  gen_str(g, "error");
  yajl_gen_map_open(g);
  gen_str(g, "code");
  gen_str(g, e.code);
  gen_str(g, "message");
  gen_str(g, e.message);
  yajl_gen_map_close(g);
  gen_str(g, "in_reply_to");
  gen_str_or_null(g, in_reply_to);
  gen_str(g, "end");
  yajl_gen_bool(g, 1);
  yajl_gen_map_close(g);
  return flush_object(gw);
}

/* Writes one reply; returns -1 when the reply could not be encoded (text
 * that is not UTF-8 would be a library bug) or written. */
static int emit_reply(gateway *gw, const incoming *in, const samvad_reply *r,
                      int last) {
  yajl_gen g = gw->gen;
  yajl_gen_status st = yajl_gen_status_ok;
  yajl_gen_map_open(g);
  gen_str(g, "to");
  gen_str(g, in->from);
  gen_str(g, "in_reply_to");
  gen_str(g, in->id);
  if (r) {
    gen_str(g, "text");
    st = yajl_gen_string(g, (const unsigned char *)r->text, strlen(r->text));
    gen_str(g, "lang");
    gen_str(g, samvad_lang_code(r->lang));
    gen_str(g, "flow");
    gen_str_or_null(g, r->flow);
    gen_str(g, "state");
    gen_str_or_null(g, r->state);
    if (r->options) {
      gen_str(g, "options");
      yajl_gen_array_open(g);
      for (size_t k = 0; k < r->option_count; k++) {
        yajl_gen_map_open(g);
        gen_str(g, "id");
        gen_str(g, r->options[k].id);
        gen_str(g, "title");
        if (yajl_gen_string(g, (const unsigned char *)r->options[k].title,
                            strlen(r->options[k].title)) != yajl_gen_status_ok)
          st = yajl_gen_invalid_string;
        yajl_gen_map_close(g);
      }
      yajl_gen_array_close(g);
    }
    if (r->application) {
      gen_str(g, "application");
      yajl_gen_map_open(g);
      gen_str(g, "id");
      gen_str(g, r->application->id);
      gen_str(g, "service");
      gen_str(g, r->application->service);
      yajl_gen_map_close(g);
    }
  }
  if (last) {
    gen_str(g, "end");
    yajl_gen_bool(g, 1);
  }
  if (yajl_gen_map_close(g) != yajl_gen_status_ok ||
      st != yajl_gen_status_ok) {
    yajl_gen_clear(g);
    yajl_gen_reset(g, NULL);
    return -1;
  }
  return flush_object(gw);
}

static yajl_val field(yajl_val obj, const char *name) {
  const char *path[] = {name, NULL};
  return yajl_tree_get(obj, path, yajl_t_any);
}

/* Reads an optional string field: 0 when absent (*out NULL), 1 when
 * present and valid, or fills *e. */
static int string_field(yajl_val obj, const char *name, size_t max,
                        int required, const char **out, gw_error *e) {
  yajl_val v = field(obj, name);
  *out = NULL;
  if (!v) {
    if (required) {
      e->code = "missing_field";
      e->message = name;
      return -1;
    }
    return 0;
  }
  if (!YAJL_IS_STRING(v)) {
    e->code = "bad_field";
    e->message = name;
    return -1;
  }
  if (strlen(v->u.string) > max) {
    e->code = "too_long";
    e->message = name;
    return -1;
  }
  *out = v->u.string;
  return 1;
}

/* The message strings name the offending field; these give them context. */
static gw_error describe(gw_error e) {
  static const struct {
    const char *code, *field, *message;
  } table[] = {
      {"missing_field", "from", "\"from\" (the user id) is missing"},
      {"missing_field", "id", "\"id\" (the message id) is missing"},
      {"missing_field", "media.id", "\"media\" needs an \"id\""},
      {"bad_field", "from", "\"from\" must be a non-empty string"},
      {"bad_field", "id", "\"id\" must be a non-empty string"},
      {"bad_field", "text", "\"text\" must be a string"},
      {"bad_field", "reply_id", "\"reply_id\" must be a non-empty string"},
      {"bad_field", "media", "\"media\" must be an object"},
      {"bad_field", "media.id", "\"media.id\" must be a non-empty string"},
      {"bad_field", "media.mime", "\"media.mime\" must be a string"},
      {"bad_field", "media.caption", "\"media.caption\" must be a string"},
      {"too_long", "from", "\"from\" is longer than 128 bytes"},
      {"too_long", "id", "\"id\" is longer than 256 bytes"},
      {"too_long", "text", "\"text\" is longer than 4096 bytes"},
      {"too_long", "reply_id", "\"reply_id\" is longer than 256 bytes"},
      {"too_long", "media.id", "\"media.id\" is longer than 1024 bytes"},
      {"too_long", "media.mime", "\"media.mime\" is longer than 256 bytes"},
      {"too_long", "media.caption",
       "\"media.caption\" is longer than 4096 bytes"},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(e.code, table[i].code) == 0 &&
        strcmp(e.message, table[i].field) == 0)
      return (gw_error){table[i].code, table[i].message};
  return e;
}

static int parse_media(yajl_val media, samvad_message *msg, gw_error *e) {
  if (!YAJL_IS_OBJECT(media)) {
    *e = (gw_error){"bad_field", "media"};
    return -1;
  }
  const char *id, *mime, *caption;
  if (string_field(media, "id", GW_MAX_MEDIA_REF_BYTES, 1, &id, e) < 0 ||
      string_field(media, "mime", GW_MAX_ID_BYTES, 0, &mime, e) < 0 ||
      string_field(media, "caption", SAMVAD_MAX_MESSAGE_BYTES, 0, &caption,
                   e) < 0) {
    /* Name the field by its full path in the message. */
    if (strcmp(e->message, "id") == 0)
      e->message = "media.id";
    else if (strcmp(e->message, "mime") == 0)
      e->message = "media.mime";
    else if (strcmp(e->message, "caption") == 0)
      e->message = "media.caption";
    return -1;
  }
  if (!*id) {
    *e = (gw_error){"bad_field", "media.id"};
    return -1;
  }
  msg->kind = SAMVAD_MSG_MEDIA;
  msg->media_id = id;
  msg->media_mime = mime;
  msg->media_caption = caption;
  return 0;
}

static int parse_time(yajl_val v, int64_t *now, gw_error *e) {
  if (!v || YAJL_IS_NULL(v)) {
    *now = (int64_t)time(NULL);
    return 0;
  }
  if (YAJL_IS_STRING(v) &&
      host_time_parse(YAJL_GET_STRING(v), HOST_IST_OFFSET_SECONDS, now) == 0)
    return 0;
  /* Unix seconds, between 1970 and 9999. */
  if (YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0 &&
      YAJL_GET_INTEGER(v) <= 253402300799LL) {
    *now = (int64_t)YAJL_GET_INTEGER(v);
    return 0;
  }
  *e = (gw_error){"bad_time", "\"time\" must be an ISO 8601 time such as "
                              "\"2026-03-01T10:00:00+05:30\", or Unix seconds"};
  return -1;
}

/* Checks the object and fills *in. *id gets the message id as soon as it is
 * known so that even an error names the message it answers. */
static int parse_incoming(yajl_val obj, incoming *in, const char **id,
                          gw_error *e) {
  memset(in, 0, sizeof *in);
  *id = NULL;
  if (!YAJL_IS_OBJECT(obj)) {
    *e = (gw_error){"bad_json", "a line must be one JSON object"};
    return -1;
  }
  if (string_field(obj, "id", GW_MAX_ID_BYTES, 1, &in->id, e) < 0)
    return -1;
  if (!*in->id) {
    *e = (gw_error){"bad_field", "id"};
    return -1;
  }
  *id = in->id;
  if (string_field(obj, "from", SAMVAD_MAX_USER_ID_BYTES, 1, &in->from, e) <
      0)
    return -1;
  if (!*in->from) {
    *e = (gw_error){"bad_field", "from"};
    return -1;
  }
  yajl_val text = field(obj, "text");
  yajl_val reply = field(obj, "reply_id");
  yajl_val media = field(obj, "media");
  int kinds = (text != NULL) + (reply != NULL) + (media != NULL);
  if (kinds == 0) {
    *e = (gw_error){"missing_field",
                    "a message needs one of \"text\", \"reply_id\" or "
                    "\"media\""};
    return -1;
  }
  if (kinds > 1) {
    *e = (gw_error){"bad_field", "a message has only one of \"text\", "
                                 "\"reply_id\" or \"media\""};
    return -1;
  }
  in->msg.id = in->id;
  if (text) {
    const char *s;
    if (string_field(obj, "text", SAMVAD_MAX_MESSAGE_BYTES, 1, &s, e) < 0)
      return -1;
    in->msg.kind = SAMVAD_MSG_TEXT;
    in->msg.text = s;
    in->msg.text_len = strlen(s);
  } else if (reply) {
    const char *s;
    if (string_field(obj, "reply_id", GW_MAX_ID_BYTES, 1, &s, e) < 0)
      return -1;
    if (!*s) {
      *e = (gw_error){"bad_field", "reply_id"};
      return -1;
    }
    in->msg.kind = SAMVAD_MSG_OPTION;
    in->msg.option_id = s;
  } else if (parse_media(media, &in->msg, e) < 0) {
    return -1;
  }
  return parse_time(field(obj, "time"), &in->now, e);
}

static gw_error step_error(int rc) {
  if (rc == SAMVAD_ELIMIT)
    return (gw_error){"too_long", samvad_strerror(rc)};
  if (rc == SAMVAD_EINVAL)
    return (gw_error){"bad_field", samvad_strerror(rc)};
  return (gw_error){"internal", samvad_strerror(rc)};
}

/* Runs one valid message through the user's session. Returns -1 only on a
 * write error. */
static int handle(gateway *gw, const incoming *in) {
  samvad_session *session = NULL;
  int restore_err = 0;
  int rc = host_sessions_open(gw->sessions, in->from, &session, &restore_err);
  if (restore_err) {
    char masked[80];
    host_mask_id(in->from, masked, sizeof masked);
    fprintf(stderr, "samvad gateway: the session of %s did not restore (%s); "
                    "starting afresh\n",
            masked, samvad_strerror(restore_err));
  }
  if (rc != 0)
    return emit_error(gw, in->id, step_error(rc));
  rc = samvad_step(gw->catalogue, session, &in->msg, in->now, gw->replies);
  if (rc == 0)
    rc = host_sessions_save(gw->sessions, in->from, session);
  samvad_session_destroy(session);
  if (rc != 0)
    return emit_error(gw, in->id, step_error(rc));
  size_t n = samvad_replies_count(gw->replies);
  if (n == 0)
    return emit_reply(gw, in, NULL, 1);
  for (size_t i = 0; i < n; i++) {
    if (emit_reply(gw, in, samvad_replies_get(gw->replies, i), i + 1 == n)) {
      if (ferror(gw->out))
        return -1;
      /* An unencodable reply is replaced by an error that still ends. */
      if (i + 1 == n)
        return emit_error(gw, in->id,
                          (gw_error){"internal", "a reply was not UTF-8"});
    }
  }
  return 0;
}

static int is_blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t')
      return 0;
  return 1;
}

/* One line in, its replies out. Returns -1 on a write error. */
static int process_line(gateway *gw, const char *line, size_t len) {
  if (is_blank(line, len))
    return 0;
  if (memchr(line, '\0', len))
    return emit_error(gw, NULL,
                      (gw_error){"bad_json", "the line contains a NUL byte"});
  char errbuf[256];
  errbuf[0] = '\0';
  yajl_val root = yajl_tree_parse(line, errbuf, sizeof errbuf);
  if (!root) {
    /* yajl's message goes on to quote the input; keep only its first
     * line so no personal data is echoed. */
    errbuf[strcspn(errbuf, "\n")] = '\0';
    return emit_error(gw, NULL,
                      (gw_error){"bad_json", errbuf[0] ? errbuf
                                                       : "not valid JSON"});
  }
  incoming in;
  const char *id;
  gw_error e;
  int rc;
  if (parse_incoming(root, &in, &id, &e) < 0)
    rc = emit_error(gw, id, describe(e));
  else
    rc = handle(gw, &in);
  yajl_tree_free(root);
  return rc;
}

int host_cmd_gateway(int argc, char **argv) {
  host_options o;
  int rc = host_options_parse(argc, argv, HOST_OPT_SPECS, &o);
  if (rc != 0 || o.help) {
    if (rc == 0)
      host_print_help("gateway", stdout);
    host_options_free(&o);
    return rc;
  }
  samvad_catalogue *catalogue = NULL;
  rc = host_catalogue_load(host_specs_dir(&o), &catalogue);
  host_options_free(&o);
  if (rc != 0)
    return rc;

  gateway gw = {catalogue, host_sessions_create(catalogue), NULL,
                yajl_gen_alloc(NULL), stdout};
  char *line = malloc(GW_MAX_LINE_BYTES + 1);
  if (!gw.sessions || !gw.gen || !line ||
      samvad_replies_create(NULL, &gw.replies) != 0) {
    fprintf(stderr, "samvad gateway: out of memory\n");
    rc = HOST_EXIT_IO;
    goto done;
  }
  yajl_gen_config(gw.gen, yajl_gen_validate_utf8, 1);

  for (;;) {
    size_t len = 0;
    int got = host_read_line(stdin, line, GW_MAX_LINE_BYTES + 1, &len);
    int wrc = 0;
    if (got == HOST_LINE_EOF)
      break;
    if (got == HOST_LINE_ERROR) {
      fprintf(stderr, "samvad gateway: cannot read standard input\n");
      rc = HOST_EXIT_IO;
      break;
    }
    if (got == HOST_LINE_TOO_LONG)
      wrc = emit_error(&gw, NULL,
                       (gw_error){"too_long", "a line is longer than 65536 "
                                              "bytes"});
    else
      wrc = process_line(&gw, line, len);
    if (wrc != 0 || fflush(gw.out) != 0 || ferror(gw.out)) {
      fprintf(stderr, "samvad gateway: cannot write standard output\n");
      rc = HOST_EXIT_IO;
      break;
    }
  }
done:
  free(line);
  if (gw.gen)
    yajl_gen_free(gw.gen);
  samvad_replies_destroy(gw.replies);
  host_sessions_destroy(gw.sessions);
  samvad_catalogue_destroy(catalogue);
  return rc;
}
