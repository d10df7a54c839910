/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.c - failed-authentication rate limiting per client address, and the
 * public id of a presented API key (for the audit record of a failure).
 *
 * The limiter is a fixed table (open addressing, 8 probes) of client
 * addresses with the times of their last SRV_RATE_FAILURES failures. An
 * address is limited while its oldest remembered failure of a full set is
 * younger than SRV_RATE_WINDOW_S. When the probe window is full, the entry
 * whose last failure is oldest is replaced: memory stays bounded whatever
 * the number of clients. One mutex guards the table.
 */
#include "srv-int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RL_SLOTS 4096
#define RL_PROBES 8
#define ADDR_MAX 16

struct rl_entry {
    bool used;
    uint8_t addr[ADDR_MAX];
    size_t addr_len;
    int64_t fails[SRV_RATE_FAILURES]; /* ring of monotonic seconds */
    size_t next;
    size_t n;
};

struct srv_ratelimit {
    pthread_mutex_t lock;
    struct rl_entry e[RL_SLOTS];
};

static int64_t
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

fh_rv
srv_ratelimit_new(struct srv_ratelimit **out)
{
    struct srv_ratelimit *rl = calloc(1, sizeof(*rl));

    if (rl == NULL) {
        return FH_E_NOMEM;
    }
    pthread_mutex_init(&rl->lock, NULL);
    *out = rl;
    return FH_OK;
}

void
srv_ratelimit_free(struct srv_ratelimit *rl)
{
    if (rl != NULL) {
        pthread_mutex_destroy(&rl->lock);
        free(rl);
    }
}

static size_t
hash_addr(const uint8_t *a, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (size_t i = 0; i < n; i++) {
        h = (h ^ a[i]) * 16777619u;
    }
    return h % RL_SLOTS;
}

static int64_t
newest(const struct rl_entry *e)
{
    return e->n == 0 ? 0 : e->fails[(e->next + SRV_RATE_FAILURES - 1) % SRV_RATE_FAILURES];
}

/* The entry of addr, or NULL; create: find or make one. Lock held. */
static struct rl_entry *
lookup_locked(struct srv_ratelimit *rl, const uint8_t *a, size_t n, bool create)
{
    size_t h = hash_addr(a, n);
    struct rl_entry *victim = NULL;

    for (size_t i = 0; i < RL_PROBES; i++) {
        struct rl_entry *e = &rl->e[(h + i) % RL_SLOTS];

        if (e->used && e->addr_len == n && memcmp(e->addr, a, n) == 0) {
            return e;
        }
        if (!e->used) {
            if (victim == NULL || victim->used) {
                victim = e;
            }
        } else if (victim == NULL || (victim->used && newest(e) < newest(victim))) {
            victim = e;
        }
    }
    if (!create || victim == NULL) {
        return NULL;
    }
    memset(victim, 0, sizeof(*victim));
    victim->used = true;
    memcpy(victim->addr, a, n);
    victim->addr_len = n;
    return victim;
}

unsigned
srv_ratelimit_check(struct srv_ratelimit *rl, const void *addr, size_t addr_len)
{
    struct rl_entry *e;
    unsigned wait = 0;

    if (addr_len > ADDR_MAX) {
        addr_len = ADDR_MAX;
    }
    pthread_mutex_lock(&rl->lock);
    e = lookup_locked(rl, addr, addr_len, false);
    if (e != NULL && e->n >= SRV_RATE_FAILURES) {
        /* ring full: fails[next] is the oldest of the last SRV_RATE_FAILURES */
        int64_t oldest = e->fails[e->next], now = now_s();

        if (now - oldest < SRV_RATE_WINDOW_S) {
            wait = (unsigned)(oldest + SRV_RATE_WINDOW_S - now);
        }
    }
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

void
srv_ratelimit_fail(struct srv_ratelimit *rl, const void *addr, size_t addr_len)
{
    struct rl_entry *e;

    if (addr_len > ADDR_MAX) {
        addr_len = ADDR_MAX;
    }
    pthread_mutex_lock(&rl->lock);
    e = lookup_locked(rl, addr, addr_len, true);
    if (e != NULL) {
        e->fails[e->next] = now_s();
        e->next = (e->next + 1) % SRV_RATE_FAILURES;
        if (e->n < SRV_RATE_FAILURES) {
            e->n++;
        }
    }
    pthread_mutex_unlock(&rl->lock);
}

bool
srv_apikey_id_of(const char *p, size_t len, char id[FH_APIKEY_ID_HEX + 1])
{
    if (len < 4 + FH_APIKEY_ID_HEX + 1 || memcmp(p, "fhk_", 4) != 0 ||
        p[4 + FH_APIKEY_ID_HEX] != '_') {
        return false;
    }
    for (size_t i = 0; i < FH_APIKEY_ID_HEX; i++) {
        char c = p[4 + i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
        id[i] = c;
    }
    id[FH_APIKEY_ID_HEX] = '\0';
    return true;
}
