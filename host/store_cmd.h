/* store_cmd.h - the commands that work on the database itself rather than
 * on conversations: listing applications, the department's decisions and
 * the database's upkeep (check, dump, sweep, migrate). */
#ifndef SAMVAD_HOST_STORE_CMD_H
#define SAMVAD_HOST_STORE_CMD_H

/* Each gets its own argv (argv[0] is the command name) and returns an exit
 * code (enum host_exit). */
int host_cmd_applications(int argc, char **argv);
int host_cmd_approve(int argc, char **argv);
int host_cmd_reject(int argc, char **argv);
int host_cmd_db(int argc, char **argv);

#endif
