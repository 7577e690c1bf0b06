/* main.c - the samvad binary's entry point: command dispatch, help, version
 * and the exit codes every command shares. */
#include <string.h>

#include "options.h"

static const char overview[] =
    "samvad - citizen services as conversations (Hindi and English)\n"
    "\n"
    "Usage: samvad COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  chat      talk to the services in this terminal, as on WhatsApp\n"
    "  gateway   drive conversations through JSON lines on stdin/stdout\n"
    "  test      run conversation transcripts (*.chat) against the specs\n"
    "  help CMD  show the help of a command\n"
    "\n"
    "Options:\n"
    "  --help, -h   show this help        --version   show the version\n"
    "\n"
    "Specs: --specs DIR, else ./fsm-specs when present, else\n"
    "  " SAMVAD_INSTALLED_SPECS "\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  some transcripts failed (samvad test)\n"
    "  2  usage error (unknown command or option, bad argument)\n"
    "  3  the specs failed to load (each problem printed to stderr as\n"
    "     file:json.path: error: message)\n"
    "  4  I/O error (a file or stream could not be read or written)\n";

static const char help_chat[] =
    "Usage: samvad chat [--lang hi|en] [--specs DIR]\n"
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
    "\n"
    "Exit codes: 0 at end of input, 2 usage, 3 specs failed to load, 4 I/O.\n";

static const char help_gateway[] =
    "Usage: samvad gateway [--specs DIR]\n"
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
    "bad_json, missing_field, bad_field, too_long, bad_time, internal.\n"
    "Sessions are kept in memory. See docs/cli.md.\n"
    "\n"
    "Options:\n"
    "  --specs DIR   the specs folder\n"
    "\n"
    "Exit codes: 0 at end of input, 2 usage, 3 specs failed to load, 4 I/O.\n";

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
  else
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
  return unknown_command(cmd);
}
