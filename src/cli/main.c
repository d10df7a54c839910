/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - entry point of `ferrohsm`: process hardening, global options and
 * dispatch through the commands[] table.
 *
 * Hardening before anything else: the CLI holds PINs, so it sets up the
 * OpenSSL secure heap (fh_secret allocates from it), marks the process
 * non-dumpable and sets RLIMIT_CORE to 0 so that no core file can carry a
 * PIN. A failing secure heap (e.g. RLIMIT_MEMLOCK) is not fatal: fh_secret
 * falls back to the ordinary heap and still cleanses.
 *
 * Exit status: the command's; 1 if standard output could not be written
 * (a full disk or closed pipe must not look like success).
 */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <openssl/crypto.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "cmd.h"
#include "exit.h"
#include "remote.h"

struct cli_command {
    const char *group; /* first word */
    const char *sub;   /* second word, or NULL for single-word commands */
    cli_cmd_fn run;
    const char *summary;
};

static const struct cli_command commands[] = {
    {"token", "init", cmd_token_init, "create a token (and the store on first use)"},
    {"token", "list", cmd_token_list, "list tokens"},
    {"token", "delete", cmd_token_delete, "delete a token and its objects (SO PIN)"},
    {"token", "set-pin", cmd_token_set_pin, "change the user or SO PIN"},
    {"token", "unlock", cmd_token_unlock, "reset a locked user PIN (SO PIN)"},
    {"key", "generate", cmd_key_generate, "generate a key pair or secret key"},
    {"key", "list", cmd_key_list, "list the keys of a token"},
    {"key", "show", cmd_key_show, "show a key's attributes"},
    {"key", "delete", cmd_key_delete, "delete a key (both halves of a pair)"},
    {"key", "export-public", cmd_key_export_public, "write a public key as PEM"},
    {"sign", NULL, cmd_sign, "sign or MAC data"},
    {"verify", NULL, cmd_verify, "verify a signature or MAC"},
    {"encrypt", NULL, cmd_encrypt, "encrypt data"},
    {"decrypt", NULL, cmd_decrypt, "decrypt data"},
    {"digest", NULL, cmd_digest, "hash data (no PIN)"},
    {"random", NULL, cmd_random, "random bytes (no PIN)"},
    {"audit", "list", cmd_audit_list, "list audit records"},
    {"audit", "verify", cmd_audit_verify, "verify the audit hash chain"},
    {"mechanisms", NULL, cmd_mechanisms, "list available mechanisms"},
    {"apikey", "create", cmd_apikey_create, "create an API key for the server (shown once)"},
    {"apikey", "list", cmd_apikey_list, "list API keys (never the keys themselves)"},
    {"apikey", "revoke", cmd_apikey_revoke, "revoke an API key"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
print_help(FILE *f)
{
    fprintf(f, "Usage: ferrohsm [--help] [--version] [SERVER OPTIONS] <command> [<subcommand>] "
               "[options]\n\n"
               "Commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        char name[40];

        snprintf(name, sizeof(name), "%s%s%s", commands[i].group, commands[i].sub ? " " : "",
                 commands[i].sub ? commands[i].sub : "");
        fprintf(f, "  %-22s %s\n", name, commands[i].summary);
    }
    fprintf(f, "\nEvery command accepts --help. PINs come from --pin-file/--so-pin-file/"
               "--new-pin-file,\nFERROHSM_PIN/FERROHSM_SO_PIN/FERROHSM_NEW_PIN, or a prompt; "
               "never from arguments.\nConfiguration: FERROHSM_CONF, else "
               "$FERROHSM_HOME/ferrohsm.conf.\n");
    fprintf(f, "\nServer options (before the command) run it through ferrohsm-server's REST API:\n"
               "  --server URL          https://HOST:PORT (else FERROHSM_SERVER; http:// only to "
               "loopback)\n"
               "  --api-key-file FILE   API key: first line of FILE (else FERROHSM_API_KEY)\n"
               "  --cacert FILE         CA certificates for the server (else FERROHSM_CACERT)\n"
               "  --server-pin PIN      sha256//BASE64 key pin the server printed (else "
               "FERROHSM_SERVER_PIN)\n");
}

static void
print_group_help(FILE *f, const char *group)
{
    fprintf(f, "Usage: ferrohsm %s <subcommand> [options]\n\nSubcommands:\n", group);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].group, group) == 0) {
            fprintf(f, "  %-16s %s\n", commands[i].sub, commands[i].summary);
        }
    }
    fprintf(f, "\nSee 'ferrohsm %s <subcommand> --help'.\n", group);
}

static bool
is_help(const char *w)
{
    return strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0;
}

static void
harden(void)
{
    struct rlimit no_core = {0, 0};

    /* 1 MiB of secure heap, 32-byte minimum allocation: PINs and the odd key. */
    (void)CRYPTO_secure_malloc_init((size_t)1 << 20, 32);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    (void)setrlimit(RLIMIT_CORE, &no_core);
}

/*
 * Run the command argv names; *name receives "group sub" for messages
 * (empty when no command was recognised).
 */
static int
dispatch(int argc, char **argv, char *name, size_t name_len)
{
    const char *group;
    bool known_group = false;

    if (argc < 2) {
        fprintf(stderr, "ferrohsm: missing command (see 'ferrohsm --help')\n");
        return CLI_EXIT_USAGE;
    }
    if (is_help(argv[1])) {
        print_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ferrohsm %s\n", FH_VERSION_STRING);
        return CLI_EXIT_OK;
    }
    group = argv[1];
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].group, group) != 0) {
            continue;
        }
        known_group = true;
        if (commands[i].sub == NULL) {
            snprintf(name, name_len, "%s", group);
            return commands[i].run(argc - 2, argv + 2);
        }
        if (argc >= 3 && strcmp(commands[i].sub, argv[2]) == 0) {
            snprintf(name, name_len, "%s %s", group, commands[i].sub);
            return commands[i].run(argc - 3, argv + 3);
        }
    }
    if (!known_group) {
        char shown[128];

        snprintf(shown, sizeof(shown), "%s", group);
        cli_sanitize(shown); /* one line, no terminal escapes */
        fprintf(stderr, "ferrohsm: unknown %s '%s' (see 'ferrohsm --help')\n",
                group[0] == '-' ? "option" : "command", shown);
        return CLI_EXIT_USAGE;
    }
    if (argc >= 3 && is_help(argv[2])) {
        print_group_help(stdout, group);
        return CLI_EXIT_OK;
    }
    if (argc < 3) {
        fprintf(stderr, "ferrohsm: %s: missing subcommand (see 'ferrohsm %s --help')\n", group,
                group);
    } else {
        char shown[128];

        snprintf(shown, sizeof(shown), "%s", argv[2]);
        cli_sanitize(shown);
        fprintf(stderr, "ferrohsm: %s: unknown subcommand '%s' (see 'ferrohsm %s --help')\n", group,
                shown, group);
    }
    return CLI_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
    char name[48] = "";
    int code;

    harden();
    code = cli_remote_global_options(&argc, &argv); /* --server ... before the command */
    if (code == 0) {
        code = dispatch(argc, argv, name, sizeof(name));
    }
    /*
     * Text output goes through stdio: a full disk or a closed pipe shows up
     * here. A command that failed already printed its one line.
     */
    if ((fflush(stdout) != 0 || ferror(stdout)) && code == CLI_EXIT_OK) {
        fprintf(stderr, "ferrohsm: %s%scannot write to standard output\n", name,
                name[0] != '\0' ? ": " : "");
        code = CLI_EXIT_OTHER;
    }
    CRYPTO_secure_malloc_done();
    return code;
}
