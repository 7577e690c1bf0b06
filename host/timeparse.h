/* timeparse.h - turns the times people write (ISO 8601 in the gateway,
 * "2026-03-01 10:00" in transcripts, "2h" durations) into Unix seconds,
 * computed from the civil date so no timegm() or TZ setting is needed. */
#ifndef SAMVAD_HOST_TIMEPARSE_H
#define SAMVAD_HOST_TIMEPARSE_H

#include <stdint.h>

/* Indian Standard Time, UTC+05:30: the default for times without an offset. */
#define HOST_IST_OFFSET_SECONDS (5 * 3600 + 30 * 60)

/* Days from 1970-01-01 to the given proleptic Gregorian date (negative
 * before it). month 1-12, day 1-31; no range checks. */
int64_t host_days_from_civil(int64_t year, int month, int day);

/* Parses "YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|+HH:MM|-HH:MM|+HHMM|+HH]"
 * into Unix seconds. A time without a zone is read at default_offset
 * seconds east of UTC. Fractions of a second are dropped. Returns 0, or -1
 * when s is not such a time (including impossible dates like 2026-02-30). */
int host_time_parse(const char *s, int32_t default_offset, int64_t *out);

/* Parses a duration: one or more "<N><unit>" with unit s, m, h or d
 * ("90s", "2h", "1h30m"). Returns 0, or -1 when malformed or over ten
 * years. */
int host_duration_parse(const char *s, int64_t *out);

#endif
