/* options.h - what every command shares: exit codes, the tiny option
 * parser, finding the specs folder and loading it with diagnostics. */
#ifndef SAMVAD_HOST_OPTIONS_H
#define SAMVAD_HOST_OPTIONS_H

#include <stdio.h>

#include "samvad/samvad.h"

#ifndef SAMVAD_INSTALLED_SPECS
#define SAMVAD_INSTALLED_SPECS "/usr/local/share/samvad/fsm-specs"
#endif

/* The binary's exit codes, documented in --help and docs/cli.md. */
enum host_exit {
  HOST_EXIT_OK = 0,     /* success */
  HOST_EXIT_FAILED = 1, /* some transcripts failed */
  HOST_EXIT_USAGE = 2,  /* bad command line */
  HOST_EXIT_SPECS = 3,  /* the specs failed to load */
  HOST_EXIT_IO = 4,     /* a file or stream could not be read or written */
  HOST_EXIT_STORE = 5   /* the database cannot be opened, read or written
                           (locked, corrupt, disk full, newer schema) */
};

/* Which options a command accepts. */
#define HOST_OPT_SPECS 1u      /* --specs DIR */
#define HOST_OPT_LANG 2u       /* --lang hi|en */
#define HOST_OPT_POSITIONAL 4u /* plain arguments (paths) */
#define HOST_OPT_DB 8u          /* --db PATH, --retention-days N */
#define HOST_OPT_DECISION 16u   /* --reason TEXT, --actor NAME */
#define HOST_OPT_FILTER 32u     /* --service ID, --status S, --json */
#define HOST_OPT_KEYS 64u       /* --keys DIR */
#define HOST_OPT_KEYGEN 128u    /* --root DIR, --rotate, --force */
#define HOST_OPT_VERIFY 256u    /* --now TIME, --png FILE, --json */
#define HOST_OPT_ISSUE 512u     /* --out DIR, --auto-approve */

typedef struct host_options {
  const char *specs;  /* --specs, or NULL */
  int has_lang;       /* --lang was given */
  samvad_lang lang;   /* its value */
  int help;           /* --help or -h was given */
  const char *db;     /* --db, else $SAMVAD_DB, else "samvad.db" */
  long retention_days;/* --retention-days; 0: the catalogue's */
  const char *reason; /* --reason, or NULL */
  const char *actor;  /* --actor, else the login name */
  const char *service;/* --service, or NULL */
  const char *status; /* --status, or NULL */
  int json;           /* --json was given */
  const char *keys;   /* --keys, else $SAMVAD_KEYS, else "keys" */
  const char *root;   /* --root (the root key's folder), or NULL: keys */
  int rotate;         /* --rotate */
  int force;          /* --force */
  const char *now;    /* --now TIME as given, or NULL: the clock */
  const char *png;    /* --png FILE, or NULL */
  const char *out;    /* --out DIR, else "certificates" */
  int auto_approve;   /* --auto-approve */
  char **positional;  /* the plain arguments, in order (malloc'd) */
  int positional_count;
} host_options;

/* Parses a command's arguments (argv[0] is the command name). On a usage
 * error prints it with a hint to stderr and returns HOST_EXIT_USAGE;
 * otherwise 0. Free with host_options_free. */
int host_options_parse(int argc, char **argv, unsigned allowed,
                       host_options *o);
void host_options_free(host_options *o);

/* How long abandoned answers and processed-message records are kept:
 * --retention-days, else the catalogue's "retention_days" (30 unless it
 * says otherwise). */
int64_t host_retention_seconds(const host_options *o,
                               const samvad_catalogue *catalogue);

/* The specs folder to use: --specs, else ./fsm-specs when it is a folder,
 * else the folder installed with samvad. */
const char *host_specs_dir(const host_options *o);

/* Loads a catalogue from dir. On failure prints every diagnostic to stderr,
 * one per line, and returns HOST_EXIT_SPECS; otherwise 0. */
int host_catalogue_load(const char *dir, samvad_catalogue **out);

/* Prints the help of a command (NULL or "" for the overview) to out;
 * returns -1 for an unknown command. Defined in main.c. */
int host_print_help(const char *command, FILE *out);

/* The commands, each given its own argv (argv[0] is the command name). */
int host_cmd_chat(int argc, char **argv);
int host_cmd_gateway(int argc, char **argv);
int host_cmd_test(int argc, char **argv);

#endif
