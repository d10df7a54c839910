/* SPDX-License-Identifier: Apache-2.0 */
/*
 * params.h - mechanisms and their parameters from a request body, for the
 * operation routes and the wrapped-key import (docs/api.md "Operations").
 *
 * The same rules as the CLI, with the parameter values of libferrohsm's
 * mparams.h (which both fronts use): PSS takes "hash"
 * (default sha256, salt = hash length) unless the mechanism fixes it; OAEP
 * takes "hash" (default sha256, also the MGF1 hash) and "oaep_label";
 * RSA_AES_KEY_WRAP takes "hash" (its OAEP's, as OAEP's; AES-256); GCM
 * takes "aad" and "tag_bits" (default 128); AES_CBC, AES_CBC_PAD, AES_CTR
 * and AES_GCM take "iv" (GCM 12 bytes by default, 16 otherwise; CTR exactly
 * 16, the whole block being the counter); AES_CMAC_GENERAL gives a full
 * 16-byte MAC. A field that means nothing for the mechanism is a 400 naming
 * it rather than silently ignored. The core and backend validate the rest.
 */
#ifndef FERROHSM_SERVER_PARAMS_H
#define FERROHSM_SERVER_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/ferrohsm.h"

#include "srv.h"

#define SRV_IV_MAX FH_MPARAMS_IV_MAX
#define SRV_OAEP_LABEL_MAX ((size_t)1024) /* bytes of an RSA-OAEP label */

struct srv_mparams {
    struct fh_mparams m; /* the mechanism, its parameters and the IV (mparams.h) */
    const char *name;    /* registry name, for messages and metrics */
    bool iv_given;       /* the body had "iv" */
    uint8_t *aad;  /* malloc'ed */
    size_t aad_len;
    uint8_t *label; /* OAEP label, malloc'ed */
    size_t label_len;
};

/*
 * The body field "mechanism" (PKCS#11 name without CKM_, any case) as a
 * mechanism available in the server's context: 400 mechanism_invalid
 * otherwise. *name: the registry spelling.
 */
bool srv_mech_from_body(struct srv_req *req, struct srv_resp *resp, CK_MECHANISM_TYPE *out,
                        const char **name);

/*
 * Build the parameters of type from the optional body fields hash, iv, aad,
 * tag_bits, oaep_label (the route's srv_body_only decides which may
 * appear). The IV is wired in by fh_mparams_wire_iv(&p->m) once p->m.iv
 * holds it. Clear p with srv_mparams_clear, also after a failure.
 */
bool srv_mparams_build(struct srv_req *req, struct srv_resp *resp, CK_MECHANISM_TYPE type,
                       struct srv_mparams *p);
void srv_mparams_clear(struct srv_mparams *p);

#endif /* FERROHSM_SERVER_PARAMS_H */
