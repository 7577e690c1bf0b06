/* keys_files.h - the files of a key folder, one at a time: key seeds and
 * public keys as short text files, the signed lists as the library's bytes,
 * every write through a temporary file so that a crash never leaves half a
 * key, and seeds refused when others can read them. The folder's layout is
 * in docs/certificates.md ("Key files"). */
#ifndef SAMVAD_HOST_KEYS_FILES_H
#define SAMVAD_HOST_KEYS_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "samvad/cert.h"

/* The files' names inside the folder. An issuing key's seed is
 * "issuer-" + its 16-hex-digit key id + ".seed". */
#define HOST_KEYS_ROOT_SEED "root.seed"
#define HOST_KEYS_ROOT_PUBLIC "root.pub"
#define HOST_KEYS_TRUST_LIST "trust.list"
#define HOST_KEYS_REVOCATIONS "revocations.list"
#define HOST_KEYS_HISTORY "history.log"
#define HOST_KEYS_ISSUER_PREFIX "issuer-"
#define HOST_KEYS_SEED_SUFFIX ".seed"

/* The first line of each text key file; the second is the key in hex. */
#define HOST_KEYS_SEED_MAGIC "samvad-ed25519-seed-v1"
#define HOST_KEYS_PUBLIC_MAGIC "samvad-ed25519-public-v1"

#define HOST_KEYS_PATH_MAX 4096

/* The results of the functions below (0 is success). */
enum host_keyfile_result {
  HOST_KEYFILE_OK = 0,
  HOST_KEYFILE_MISSING = -1,   /* no such file (or folder) */
  HOST_KEYFILE_IO = -2,        /* cannot read or write it: errno says why */
  HOST_KEYFILE_MALFORMED = -3, /* not a key file of this kind */
  HOST_KEYFILE_EXPOSED = -4,   /* a seed that group or others may read */
  HOST_KEYFILE_EXISTS = -5,    /* there already, and not to be replaced */
  HOST_KEYFILE_TOO_LONG = -6   /* a path or a file over its limit */
};

/* dir + "/" + name into out (HOST_KEYS_PATH_MAX bytes); -1 when too long. */
int host_keys_path(const char *dir, const char *name, char *out);

/* An issuing key's seed file name for its id, e.g. "issuer-1325...16.seed"
 * (out of at least 32 bytes). */
void host_keys_issuer_name(const uint8_t id[SAMVAD_CERT_KEY_ID_BYTES],
                           char out[32]);

/* Reads a seed file and derives the key. The file must be a regular file
 * that neither group nor others can read or write. A result code. */
int host_keyfile_read_seed(const char *path, samvad_cert_key *out);

/* Writes a seed file, mode 0600 whatever the umask. Without replace an
 * existing file is never touched (HOST_KEYFILE_EXISTS); with it, it is
 * replaced in one rename. */
int host_keyfile_write_seed(const char *path,
                            const uint8_t seed[SAMVAD_CERT_SEED_BYTES],
                            int replace);

/* A public key file, mode 0644. */
int host_keyfile_read_public(const char *path,
                             uint8_t out[SAMVAD_CERT_PUBLIC_KEY_BYTES]);
int host_keyfile_write_public(const char *path,
                              const uint8_t pk[SAMVAD_CERT_PUBLIC_KEY_BYTES],
                              int replace);

/* Any bytes (a signed list) written in one rename, with mode. */
int host_keyfile_write_bytes(const char *path, const void *data, size_t len,
                             mode_t mode, int replace);

/* Reads a whole file of at most max bytes (malloc'd, to be freed). */
int host_keyfile_read_bytes(const char *path, size_t max, unsigned char **out,
                            size_t *len);

/* Appends one line to the folder's history (mode 0600). 0 or -1. */
int host_keys_history(const char *dir, const char *line);

/* What a result code means, for messages ("no such file", ...; errno is
 * consulted for HOST_KEYFILE_IO). */
const char *host_keyfile_strerror(int result);

/* Creates a folder with mode 0700 when it is missing. A result code. */
int host_keys_mkdir(const char *dir);

#endif
