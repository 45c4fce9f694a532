/* probe: run inside a sandbox by the tests; reports what it sees as
 * `key: value` lines, or tries something a sandbox must refuse and prints
 * `ok` (exit 1: it worked) or `denied: ERRNO` (exit 0). Static, musl. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <syslog.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_tun.h>
#include <linux/kd.h>
#include <linux/keyctl.h>
#include <linux/reboot.h>

#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif

static const struct {
	int e;
	const char *name;
} errnames[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" },
	{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" },
	{ EBADF, "EBADF" }, { ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
	{ EXDEV, "EXDEV" }, { ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
	{ EINVAL, "EINVAL" }, { ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
	{ ETXTBSY, "ETXTBSY" }, { ENOSPC, "ENOSPC" }, { EROFS, "EROFS" }, { EPIPE, "EPIPE" },
	{ ENOSYS, "ENOSYS" }, { ELOOP, "ELOOP" }, { ENAMETOOLONG, "ENAMETOOLONG" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { EADDRINUSE, "EADDRINUSE" },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { ENETUNREACH, "ENETUNREACH" },
	{ EHOSTUNREACH, "EHOSTUNREACH" }, { ECONNREFUSED, "ECONNREFUSED" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { ENOKEY, "ENOKEY" }, { EUSERS, "EUSERS" },
	{ EDQUOT, "EDQUOT" },
};

static const char *errname(int e)
{
	static char buf[16];
	size_t i;

	for (i = 0; i < sizeof errnames / sizeof errnames[0]; i++) {
		if (errnames[i].e == e)
			return errnames[i].name;
	}
	snprintf(buf, sizeof buf, "E%d", e);
	return buf;
}

/* For the try-* commands: R < 0 (errno set) is what a sandbox must give. */
static int verdict(long r)
{
	if (r < 0) {
		printf("denied: %s\n", errname(errno));
		return 0;
	}
	printf("ok\n");
	return 1;
}

static void pause_forever(void)
{
	fflush(stdout);
	for (;;)
		pause();
}

/* Print each line of PATH as `PREFIX: line`, blanks squeezed. */
static int cat(const char *path, const char *prefix)
{
	char line[4096];
	FILE *f = fopen(path, "re");

	if (!f) {
		printf("%s: error %s\n", prefix, errname(errno));
		return 1;
	}
	while (fgets(line, sizeof line, f)) {
		char *p, *q;
		int blank = 0;

		for (p = q = line; *p; p++) {
			if (*p == ' ' || *p == '\t' || *p == '\n') {
				blank = 1;
				continue;
			}
			if (blank && q != line)
				*q++ = ' ';
			blank = 0;
			*q++ = *p;
		}
		*q = '\0';
		printf("%s: %s\n", prefix, line);
	}
	fclose(f);
	return 0;
}

static int cmd_ns(void)
{
	static const char *const ns[] = { "cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts" };
	char path[64], link[64];
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		ssize_t n;

		snprintf(path, sizeof path, "/proc/self/ns/%s", ns[i]);
		n = readlink(path, link, sizeof link - 1);
		if (n < 0) {
			/* loudly: a test that refutes a value must not pass
			 * because the value is missing */
			printf("%s: unreadable: %s\n", ns[i], strerror(errno));
			fflush(stdout);
			rc = 1;
			continue;
		}
		link[n] = '\0';
		/* "net:[4026531840]" -> the inode */
		link[strcspn(link, "]")] = '\0';
		printf("%s: %s\n", ns[i], strchr(link, '[') ? strchr(link, '[') + 1 : link);
		fflush(stdout);
	}
	return rc;
}

static int cmd_pids(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return 1;
	printf("pids:");
	while ((e = readdir(d))) {
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			printf(" %s", e->d_name);
	}
	printf("\n");
	closedir(d);
	return 0;
}

/* /proc/self/mountinfo as `mount: POINT FSTYPE OPTIONS`. */
/* The names in DIR, sorted, on one line: `ls: a b c`. */
static int cmd_ls(const char *dir)
{
	struct dirent **v;
	int i, n = scandir(dir, &v, NULL, alphasort);

	if (n < 0) {
		printf("ls: error %s\n", errname(errno));
		return 1;
	}
	printf("ls:");
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, ".."))
			printf(" %s", v[i]->d_name);
		free(v[i]);
	}
	printf("\n");
	free(v);
	return 0;
}

static int cmd_mounts(void)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return 1;
	while (fgets(line, sizeof line, f)) {
		char point[1024], opts[512], type[64];
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %1023s %511s", point, opts) != 2 ||
		    sscanf(dash + 3, "%63s", type) != 1)
			continue;
		printf("mount: %s %s %s\n", point, type, opts);
	}
	fclose(f);
	return 0;
}

static int cmd_caps(void)
{
	static const char *const keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
					    "NoNewPrivs", "Seccomp", "Uid", "Gid" };
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");
	size_t i;

	if (!f)
		return 1;
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			if (!strcmp(line, keys[i]))
				printf("%s: %s", line, colon + 1 + strspn(colon + 1, " \t"));
		}
	}
	fclose(f);
	return 0;
}

/* Names from if_nameindex (netlink), flags and IPv4 address from ioctls:
 * works without /sys and without /proc/net. */
static int cmd_links(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (!ifs || s < 0)
		return 1;
	for (i = ifs; i->if_name; i++) {
		struct ifreq r;
		char addr[INET_ADDRSTRLEN] = "-";
		int up = 0, prefix = 0;

		memset(&r, 0, sizeof r);
		snprintf(r.ifr_name, sizeof r.ifr_name, "%s", i->if_name);
		if (ioctl(s, SIOCGIFFLAGS, &r) == 0)
			up = !!(r.ifr_flags & IFF_UP);
		if (ioctl(s, SIOCGIFADDR, &r) == 0) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&r.ifr_addr)->sin_addr, addr, sizeof addr);
			if (ioctl(s, SIOCGIFNETMASK, &r) == 0)
				prefix = __builtin_popcount(((struct sockaddr_in *)&r.ifr_netmask)->sin_addr.s_addr);
		}
		if (addr[0] == '-')
			printf("link: %s %s -\n", i->if_name, up ? "up" : "down");
		else
			printf("link: %s %s %s/%d\n", i->if_name, up ? "up" : "down", addr, prefix);
	}
	if_freenameindex(ifs);
	close(s);
	return 0;
}

static int cmd_ipc(void)
{
	static const char *const kinds[] = { "msg", "sem", "shm" };
	char path[64], line[512];
	size_t i;

	for (i = 0; i < 3; i++) {
		FILE *f;
		int n = -1;

		snprintf(path, sizeof path, "/proc/sysvipc/%s", kinds[i]);
		f = fopen(path, "re");
		if (!f) {
			printf("%s: error %s\n", kinds[i], errname(errno));
			continue;
		}
		while (fgets(line, sizeof line, f))
			n++;	/* the first line is a header */
		fclose(f);
		printf("%s: %d\n", kinds[i], n < 0 ? 0 : n);
	}
	return 0;
}

static int try_ptrace(pid_t pid)
{
	long r = ptrace(PTRACE_ATTACH, pid, 0, 0);

	if (r == 0) {
		waitpid(pid, NULL, __WALL);
		ptrace(PTRACE_DETACH, pid, 0, 0);
	}
	return verdict(r);
}

/* A command bpf(2) does not know: the kernel answers EINVAL, whatever the
 * capabilities and sysctls; EPERM comes only from a filter that refuses the
 * call itself. */
static int try_bpf(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	return verdict(syscall(SYS_bpf, 0x7fff, &a, sizeof a));
}

/* An invalid time (tv_nsec of a whole second): the clock never moves, the
 * kernel answers EINVAL before it checks CAP_SYS_TIME; EPERM comes only from
 * a filter that refuses the call itself. */
static int try_settime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec = 1000000000;
	return verdict(clock_settime(CLOCK_REALTIME, &ts));
}

static int try_module(void)
{
	static const char junk[64];
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	long r = syscall(SYS_finit_module, fd, "", 0);

	if (r < 0 && errno != EPERM)	/* no /dev/null, or EBADF/ENOEXEC */
		r = syscall(SYS_init_module, junk, sizeof junk, "");
	return verdict(r);
}

static int do_connect(const char *addr, int port, int ms)
{
	struct sockaddr_in sa;
	struct pollfd p;
	socklen_t len;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err = 0;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (s < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		printf("failed: bad address\n");
		return 2;
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		if (errno != EINPROGRESS) {
			printf("failed: %s\n", errname(errno));
			return 1;
		}
		p.fd = s;
		p.events = POLLOUT;
		if (poll(&p, 1, ms) != 1) {
			printf("failed: ETIMEDOUT\n");
			return 1;
		}
		len = sizeof err;
		getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			printf("failed: %s\n", errname(err));
			return 1;
		}
	}
	printf("connected\n");
	close(s);
	return 0;
}

static int do_listen(int port)
{
	struct sockaddr_in sa;
	struct utsname u;
	char msg[128];
	ssize_t n;
	/* With `ready fd 3`, it says so there too once it listens (a service
	 * is given no other descriptor): looked at before its socket is made. */
	int ready = fcntl(3, F_GETFD) >= 0;
	int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	uname(&u);
	snprintf(msg, sizeof msg, "hello from %s\n", u.nodename);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 16) < 0) {
		printf("failed: %s\n", errname(errno));
		return 1;
	}
	printf("listening: %d\n", port);
	fflush(stdout);
	if (ready) {
		n = write(3, "ready\n", 6);
		close(3);
	}
	for (;;) {
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0)
			continue;
		n = write(c, msg, strlen(msg));
		close(c);
		(void)n;
	}
}

static int forkbomb(void)
{
	long n = 0;

	for (;;) {
		pid_t p = fork();

		if (p == 0)
			for (;;)
				pause();
		if (p < 0)
			break;
		n++;
	}
	printf("forks: %ld\nstopped: %s\n", n, errname(errno));
	pause_forever();
	return 0;
}

static int alloc(long mb)
{
	long i;

	for (i = 0; i < mb; i++) {
		char *p = malloc(1 << 20);

		if (!p) {
			printf("allocated: %ld\nstopped: ENOMEM\n", i);
			return 1;
		}
		memset(p, 0xa5, 1 << 20);
	}
	printf("allocated: %ld\n", mb);
	return 0;
}

/* N children each fork a grandchild and exit; the grandchildren, reparented
 * to the sandbox's reaper, exit a moment later and must be reaped. */
static int orphans(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0) {
			if (fork() == 0) {
				usleep(100000);
				_exit(0);
			}
			_exit(0);
		}
		if (p > 0)
			waitpid(p, NULL, 0);
	}
	printf("orphans: %d\n", n);
	pause_forever();
	return 0;
}

static int ignore_term(void)
{
	int i;

	signal(SIGTERM, SIG_IGN);
	for (i = 0; i < 2; i++) {
		if (fork() == 0)
			for (;;)
				pause();
	}
	printf("ignoring: TERM\n");
	pause_forever();
	return 0;
}

/* The open descriptors, but the one reading the list: `fds: 0 1 2`. */
static int cmd_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int mine, n = 0, v[1024];

	if (!d)
		return 1;
	mine = dirfd(d);
	while ((e = readdir(d)) && n < 1024)
		if (e->d_name[0] != '.' && atoi(e->d_name) != mine)
			v[n++] = atoi(e->d_name);
	closedir(d);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	printf("fds:");
	for (int i = 0; i < n; i++)
		printf(" %d", v[i]);
	printf("\n");
	return 0;
}

/* The supplementary groups: `groups: 0 6`, or `groups:` for none. */
static int cmd_groups(void)
{
	gid_t g[256];
	int n = getgroups(256, g);

	if (n < 0)
		return 1;
	printf("groups:");
	for (int i = 0; i < n; i++)
		printf(" %d", (int)g[i]);
	printf("\n");
	return 0;
}

/* A terminal ioctl REQ on a new pty made our controlling terminal (TIOCSTI
 * needs that, or CAP_SYS_ADMIN): in a child, which leads a session of its
 * own. Prints the verdict of the ioctl. */
static int try_tty_ioctl(unsigned long req)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int m, t;
		char c = 'x', sub[2] = { 12, 0 };	/* TIOCLINUX 12: the console's mode */

		setsid();
		m = open("/dev/ptmx", O_RDWR | O_CLOEXEC);
		if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
			printf("error: ptmx %s\n", errname(errno));
			_exit(2);
		}
		t = open(ptsname(m), O_RDWR | O_CLOEXEC);
		if (t < 0 || ioctl(t, TIOCSCTTY, 0) < 0) {
			printf("error: pty %s\n", errname(errno));
			_exit(2);
		}
		fflush(stdout);
		_exit(verdict(ioctl(t, req, req == TIOCSTI ? &c : sub)));
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return 2;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

static int try_pidfd_getfd(void)
{
	int pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	if (pfd < 0) {
		printf("error: pidfd_open %s\n", errname(errno));
		return 2;
	}
	return verdict(syscall(SYS_pidfd_getfd, pfd, 0, 0));
}

static int try_io_uring(void)
{
	long p[30] = { 0 };	/* struct io_uring_params: 120 bytes */

	return verdict(syscall(SYS_io_uring_setup, 4, p));
}

/* Write PATH up to MB MiB: `wrote: N` (MiB), or the error and the MiB
 * written before it (`denied: ENOSPC` then `wrote: N`). */
static int fill(const char *path, long mb)
{
	static char buf[1 << 20];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	long i;
	int r = 1;

	if (fd < 0)
		return verdict(-1);
	memset(buf, 'x', sizeof buf);
	for (i = 0; i < mb; i++) {
		size_t done = 0;

		while (done < sizeof buf) {
			ssize_t w = write(fd, buf + done, sizeof buf - done);

			if (w < 0)
				break;
			done += (size_t)w;
		}
		if (done < sizeof buf) {
			r = verdict(-1);
			break;
		}
	}
	printf("wrote: %ld\n", i);
	close(fd);
	unlink(path);
	return r;
}

/* Make the mount at PATH writable again, as a service given CAP_SYS_ADMIN
 * would try: a bind remount (keeping its other flags, which may be locked
 * on their own), or mount_setattr(2) clearing MOUNT_ATTR_RDONLY (SETATTR). */
static int try_remount_rw(const char *path, int setattr)
{
	static const struct {
		unsigned long st, ms;
	} keep[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME },
		{ ST_RELATIME, MS_RELATIME },
	};
	struct {
		uint64_t attr_set, attr_clr, propagation, userns_fd;
	} attr = { .attr_clr = 1 /* MOUNT_ATTR_RDONLY */ };
	unsigned long flags = MS_REMOUNT | MS_BIND;
	struct statvfs sv;
	size_t i;

	if (setattr)
		return verdict(syscall(442 /* mount_setattr */, AT_FDCWD, path, 0, &attr, sizeof attr));
	if (statvfs(path, &sv) < 0)
		return verdict(-1);
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (sv.f_flag & keep[i].st)
			flags |= keep[i].ms;
	return verdict(mount(NULL, path, NULL, flags, NULL));
}

static int usage(void)
{
	fprintf(stderr,
		"usage: probe ns|pids|hostname|uidmap|mounts|caps|links|cgroup|ipc|id|env|cwd|ls DIR\n"
		"       probe try-kill PID|try-mount|try-module|try-reboot|try-settime|try-write PATH\n"
		"             |try-open PATH r|rw\n"
		"             |try-ptrace PID|try-keyctl|try-bpf|try-userns|try-umount PATH\n"
		"             |try-mount [PATH]|try-remount-rw PATH|try-setattr-rw PATH\n"
		"       probe connect ADDR PORT [MS]|listen PORT|sleep S|forkbomb|alloc MB|spin\n"
		"             |echo-ready FD|orphans N|log N|syslog N|ignore-term|kdmode TTY\n"
		"             |tun PATH\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	const char *a = argc > 2 ? argv[2] : NULL;
	int n = a ? atoi(a) : 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "ns"))
		return cmd_ns();
	if (!strcmp(c, "pids"))
		return cmd_pids();
	if (!strcmp(c, "hostname")) {
		struct utsname u;

		uname(&u);
		printf("hostname: %s\n", u.nodename);
		return 0;
	}
	if (!strcmp(c, "uidmap"))
		return cat("/proc/self/uid_map", "uid_map") | cat("/proc/self/gid_map", "gid_map");
	if (!strcmp(c, "mounts"))
		return cmd_mounts();
	if (!strcmp(c, "ls") && a)
		return cmd_ls(a);
	if (!strcmp(c, "caps"))
		return cmd_caps();
	if (!strcmp(c, "links"))
		return cmd_links();
	if (!strcmp(c, "cgroup"))
		return cat("/proc/self/cgroup", "cgroup");
	if (!strcmp(c, "ipc"))
		return cmd_ipc();
	if (!strcmp(c, "id")) {
		printf("uid: %d\ngid: %d\npid: %d\n", (int)getuid(), (int)getgid(), (int)getpid());
		return 0;
	}
	if (!strcmp(c, "env")) {
		extern char **environ;
		char **e;

		for (e = environ; *e; e++)
			printf("env: %s\n", *e);
		return 0;
	}
	if (!strcmp(c, "cwd")) {
		char buf[4096];

		printf("cwd: %s\n", getcwd(buf, sizeof buf) ? buf : "?");
		return 0;
	}

	if (!strcmp(c, "try-kill") && a)
		return verdict(kill(n, 0));
	if (!strcmp(c, "try-mount"))
		return verdict(mount("sandinit-probe", a ? a : "/", "tmpfs", 0, NULL));
	if (!strcmp(c, "try-remount-rw") && a)
		return try_remount_rw(a, 0);
	if (!strcmp(c, "try-setattr-rw") && a)
		return try_remount_rw(a, 1);
	if (!strcmp(c, "try-module"))
		return try_module();
	if (!strcmp(c, "try-reboot"))
		return verdict(syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
				       LINUX_REBOOT_CMD_CAD_OFF, NULL));
	if (!strcmp(c, "try-settime"))
		return try_settime();
	if (!strcmp(c, "try-write") && a)
		return verdict(open(a, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	if (!strcmp(c, "try-open") && argc >= 4)
		return verdict(open(a, (strcmp(argv[3], "rw") ? O_RDONLY : O_RDWR) | O_CLOEXEC));
	if (!strcmp(c, "try-ptrace") && a)
		return try_ptrace(n);
	if (!strcmp(c, "try-keyctl"))
		return verdict(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1));
	if (!strcmp(c, "try-bpf"))
		return try_bpf();
	if (!strcmp(c, "try-userns"))
		return verdict(unshare(CLONE_NEWUSER));

	if (!strcmp(c, "connect") && argc >= 4)
		return do_connect(a, atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 1000);
	if (!strcmp(c, "listen") && a)
		return do_listen(n);
	if (!strcmp(c, "sleep") && a) {
		sleep((unsigned)n);
		return 0;
	}
	if (!strcmp(c, "forkbomb"))
		return forkbomb();
	if (!strcmp(c, "alloc") && a)
		return alloc(atol(a));
	if (!strcmp(c, "spin"))
		for (;;)
			;
	if (!strcmp(c, "echo-ready") && a) {
		if (write(n, "ready\n", 6) != 6)
			return 1;
		pause_forever();
	}
	if (!strcmp(c, "orphans") && a)
		return orphans(n);
	if (!strcmp(c, "log") && a) {
		int i;

		for (i = 1; i <= n; i++)
			printf("line %d\n", i);
		return 0;
	}
	if (!strcmp(c, "try-umount") && a)
		return verdict(umount2(a, MNT_DETACH));
	if (!strcmp(c, "fds"))
		return cmd_fds();
	if (!strcmp(c, "groups"))
		return cmd_groups();
	if (!strcmp(c, "try-tiocsti"))
		return try_tty_ioctl(TIOCSTI);
	if (!strcmp(c, "try-tioclinux"))
		return try_tty_ioctl(TIOCLINUX);
	if (!strcmp(c, "try-pidfd-getfd"))
		return try_pidfd_getfd();
	if (!strcmp(c, "try-io-uring"))
		return try_io_uring();
	if (!strcmp(c, "fill") && argc >= 4)
		return fill(a, atol(argv[3]));
	if (!strcmp(c, "syslog") && a) {
		static const int lv[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
		int i;

		/* syslog(3) as a daemon calls it: `msg I` at err, warning,
		 * info and debug in turn. */
		openlog("probe", LOG_PID, LOG_DAEMON);
		for (i = 1; i <= n; i++)
			syslog(lv[(i - 1) % 4], "msg %d", i);
		return 0;
	}
	if (!strcmp(c, "kdmode") && a) {
		/* A VT's mode (console_ioctl(2)): what `tty ... graphics` sets. */
		int fd = open(a, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), m = -1;

		if (fd < 0 || ioctl(fd, KDGETMODE, &m) < 0) {
			printf("kdmode: %s\n", errname(errno));
			return 1;
		}
		printf("kdmode: %s\n", m == KD_GRAPHICS ? "graphics" : m == KD_TEXT ? "text" : "other");
		return 0;
	}
	if (!strcmp(c, "ignore-term"))
		return ignore_term();
	if (!strcmp(c, "tun") && a) {
		/* A VPN daemon's first steps: open the clone device, make a
		 * tun interface (TUNSETIFF, in its network namespace). */
		struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
		int fd = open(a, O_RDWR | O_CLOEXEC);

		snprintf(ifr.ifr_name, IFNAMSIZ, "sbtun%%d");
		if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
			printf("tun: %s\n", errname(errno));
			return 1;
		}
		printf("tun: %s\n", ifr.ifr_name);
		return 0;
	}
	return usage();
}
