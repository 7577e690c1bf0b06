/* fuzz_step.c - libFuzzer target: arbitrary conversations stepped through
 * a session on the bundled fsm-specs catalogue.
 *
 * The input is read like a transcript (docs/transcripts.md), so the
 * bundled *.chat files are the seed corpus. Lines that are not one of
 * these are ignored:
 *   > text              text (the rest of the line, bytes as they are)
 *   > [tap] id          an option
 *   > [media] ref       a photo or document
 *   > [esc] text        text with \n \r \t \0 \\ \xHH escapes
 *   > [long N] text     text repeated to N bytes (N up to 9000: over the
 *                       4096-byte limit it must be refused with ELIMIT)
 *   @after [-]N(s|m|h|d)...   moves the clock (backwards too)
 *   @time YYYY-MM-DD HH:MM[:SS]  sets the clock (IST)
 *   @user ...           starts a fresh session
 *   @lang hi|en         samvad_session_set_lang
 * After every message: each reply is well formed (valid UTF-8, NUL-
 * terminated, consistent); an error is only ELIMIT/EINVAL for a message
 * over a limit, with the session unchanged; a copy restored from the bytes
 * saved before the step steps to the same replies and bytes (the bytes are
 * the whole session); and the new session survives save -> restore -> save
 * byte for byte. With $SAMVAD_FUZZ_DUMP set to a folder, every session
 * saved is written there: run.sh seeds fuzz_session that way. */
#include "fuzz_common.h"

#include <ctype.h>

#define FZ_MAX_ID_BYTES 256 /* docs/sessions.md: option and message ids */
#define FZ_MAX_LINES 300    /* keeps one input fast */
#define FZ_MAX_LONG 9000

static const samvad_catalogue *g_cat;

typedef struct conv {
  samvad_session *live;
  samvad_replies *r1, *r2;
  int64_t now;
  unsigned count;
} conv;

static unsigned char g_before[SAMVAD_MAX_SESSION_BYTES];
static unsigned char g_after[SAMVAD_MAX_SESSION_BYTES];
static unsigned char g_copy[SAMVAD_MAX_SESSION_BYTES];
static char g_text[FZ_MAX_LONG + 1];
static char g_id[24];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  g_cat = fz_load_catalogue(fz_specs_dir());
  return 0;
}

static void dump(const unsigned char *bytes, size_t len) {
  const char *dir = getenv("SAMVAD_FUZZ_DUMP");
  if (!dir || !*dir)
    return;
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < len; i++)
    h = (h ^ bytes[i]) * 0x100000001b3ull;
  char path[4096];
  snprintf(path, sizeof path, "%s/session-%016llx", dir, (unsigned long long)h);
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(bytes, 1, len, f);
    fclose(f);
  }
}

static void new_session(conv *c) {
  samvad_session_destroy(c->live);
  c->live = NULL;
  int rc = samvad_session_create(g_cat, NULL, &c->live);
  FZ_CHECK(rc == SAMVAD_OK, "session_create: %s", samvad_err_name(rc));
}

static void send(conv *c, samvad_message *m, int oversize) {
  m->id = c->count % 3 == 2 ? NULL : g_id;
  snprintf(g_id, sizeof g_id, "fz-%u", c->count++);
  size_t blen = fz_save(c->live, g_before);
  samvad_session *copy = fz_roundtrip(g_cat, g_before, blen);

  int rc = samvad_step(g_cat, c->live, m, c->now, c->r1);
  if (rc != SAMVAD_OK) {
    FZ_CHECK(oversize && rc == SAMVAD_ELIMIT, "step: %s (oversize %d)",
             samvad_err_name(rc), oversize);
    FZ_CHECK(samvad_replies_count(c->r1) == 0, "replies after an error");
    size_t alen = fz_save(c->live, g_after);
    FZ_CHECK(alen == blen && memcmp(g_after, g_before, blen) == 0,
             "a refused message changed the session");
  } else {
    FZ_CHECK(!oversize, "a message over a limit was accepted");
    fz_check_replies(c->r1);
  }
  const char *flow = samvad_session_flow(c->live);
  const char *state = samvad_session_state(c->live);
  FZ_CHECK((flow == NULL) == (state == NULL), "session flow/state");
  if (flow) {
    fz_check_str(flow, "session flow");
    fz_check_str(state, "session state");
  }

  /* The saved bytes are the whole session: a restored copy behaves the
   * same. */
  int rc2 = samvad_step(g_cat, copy, m, c->now, c->r2);
  FZ_CHECK(rc2 == rc, "restored copy: %s vs %s", samvad_err_name(rc2),
           samvad_err_name(rc));
  if (rc == SAMVAD_OK)
    fz_same_replies(c->r1, c->r2);
  size_t alen = fz_save(c->live, g_after);
  size_t clen = fz_save(copy, g_copy);
  FZ_CHECK(alen == clen && memcmp(g_after, g_copy, alen) == 0,
           "a restored copy stepped to different bytes");
  samvad_session_destroy(copy);
  samvad_session_destroy(fz_roundtrip(g_cat, g_after, alen));
  dump(g_after, alen);
  c->now += 1;
}

static int hexval(int ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  ch = tolower(ch);
  return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

static size_t unescape(const char *s, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '\\' || i + 1 == n) {
      out[o++] = s[i];
      continue;
    }
    char e = s[++i];
    if (e == 'n')
      out[o++] = '\n';
    else if (e == 'r')
      out[o++] = '\r';
    else if (e == 't')
      out[o++] = '\t';
    else if (e == '0')
      out[o++] = '\0';
    else if (e == 'x' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
             hexval(s[i + 2]) >= 0) {
      out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else
      out[o++] = e;
  }
  return o;
}

static int starts(const char *s, size_t n, const char *prefix) {
  size_t k = strlen(prefix);
  return n >= k && memcmp(s, prefix, k) == 0;
}

/* "1h30m", "-2d", "45s": seconds, bounded to a few centuries. */
static int64_t parse_after(const char *s, size_t n) {
  int64_t total = 0, num = 0, sign = 1;
  size_t i = 0;
  if (i < n && s[i] == '-')
    sign = -1, i++;
  for (; i < n; i++) {
    char ch = s[i];
    if (ch >= '0' && ch <= '9') {
      if (num < 100000000)
        num = num * 10 + (ch - '0');
    } else {
      int64_t unit = ch == 's' ? 1 : ch == 'm' ? 60 : ch == 'h' ? 3600
                   : ch == 'd' ? 86400 : 0;
      total += num * unit;
      num = 0;
      if (total > (int64_t)1e10)
        total = (int64_t)1e10;
    }
  }
  return sign * (total + num);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void parse_time(conv *c, const char *s, size_t n) {
  char buf[64];
  if (n >= sizeof buf)
    return;
  memcpy(buf, s, n);
  buf[n] = '\0';
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (sscanf(buf, "%4d-%2d-%2d%*[ T]%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) <
      3)
    return;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1 || h > 99 || mi > 99)
    return;
  c->now = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
           330 * 60;
}

static void line(conv *c, const char *s, size_t n) {
  while (n && (*s == ' ' || *s == '\t'))
    s++, n--;
  samvad_message m;
  memset(&m, 0, sizeof m);
  if (starts(s, n, "> [tap] ")) {
    size_t k = n - 8 < FZ_MAX_LONG ? n - 8 : FZ_MAX_LONG;
    memcpy(g_text, s + 8, k);
    g_text[k] = '\0';
    m.kind = SAMVAD_MSG_OPTION;
    m.option_id = g_text;
    send(c, &m, strlen(g_text) > FZ_MAX_ID_BYTES);
  } else if (starts(s, n, "> [media] ")) {
    size_t k = n - 10 < FZ_MAX_LONG ? n - 10 : FZ_MAX_LONG;
    memcpy(g_text, s + 10, k);
    g_text[k] = '\0';
    m.kind = SAMVAD_MSG_MEDIA;
    m.media_id = g_text;
    m.media_mime = k % 2 ? "image/jpeg" : NULL;
    m.media_caption = k % 3 ? NULL : "caption";
    send(c, &m, strlen(g_text) > SAMVAD_MAX_MESSAGE_BYTES);
  } else if (starts(s, n, "> [esc] ")) {
    m.kind = SAMVAD_MSG_TEXT;
    m.text = g_text;
    m.text_len = unescape(s + 8, n - 8 < FZ_MAX_LONG ? n - 8 : FZ_MAX_LONG,
                          g_text);
    send(c, &m, m.text_len > SAMVAD_MAX_MESSAGE_BYTES);
  } else if (starts(s, n, "> [long ")) {
    size_t i = 8, want = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && want <= FZ_MAX_LONG)
      want = want * 10 + (size_t)(s[i++] - '0');
    if (want > FZ_MAX_LONG)
      want = FZ_MAX_LONG;
    if (i < n && s[i] == ']')
      i++;
    if (i < n && s[i] == ' ')
      i++;
    const char *pat = i < n ? s + i : "a";
    size_t plen = i < n ? n - i : 1;
    for (size_t k = 0; k < want; k++)
      g_text[k] = pat[k % plen];
    m.kind = SAMVAD_MSG_TEXT;
    m.text = g_text;
    m.text_len = want;
    send(c, &m, want > SAMVAD_MAX_MESSAGE_BYTES);
  } else if (starts(s, n, "> ") || (n == 1 && s[0] == '>')) {
    m.kind = SAMVAD_MSG_TEXT;
    m.text = n > 2 ? s + 2 : NULL;
    m.text_len = n > 2 ? n - 2 : 0;
    send(c, &m, m.text_len > SAMVAD_MAX_MESSAGE_BYTES);
  } else if (starts(s, n, "@after ")) {
    c->now += parse_after(s + 7, n - 7);
  } else if (starts(s, n, "@time ")) {
    parse_time(c, s + 6, n - 6);
  } else if (starts(s, n, "@user")) {
    new_session(c);
  } else if (starts(s, n, "@lang ")) {
    samvad_session_set_lang(c->live, starts(s + 6, n - 6, "hi")
                                         ? SAMVAD_LANG_HI
                                         : SAMVAD_LANG_EN);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!g_cat)
    LLVMFuzzerInitialize(NULL, NULL);
  conv c;
  memset(&c, 0, sizeof c);
  c.now = FZ_T0;
  FZ_CHECK(samvad_replies_create(NULL, &c.r1) == SAMVAD_OK, "replies");
  FZ_CHECK(samvad_replies_create(NULL, &c.r2) == SAMVAD_OK, "replies");
  new_session(&c);
  const char *s = (const char *)data;
  size_t lines = 0;
  for (size_t i = 0; i < size && lines < FZ_MAX_LINES;) {
    const char *nl = memchr(s + i, '\n', size - i);
    size_t end = nl ? (size_t)(nl - s) : size;
    line(&c, s + i, end - i);
    lines++;
    i = end + 1;
  }
  samvad_session_destroy(c.live);
  samvad_replies_destroy(c.r1);
  samvad_replies_destroy(c.r2);
  return 0;
}
