/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c - what every store shares: releasing the records a store fills
 * (store.h, "Memory").
 *
 * Token meta holds PIN verifiers and wrapped token master keys, and object
 * secrets are ciphertext; neither is plaintext key material (STYLE rule 16),
 * but both are cleansed before free so that no copy outlives its record.
 */
#include "ferrohsm/store.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static void
free_cleansed(uint8_t *p, size_t len)
{
    if (p != NULL) {
        OPENSSL_cleanse(p, len);
        free(p);
    }
}

/*
 * fh_store_token_clear - free the malloc'ed fields of a token record filled
 * by a store and zero the record. NULL is a no-op; a zeroed record is fine.
 */
void
fh_store_token_clear(struct fh_store_token *t)
{
    if (t == NULL) {
        return;
    }
    free(t->label);
    free_cleansed(t->meta, t->meta_len);
    memset(t, 0, sizeof *t);
}

/*
 * fh_store_object_clear - free the malloc'ed fields of an object record filled
 * by a store and zero the record. NULL is a no-op; a zeroed record is fine.
 */
void
fh_store_object_clear(struct fh_store_object *o)
{
    if (o == NULL) {
        return;
    }
    free(o->label);
    free(o->ckid);
    free(o->attrs);
    free_cleansed(o->secret, o->secret_len);
    memset(o, 0, sizeof *o);
}

/*
 * fh_store_audit_clear - free the malloc'ed strings of an audit record filled
 * by a store and zero the record (hashes included). NULL is a no-op.
 */
void
fh_store_audit_clear(struct fh_store_audit *r)
{
    if (r == NULL) {
        return;
    }
    free(r->actor);
    free(r->front);
    free(r->operation);
    free(r->object);
    free(r->result);
    free(r->corr_id);
    memset(r, 0, sizeof *r);
}

/*
 * fh_store_apikey_clear - free the malloc'ed strings of an API key record
 * filled by a store and zero the record (the hash is cleansed with it: it is
 * no secret, but it need not linger). NULL is a no-op.
 */
void
fh_store_apikey_clear(struct fh_store_apikey *k)
{
    if (k == NULL) {
        return;
    }
    free(k->name);
    free(k->tokens);
    OPENSSL_cleanse(k, sizeof *k);
}
