/* webhook_sign.c - signs webhook bodies as Meta does (X-Hub-Signature-256:
 * "sha256=" and the HMAC-SHA256 of the raw body with the app secret, in
 * lowercase hex), for tests/cli/serve.sh and scripts/bench-serve.sh.
 *
 *   webhook_sign SECRET FILE    prints the header value for FILE's bytes
 *   webhook_sign SECRET -       the same for standard input
 *   webhook_sign --lines SECRET prints one value per line of standard
 *                               input (the line without its newline) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static void print_signature(const char *secret, const unsigned char *body,
                            size_t len) {
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  char hex[2 * sizeof mac + 1];
  crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
                              strlen(secret));
  crypto_auth_hmacsha256_update(&st, body, len);
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  printf("sha256=%s\n", hex);
}

static int sign_lines(const char *secret) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, stdin)) >= 0) {
    if (n > 0 && line[n - 1] == '\n')
      n--;
    print_signature(secret, (const unsigned char *)line, (size_t)n);
  }
  free(line);
  return ferror(stdin) ? 1 : 0;
}

int main(int argc, char **argv) {
  if (sodium_init() < 0)
    return 1;
  if (argc == 3 && strcmp(argv[1], "--lines") == 0)
    return sign_lines(argv[2]);
  if (argc != 3) {
    fprintf(stderr, "usage: webhook_sign SECRET FILE|-  or  "
                    "webhook_sign --lines SECRET\n");
    return 2;
  }
  FILE *f = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "rb");
  if (!f) {
    perror(argv[2]);
    return 1;
  }
  unsigned char *body = NULL;
  size_t len = 0, cap = 0, got;
  do {
    if (len == cap) {
      cap = cap ? cap * 2 : 65536;
      unsigned char *more = realloc(body, cap);
      if (!more)
        return 1;
      body = more;
    }
    got = fread(body + len, 1, cap - len, f);
    len += got;
  } while (got > 0);
  int bad = ferror(f);
  if (f != stdin)
    fclose(f);
  if (!bad)
    print_signature(argv[1], body, len);
  free(body);
  return bad ? 1 : 0;
}
