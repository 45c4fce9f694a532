/* cgroup_harness: drives init/cgroup.c against a real cgroup2 and prints one
 * PASS/FAIL line per check. As PID 1 (a QEMU initramfs's /init) it mounts
 * proc, sysfs and cgroup2 itself, also checks the limits are enforced, then
 * powers off. Otherwise: cgroup_harness [CGROUP2-MOUNT], e.g. inside
 * `unshare --mount --cgroup` with a cgroup2 mounted there. */
#include "../../init/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>	/* struct clone_args, CLONE_INTO_CGROUP */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

static int failures, passes;
static const char *root = "/sys/fs/cgroup";

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok)
		passes++;
	else
		failures++;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Reap whatever was reparented to us (PID 1 or subreaper). */
static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Bounded poll until NAME's cgroup is empty; its wait in ms, or -1. */
static int wait_empty(const char *name, int max_ms)
{
	long long t0 = now_us();

	for (int ms = 0; ms <= max_ms; ms += 5) {
		reap_orphans();
		if (cg_empty(name) == 1)
			return (int)((now_us() - t0) / 1000);
		sleep_ms(5);
	}
	return -1;
}

static pid_t clone_into(int cg_fd)
{
	struct clone_args a;

	memset(&a, 0, sizeof(a));
	a.flags = CLONE_INTO_CGROUP;
	a.exit_signal = SIGCHLD;
	a.cgroup = (unsigned long long)cg_fd;
	return (pid_t)syscall(SYS_clone3, &a, sizeof(a));
}

/* Contents of ROOT/sandinit/NAME/FILE (first line kept whole), "" if none. */
static const char *cg_file(const char *name, const char *file)
{
	static char text[1024];
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/sandinit/%s/%s", root, name, file);
	text[0] = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return text;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = 0;
	return text;
}

static long long field(const char *text, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == ' ')
			return atoll(p + k + 1);
	return -1;
}

static int has_controller(const char *c)
{
	char list[256], *save = NULL;

	snprintf(list, sizeof(list), "%s", cg_controllers());
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!strcmp(t, c))
			return 1;
	return 0;
}

static int count_fds(void)
{
	char path[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (access(path, F_OK) == 0)
			n++;
	}
	return n;
}

static void svc_init(struct svc_conf *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
}

/* A child in the cgroup that pauses; with FORKS, a grandchild too. */
static pid_t sleeper(int cg_fd, int forks)
{
	pid_t pid = clone_into(cg_fd);

	if (pid == 0) {
		if (forks && fork() < 0)
			_exit(2);
		for (;;)
			pause();
	}
	return pid;
}

static int died_of(pid_t pid, int sig)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFSIGNALED(st) && WTERMSIG(st) == sig;
}

static void test_basic(const char *name, int fallback)
{
	struct svc_conf s;
	const char *step = "";
	char want[64];
	int fd, r, e, ms;
	pid_t pid;

	svc_init(&s, name);
	fd = cg_create(&s, &step);
	e = errno;
	check(fd >= 0, "%s: cg_create%s%s: %s", name, fd < 0 ? ": unable to " : "",
	      fd < 0 ? step : "", fd < 0 ? strerror(e) : "ok");
	if (fd < 0)
		return;
	pid = sleeper(fd, 1);
	e = errno;
	close(fd);
	check(pid > 0, "%s: clone3 CLONE_INTO_CGROUP: %s", name, pid > 0 ? "ok" : strerror(e));
	if (pid <= 0)
		return;
	sleep_ms(50);	/* let the grandchild be forked */
	snprintf(want, sizeof(want), "/sandinit/%s\n", name);
	{
		char path[64], text[256] = "";
		int cfd;
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
		cfd = open(path, O_RDONLY | O_CLOEXEC);
		n = cfd >= 0 ? read(cfd, text, sizeof(text) - 1) : -1;
		if (cfd >= 0)
			close(cfd);
		text[n > 0 ? n : 0] = 0;
		{
			const char *v2 = strstr(text, "0::");

			check(strstr(text, want) != NULL, "%s: child's /proc/PID/cgroup has %.*s",
			      name, v2 ? (int)strcspn(v2, "\n") : 0, v2 ? v2 : "");
		}
	}
	check(cg_empty(name) == 0, "%s: cg_empty says populated", name);
	errno = 0;
	r = cg_remove(name);
	e = errno;
	check(r < 0 && e == EBUSY, "%s: cg_remove while populated: %s", name, strerror(e));
	r = fallback ? cg_kill_procs(name) : cg_kill(name);
	check(r == 0, "%s: %s", name, fallback ? "cg_kill_procs (pre-5.14 path)" : "cg_kill");
	check(died_of(pid, SIGKILL), "%s: child died of SIGKILL", name);
	ms = wait_empty(name, 3000);
	check(ms >= 0, "%s: empty %d ms after the kill (grandchild included)", name, ms);
	check(cg_remove(name) == 0, "%s: cg_remove", name);
	check(cg_remove(name) == 0, "%s: cg_remove of a removed cgroup is fine", name);
	check(cg_empty(name) < 0 && errno == ENOENT, "%s: cg_empty after removal: ENOENT", name);
}

/* A cgroup left by a previous run: while a process of it lives, it is
 * killed and the start refused (EBUSY: PID 1 tries again); once empty, it
 * is replaced by a fresh one (a written cgroup.kill can outlive its use). */
static void test_reuse(void)
{
	struct svc_conf s;
	const char *step = "";
	int fd;
	pid_t pid;

	svc_init(&s, "cgt-reuse");
	fd = cg_create(&s, &step);
	if (fd < 0) {
		check(0, "cgt-reuse: cg_create: %s", strerror(errno));
		return;
	}
	pid = sleeper(fd, 0);
	close(fd);
	errno = 0;
	fd = cg_create(&s, &step);
	check(fd < 0 && errno == EBUSY && strstr(step, "still exiting"),
	      "cgt-reuse: a second cg_create while the first run lives is refused: %s (%s)",
	      strerror(errno), step);
	if (fd >= 0)
		close(fd);
	check(died_of(pid, SIGKILL), "cgt-reuse: the previous run's leftover was killed");
	check(wait_empty("cgt-reuse", 3000) >= 0, "cgt-reuse: empty after the kill");
	fd = cg_create(&s, &step);
	check(fd >= 0, "cgt-reuse: once empty, cg_create makes it again%s%s", fd < 0 ? ": " : "",
	      fd < 0 ? strerror(errno) : "");
	if (fd >= 0) {
		pid = sleeper(fd, 0);
		check(pid > 0 && kill(pid, SIGKILL) == 0 && died_of(pid, SIGKILL),
		      "cgt-reuse: a process runs in the new cgroup");
		close(fd);
	}
	check(wait_empty("cgt-reuse", 3000) >= 0 && cg_remove("cgt-reuse") == 0,
	      "cgt-reuse: empty and removed");
}

static void test_unsupported(void)
{
	static const struct {
		const char *ctrl;
	} lim[] = { { "memory" }, { "pids" }, { "cpu" } };

	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		struct svc_conf s;
		const char *step = "";
		char path[512];
		int fd, e;

		if (has_controller(lim[i].ctrl))
			continue;
		svc_init(&s, "cgt-nolimit");
		if (i == 0)
			s.memory = 16 << 20;
		else if (i == 1)
			s.pids = 10;
		else
			s.cpu = 20;
		errno = 0;
		fd = cg_create(&s, &step);
		e = errno;
		check(fd < 0 && (e == EOPNOTSUPP || e == ENOTSUP) && strstr(step, lim[i].ctrl),
		      "%s without its controller fails: sandinit: %s: unable to %s: %s",
		      lim[i].ctrl, s.name, step, strerror(e));
		if (fd >= 0)
			close(fd);
		snprintf(path, sizeof(path), "%s/sandinit/%s", root, s.name);
		check(access(path, F_OK) < 0, "%s: no cgroup left behind", lim[i].ctrl);
	}
}

static void test_leaks(int rounds)
{
	struct svc_conf s;
	const char *step;
	int before = count_fds(), bad = 0;

	svc_init(&s, "cgt-leak");
	for (int i = 0; i < rounds; i++) {
		int fd = cg_create(&s, &step);

		if (fd < 0 || cg_empty(s.name) != 1 || cg_kill(s.name) < 0 ||
		    cg_remove(s.name) < 0)
			bad++;
		if (fd >= 0)
			close(fd);
		/* and the failing paths */
		if (cg_empty("cgt-absent") >= 0 || cg_kill("cgt-absent") >= 0 || cg_open("..") >= 0)
			bad++;
	}
	check(bad == 0 && count_fds() == before, "%d rounds of create/empty/kill/remove: "
	      "%d errors, fds %d before, %d after", rounds, bad, before, count_fds());
}

/* --- limits, where the kernel offers the controllers (QEMU) --- */

static void test_pids(int cg_fd, const char *name)
{
	int p[2], count = -1, err = 0;
	pid_t pid;

	if (pipe(p) < 0)
		return;
	pid = clone_into(cg_fd);
	if (pid == 0) {
		int n = 0;

		close(p[0]);
		for (;;) {
			pid_t c = fork();

			if (c < 0)
				break;
			if (c == 0)
				for (;;)
					pause();
			n++;
		}
		err = errno;
		(void)!write(p[1], &n, sizeof(n));
		(void)!write(p[1], &err, sizeof(err));
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &count, sizeof(count)) != sizeof(count) ||
	    read(p[0], &err, sizeof(err)) != sizeof(err))
		count = -1;
	close(p[0]);
	check(count == 9, "pids: fork bomb stopped after %d forks (10 tasks with itself), "
	      "fork: %s; pids.current %s", count, strerror(err), cg_file(name, "pids.current"));
	check(field(cg_file(name, "pids.events"), "max") > 0,
	      "pids: pids.events max %lld", field(cg_file(name, "pids.events"), "max"));
	{
		long long t0 = now_us();
		int ms;

		check(cg_kill(name) == 0, "pids: cg_kill");
		died_of(pid, SIGKILL);
		ms = wait_empty(name, 3000);
		check(ms >= 0, "pids: cgroup empty %lld us after cg_kill (10 tasks)",
		      ms >= 0 ? now_us() - t0 : -1LL);
	}
}

static void test_memory(int cg_fd, const char *name)
{
	pid_t pid = clone_into(cg_fd);
	int st = 0;

	if (pid == 0) {
		/* Touch 64 MiB page by page, four times memory.max. */
		for (int i = 0; i < 64; i++) {
			char *m = malloc(1 << 20);

			if (!m)
				_exit(3);
			for (int j = 0; j < (1 << 20); j += 4096)
				m[j] = (char)j;
		}
		_exit(0);
	}
	waitpid(pid, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "memory: a 64 MiB allocation under memory.max 16 MiB: %s %d",
	      WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) :
	      WEXITSTATUS(st));
	{
		long long kills = field(cg_file(name, "memory.events"), "oom_kill");
		long long peak = atoll(cg_file(name, "memory.peak"));

		check(kills >= 1, "memory: memory.events oom_kill %lld, memory.peak %lld KiB",
		      kills, peak / 1024);
	}
}

static void test_cpu(int cg_fd, const char *name)
{
	long long wall = 2000000, t0 = now_us(), used, thr;
	pid_t pid = clone_into(cg_fd);
	const char *stat;

	if (pid == 0) {
		while (now_us() - t0 < wall)
			;
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	wall = now_us() - t0;
	stat = cg_file(name, "cpu.stat");
	used = field(stat, "usage_usec");
	thr = field(stat, "nr_throttled");
	check(thr > 0 && used > 0 && used * 100 / wall <= 25,
	      "cpu: a spinner for %lld ms used %lld ms CPU (%lld%%, cpu.max 20%%); "
	      "nr_periods %lld nr_throttled %lld throttled_usec %lld", wall / 1000,
	      used / 1000, wall ? used * 100 / wall : 0, field(stat, "nr_periods"), thr,
	      field(stat, "throttled_usec"));
}

static void test_limits(void)
{
	static const char name[] = "cgt-limits";
	struct svc_conf s;
	const char *step = "";
	int fd, e;

	if (!has_controller("memory") || !has_controller("pids") || !has_controller("cpu")) {
		printf("SKIP: limits need memory, pids and cpu controllers (have \"%s\")\n",
		       cg_controllers());
		return;
	}
	svc_init(&s, name);
	s.pids = 10;
	s.memory = 16 << 20;
	s.cpu = 20;
	fd = cg_create(&s, &step);
	e = errno;
	check(fd >= 0, "limits: cg_create%s%s: %s", fd < 0 ? ": unable to " : "",
	      fd < 0 ? step : "", fd < 0 ? strerror(e) : "ok");
	if (fd < 0)
		return;
	check(strstr(cg_file(name, "cgroup.controllers"), "memory") &&
		      strstr(cg_file(name, "cgroup.controllers"), "pids") &&
		      strstr(cg_file(name, "cgroup.controllers"), "cpu"),
	      "limits: the service cgroup's controllers: %.*s",
	      (int)strcspn(cg_file(name, "cgroup.controllers"), "\n"),
	      cg_file(name, "cgroup.controllers"));
	check(!strcmp(cg_file(name, "memory.max"), "16777216\n"), "limits: memory.max %.*s",
	      (int)strcspn(cg_file(name, "memory.max"), "\n"), cg_file(name, "memory.max"));
	check(!strcmp(cg_file(name, "pids.max"), "10\n"), "limits: pids.max %.*s",
	      (int)strcspn(cg_file(name, "pids.max"), "\n"), cg_file(name, "pids.max"));
	check(!strcmp(cg_file(name, "cpu.max"), "20000 100000\n"), "limits: cpu.max %.*s",
	      (int)strcspn(cg_file(name, "cpu.max"), "\n"), cg_file(name, "cpu.max"));
	test_pids(fd, name);
	test_memory(fd, name);
	test_cpu(fd, name);
	check(wait_empty(name, 3000) >= 0, "limits: cgroup empty at the end");
	close(fd);

	/* The same service without limits: the old ones must not stay. */
	svc_init(&s, name);
	fd = cg_create(&s, &step);
	check(fd >= 0 && !strcmp(cg_file(name, "memory.max"), "max\n") &&
		      !strcmp(cg_file(name, "pids.max"), "max\n") &&
		      !strcmp(cg_file(name, "cpu.max"), "max 100000\n"),
	      "limits: reused without limits: memory.max, pids.max, cpu.max back to max");
	if (fd >= 0)
		close(fd);
	check(cg_remove(name) == 0, "limits: cg_remove");
}

static void boot_mounts(void)
{
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL);
}

int main(int argc, char **argv)
{
	int pid1 = getpid() == 1;
	char path[512];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (pid1)
		boot_mounts();
	else
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (argc > 1)
		root = argv[1];

	{
		int r = cg_init_at("/proc"), e = errno;

		check(r < 0 && e == ENOTSUP, "cg_init_at(/proc) refuses a non-cgroup2: %s",
		      strerror(e));
	}
	if (cg_init_at(root) < 0) {
		check(0, "cg_init_at(%s): %s", root, strerror(errno));
		goto out;
	}
	check(1, "cg_init_at(%s); controllers for services: \"%s\"", root, cg_controllers());
	check(cg_init_at(root) == 0, "cg_init_at again (a reload) is fine");

	test_basic("cgt-basic", 0);
	test_basic("cgt-fallback", 1);
	test_reuse();
	test_unsupported();
	test_limits();
	test_leaks(pid1 ? 300 : 2000);

	snprintf(path, sizeof(path), "%s/sandinit", root);
	rmdir(path);
out:
	printf("%s: %d passed, %d failed\n", failures ? "FAIL" : "PASS", passes, failures);
	if (pid1) {
		sync();
		reboot(RB_POWER_OFF);
		for (;;)
			pause();
	}
	return failures != 0;
}
