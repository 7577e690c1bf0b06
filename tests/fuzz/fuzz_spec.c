/* fuzz_spec.c - libFuzzer target: the input is one service spec, loaded
 * with a fixed catalogue file (tests/fuzz/fixtures/catalogue.json, which
 * has no menu, so any service id is welcome) and the bundled blocks
 * (fsm-specs/blocks), all added from memory.
 *
 * Invariants: samvad_loader_add and samvad_loader_finish return only OK or
 * ESPEC; a load gives a catalogue with no errors, or no catalogue and at
 * least one diagnostic, each "file:path: error: message" naming one of the
 * files added. Everything is destroyed (LeakSanitizer checks). A spec that
 * loads is then talked to for a few messages, with the same checks of
 * replies and saved sessions as fuzz_step: the engine must cope with any
 * spec the loader accepts.
 *
 * The spec is named after its own "id" when the input has one that is a
 * valid id, so the bundled specs (the seed corpus) load as they are. */
#include "fuzz_common.h"

#include <dirent.h>

#define FZ_MAX_BLOCKS 16

typedef struct fixture {
  char name[256];
  char *json;
  size_t len;
} fixture;

static fixture g_catalogue;
static fixture g_blocks[FZ_MAX_BLOCKS];
static size_t g_block_count;
static unsigned char g_buf[SAMVAD_MAX_SESSION_BYTES];

static int cmp_fixture(const void *a, const void *b) {
  return strcmp(((const fixture *)a)->name, ((const fixture *)b)->name);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  char path[4096];
  snprintf(g_catalogue.name, sizeof g_catalogue.name, "catalogue.json");
  g_catalogue.json = fz_read_file(SAMVAD_SOURCE_DIR
                                  "/tests/fuzz/fixtures/catalogue.json",
                                  &g_catalogue.len);
  snprintf(path, sizeof path, "%s/blocks", fz_specs_dir());
  DIR *d = opendir(path);
  if (!d) {
    fprintf(stderr, "fuzz: cannot read %s\n", path);
    exit(2);
  }
  struct dirent *e;
  while ((e = readdir(d)) && g_block_count < FZ_MAX_BLOCKS) {
    size_t n = strlen(e->d_name);
    if (n < 6 || n >= 200 || strcmp(e->d_name + n - 5, ".json") != 0)
      continue;
    fixture *f = &g_blocks[g_block_count++];
    snprintf(f->name, sizeof f->name, "blocks/%s", e->d_name);
    snprintf(path, sizeof path, "%s/blocks/%s", fz_specs_dir(), e->d_name);
    f->json = fz_read_file(path, &f->len);
  }
  closedir(d);
  qsort(g_blocks, g_block_count, sizeof *g_blocks, cmp_fixture);
  return 0;
}

/* The value of the first "id": "..." in the input when it is a valid
 * service id, else "fuzz". */
static void spec_name(const uint8_t *data, size_t size, char *out,
                      size_t cap) {
  snprintf(out, cap, "fuzz.json");
  for (size_t i = 0; i + 4 < size; i++) {
    if (memcmp(data + i, "\"id\"", 4) != 0)
      continue;
    size_t k = i + 4;
    while (k < size && (data[k] == ' ' || data[k] == '\n' || data[k] == ':'))
      k++;
    if (k >= size || data[k] != '"')
      return;
    size_t start = ++k;
    while (k < size && k - start <= 48 &&
           ((data[k] >= 'a' && data[k] <= 'z') ||
            (data[k] >= '0' && data[k] <= '9') || data[k] == '-'))
      k++;
    if (k < size && data[k] == '"' && k > start && k - start <= 48)
      snprintf(out, cap, "%.*s.json", (int)(k - start),
               (const char *)data + start);
    return;
  }
}

static void check_diag(const char *d, const char *spec) {
  FZ_CHECK(d != NULL, "diagnostic is NULL");
  FZ_CHECK(fz_utf8_valid(d, strlen(d)) || fz_known("diag-utf8"),
           "diagnostic is not valid UTF-8: %s", d);
  int known = 0;
  size_t n = strlen(spec);
  if (strncmp(d, spec, n) == 0 && d[n] == ':')
    known = 1;
  n = strlen(g_catalogue.name);
  if (strncmp(d, g_catalogue.name, n) == 0 && d[n] == ':')
    known = 1;
  for (size_t i = 0; i < g_block_count; i++) {
    n = strlen(g_blocks[i].name);
    if (strncmp(d, g_blocks[i].name, n) == 0 && d[n] == ':')
      known = 1;
  }
  FZ_CHECK(known, "diagnostic names no file added: %s", d);
  const char *path = strchr(d, ':') + 1;
  const char *err = strstr(path, ": error: ");
  FZ_CHECK(err, "diagnostic without \": error: \": %s", d);
  /* A JSON key is part of the path, so raw key text that holds a line
   * break or ": error: " makes the line ambiguous. */
  FZ_CHECK(err > path || fz_known("diag-key"), "diagnostic without a path: %s",
           d);
  FZ_CHECK(err[9] != '\0', "diagnostic without a message: %s", d);
  FZ_CHECK(strchr(d, '\n') == NULL || fz_known("diag-key"),
           "diagnostic with a line break: %s", d);
}

/* A short conversation on a catalogue made from a fuzzed spec. */
static void talk(const samvad_catalogue *cat) {
  static const char *const script[] = {
      "hi",          "1",       "1",     "Rahul Verma", "12/03/1995",
      "yes",         "110092",  "2",     "@confirm",    "back",
      "help",        "1",       "cancel", "no",         "9810000001",
      "@continue",   "status",  "हिंदी",  "3",           "@edit_name"};
  samvad_session *s = NULL;
  samvad_replies *r = NULL;
  FZ_CHECK(samvad_session_create(cat, NULL, &s) == SAMVAD_OK, "session");
  FZ_CHECK(samvad_replies_create(NULL, &r) == SAMVAD_OK, "replies");
  int64_t now = FZ_T0;
  for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
    samvad_message m;
    memset(&m, 0, sizeof m);
    if (script[i][0] == '@') {
      m.kind = SAMVAD_MSG_OPTION;
      m.option_id = script[i] + 1;
    } else {
      m.kind = SAMVAD_MSG_TEXT;
      m.text = script[i];
      m.text_len = strlen(script[i]);
    }
    int rc = samvad_step(cat, s, &m, now, r);
    FZ_CHECK(rc == SAMVAD_OK, "step \"%s\": %s", script[i],
             samvad_err_name(rc));
    fz_check_replies(r);
    size_t len = fz_save(s, g_buf);
    samvad_session_destroy(fz_roundtrip(cat, g_buf, len));
    now += i == 14 ? 86400 : 7;
  }
  samvad_replies_destroy(r);
  samvad_session_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!g_catalogue.json)
    LLVMFuzzerInitialize(NULL, NULL);
  char name[64];
  spec_name(data, size, name, sizeof name);

  samvad_loader *L = NULL;
  FZ_CHECK(samvad_loader_create(NULL, &L) == SAMVAD_OK, "loader_create");
  int rc = samvad_loader_add(L, g_catalogue.name, g_catalogue.json,
                             g_catalogue.len);
  FZ_CHECK(rc == SAMVAD_OK, "catalogue fixture: %s", samvad_err_name(rc));
  for (size_t i = 0; i < g_block_count; i++) {
    rc = samvad_loader_add(L, g_blocks[i].name, g_blocks[i].json,
                           g_blocks[i].len);
    FZ_CHECK(rc == SAMVAD_OK, "block fixture: %s", samvad_err_name(rc));
  }
  rc = samvad_loader_add(L, name, (const char *)data, size);
  FZ_CHECK(rc == SAMVAD_OK || rc == SAMVAD_ESPEC, "add: %s",
           samvad_err_name(rc));
  FZ_CHECK(rc == SAMVAD_OK || samvad_loader_diag_count(L) >= 1,
           "add refused the spec without a diagnostic");

  samvad_catalogue *cat = (samvad_catalogue *)1;
  rc = samvad_loader_finish(L, &cat);
  size_t nd = samvad_loader_diag_count(L);
  FZ_CHECK(samvad_loader_diag(L, nd) == NULL, "diagnostic past the end");
  for (size_t i = 0; i < nd; i++)
    check_diag(samvad_loader_diag(L, i), name);
  if (rc == SAMVAD_OK) {
    FZ_CHECK(cat != NULL, "finish gave no catalogue");
    FZ_CHECK(nd == 0, "a catalogue despite %zu errors: %s", nd,
             samvad_loader_diag(L, 0));
  } else {
    FZ_CHECK(rc == SAMVAD_ESPEC, "finish: %s", samvad_err_name(rc));
    FZ_CHECK(cat == NULL, "a failed finish left a catalogue");
    FZ_CHECK(nd >= 1, "a failed load without a diagnostic");
  }
  /* The catalogue must not depend on the loader or the input. */
  samvad_loader_destroy(L);
  if (cat) {
    size_t n = samvad_catalogue_service_count(cat);
    FZ_CHECK(n == 1, "%zu services", n);
    fz_check_str(samvad_catalogue_service_id(cat, 0), "service id");
    fz_check_str(samvad_catalogue_service_title(cat, 0, SAMVAD_LANG_HI),
                 "service title");
    fz_check_str(samvad_catalogue_service_title(cat, 0, SAMVAD_LANG_EN),
                 "service title");
    fz_check_str(samvad_catalogue_service_version(cat, 0), "version");
    FZ_CHECK(samvad_catalogue_service_id(cat, 1) == NULL, "id past the end");
    talk(cat);
    samvad_catalogue_destroy(cat);
  }
  return 0;
}
