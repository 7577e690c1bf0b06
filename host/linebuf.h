/* linebuf.h - reads lines from a file descriptor for a loop that also has
 * other work: it waits at most a given time (poll(2)), says whether another
 * complete line is already buffered (so that a gateway can put every line
 * that has arrived into one transaction), and bounds each line so that a
 * peer cannot make it allocate without limit. */
#ifndef SAMVAD_HOST_LINEBUF_H
#define SAMVAD_HOST_LINEBUF_H

#include <stddef.h>

#include "util.h" /* HOST_LINE_OK, _EOF, _TOO_LONG, _ERROR */

/* host_linebuf_read's result when no complete line arrived in time. */
#define HOST_LINE_WAIT (-3)

typedef struct host_linebuf host_linebuf;

/* Reads from fd (not closed by destroy); lines of more than max_line bytes,
 * without their "\n" or "\r\n", are refused. NULL when out of memory or
 * max_line is 0 or above 64 MiB. */
host_linebuf *host_linebuf_create(int fd, size_t max_line);
void host_linebuf_destroy(host_linebuf *lb);

/* Gives the next line in *line (NUL-terminated, without its "\n" or
 * "\r\n"; it may contain NUL bytes, *len counts them) valid until the next
 * call. timeout_ms < 0 waits as long as it takes; 0 takes only what can be
 * read without blocking; > 0 waits at most that many milliseconds.
 * Returns HOST_LINE_OK, HOST_LINE_WAIT (nothing complete yet; call again),
 * HOST_LINE_TOO_LONG (a line over max_line was read to its end and
 * dropped), HOST_LINE_EOF (the input ended; a last line without "\n" is
 * given as a line first) or HOST_LINE_ERROR (a read failed; errno says
 * why). EOF and ERROR repeat on later calls. */
int host_linebuf_read(host_linebuf *lb, int timeout_ms, char **line,
                      size_t *len);

/* 1 when a complete line (or the end of input) is already buffered, so
 * that host_linebuf_read answers without reading; else 0. */
int host_linebuf_ready(const host_linebuf *lb);

#endif
