/* test_loader.c - the spec loader: a good catalogue and what it compiles
 * to (blocks expanded, strings folded, defaults), every diagnostic with its
 * exact text, the all-or-nothing rule, limits, and an out-of-memory loop
 * that fails each allocation in turn. Bad cases are the good fixture in
 * tests/specs/good with one edit each, plus the files in tests/specs/bad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"
#include "test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPECS SAMVAD_TEST_DIR "/specs"

/* ---- Fixtures ---------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len) {
  char *buf = test_read_file(path, len);
  assert_non_null(buf);
  return buf;
}

enum { F_CAT = 0, F_SVC, F_BLOCK, F_COUNT };

typedef struct files {
  const char *name[F_COUNT + 2];
  char *text[F_COUNT + 2];
  size_t count;
} files;

static void good_files(files *fs) {
  static const char *const names[F_COUNT] = {
      "specs/catalogue.json", "specs/demo-permit.json",
      "specs/blocks/address.json"};
  static const char *const paths[F_COUNT] = {
      SPECS "/good/catalogue.json", SPECS "/good/demo-permit.json",
      SPECS "/good/blocks/address.json"};
  memset(fs, 0, sizeof *fs);
  for (int i = 0; i < F_COUNT; i++) {
    fs->name[i] = names[i];
    fs->text[i] = read_file(paths[i], NULL);
  }
  fs->count = F_COUNT;
}

static void free_files(files *fs) {
  for (size_t i = 0; i < fs->count; i++)
    free(fs->text[i]);
}

/* Replaces the one occurrence of find in *text (it must occur once, so a
 * fixture edit cannot silently stop matching). */
static void subst(char **text, const char *find, const char *repl) {
  char *at = strstr(*text, find);
  if (!at)
    fail_msg("fixture edit does not match: %s", find);
  assert_null(strstr(at + 1, find));
  size_t pre = (size_t)(at - *text), fl = strlen(find), rl = strlen(repl);
  size_t rest = strlen(at + fl);
  char *out = malloc(pre + rl + rest + 1);
  assert_non_null(out);
  memcpy(out, *text, pre);
  memcpy(out + pre, repl, rl);
  memcpy(out + pre + rl, at + fl, rest + 1);
  free(*text);
  *text = out;
}

static int load_files(const files *fs, const samvad_allocator *al,
                      samvad_loader **L, samvad_catalogue **c) {
  int rc = samvad_loader_create(al, L);
  if (rc)
    return rc;
  for (size_t i = 0; i < fs->count; i++) {
    if (!fs->text[i])
      continue;
    rc = samvad_loader_add(*L, fs->name[i], fs->text[i], strlen(fs->text[i]));
    if (rc == SAMVAD_ENOMEM)
      return rc;
  }
  return samvad_loader_finish(*L, c);
}

static bool has_diag(const samvad_loader *L, const char *want) {
  for (size_t i = 0; i < samvad_loader_diag_count(L); i++)
    if (strcmp(samvad_loader_diag(L, i), want) == 0)
      return true;
  return false;
}

static void print_diags(const samvad_loader *L) {
  for (size_t i = 0; i < samvad_loader_diag_count(L); i++)
    print_message("  got: %s\n", samvad_loader_diag(L, i));
}

/* Loads and expects refusal with the given diagnostic among those given. */
static void expect_refused(const files *fs, const char *want) {
  samvad_loader *L = NULL;
  samvad_catalogue *c = (samvad_catalogue *)&c; /* must be reset to NULL */
  int rc = load_files(fs, NULL, &L, &c);
  if (rc != SAMVAD_ESPEC || !has_diag(L, want)) {
    print_message("want: %s\n", want);
    print_diags(L);
    fail_msg("rc %d", rc);
  }
  assert_null(c); /* never a half-loaded catalogue */
  if (getenv("SAMVAD_TEST_SHOW")) { /* to review all the diagnostics */
    print_message("case: %s\n", want);
    print_diags(L);
  }
  samvad_loader_destroy(L);
}

/* ---- The good catalogue --------------------------------------------------------- */

static const sv_service *service(const samvad_catalogue *c, const char *id) {
  int i = sv_find_service(c, id, strlen(id));
  assert_true(i >= 0);
  return &c->services[i];
}

static const sv_state *state(const sv_service *s, const char *name) {
  int i = sv_find_state(s, name, strlen(name));
  if (i < 0)
    fail_msg("no state %s", name);
  return &s->states[i];
}

static void test_good_load(void **unused) {
  (void)unused;
  files fs;
  good_files(&fs);
  samvad_loader *L = NULL;
  samvad_catalogue *c = NULL;
  int rc = load_files(&fs, NULL, &L, &c);
  if (rc)
    print_diags(L);
  assert_int_equal(rc, 0);
  assert_int_equal(samvad_loader_diag_count(L), 0);
  samvad_loader_destroy(L); /* the catalogue does not depend on it */
  free_files(&fs);

  assert_int_equal(samvad_catalogue_service_count(c), 1);
  assert_string_equal(samvad_catalogue_service_id(c, 0), "demo-permit");
  assert_string_equal(samvad_catalogue_service_title(c, 0, SAMVAD_LANG_EN),
                      "Demo permit");
  assert_string_equal(samvad_catalogue_service_title(c, 0, SAMVAD_LANG_HI),
                      "डेमो परमिट");
  assert_string_equal(samvad_catalogue_service_version(c, 0), "1.2.0");
  assert_null(samvad_catalogue_service_id(c, 1));
  assert_null(samvad_catalogue_service_title(c, 1, SAMVAD_LANG_EN));

  /* Catalogue policy. */
  assert_string_equal(c->name, "Test e-Services");
  assert_int_equal(c->default_idle_seconds, 20 * 60);
  assert_int_equal(c->default_expire_seconds, 48 * 3600);
  assert_int_equal(c->retention_seconds, 10 * 86400);
  assert_int_equal(c->max_retries, 2);
  assert_int_equal(c->utc_offset_seconds, 19800);
  assert_int_equal(c->command_word_count[SV_CMD_MENU], 3);
  assert_string_equal(c->command_words[SV_CMD_MENU][1], "menu"); /* folded */
  /* "अंग्रेज़ी" and "अंग्रेजी" fold alike: kept once. */
  assert_int_equal(c->command_word_count[SV_CMD_LANG_EN], 2);
  assert_int_equal(c->hindi_word_count, 2);
  assert_string_equal(c->hindi_words[1], "mujhe");
  assert_string_equal(c->messages[SV_MSG_WELCOME].s[SAMVAD_LANG_EN],
                      "msg welcome");
  assert_string_equal(c->messages[SV_MSG_NO].s[SAMVAD_LANG_HI], "संदेश no");
  assert_string_equal(c->rejects[SV_REJ_DATE_FORMAT].s[SAMVAD_LANG_EN],
                      "err date_format {min}");

  /* Service fields. */
  const sv_service *s = service(c, "demo-permit");
  assert_int_equal(s->idle_seconds, 15 * 60);          /* the spec's */
  assert_int_equal(s->expire_seconds, 48 * 3600);      /* the default */
  assert_int_equal(s->fee_amount, -1);
  assert_int_equal(s->time_limit_days, 7);
  assert_string_equal(s->ref_prefix, "DP");
  assert_string_equal(s->file, "specs/demo-permit.json");
  assert_int_equal(s->document_count, 1);
  assert_int_equal(s->keyword_count, 3);
  assert_string_equal(s->keywords[0], "permit");
  assert_string_equal(s->keywords[2], "demo permit");
  assert_true(s->hash != 0);
  assert_string_equal(s->states[s->start].name, "kind");

  /* States, with the block expanded in place of "home". */
  assert_int_equal(s->state_count, 10);
  assert_int_equal(sv_find_state(s, "home", 4), -1);
  const sv_state *house = state(s, "home/house");
  const sv_state *pin = state(s, "home/pin");
  assert_int_equal(house->kind, SV_ST_ASK);
  assert_string_equal(house->label.s[SAMVAD_LANG_EN], "Home address: house");
  assert_string_equal(house->label.s[SAMVAD_LANG_HI], "घर का पता: मकान");
  assert_string_equal(house->prompt.s[SAMVAD_LANG_EN],
                      "Home address: house number and street?");
  assert_string_equal(pin->prompt.s[SAMVAD_LANG_EN],
                      "PIN code for {home_house}?");
  assert_string_equal(pin->prompt.s[SAMVAD_LANG_HI],
                      "{home_house} का पिन कोड?");
  assert_int_equal(pin->input.type, SV_IN_PIN);
  assert_true(pin->input.flags & SV_PIN_DELHI);
  /* "$next" is the using state's next; going to "home" enters the block. */
  assert_int_equal(pin->next_count, 1);
  const sv_transition *t = &c->transitions[pin->next];
  assert_int_equal(t->cond, -1);
  assert_string_equal(s->states[t->target].name, "check");
  t = &c->transitions[state(s, "dob")->next];
  assert_string_equal(s->states[t->target].name, "home/house");

  /* Variables. */
  assert_int_equal(s->var_count, 6);
  int v = sv_find_var(s, "home_pin", 8);
  assert_true(v >= 0);
  assert_int_equal(s->vars[v].type, SV_IN_PIN);
  assert_string_equal(s->states[s->vars[v].state].name, "home/pin");
  assert_int_equal(pin->var, v);
  int vn = sv_find_var(s, "name", 4);
  assert_true(s->vars[vn].masked);
  assert_false(s->vars[sv_find_var(s, "old_number", 10)].masked);
  assert_int_equal(s->vars[sv_find_var(s, "kind", 4)].type, SV_IN_CHOICE);
  assert_int_equal(sv_find_var(s, "house", 5), -1);

  /* Choice and input details. */
  const sv_state *kind = state(s, "kind");
  assert_int_equal(kind->kind, SV_ST_CHOICE);
  assert_int_equal(kind->option_count, 2);
  assert_string_equal(kind->options[1].id, "renew");
  assert_string_equal(kind->options[1].title.s[SAMVAD_LANG_EN], "Renewal");
  assert_string_equal(kind->options[1].folded[SAMVAD_LANG_EN], "renewal");
  assert_string_equal(kind->help.s[SAMVAD_LANG_EN], "Pick one.");
  const sv_state *dob = state(s, "dob");
  assert_int_equal(dob->input.type, SV_IN_DATE);
  assert_int_equal(dob->input.date_min.kind, SV_BOUND_ABS);
  assert_int_equal(dob->input.date_min.days, sv_days_from_civil(1900, 1, 1));
  assert_int_equal(dob->input.date_max.kind, SV_BOUND_TODAY);
  assert_int_equal(dob->input.date_max.days, 0);
  assert_int_equal(dob->input.min_age, 18);
  assert_int_equal(dob->input.max_age, -1);
  assert_int_equal(dob->input.age_on_var, -1);
  const sv_state *name = state(s, "name");
  assert_int_equal(name->input.min, 2); /* the name type's defaults */
  assert_int_equal(name->input.max, 100);
  assert_int_equal(name->help.len[SAMVAD_LANG_EN], 0);
  assert_string_equal(name->help.s[SAMVAD_LANG_EN], "");
  const sv_state *check = state(s, "check");
  assert_int_equal(check->kind, SV_ST_BRANCH);
  assert_int_equal(check->next_count, 2);
  assert_true(c->transitions[check->next].cond >= 0);
  assert_int_equal(c->transitions[check->next + 1].cond, -1);
  assert_int_equal(state(s, "done")->next_count, 0);
  assert_string_equal(state(s, "submit")->prompt.s[SAMVAD_LANG_EN],
                      "Submitted: {reference}");

  /* Interned: equal strings share storage. */
  assert_ptr_equal(s->vars[vn].name, name->name);
  samvad_catalogue_destroy(c);
  samvad_catalogue_destroy(NULL);
}

static void test_load_dir(void **unused) {
  (void)unused;
  samvad_catalogue *c = NULL;
  char err[512];
  int rc = samvad_catalogue_load_dir(SPECS "/good", NULL, &c, err, sizeof err);
  if (rc)
    print_message("%s\n", err);
  assert_int_equal(rc, 0);
  assert_string_equal(err, "");
  const sv_service *s = service(c, "demo-permit");
  assert_string_equal(s->file, SPECS "/good/demo-permit.json");
  uint32_t hash = s->hash;
  samvad_catalogue_destroy(c);

  /* The hash is of the bytes: the same files give the same hash. */
  files fs;
  good_files(&fs);
  samvad_loader *L = NULL;
  assert_int_equal(load_files(&fs, NULL, &L, &c), 0);
  assert_int_equal(service(c, "demo-permit")->hash, hash);
  samvad_catalogue_destroy(c);
  samvad_loader_destroy(L);
  /* A changed block changes the hash of the services that use it. */
  subst(&fs.text[F_BLOCK], "house number and street?\"",
        "house number and street, please?\"");
  assert_int_equal(load_files(&fs, NULL, &L, &c), 0);
  assert_true(service(c, "demo-permit")->hash != hash);
  samvad_catalogue_destroy(c);
  samvad_loader_destroy(L);
  free_files(&fs);

  /* Unreadable folder. */
  rc = samvad_catalogue_load_dir(SPECS "/no-such-dir", NULL, &c, err,
                                 sizeof err);
  assert_int_equal(rc, SAMVAD_EIO);
  assert_null(c);
  assert_string_equal(err, SPECS "/no-such-dir:$: error: cannot read "
                           "directory: No such file or directory");
  /* A short errbuf is cut, still terminated. */
  rc = samvad_catalogue_load_dir(SPECS "/no-such-dir", NULL, &c, err, 8);
  assert_int_equal(rc, SAMVAD_EIO);
  assert_int_equal(strlen(err), 7);
  assert_int_equal(samvad_catalogue_load_dir(NULL, NULL, &c, NULL, 0),
                   SAMVAD_EINVAL);
  assert_int_equal(samvad_catalogue_load_dir(SPECS, NULL, NULL, NULL, 0),
                   SAMVAD_EINVAL);
}

static void test_api_misuse(void **unused) {
  (void)unused;
  samvad_loader *L = NULL;
  samvad_catalogue *c = NULL;
  assert_int_equal(samvad_loader_create(NULL, NULL), SAMVAD_EINVAL);
  assert_int_equal(samvad_loader_create(NULL, &L), 0);
  assert_int_equal(samvad_loader_add(L, NULL, "{}", 2), SAMVAD_EINVAL);
  assert_int_equal(samvad_loader_add_dir(L, NULL), SAMVAD_EINVAL);
  assert_int_equal(samvad_loader_finish(L, NULL), SAMVAD_EINVAL);
  assert_null(samvad_loader_diag(L, 0));
  /* Nothing added: no catalogue file. */
  assert_int_equal(samvad_loader_finish(L, &c), SAMVAD_ESPEC);
  assert_null(c);
  assert_string_equal(samvad_loader_diag(L, 0),
                      "catalogue.json:$: error: no catalogue file was loaded "
                      "(the file with the key \"catalogue\")");
  assert_int_equal(samvad_loader_finish(L, &c), SAMVAD_EMISUSE);
  assert_int_equal(samvad_loader_add(L, "x.json", "{}", 2), SAMVAD_EMISUSE);
  samvad_loader_destroy(L);
  samvad_loader_destroy(NULL);
  assert_int_equal(samvad_loader_diag_count(NULL), 0);
  assert_int_equal(samvad_catalogue_service_count(NULL), 0);
  assert_string_equal(samvad_strerror(SAMVAD_ESPEC), "invalid service spec");
  assert_string_equal(samvad_strerror(0), "success");
  assert_string_equal(samvad_strerror(-99), "unknown error");
  assert_string_equal(samvad_err_name(SAMVAD_ENOTFOUND), "SAMVAD_ENOTFOUND");
  assert_string_equal(samvad_err_name(12), "SAMVAD_UNKNOWN");
  assert_string_equal(samvad_version(), SAMVAD_VERSION_STRING);
  assert_string_equal(samvad_lang_code(SAMVAD_LANG_HI), "hi");
  assert_string_equal(samvad_lang_code(SAMVAD_LANG_EN), "en");
}

/* A block used twice in one service, and by two services. */
static void test_block_reuse(void **unused) {
  (void)unused;
  files fs;
  good_files(&fs);
  subst(&fs.text[F_SVC], "\"home\": {\"type\": \"use\", \"block\": \"address\", "
                         "\"as\": \"home\", \"label\": {\"en\": \"Home address\", "
                         "\"hi\": \"घर का पता\"}, \"next\": \"check\"}",
        "\"home\": {\"type\": \"use\", \"block\": \"address\", \"as\": \"home\", "
        "\"label\": {\"en\": \"Home address\", \"hi\": \"घर का पता\"}, "
        "\"next\": \"office\"},\n  \"office\": {\"type\": \"use\", \"block\": "
        "\"address\", \"as\": \"work\", \"label\": {\"en\": \"Office\", \"hi\": "
        "\"दफ़्तर\"}, \"next\": \"check\"}");
  /* A second service using the same block. */
  char *two = strdup(fs.text[F_SVC]);
  subst(&two, "\"id\": \"demo-permit\"", "\"id\": \"demo-two\"");
  subst(&two, "\"DP\"", "\"DT\"");
  fs.name[3] = "specs/demo-two.json";
  fs.text[3] = two;
  fs.count = 4;
  samvad_loader *L = NULL;
  samvad_catalogue *c = NULL;
  int rc = load_files(&fs, NULL, &L, &c);
  if (rc)
    print_diags(L);
  assert_int_equal(rc, 0);
  /* Menu order first, then the rest by id. */
  assert_int_equal(c->service_count, 2);
  assert_string_equal(c->services[0].id, "demo-permit");
  assert_string_equal(c->services[1].id, "demo-two");
  for (int k = 0; k < 2; k++) {
    const sv_service *s = &c->services[k];
    assert_int_equal(s->state_count, 12);
    const sv_state *h = state(s, "office/house");
    assert_string_equal(h->label.s[SAMVAD_LANG_HI], "दफ़्तर: मकान");
    assert_string_equal(state(s, "office/pin")->prompt.s[SAMVAD_LANG_EN],
                        "PIN code for {work_house}?");
    assert_string_equal(state(s, "home/pin")->prompt.s[SAMVAD_LANG_EN],
                        "PIN code for {home_house}?");
    assert_true(sv_find_var(s, "work_pin", 8) >= 0);
    assert_true(sv_find_var(s, "home_pin", 8) >= 0);
    const sv_transition *t = &c->transitions[state(s, "home/pin")->next];
    assert_string_equal(s->states[t->target].name, "office/house");
    t = &c->transitions[state(s, "office/pin")->next];
    assert_string_equal(s->states[t->target].name, "check");
  }
  assert_true(c->services[0].hash != c->services[1].hash);
  samvad_catalogue_destroy(c);
  samvad_loader_destroy(L);
  free_files(&fs);
}

/* ---- Diagnostics, one edit of the good fixture each ------------------------------ */

typedef struct edit_case {
  int file;                /* F_CAT, F_SVC, F_BLOCK */
  const char *find, *repl; /* one edit */
  const char *find2, *repl2; /* optional second edit (same file) */
  const char *want;        /* one of the diagnostics, exactly */
} edit_case;

#define S "specs/demo-permit.json:"
#define C "specs/catalogue.json:"
#define B "specs/blocks/address.json:"

static const edit_case edit_cases[] = {
    /* References to states. */
    {F_SVC, "\"next\": \"dob\"", "\"next\": \"dobb\"", 0, 0,
     S "states.name.next: error: unknown state \"dobb\""},
    {F_SVC, "{\"goto\": \"summary\"}", "{\"goto\": \"sumary\"}", 0, 0,
     S "states.check.next[1].goto: error: unknown state \"sumary\""},
    {F_SVC, "\"start\": \"kind\"", "\"start\": \"kinds\"", 0, 0,
     S "start: error: unknown state \"kinds\""},
    {F_SVC, "\"next\": \"dob\"", "\"next\": \"$next\"", 0, 0,
     S "states.name.next: error: \"$next\" can only be used inside a block"},
    {F_SVC, "\"next\": \"dob\"", "\"next\": \"home/house\"", 0, 0,
     S "states.name.next: error: unknown state \"home/house\""},
    {F_SVC, "\"block\": \"address\"", "\"block\": \"adress\"", 0, 0,
     S "states.home.block: error: unknown block \"adress\""},
    /* Keys and types. */
    {F_SVC, "\"save\": \"name\",", "\"save\": \"name\", \"promt\": 1,", 0, 0,
     S "states.name.promt: error: unknown key \"promt\" (did you mean "
       "\"prompt\"?)"},
    /* A key that could break the line format is quoted in the path. */
    {F_SVC, "\"save\": \"name\",", "\"save\": \"name\", \"x: error\\nz\": 1,", 0, 0,
     S "states.name.\"x: error\\nz\": error: unknown key \"x: error\\nz\""},
    {F_SVC, "\"next\": \"dob\"", "\"nxt\": \"dob\"", 0, 0,
     S "states.name: error: missing key \"next\""},
    {F_SVC, "\"time_limit_days\": 7", "\"time_limit_days\": \"7\"", 0, 0,
     S "time_limit_days: error: expected a whole number from 0 to 365"},
    {F_SVC, "\"amount\": null", "\"amount\": 1.5", 0, 0,
     S "fee.amount: error: expected a whole number from 0 to 10000000"},
    {F_SVC, "\"version\": \"1.2.0\"", "\"version\": 12", 0, 0,
     S "version: error: expected a version string (1 to 32 characters)"},
    {F_SVC, "\"Permit\",", "7,", 0, 0,
     S "keywords[0]: error: expected a string, found integer"},
    {F_SVC, "\"Permit\",", "\"!!\",", 0, 0,
     S "keywords[0]: error: nothing left after removing spaces and "
       "punctuation"},
    {F_SVC, "\"DP\"", "\"dp\"", 0, 0,
     S "reference_prefix: error: expected 2 to 4 capital letters A-Z"},
    {F_SVC, "\"idle_minutes\": 15", "\"idle_minutes\": 4000", 0, 0,
     S "idle_minutes: error: the expiry time must be longer than the idle "
       "time"},
    {F_SVC, "\"type\": \"summary\"", "\"type\": \"sumary\"", 0, 0,
     S "states.summary.type: error: unknown state type \"sumary\" (expected "
       "ask, choice, summary, branch, inform, submit, end or use)"},
    {F_SVC, "\"title\": {\"en\": \"Demo permit\", \"hi\": \"डेमो परमिट\"}",
     "\"title\": \"Demo permit\"", 0, 0,
     S "title: error: expected a text {\"en\": ..., \"hi\": ...}, found "
       "string"},
    /* Names. */
    {F_SVC, "\"id\": \"demo-permit\"", "\"id\": \"Demo-permit\"", 0, 0,
     S "id: error: a service id is 1 to 48 characters a-z, 0-9 and -"},
    {F_SVC, "\"id\": \"demo-permit\"", "\"id\": \"demo-permits\"", 0, 0,
     S "id: error: service \"demo-permits\" must be in a file named "
       "\"demo-permits.json\""},
    {F_SVC, "\"done\": {", "\"Done\": {", "\"next\": \"done\"",
     "\"next\": \"Done\"",
     S "states.Done: error: a state name is 1 to 48 characters a-z, 0-9 and "
       "_"},
    {F_SVC, "\"save\": \"name\"", "\"save\": \"full name\"", 0, 0,
     S "states.name.save: error: a variable name is 1 to 48 characters a-z, "
       "0-9 and _"},
    {F_SVC, "{\"id\": \"new\"", "{\"id\": \"New\"", 0, 0,
     S "states.kind.options[0].id: error: an option id is 1 to 32 "
       "characters a-z, 0-9 and _"},
    {F_SVC, "{\"id\": \"renew\"", "{\"id\": \"new\"", 0, 0,
     S "states.kind.options[1].id: error: duplicate option id \"new\""},
    {F_SVC, "\"en\": \"Renewal\", \"hi\": \"नवीनीकरण\"",
     "\"en\": \"new!\", \"hi\": \"नवीनीकरण\"", 0, 0,
     S "states.kind.options[1].title.en: error: the same title as option "
       "\"new\""},
    /* Reachability and flow. */
    {F_SVC, "\"states\": {",
     "\"states\": {\n  \"orphan\": {\"type\": \"end\", \"prompt\": {\"en\": "
     "\"x\", \"hi\": \"x\"}},",
     0, 0, S "states.orphan: error: state \"orphan\" cannot be reached from "
             "the start"},
    {F_SVC, "\"start\": \"kind\"", "\"start\": \"old_number\"", 0, 0,
     S "states.home: error: state \"home\" cannot be reached from the "
       "start"},
    {F_SVC, "\"goto\": \"old_number\"", "\"goto\": \"check\"", 0, 0,
     S "states.check.next: error: these states pass on without waiting for "
       "an answer and form a loop: \"check\" -> \"check\""},
    {F_SVC, "\"next\": \"done\"", "\"next\": \"check\"",
     "{\"goto\": \"summary\"}", "{\"goto\": \"submit\"}",
     S "states.check.next: error: these states pass on without waiting for "
       "an answer and form a loop: \"check\" -> \"submit\" -> \"check\""},
    {F_SVC, "{\"goto\": \"summary\"}]",
     "{\"when\": {\"set\": \"name\"}, \"goto\": \"summary\"}]", 0, 0,
     S "states.check.next[1].when: error: the last transition must not have "
       "\"when\": it is taken when no other is"},
    {F_SVC, "{\"goto\": \"summary\"}]",
     "{\"goto\": \"summary\"}, {\"goto\": \"done\"}]", 0, 0,
     S "states.check.next[1]: error: only the last transition may be "
       "without \"when\" (the ones after it are never taken)"},
    {F_SVC, "\"done\": {", "\"done\": {\"next\": \"kind\", ", 0, 0,
     S "states.done.next: error: an end state has no next"},
    {F_SVC, "\"type\": \"branch\", \"next\": [", "\"type\": \"branch\", "
     "\"nxt\": [", 0, 0, S "states.check: error: missing key \"next\""},
    {F_SVC, "\"next\": \"summary\"}", "\"next\": []}", 0, 0,
     S "states.old_number.next: error: expected a state name or an array of "
       "1 to 64 transitions"},
    {F_SVC, "\"type\": \"branch\", \"next\": [{\"when\": {\"and\": [{\"==\": "
            "[{\"var\": \"kind\"}, \"renew\"]}, {\">=\": [{\"age\": [{\"var\": "
            "\"dob\"}, {\"today\": []}]}, 18]}]}, \"goto\": \"old_number\"}, "
            "{\"goto\": \"summary\"}]",
     "\"type\": \"branch\", \"next\": \"summary\"", 0, 0,
     S "states.check.next: error: a branch's next must be an array of "
       "transitions"},
    /* Texts and placeholders. */
    {F_SVC, "\"hi\": \"आपका नाम?\"", "\"hx\": \"आपका नाम?\"", 0, 0,
     S "states.name.prompt: error: missing translation \"hi\""},
    {F_SVC, "\"hi\": \"आपका नाम?\"", "\"hx\": \"आपका नाम?\"", 0, 0,
     S "states.name.prompt.hx: error: unknown key \"hx\" (a text has \"en\" "
       "and \"hi\")"},
    {F_SVC, "\"en\": \"Your name?\"", "\"en\": \" \\n \"", 0, 0,
     S "states.name.prompt.en: error: empty translation"},
    {F_SVC, "\"en\": \"Proof of address\", ", "", 0, 0,
     S "documents[0]: error: missing translation \"en\""},
    {F_SVC, "\"{name}, your date", "\"{nam}, your date", 0, 0,
     S "states.dob.prompt.en: error: unknown variable \"nam\" in {nam}"},
    {F_SVC, "\"en\": \"Your name?\"", "\"en\": \"Your name? {dob}\"", 0, 0,
     S "states.name.prompt.en: error: variable \"dob\" in {dob} is not set "
       "by any earlier state"},
    {F_SVC, "\"en\": \"Old permit number?\"",
     "\"en\": \"Old number for {home_pin}, {old_number}?\"", 0, 0,
     S "states.old_number.prompt.en: error: variable \"old_number\" in "
       "{old_number} is not set by any earlier state"},
    {F_SVC, "Old permit number?\"", "Old permit {label}?\"", 0, 0,
     S "states.old_number.prompt.en: error: {label} can only be used inside "
       "a block"},
    {F_SVC, "Please check, {name}.", "Please check, {reference}.", 0, 0,
     S "states.summary.prompt.en: error: {reference} can only be used in a "
       "submit state or after one"},
    {F_SVC, "\"Home address\"", "\"Home {x}\"", 0, 0,
     S "states.home.label.en: error: a use state's label cannot contain "
       "placeholders"},
    /* Conditions. */
    {F_SVC, "{\"var\": \"kind\"}", "{\"var\": \"kinds\"}", 0, 0,
     S "states.check.next[0].when.and[0].==[0].var: error: unknown variable "
       "\"kinds\""},
    {F_SVC, "\"next\": \"name\"",
     "\"next\": [{\"when\": {\"set\": \"dob\"}, \"goto\": \"name\"}, "
     "{\"goto\": \"name\"}]",
     0, 0, S "states.kind.next[0].when.set: error: variable \"dob\" is not set "
             "by any earlier state"},
    {F_SVC, "\"renew\"]}", "\"renw\"]}", 0, 0,
     S "states.check.next[0].when.and[0].==: error: \"renw\" is not an option "
       "of variable \"kind\""},
    {F_SVC, "{\"==\": [{\"var\"", "{\"===\": [{\"var\"", 0, 0,
     S "states.check.next[0].when.and[0]: error: unknown operator \"===\""},
    {F_SVC, "{\"today\": []}]}, 18]", "{\"today\": []}]}, \"18\"]", 0, 0,
     S "states.check.next[0].when.and[1].>=: error: cannot order a number "
       "and a string (numbers and dates only)"},
    {F_SVC, "{\"today\": []}]}, 18]", "{\"today\": []}]}, 18.5]", 0, 0,
     S "states.check.next[0].when.and[1].>=[1]: error: only whole numbers "
       "are allowed in conditions"},
    {F_SVC, "{\"today\": []}]}, 18]", "{\"today\": []}]}, null]", 0, 0,
     S "states.check.next[0].when.and[1].>=[1]: error: expected a condition "
       "or a value, found null"},
    {F_SVC, "[{\"var\": \"kind\"}, \"renew\"]", "[{\"var\": \"dob\"}, "
     "\"2020-02-30\"]", 0, 0,
     S "states.check.next[0].when.and[0].==: error: \"2020-02-30\" is not a "
       "date (YYYY-MM-DD)"},
    {F_SVC, "[{\"var\": \"kind\"}, \"renew\"]", "[{\"var\": \"kind\"}, true]",
     0, 0, S "states.check.next[0].when.and[0].==: error: variable \"kind\" "
             "holds an option id: compare it with a string"},
    {F_SVC, "[{\"var\": \"kind\"}, \"renew\"]", "[{\"var\": \"kind\"}]", 0, 0,
     S "states.check.next[0].when.and[0].==: error: expected an array of two "
       "operands"},
    {F_SVC, "{\"age\": [{\"var\": \"dob\"}, {\"today\": []}]}",
     "{\"age\": [{\"var\": \"name\"}, {\"today\": []}]}", 0, 0,
     S "states.check.next[0].when.and[1].>=[0].age: error: \"age\" takes two "
       "dates"},
    {F_SVC, "{\"today\": []}]}", "{\"today\": [1]}]}", 0, 0,
     S "states.check.next[0].when.and[1].>=[0].age[1].today: error: \"today\" "
       "takes no arguments: {\"today\": []}"},
    {F_SVC, "{\"when\": {\"and\"", "{\"when\": [1], \"x\": {\"and\"", 0, 0,
     S "states.check.next[0].when: error: expected a condition (an object "
       "such as {\"==\": [...]}), found array"},
    {F_SVC, "{\"==\": [{\"var\": \"kind\"}, \"renew\"]}",
     "{\"in\": [{\"var\": \"kind\"}, [\"new\", \"old\"]]}", 0, 0,
     S "states.check.next[0].when.and[0].in[1][1]: error: \"old\" is not an "
       "option of variable \"kind\""},
    {F_SVC, "{\"==\": [{\"var\": \"kind\"}, \"renew\"]}",
     "{\"and\": [], \"or\": []}", 0, 0,
     S "states.check.next[0].when.and[0]: error: a condition is an object "
       "with exactly one operator"},
    /* Inputs. */
    {F_SVC, "\"type\": \"date\"", "\"type\": \"dat\"", 0, 0,
     S "states.dob.input.type: error: unknown input type \"dat\""},
    {F_SVC, "{\"type\": \"name\"}", "{\"type\": \"choice\"}", 0, 0,
     S "states.name.input.type: error: unknown input type \"choice\" "
       "(options are asked with a choice state)"},
    {F_SVC, "\"type\": \"date\",", "\"type\": \"date\", \"delhi\": true,", 0,
     0, S "states.dob.input.delhi: error: \"delhi\" is not an option of a "
          "\"date\" input"},
    {F_SVC, "{\"type\": \"name\"}", "{\"type\": \"name\", \"maxx\": 3}", 0, 0,
     S "states.name.input.maxx: error: unknown key \"maxx\""},
    {F_SVC, "\"max\": \"today\"", "\"max\": \"tomorrow\"", 0, 0,
     S "states.dob.input.max: error: invalid date bound \"tomorrow\" "
       "(expected \"YYYY-MM-DD\", \"today\", \"today-30d\" or \"today+1y\")"},
    {F_SVC, "\"min\": \"1900-01-01\"", "\"min\": \"1900-02-30\"", 0, 0,
     S "states.dob.input.min: error: invalid date bound \"1900-02-30\" "
       "(expected \"YYYY-MM-DD\", \"today\", \"today-30d\" or \"today+1y\")"},
    {F_SVC, "\"max\": \"today\"", "\"max\": \"today-5w\"", 0, 0,
     S "states.dob.input.max: error: invalid date bound \"today-5w\" "
       "(expected \"YYYY-MM-DD\", \"today\", \"today-30d\" or \"today+1y\")"},
    {F_SVC, "\"max\": \"today\"", "\"max\": \"1899-12-31\"", 0, 0,
     S "states.dob.input.max: error: max is before min"},
    {F_SVC, "\"age_on\": \"today\"", "\"age_on\": \"wedding\"", 0, 0,
     S "states.dob.input.age_on: error: unknown variable \"wedding\""},
    {F_SVC, "\"age_on\": \"today\"", "\"age_on\": \"name\"", 0, 0,
     S "states.dob.input.age_on: error: variable \"name\" is not a date (it "
       "is saved as name)"},
    {F_SVC, "\"age_on\": \"today\"", "\"age_on\": \"dob\"", 0, 0,
     S "states.dob.input.age_on: error: variable \"dob\" is not set by any "
       "earlier state"},
    {F_SVC, "\"min_age\": 18, ", "", 0, 0,
     S "states.dob.input.age_on: error: age_on without min_age or max_age"},
    {F_SVC, "\"min_age\": 18", "\"min_age\": 18, \"max_age\": 17", 0, 0,
     S "states.dob.input.max_age: error: max_age is below min_age"},
    {F_SVC, "\"type\": \"text\", \"min\": 4, \"max\": 20",
     "\"type\": \"integer\"", 0, 0,
     S "states.old_number.input: error: an integer input needs \"min\" and "
       "\"max\""},
    {F_SVC, "\"type\": \"text\", \"min\": 4, \"max\": 20",
     "\"type\": \"text\", \"min\": 40, \"max\": 20", 0, 0,
     S "states.old_number.input.max: error: max (20) is below min (40)"},
    /* Variables. */
    {F_SVC, "\"save\": \"old_number\"", "\"save\": \"name\"", 0, 0,
     S "states.old_number.save: error: variable \"name\" is already saved "
       "by state \"name\""},
    /* The same variable saved twice, even with the same input: back and a
     * correction at the summary would not know which state to go to. */
    {F_SVC,
     "\"type\": \"text\", \"min\": 4, \"max\": 20}, \"save\": \"old_number\"",
     "\"type\": \"name\"}, \"save\": \"name\"", 0, 0,
     S "states.old_number.save: error: variable \"name\" is already saved "
       "by state \"name\""},
    {F_SVC, "\"next\": \"summary\"}", "\"next\": \"again\"},\n  \"again\": "
     "{\"type\": \"choice\", \"prompt\": {\"en\": \"a\", \"hi\": \"a\"}, "
     "\"save\": \"kind\", \"label\": {\"en\": \"a\", \"hi\": \"a\"}, "
     "\"options\": [{\"id\": \"renew\", \"title\": {\"en\": \"a\", \"hi\": "
     "\"a\"}}], \"next\": \"summary\"}", 0, 0,
     S "states.again.save: error: variable \"kind\" is already saved by state "
       "\"kind\""},
    /* Blocks. */
    {F_BLOCK, "\"next\": \"$next\"", "\"next\": \"$nxt\"", 0, 0,
     B "states.pin.next: error: unknown state \"$nxt\""},
    {F_BLOCK, "PIN code for {house}?", "PIN code for {name}?", 0, 0,
     B "states.pin.prompt.en: error: unknown variable \"name\" in {name} (a "
       "block can only use the variables it saves)"},
    {F_BLOCK, "\"en\": \"{label}: house number and street?\"",
     "\"en\": \"{label}: house number and street near {pin}?\"", 0, 0,
     B "states.house.prompt.en: error: variable \"home_pin\" in {pin} is not "
       "set by any earlier state"},
    {F_BLOCK, "\"next\": \"pin\"", "\"next\": \"$next\"", 0, 0,
     B "states.pin: error: state \"pin\" cannot be reached from the block's "
       "start"},
    {F_BLOCK, "\"type\": \"ask\", \"input\": {\"type\": \"pin\"",
     "\"type\": \"use\", \"input\": {\"type\": \"pin\"", 0, 0,
     B "states.pin.type: error: a block cannot use another block"},
    {F_BLOCK, "\"block\": \"address\"", "\"block\": \"addr\"", 0, 0,
     B "block: error: block \"addr\" must be in a file named \"addr.json\""},
    {F_BLOCK, "\"start\": \"house\"", "\"start\": \"houses\"", 0, 0,
     B "start: error: unknown state \"houses\""},
    /* The catalogue file. */
    {F_CAT, "\"help\": [\"help\"", "\"help\": [\"Back!\"", 0, 0,
     C "commands.help[0]: error: word \"Back!\" is already a word of the "
       "command \"back\""},
    {F_CAT, "\"welcome\": {", "\"welcom\": {", 0, 0,
     C "messages: error: missing key \"welcome\""},
    {F_CAT, "\"welcome\": {", "\"welcom\": {", 0, 0,
     C "messages.welcom: error: unknown key \"welcom\" (did you mean "
       "\"welcome\"?)"},
    {F_CAT, "\"date_format\": {\"en\": \"err date_format {min}\", ",
     "\"date_format\": {", 0, 0,
     C "errors.date_format: error: missing translation \"en\""},
    {F_CAT, "\"status\": [\"status\", \"स्थिति\"],", "", 0, 0,
     C "commands: error: missing key \"status\""},
    {F_CAT, "\"menu\": [\"demo-permit\"]", "\"menu\": [\"demo-permit\", "
     "\"demo-permitt\"]", 0, 0,
     C "menu[1]: error: unknown service \"demo-permitt\""},
    {F_CAT, "\"menu\": [\"demo-permit\"]", "\"menu\": [\"demo-permit\", "
     "\"demo-permit\"]", 0, 0,
     C "menu[1]: error: service \"demo-permit\" is listed twice"},
    {F_CAT, "\"expire_hours\": 48", "\"expire_hours\": 0", 0, 0,
     C "defaults.expire_hours: error: expected a whole number from 1 to 8760"},
    {F_CAT, "\"max_retries\": 2", "\"max_retrie\": 2", 0, 0,
     C "defaults.max_retrie: error: unknown key \"max_retrie\" (did you mean "
       "\"max_retries\"?)"},
    {F_CAT, "\"hindi_words\": [\"namaste\", \"Mujhe\"]",
     "\"hindi_words\": []", 0, 0,
     C "hindi_words: error: expected an array of 1 to 256 strings"},
    {F_CAT, "\"catalogue\": \"Test e-Services\"", "\"catalogue\": 1", 0, 0,
     C "catalogue: error: expected the catalogue's name (a string)"},
};

static void test_edit_cases(void **unused) {
  (void)unused;
  for (size_t i = 0; i < sizeof edit_cases / sizeof edit_cases[0]; i++) {
    const edit_case *ec = &edit_cases[i];
    files fs;
    good_files(&fs);
    subst(&fs.text[ec->file], ec->find, ec->repl);
    if (ec->find2)
      subst(&fs.text[ec->file], ec->find2, ec->repl2);
    expect_refused(&fs, ec->want);
    free_files(&fs);
  }
}

/* ---- Whole bad files -------------------------------------------------------------- */

typedef struct file_case {
  const char *file; /* in tests/specs/bad */
  const char *want;
} file_case;

static const file_case file_cases[] = {
    {"syntax.json", "specs/bad/syntax.json:states.a.type: error: invalid JSON "
                    "at line 3, column 35: invalid object key (must be a "
                    "string)"},
    {"truncated.json", "specs/bad/truncated.json:states: error: invalid JSON "
                       "at line 2, column 1: premature EOF"},
    {"bad-number.json", "specs/bad/bad-number.json:version: error: invalid "
                        "JSON at line 3, column 17: malformed number, a digit "
                        "is required after the exponent"},
    {"dup-key.json", "specs/bad/dup-key.json:states.a.prompt.en: error: "
                     "duplicate key \"en\""},
    {"not-object.json", "specs/bad/not-object.json:$: error: expected a JSON "
                        "object, found array"},
    {"unknown-kind.json", "specs/bad/unknown-kind.json:$: error: not a spec: "
                          "expected the key \"id\" (a service), \"block\" or "
                          "\"catalogue\""},
    {"deep.json", NULL}, /* built in test_file_cases */
    {"nul.json", "specs/bad/nul.json:block: error: invalid JSON at line 1, "
                 "column 22: a string contains a NUL character"},
    {"bad-utf8.json", "specs/bad/bad-utf8.json:block: error: invalid JSON at "
                      "line 1, column 14: invalid bytes in UTF8 string"},
};

static void test_file_cases(void **unused) {
  (void)unused;
  for (size_t i = 0; i < sizeof file_cases / sizeof file_cases[0]; i++) {
    files fs;
    good_files(&fs);
    char path[512], name[128];
    snprintf(path, sizeof path, SPECS "/bad/%s", file_cases[i].file);
    snprintf(name, sizeof name, "specs/bad/%s", file_cases[i].file);
    size_t len;
    char *text = read_file(path, &len);
    samvad_loader *L = NULL;
    samvad_catalogue *c = NULL;
    assert_int_equal(samvad_loader_create(NULL, &L), 0);
    for (int k = 0; k < F_COUNT; k++)
      assert_int_equal(samvad_loader_add(L, fs.name[k], fs.text[k],
                                         strlen(fs.text[k])),
                       0);
    assert_int_equal(samvad_loader_add(L, name, text, len), SAMVAD_ESPEC);
    char deep[512];
    const char *want = file_cases[i].want;
    if (!want) { /* "block" and 63 "[0]": the 64th level is refused */
      int o = snprintf(deep, sizeof deep, "specs/bad/deep.json:block");
      for (int k = 0; k < 63; k++)
        o += snprintf(deep + o, sizeof deep - (size_t)o, "[0]");
      snprintf(deep + o, sizeof deep - (size_t)o,
               ": error: invalid JSON at line 1, column 75: nested more than "
               "64 levels deep");
      want = deep;
    }
    if (!has_diag(L, want)) {
      print_message("want: %s\n", want);
      print_diags(L);
      fail();
    }
    /* One refused file refuses the whole load. */
    assert_int_equal(samvad_loader_finish(L, &c), SAMVAD_ESPEC);
    assert_null(c);
    samvad_loader_destroy(L);
    free(text);
    free_files(&fs);
  }
}

/* ---- Limits and whole-load rules --------------------------------------------------- */

/* Growable text for generated specs. */
typedef struct gen {
  char *p;
  size_t len, cap;
} gen;

static void addf(gen *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void addf(gen *g, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  while (g->len + (size_t)n + 1 > g->cap) {
    g->cap = g->cap ? g->cap * 2 : 4096;
    g->p = realloc(g->p, g->cap);
    assert_non_null(g->p);
  }
  va_start(ap, fmt);
  vsnprintf(g->p + g->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  g->len += (size_t)n;
}

/* The good service with extra states spliced in before "check". */
static void expect_with_states(const char *extra, const char *first_next,
                               const char *want) {
  files fs;
  good_files(&fs);
  char *repl = malloc(strlen(extra) + 64);
  assert_non_null(repl);
  sprintf(repl, "%s\n  \"check\":", extra);
  subst(&fs.text[F_SVC], "\"next\": \"check\"", first_next);
  subst(&fs.text[F_SVC], "\"check\":", repl);
  free(repl);
  expect_refused(&fs, want);
  free_files(&fs);
}

#define TEXT "{\"en\": \"x\", \"hi\": \"x\"}"

static void test_limits(void **unused) {
  (void)unused;
  gen g = {0};
  /* 1016 more states: 10 + 1016 = 1026 > 1024. */
  for (int i = 0; i < 1016; i++)
    addf(&g, "\"s%d\": {\"type\": \"inform\", \"prompt\": " TEXT
             ", \"next\": \"s%d\"},",
         i, i + 1);
  expect_with_states(g.p, "\"next\": \"s0\"",
                     S "states: error: more than 1024 states (blocks "
                       "included)");
  /* 65 informs in a row never wait: more than SAMVAD_MAX_AUTO_STEPS. */
  g.len = 0;
  for (int i = 0; i < 65; i++) {
    char next[16];
    snprintf(next, sizeof next, "s%d", i + 1);
    addf(&g, "\"s%d\": {\"type\": \"inform\", \"prompt\": " TEXT
             ", \"next\": \"%s\"},",
         i, i + 1 < 65 ? next : "summary");
  }
  expect_with_states(g.p, "\"next\": \"s0\"",
                     S "states.s0: error: more than 64 states in a row pass "
                       "on without waiting for an answer");
  /* 250 more variables: 6 + 250 > 255. */
  g.len = 0;
  for (int i = 0; i < 250; i++)
    addf(&g, "\"v%d\": {\"type\": \"ask\", \"prompt\": " TEXT
             ", \"label\": " TEXT ", \"input\": {\"type\": \"text\"}, "
             "\"save\": \"v%d\", \"next\": \"%s%d\"},",
         i, i, i + 1 < 250 ? "v" : "check", i + 1);
  {
    /* "check" is the target of the last one: fix its printed name. */
    char *at = strstr(g.p, "\"check250\"");
    assert_non_null(at);
    memmove(at + 6, at + 9, strlen(at + 9) + 1);
  }
  expect_with_states(g.p, "\"next\": \"v0\"",
                     S "states.old_number.save: error: more than 255 variables");
  /* 65 options. */
  g.len = 0;
  addf(&g, "\"many\": {\"type\": \"choice\", \"prompt\": " TEXT
           ", \"label\": " TEXT ", \"save\": \"many\", \"options\": [");
  for (int i = 0; i < 65; i++)
    addf(&g, "%s{\"id\": \"o%d\", \"title\": {\"en\": \"o%d\", \"hi\": "
             "\"o%d\"}}",
         i ? ", " : "", i, i, i);
  addf(&g, "], \"next\": \"check\"},");
  expect_with_states(g.p, "\"next\": \"many\"",
                     S "states.many.options: error: expected an array of 1 "
                       "to 64 options");
  /* Condition nesting: 15 "!" around "set" is depth 16 (fine), 16 is not. */
  for (int depth = 15; depth <= 16; depth++) {
    g.len = 0;
    addf(&g, "\"deep\": {\"type\": \"branch\", \"next\": [{\"when\": ");
    for (int i = 0; i < depth; i++)
      addf(&g, "{\"!\": ");
    addf(&g, "{\"set\": \"name\"}");
    for (int i = 0; i < depth; i++)
      addf(&g, "}");
    addf(&g, ", \"goto\": \"check\"}, {\"goto\": \"check\"}]},");
    files fs;
    good_files(&fs);
    char *repl = malloc(g.len + 32);
    sprintf(repl, "%s\n  \"check\":", g.p);
    subst(&fs.text[F_SVC], "\"next\": \"check\"", "\"next\": \"deep\"");
    subst(&fs.text[F_SVC], "\"check\":", repl);
    free(repl);
    samvad_loader *L = NULL;
    samvad_catalogue *c = NULL;
    int rc = load_files(&fs, NULL, &L, &c);
    if (depth == 15) {
      if (rc)
        print_diags(L);
      assert_int_equal(rc, 0);
      samvad_catalogue_destroy(c);
    } else {
      char want[1024];
      int o = snprintf(want, sizeof want, S "states.deep.next[0].when");
      for (int i = 0; i < 16; i++)
        o += snprintf(want + o, sizeof want - (size_t)o, ".!");
      snprintf(want + o, sizeof want - (size_t)o,
               ": error: condition nested deeper than 16 levels");
      assert_int_equal(rc, SAMVAD_ESPEC);
      if (!has_diag(L, want)) {
        print_message("want: %s\n", want);
        print_diags(L);
        fail();
      }
    }
    samvad_loader_destroy(L);
    free_files(&fs);
  }
  free(g.p);

  /* A file over the size limit is refused before parsing. */
  samvad_loader *L = NULL;
  assert_int_equal(samvad_loader_create(NULL, &L), 0);
  size_t big = SAMVAD_MAX_SPEC_BYTES + 1;
  char *buf = malloc(big);
  memset(buf, ' ', big);
  assert_int_equal(samvad_loader_add(L, "big.json", buf, big), SAMVAD_ESPEC);
  assert_string_equal(samvad_loader_diag(L, 0),
                      "big.json:$: error: file is larger than 1048576 bytes");
  free(buf);
  /* More files than SAMVAD_MAX_SPECS. */
  for (int i = 0; i < SAMVAD_MAX_SPECS; i++) {
    char name[32];
    snprintf(name, sizeof name, "u%d.json", i);
    assert_int_equal(samvad_loader_add(L, name, "{\"block\": 1}", 12), 0);
  }
  assert_int_equal(samvad_loader_add(L, "u.json", "{\"block\": 1}", 12),
                   SAMVAD_ESPEC);
  assert_true(has_diag(L, "u.json:$: error: more than 256 spec files in one "
                          "catalogue"));
  /* Diagnostics are capped, with a last line saying so. */
  samvad_catalogue *c = NULL;
  assert_int_equal(samvad_loader_finish(L, &c), SAMVAD_ESPEC);
  assert_int_equal(samvad_loader_diag_count(L), 201);
  assert_string_equal(samvad_loader_diag(L, 200),
                      "u65.json:$: error: too many errors; the rest are not "
                      "shown");
  samvad_loader_destroy(L);
}

static void test_whole_load_rules(void **unused) {
  (void)unused;
  /* No catalogue file. */
  files fs;
  good_files(&fs);
  free(fs.text[F_CAT]);
  fs.text[F_CAT] = NULL;
  expect_refused(&fs, "catalogue.json:$: error: no catalogue file was loaded "
                      "(the file with the key \"catalogue\")");
  /* Two catalogue files. */
  fs.text[F_CAT] = read_file(SPECS "/good/catalogue.json", NULL);
  fs.name[3] = "specs/other.json";
  fs.text[3] = strdup(fs.text[F_CAT]);
  fs.count = 4;
  expect_refused(&fs, "specs/other.json:$: error: a second catalogue file "
                      "(the first is specs/catalogue.json)");
  /* A second service with the same reference prefix; a good service does
   * not make a load with a bad one pass. */
  free(fs.text[3]);
  fs.text[3] = strdup(fs.text[F_SVC]);
  fs.name[3] = "specs/demo-two.json";
  subst(&fs.text[3], "\"id\": \"demo-permit\"", "\"id\": \"demo-two\"");
  expect_refused(&fs, "specs/demo-two.json:reference_prefix: error: "
                      "reference prefix \"DP\" is also used by service "
                      "\"demo-permit\"");
  /* The same block twice. */
  free(fs.text[3]);
  fs.text[3] = strdup(fs.text[F_BLOCK]);
  fs.name[3] = "other/address.json";
  expect_refused(&fs, "other/address.json:block: error: block \"address\" "
                      "is also defined in specs/blocks/address.json");
  /* A block no service uses is still checked. */
  free(fs.text[3]);
  fs.text[3] = strdup(fs.text[F_BLOCK]);
  fs.name[3] = "specs/blocks/spare.json";
  subst(&fs.text[3], "\"block\": \"address\"", "\"block\": \"spare\"");
  subst(&fs.text[3], "PIN code for {house}", "PIN code for {hose}");
  expect_refused(&fs, "specs/blocks/spare.json:states.pin.prompt.en: error: "
                      "unknown variable \"hose\" in {hose} (a block can only "
                      "use the variables it saves)");
  /* ... and a sound unused block passes. */
  subst(&fs.text[3], "PIN code for {hose}", "PIN code for {house}");
  samvad_loader *L = NULL;
  samvad_catalogue *c = NULL;
  assert_int_equal(load_files(&fs, NULL, &L, &c), 0);
  assert_int_equal(c->service_count, 1);
  samvad_catalogue_destroy(c);
  samvad_loader_destroy(L);
  /* A catalogue without services. */
  free(fs.text[F_SVC]);
  fs.text[F_SVC] = NULL;
  expect_refused(&fs, "specs/catalogue.json:$: error: no service specs were "
                      "loaded");
  free_files(&fs);
}

/* ---- Out of memory ------------------------------------------------------------------- */

typedef struct failing {
  long fail_at; /* the n-th allocation fails (1-based); 0 never */
  bool after;   /* and every one after it */
  long count;
  long live;    /* blocks allocated and not yet freed */
} failing;

static void *f_malloc(void *ctx, size_t n) {
  failing *f = ctx;
  if (++f->count == f->fail_at || (f->after && f->count > f->fail_at))
    return NULL;
  void *p = malloc(n);
  if (p)
    f->live++;
  return p;
}

static void *f_realloc(void *ctx, void *p, size_t n) {
  failing *f = ctx;
  if (++f->count == f->fail_at || (f->after && f->count > f->fail_at))
    return NULL;
  void *q = realloc(p, n);
  if (q && !p)
    f->live++;
  return q;
}

static void f_free(void *ctx, void *p) {
  failing *f = ctx;
  if (p)
    f->live--;
  free(p);
}

/* Loads the fixture failing allocation n (or n and all after it) for
 * n = 1, 2, ... until the load succeeds: every failure must be ENOMEM and
 * leave nothing allocated. Returns the allocations a good load needs. */
static long oom_loop(const files *fs, bool after) {
  long n;
  for (n = 1;; n++) {
    failing f = {n, after, 0, 0};
    samvad_allocator al = {f_malloc, f_realloc, f_free, &f};
    samvad_loader *L = NULL;
    samvad_catalogue *c = NULL;
    int rc = load_files(fs, &al, &L, &c);
    if (rc != 0 && rc != SAMVAD_ENOMEM) {
      print_diags(L);
      fail_msg("allocation %ld: rc %d", n, rc);
    }
    if (rc == 0) {
      assert_non_null(c);
      samvad_loader_destroy(L);
      assert_true(f.live > 0); /* the catalogue uses the allocator */
      samvad_catalogue_destroy(c);
      assert_int_equal(f.live, 0);
      break;
    }
    assert_null(c);
    samvad_loader_destroy(L);
    assert_int_equal(f.live, 0);
  }
  return n;
}

static void test_oom(void **unused) {
  (void)unused;
  files fs;
  good_files(&fs);
  assert_true(oom_loop(&fs, false) > 10);
  assert_true(oom_loop(&fs, true) > 10);
  /* A bigger load reaches more of the allocation sites: the good fixture
   * with a block used twice and 200 more states. */
  gen g = {0};
  for (int i = 0; i < 200; i++)
    addf(&g, "\"s%d\": {\"type\": \"ask\", \"prompt\": {\"en\": \"q%d\", "
             "\"hi\": \"प्रश्न %d\"}, \"label\": " TEXT ", \"input\": "
             "{\"type\": \"integer\", \"min\": 0, \"max\": %d}, \"save\": "
             "\"v%d\", \"next\": [{\"when\": {\"<\": [{\"var\": \"v%d\"}, "
             "%d]}, \"goto\": \"s%d\"}, {\"goto\": \"s%d\"}]},\n",
         i, i, i, i + 5, i, i, i, i + 1, i + 1);
  addf(&g, "\"s200\": {\"type\": \"use\", \"block\": \"address\", "
           "\"as\": \"second\", \"label\": " TEXT ", \"next\": "
           "\"check\"},\n  \"check\":");
  subst(&fs.text[F_SVC], "\"next\": \"check\"", "\"next\": \"s0\"");
  subst(&fs.text[F_SVC], "\"check\":", g.p);
  free(g.p);
  {
    samvad_loader *L = NULL;
    samvad_catalogue *c = NULL;
    int rc = load_files(&fs, NULL, &L, &c);
    if (rc)
      print_diags(L);
    assert_int_equal(rc, 0);
    samvad_catalogue_destroy(c);
    samvad_loader_destroy(L);
  }
  long big = oom_loop(&fs, false);
  print_message("allocations of a big load: %ld\n", big);
  assert_true(big > 50);
  free_files(&fs);
  good_files(&fs);
  long n;
  bool after = false;
  /* The same through the folder reader. */
  for (n = 1;; n++) {
    failing f = {n, after, 0, 0};
    samvad_allocator al = {f_malloc, f_realloc, f_free, &f};
    samvad_catalogue *c = NULL;
    char err[256];
    int rc = samvad_catalogue_load_dir(SPECS "/good", &al, &c, err,
                                       sizeof err);
    if (rc != 0 && rc != SAMVAD_ENOMEM)
      fail_msg("allocation %ld: rc %d: %s", n, rc, err);
    if (rc == 0) {
      samvad_catalogue_destroy(c);
      assert_int_equal(f.live, 0);
      break;
    }
    assert_null(c);
    assert_string_equal(err, "out of memory");
    assert_int_equal(f.live, 0);
  }
  /* And a refused load under memory pressure never says ESPEC for OOM:
   * with a bad file it is ESPEC or ENOMEM, nothing else. */
  subst(&fs.text[F_SVC], "\"next\": \"dob\"", "\"next\": \"dobb\"");
  for (n = 1;; n++) {
    failing f = {n, after, 0, 0};
    samvad_allocator al = {f_malloc, f_realloc, f_free, &f};
    samvad_loader *L = NULL;
    samvad_catalogue *c = NULL;
    int rc = load_files(&fs, &al, &L, &c);
    assert_true(rc == SAMVAD_ESPEC || rc == SAMVAD_ENOMEM);
    assert_null(c);
    bool done = rc == SAMVAD_ESPEC;
    if (done)
      assert_true(has_diag(L, S "states.name.next: error: unknown state "
                                "\"dobb\""));
    samvad_loader_destroy(L);
    assert_int_equal(f.live, 0);
    if (done)
      break;
  }
  free_files(&fs);
}

/* ---- The real specs ---------------------------------------------------------------- */

static void test_fsm_specs(void **unused) {
  (void)unused;
  samvad_catalogue *c = NULL;
  char err[4096];
  int rc = samvad_catalogue_load_dir(SAMVAD_SOURCE_DIR "/fsm-specs", NULL, &c,
                                     err, sizeof err);
  if (rc)
    print_message("%s\n", err);
  assert_int_equal(rc, 0);
  assert_true(c->service_count >= 1);
  samvad_catalogue_destroy(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good_load),
      cmocka_unit_test(test_load_dir),
      cmocka_unit_test(test_api_misuse),
      cmocka_unit_test(test_block_reuse),
      cmocka_unit_test(test_edit_cases),
      cmocka_unit_test(test_file_cases),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_whole_load_rules),
      cmocka_unit_test(test_oom),
      cmocka_unit_test(test_fsm_specs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
