/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vendor.h - FerroHSM's vendor-defined PKCS#11 values (PKCS#11 v3.0 §3.7
 * and §4.1: values from CKA_VENDOR_DEFINED up are the vendor's). They are
 * kept out of pkcs11.h, which holds only what the standard defines, and
 * all use the prefix 0x4648 ("FH") under the vendor bit.
 *
 * FH_CKA_IMPORT_TRANSPORT (CK_BBOOL, RSA public and private keys): the key
 * pair is a token's import transport key (docs/api.md "Import transport
 * key"): ferrohsm-server made it to unwrap keys that clients import wrapped
 * with CKM_RSA_AES_KEY_WRAP, and shows it on no key route. It is set at
 * generation only (C_CreateObject and C_UnwrapKey refuse it with
 * CKR_TEMPLATE_INCONSISTENT) and never changes (CKR_ATTRIBUTE_READ_ONLY).
 * The marker alone grants nothing: what the key may do is what its other
 * attributes allow (the server gives it CKA_UNWRAP with
 * CKA_ALLOWED_MECHANISMS = {CKM_RSA_AES_KEY_WRAP} only, and makes it
 * neither modifiable nor destroyable), and the server uses a marked key
 * only when those attributes say so.
 */
#ifndef FERROHSM_VENDOR_H
#define FERROHSM_VENDOR_H

#include "ferrohsm/pkcs11/pkcs11.h"

#define FH_CKA_IMPORT_TRANSPORT (CKA_VENDOR_DEFINED | 0x46480001UL)

#endif /* FERROHSM_VENDOR_H */
