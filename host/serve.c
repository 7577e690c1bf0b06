/* serve.c - `samvad serve`: the host that messaging platforms call. It
 * loads the specs and the database, starts the senders (serve_send.c),
 * the store thread (serve_store.c) and the HTTP side (serve_http.c), then
 * waits for SIGTERM or SIGINT and shuts down gracefully: it stops
 * accepting connections, answers the requests it holds, commits and
 * processes every event it accepted, moves waiting notices into the
 * outbox, gives the senders a few seconds for requests in flight (what is
 * not sent stays in the outbox for the next start), and closes.
 * Also the structured log every serve file writes through. */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "options.h"
#include "serve.h"

#define LOG_LINE_BYTES 1024

const char host_serve_help[] =
    "Usage: samvad serve [--config FILE] [--listen HOST:PORT] [--specs DIR]\n"
    "                    [--db PATH] [--keys DIR] [--out DIR]\n"
    "                    [--retention-days N]\n"
    "\n"
    "Serves citizens on WhatsApp (the Cloud API's webhook at /webhook) and\n"
    "Telegram (/telegram), with GET /healthz and GET /metrics (Prometheus).\n"
    "A webhook is answered 200 once its messages are committed to the\n"
    "database; each is applied exactly once, and the replies go out through\n"
    "the platform's API from an outbox that survives a restart. SIGTERM or\n"
    "SIGINT stops it gracefully. Logs: one line per event on stderr, phone\n"
    "numbers masked, secrets never shown.\n"
    "\n"
    "Settings come from the options, then the environment, then the config\n"
    "file (lines 'key = value', '#' comments). Each key is also read from\n"
    "SAMVAD_ and the key in capitals (wa_token: SAMVAD_WA_TOKEN):\n"
    "  listen              HOST:PORT to listen on (127.0.0.1:8080; port 0:\n"
    "                      any free port, logged)\n"
    "  wa_phone_number_id  the WhatsApp number's id; wa_token: its access\n"
    "                      token; wa_app_secret: signs the webhooks;\n"
    "                      wa_verify_token: the webhook handshake's token\n"
    "  wa_graph_url        the Graph API (https://graph.facebook.com);\n"
    "                      wa_graph_version (v21.0)\n"
    "  wa_template         template for notices outside the 24-hour window;\n"
    "                      wa_template_lang (en)\n"
    "  tg_token, tg_secret, tg_api_url   Telegram's bot token, webhook\n"
    "                      secret and API (https://api.telegram.org)\n"
    "  max_body_bytes      largest webhook accepted (4194304)\n"
    "  senders             requests sent at once (256); http_threads (2)\n"
    "  wal_pages           pages the write-ahead log may hold before it\n"
    "                      starts over (10000)\n"
    "  specs, db, keys, out, retention_days   as the options below\n"
    "\n"
    "Options:\n"
    "  --config FILE       the config file (keep it mode 600: it may hold\n"
    "                      secrets)\n"
    "  --listen HOST:PORT  where to listen\n"
    "  --specs DIR         the specs folder\n"
    "  --db PATH           the database (default: $SAMVAD_DB, else\n"
    "                      ./samvad.db; not :memory:)\n"
    "  --keys DIR          the key folder (certificates)\n"
    "  --out DIR           where certificates' QR codes go as PNG files\n"
    "  --retention-days N  erase abandoned answers after N days (default:\n"
    "                      the catalogue's retention_days, 30)\n"
    "\n"
    "See docs/serve.md. Exit codes: 0 stopped by a signal, 2 usage or\n"
    "settings, 3 specs failed to load, 4 cannot listen, 5 the database\n"
    "cannot be opened.\n";

/* ---- Logs ---------------------------------------------------------------- */

int64_t host_serve_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static size_t format_line(char *line, size_t cap, const char *event,
                          const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static size_t format_line(char *line, size_t cap, const char *event,
                          const char *fmt, va_list ap) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(line, cap, "ts=%Y-%m-%dT%H:%M:%S", &tm);
  int k = snprintf(line + n, cap - n, ".%03ldZ event=%s ",
                   ts.tv_nsec / 1000000, event);
  n += k > 0 ? (size_t)k : 0;
  if (n < cap) {
    k = vsnprintf(line + n, cap - n, fmt, ap);
    n += k > 0 ? (size_t)k : 0;
  }
  if (n > cap - 2)
    n = cap - 2; /* cut: the line still ends */
  line[n++] = '\n';
  line[n] = '\0';
  return n;
}

void host_serve_log(const char *event, const char *fmt, ...) {
  char line[LOG_LINE_BYTES];
  va_list ap;
  va_start(ap, fmt);
  size_t n = format_line(line, sizeof line, event, fmt, ap);
  va_end(ap);
  /* One write per line, so that threads' lines never interleave. */
  fwrite(line, 1, n, stderr);
}

void host_serve_log_to(host_buf *into, const char *event, const char *fmt,
                       ...) {
  char line[LOG_LINE_BYTES];
  va_list ap;
  va_start(ap, fmt);
  size_t n = format_line(line, sizeof line, event, fmt, ap);
  va_end(ap);
  if (!into || into->len > 1024 * 1024 || host_buf_append(into, line, n) != 0)
    fwrite(line, 1, n, stderr);
}

void host_serve_log_flush(host_buf *lines) {
  if (lines->len)
    fwrite(lines->data, 1, lines->len, stderr);
  host_buf_reset(lines);
}

/* ---- The command --------------------------------------------------------- */

/* The enabled transports, and a line for the log naming them. */
static size_t enabled_transports(const host_serve_config *cfg,
                                 const host_transport **out, char *names,
                                 size_t cap) {
  static const host_transport *const all[] = {&host_transport_whatsapp,
                                              &host_transport_telegram};
  size_t n = 0;
  names[0] = '\0';
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (all[i]->enabled(cfg)) {
      out[n++] = all[i];
      size_t used = strlen(names);
      snprintf(names + used, cap - used, "%s%s", n > 1 ? "," : "",
               all[i]->name);
    }
  return n;
}

/* Blocks the stop signals in every thread started from now on; the main
 * thread takes them with sigwait. */
static void block_signals(sigset_t *set) {
  sigemptyset(set);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGINT);
  pthread_sigmask(SIG_BLOCK, set, NULL);
  signal(SIGPIPE, SIG_IGN); /* a peer that hangs up is not fatal */
}

static int run(host_serve_settings *s, const samvad_catalogue *catalogue,
               host_db *db) {
  const host_transport *transports[2];
  char names[64];
  size_t count = enabled_transports(&s->cfg, transports, names, sizeof names);
  if (count == 0) {
    fprintf(stderr, "samvad serve: no transport is configured: set "
                    "wa_app_secret, wa_token and wa_phone_number_id (or "
                    "tg_token and tg_secret)\n");
    return HOST_EXIT_USAGE;
  }
  sigset_t stop_signals;
  block_signals(&stop_signals);
  host_metrics metrics;
  memset(&metrics, 0, sizeof metrics);
  host_sender *sender = NULL;
  host_serve *sv = NULL;
  host_http *http = NULL;
  char bound[300];
  int rc = host_sender_start(&s->cfg, &metrics, &sender);
  if (rc == 0 && host_serve_start(&sv, s, catalogue, db, transports, count,
                                  &metrics, sender) != 0) {
    fprintf(stderr, "samvad serve: cannot start (out of memory)\n");
    rc = HOST_EXIT_IO;
  }
  if (rc == 0)
    rc = host_http_start(&http, s, sv, transports, count, &metrics, bound,
                         sizeof bound);
  if (rc == 0) {
    host_serve_log("listening",
                   "address=%s transports=%s db=%s senders=%d "
                   "http_threads=%d max_body_bytes=%zu",
                   bound, names, s->cfg.db, s->cfg.senders, s->http_threads,
                   s->cfg.max_body_bytes);
    int sig = 0;
    while (sigwait(&stop_signals, &sig) != 0)
      ;
    host_serve_log("stopping", "signal=%s",
                   sig == SIGTERM ? "SIGTERM" : "SIGINT");
  }
  int64_t t0 = host_serve_now_us();
  host_http_quiesce(http, HOST_SERVE_DRAIN_SECONDS);
  host_http_stop(http);
  host_serve_stop(sv);
  host_sender_stop(sender);
  if (rc == 0)
    host_serve_log("stopped", "ms=%lld",
                   (long long)((host_serve_now_us() - t0) / 1000));
  return rc;
}

int host_cmd_serve(int argc, char **argv) {
  host_serve_settings s;
  int rc = host_serve_settings_load(argc, argv, &s);
  if (rc != 0 || s.help) {
    if (rc == 0)
      fputs(host_serve_help, stdout);
    host_serve_settings_free(&s);
    return rc;
  }
  samvad_catalogue *catalogue = NULL;
  host_db *db = NULL;
  rc = host_catalogue_load(s.cfg.specs, &catalogue);
  if (rc == 0)
    rc = host_db_open(s.cfg.db, &db);
  if (rc == 0)
    rc = run(&s, catalogue, db);
  host_db_close(db);
  samvad_catalogue_destroy(catalogue);
  host_serve_settings_free(&s);
  return rc;
}
