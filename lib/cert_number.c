/* cert_number.c - the certificate number people see and type ("MR-" and
 * the serial in 13 Crockford base32 characters), read back leniently as
 * Crockford intends, and the names of revocation reasons. */
#include "cert_internal.h"

#include <string.h>

static const char crockford[33] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
#define SERIAL_CHARS 13
#define MAX_PREFIX 8

static bool prefix_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int samvad_cert_number_format(const char *prefix, uint64_t serial, char *out,
                              size_t cap) {
  if (!prefix || !out)
    return SAMVAD_EINVAL;
  size_t plen = strlen(prefix);
  if (plen == 0 || plen > MAX_PREFIX)
    return SAMVAD_EINVAL;
  for (size_t i = 0; i < plen; i++)
    if (!prefix_char(prefix[i]))
      return SAMVAD_EINVAL;
  if (cap < plen + 1 + SERIAL_CHARS + 1)
    return SAMVAD_ENOSPC;
  memcpy(out, prefix, plen);
  out[plen] = '-';
  /* 64 bits: 4 in the first character, then 5 in each of 12. */
  for (int k = 0; k < SERIAL_CHARS; k++)
    out[plen + 1 + (size_t)k] = crockford[(serial >> (60 - 5 * k)) & 31u];
  out[plen + 1 + SERIAL_CHARS] = '\0';
  return 0;
}

/* A character's value, with Crockford's forgiving reading; -1 if none. */
static int crockford_value(char c) {
  if (c >= 'a' && c <= 'z')
    c = (char)(c - 'a' + 'A');
  if (c == 'I' || c == 'L')
    return 1;
  if (c == 'O')
    return 0;
  const char *p = c ? strchr(crockford, c) : NULL;
  return p ? (int)(p - crockford) : -1;
}

int samvad_cert_number_parse(const char *number, char *prefix,
                             size_t prefix_cap, uint64_t *serial) {
  if (!number || !serial)
    return SAMVAD_EINVAL;
  const char *dash = strrchr(number, '-');
  if (!dash)
    return SAMVAD_EINVAL;
  size_t plen = (size_t)(dash - number);
  if (plen == 0 || plen > MAX_PREFIX || strlen(dash + 1) != SERIAL_CHARS)
    return SAMVAD_EINVAL;
  char up[MAX_PREFIX + 1];
  for (size_t i = 0; i < plen; i++) {
    char c = number[i];
    if (c >= 'a' && c <= 'z')
      c = (char)(c - 'a' + 'A');
    if (!prefix_char(c))
      return SAMVAD_EINVAL;
    up[i] = c;
  }
  up[plen] = '\0';
  uint64_t v = 0;
  for (int k = 0; k < SERIAL_CHARS; k++) {
    int d = crockford_value(dash[1 + k]);
    if (d < 0 || (k == 0 && d > 15))
      return SAMVAD_EINVAL;
    v = v << 5 | (uint64_t)d;
  }
  if (prefix) {
    if (prefix_cap < plen + 1)
      return SAMVAD_ENOSPC;
    memcpy(prefix, up, plen + 1);
  }
  *serial = v;
  return 0;
}

static const char *const reason_names[SAMVAD_REVOKED_REASON_COUNT] = {
    "unspecified", "error", "superseded", "fraud", "cancelled"};

const char *samvad_revocation_reason_name(unsigned reason) {
  return reason < SAMVAD_REVOKED_REASON_COUNT ? reason_names[reason] : NULL;
}

int samvad_revocation_reason_parse(const char *name, unsigned *out) {
  if (!name || !out)
    return SAMVAD_EINVAL;
  for (unsigned i = 0; i < SAMVAD_REVOKED_REASON_COUNT; i++)
    if (strcmp(name, reason_names[i]) == 0) {
      *out = i;
      return 0;
    }
  return SAMVAD_EINVAL;
}
