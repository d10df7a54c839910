/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd.h - entry points of the CLI commands, dispatched by main.c from its
 * commands[] table. Each receives the words after the command name(s) and
 * returns the process exit code (docs/cli.md), having printed at most one
 * error line.
 */
#ifndef FERROHSM_CLI_CMD_H
#define FERROHSM_CLI_CMD_H

typedef int (*cli_cmd_fn)(int argc, char **argv);

/* cmd_token.c */
int cmd_token_init(int argc, char **argv);
int cmd_token_list(int argc, char **argv);
int cmd_token_delete(int argc, char **argv);
int cmd_token_set_pin(int argc, char **argv);
int cmd_token_unlock(int argc, char **argv);

/* cmd_key.c */
int cmd_key_generate(int argc, char **argv);
int cmd_key_list(int argc, char **argv);
int cmd_key_show(int argc, char **argv);
int cmd_key_delete(int argc, char **argv);
int cmd_key_export_public(int argc, char **argv);

/* cmd_crypto.c */
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_encrypt(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);

/* cmd_digest.c */
int cmd_digest(int argc, char **argv);
int cmd_random(int argc, char **argv);

/* cmd_audit.c */
int cmd_audit_list(int argc, char **argv);
int cmd_audit_verify(int argc, char **argv);

/* cmd_mech.c */
int cmd_mechanisms(int argc, char **argv);

/* cmd_apikey.c */
int cmd_apikey_create(int argc, char **argv);
int cmd_apikey_list(int argc, char **argv);
int cmd_apikey_revoke(int argc, char **argv);

#endif /* FERROHSM_CLI_CMD_H */
