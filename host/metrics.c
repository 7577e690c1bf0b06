/* metrics.c - the counters of `samvad serve` in the Prometheus text format
 * (GET /metrics): messages in and out, refused webhooks, send retries and
 * failures, the outbox, and a histogram of the time to answer a webhook. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "metrics.h"

/* The histogram's upper bounds in microseconds, and as Prometheus prints
 * them (seconds). */
static const int64_t bucket_us[HOST_LATENCY_BUCKETS] = {
    1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000,
    1000000, 2000000, 5000000};
static const char *const bucket_le[HOST_LATENCY_BUCKETS] = {
    "0.001", "0.002", "0.005", "0.01", "0.02", "0.05",
    "0.1",   "0.2",   "0.5",   "1",    "2",    "5"};

void host_metrics_observe_answer(host_metrics *m, int64_t microseconds) {
  if (microseconds < 0)
    microseconds = 0;
  /* Cumulative buckets, as Prometheus reads them: every bucket whose bound
   * holds the observation counts it, and the last (+Inf) counts all. */
  for (int i = HOST_LATENCY_BUCKETS; i >= 0; i--) {
    if (i < HOST_LATENCY_BUCKETS && microseconds > bucket_us[i])
      break;
    atomic_fetch_add_explicit(&m->answer_buckets[i], 1, memory_order_relaxed);
  }
  atomic_fetch_add_explicit(&m->answer_count, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->answer_sum_us, (uint_fast64_t)microseconds,
                            memory_order_relaxed);
}

static uint64_t load(const atomic_uint_fast64_t *v) {
  return (uint64_t)atomic_load_explicit(v, memory_order_relaxed);
}

static int line(host_buf *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int line(host_buf *out, const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof buf)
    return -1;
  return host_buf_append(out, buf, (size_t)n);
}

static int metric(host_buf *out, const char *name, const char *type,
                  const char *help, uint64_t value) {
  return line(out, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help,
              name, type, name, value);
}

int host_metrics_render(const host_metrics *m, size_t outbox_pending,
                        size_t outbox_failed, host_buf *out) {
  static const struct {
    const char *name, *help;
    size_t offset;
  } counters[] = {
#define C(field, help)                                                         \
  {"samvad_" #field "_total", help, offsetof(host_metrics, field)}
      C(messages_in, "Messages accepted from webhooks."),
      C(duplicates_in, "Redelivered events acknowledged without a second "
                       "processing."),
      C(statuses_in, "Delivery reports received."),
      C(signature_failures, "Webhooks refused for a missing or bad "
                            "signature."),
      C(bad_requests, "Webhooks refused as malformed (400) or too large "
                      "(413)."),
      C(messages_out, "Requests accepted by a platform's API."),
      C(send_retries, "Sends to be retried (429, 5xx, network errors)."),
      C(send_failures, "Sends failed for good."),
      C(shortened, "Replies shortened to fit a platform's limits."),
      C(checkpoints_background, "Passes copying the write-ahead log back "
                                "into the database, off the store thread."),
      C(checkpoints_final, "Short passes of the store thread after which "
                           "the write-ahead log starts over."),
#undef C
  };
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < sizeof counters / sizeof counters[0]; i++)
    rc = metric(out, counters[i].name, "counter", counters[i].help,
                load((const atomic_uint_fast64_t *)((const char *)m +
                                                     counters[i].offset)));
  if (rc == 0)
    rc = metric(out, "samvad_outbox_pending", "gauge",
                "Requests waiting in the outbox.", (uint64_t)outbox_pending);
  if (rc == 0)
    rc = metric(out, "samvad_outbox_failed", "gauge",
                "Requests in the outbox that failed for good.",
                (uint64_t)outbox_failed);
  const char *h = "samvad_webhook_answer_seconds";
  if (rc == 0)
    rc = line(out,
              "# HELP %s Time from a webhook's first byte to its answer.\n"
              "# TYPE %s histogram\n",
              h, h);
  for (int i = 0; rc == 0 && i < HOST_LATENCY_BUCKETS; i++)
    rc = line(out, "%s_bucket{le=\"%s\"} %" PRIu64 "\n", h, bucket_le[i],
              load(&m->answer_buckets[i]));
  uint64_t sum = load(&m->answer_sum_us);
  if (rc == 0)
    rc = line(out,
              "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n%s_sum %" PRIu64
              ".%06" PRIu64 "\n%s_count %" PRIu64 "\n",
              h, load(&m->answer_buckets[HOST_LATENCY_BUCKETS]), h,
              sum / 1000000, sum % 1000000, h, load(&m->answer_count));
  return rc;
}
