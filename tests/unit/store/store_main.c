/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_main.c - test_store_sqlite: every group of the SQLite store tests
 * (store_test.c holds only helpers, which test_audit_pages shares).
 */
#include "store_test.h"

int
main(void)
{
    int failed = 0;

    failed += st_run_record_tests();
    failed += st_run_file_tests();
    failed += st_run_apikey_tests();
    failed += st_run_audit_tests();
    return failed == 0 ? 0 : 1;
}
