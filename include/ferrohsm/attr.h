/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct fh_attrs: an ordered list of PKCS#11 attributes (type, value bytes).
 * It is the common language between the core, the backends and the store:
 * a backend reports the public attributes of a key it generated as an
 * fh_attrs, the core encodes an object's attributes as a TLV blob for the
 * store. Values are owned by the list and cleansed when freed, so a list may
 * briefly hold secret values (CKA_VALUE of a secret key being created).
 *
 * The struct is transparent (callers may iterate v[0..n)); modify it only
 * through the functions below.
 */
#ifndef FERROHSM_ATTR_H
#define FERROHSM_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"

#ifdef __cplusplus
extern "C" {
#endif

struct fh_attr {
    CK_ATTRIBUTE_TYPE type;
    uint8_t *value; /* NULL when len == 0 */
    size_t len;
};

struct fh_attrs {
    struct fh_attr *v;
    size_t n;
    size_t cap;
};

#define FH_ATTRS_INIT {NULL, 0, 0}

/* Upper bound of one attribute value and of a whole encoded list. */
#define FH_ATTR_MAX_VALUE (1u << 20)
#define FH_ATTRS_MAX_COUNT 256u

/* Set (replace or append) type to a copy of value[0..len). */
FH_API FH_NODISCARD fh_rv fh_attrs_set(struct fh_attrs *a, CK_ATTRIBUTE_TYPE type,
                                       const void *value, size_t len);
FH_API FH_NODISCARD fh_rv fh_attrs_set_bool(struct fh_attrs *a, CK_ATTRIBUTE_TYPE type, bool v);
FH_API FH_NODISCARD fh_rv fh_attrs_set_ulong(struct fh_attrs *a, CK_ATTRIBUTE_TYPE type,
                                             CK_ULONG v);
/* Remove type if present. */
FH_API void fh_attrs_del(struct fh_attrs *a, CK_ATTRIBUTE_TYPE type);

/* Borrowed pointer to the attribute, or NULL. */
FH_API const struct fh_attr *fh_attrs_get(const struct fh_attrs *a, CK_ATTRIBUTE_TYPE type);
/* The CK_BBOOL value of type, or def when absent or not one byte long. */
FH_API bool fh_attrs_bool(const struct fh_attrs *a, CK_ATTRIBUTE_TYPE type, bool def);
/* The CK_ULONG value of type, or def when absent or of the wrong length. */
FH_API CK_ULONG fh_attrs_ulong(const struct fh_attrs *a, CK_ATTRIBUTE_TYPE type, CK_ULONG def);

/* Deep copy src into *dst (dst must be empty or initialised). */
FH_API FH_NODISCARD fh_rv fh_attrs_copy(struct fh_attrs *dst, const struct fh_attrs *src);

/* Cleanse and free every value and the array; leaves *a empty and reusable. */
FH_API void fh_attrs_clear(struct fh_attrs *a);

/*
 * Encoding used in the store: "FA1" magic byte 0x01, then count (u32 BE), then
 * for each attribute type (u64 BE), length (u32 BE), value. decode checks every
 * bound and returns FH_E_STORE_CORRUPT on any malformed input; on failure *a is
 * left empty.
 */
FH_API FH_NODISCARD fh_rv fh_attrs_encode(const struct fh_attrs *a, uint8_t **out,
                                          size_t *out_len);
FH_API FH_NODISCARD fh_rv fh_attrs_decode(const uint8_t *in, size_t len, struct fh_attrs *a);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_ATTR_H */
