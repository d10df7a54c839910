/* SPDX-License-Identifier: Apache-2.0 */
/*
 * find.c - C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal state.
 *
 * C_FindObjectsInit takes a snapshot of matching handles from the core
 * (fh_object_find applies visibility and matching); C_FindObjects pages
 * through it. An object created or destroyed after the snapshot is not
 * reflected, which §5.7.8 permits. Guarded by the session's call lock.
 */
#include "p11.h"

#include <stdlib.h>

fh_rv
p11_find_init(struct p11_find *f, fh_session *fs, const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
    CK_OBJECT_HANDLE *v = NULL;
    size_t count = 0;
    fh_rv rv;

    if (f->active) {
        return FH_E_OP_ACTIVE; /* §5.7.7 */
    }
    rv = fh_object_find(fs, tmpl, n, &v, &count);
    if (rv != FH_OK) {
        return rv;
    }
    f->v = v;
    f->n = count;
    f->pos = 0;
    f->active = true;
    return FH_OK;
}

fh_rv
p11_find_next(struct p11_find *f, CK_OBJECT_HANDLE *out, CK_ULONG max, CK_ULONG *count)
{
    CK_ULONG k = 0;

    if (!f->active) {
        return FH_E_OP_NOT_INITIALIZED;
    }
    while (k < max && f->pos < f->n) {
        out[k++] = f->v[f->pos++];
    }
    *count = k;
    return FH_OK;
}

fh_rv
p11_find_final(struct p11_find *f)
{
    if (!f->active) {
        return FH_E_OP_NOT_INITIALIZED;
    }
    p11_find_clear(f);
    return FH_OK;
}

void
p11_find_clear(struct p11_find *f)
{
    free(f->v);
    f->v = NULL;
    f->n = f->pos = 0;
    f->active = false;
}
