/* SPDX-License-Identifier: Apache-2.0 */
/* Umbrella header of libferrohsm: what a front includes. */
#ifndef FERROHSM_FERROHSM_H
#define FERROHSM_FERROHSM_H

#include "ferrohsm/apikey.h"
#include "ferrohsm/attr.h"
#include "ferrohsm/audit.h"
#include "ferrohsm/backend.h"
#include "ferrohsm/ctx.h"
#include "ferrohsm/describe.h"
#include "ferrohsm/mech.h"
#include "ferrohsm/mparams.h"
#include "ferrohsm/newkey.h"
#include "ferrohsm/rv.h"
#include "ferrohsm/secret.h"
#include "ferrohsm/session.h"
#include "ferrohsm/store.h"
#include "ferrohsm/tmplwrap.h"
#include "ferrohsm/token.h"
#include "ferrohsm/vendor.h"
#include "ferrohsm/version.h"

#endif /* FERROHSM_FERROHSM_H */
