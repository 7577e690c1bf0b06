/* main.c - the samvad binary's entry point: command dispatch, help, version
 * and the exit codes every command shares. */
#include <string.h>

#include "cert_cmd.h"
#include "options.h"
#include "serve.h"
#include "store_cmd.h"

static const char overview[] =
    "samvad - citizen services as conversations (Hindi and English)\n"
    "\n"
    "Usage: samvad COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  chat          talk to the services in this terminal, as on WhatsApp\n"
    "  gateway       drive conversations through JSON lines on stdin/stdout\n"
    "  serve         serve citizens on WhatsApp and Telegram (webhooks)\n"
    "  test          run conversation transcripts (*.chat) against the specs\n"
    "  applications  list the submitted applications, or show one\n"
    "  approve       approve an application; the citizen is told\n"
    "  reject        reject an application, with a reason; the citizen is told\n"
    "  db            look after the database: check, dump, sweep, migrate\n"
    "  keygen        create the keys that sign certificates (--rotate: a new\n"
    "                issuing key)\n"
    "  keys          list the issuing keys, or withdraw one\n"
    "  revoke        add a certificate to the signed revocation list\n"
    "  verify        check a certificate's QR code offline (exit codes 3-7:\n"
    "                samvad help verify)\n"
    "  help CMD      show the help of a command\n"
    "\n"
    "Options:\n"
    "  --help, -h   show this help        --version   show the version\n"
    "\n"
    "Specs: --specs DIR, else ./fsm-specs when present, else\n"
    "  " SAMVAD_INSTALLED_SPECS "\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  some transcripts failed (samvad test); no such application, or\n"
    "     it was already decided (approve, reject); problems found\n"
    "     (db check)\n"
    "  2  usage error (unknown command or option, bad argument)\n"
    "  3  the specs failed to load (each problem printed to stderr as\n"
    "     file:json.path: error: message)\n"
    "  4  I/O error (a file or stream could not be read or written)\n"
    "  5  the database cannot be opened, read or written (locked, corrupt,\n"
    "     disk full, written by a newer samvad)\n"
    "\n"
    "Database: --db PATH, else $SAMVAD_DB, else ./samvad.db (see\n"
    "  docs/operations.md)\n";

static const char help_chat[] =
    "Usage: samvad chat [--lang hi|en] [--specs DIR] [--db PATH]\n"
    "                   [--retention-days N] [--auto-approve] [--keys DIR]\n"
    "                   [--out DIR]\n"
    "\n"
    "Talk to the services in this terminal, as a citizen would on WhatsApp.\n"
    "Each line you type is a message; the bot's lines are marked \"  | \" and\n"
    "its choices numbered (answer with the number, the option or its\n"
    "title). A line \"[media] PATH\", or a line that is the path of an\n"
    "existing file, sends that file as a photo or document. Ctrl-D quits.\n"
    "Input may be piped: printf 'namaste\\n1\\n' | samvad chat\n"
    "\n"
    "Options:\n"
    "  --lang hi|en  start in Hindi or English instead of detecting it\n"
    "  --specs DIR   the specs folder (default: ./fsm-specs, else the\n"
    "                installed specs)\n"
    "  --db PATH     the database (default: $SAMVAD_DB, else ./samvad.db;\n"
    "                :memory: keeps nothing)\n"
    "  --retention-days N  erase abandoned answers after N days (default: the\n"
    "                      catalogue's retention_days, 30)\n"
    "  --auto-approve  approve each application at once, issuing its\n"
    "                certificate (for demonstrations)\n"
    "  --keys DIR    the key folder (default: $SAMVAD_KEYS, else ./keys)\n"
    "  --out DIR     where certificates' QR codes go as PNG files\n"
    "                (default: ./certificates)\n"
    "\n"
    "Exit codes: 0 at end of input, 2 usage, 3 specs failed to load, 4 I/O\n"
    "(also: no issuing key for --auto-approve), 5 the database cannot be\n"
    "opened or written.\n";

static const char help_gateway[] =
    "Usage: samvad gateway [--specs DIR] [--db PATH] [--retention-days N]\n"
    "                      [--auto-approve] [--keys DIR] [--out DIR]\n"
    "\n"
    "Reads one JSON object per line on stdin and writes one JSON object per\n"
    "reply on stdout; the last reply to a message has \"end\": true.\n"
    "In:  {\"from\": USER, \"id\": MSGID, \"text\": \"...\"}\n"
    "     {\"from\": USER, \"id\": MSGID, \"reply_id\": OPTION_ID}\n"
    "     {\"from\": USER, \"id\": MSGID, \"media\": {\"id\", \"mime\", "
    "\"caption\"}}\n"
    "     each may carry \"time\": \"2026-03-01T10:00:00+05:30\" (ISO 8601;\n"
    "     else the clock is used)\n"
    "Out: {\"to\", \"in_reply_to\", \"text\", \"lang\", \"flow\", \"state\"}\n"
    "     plus \"options\": [{\"id\", \"title\"}] when a choice is asked and\n"
    "     \"application\": {\"id\", \"service\"} when one is submitted.\n"
    "A malformed line gets {\"error\": {\"code\", \"message\"},\n"
    "\"in_reply_to\", \"end\": true} and the gateway carries on; codes:\n"
    "bad_json, missing_field, bad_field, too_long, bad_time, store,\n"
    "internal.\n"
    "Each message id is applied once; a reply is written only after its\n"
    "step is stored. A department's decision (samvad approve, reject) is\n"
    "written as a line with \"in_reply_to\": null; an approval's certificate\n"
    "comes with \"document\": {\"service\", \"number\", \"qr\", \"png\"}.\n"
    "See docs/cli.md and docs/operations.md.\n"
    "\n"
    "Options:\n"
    "  --specs DIR   the specs folder\n"
    "  --db PATH     the database (default: $SAMVAD_DB, else ./samvad.db;\n"
    "                :memory: keeps nothing)\n"
    "  --retention-days N  erase abandoned answers after N days (default: the\n"
    "                      catalogue's retention_days, 30)\n"
    "  --auto-approve  approve each application at once, issuing its\n"
    "                certificate (for demonstrations)\n"
    "  --keys DIR    the key folder (default: $SAMVAD_KEYS, else ./keys)\n"
    "  --out DIR     where certificates' QR codes go as PNG files\n"
    "                (default: ./certificates)\n"
    "\n"
    "Exit codes: 0 at end of input, 2 usage, 3 specs failed to load, 4 I/O\n"
    "(also: no issuing key for --auto-approve), 5 the database cannot be\n"
    "opened or written.\n";

static const char help_applications[] =
    "Usage: samvad applications [--service ID] [--status S] [--json]\n"
    "                           [--db PATH] [APP-ID]\n"
    "\n"
    "Lists the applications in the database, oldest first: a table with\n"
    "the citizens' numbers masked, or with --json one JSON object per line\n"
    "(id, service, user, status, submitted, decided, reason, answers; times\n"
    "in UTC). With APP-ID, shows that application's status history and\n"
    "audit trail instead.\n"
    "\n"
    "Options:\n"
    "  --service ID  only this service's applications\n"
    "  --status S    only those submitted, approved or rejected\n"
    "  --json        JSON lines, for programs (personal data in full)\n"
    "  --db PATH     the database (default: $SAMVAD_DB, else ./samvad.db)\n"
    "\n"
    "Exit codes: 0 success, 1 no such application, 2 usage, 4 output\n"
    "failed, 5 the database cannot be read.\n";

static const char help_approve[] =
    "Usage: samvad approve APP-ID [--actor NAME] [--reason TEXT] [--db PATH]\n"
    "                      [--specs DIR] [--keys DIR]\n"
    "\n"
    "Approves a submitted application. The decision, who made it and when\n"
    "go into its status history and the audit trail, and a notice to the\n"
    "citizen is queued in their language: a running gateway writes it as a\n"
    "line with \"in_reply_to\": null, and \"status\" in the chat shows it.\n"
    "A decision is final. Safe to run while a gateway uses the database.\n"
    "When the service issues a certificate, it is signed with the issuing\n"
    "key from the key folder, recorded, and sent with the notice; without\n"
    "such a key nothing is decided (run samvad keygen).\n"
    "\n"
    "Options:\n"
    "  --actor NAME   who decides (default: the login name, $USER)\n"
    "  --keys DIR     the key folder (default: $SAMVAD_KEYS, else ./keys)\n"
    "  --reason TEXT  a note kept with the decision\n"
    "  --db PATH      the database (default: $SAMVAD_DB, else ./samvad.db)\n"
    "  --specs DIR    the specs folder (the notice's wording)\n"
    "\n"
    "Exit codes: 0 approved, 1 no such application or already decided,\n"
    "2 usage, 3 specs failed to load, 4 no issuing key for its document\n"
    "type, 5 the database cannot be written.\n";

static const char help_reject[] =
    "Usage: samvad reject APP-ID --reason TEXT [--actor NAME] [--db PATH]\n"
    "                     [--specs DIR]\n"
    "\n"
    "Rejects a submitted application. The reason is required: the citizen\n"
    "is told it, in a notice queued as for `samvad approve`. The decision,\n"
    "who made it and when go into the status history and the audit trail.\n"
    "A decision is final.\n"
    "\n"
    "Options:\n"
    "  --reason TEXT  why (at most 1023 bytes)\n"
    "  --actor NAME   who decides (default: the login name, $USER)\n"
    "  --db PATH      the database (default: $SAMVAD_DB, else ./samvad.db)\n"
    "  --specs DIR    the specs folder (the notice's wording)\n"
    "\n"
    "Exit codes: 0 rejected, 1 no such application or already decided,\n"
    "2 usage (no --reason), 3 specs failed to load, 5 the database cannot\n"
    "be written.\n";

static const char help_db[] =
    "Usage: samvad db check|dump|sweep|migrate [--db PATH] [--specs DIR]\n"
    "                 [--retention-days N]\n"
    "\n"
    "  check    verifies the file (SQLite's integrity and foreign-key\n"
    "           checks), the schema version, its permissions, and that every\n"
    "           stored session and reply still reads under the specs; prints\n"
    "           each problem\n"
    "  dump     prints the sessions, processed messages (a hash of their\n"
    "           replies), applications, histories and audit trail as sorted\n"
    "           JSON lines, so that two databases can be compared with diff;\n"
    "           personal data in full\n"
    "  sweep    erases the answers of applications abandoned for longer than\n"
    "           the retention period, and the processed-message records and\n"
    "           delivered notices older than it; submitted applications are\n"
    "           kept (a gateway also does this hourly)\n"
    "  migrate  creates the database, or brings its schema up to date (any\n"
    "           command does this on opening; this does nothing else)\n"
    "\n"
    "Options:\n"
    "  --db PATH             the database (default: $SAMVAD_DB, else\n"
    "                        ./samvad.db)\n"
    "  --specs DIR           the specs folder (check, sweep)\n"
    "  --retention-days N    sweep: the retention period (default: the\n"
    "                        catalogue's retention_days, 30)\n"
    "\n"
    "Exit codes: 0 success (check: sound), 1 check found problems, 2 usage,\n"
    "3 specs failed to load, 4 output failed, 5 the database cannot be\n"
    "opened, read or written.\n";

static const char help_test[] =
    "Usage: samvad test [--specs DIR] [PATH...]\n"
    "\n"
    "Runs conversation transcripts: each PATH is a .chat file or a folder\n"
    "searched recursively for *.chat (default: the specs folder). Each file\n"
    "starts afresh. A mismatch is printed as FILE:LINE: expected ... with\n"
    "the bot's replies; the run ends with the line \"N passed, N failed\".\n"
    "The format is described in docs/transcripts.md.\n"
    "\n"
    "Options:\n"
    "  --specs DIR   the specs folder\n"
    "\n"
    "Exit codes: 0 all passed, 1 some failed (or none found), 2 usage,\n"
    "3 specs failed to load, 4 I/O (a PATH cannot be read).\n";

int host_print_help(const char *command, FILE *out) {
  const char *text;
  if (!command || !*command)
    text = overview;
  else if (strcmp(command, "chat") == 0)
    text = help_chat;
  else if (strcmp(command, "gateway") == 0)
    text = help_gateway;
  else if (strcmp(command, "test") == 0)
    text = help_test;
  else if (strcmp(command, "serve") == 0)
    text = host_serve_help;
  else if (strcmp(command, "applications") == 0)
    text = help_applications;
  else if (strcmp(command, "approve") == 0)
    text = help_approve;
  else if (strcmp(command, "reject") == 0)
    text = help_reject;
  else if (strcmp(command, "db") == 0)
    text = help_db;
  else if ((text = host_cert_help(command)) == NULL)
    return -1;
  fputs(text, out);
  return 0;
}

static int unknown_command(const char *cmd) {
  fprintf(stderr, "samvad: unknown command '%s'\nTry 'samvad --help'.\n", cmd);
  return HOST_EXIT_USAGE;
}

static int finish(int rc) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "samvad: cannot write standard output\n");
    return HOST_EXIT_IO;
  }
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(overview, stderr);
    return HOST_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    host_print_help(NULL, stdout);
    return finish(HOST_EXIT_OK);
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("samvad %s (libsamvad %s)\n", SAMVAD_VERSION_STRING,
           samvad_version());
    return finish(HOST_EXIT_OK);
  }
  if (strcmp(cmd, "help") == 0) {
    if (argc > 3) {
      fprintf(stderr, "samvad help: takes one command\n");
      return HOST_EXIT_USAGE;
    }
    if (host_print_help(argc == 3 ? argv[2] : NULL, stdout) != 0)
      return unknown_command(argv[2]);
    return finish(HOST_EXIT_OK);
  }
  if (strcmp(cmd, "chat") == 0)
    return finish(host_cmd_chat(argc - 1, argv + 1));
  if (strcmp(cmd, "gateway") == 0)
    return finish(host_cmd_gateway(argc - 1, argv + 1));
  if (strcmp(cmd, "test") == 0)
    return finish(host_cmd_test(argc - 1, argv + 1));
  if (strcmp(cmd, "serve") == 0)
    return finish(host_cmd_serve(argc - 1, argv + 1));
  if (strcmp(cmd, "applications") == 0)
    return finish(host_cmd_applications(argc - 1, argv + 1));
  if (strcmp(cmd, "approve") == 0)
    return finish(host_cmd_approve(argc - 1, argv + 1));
  if (strcmp(cmd, "reject") == 0)
    return finish(host_cmd_reject(argc - 1, argv + 1));
  if (strcmp(cmd, "db") == 0)
    return finish(host_cmd_db(argc - 1, argv + 1));
  if (strcmp(cmd, "keygen") == 0)
    return finish(host_cmd_keygen(argc - 1, argv + 1));
  if (strcmp(cmd, "keys") == 0)
    return finish(host_cmd_keys(argc - 1, argv + 1));
  if (strcmp(cmd, "revoke") == 0)
    return finish(host_cmd_revoke(argc - 1, argv + 1));
  if (strcmp(cmd, "verify") == 0)
    return finish(host_cmd_verify(argc - 1, argv + 1));
  return unknown_command(cmd);
}
