/* mount: a sandbox's file system view: root, binds, tmpfs, private /proc and
 * /dev, pivot_root. Runs in the sandbox's first process, in its new mount
 * namespace (of PID 1's user namespace: spawn.c), before it enters its user
 * namespace and the service is forked. */
#ifndef SANDINIT_MOUNT_H
#define SANDINIT_MOUNT_H

#include "conf.h"

/* Build the root of S and pivot_root into it; the old root is detached.
 * Call it in the sandbox's first process, as root of PID 1's user namespace
 * (with the sandbox's root's fsuid). /proc is mounted here too, so the caller
 * must already be in the new pid namespace (PID 1 of it). SYSLOG_FD (or
 * -1): an unbound datagram socket of PID 1's, bound at the sandbox's
 * /dev/log. Linux >= 5.12. On failure returns -1 with errno set and *STEP naming what
 * failed (a static or thread-local string, e.g. "bind /data"). */
int mnt_sandbox(const struct svc_conf *s, int syslog_fd, const char **step);

/* The template: what every default sandbox's mounts start from, built once
 * (and again when PID 1's mounts change) instead of in each sandbox. Call
 * it in a fresh mount namespace of PID 1's (unshare): the root, read-only
 * unless RW, without the host's /proc, /sys, /dev, /run and /tmp mounts, a /dev of
 * the SPEC's nodes, then pivot_root. A sandbox cloned from it (CLONE_NEWNS
 * copies the few mounts it has) only mounts what is its own:
 * mnt_sandbox_in_template. -1 with errno and *STEP. */
int mnt_template(int rw, const char **step);
int mnt_sandbox_in_template(const struct svc_conf *s, int syslog_fd, const char **step);
/* Does S's view start from the template? (no root of its own; a
 * `readonly no` one from a writable template: RW) */
int mnt_fits_template(const struct svc_conf *s);

/* A proc of the caller's pid namespace, detached (fsmount(2)); its fd or
 * -1 with errno. mnt_set_proc(FD) makes it the next sandbox's /proc, unless
 * that is `proc pid-only` (mnt_sandbox*, which close it). */
int mnt_proc_open(void);
void mnt_set_proc(int fd);

/* In PID 1, before S's clone: detached copies of S's bind sources (made
 * read-only unless `rw`), device nodes (dev_grant's) and its terminal TTY
 * (-1 none), which the child attaches wherever its view starts from;
 * mnt_release closes PID 1's after the clone. -1 with errno and *STEP (the
 * bind or device that failed). */
int mnt_prepare(const struct svc_conf *s, int tty, const char **step);
void mnt_release(void);

/* In the sandbox's first process, its user namespace made (USERNS, -1
 * none, mapping 0..COUNT-1 to BASE..) but not entered, before it takes its
 * root's identity: S's `readonly overlay`, if it has one, which
 * mnt_sandbox attaches. -1 with errno and *STEP. */
int mnt_overlay_make(const struct svc_conf *s, int userns, unsigned base, unsigned count,
		     const char **step);
/* In the sandbox's first process: the host ids its user namespace maps
 * (0..COUNT-1 to BASE..), whose files its root's capabilities cover: a
 * directory on a target's path that they do not and that its root cannot
 * search is covered for it (SPEC §3 `bind`, mount_graft.c). */
void mnt_set_ids(unsigned base, unsigned count);
/* A detached, read-only copy of the mount of the file PATH (open_tree(2)
 * OPEN_TREE_CLONE), made in PID 1's mount namespace: a sandbox can attach
 * it in its own (move_mount(2)) where a path of PID 1's would not be
 * seen. Its fd, or -1 with errno. */
int mnt_clone_file(const char *path);
/* The next sandbox's /etc/resolv.conf: FD from mnt_clone_file, or -1. Set
 * after mnt_prepare, before the clone; the child attaches it (see SPEC §3
 * `interface`); mnt_release closes it. */
void mnt_set_resolv(int fd);

/* CONFIG (PID 1's config file, if an absolute path) and C's global mount
 * targets stay out of every sandbox's view unless it binds them (SPEC §6):
 * the config as an empty file. Copied; -1 with errno ENOMEM. */
int mnt_hide(const char *config, const struct conf *c);

#endif
