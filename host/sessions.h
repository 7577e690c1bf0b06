/* sessions.h - the host's in-memory session store: user id -> the bytes of
 * samvad_session_save. Keeping bytes rather than live sessions means every
 * message goes through save and restore, as it will with a durable store. */
#ifndef SAMVAD_HOST_SESSIONS_H
#define SAMVAD_HOST_SESSIONS_H

#include <stddef.h>

#include "samvad/samvad.h"

typedef struct host_sessions host_sessions;

/* NULL when out of memory. The catalogue must outlive the store. */
host_sessions *host_sessions_create(const samvad_catalogue *catalogue);
void host_sessions_destroy(host_sessions *s);

/* Gives the user's session in *out (the caller destroys it): restored from
 * the stored bytes, or a new one when there are none. When stored bytes do
 * not restore, a new session is given too and *restore_err (if not NULL)
 * gets the restore error; otherwise it gets 0. Returns 0 or a samvad error
 * (no session then). */
int host_sessions_open(host_sessions *s, const char *user,
                       samvad_session **out, int *restore_err);

/* Saves the session's bytes under user, replacing earlier ones. Returns 0
 * or a samvad error (the earlier bytes are kept then). */
int host_sessions_save(host_sessions *s, const char *user,
                       const samvad_session *session);

/* How many users have a stored session, and the size of one's bytes (0
 * when none). */
size_t host_sessions_count(const host_sessions *s);
size_t host_sessions_bytes(const host_sessions *s, const char *user);

#endif
