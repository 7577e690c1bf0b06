/* fake_graph.c - a stand-in for Meta's Graph API and Telegram's Bot API in
 * tests and benchmarks: it answers the way they do, records every request
 * as one JSON line, and can be told to fail.
 *
 *   fake_graph --port N --log FILE [--fail-first N] [--fail-status 429|500]
 *              [--retry-after S] [--delay-ms N] [--reject-to NUMBER]
 *              [--token T] [--save-dir DIR] [--bench 1]
 *
 * --port 0 picks a free port; the port is printed on stdout either way.
 * Log lines: {"n":1,"t_ms":12,"method":"POST","path":"/v21.0/1/messages",
 * "auth":true,"auth_ok":true,"status":200,"to":"+91...","body":"<raw>"};
 * a multipart upload logs "form" (its fields) and "file" (field, name,
 * bytes, png) instead of "body", and with --save-dir keeps the file.
 * Answers: .../messages → {"messaging_product":"whatsapp","contacts":[..],
 * "messages":[{"id":"wamid.fake.<n>"}]}; .../media → {"id":"media.<n>"};
 * /bot<token>/<method> → {"ok":true,"result":{"message_id":<n>}}.
 * --fail-first N fails the first N requests with --fail-status (500
 * unless said; 429 answers carry Meta's 130429 or Telegram's retry_after
 * and, with --retry-after, a Retry-After header); --reject-to answers 400
 * (131030, recipient not allowed) to every message for that number.
 * --bench 1 is for benchmarks, where the fake must cost little beside the
 * server under test: it reads no body, serves every connection from one
 * polling thread and logs only {"n","t_ms","status"}, written out every
 * 100 ms rather than line by line. Runs until SIGTERM
 * or SIGINT. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#define BODY_MAX (8u << 20)

static struct {
  FILE *log;
  pthread_mutex_t lock;
  atomic_long count;
  long fail_first, fail_status, retry_after, delay_ms, bench;
  const char *reject_to, *token, *save_dir;
  struct timespec start;
} fake = {.lock = PTHREAD_MUTEX_INITIALIZER, .fail_status = 500};

typedef struct request {
  char *body;
  size_t len, cap;
  int too_large;
  struct MHD_PostProcessor *pp;
  char form[2048];  /* "key":"value" pairs, already JSON */
  size_t form_len;
  char file_field[64], file_name[128];
  size_t file_bytes;
  int png;
  FILE *saved;
} request;

static long elapsed_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - fake.start.tv_sec) * 1000 +
         (now.tv_nsec - fake.start.tv_nsec) / 1000000;
}

static void gen_str(yajl_gen g, const char *s) {
  yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* Multipart fields and the file, as they arrive. */
static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *filename,
                               const char *content_type,
                               const char *encoding, const char *data,
                               uint64_t off, size_t size) {
  (void)kind, (void)content_type, (void)encoding;
  request *r = cls;
  if (filename) {
    snprintf(r->file_field, sizeof r->file_field, "%s", key);
    snprintf(r->file_name, sizeof r->file_name, "%s", filename);
    if (off == 0 && size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
      r->png = 1;
    if (off == 0 && fake.save_dir && !r->saved && !strchr(filename, '/')) {
      char path[512];
      snprintf(path, sizeof path, "%s/%s", fake.save_dir, filename);
      r->saved = fopen(path, "wb");
    }
    if (r->saved && size)
      fwrite(data, 1, size, r->saved);
    r->file_bytes += size;
  } else if (off == 0 && size < 512 && r->form_len + size + 600 < sizeof r->form) {
    /* Field values in tests are plain: no quotes or backslashes. */
    r->form_len += (size_t)snprintf(r->form + r->form_len,
                                    sizeof r->form - r->form_len,
                                    "%s\"%s\":\"%.*s\"", r->form_len ? "," : "",
                                    key, (int)size, data);
  }
  return MHD_YES;
}

/* The "to" of a WhatsApp message (or chat_id of Telegram), for the log. */
static void recipient(const request *r, char *to, size_t cap) {
  to[0] = '\0';
  if (!r->body)
    return;
  yajl_val v = yajl_tree_parse(r->body, NULL, 0);
  const char *p1[] = {"to", NULL}, *p2[] = {"chat_id", NULL};
  yajl_val x = yajl_tree_get(v, p1, yajl_t_string);
  if (!x)
    x = yajl_tree_get(v, p2, yajl_t_any);
  if (YAJL_IS_STRING(x))
    snprintf(to, cap, "%s", x->u.string);
  else if (YAJL_IS_NUMBER(x))
    snprintf(to, cap, "%s", x->u.number.r);
  yajl_tree_free(v);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The answer to request number n at path. */
static int answer(long n, const char *path, const char *to, int fail,
                  char *out, size_t cap) {
  int telegram = strncmp(path, "/bot", 4) == 0;
  if (fail && telegram) {
    snprintf(out, cap, "{\"ok\":false,\"error_code\":%ld,\"description\":"
             "\"%s\"%s}", fake.fail_status,
             fake.fail_status == 429 ? "Too Many Requests: retry after 1"
                                     : "Internal Server Error",
             fake.fail_status == 429 ? ",\"parameters\":{\"retry_after\":1}"
                                     : "");
    return (int)fake.fail_status;
  }
  if (fail) {
    snprintf(out, cap, "{\"error\":{\"message\":\"%s\",\"type\":"
             "\"OAuthException\",\"code\":%s,\"fbtrace_id\":\"fake\"}}",
             fake.fail_status == 429 ? "(#130429) Rate limit hit"
                                     : "An unknown error occurred",
             fake.fail_status == 429 ? "130429" : "1");
    return (int)fake.fail_status;
  }
  if (fake.reject_to && to[0] &&
      strcmp(to + (to[0] == '+'), fake.reject_to + (fake.reject_to[0] == '+')) == 0) {
    snprintf(out, cap, "{\"error\":{\"message\":\"(#131030) Recipient phone "
             "number not in allowed list\",\"type\":\"OAuthException\","
             "\"code\":131030,\"error_data\":{\"messaging_product\":"
             "\"whatsapp\",\"details\":\"Recipient phone number not in "
             "allowed list\"},\"fbtrace_id\":\"fake\"}}");
    return 400;
  }
  if (telegram) {
    if (ends_with(path, "/answerCallbackQuery"))
      snprintf(out, cap, "{\"ok\":true,\"result\":true}");
    else
      snprintf(out, cap, "{\"ok\":true,\"result\":{\"message_id\":%ld,"
               "\"date\":%ld,\"chat\":{\"id\":%s,\"type\":\"private\"}}}",
               n, (long)time(NULL), to[0] ? to : "0");
    return 200;
  }
  if (ends_with(path, "/media")) {
    snprintf(out, cap, "{\"id\":\"media.%ld\"}", n);
    return 200;
  }
  if (ends_with(path, "/messages")) {
    snprintf(out, cap, "{\"messaging_product\":\"whatsapp\",\"contacts\":"
             "[{\"input\":\"%s\",\"wa_id\":\"%s\"}],\"messages\":[{\"id\":"
             "\"wamid.fake.%ld\"}]}", to, to + (to[0] == '+'), n);
    return 200;
  }
  snprintf(out, cap, "{\"error\":{\"message\":\"Unknown path\",\"code\":100}}");
  return 404;
}

static void log_request(long n, const char *method, const char *url,
                        const char *auth, int status, const char *to,
                        const request *r) {
  if (fake.bench) { /* written out by main every 100 ms */
    pthread_mutex_lock(&fake.lock);
    fprintf(fake.log, "{\"n\":%ld,\"t_ms\":%ld,\"status\":%d}\n", n,
            elapsed_ms(), status);
    pthread_mutex_unlock(&fake.lock);
    return;
  }
  yajl_gen g = yajl_gen_alloc(NULL);
  yajl_gen_map_open(g);
  gen_str(g, "n");
  yajl_gen_integer(g, n);
  gen_str(g, "t_ms");
  yajl_gen_integer(g, elapsed_ms());
  gen_str(g, "method");
  gen_str(g, method);
  gen_str(g, "path");
  gen_str(g, url);
  gen_str(g, "auth");
  yajl_gen_bool(g, auth != NULL);
  if (fake.token) {
    char want[512];
    snprintf(want, sizeof want, "Bearer %s", fake.token);
    gen_str(g, "auth_ok");
    yajl_gen_bool(g, auth && strcmp(auth, want) == 0);
  }
  gen_str(g, "status");
  yajl_gen_integer(g, status);
  gen_str(g, "to");
  gen_str(g, to);
  if (r->pp) {
    gen_str(g, "file");
    yajl_gen_map_open(g);
    gen_str(g, "field");
    gen_str(g, r->file_field);
    gen_str(g, "name");
    gen_str(g, r->file_name);
    gen_str(g, "bytes");
    yajl_gen_integer(g, (long long)r->file_bytes);
    gen_str(g, "png");
    yajl_gen_bool(g, r->png);
    yajl_gen_map_close(g);
  } else {
    gen_str(g, "body");
    yajl_gen_string(g, (const unsigned char *)(r->body ? r->body : ""), r->len);
  }
  yajl_gen_map_close(g);
  const unsigned char *buf;
  size_t len;
  yajl_gen_get_buf(g, &buf, &len);
  pthread_mutex_lock(&fake.lock);
  if (r->pp) /* the form fields are JSON already: spliced in */
    fprintf(fake.log, "%.*s,\"form\":{%s}}\n", (int)len - 1, buf, r->form);
  else
    fprintf(fake.log, "%.*s\n", (int)len, buf);
  fflush(fake.log);
  pthread_mutex_unlock(&fake.lock);
  yajl_gen_free(g);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *size, void **state) {
  (void)cls, (void)version;
  request *r = *state;
  if (!r) {
    r = calloc(1, sizeof *r);
    if (!r)
      return MHD_NO;
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   "Content-Type");
    if (type && strncmp(type, "multipart/form-data", 19) == 0)
      r->pp = MHD_create_post_processor(c, 65536, on_part, r);
    *state = r;
    return MHD_YES;
  }
  if (*size) {
    if (r->pp) {
      MHD_post_process(r->pp, data, *size);
    } else if (r->len + *size > BODY_MAX) {
      r->too_large = 1;
    } else {
      if (r->len + *size + 1 > r->cap) {
        size_t cap = (r->len + *size + 1) * 2;
        char *p = realloc(r->body, cap);
        if (!p)
          return MHD_NO;
        r->body = p, r->cap = cap;
      }
      memcpy(r->body + r->len, data, *size);
      r->len += *size;
      r->body[r->len] = '\0';
    }
    *size = 0;
    return MHD_YES;
  }
  long n = atomic_fetch_add(&fake.count, 1) + 1;
  if (fake.delay_ms > 0) {
    struct timespec ts = {fake.delay_ms / 1000, (fake.delay_ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
  }
  char to[160] = "", out[1024];
  if (!fake.bench)
    recipient(r, to, sizeof to);
  int status = r->too_large ? 413
               : answer(n, url, to, n <= fake.fail_first, out, sizeof out);
  if (r->too_large)
    snprintf(out, sizeof out, "{\"error\":{\"message\":\"too large\"}}");
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 "Authorization");
  log_request(n, method, url, auth, status, to, r);
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      strlen(out), out, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(resp, "Content-Type", "application/json");
  if (status == 429 && fake.retry_after > 0) {
    char after[32];
    snprintf(after, sizeof after, "%ld", fake.retry_after);
    MHD_add_response_header(resp, "Retry-After", after);
  }
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
  MHD_destroy_response(resp);
  return ok;
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode code) {
  (void)cls, (void)c, (void)code;
  request *r = *state;
  if (!r)
    return;
  if (r->pp)
    MHD_destroy_post_processor(r->pp);
  if (r->saved)
    fclose(r->saved);
  free(r->body);
  free(r);
  *state = NULL;
}

static int usage(void) {
  fprintf(stderr, "usage: fake_graph --port N --log FILE [--fail-first N] "
                  "[--fail-status 429|500] [--retry-after S] [--delay-ms N] "
                  "[--reject-to NUMBER] [--token T] [--save-dir DIR] "
                  "[--bench 1]\n");
  return 2;
}

int main(int argc, char **argv) {
  long port = -1;
  const char *log_path = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v)
      return usage();
    i++;
    if (strcmp(a, "--port") == 0) port = atol(v);
    else if (strcmp(a, "--log") == 0) log_path = v;
    else if (strcmp(a, "--fail-first") == 0) fake.fail_first = atol(v);
    else if (strcmp(a, "--fail-status") == 0) fake.fail_status = atol(v);
    else if (strcmp(a, "--retry-after") == 0) fake.retry_after = atol(v);
    else if (strcmp(a, "--delay-ms") == 0) fake.delay_ms = atol(v);
    else if (strcmp(a, "--reject-to") == 0) fake.reject_to = v;
    else if (strcmp(a, "--token") == 0) fake.token = v;
    else if (strcmp(a, "--save-dir") == 0) fake.save_dir = v;
    else if (strcmp(a, "--bench") == 0) fake.bench = atol(v);
    else return usage();
  }
  if (port < 0 || port > 65535 || !log_path)
    return usage();
  fake.log = fopen(log_path, "a");
  if (!fake.log) {
    fprintf(stderr, "fake_graph: %s: %s\n", log_path, strerror(errno));
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &fake.start);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, NULL); /* for sigwait, all threads */
  /* Tests may hold a request (--delay-ms): a thread each. A benchmark's
   * many kept-alive connections are cheaper on one polling thread than
   * with a thread woken per request. That thread uses poll: with epoll
   * (libmicrohttpd 0.9.75) it stopped serving all 256 of samvad's
   * connections for the rest of a run in about one run in ten, waiting
   * in epoll_wait with every request unanswered (a debugger's attach
   * woke it). */
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD |
          (fake.bench ? MHD_USE_POLL
                      : MHD_USE_AUTO | MHD_USE_THREAD_PER_CONNECTION),
      (uint16_t)port, NULL, NULL, on_request, NULL,
      MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
      MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "fake_graph: cannot listen on port %ld\n", port);
    return 1;
  }
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  printf("%u\n", info ? info->port : (unsigned)port);
  fflush(stdout);
  struct timespec tick = {0, 100 * 1000000L};
  while (sigtimedwait(&signals, NULL, fake.bench ? &tick : NULL) < 0) {
    pthread_mutex_lock(&fake.lock);
    fflush(fake.log);
    pthread_mutex_unlock(&fake.lock);
  }
  MHD_stop_daemon(d);
  fclose(fake.log);
  return 0;
}
