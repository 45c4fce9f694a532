/* main: sandinit's entry point: the command line, the boot's phases as a
 * list of steps, then the one event loop. As PID 1 it never returns. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "cgroup.h"
#include "conf.h"
#include "ctl.h"
#include "dhcp.h"
#include "iface.h"
#include "log.h"
#include "kmsg.h"
#include "logfile.h"
#include "mount.h"
#include "net.h"
#include "privs.h"
#include "loop.h"
#include "seccomp.h"
#include "supervise.h"
#include "syslog.h"
#include "util.h"
#include "watchdog.h"

#define VERSION "0.1.0"
#define DEFAULT_CONFIG "/etc/sandinit.conf"

/* A format (%s: argv[0]) whose end, RUN_IT, is the not-PID-1 error's
 * too: how to run it (SPEC §2). */
#define RUN_IT "run it as init, or in a fresh PID namespace:\n" \
	"  unshare --pid --fork --mount --uts --ipc --net %s --config FILE --socket PATH\n"
static const char usage[] =
	"usage: sandinit [--config FILE] [--socket PATH]\n"
	"       sandinit --check FILE    validate FILE\n"
	"       sandinit ctl COMMAND...  as initctl\n"
	"       sandinit --version | --help\n" RUN_IT;

static int64_t boot_us;
static const char *config_path;
static int cgroups;		/* cg_init succeeded */
static int pending_action = -1;	/* a boot_action once shutdown began */

/* Where load() reports: an fd, or else (-1: a reload) the control
 * client's buffer BUF, cut short as fmemopen(3) would (no stdio FILE in
 * PID 1: issue 15). */
struct sink {
	int fd;
	char *buf;
	size_t size, len;
};

__attribute__((format(printf, 2, 3)))
static void say(struct sink *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (s->fd >= 0) {
		vdprintf(s->fd, fmt, ap);
	} else if (s->len + 1 < s->size) {
		n = vsnprintf(s->buf + s->len, s->size - s->len, fmt, ap);
		if (n > 0)
			s->len += (size_t)n < s->size - s->len ? (size_t)n : s->size - s->len - 1;
	}
	va_end(ap);
}

/* Read and parse PATH, printing every problem as FILE:LINE: message. */
static struct conf *load(const char *path, struct sink *err)
{
	struct conf_errors errs = { 0 };
	size_t len = 0;
	char *buf = read_file(path, CONF_MAX_FILE, &len);
	struct conf *c;

	if (!buf && errno == EFBIG) {
		say(err, "%s:1: file larger than %d bytes\n", path, CONF_MAX_FILE);
		return NULL;
	}
	if (!buf) {
		say(err, "%s: unable to %s: %m\n", path, "read");
		return NULL;
	}
	c = conf_parse(buf, len, &errs);
	for (int i = 0; i < errs.n; i++)
		say(err, "%s:%d: %s\n", path, errs.v[i].line, errs.v[i].msg);
	if (!c && !errs.n)
		say(err, "%s: unable to %s: %m\n", path, "parse");
	conf_errors_free(&errs);
	free(buf);
	return c;
}

/* An invalid config still names its rescue program if its `rescue` line
 * is sound: an absolute path to an executable. */
static const char *rescue_of(const char *path)
{
	static char prog[256];
	size_t len;
	char *buf = read_file(path, CONF_MAX_FILE, &len);
	const char *found = "/bin/sh";

	for (char *save, *l = buf ? strtok_r(buf, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		size_t n;

		l += strspn(l, " \t");
		if (strncmp(l, "rescue", 6) || !strchr(" \t", l[6]))
			continue;
		l += 6 + strspn(l + 6, " \t");
		n = strcspn(l, " \t#");
		if (n && n < sizeof(prog) && l[0] == '/') {
			memcpy(prog, l, n);
			prog[n] = 0;
			if (access(prog, X_OK) == 0) {
				found = prog;
				break;
			}
		}
	}
	free(buf);
	return found;
}

static int check(const char *path)
{
	struct sink err = { .fd = 2 };
	struct conf *c = load(path, &err);

	if (!c)
		return 1;
	conf_free(c);
	return 0;
}

static void reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		sup_child_exit(pid, status);
		ctl_child_exit(pid, status);
		logfile_child_exit(pid);
	}
}

/* While boot_final waits for the last processes, the watchdog still wants
 * its pets. */
static void reap_and_pet(void)
{
	reap();
	wd_tick();
}

static void begin_shutdown(enum boot_action action)
{
	if (pending_action < 0)
		pending_action = action;
	sup_shutdown();
}

static void watchdog(const struct conf *c)
{
	if (c->watchdog && wd_open(c->watchdog, c->watchdog_sec) < 0)
		boot_unable_of("open the watchdog", c->watchdog);
}

/* C, the first valid config: its global directives, its watchdog, its
 * services (sup owns C from here on). */
/* After the mounts: PATH is normally on one of them. */
static void log_file(const struct conf *c)
{
	const char *mnt = NULL;

	/* The deepest `mount` target PATH is under. */
	for (int i = 0; c->log_file && i < c->nmounts; i++) {
		size_t n = strlen(c->mounts[i].target);

		if (!strncmp(c->log_file, c->mounts[i].target, n) && c->log_file[n] == '/' &&
		    (!mnt || n > strlen(mnt)))
			mnt = c->mounts[i].target;
	}
	if (!c->log_file) {
		logfile_stop();
		kmsg_logfile(0);
	} else if (logfile_start(c->log_file, c->log_file_size, mnt) < 0) {
		boot_unable("start the log-file writer");
	} else if (kmsg_logfile(1) < 0) {
		log_msg("log-file: unable to read /dev/kmsg: %m");
	}
}

static void bring_up(struct conf *c)
{
	if (mnt_hide(config_path, c) < 0)
		boot_unable("hide the config from sandboxes");
	boot_apply(c);
	log_file(c);
	iface_apply(c);
	watchdog(c);
	sup_load(c, cgroups);
}

/* A reload's global directives: log-size (for rings made from now on),
 * rescue and bridges are the running config's, read where used; the rest
 * changes here. */
static void reload_globals(const struct conf *old, const struct conf *c)
{
	boot_reload(old, c);
	iface_apply(c);
	if (!same_str(old->watchdog, c->watchdog) || old->watchdog_sec != c->watchdog_sec) {
		wd_close_magic();
		watchdog(c);
	}
	if (!same_str(old->log_file, c->log_file) || old->log_file_size != c->log_file_size)
		log_file(c);
}

static int reload(char *err, size_t size)
{
	struct sink out = { .fd = -1, .buf = err, .size = size };
	struct conf *nc;

	if (size)
		err[0] = '\0';
	nc = load(config_path, &out);
	if (!nc) {
		log_msg("reload: %s is invalid, keeping the running config", config_path);
		return -1;
	}
	if (!sup_conf()) {
		/* The boot's config was invalid: this one is brought up as
		 * the boot would have. */
		bring_up(nc);
		return 0;
	}
	if (sup_reload(nc, reload_globals) < 0) {
		snprintf(err, size, "unable to reload: %m\n");
		conf_free(nc);
		return -1;
	}
	return 0;
}

static void on_signal(struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;
	char err[4096];

	(void)events;
	while (read(w->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap();
			break;
		case SIGTERM:	/* what reboot(8) sends */
		case SIGINT:	/* Ctrl-Alt-Del, with RB_DISABLE_CAD */
			begin_shutdown(BOOT_REBOOT);
			break;
		case SIGUSR1:
			begin_shutdown(BOOT_HALT);
			break;
		case SIGUSR2:
			begin_shutdown(BOOT_POWEROFF);
			break;
		case SIGHUP:
			if (reload(err, sizeof(err)) < 0)
				log_raw(err, strnlen(err, sizeof(err)));
			break;
		}
	}
}

static const struct ctl_hooks hooks = { begin_shutdown, reload };

/* The faults PID 1 cannot act on through the signalfd (SPEC §4): a last
 * resort. */
static const unsigned char fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

/* Only write, sync and reboot here, and getpid: a process PID 1 made
 * keeps the handler until it execs (a sandbox's reaper never does), and
 * only a namespace's PID 1 reboots it; any other returns, its handler
 * reset (SA_RESETHAND), and the fault kills it alone. So does PID 1's
 * where reboot(2) is not allowed. In a child PID namespace (unshare),
 * reboot(2) ends that namespace's init with SIGHUP. */
static void on_fatal(int sig)
{
	/* (written in place: its own copy would be a template and a copy) */
	static char msg[32] = "sandinit: fatal signal ";
	size_t n = sizeof("sandinit: fatal signal ") - 1;

	if (getpid() != 1)
		return;
	if (sig >= 10)
		msg[n++] = (char)('0' + sig / 10 % 10);
	msg[n++] = (char)('0' + sig % 10);
	msg[n++] = '\n';
	if (write(2, msg, n) < 0) {
		/* nothing more to tell */
	}
	sync();
	reboot(RB_AUTOBOOT);
}

__attribute__((noinline)) static void fatal_handlers(void)
{
	/* Its own stack: a fault may be a stack overflow. */
	static char alt[16384] PAGE_BUF;
	struct sigaction sa = { .sa_handler = on_fatal, .sa_flags = SA_RESETHAND | SA_ONSTACK };

	sigaltstack(&(stack_t){ .ss_sp = alt, .ss_size = sizeof(alt) }, NULL);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}

static int is_fatal(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++)
		if (fatal_signals[i] == sig)
			return 1;
	return 0;
}

/* PID 1's own /dev/log, for the services without a mount namespace: at
 * /dev/log when PID 1 is the machine's init (the kernel's first pid
 * namespace, PROC_PID_INIT_INO), else beside the control socket (a PID 1
 * in a container, or the host tests, shares /dev with its host). */
static void host_syslog(const char *socket_path)
{
	char buf[4096];
	const char *path = buf;
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == 0xEFFFFFFCU)
		path = "/dev/log";
	else
		snprintf(buf, sizeof(buf), "%s.log", socket_path);
	if (syslog_host(path, sup_ring_of) < 0)
		boot_unable_of("listen on", path);
}

/* The earlier of two deadlines (ms), 0 being none. */
static int64_t sooner(int64_t a, int64_t b)
{
	return b && (!a || b < a) ? b : a;
}

static void __attribute__((noreturn)) pid1(const char *socket_path)
{
	static struct watch sig_watch;
	sigset_t set;

	boot_us = now_us();
	/* Nothing of its launcher's reaches a service (SPEC §4): under unshare
	 * or a container it may have left descriptors (a directory's is how
	 * runc's CVE-2024-21626 escaped) and supplementary groups. */
	syscall(SYS_close_range, 3U, ~0U, 0U);
	id_nogroups();
	/* Nor its umask (077 would leave every service's files private): the
	 * kernel's for init. */
	umask(022);
	fatal_handlers();
	/* Every other signal PID 1 acts on comes through the signalfd. */
	sigemptyset(&set);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP && (s < SIGRTMIN || s > SIGRTMAX) &&
		    !is_fatal(s))
			sigaddset(&set, s);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* An ignored signal stays ignored across exec: what its launcher
	 * ignored (a shell's background job ignores SIGINT and SIGQUIT) would
	 * be ignored by every service and `initctl exec` command (^C). */
	for (int s = 1; s < NSIG; s++) {
		struct sigaction sa;

		if (sigaction(s, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
			sa.sa_handler = SIG_DFL;
			sigaction(s, &sa, NULL);
		}
	}
	if (fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR | O_NOCTTY);

		if (fd >= 0) {
			dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	/* ---- From here on PID 1 must never exit. ---- */
	reboot(RB_DISABLE_CAD);
	privs_raise_nofile(65536);
	boot_early();
	log_console_init();
	boot_priority();
	if (!config_path)
		config_path = boot_config_path(DEFAULT_CONFIG);
	if (loop_init() < 0)
		boot_unable("create the event loop");
	sig_watch.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	sig_watch.fn = on_signal;
	if (sig_watch.fd < 0 || loop_add(&sig_watch) < 0)
		boot_unable("watch signals");
	if (seccomp_build() < 0)
		boot_unable("build the seccomp filter");
	{
		struct sink out = { .fd = 1 };
		struct conf *c;

		cgroups = cg_init() == 0;
		c = load(config_path, &out);
		if (c)
			boot_modules(c);
		boot_features();
		if (net_lo_up() < 0)
			boot_unable("bring up lo");
		if (ctl_init(socket_path, &hooks) < 0)
			boot_unable_of("listen on", socket_path);
		host_syslog(socket_path);
		if (c) {
			bring_up(c);
		} else {
			const char *r = rescue_of(config_path);

			log_msg("%s is invalid: starting the rescue program %s", config_path, r);
			sup_rescue(r);
		}
	}
	for (;;) {
		int64_t next;
		int timeout = -1;

		if ((sup_check_ready(boot_us) || now_us() - boot_us >= BOOT_NIC_LATEST_MS * 1000) &&
		    boot_modules_later() && sup_conf())
			boot_modules_late(sup_conf());
		if (pending_action >= 0 && sup_all_stopped()) {
			/* The file's last line is the console's, which boot_final
			 * prints after the unmount (the file's disk gone by then). */
			const char *w = boot_word(pending_action);

			logfile_line(log_now_us(), "sandinit", w, strlen(w));
			logfile_stop();
			if (!logfile_busy())
				boot_final(pending_action, reap_and_pet);
		}
		next = sooner(sup_next_deadline(), ctl_next_deadline());
		next = sooner(next, wd_next_deadline());
		next = sooner(next, syslog_next_deadline());
		next = sooner(next, logfile_next_deadline());
		if (boot_modules_later())
			next = sooner(next, boot_us / 1000 + BOOT_NIC_LATEST_MS);
		if (next) {
			int64_t d = next - now_ms();

			timeout = d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
		}
		loop_once(timeout);
		sup_tick();
		ctl_tick();
		ctl_recheck();
		wd_tick();
		syslog_tick();
		logfile_tick();
	}
}

static const char *socket_default(void)
{
	const char *env = getenv("SANDINIT_SOCKET");

	return env && *env ? env : CTL_DEFAULT_SOCKET;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	const char *socket_path = socket_default();

	base = base ? base + 1 : argv[0];
	if (!strcmp(base, "initctl") || (argc > 1 && !strcmp(argv[1], "ctl"))) {
		int i = strcmp(base, "initctl") ? 2 : 1;

		/* `--socket PATH` (or =PATH) first: SPEC §2, for both sides */
		if (i < argc && !strncmp(argv[i], "--socket=", 9)) {
			socket_path = argv[i++] + 9;
		} else if (i + 1 < argc && !strcmp(argv[i], "--socket")) {
			socket_path = argv[i + 1];
			i += 2;
		}
		return ctl_client(socket_path, argc - i, argv + i);
	}
	/* The DHCP helper PID 1 runs as service dhcp-NAME (not for users). */
	if (argc == 3 && !strcmp(argv[1], "dhcp"))
		return dhcp_main(argv[2]);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version")) {
			dprintf(1, "sandinit " VERSION "\n");
			return 0;
		} else if (!strcmp(argv[i], "--help")) {
			dprintf(1, usage, argv[0]);
			return 0;
		} else if (!strcmp(argv[i], "--check") && i + 1 < argc && argc == 3) {
			return check(argv[i + 1]);
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config_path = argv[++i];
		} else if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			socket_path = argv[++i];
		} else {
			dprintf(2, usage, argv[0]);
			return 2;
		}
	}
	/* PID 1 changes directory (entering a mount namespace moves it to that
	 * namespace's root): a reload must find the same file. */
	if (config_path && config_path[0] != '/') {
		static char abs_path[4096] PAGE_BUF;
		char cwd[4096];

		if (getcwd(cwd, sizeof(cwd)) &&
		    (size_t)snprintf(abs_path, sizeof(abs_path), "%s/%s", cwd, config_path) <
			    sizeof(abs_path))
			config_path = abs_path;
	}
	if (getpid() != 1) {
		dprintf(2, "sandinit: fatal: not PID 1: ");
		dprintf(2, usage + sizeof(usage) - sizeof(RUN_IT), argv[0]);
		return 2;
	}
	pid1(socket_path);
}
