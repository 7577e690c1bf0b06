/* serve_config.c - the settings of `samvad serve`: its options, a config
 * file of `key = value` lines and the environment, where each key KEY is
 * also read from SAMVAD_KEY in capitals (wa_token: SAMVAD_WA_TOKEN).
 * Options win over the environment, the environment over the file, the
 * file over the defaults, so that a deployment keeps its settings in a
 * file and its secrets in the environment (or in a file only it reads).
 * No secret is ever printed: errors name the key, not the value. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "options.h"
#include "serve.h"

#define CONFIG_MAX_BYTES (64 * 1024)
#define MAX_BODY_LIMIT (64u * 1024 * 1024)

enum key_kind { KEY_TEXT, KEY_SIZE, KEY_INT, KEY_DAYS, KEY_URL };

typedef struct key_def {
  const char *name;
  enum key_kind kind;
  int secret;              /* never printed; warn when others may read it */
  const char *fallback;    /* the default, or NULL */
  size_t offset;           /* of the const char * in host_serve_config */
} key_def;

#define TEXT(name, secret, fallback)                                           \
  {#name, KEY_TEXT, secret, fallback, offsetof(host_serve_config, name)}
#define URL(name, fallback)                                                    \
  {#name, KEY_URL, 0, fallback, offsetof(host_serve_config, name)}
#define DEFAULT_TEXT_(n) #n
#define DEFAULT_TEXT(n) DEFAULT_TEXT_(n)
static const key_def keys[] = {
    TEXT(listen, 0, "127.0.0.1:8080"),
    TEXT(specs, 0, NULL),
    TEXT(db, 0, "samvad.db"),
    TEXT(keys, 0, "keys"),
    TEXT(out, 0, "certificates"),
    {"max_body_bytes", KEY_SIZE, 0, "4194304", 0},
    {"senders", KEY_INT, 0, DEFAULT_TEXT(HOST_SENDERS_DEFAULT), 0},
    {"http_threads", KEY_INT, 0, "2", 0},
    {"wal_pages", KEY_INT, 0, "10000", 0},
    {"retention_days", KEY_DAYS, 0, NULL, 0},
    TEXT(wa_phone_number_id, 0, NULL),
    TEXT(wa_token, 1, NULL),
    TEXT(wa_app_secret, 1, NULL),
    TEXT(wa_verify_token, 1, NULL),
    URL(wa_graph_url, "https://graph.facebook.com"),
    TEXT(wa_graph_version, 0, "v21.0"),
    TEXT(wa_template, 0, NULL),
    TEXT(wa_template_lang, 0, "en"),
    TEXT(tg_token, 1, NULL),
    TEXT(tg_secret, 1, NULL),
    URL(tg_api_url, "https://api.telegram.org"),
};
#define KEY_COUNT (sizeof keys / sizeof keys[0])
#undef TEXT
#undef URL

static int usage(const char *what, const char *arg) {
  fprintf(stderr, "samvad serve: %s%s%s%s\nTry 'samvad serve --help'.\n",
          what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
  return HOST_EXIT_USAGE;
}

static int find_key(const char *name, size_t len) {
  for (size_t i = 0; i < KEY_COUNT; i++)
    if (strlen(keys[i].name) == len && memcmp(keys[i].name, name, len) == 0)
      return (int)i;
  return -1;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    s[--n] = '\0';
  return s;
}

/* Keeps a copy of s that cfg may point to until the settings are freed. */
static const char *keep(host_serve_settings *s, const char *text) {
  if (s->owned_count >= (int)(sizeof s->owned / sizeof s->owned[0]))
    return NULL;
  char *copy = strdup(text);
  if (copy)
    s->owned[s->owned_count++] = copy;
  return copy;
}

/* Reads path's `key = value` lines into value[]. */
static int read_file(host_serve_settings *s, const char *path,
                     const char **value) {
  char *text = NULL;
  size_t len = 0;
  int rc = host_read_file(path, CONFIG_MAX_BYTES, &text, &len);
  if (rc != 0) {
    fprintf(stderr, "samvad serve: %s: %s\n", path,
            rc == -2 ? "larger than 64 KiB" : strerror(errno));
    return HOST_EXIT_IO;
  }
  int secrets = 0, line_no = 0;
  rc = 0;
  for (char *line = text, *next; rc == 0 && line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    line_no++;
    char *l = trim(line);
    if (*l == '\0' || *l == '#')
      continue;
    char *eq = strchr(l, '=');
    char *name = l;
    if (!eq) {
      fprintf(stderr, "samvad serve: %s:%d: expected key = value\n", path,
              line_no);
      rc = HOST_EXIT_USAGE;
      break;
    }
    *eq = '\0';
    name = trim(name);
    char *v = trim(eq + 1);
    size_t vn = strlen(v);
    if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
      v[vn - 1] = '\0';
      v++;
    }
    int k = find_key(name, strlen(name));
    if (k < 0) {
      fprintf(stderr, "samvad serve: %s:%d: unknown key '%s'\n", path,
              line_no, name);
      rc = HOST_EXIT_USAGE;
    } else if (value[k]) {
      fprintf(stderr, "samvad serve: %s:%d: '%s' is set twice\n", path,
              line_no, name);
      rc = HOST_EXIT_USAGE;
    } else if (!(value[k] = keep(s, v))) {
      fprintf(stderr, "samvad serve: %s: out of memory\n", path);
      rc = HOST_EXIT_IO;
    } else {
      secrets |= keys[k].secret && *v;
    }
  }
  free(text);
  struct stat st;
  if (rc == 0 && secrets && stat(path, &st) == 0 && (st.st_mode & 077))
    host_serve_log("config_warning",
                   "file=%s reason=\"holds secrets and others may read it "
                   "(chmod 600)\"",
                   path);
  return rc;
}

/* Matches "--name VALUE" and "--name=VALUE". 1 when matched (*value is
 * NULL when the value is missing), else 0. */
static int option(int argc, char **argv, int *i, const char *name,
                  const char **value) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0)
    return 0;
  if (argv[*i][n] == '=') {
    *value = argv[*i] + n + 1;
    return 1;
  }
  if (argv[*i][n] != '\0')
    return 0;
  *value = *i + 1 < argc ? argv[++*i] : NULL;
  return 1;
}

static int parse_number(const char *text, long min, long max, long *out) {
  char *end = NULL;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (!*text || *end || errno || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

/* Turns the chosen texts into the settings, checking each. */
static int apply(host_serve_settings *s, const char **value) {
  host_serve_config *cfg = &s->cfg;
  for (size_t k = 0; k < KEY_COUNT; k++) {
    const char *v = value[k];
    if (v && !*v)
      v = NULL; /* an empty value unsets */
    if (!v)
      v = keys[k].fallback;
    long n = 0;
    switch (keys[k].kind) {
    case KEY_URL:
      if (v && strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
        return usage("needs an http:// or https:// URL:", keys[k].name);
      /* fall through */
    case KEY_TEXT:
      *(const char **)((char *)cfg + keys[k].offset) = v;
      break;
    case KEY_SIZE:
      if (parse_number(v, 1024, MAX_BODY_LIMIT, &n) != 0)
        return usage("max_body_bytes takes 1024 to 67108864, not", v);
      cfg->max_body_bytes = (size_t)n;
      break;
    case KEY_INT: {
      static const struct {
        const char *name, *usage;
        long min, max;
      } ranges[] = {{"senders", "senders takes 1 to 1024, not", 1, 1024},
                    {"http_threads", "http_threads takes 1 to 64, not", 1, 64},
                    {"wal_pages", "wal_pages takes 100 to 1000000, not", 100,
                     1000000}};
      size_t r = 0;
      while (strcmp(ranges[r].name, keys[k].name) != 0)
        r++;
      if (parse_number(v, ranges[r].min, ranges[r].max, &n) != 0)
        return usage(ranges[r].usage, v);
      if (r == 0)
        cfg->senders = (int)n;
      else if (r == 1)
        s->http_threads = (int)n;
      else
        s->wal_pages = (int)n;
      break;
    }
    case KEY_DAYS:
      if (v && parse_number(v, 1, 3650, &n) != 0)
        return usage("retention_days takes 1 to 3650, not", v);
      s->retention_days = v ? n : 0;
      break;
    }
  }
  if (strcmp(cfg->db, ":memory:") == 0)
    return usage("needs a database file (a webhook is answered once its "
                 "messages are on disk), not",
                 ":memory:");
  const char *colon = strrchr(cfg->listen, ':');
  long port = 0;
  if (!colon || colon == cfg->listen || parse_number(colon + 1, 0, 65535,
                                                     &port) != 0)
    return usage("listen takes HOST:PORT, not", cfg->listen);
  host_options o;
  memset(&o, 0, sizeof o);
  o.specs = cfg->specs;
  cfg->specs = host_specs_dir(&o);
  return 0;
}

int host_serve_settings_load(int argc, char **argv,
                             host_serve_settings *s) {
  memset(s, 0, sizeof *s);
  const char *from_file[KEY_COUNT] = {0}, *chosen[KEY_COUNT] = {0};
  const char *flag[KEY_COUNT] = {0}, *config = NULL;
  static const char *const flag_keys[] = {"specs", "db", "keys", "out",
                                          "listen", "retention_days"};
  for (int i = 1; i < argc; i++) {
    const char *v = NULL;
    int matched = 0;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      s->help = 1;
      continue;
    }
    if (option(argc, argv, &i, "--config", &v)) {
      if (!v || !*v)
        return usage("--config needs a file", NULL);
      config = v;
      continue;
    }
    for (size_t f = 0; !matched && f < sizeof flag_keys / sizeof *flag_keys;
         f++) {
      char name[32];
      snprintf(name, sizeof name, "--%s", flag_keys[f]);
      for (char *c = name; *c; c++)
        *c = *c == '_' ? '-' : *c;
      if (option(argc, argv, &i, name, &v)) {
        if (!v || !*v)
          return usage("this option needs a value:", name);
        flag[find_key(flag_keys[f], strlen(flag_keys[f]))] = v;
        matched = 1;
      }
    }
    if (!matched)
      return usage("unknown option", argv[i]);
  }
  if (s->help)
    return 0;
  if (config) {
    int rc = read_file(s, config, from_file);
    if (rc != 0)
      return rc;
  }
  for (size_t k = 0; k < KEY_COUNT; k++) {
    char env[64] = "SAMVAD_";
    size_t n = strlen(env);
    for (const char *c = keys[k].name; *c && n + 1 < sizeof env; c++)
      env[n++] = (*c >= 'a' && *c <= 'z') ? (char)(*c - 'a' + 'A') : *c;
    env[n] = '\0';
    const char *e = getenv(env);
    chosen[k] = flag[k] ? flag[k] : e ? e : from_file[k];
  }
  return apply(s, chosen);
}

void host_serve_settings_free(host_serve_settings *s) {
  for (int i = 0; i < s->owned_count; i++) {
    /* A file's secrets do not linger in freed memory. */
    memset(s->owned[i], 0, strlen(s->owned[i]));
    free(s->owned[i]);
  }
  s->owned_count = 0;
}
