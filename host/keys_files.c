/* keys_files.c - reading and writing the files of a key folder: seeds and
 * public keys as two-line text files, signed lists as raw bytes. A file is
 * written whole into a temporary file of its own (created O_EXCL, 0600),
 * synced, then renamed or hard-linked into place, so that readers and a
 * crash only ever see the old file or the new one, and a seed never
 * appears with looser permissions even for a moment. */
#include "keys_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

/* A key file is two short lines; anything longer is not one. */
#define KEY_FILE_MAX_BYTES 256

int host_keys_path(const char *dir, const char *name, char *out) {
  int n = snprintf(out, HOST_KEYS_PATH_MAX, "%s/%s", dir, name);
  return n < 0 || n >= HOST_KEYS_PATH_MAX ? -1 : 0;
}

void host_keys_issuer_name(const uint8_t id[SAMVAD_CERT_KEY_ID_BYTES],
                           char out[32]) {
  char hex[SAMVAD_CERT_KEY_ID_HEX_BYTES];
  samvad_cert_key_id_format(id, hex);
  snprintf(out, 32, "%s%s%s", HOST_KEYS_ISSUER_PREFIX, hex,
           HOST_KEYS_SEED_SUFFIX);
}

const char *host_keyfile_strerror(int result) {
  switch (result) {
  case HOST_KEYFILE_OK:
    return "ok";
  case HOST_KEYFILE_MISSING:
    return "no such file";
  case HOST_KEYFILE_IO:
    return strerror(errno);
  case HOST_KEYFILE_MALFORMED:
    return "not a samvad key file (damaged or of another kind)";
  case HOST_KEYFILE_EXPOSED:
    return "the key file can be read by others: chmod 600 it (and consider "
           "the key compromised)";
  case HOST_KEYFILE_EXISTS:
    return "already exists";
  case HOST_KEYFILE_TOO_LONG:
    return "path or file too long";
  default:
    return "unknown error";
  }
}

/* The directory part of path, for syncing it after a rename. */
static void sync_parent(const char *path) {
  char dir[HOST_KEYS_PATH_MAX];
  const char *slash = strrchr(path, '/');
  if (!slash) {
    strcpy(dir, ".");
  } else {
    size_t n = (size_t)(slash - path);
    if (n == 0)
      n = 1;
    memcpy(dir, path, n);
    dir[n] = '\0';
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
}

static int write_all(int fd, const unsigned char *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int host_keyfile_write_bytes(const char *path, const void *data, size_t len,
                             mode_t mode, int replace) {
  char tmp[HOST_KEYS_PATH_MAX];
  int n = snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
  if (n < 0 || (size_t)n >= sizeof tmp)
    return HOST_KEYFILE_TOO_LONG;
  if (!replace && access(path, F_OK) == 0)
    return HOST_KEYFILE_EXISTS;
  int fd = mkstemp(tmp); /* O_CREAT | O_EXCL, mode 0600 */
  if (fd < 0)
    return errno == ENOENT ? HOST_KEYFILE_MISSING : HOST_KEYFILE_IO;
  int saved = 0;
  if ((mode != 0600 && fchmod(fd, mode) != 0) ||
      write_all(fd, data, len) != 0 || fsync(fd) != 0)
    saved = errno ? errno : EIO;
  if (close(fd) != 0 && !saved)
    saved = errno;
  if (!saved) {
    if (replace) {
      if (rename(tmp, path) != 0)
        saved = errno;
    } else if (link(tmp, path) != 0) {
      /* link, unlike rename, refuses to replace: two keygens racing
       * cannot overwrite each other's key. */
      saved = errno;
    }
  }
  if (saved || !replace)
    unlink(tmp);
  if (saved == EEXIST)
    return HOST_KEYFILE_EXISTS;
  if (saved) {
    errno = saved;
    return HOST_KEYFILE_IO;
  }
  sync_parent(path);
  return HOST_KEYFILE_OK;
}

int host_keyfile_read_bytes(const char *path, size_t max, unsigned char **out,
                            size_t *len) {
  *out = NULL;
  *len = 0;
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return errno == ENOENT ? HOST_KEYFILE_MISSING : HOST_KEYFILE_IO;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return HOST_KEYFILE_IO;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return HOST_KEYFILE_MALFORMED;
  }
  if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
    close(fd);
    return HOST_KEYFILE_TOO_LONG;
  }
  size_t size = (size_t)st.st_size;
  unsigned char *buf = malloc(size + 1);
  if (!buf) {
    close(fd);
    errno = ENOMEM;
    return HOST_KEYFILE_IO;
  }
  size_t got = 0;
  while (got < size) {
    ssize_t r = read(fd, buf + got, size - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  int e = errno;
  close(fd);
  if (got != size) {
    free(buf);
    errno = got < size && e ? e : EIO;
    return HOST_KEYFILE_IO;
  }
  buf[size] = '\0';
  *out = buf;
  *len = size;
  return HOST_KEYFILE_OK;
}

/* Parses "MAGIC\n<hex>\n" (the last newline optional) into n bytes. */
static int parse_key_text(const char *text, size_t len, const char *magic,
                          uint8_t *out, size_t n) {
  size_t m = strlen(magic);
  if (len < m + 1 || memcmp(text, magic, m) != 0 || text[m] != '\n')
    return HOST_KEYFILE_MALFORMED;
  const char *hex = text + m + 1;
  size_t hex_len = len - m - 1;
  if (hex_len == 2 * n + 1 && hex[2 * n] == '\n')
    hex_len--;
  if (hex_len != 2 * n)
    return HOST_KEYFILE_MALFORMED;
  size_t bin_len = 0;
  const char *end = NULL;
  if (sodium_hex2bin(out, n, hex, hex_len, NULL, &bin_len, &end) != 0 ||
      bin_len != n || end != hex + hex_len)
    return HOST_KEYFILE_MALFORMED;
  return HOST_KEYFILE_OK;
}

int host_keyfile_read_seed(const char *path, samvad_cert_key *out) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW);
  if (fd < 0)
    return errno == ENOENT  ? HOST_KEYFILE_MISSING
           : errno == ELOOP ? HOST_KEYFILE_MALFORMED
                            : HOST_KEYFILE_IO;
  struct stat st;
  char text[KEY_FILE_MAX_BYTES + 1];
  ssize_t got = -1;
  int rc = HOST_KEYFILE_OK;
  if (fstat(fd, &st) != 0)
    rc = HOST_KEYFILE_IO;
  else if (!S_ISREG(st.st_mode))
    rc = HOST_KEYFILE_MALFORMED;
  else if (st.st_mode & 077)
    rc = HOST_KEYFILE_EXPOSED;
  else if ((got = read(fd, text, sizeof text)) < 0)
    rc = HOST_KEYFILE_IO;
  else if (got > KEY_FILE_MAX_BYTES)
    rc = HOST_KEYFILE_MALFORMED;
  int e = errno;
  close(fd);
  errno = e;
  uint8_t seed[SAMVAD_CERT_SEED_BYTES];
  if (rc == HOST_KEYFILE_OK)
    rc = parse_key_text(text, (size_t)got, HOST_KEYS_SEED_MAGIC, seed,
                        sizeof seed);
  if (rc == HOST_KEYFILE_OK && samvad_cert_key_from_seed(seed, out) != 0)
    rc = HOST_KEYFILE_MALFORMED;
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(text, sizeof text);
  return rc;
}

/* Writes "MAGIC\n<hex>\n". */
static int write_key_text(const char *path, const char *magic,
                          const uint8_t *key, size_t n, mode_t mode,
                          int replace) {
  char text[KEY_FILE_MAX_BYTES];
  size_t m = strlen(magic);
  memcpy(text, magic, m);
  text[m] = '\n';
  sodium_bin2hex(text + m + 1, 2 * n + 1, key, n);
  text[m + 1 + 2 * n] = '\n';
  int rc = host_keyfile_write_bytes(path, text, m + 2 * n + 2, mode, replace);
  int e = errno;
  sodium_memzero(text, sizeof text);
  errno = e;
  return rc;
}

int host_keyfile_write_seed(const char *path,
                            const uint8_t seed[SAMVAD_CERT_SEED_BYTES],
                            int replace) {
  return write_key_text(path, HOST_KEYS_SEED_MAGIC, seed,
                        SAMVAD_CERT_SEED_BYTES, 0600, replace);
}

int host_keyfile_read_public(const char *path,
                             uint8_t out[SAMVAD_CERT_PUBLIC_KEY_BYTES]) {
  unsigned char *text = NULL;
  size_t len = 0;
  int rc = host_keyfile_read_bytes(path, KEY_FILE_MAX_BYTES, &text, &len);
  if (rc == HOST_KEYFILE_TOO_LONG)
    rc = HOST_KEYFILE_MALFORMED;
  if (rc == HOST_KEYFILE_OK)
    rc = parse_key_text((const char *)text, len, HOST_KEYS_PUBLIC_MAGIC, out,
                        SAMVAD_CERT_PUBLIC_KEY_BYTES);
  free(text);
  return rc;
}

int host_keyfile_write_public(const char *path,
                              const uint8_t pk[SAMVAD_CERT_PUBLIC_KEY_BYTES],
                              int replace) {
  return write_key_text(path, HOST_KEYS_PUBLIC_MAGIC, pk,
                        SAMVAD_CERT_PUBLIC_KEY_BYTES, 0644, replace);
}

int host_keys_history(const char *dir, const char *line) {
  char path[HOST_KEYS_PATH_MAX];
  if (host_keys_path(dir, HOST_KEYS_HISTORY, path) != 0)
    return -1;
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
  if (fd < 0)
    return -1;
  char stamp[32];
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ ", &tm);
  int rc = write_all(fd, (const unsigned char *)stamp, strlen(stamp)) ||
                   write_all(fd, (const unsigned char *)line, strlen(line)) ||
                   write_all(fd, (const unsigned char *)"\n", 1)
               ? -1
               : 0;
  if (close(fd) != 0)
    rc = -1;
  return rc;
}

int host_keys_mkdir(const char *dir) {
  if (mkdir(dir, 0700) == 0)
    return HOST_KEYFILE_OK;
  if (errno == EEXIST) {
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
      return HOST_KEYFILE_OK;
    errno = ENOTDIR;
  }
  return errno == ENOENT ? HOST_KEYFILE_MISSING : HOST_KEYFILE_IO;
}
