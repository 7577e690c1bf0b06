/* options.c - the option parser shared by the commands (a few long options
 * do not justify getopt_long's portability questions), the specs folder
 * lookup and catalogue loading with full diagnostics. */
#include "options.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Prints "samvad CMD: what 'arg'" (arg may be NULL) and a hint. */
static int usage_error(const char *cmd, const char *what, const char *arg) {
  if (arg)
    fprintf(stderr, "samvad %s: %s '%s'\n", cmd, what, arg);
  else
    fprintf(stderr, "samvad %s: %s\n", cmd, what);
  fprintf(stderr, "Try 'samvad %s --help'.\n", cmd);
  return HOST_EXIT_USAGE;
}

/* Matches "--name VALUE" and "--name=VALUE"; advances *i past the value. */
static int take_value(int argc, char **argv, int *i, const char *name,
                      const char **value) {
  size_t n = strlen(name);
  const char *a = argv[*i];
  if (strncmp(a, name, n) != 0)
    return 0;
  if (a[n] == '=') {
    *value = a + n + 1;
    return 1;
  }
  if (a[n] != '\0')
    return 0;
  if (*i + 1 >= argc) {
    *value = NULL;
    return 1;
  }
  *value = argv[++*i];
  return 1;
}

int host_options_parse(int argc, char **argv, unsigned allowed,
                       host_options *o) {
  const char *cmd = argv[0];
  memset(o, 0, sizeof *o);
  o->positional = calloc((size_t)argc + 1, sizeof *o->positional);
  if (!o->positional) {
    fprintf(stderr, "samvad %s: out of memory\n", cmd);
    return HOST_EXIT_IO;
  }
  int only_positional = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *value;
    if (only_positional || a[0] != '-' || a[1] == '\0') {
      if (!(allowed & HOST_OPT_POSITIONAL))
        return usage_error(cmd, "unexpected argument", a);
      o->positional[o->positional_count++] = argv[i];
    } else if (strcmp(a, "--") == 0) {
      only_positional = 1;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      o->help = 1;
    } else if ((allowed & HOST_OPT_SPECS) &&
               take_value(argc, argv, &i, "--specs", &value)) {
      if (!value || !*value)
        return usage_error(cmd, "--specs needs a folder", NULL);
      o->specs = value;
    } else if ((allowed & HOST_OPT_LANG) &&
               take_value(argc, argv, &i, "--lang", &value)) {
      if (value && strcmp(value, "hi") == 0)
        o->lang = SAMVAD_LANG_HI;
      else if (value && strcmp(value, "en") == 0)
        o->lang = SAMVAD_LANG_EN;
      else
        return usage_error(cmd, "--lang takes hi or en, not",
                           value ? value : "");
      o->has_lang = 1;
    } else if ((allowed & HOST_OPT_DB) &&
               take_value(argc, argv, &i, "--db", &value)) {
      if (!value || !*value)
        return usage_error(cmd, "--db needs a file (or :memory:)", NULL);
      o->db = value;
    } else if ((allowed & HOST_OPT_DB) &&
               take_value(argc, argv, &i, "--retention-days", &value)) {
      char *end = NULL;
      long days = value ? strtol(value, &end, 10) : -1;
      if (!value || !*value || *end || days < 1 || days > 3650)
        return usage_error(cmd, "--retention-days takes 1 to 3650, not",
                           value ? value : "");
      o->retention_days = days;
    } else if ((allowed & HOST_OPT_DECISION) &&
               take_value(argc, argv, &i, "--reason", &value)) {
      if (!value || !*value)
        return usage_error(cmd, "--reason needs a text", NULL);
      o->reason = value;
    } else if ((allowed & HOST_OPT_DECISION) &&
               take_value(argc, argv, &i, "--actor", &value)) {
      if (!value || !*value)
        return usage_error(cmd, "--actor needs a name", NULL);
      o->actor = value;
    } else if ((allowed & HOST_OPT_FILTER) &&
               take_value(argc, argv, &i, "--service", &value)) {
      if (!value || !*value)
        return usage_error(cmd, "--service needs a service id", NULL);
      o->service = value;
    } else if ((allowed & HOST_OPT_FILTER) &&
               take_value(argc, argv, &i, "--status", &value)) {
      if (!value || (strcmp(value, "submitted") != 0 &&
                     strcmp(value, "approved") != 0 &&
                     strcmp(value, "rejected") != 0))
        return usage_error(cmd,
                           "--status takes submitted, approved or rejected, "
                           "not",
                           value ? value : "");
      o->status = value;
    } else if ((allowed & (HOST_OPT_FILTER | HOST_OPT_VERIFY)) &&
               strcmp(a, "--json") == 0) {
      o->json = 1;
    } else if ((allowed & HOST_OPT_KEYS) &&
               take_value(argc, argv, &i, "--keys", &value)) {
      if (!value || !*value)
        return usage_error(cmd, "--keys needs a folder", NULL);
      o->keys = value;
    } else if ((allowed & HOST_OPT_KEYGEN) &&
               take_value(argc, argv, &i, "--root", &value)) {
      if (!value || !*value)
        return usage_error(cmd, "--root needs a folder", NULL);
      o->root = value;
    } else if ((allowed & HOST_OPT_KEYGEN) && strcmp(a, "--rotate") == 0) {
      o->rotate = 1;
    } else if ((allowed & HOST_OPT_KEYGEN) && strcmp(a, "--force") == 0) {
      o->force = 1;
    } else if ((allowed & HOST_OPT_VERIFY) &&
               take_value(argc, argv, &i, "--now", &value)) {
      if (!value || !*value)
        return usage_error(cmd, "--now needs a time", NULL);
      o->now = value;
    } else if ((allowed & HOST_OPT_VERIFY) &&
               take_value(argc, argv, &i, "--png", &value)) {
      if (!value || !*value)
        return usage_error(cmd, "--png needs a file", NULL);
      o->png = value;
    } else if ((allowed & HOST_OPT_ISSUE) &&
               take_value(argc, argv, &i, "--out", &value)) {
      if (!value || !*value)
        return usage_error(cmd, "--out needs a folder", NULL);
      o->out = value;
    } else if ((allowed & HOST_OPT_ISSUE) &&
               strcmp(a, "--auto-approve") == 0) {
      o->auto_approve = 1;
    } else {
      return usage_error(cmd, "unknown option", a);
    }
  }
  if (!o->db) {
    const char *env = getenv("SAMVAD_DB");
    o->db = env && *env ? env : "samvad.db";
  }
  if (!o->keys) {
    const char *env = getenv("SAMVAD_KEYS");
    o->keys = env && *env ? env : "keys";
  }
  if (!o->out)
    o->out = "certificates";
  if (!o->actor) {
    const char *env = getenv("USER");
    o->actor = env && *env ? env : "operator";
  }
  return 0;
}

void host_options_free(host_options *o) {
  free(o->positional);
  o->positional = NULL;
  o->positional_count = 0;
}

int64_t host_retention_seconds(const host_options *o,
                               const samvad_catalogue *catalogue) {
  if (o->retention_days > 0)
    return (int64_t)o->retention_days * 86400;
  return samvad_catalogue_retention_seconds(catalogue);
}

const char *host_specs_dir(const host_options *o) {
  struct stat st;
  if (o->specs)
    return o->specs;
  if (stat("fsm-specs", &st) == 0 && S_ISDIR(st.st_mode))
    return "fsm-specs";
  return SAMVAD_INSTALLED_SPECS;
}

int host_catalogue_load(const char *dir, samvad_catalogue **out) {
  samvad_loader *loader = NULL;
  *out = NULL;
  int rc = samvad_loader_create(NULL, &loader);
  if (rc != 0) {
    fprintf(stderr, "samvad: cannot load specs: %s\n", samvad_strerror(rc));
    return HOST_EXIT_SPECS;
  }
  rc = samvad_loader_add_dir(loader, dir);
  /* finish is called even after a failed add so that every problem in the
   * folder is reported at once, not one per run. */
  if (rc != SAMVAD_EIO && rc != SAMVAD_ENOMEM) {
    int frc = samvad_loader_finish(loader, out);
    if (rc == 0)
      rc = frc;
  }
  if (rc != 0 || !*out) {
    size_t n = samvad_loader_diag_count(loader);
    for (size_t i = 0; i < n; i++) {
      const char *d = samvad_loader_diag(loader, i);
      if (d)
        fprintf(stderr, "%s\n", d);
    }
    if (n == 0)
      fprintf(stderr, "%s: error: cannot load specs: %s\n", dir,
              samvad_strerror(rc ? rc : SAMVAD_ESPEC));
    if (*out) {
      samvad_catalogue_destroy(*out);
      *out = NULL;
    }
    samvad_loader_destroy(loader);
    return HOST_EXIT_SPECS;
  }
  samvad_loader_destroy(loader);
  return 0;
}
