/* SPDX-License-Identifier: Apache-2.0 */
/* Version, export and attribute macros shared by every public header. */
#ifndef FERROHSM_VERSION_H
#define FERROHSM_VERSION_H

#define FH_VERSION_MAJOR 0
#define FH_VERSION_MINOR 1
#define FH_VERSION_PATCH 0
#define FH_VERSION_STRING "0.1.0"

#if defined(FH_BUILDING_LIBRARY)
#define FH_API __attribute__((visibility("default")))
#else
#define FH_API
#endif

#define FH_NODISCARD __attribute__((warn_unused_result))

#endif /* FERROHSM_VERSION_H */
