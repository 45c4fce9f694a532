/* mount_int: what mount.c and mount_graft.c share: the mount API's calls
 * (musl has no wrappers) and the graft's entry points. */
#ifndef SANDINIT_MOUNT_INT_H
#define SANDINIT_MOUNT_INT_H

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

/* An O_PATH descriptor of PATH under DIRFD, resolved as if DIRFD were "/"
 * (openat2(2) RESOLVE_IN_ROOT). */
int mnt_resolve(int dirfd, const char *path);
/* For the sandbox S (NULL: the template) being set up in the root *ROOT_FD:
 * forget the last one's tmpfs and grafts. */
void mnt_graft_reset(const struct svc_conf *s, int *root_fd);
/* The tmpfs mount FD is on is the sandbox's own (GRAFT_FD: a graft's root,
 * kept until mnt_graft_close, else -1): mnt_at makes mount points in it. */
int mnt_own(int fd, int graft_fd);
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
