/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigder.h - ECDSA signatures between PKCS#11's r||s and DER (sigder.c).
 * Part of fh_base: the soft backend, the core's public fh_ecdsa_sig_*
 * functions (describe.c) and their callers share it. Not installed.
 */
#ifndef FERROHSM_SRC_CORE_SIGDER_H
#define FERROHSM_SRC_CORE_SIGDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest r or s, in bytes: far beyond any curve (P-521: 66). */
#define FHI_ECDSA_HALF_MAX 4096

/* DER size of r||s with halves of `half` bytes each; 0 for a bad input. */
size_t fhi_ecdsa_der_size(const uint8_t *raw, size_t half);

/* raw = r||s, `half` bytes each, as DER into der; *der_len in: room, out:
 * length. False for a bad input or too little room. */
bool fhi_ecdsa_raw_to_der(const uint8_t *raw, size_t half, uint8_t *der, size_t *der_len);

/* Strict DER der[0..der_len) into r||s of `half` bytes each: false unless it
 * is the one DER encoding of two non-negative integers that fit. */
bool fhi_ecdsa_der_to_raw(const uint8_t *der, size_t der_len, size_t half, uint8_t *raw);

#endif
