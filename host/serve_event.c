/* serve_event.c - the normalised events `samvad serve` keeps in its inbox:
 * their bytes (so that an event accepted before a crash is stepped after
 * the restart exactly as it would have been), the limits checked before
 * one is accepted, and the ids the store keeps each platform's citizens
 * under.
 *
 * Bytes: "SE", a version byte, the event kind, the message kind, the
 * platform's time (8 bytes, little-endian), then ten strings in a fixed
 * order, each a 4-byte little-endian length (EVENT_NULL for none), its
 * bytes and a NUL, so that decoding hands out pointers into the bytes. */
#include <stdlib.h>
#include <string.h>

#include "serve.h"

#define EVENT_VERSION 1
#define EVENT_NULL 0xffffffffu
#define EVENT_STRINGS 10
#define EVENT_HEADER 13               /* "SE", version, 2 kinds, time */
#define EVENT_MAX_ID_BYTES 256        /* a message id (wamid: up to 128) */
#define EVENT_MAX_MEDIA_ID_BYTES 1024 /* a platform's media id */
#define EVENT_MAX_MIME_BYTES 255
#define EVENT_MAX_ERROR_BYTES 1024    /* a failed status's description */
/* Room kept in a user id for a transport's "NAME:" prefix. */
#define EVENT_PREFIX_ROOM 16

static void put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static int put_string(host_buf *out, const char *s, size_t len) {
  unsigned char n[4];
  put_u32(n, s ? (uint32_t)len : EVENT_NULL);
  if (host_buf_append(out, (const char *)n, 4) != 0)
    return -1;
  if (!s)
    return 0;
  if (len && host_buf_append(out, s, len) != 0)
    return -1;
  return host_buf_append(out, "", 1);
}

static int put_cstring(host_buf *out, const char *s) {
  return put_string(out, s, s ? strlen(s) : 0);
}

int host_event_encode(const host_inbound *in, host_buf *out) {
  unsigned char head[EVENT_HEADER] = {'S', 'E', EVENT_VERSION,
                                      (unsigned char)in->kind,
                                      (unsigned char)in->msg.kind};
  uint64_t t = (uint64_t)in->time;
  for (int i = 0; i < 8; i++)
    head[5 + i] = (unsigned char)(t >> (8 * i));
  const samvad_message *m = &in->msg;
  if (host_buf_append(out, (const char *)head, sizeof head) != 0 ||
      put_cstring(out, in->user) != 0 || put_cstring(out, in->id) != 0 ||
      put_string(out, m->text, m->text ? m->text_len : 0) != 0 ||
      put_cstring(out, m->option_id) != 0 ||
      put_cstring(out, m->media_id) != 0 ||
      put_cstring(out, m->media_mime) != 0 ||
      put_cstring(out, m->media_caption) != 0 ||
      put_cstring(out, in->status) != 0 || put_cstring(out, in->error) != 0 ||
      put_cstring(out, in->callback) != 0)
    return -1;
  return 0;
}

int host_event_decode(const unsigned char *bytes, size_t len,
                      host_inbound *in) {
  memset(in, 0, sizeof *in);
  if (len < EVENT_HEADER || bytes[0] != 'S' || bytes[1] != 'E' ||
      bytes[2] != EVENT_VERSION || bytes[3] > HOST_IN_UNSUPPORTED ||
      bytes[4] > SAMVAD_MSG_MEDIA)
    return -1;
  in->kind = (host_inbound_kind)bytes[3];
  in->msg.kind = (samvad_message_kind)bytes[4];
  uint64_t t = 0;
  for (int i = 0; i < 8; i++)
    t |= (uint64_t)bytes[5 + i] << (8 * i);
  in->time = (int64_t)t;
  const char *s[EVENT_STRINGS];
  size_t slen[EVENT_STRINGS];
  size_t at = EVENT_HEADER;
  for (int i = 0; i < EVENT_STRINGS; i++) {
    if (len - at < 4)
      return -1;
    uint32_t n = get_u32(bytes + at);
    at += 4;
    s[i] = NULL;
    slen[i] = 0;
    if (n == EVENT_NULL)
      continue;
    if (len - at < (size_t)n + 1 || bytes[at + n] != '\0')
      return -1;
    s[i] = (const char *)bytes + at;
    slen[i] = n;
    at += (size_t)n + 1;
  }
  if (at != len)
    return -1;
  in->user = s[0];
  in->id = s[1];
  in->msg.id = s[1];
  in->msg.text = s[2];
  in->msg.text_len = slen[2];
  in->msg.option_id = s[3];
  in->msg.media_id = s[4];
  in->msg.media_mime = s[5];
  in->msg.media_caption = s[6];
  in->status = s[7];
  in->error = s[8];
  in->callback = s[9];
  return 0;
}

/* The length of the longest prefix of s (len bytes) within max bytes that
 * does not end inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max) {
  if (len <= max)
    return len;
  size_t n = max;
  while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
    n--;
  return n;
}

static int too_long(const char *s, size_t max) {
  return s && strnlen(s, max + 1) > max;
}

const char *host_event_check(host_inbound *in, int *cut) {
  *cut = 0;
  if (!in->id || !*in->id)
    return "no message id";
  if (too_long(in->id, EVENT_MAX_ID_BYTES))
    return "message id too long";
  if (in->kind == HOST_IN_STATUS) {
    static const char *const known[] = {"sent", "delivered", "read",
                                        "failed"};
    int ok = 0;
    for (size_t i = 0; in->status && i < 4; i++)
      ok |= strcmp(in->status, known[i]) == 0;
    if (!ok)
      return "unknown status";
    /* The inbox keys a status on "id/status". */
    if (strlen(in->id) + 1 + strlen(in->status) > EVENT_MAX_ID_BYTES)
      return "message id too long";
    if (too_long(in->error, EVENT_MAX_ERROR_BYTES))
      in->error = NULL; /* its description is not worth refusing it */
    return NULL;
  }
  if (!in->user || !*in->user)
    return "no user id";
  if (too_long(in->user, SAMVAD_MAX_USER_ID_BYTES - EVENT_PREFIX_ROOM))
    return "user id too long";
  if (too_long(in->callback, EVENT_MAX_ID_BYTES))
    in->callback = NULL;
  if (in->kind == HOST_IN_UNSUPPORTED)
    return NULL;
  samvad_message *m = &in->msg;
  m->id = in->id;
  switch (m->kind) {
  case SAMVAD_MSG_TEXT:
    if (!m->text)
      return "no text";
    if (m->text_len > SAMVAD_MAX_MESSAGE_BYTES) {
      m->text_len = utf8_cut(m->text, m->text_len, SAMVAD_MAX_MESSAGE_BYTES);
      *cut = 1;
    }
    return NULL;
  case SAMVAD_MSG_OPTION:
    if (!m->option_id || !*m->option_id)
      return "no option id";
    return too_long(m->option_id, EVENT_MAX_ID_BYTES) ? "option id too long"
                                                      : NULL;
  case SAMVAD_MSG_MEDIA:
    if (!m->media_id || !*m->media_id)
      return "no media id";
    if (too_long(m->media_id, EVENT_MAX_MEDIA_ID_BYTES))
      return "media id too long";
    if (too_long(m->media_mime, EVENT_MAX_MIME_BYTES))
      m->media_mime = NULL;
    if (too_long(m->media_caption, SAMVAD_MAX_MESSAGE_BYTES))
      m->media_caption = NULL;
    return NULL;
  default:
    return "unknown message kind";
  }
}

int host_store_user(const char *transport, const char *user, char *out,
                    size_t cap) {
  int n = strcmp(transport, "whatsapp") == 0
              ? snprintf(out, cap, "%s", user)
              : snprintf(out, cap, "%s:%s", transport, user);
  return n < 0 || (size_t)n >= cap || (size_t)n > SAMVAD_MAX_USER_ID_BYTES
             ? -1
             : 0;
}

const host_transport *host_store_user_parse(const host_transport *const *ts,
                                            size_t count, const char *id,
                                            const char **user) {
  const char *colon = strchr(id, ':');
  const host_transport *whatsapp = NULL;
  for (size_t i = 0; i < count; i++) {
    size_t n = strlen(ts[i]->name);
    if (colon && (size_t)(colon - id) == n && memcmp(id, ts[i]->name, n) == 0) {
      *user = colon + 1;
      return ts[i];
    }
    if (strcmp(ts[i]->name, "whatsapp") == 0)
      whatsapp = ts[i];
  }
  /* Without a prefix: a WhatsApp wa_id, which is digits. Anything else
   * (the terminal chat's "terminal", a gateway's ids) is not served here. */
  size_t digits = strspn(id, "0123456789");
  *user = id;
  return digits > 0 && id[digits] == '\0' ? whatsapp : NULL;
}
