/* cert_cmd.h - the commands around signed certificates: creating and
 * rotating keys (keygen), listing and withdrawing them (keys), revoking a
 * certificate (revoke) and checking one (verify); plus the small pieces
 * they share. */
#ifndef SAMVAD_HOST_CERT_CMD_H
#define SAMVAD_HOST_CERT_CMD_H

#include <stdint.h>

/* Each gets its own argv (argv[0] is the command name) and returns an exit
 * code: enum host_exit, or for verify the verdict (samvad_cert_verdict). */
int host_cmd_keygen(int argc, char **argv);
int host_cmd_keys(int argc, char **argv);
int host_cmd_revoke(int argc, char **argv);
int host_cmd_verify(int argc, char **argv);

/* The help text of one of these commands, or NULL (cert_help.c). */
const char *host_cert_help(const char *command);

/* --now TIME (a time host_time_parse reads, IST when no zone is given, or
 * Unix seconds), or the clock when s is NULL. 0, or HOST_EXIT_USAGE after
 * printing why. */
int host_cert_now(const char *cmd, const char *s, int64_t *out);

/* A time as "2026-03-01T10:00:00Z" (out of at least 32 bytes). */
void host_cert_time(int64_t t, char *out);

#endif
