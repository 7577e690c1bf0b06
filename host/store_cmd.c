/* store_cmd.c - `samvad applications`, `samvad approve`, `samvad reject` and
 * `samvad db`: what department staff and operators run against the
 * database, possibly while a gateway is serving citizens from it (SQLite's
 * locking and the busy timeout keep the two apart). */
#include "store_cmd.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "approve.h"
#include "db_private.h"
#include "options.h"
#include "util.h"

/* Refuses to work on a database that is not there: a mistyped path would
 * otherwise create an empty one and report nothing to do. */
static int require_db(const char *cmd, const char *path) {
  if (strcmp(path, ":memory:") == 0 || access(path, F_OK) == 0)
    return 0;
  fprintf(stderr,
          "samvad %s: %s: no database there (give --db PATH or set "
          "SAMVAD_DB)\n",
          cmd, path);
  return HOST_EXIT_STORE;
}

/* Prints a store failure and returns its exit code. */
static int store_error(const char *cmd, host_db *db, const char *path,
                       int err) {
  if (err == SAMVAD_EIO) {
    fprintf(stderr, "samvad %s: cannot write standard output\n", cmd);
    return HOST_EXIT_IO;
  }
  const char *why = host_db_errmsg(db);
  if (err == SAMVAD_EBUSY)
    why = "the database is locked by another process (waited 5 seconds)";
  fprintf(stderr, "samvad %s: %s: %s\n", cmd, path,
          why && *why ? why : samvad_strerror(err));
  return HOST_EXIT_STORE;
}

/* An application id as given on the command line, if it could be one;
 * else NULL (the argument is then not echoed: it may be anything). */
static const char *plausible_id(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || n >= SAMVAD_MAX_REFERENCE_BYTES)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    char c = id[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return NULL;
  }
  return id;
}

/* ---- samvad applications ----------------------------------------------------- */

int host_cmd_applications(int argc, char **argv) {
  host_options o;
  int rc = host_options_parse(
      argc, argv, HOST_OPT_DB | HOST_OPT_FILTER | HOST_OPT_POSITIONAL, &o);
  if (rc == 0 && o.help) {
    host_print_help("applications", stdout);
  } else if (rc == 0 && o.positional_count > 1) {
    fprintf(stderr, "samvad applications: takes at most one application id\n"
                    "Try 'samvad applications --help'.\n");
    rc = HOST_EXIT_USAGE;
  } else if (rc == 0 && (rc = require_db(argv[0], o.db)) == 0) {
    host_db *db = NULL;
    rc = host_db_open(o.db, &db);
    int err = 0;
    if (rc == 0 && o.positional_count == 1) {
      const char *id = plausible_id(o.positional[0]);
      err = id ? host_db_show_application(db, id, stdout) : SAMVAD_ENOTFOUND;
      if (err == SAMVAD_ENOTFOUND) {
        fprintf(stderr, "samvad applications: no application %s\n",
                id ? id : "with that id");
        rc = HOST_EXIT_FAILED;
        err = 0;
      }
    } else if (rc == 0) {
      err = host_db_list_applications(db, o.service, o.status, o.json, stdout);
    }
    if (err)
      rc = store_error(argv[0], db, o.db, err);
    host_db_close(db);
  }
  host_options_free(&o);
  return rc;
}

/* ---- samvad approve / reject -------------------------------------------------- */

/* Explains why a decision was refused; returns the exit code. */
static int decision_refused(const char *cmd, host_db *db, const char *path,
                            const char *id, int err) {
  samvad_app_info info;
  switch (err) {
  case SAMVAD_ENOTFOUND:
    fprintf(stderr, "samvad %s: no application %s\n", cmd, id);
    return HOST_EXIT_FAILED;
  case SAMVAD_ESTATE:
    if (host_db_app_find(db, id, &info) == 0)
      fprintf(stderr,
              "samvad %s: %s was already %s; a decision is final\n"
              "See its history: samvad applications %s\n",
              cmd, id, samvad_app_status_name(info.status), id);
    else
      fprintf(stderr, "samvad %s: %s was already decided\n", cmd, id);
    return HOST_EXIT_FAILED;
  case SAMVAD_ELIMIT:
    fprintf(stderr,
            "samvad %s: --reason takes at most %d bytes and --actor at most "
            "%d\n",
            cmd, SAMVAD_MAX_REASON_BYTES - 1, SAMVAD_MAX_ACTOR_BYTES - 1);
    return HOST_EXIT_USAGE;
  case SAMVAD_EINVAL:
    fprintf(stderr, "samvad %s: %s\n", cmd, samvad_strerror(err));
    return HOST_EXIT_USAGE;
  default:
    return store_error(cmd, db, path, err);
  }
}

/* Records the decision in one transaction; the notice to the citizen is
 * queued in the same one, so either both happen or neither. */
static int decide(const char *cmd, const host_options *o, const char *id,
                  samvad_app_status decision) {
  samvad_catalogue *catalogue = NULL;
  host_db *db = NULL;
  samvad_replies *replies = NULL;
  samvad_app_info info;
  int rc = require_db(cmd, o->db);
  if (rc == 0)
    rc = host_catalogue_load(host_specs_dir(o), &catalogue);
  if (rc == 0)
    rc = host_db_open(o->db, &db);
  if (rc != 0)
    goto done;
  int err = samvad_replies_create(NULL, &replies);
  if (!err)
    err = host_db_begin(db);
  if (!err)
    err = host_decide(db, catalogue, o->keys, id, decision, o->reason,
                      o->actor, (int64_t)time(NULL), replies);
  if (err > 0) { /* the key folder could not give a key: said why */
    host_db_rollback(db);
    rc = err;
    goto done;
  }
  /* Read inside the transaction: the user whose notice was just queued. */
  if (!err)
    err = host_db_app_find(db, id, &info);
  if (err) {
    host_db_rollback(db);
    rc = decision_refused(cmd, db, o->db, id, err);
    goto done;
  }
  err = host_db_commit(db);
  if (err) {
    rc = store_error(cmd, db, o->db, err);
    goto done;
  }
  char masked[80];
  host_mask_id(info.user, masked, sizeof masked);
  for (char *p = masked; *p; p++)
    if ((unsigned char)*p < 0x20)
      *p = '?';
  printf("%s %s; the citizen (%s) will be told.\n", id,
         samvad_app_status_name(decision), masked);
  for (size_t i = 0; i < samvad_replies_count(replies); i++) {
    const samvad_document *doc = samvad_replies_get(replies, i)->document;
    if (doc)
      printf("Certificate %s issued; it goes to the citizen with the "
             "notice.\n",
             doc->number);
  }
done:
  samvad_replies_destroy(replies);
  host_db_close(db);
  samvad_catalogue_destroy(catalogue);
  return rc;
}

static int decision_command(int argc, char **argv,
                            samvad_app_status decision) {
  const char *cmd = argv[0];
  host_options o;
  int rc = host_options_parse(argc, argv,
                              HOST_OPT_DB | HOST_OPT_DECISION | HOST_OPT_SPECS |
                                  HOST_OPT_KEYS | HOST_OPT_POSITIONAL,
                              &o);
  if (rc == 0 && o.help) {
    host_print_help(cmd, stdout);
  } else if (rc == 0 && o.positional_count != 1) {
    fprintf(stderr, "samvad %s: takes one application id\n"
                    "Try 'samvad %s --help'.\n", cmd, cmd);
    rc = HOST_EXIT_USAGE;
  } else if (rc == 0 && decision == SAMVAD_APP_REJECTED && !o.reason) {
    fprintf(stderr,
            "samvad %s: --reason TEXT is required: the citizen is told why\n"
            "Try 'samvad %s --help'.\n", cmd, cmd);
    rc = HOST_EXIT_USAGE;
  } else if (rc == 0) {
    const char *id = plausible_id(o.positional[0]);
    if (!id) {
      fprintf(stderr, "samvad %s: no application with that id\n", cmd);
      rc = HOST_EXIT_FAILED;
    } else {
      rc = decide(cmd, &o, id, decision);
    }
  }
  host_options_free(&o);
  return rc;
}

int host_cmd_approve(int argc, char **argv) {
  return decision_command(argc, argv, SAMVAD_APP_APPROVED);
}

int host_cmd_reject(int argc, char **argv) {
  return decision_command(argc, argv, SAMVAD_APP_REJECTED);
}

/* ---- samvad db ------------------------------------------------------------------- */

static int db_check(const host_options *o, host_db *db,
                    const samvad_catalogue *catalogue) {
  long problems = host_db_check(db, catalogue, stdout);
  if (problems < 0)
    return store_error("db check", db, o->db, (int)problems);
  if (problems == 0) {
    printf("%s: sound\n", o->db);
    return HOST_EXIT_OK;
  }
  printf("%s: %ld problem%s found\n", o->db, problems,
         problems == 1 ? "" : "s");
  return HOST_EXIT_FAILED;
}

static int db_sweep(const host_options *o, host_db *db,
                    const samvad_catalogue *catalogue) {
  host_sweep_stats stats;
  int64_t keep = host_retention_seconds(o, catalogue);
  int err = host_db_sweep(db, catalogue, (int64_t)time(NULL), keep, &stats);
  if (err)
    return store_error("db sweep", db, o->db, err);
  printf("Erased the answers of %zu abandoned application%s and %zu "
         "processed-message record%s older than %ld day%s.\n",
         stats.sessions_forgotten, stats.sessions_forgotten == 1 ? "" : "s",
         stats.messages_pruned, stats.messages_pruned == 1 ? "" : "s",
         (long)(keep / 86400), keep / 86400 == 1 ? "" : "s");
  if (stats.inbox_pruned || stats.outbox_pruned)
    printf("Deleted %zu processed webhook event%s and %zu finished "
           "send%s of samvad serve.\n",
           stats.inbox_pruned, stats.inbox_pruned == 1 ? "" : "s",
           stats.outbox_pruned, stats.outbox_pruned == 1 ? "" : "s");
  return HOST_EXIT_OK;
}

int host_cmd_db(int argc, char **argv) {
  host_options o;
  int rc = host_options_parse(
      argc, argv, HOST_OPT_DB | HOST_OPT_SPECS | HOST_OPT_POSITIONAL, &o);
  const char *sub = rc == 0 && o.positional_count == 1 ? o.positional[0] : "";
  int known = strcmp(sub, "check") == 0 || strcmp(sub, "dump") == 0 ||
              strcmp(sub, "sweep") == 0 || strcmp(sub, "migrate") == 0;
  if (rc == 0 && o.help) {
    host_print_help("db", stdout);
  } else if (rc == 0 && !known) {
    fprintf(stderr, "samvad db: takes one of check, dump, sweep, migrate\n"
                    "Try 'samvad db --help'.\n");
    rc = HOST_EXIT_USAGE;
  } else if (rc == 0) {
    int creates = strcmp(sub, "migrate") == 0;
    int needs_specs = strcmp(sub, "check") == 0 || strcmp(sub, "sweep") == 0;
    samvad_catalogue *catalogue = NULL;
    host_db *db = NULL;
    if (!creates)
      rc = require_db("db", o.db);
    if (rc == 0 && needs_specs)
      rc = host_catalogue_load(host_specs_dir(&o), &catalogue);
    if (rc == 0)
      rc = host_db_open(o.db, &db);
    if (rc == 0 && strcmp(sub, "check") == 0) {
      rc = db_check(&o, db, catalogue);
    } else if (rc == 0 && strcmp(sub, "sweep") == 0) {
      rc = db_sweep(&o, db, catalogue);
    } else if (rc == 0 && strcmp(sub, "dump") == 0) {
      int err = host_db_dump(db, stdout);
      if (err)
        rc = store_error("db dump", db, o.db, err);
    } else if (rc == 0) {
      printf("%s: schema version %d\n", o.db, HOST_DB_SCHEMA_VERSION);
    }
    host_db_close(db);
    samvad_catalogue_destroy(catalogue);
  }
  host_options_free(&o);
  return rc;
}
