/* mount_overlay: `readonly overlay` (SPEC §3), made by the sandbox's first
 * process once its user namespace exists and before it takes its root's
 * identity (spawn.c): an overlayfs whose lower layer is a read-only copy of
 * the root's mount and whose upper layer is a tmpfs of its own, detached;
 * the child attaches it over its staged root (mount.c). It lives as long as
 * the sandbox's mount namespace: every start begins from the root's files.
 *
 * Mounted in PID 1's user namespace, so copy-up can write the upper layer
 * whoever owns the root's files. The lower copy is idmapped through the
 * user namespace the service runs in (its own, or its pod's) where the file
 * system allows it (ext4, btrfs, xfs; tmpfs from Linux 6.3): files of host
 * ids 0..COUNT-1 are the service's ids 0..COUNT-1 then, and its root may
 * change /etc. Elsewhere the files keep their owners. Only the root's own
 * file system is layered, not what is mounted below it. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount_int.h"
#include "util.h"

#define SB_MOUNT_ATTR_IDMAP 0x100000

/* A detached tmpfs of SIZE bytes holding u (the upper layer, as ROOT's
 * top directory: mode, owner UID) and w (overlayfs's work directory). */
static int upper(unsigned long long size, const struct stat *root, unsigned uid)
{
	char sz[24];
	int t;

	snprintf(sz, sizeof sz, "%llu", size);
	t = mnt_new_tmpfs(sz, "700", 0);
	if (t >= 0 && (mkdirat(t, "u", 0700) < 0 || mkdirat(t, "w", 0700) < 0 ||
		       fchmodat(t, "u", root->st_mode & 07777, 0) < 0 ||
		       fchownat(t, "u", uid, uid, AT_SYMLINK_NOFOLLOW) < 0))
		return close_fail(t);
	return t;
}

/* FS's three layer options: key and value pairs, NUL-separated. */
static int layers(int fs)
{
	static const char kv[] = "lowerdir\0/proc/l\0upperdir\0/proc/u/u\0workdir\0/proc/u/w";
	const char *k = kv;

	for (int i = 0; i < 3; i++) {
		const char *v = k + strlen(k) + 1;

		if (syscall(SYS_fsconfig, fs, SB_FSCONFIG_SET_STRING, k, v, 0) < 0)
			return -1;
		k = v + strlen(v) + 1;
	}
	return 0;
}

/* The overlayfs of context FS on LOW and UP (u, w), detached: made by a
 * child sharing PID 1's descriptors in a mount namespace of its own, where
 * the layers are attached (Linux 6.1 takes only layers in the mounter's
 * namespace); the overlay keeps private copies of them. Its fd, or -1. */
static int layered(int fs, int low, int up)
{
	int slot = dup(fs), st;
	pid_t pid;

	if (slot < 0)
		return -1;
	pid = (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		int m;

		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", "/proc", "tmpfs", 0, "size=16k") < 0 ||
		    mkdir("/proc/l", 0700) < 0 || mkdir("/proc/u", 0700) < 0 ||
		    mnt_move(low, AT_FDCWD, "/proc/l") < 0 ||
		    mnt_move(up, AT_FDCWD, "/proc/u") < 0 ||
		    layers(fs) < 0 || syscall(SYS_fsconfig, fs, SB_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
		    (m = (int)syscall(SYS_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */, SB_MOUNT_ATTR_NODEV)) < 0 ||
		    dup3(m, slot, O_CLOEXEC) < 0 || close(m) < 0)	/* PID 1's table (CLONE_FILES) */
			_exit(errno & 0xff ? errno & 0xff : EINVAL);
		_exit(0);
	}
	st = -1;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (st != -1 && WIFEXITED(st) && !WEXITSTATUS(st))
		return slot;
	close(slot);
	errno = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : ECHILD;
	return -1;
}

int mnt_overlay(const char *src, unsigned long long size, int userns, unsigned base,
		unsigned count, const char **step)
{
	struct sb_mount_attr a = { .attr_set = SB_MOUNT_ATTR_IDMAP };
	struct stat st;
	int low, up = -1, fs = -1, r = -1;

	*step = stepf("overlay: copy root %s", src);
	low = mnt_clone(AT_FDCWD, src, 0);
	if (low < 0 || fstat(low, &st) < 0)
		goto out;
	*step = "overlay: make the root's copy read-only";
	if (mnt_set_ro(low, "", AT_EMPTY_PATH) < 0)
		goto out;
	*step = "overlay: idmap the root's copy";
	if (userns >= 0) {
		a.userns_fd = (uint64_t)userns;
		/* EINVAL: a file system without idmapped mounts */
		if (syscall(SYS_mount_setattr, low, "", AT_EMPTY_PATH, &a, sizeof a) == 0)
			st.st_uid = st.st_uid < count ? base + st.st_uid : (uid_t)-1;
		else if (errno != EINVAL)
			goto out;
	}
	*step = "overlay: mount its tmpfs";
	if ((up = upper(size, &st, st.st_uid)) < 0)
		goto out;
	/* ENODEV here: no overlayfs in the kernel (`modules overlay`) */
	*step = "open overlayfs (modules overlay?)";
	fs = (int)syscall(SYS_fsopen, "overlay", 1 /* FSOPEN_CLOEXEC */);
	if (fs < 0)
		goto out;
	*step = "mount the overlay";
	r = layered(fs, low, up);
out:
	close_fail(fs);
	close_fail(up);
	close_fail(low);
	return r;
}
