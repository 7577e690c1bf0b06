/* metrics.h - the counters `samvad serve` exposes at GET /metrics in the
 * Prometheus text format. Updated from any thread with atomics; read
 * without locks (a scrape may see counters a moment apart). */
#ifndef SAMVAD_HOST_METRICS_H
#define SAMVAD_HOST_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "util.h"

#define HOST_LATENCY_BUCKETS 12 /* 1, 2, 5, 10, 20, 50, 100, 200, 500 ms,
                                   1, 2, 5 s (and +Inf) */

typedef struct host_metrics {
  atomic_uint_fast64_t messages_in;        /* messages accepted */
  atomic_uint_fast64_t duplicates_in;      /* redeliveries acknowledged */
  atomic_uint_fast64_t statuses_in;        /* delivery reports */
  atomic_uint_fast64_t signature_failures; /* refused webhooks (401) */
  atomic_uint_fast64_t bad_requests;       /* 400, 413 */
  atomic_uint_fast64_t messages_out;       /* requests accepted by the API */
  atomic_uint_fast64_t send_retries;       /* 429/5xx/transport errors */
  atomic_uint_fast64_t send_failures;      /* permanent failures */
  atomic_uint_fast64_t shortened;          /* replies cut to fit limits */
  atomic_uint_fast64_t checkpoints_background; /* log copied back, off the store thread */
  atomic_uint_fast64_t checkpoints_final;  /* the store thread's short passes */
  /* Webhook answer times: cumulative buckets, sum in microseconds. */
  atomic_uint_fast64_t answer_buckets[HOST_LATENCY_BUCKETS + 1];
  atomic_uint_fast64_t answer_count, answer_sum_us;
} host_metrics;

void host_metrics_observe_answer(host_metrics *m, int64_t microseconds);
/* Appends the Prometheus text (with outbox gauges pending/failed). */
int host_metrics_render(const host_metrics *m, size_t outbox_pending,
                        size_t outbox_failed, host_buf *out);

#endif
