/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_srvmap.c - the client's error table is the inverse of the server's.
 *
 * Links the server's own fh_rv -> (status, code) table (src/server/
 * http_err.c) with a stand-in srv_error that records what it was given,
 * walks every fh_rv and every "what", maps the code back with the client's
 * table, and checks that the CLI exit code is the one the local CLI would
 * give for the original fh_rv. The few conditions the REST API reports
 * more coarsely are listed below, each with the reason; a new divergence
 * fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "client_err.h"
#include "exit.h"
#include "srv.h"

static int got_status;
static char got_code[64];

/* The server runtime's srv_error, reduced to recording its arguments. */
void
srv_error(struct srv_req *req, struct srv_resp *resp, int status, const char *code,
          const char *fmt, ...)
{
    (void)req;
    (void)fmt;
    got_status = status;
    snprintf(got_code, sizeof(got_code), "%s", code);
    resp->status = status;
    resp->error_code = code;
}

/* fh_rv values whose REST form reads differently from the local CLI, and why. */
static bool
coarser_over_rest(fh_rv rv, enum srv_what what)
{
    if (got_status == 500) {
        return true; /* "internal": the server's own failure, exit 1 whatever the cause */
    }
    if (rv == FH_E_NOT_SUPPORTED ||       /* 400 bad_request: the request asked for it */
        rv == FH_E_ATTR_TYPE_INVALID ||   /* 400 attribute_value_invalid: a bad template */
        rv == FH_E_TEMPLATE_INCOMPLETE || /* 400 template_inconsistent */
        rv == FH_E_ACTION_PROHIBITED ||   /* 403 forbidden */
        rv == FH_E_SIGNATURE_INVALID) {   /* verify answers {"valid": false}; else data_invalid */
        return true;
    }
    return rv == FH_E_NOT_FOUND && what == SRV_WHAT_MECHANISM; /* 400 mechanism_invalid */
}

static void
test_inverse(void **state)
{
    static const enum srv_what whats[] = {SRV_WHAT_NONE, SRV_WHAT_TOKEN, SRV_WHAT_KEY,
                                          SRV_WHAT_APIKEY, SRV_WHAT_MECHANISM};
    size_t tn = 0, checked = 0;
    const struct fh_client_errcode *t = fh_client_errcodes(&tn);

    (void)state;
    for (int v = 1; v < FH_RV_COUNT; v++) {
        for (size_t w = 0; w < sizeof(whats) / sizeof(whats[0]); w++) {
            struct srv_resp resp;
            fh_rv back;

            memset(&resp, 0, sizeof(resp));
            got_status = 0;
            srv_error_rv(NULL, &resp, (fh_rv)v, whats[w], NULL);
            assert_true(got_status >= 400);
            back = fh_client_rv_from_code(got_code, got_status);
            assert_int_not_equal(back, FH_OK);
            /* every code the server sends is in the client's table, with its status */
            {
                size_t k;

                for (k = 0; k < tn && strcmp(t[k].code, got_code) != 0; k++) {
                }
                if (k == tn) {
                    fail_msg("server code %s (fh_rv %s) missing from the client table", got_code,
                             fh_rv_str((fh_rv)v));
                }
                assert_int_equal(t[k].status, got_status);
            }
            if (coarser_over_rest((fh_rv)v, whats[w])) {
                continue;
            }
            if (cli_exit_code(back) != cli_exit_code((fh_rv)v)) {
                fail_msg("fh_rv %s -> %d %s -> %s: exit %d remotely, %d locally",
                         fh_rv_str((fh_rv)v), got_status, got_code, fh_rv_str(back),
                         cli_exit_code(back), cli_exit_code((fh_rv)v));
            }
            checked++;
        }
    }
    assert_true(checked > 100);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inverse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
