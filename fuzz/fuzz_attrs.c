/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_attrs.c - the store's attribute TLV decoder (every object's public
 * attributes, sealed values and token records go through it). Decoding
 * arbitrary bytes must fail cleanly or give a list that re-encodes to the
 * same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ferrohsm/attr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fh_attrs a = FH_ATTRS_INIT;
    uint8_t *enc = NULL;
    size_t enc_len = 0;

    if (fh_attrs_decode(data, size, &a) == FH_OK) {
        if (fh_attrs_encode(&a, &enc, &enc_len) != FH_OK || enc_len != size ||
            memcmp(enc, data, size) != 0) {
            abort(); /* decode accepted something encode does not produce */
        }
        free(enc);
    }
    fh_attrs_clear(&a);
    return 0;
}
