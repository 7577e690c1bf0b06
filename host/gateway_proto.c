/* gateway_proto.c - parses the gateway's incoming JSON lines (yajl's tree
 * API) and renders replies and errors as JSON lines (yajl_gen, so escaping
 * is always right). The format is documented in docs/cli.md. */
#include "gateway_proto.h"

#include <string.h>
#include <time.h>

#include "json_tree.h"
#include "timeparse.h"

#define GW_MAX_ID_BYTES 256         /* message, option and media ids */
#define GW_MAX_MEDIA_REF_BYTES 1024 /* a media id or file path */

typedef host_gw_error gw_error;

static void gen_str(yajl_gen g, const char *s) {
  yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_str_or_null(yajl_gen g, const char *s) {
  if (s)
    gen_str(g, s);
  else
    yajl_gen_null(g);
}

/* Moves the generated object into out as one line. ok is 0 when the object
 * could not be generated (it is dropped then): returns 1. Otherwise 0, or
 * -1 when out of memory. */
static int take_object(yajl_gen g, host_buf *out, int ok) {
  const unsigned char *buf;
  size_t len;
  int rc = 0;
  if (!ok || yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
    rc = 1;
  else if (host_buf_append(out, (const char *)buf, len) != 0 ||
           host_buf_append(out, "\n", 1) != 0)
    rc = -1;
  yajl_gen_clear(g);
  yajl_gen_reset(g, NULL);
  return rc;
}

int host_gw_render_error(yajl_gen g, host_buf *out, const char *in_reply_to,
                         gw_error e) {
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
  return take_object(g, out, yajl_gen_map_close(g) == yajl_gen_status_ok) < 0
             ? -1
             : 0;
}

/* One reply as a line: 0, 1 when it could not be encoded, -1 no memory. */
static int render_reply(yajl_gen g, host_buf *out, const char *to,
                        const char *in_reply_to, const samvad_reply *r,
                        const char *png, int last) {
  yajl_gen_status st = yajl_gen_status_ok;
  yajl_gen_map_open(g);
  gen_str(g, "to");
  gen_str(g, to);
  gen_str(g, "in_reply_to");
  gen_str_or_null(g, in_reply_to);
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
    if (r->document) {
      gen_str(g, "document");
      yajl_gen_map_open(g);
      gen_str(g, "service");
      gen_str(g, r->document->service);
      gen_str(g, "number");
      gen_str(g, r->document->number);
      gen_str(g, "qr");
      gen_str(g, r->document->qr);
      gen_str(g, "png");
      if (png && yajl_gen_string(g, (const unsigned char *)png,
                                 strlen(png)) != yajl_gen_status_ok)
        st = yajl_gen_invalid_string;
      else if (!png)
        yajl_gen_null(g);
      yajl_gen_map_close(g);
    }
  }
  if (last) {
    gen_str(g, "end");
    yajl_gen_bool(g, 1);
  }
  int ok = yajl_gen_map_close(g) == yajl_gen_status_ok &&
           st == yajl_gen_status_ok;
  return take_object(g, out, ok);
}

int host_gw_render_replies(yajl_gen g, host_buf *out, const char *to,
                           const char *in_reply_to,
                           const samvad_replies *replies,
                           const char *document_png) {
  size_t n = samvad_replies_count(replies);
  if (n == 0)
    return render_reply(g, out, to, in_reply_to, NULL, NULL, 1) < 0 ? -1 : 0;
  for (size_t i = 0; i < n; i++) {
    int rc = render_reply(g, out, to, in_reply_to,
                          samvad_replies_get(replies, i), document_png,
                          i + 1 == n);
    if (rc < 0)
      return -1;
    /* An unencodable last reply is replaced by an error that still ends. */
    if (rc > 0 && i + 1 == n)
      return host_gw_render_error(
          g, out, in_reply_to, (gw_error){"internal", "a reply was not UTF-8"});
  }
  return 0;
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
static int parse_incoming(yajl_val obj, host_gw_incoming *in, const char **id,
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

static int is_blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t')
      return 0;
  return 1;
}

int host_gw_parse(const char *text, size_t len, host_gw_line *line) {
  memset(line, 0, sizeof *line);
  if (is_blank(text, len))
    return HOST_GW_BLANK;
  if (memchr(text, '\0', len)) {
    line->error = (gw_error){"bad_json", "the line contains a NUL byte"};
    return HOST_GW_INVALID;
  }
  line->tree = host_json_tree_parse(text, len, 0, line->errbuf,
                                   sizeof line->errbuf);
  if (!line->tree) {
    /* yajl's message goes on to quote the input; keep only its first
     * line so no personal data is echoed. */
    line->errbuf[strcspn(line->errbuf, "\n")] = '\0';
    line->error = (gw_error){
        "bad_json", line->errbuf[0] ? line->errbuf : "not valid JSON"};
    return HOST_GW_INVALID;
  }
  if (parse_incoming(line->tree, &line->in, &line->id, &line->error) < 0) {
    line->error = describe(line->error);
    return HOST_GW_INVALID;
  }
  return HOST_GW_MESSAGE;
}

void host_gw_line_free(host_gw_line *line) {
  host_json_tree_free(line->tree);
  line->tree = NULL;
}
