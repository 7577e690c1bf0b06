/* serve_http.c - the HTTP side of `samvad serve`, on libmicrohttpd: each
 * transport's webhook path (GET: the platform's handshake; POST: events),
 * GET /healthz and GET /metrics.
 *
 * A webhook body is kept up to max_body_bytes (a larger one is refused
 * with 413 as soon as its Content-Length says so, else once it ends,
 * without keeping what is beyond the limit), authenticated before any
 * parsing, parsed into events, and handed to the store thread. The
 * connection is then suspended, not the thread: one polling thread can
 * hold thousands of requests waiting for their group commit, and answers
 * each (200 once its events are committed, 503 if they could not be) when
 * the store thread resumes it. */
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "options.h"
#include "serve.h"

#define HTTP_CONNECTIONS 1000          /* at once; beyond: refused */
#define HTTP_IDLE_SECONDS 30           /* an idle connection is closed */
/* Each connection's memory for headers and reading: libmicrohttpd zeroes
 * all of it for every request on a kept-alive connection (32 KiB by
 * default), and a platform's webhook headers take about 1 KiB. Bodies are
 * copied out as they arrive, so they do not need to fit. */
#define HTTP_CONNECTION_MEMORY 8192
#define HTTP_BODIES_PER_BUDGET 16      /* bodies of max size held at once */

struct host_http {
  struct MHD_Daemon *daemon;
  const host_serve_config *cfg;
  host_serve *sv;
  const host_transport *const *transports;
  size_t count;
  host_metrics *metrics;
  atomic_int stopping;        /* quiesced: new requests get 503 */
  atomic_size_t in_flight;    /* requests begun and not yet completed */
  atomic_size_t held;         /* bytes of bodies held by all requests */
  size_t budget;              /* most bytes of bodies held at once */
};

enum route { ROUTE_WEBHOOK, ROUTE_HEALTH, ROUTE_METRICS, ROUTE_NONE };
enum wait_state { REQ_NEW, REQ_WAITING, REQ_DONE };

typedef struct request {
  host_http *h;
  struct MHD_Connection *conn;
  enum route route;
  const host_transport *t;
  int post;
  unsigned char *body;        /* the webhook's body, NUL-terminated */
  size_t len, cap;
  size_t expected;            /* Content-Length, when given and allowed */
  size_t held;                /* bytes counted in h->held */
  int too_large, overload;
  int64_t start_us;
  atomic_int state;           /* enum wait_state */
  host_serve_job job;
  size_t messages, statuses, unsupported, skipped, cut;
} request;

/* ---- Answers ------------------------------------------------------------- */

static enum MHD_Result answer(request *r, unsigned status, const char *body,
                              const char *type) {
  struct MHD_Response *res = MHD_create_response_from_buffer(
      strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
  if (!res)
    return MHD_NO;
  MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  if (atomic_load(&r->h->stopping))
    MHD_add_response_header(res, MHD_HTTP_HEADER_CONNECTION, "close");
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
    MHD_add_response_header(res, MHD_HTTP_HEADER_ALLOW,
                            r->route == ROUTE_WEBHOOK ? "GET, POST" : "GET");
  enum MHD_Result ok = MHD_queue_response(r->conn, status, res);
  MHD_destroy_response(res);
  return ok;
}

static enum MHD_Result text(request *r, unsigned status, const char *body) {
  return answer(r, status, body, "text/plain; charset=utf-8");
}

/* Why a webhook was not answered 200, for its log line. */
static const char *refusal(const request *r, unsigned status) {
  switch (status) {
  case 200:
    return NULL;
  case 401:
    return "signature";
  case 400:
    return "malformed";
  case 413:
    return "too_large";
  default:
    return r->overload                  ? "overload"
           : atomic_load(&r->h->stopping) ? "stopping"
           : r->job.status == 503         ? "store"
                                          : "internal";
  }
}

/* The webhook's answer, its log line and its time. */
static enum MHD_Result answer_webhook(request *r, unsigned status) {
  int64_t us = host_serve_now_us() - r->start_us;
  host_metrics_observe_answer(r->h->metrics, us);
  const char *why = refusal(r, status);
  host_serve_log(why ? "webhook_refused" : "webhook",
                 "transport=%s status=%u%s%s messages=%zu statuses=%zu "
                 "unsupported=%zu duplicates=%zu skipped=%zu bytes=%zu "
                 "ms=%.1f%s",
                 r->t->name, status, why ? " reason=" : "", why ? why : "",
                 r->messages, r->statuses, r->unsupported, r->job.duplicates,
                 r->skipped, r->len, (double)us / 1000.0,
                 r->cut ? " cut=1" : "");
  return text(r, status, status == 200 ? "" : status == 401 ? "unauthorised\n"
                                          : status == 413 ? "too large\n"
                                          : status == 400 ? "bad request\n"
                                                          : "try again\n");
}

/* ---- Bodies -------------------------------------------------------------- */

static void release(request *r) {
  free(r->body);
  r->body = NULL;
  r->cap = 0;
  atomic_fetch_sub(&r->h->held, r->held);
  r->held = 0;
}

/* Keeps more of the body, within the limit and the budget. */
static void keep(request *r, const char *data, size_t n) {
  if (r->too_large || r->overload)
    return;
  if (r->len + n > r->h->cfg->max_body_bytes) {
    r->too_large = 1;
    release(r);
    return;
  }
  if (r->len + n + 1 > r->cap) {
    /* Sized by Content-Length: one allocation, small enough for the
     * allocator's per-thread cache for most webhooks, where a fixed 4 KiB
     * made glibc consolidate its free lists on every request. */
    size_t cap = r->cap ? r->cap : r->expected ? r->expected + 1 : 4096;
    while (cap < r->len + n + 1)
      cap *= 2;
    if (cap > r->h->cfg->max_body_bytes + 1)
      cap = r->h->cfg->max_body_bytes + 1;
    size_t more = cap - r->cap;
    unsigned char *body = NULL;
    if (atomic_fetch_add(&r->h->held, more) + more <= r->h->budget)
      body = realloc(r->body, cap);
    if (!body) {
      atomic_fetch_sub(&r->h->held, more);
      r->overload = 1;
      release(r);
      return;
    }
    r->body = body;
    r->cap = cap;
    r->held += more;
  }
  memcpy(r->body + r->len, data, n);
  r->len += n;
  r->body[r->len] = '\0';
}

/* ---- Webhooks ------------------------------------------------------------ */

static const char *header_of(void *conn, const char *name) {
  return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static const char *query_of(void *conn, const char *name) {
  return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Receives each event of a payload: checked, then encoded into the job. */
static int sink(void *arg, const host_inbound *event) {
  request *r = arg;
  host_inbound in = *event;
  int cut = 0;
  const char *why = host_event_check(&in, &cut);
  if (why) {
    r->skipped++;
    host_serve_log("event_skipped", "transport=%s reason=\"%s\"", r->t->name,
                   why);
    return 0;
  }
  host_buf *b = &r->job.events;
  size_t mark = b->len;
  if (host_buf_append(b, "\0\0\0\0", 4) != 0 ||
      host_event_encode(&in, b) != 0)
    return 503;
  size_t n = b->len - mark - 4;
  for (int i = 0; i < 4; i++)
    b->data[mark + (size_t)i] = (char)(unsigned char)(n >> (8 * i));
  r->job.count++;
  r->cut += (size_t)cut;
  if (in.kind == HOST_IN_STATUS)
    r->statuses++;
  else if (in.kind == HOST_IN_UNSUPPORTED)
    r->unsupported++;
  else
    r->messages++;
  return 0;
}

/* Runs on the store thread once the job's events are committed. */
static void job_done(host_serve_job *job) {
  request *r = job->arg;
  atomic_store(&r->state, REQ_DONE);
  MHD_resume_connection(r->conn);
}

static enum MHD_Result webhook_post(request *r) {
  host_http *h = r->h;
  if (r->too_large || r->overload || atomic_load(&h->stopping)) {
    if (r->too_large)
      atomic_fetch_add(&h->metrics->bad_requests, 1);
    return answer_webhook(r, r->too_large ? 413 : 503);
  }
  const unsigned char *body = r->body ? r->body : (const unsigned char *)"";
  int status = r->t->authenticate(h->cfg, header_of, r->conn, body, r->len);
  if (status != 0) {
    atomic_fetch_add(&h->metrics->signature_failures, 1);
    return answer_webhook(r, (unsigned)status);
  }
  r->job.transport = r->t;
  r->job.received_at = (int64_t)time(NULL);
  r->job.done = job_done;
  r->job.arg = r;
  status = r->t->parse(h->cfg, body, r->len, sink, r);
  release(r);
  if (status != 0) {
    if (status == 400)
      atomic_fetch_add(&h->metrics->bad_requests, 1);
    return answer_webhook(r, (unsigned)status);
  }
  if (r->job.count == 0)
    return answer_webhook(r, 200);
  /* Suspended before it is queued, so that the store thread never
   * resumes a connection that is not suspended yet. */
  atomic_store(&r->state, REQ_WAITING);
  MHD_suspend_connection(r->conn);
  host_serve_submit(h->sv, &r->job);
  return MHD_YES;
}

static enum MHD_Result webhook_get(request *r) {
  if (!r->t->handshake)
    return text(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
  host_buf body = {0};
  int status = r->t->handshake(r->h->cfg, query_of, r->conn, &body);
  host_serve_log("handshake", "transport=%s status=%d", r->t->name, status);
  enum MHD_Result ok =
      text(r, (unsigned)status,
           status == 200 && body.data ? body.data : "forbidden\n");
  host_buf_free(&body);
  return ok;
}

static enum MHD_Result metrics(request *r) {
  size_t pending = 0, failed = 0;
  host_serve_outbox_counts(r->h->sv, &pending, &failed);
  host_buf out = {0};
  enum MHD_Result ok;
  if (host_metrics_render(r->h->metrics, pending, failed, &out) != 0)
    ok = text(r, 500, "out of memory\n");
  else
    ok = answer(r, 200, out.data, "text/plain; version=0.0.4; charset=utf-8");
  host_buf_free(&out);
  return ok;
}

/* ---- Routing ------------------------------------------------------------- */

static void route(request *r, const char *url, const char *method) {
  host_http *h = r->h;
  r->post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
  r->route = ROUTE_NONE;
  for (size_t i = 0; i < h->count; i++)
    if (strcmp(url, h->transports[i]->path) == 0) {
      r->route = ROUTE_WEBHOOK;
      r->t = h->transports[i];
    }
  if (strcmp(url, "/healthz") == 0)
    r->route = ROUTE_HEALTH;
  else if (strcmp(url, "/metrics") == 0)
    r->route = ROUTE_METRICS;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *data_size, void **req_cls) {
  (void)version;
  host_http *h = cls;
  request *r = *req_cls;
  if (!r) {
    r = calloc(1, sizeof *r);
    if (!r)
      return MHD_NO;
    r->h = h;
    r->conn = conn;
    r->start_us = host_serve_now_us();
    route(r, url, method);
    *req_cls = r;
    atomic_fetch_add(&h->in_flight, 1);
    /* Refused before its body is read: MHD then skips the body and closes
     * the connection. */
    const char *length = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long declared = length ? strtoull(length, NULL, 10) : 0;
    if (r->route == ROUTE_WEBHOOK && r->post &&
        declared > h->cfg->max_body_bytes) {
      r->too_large = 1;
      return webhook_post(r);
    }
    r->expected = (size_t)declared;
    return MHD_YES;
  }
  if (*data_size) {
    if (r->route == ROUTE_WEBHOOK && r->post)
      keep(r, data, *data_size);
    *data_size = 0;
    return MHD_YES;
  }
  if (atomic_load(&r->state) == REQ_DONE)
    return answer_webhook(r, (unsigned)r->job.status);
  int get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
            strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
  switch (r->route) {
  case ROUTE_WEBHOOK:
    return r->post ? webhook_post(r)
           : get   ? webhook_get(r)
                   : text(r, MHD_HTTP_METHOD_NOT_ALLOWED,
                          "method not allowed\n");
  case ROUTE_HEALTH:
    if (!get)
      return text(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
    return host_serve_healthy(h->sv) == 0 ? text(r, 200, "ok\n")
                                          : text(r, 503, "stuck\n");
  case ROUTE_METRICS:
    return get ? metrics(r)
               : text(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
  default:
    return text(r, 404, "not found\n");
  }
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **req_cls, enum MHD_RequestTerminationCode toe) {
  (void)conn;
  (void)toe;
  host_http *h = cls;
  request *r = *req_cls;
  if (!r)
    return;
  release(r);
  host_buf_free(&r->job.events);
  free(r);
  *req_cls = NULL;
  atomic_fetch_sub(&h->in_flight, 1);
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void on_mhd_error(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char message[256];
  vsnprintf(message, sizeof message, fmt, ap);
  size_t n = strlen(message);
  while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == '\r'))
    message[--n] = '\0';
  for (char *c = message; *c; c++)
    if (*c == '"')
      *c = '\'';
  host_serve_log("http_error", "message=\"%s\"", message);
}

/* ---- Starting and stopping ----------------------------------------------- */

/* Resolves "host:port" ("[::1]:8080" for IPv6) into an address. */
static int resolve(const char *listen, struct sockaddr_storage *addr,
                   socklen_t *len) {
  char host[256];
  const char *colon = strrchr(listen, ':');
  size_t n = (size_t)(colon - listen);
  if (n >= sizeof host)
    return -1;
  memcpy(host, listen, n);
  host[n] = '\0';
  char *h = host;
  if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
    host[n - 1] = '\0';
    h++;
  }
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  if (getaddrinfo(h, colon + 1, &hints, &res) != 0 || !res)
    return -1;
  memcpy(addr, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return 0;
}

int host_http_start(host_http **out, const host_serve_settings *s,
                    host_serve *sv, const host_transport *const *transports,
                    size_t count, host_metrics *metrics, char *bound,
                    size_t bound_cap) {
  *out = NULL;
  struct sockaddr_storage addr;
  socklen_t addr_len = 0;
  if (resolve(s->cfg.listen, &addr, &addr_len) != 0) {
    fprintf(stderr, "samvad serve: cannot resolve the listen address '%s'\n",
            s->cfg.listen);
    return HOST_EXIT_USAGE;
  }
  host_http *h = calloc(1, sizeof *h);
  if (!h)
    return HOST_EXIT_IO;
  h->cfg = &s->cfg;
  h->sv = sv;
  h->transports = transports;
  h->count = count;
  h->metrics = metrics;
  h->budget = HTTP_BODIES_PER_BUDGET * (s->cfg.max_body_bytes + 1);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                   MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  if (addr.ss_family == AF_INET6)
    flags |= MHD_USE_IPv6;
  h->daemon = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER,
      on_mhd_error, NULL, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
      (unsigned)s->http_threads, MHD_OPTION_CONNECTION_LIMIT,
      (unsigned)HTTP_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)HTTP_IDLE_SECONDS, MHD_OPTION_LISTEN_BACKLOG_SIZE,
      (unsigned)1024, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      (size_t)HTTP_CONNECTION_MEMORY, MHD_OPTION_NOTIFY_COMPLETED,
      on_completed, h, MHD_OPTION_END);
  if (!h->daemon) {
    fprintf(stderr, "samvad serve: cannot listen on %s (in use, or not "
                    "allowed)\n",
            s->cfg.listen);
    free(h);
    return HOST_EXIT_IO;
  }
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
  char host[256];
  const char *colon = strrchr(s->cfg.listen, ':');
  snprintf(host, sizeof host, "%.*s", (int)(colon - s->cfg.listen),
           s->cfg.listen);
  snprintf(bound, bound_cap, "%s:%u", host, info ? (unsigned)info->port : 0u);
  *out = h;
  return 0;
}

void host_http_quiesce(host_http *h, int seconds) {
  if (!h)
    return;
  atomic_store(&h->stopping, 1);
  MHD_socket fd = MHD_quiesce_daemon(h->daemon);
  if (fd != MHD_INVALID_SOCKET)
    close(fd);
  for (int waited = 0; waited < seconds * 100 &&
                       atomic_load(&h->in_flight) > 0;
       waited++)
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
}

void host_http_stop(host_http *h) {
  if (!h)
    return;
  MHD_stop_daemon(h->daemon);
  free(h);
}
