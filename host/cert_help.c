/* cert_help.c - the help of the certificate commands (keygen, keys,
 * revoke, verify), kept beside them rather than in main.c. */
#include <string.h>

#include "cert_cmd.h"

static const char help_keygen[] =
    "Usage: samvad keygen [--keys DIR] [--root DIR] [--force]\n"
    "       samvad keygen --rotate [--keys DIR] [--root DIR]\n"
    "\n"
    "Creates the keys that sign certificates, in keys/ unless --keys DIR or\n"
    "$SAMVAD_KEYS says otherwise: a root key, an issuing key for every\n"
    "document the services issue, a trust list naming the issuing key and\n"
    "an empty revocation list, both signed by the root. Issuing (samvad\n"
    "approve) and samvad verify then work with no flags. Seed files are\n"
    "private (mode 0600); key ids are derived from the public keys.\n"
    "Existing keys are never replaced without --force.\n"
    "\n"
    "Options:\n"
    "  --keys DIR   the key folder (default: $SAMVAD_KEYS, else ./keys)\n"
    "  --root DIR   keep the root key's seed in DIR instead, e.g. on a\n"
    "               removable disk (production); the key folder then holds\n"
    "               only root.pub. --rotate reads the root seed from there.\n"
    "  --force      replace existing keys: certificates signed by the old\n"
    "               ones no longer verify, and the revocation list restarts\n"
    "  --rotate     add a new issuing key (same document types) and re-sign\n"
    "               the trust list; new certificates are signed with it, the\n"
    "               old keys stay listed so their certificates still verify\n"
    "  --now TIME   the time to record (tests and demonstrations)\n"
    "\n"
    "Exit codes: 0 done, 1 the trust list is full, 2 usage or keys already\n"
    "there (no --force), 4 a key file cannot be read or written.\n";

static const char help_keys[] =
    "Usage: samvad keys [list] [--keys DIR]\n"
    "       samvad keys withdraw KEY-ID [--reason TEXT] [--keys DIR]\n"
    "                   [--root DIR]\n"
    "\n"
    "list      prints the trust list's issuing keys: id, status (issuing:\n"
    "          the key that signs now; active; withdrawn), whether its seed\n"
    "          is here, document types, validity and label\n"
    "withdraw  withdraws a key, for instance one that may have leaked: every\n"
    "          certificate it signed is refused from then on (exit 4 in\n"
    "          samvad verify), whatever date it carries. Needs the root key\n"
    "          (in the key folder, or --root DIR). The reason goes into the\n"
    "          folder's history.log.\n"
    "\n"
    "Options:\n"
    "  --keys DIR     the key folder (default: $SAMVAD_KEYS, else ./keys)\n"
    "  --root DIR     where the root key's seed is kept\n"
    "  --reason TEXT  why the key is withdrawn\n"
    "  --now TIME     the time to record (tests and demonstrations)\n"
    "\n"
    "Exit codes: 0 done, 1 no such key or withdrawn already, 2 usage,\n"
    "4 a key file cannot be read or written (e.g. no root seed).\n";

static const char help_revoke[] =
    "Usage: samvad revoke CERT-NUMBER --reason TEXT [--keys DIR] [--root DIR]\n"
    "\n"
    "Adds a certificate to the signed revocation list "
    "(keys/revocations.list),\n"
    "which verifiers consult: samvad verify then exits 7. The list is\n"
    "signed by the root key when its seed is at hand (in the key folder or\n"
    "--root DIR), else by the current issuing key. The list stores a reason\n"
    "code: the first word of TEXT that names one (error, superseded, fraud,\n"
    "cancelled), else unspecified; the whole text goes into the folder's\n"
    "history.log only, since the list is public.\n"
    "\n"
    "Options:\n"
    "  --reason TEXT  why (required), e.g. \"superseded by MC-...\"\n"
    "  --keys DIR     the key folder (default: $SAMVAD_KEYS, else ./keys)\n"
    "  --root DIR     where the root key's seed is kept\n"
    "  --actor NAME   who revokes, for the history (default: $USER)\n"
    "  --now TIME     the time to record (tests and demonstrations)\n"
    "\n"
    "Exit codes: 0 revoked, 1 revoked already (or the list is full),\n"
    "2 usage (not a certificate number, no --reason), 4 a key file cannot\n"
    "be read or written.\n";

static const char help_verify[] =
    "Usage: samvad verify [--keys DIR] [--now TIME] [--json] QR-TEXT\n"
    "       samvad verify [--keys DIR] [--now TIME] [--json] --png FILE\n"
    "\n"
    "Checks a certificate offline: its QR text (\"SV1:...\"; - reads it from\n"
    "standard input), or the QR code in a PNG image (scanned with libzbar).\n"
    "It must be signed by a key of the key folder's trust list that may\n"
    "sign its document type, be in force at TIME, and not be in the\n"
    "revocation list. Prints the verdict and, once the signature holds,\n"
    "the certificate's fields; --json prints them as one JSON object\n"
    "(verdict, exit_code, reason, failed_step, warnings, certificate).\n"
    "\n"
    "Options:\n"
    "  --keys DIR   the key folder: root.pub, trust.list, revocations.list\n"
    "               (default: $SAMVAD_KEYS, else ./keys)\n"
    "  --now TIME   check at this time instead of now, e.g.\n"
    "               2027-01-01T00:00:00+05:30, or Unix seconds\n"
    "  --png FILE   read the QR code from a PNG image\n"
    "  --json       machine-readable output\n"
    "\n"
    "Exit codes (the verdict):\n"
    "  0  valid\n"
    "  2  usage (or FILE cannot be read as a PNG)\n"
    "  3  malformed: wrong prefix, not Base45, too short or long, truncated,\n"
    "     bytes after the signature, unknown version, a non-canonical body;\n"
    "     also an image with no QR code\n"
    "  4  untrusted: a key the trust list does not name, a withdrawn key, a\n"
    "     key not allowed this document type or outside its validity; also\n"
    "     a key folder that cannot be read\n"
    "  5  bad signature: the certificate was altered\n"
    "  6  expired, or not yet valid\n"
    "  7  revoked\n";

const char *host_cert_help(const char *command) {
  if (strcmp(command, "keygen") == 0)
    return help_keygen;
  if (strcmp(command, "keys") == 0)
    return help_keys;
  if (strcmp(command, "revoke") == 0)
    return help_revoke;
  if (strcmp(command, "verify") == 0)
    return help_verify;
  return NULL;
}
