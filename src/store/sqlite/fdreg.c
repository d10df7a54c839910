/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fdreg.c - file descriptors of ours on the database file and its -shm
 * file, closed only when no connection of this process uses that file.
 *
 * POSIX advisory locks belong to the process and the file, not to the
 * descriptor: close(2) of ANY descriptor of a file drops every lock the
 * process holds on it, SQLite's included. The store opens the database
 * file itself before SQLite does (check_file) and maps the -shm header
 * (generation). Closing those descriptors while another connection of the
 * same process (a second fh_ctx, the audit writer's connection) is open on
 * the file would silently drop that connection's locks: another process
 * could then take the file for the last connection, checkpoint and delete
 * the WAL while we go on writing into the unlinked one, and both would
 * commit to diverging copies. So every such descriptor is handed to this
 * registry, keyed by the file's device and inode, and a reference is taken
 * per connection; the descriptors of a file are closed together when its
 * last reference goes, which is after every connection on it has closed.
 */
#include "sqlite-int.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct fdfile {
    dev_t dev;
    ino_t ino;
    unsigned refs;
    size_t n_fds, cap_fds;
    int *fds;
    struct fdfile *next;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fdfile *reg;

bool
fhi_fdreg_keep(int fd, struct fhi_fdkey *key)
{
    struct fdfile *f;
    struct stat st;
    bool ok = false;

    key->set = false;
    if (fd < 0 || fstat(fd, &st) != 0) {
        return false; /* no inode, no safe close: the descriptor stays open */
    }
    pthread_mutex_lock(&reg_lock);
    for (f = reg; f != NULL; f = f->next) {
        if (f->dev == st.st_dev && f->ino == st.st_ino) {
            break;
        }
    }
    if (f == NULL) {
        f = calloc(1, sizeof(*f));
        if (f != NULL) {
            f->dev = st.st_dev;
            f->ino = st.st_ino;
            f->next = reg;
            reg = f;
        }
    }
    if (f != NULL && f->n_fds == f->cap_fds) {
        size_t cap = f->cap_fds ? 2 * f->cap_fds : 4;
        int *v = realloc(f->fds, cap * sizeof(*v));

        if (v != NULL) {
            f->fds = v;
            f->cap_fds = cap;
        }
    }
    if (f != NULL && f->n_fds < f->cap_fds) {
        f->fds[f->n_fds++] = fd;
        f->refs++;
        key->dev = st.st_dev;
        key->ino = st.st_ino;
        key->set = true;
        ok = true;
    }
    pthread_mutex_unlock(&reg_lock);
    return ok; /* false: out of memory; the descriptor is left open for good */
}

void
fhi_fdreg_release(struct fhi_fdkey *key)
{
    struct fdfile **pp, *f;

    if (key == NULL || !key->set) {
        return;
    }
    key->set = false;
    pthread_mutex_lock(&reg_lock);
    for (pp = &reg; (f = *pp) != NULL; pp = &f->next) {
        if (f->dev == key->dev && f->ino == key->ino) {
            break;
        }
    }
    if (f != NULL && --f->refs == 0) {
        *pp = f->next;
        for (size_t i = 0; i < f->n_fds; i++) {
            close(f->fds[i]);
        }
        free(f->fds);
        free(f);
    }
    pthread_mutex_unlock(&reg_lock);
}
