/* linebuf.c - a line reader over a file descriptor with poll(2) timeouts.
 * One buffer of max_line plus a read chunk: lines are handed out in place,
 * and the unread tail is moved to the front only when the chunk no longer
 * fits, so a steady stream of short lines costs one read(2) per chunk. */
#include "linebuf.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINEBUF_CHUNK (64 * 1024)
#define LINEBUF_MAX_LINE (64u * 1024 * 1024)

struct host_linebuf {
  int fd;
  size_t max_line;
  char *buf;
  size_t cap;     /* max_line + "\r\n" + a chunk + a NUL */
  size_t start;   /* the first unread byte */
  size_t end;     /* one past the last byte read */
  size_t scanned; /* start..scanned is known to hold no "\n" */
  int skipping;   /* inside a line that is too long: drop until "\n" */
  int eof;
  int error;      /* errno of a failed read, or 0 */
};

host_linebuf *host_linebuf_create(int fd, size_t max_line) {
  if (max_line == 0 || max_line > LINEBUF_MAX_LINE)
    return NULL;
  host_linebuf *lb = calloc(1, sizeof *lb);
  if (!lb)
    return NULL;
  lb->fd = fd;
  lb->max_line = max_line;
  lb->cap = max_line + 2 + LINEBUF_CHUNK + 1;
  lb->buf = malloc(lb->cap);
  if (!lb->buf) {
    free(lb);
    return NULL;
  }
  return lb;
}

void host_linebuf_destroy(host_linebuf *lb) {
  if (!lb)
    return;
  free(lb->buf);
  free(lb);
}

int host_linebuf_ready(const host_linebuf *lb) {
  return lb->eof || lb->error ||
         memchr(lb->buf + lb->scanned, '\n', lb->end - lb->scanned) != NULL;
}

/* Hands out buf[start, start + n) as a line and consumes through next. */
static int give_line(host_linebuf *lb, size_t n, size_t next, char **line,
                     size_t *len) {
  size_t at = lb->start;
  lb->start = lb->scanned = next;
  if (n > 0 && lb->buf[at + n - 1] == '\r')
    n--;
  if (n > lb->max_line)
    return HOST_LINE_TOO_LONG;
  lb->buf[at + n] = '\0';
  *line = lb->buf + at;
  *len = n;
  return HOST_LINE_OK;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is readable: 1 when it is, 0 when the time ran out, -1
 * on an error (errno set). */
static int wait_readable(int fd, int timeout_ms, int64_t deadline) {
  for (;;) {
    int wait = timeout_ms;
    if (timeout_ms > 0) {
      int64_t left = deadline - now_ms();
      if (left <= 0)
        return 0;
      wait = left > INT32_MAX ? INT32_MAX : (int)left;
    }
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int rc = poll(&p, 1, wait);
    if (rc > 0)
      return 1; /* readable, hung up or failed: read() tells which */
    if (rc == 0)
      return 0;
    if (errno != EINTR)
      return -1;
  }
}

int host_linebuf_read(host_linebuf *lb, int timeout_ms, char **line,
                      size_t *len) {
  int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
  for (;;) {
    if (lb->error) {
      errno = lb->error;
      return HOST_LINE_ERROR;
    }
    char *nl = memchr(lb->buf + lb->scanned, '\n', lb->end - lb->scanned);
    if (nl) {
      size_t pos = (size_t)(nl - lb->buf);
      if (lb->skipping) {
        lb->skipping = 0;
        lb->start = lb->scanned = pos + 1;
        return HOST_LINE_TOO_LONG;
      }
      return give_line(lb, pos - lb->start, pos + 1, line, len);
    }
    lb->scanned = lb->end;
    /* One byte over max_line may be the "\r" of a "\r\n" still to come. */
    if (lb->end - lb->start > lb->max_line + 1)
      lb->skipping = 1;
    if (lb->skipping)
      lb->start = lb->scanned = lb->end;
    if (lb->eof) {
      if (lb->skipping) {
        lb->skipping = 0;
        return HOST_LINE_TOO_LONG;
      }
      if (lb->end > lb->start)
        return give_line(lb, lb->end - lb->start, lb->end, line, len);
      return HOST_LINE_EOF;
    }
    if (lb->cap - 1 - lb->end < LINEBUF_CHUNK) {
      size_t kept = lb->end - lb->start;
      memmove(lb->buf, lb->buf + lb->start, kept);
      lb->start = 0;
      lb->end = lb->scanned = kept;
    }
    if (timeout_ms >= 0) {
      int ready = wait_readable(lb->fd, timeout_ms, deadline);
      if (ready == 0)
        return HOST_LINE_WAIT;
      if (ready < 0) {
        lb->error = errno ? errno : EIO;
        continue;
      }
    }
    ssize_t got = read(lb->fd, lb->buf + lb->end, lb->cap - 1 - lb->end);
    if (got > 0) {
      lb->end += (size_t)got;
    } else if (got == 0) {
      lb->eof = 1;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      /* A non-blocking descriptor with nothing to read after all. */
      if (timeout_ms == 0)
        return HOST_LINE_WAIT;
      if (wait_readable(lb->fd, timeout_ms < 0 ? -1 : timeout_ms,
                        deadline) < 0)
        lb->error = errno ? errno : EIO;
    } else if (errno != EINTR) {
      lb->error = errno ? errno : EIO;
    }
  }
}
