/* mount_int: what mount.c, mount_kfs.c, mount_graft.c and mount_overlay.c
 * share: the mount API's calls (musl has no wrappers), the sandbox being
 * set up, and each file's entry points. */
#ifndef SANDINIT_MOUNT_INT_H
#define SANDINIT_MOUNT_INT_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#endif
#define SB_MOUNT_ATTR_RDONLY 0x1
#define SB_OPEN_TREE_CLONE 1
#define SB_MOVE_MOUNT_F_EMPTY_PATH 0x4
#define SB_MOVE_MOUNT_T_EMPTY_PATH 0x40
#define SB_MOUNT_ATTR_NOSUID 0x2
#define SB_MOUNT_ATTR_NODEV 0x4
#define SB_MOUNT_ATTR_NOEXEC 0x8
#define SB_FSCONFIG_SET_STRING 1
#define SB_FSCONFIG_CMD_CREATE 6

/* struct mount_attr, spelled out: glibc's <sys/mount.h> and <linux/mount.h>
 * both define it and do not mix. */
struct sb_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/* The sandbox being set up (mount.c): its new root as a path in the old
 * one and an O_PATH of it, the root of the proc mnt_mount_at goes through
 * (mnt_root, or "" for the one on /), PID 1's unbound /dev/log socket for
 * it (-1: none), the detached copies of its bind sources then its
 * device nodes then its terminal (mnt_prepare), and the terminal's path in
 * /dev ("": none bound). */
extern char mnt_root[64];
extern int mnt_root_fd;
extern const char *mnt_fd_proc;
extern int mnt_log_fd;
extern int *mnt_src_fd;
extern char mnt_tty[PATH_MAX];
/* mnt_root's PATH (from "/") into BUF of SIZE bytes. */
void mnt_path(char *buf, size_t size, const char *path);

/* mount.c: mount(2) on a descriptor from mnt_at(), through the new root's
 * proc; move the detached mount *SRC (closed, set to -1) onto PATH; a tmpfs
 * of the sandbox's own at PATH (KIND as mnt_at's). */
int mnt_mount_at(const char *src, int fd, const char *type, unsigned long flags, const char *data);
/* mount_graft.c: NAME (S_IFDIR or S_IFREG: empty, new) made in directory DFD. */
int mnt_make_in(int dfd, const char *name, mode_t kind);
int mnt_attach(int *src, const char *path);
int mnt_tmpfs_at(const char *path, mode_t kind, unsigned long flags, const char *data);

/* mount_kfs.c: the mount at DFD/PATH, or the new root's PATH (RECURSIVE:
 * with every mount below), read-only; an empty read-only tmpfs (directory)
 * or /dev/null (file) over PATH, nothing if it is missing; the masked
 * list's entries; the size of a tmpfs without SIZE for S (SPEC §3); S's
 * proc, whole /dev (S NULL: the template's), the devpts, shm and /dev/log
 * of a /dev at PREFIX, and /sys. Each -1 with errno and *STEP. */
int mnt_set_ro(int dfd, const char *path, unsigned flags);
int mnt_make_ro(const char *path, int recursive);
int mnt_mask(const char *path);
int mnt_mask_kernel(const char **step);
uint64_t mnt_tmpfs_size(const struct svc_conf *s);
int mnt_mount_proc(const struct svc_conf *s, const char **step);
int mnt_mount_dev(const struct svc_conf *s, const char **step);
int mnt_dev_own(const struct svc_conf *s, const char *prefix, const char **step);
int mnt_mount_sys(const char **step);

/* A detached tmpfs (fsmount(2)) of SIZE and MODE as fsconfig(2) takes
 * them, with the mount attributes ATTR; its fd, or -1 with errno. */
int mnt_new_tmpfs(const char *size, const char *mode, unsigned attr);
/* A detached copy (open_tree(2) OPEN_TREE_CLONE) of PATH under DFD, or of
 * DFD itself if PATH is "", with the AT_* FLAGS; its fd or -1. */
int mnt_clone(int dfd, const char *path, unsigned flags);
/* Move the detached mount FROM (move_mount(2)) onto PATH under TO, or
 * onto TO itself if PATH is "". */
int mnt_move(int from, int to, const char *path);
/* An O_PATH descriptor of PATH under DIRFD, resolved as if DIRFD were "/"
 * (openat2(2) RESOLVE_IN_ROOT). */
int mnt_resolve(int dirfd, const char *path);
/* For the sandbox S (NULL: the template) being set up in the root *ROOT_FD:
 * forget the last one's tmpfs and grafts. */
void mnt_graft_reset(const struct svc_conf *s, int *root_fd);
/* The tmpfs mount FD is on is the sandbox's own (GRAFT_FD: a graft's root,
 * kept until mnt_graft_close, else -1): mnt_at makes mount points in it. */
int mnt_own(int fd, int graft_fd);
/* Is FD on a tmpfs of the sandbox's own (mnt_own's)? */
int mnt_is_own(int fd);
/* PATH in the root, made (KIND S_IFDIR or S_IFREG, parents as directories)
 * if it does not exist and KIND is not 0; its O_PATH descriptor or -1. */
int mnt_at(const char *path, mode_t kind);
/* Bind DFD's entry NAME, with what is mounted below it, onto TO's TO_NAME. */
int mnt_bind_entry(int dfd, const char *name, int to, const char *to_name);
/* Done with the grafts' descriptors (each is read-only already). */
void mnt_graft_close(void);
/* Did a graft cover the root itself? Then *ROOT_FD names it and the
 * sandbox enters it with pivot_root. */
int mnt_graft_root(void);
/* `readonly overlay` over the root SRC (mount_overlay.c): a detached
 * overlayfs, its upper tmpfs of SIZE bytes, its lower layer idmapped
 * through USERNS (-1: none), which maps 0..COUNT-1 to BASE..; -1 with
 * errno and *STEP. */
int mnt_overlay(const char *src, unsigned long long size, int userns, unsigned base,
		unsigned count, const char **step);

#endif
