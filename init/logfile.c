/* logfile: `log-file PATH [SIZE]` (SPEC §3): every console line, with its
 * boot time, appended to PATH, rotated to PATH.1 at SIZE.
 *
 * A disk may block a write for as long as it likes (full, failing, gone):
 * PID 1 never writes the file itself. It hands each line to a helper
 * process over a non-blocking pipe (a full pipe drops the line, counted),
 * and the helper writes, rotates, and at the end fsyncs. What the helper
 * has to say (a file it cannot write, lines dropped) comes back to PID 1
 * on a pipe of its own and is logged as PID 1's own lines: into its ring,
 * and onto the console as whole lines.
 *
 * A stop (a reload naming another file, or none) never waits either: the
 * helper gets EOF, writes the rest, fsyncs and exits in its own time, up to
 * LOGFILE_STOP_MS, then it is killed; the shutdown waits for it through
 * the loop (logfile_busy). */
#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "util.h"

#define PIPE_SIZE (1 << 20)

/* A helper: the running one, or one stopping. Two at most: a start while
 * both are busy kills the older stopping one. */
#define SAID_MAX 512
struct writer {
	pid_t pid;		/* 0 once reaped (or left behind) */
	struct watch said;	/* its messages; -1 once at EOF */
	char *buf;		/* SAID_MAX bytes: its partial line */
	size_t len;
	int64_t deadline;	/* ms: stopping, killed at it; 0 running */
	int killed;
};
/* The buffers apart: zeroed memory, not 1 KB of the binary's data; the
 * writers too, set up by the first logfile_start (only a writer started
 * has a pid, which all else looks at first). */
static char said_bufs[2][SAID_MAX];
static struct writer writers[2];
static struct writer *cur;	/* the running one, or NULL */
static int pipe_w = -1;	/* cur's */
static int echoing;	/* logging what a helper said: not into a file */
static uint64_t pid1_dropped;	/* lines the pipe had no room for */

/* ---- the helper ---- */

struct file {
	const char *path;
	const char *mnt;	/* a `mount` target PATH is under, or NULL */
	char path1[PATH_MAX];
	uint64_t max, size;
	int fd;
	uint64_t dropped;	/* lines not written since the last success */
	int64_t retry_ms;	/* no open before this */
	int said;		/* back to PID 1: what cannot go into the file */
};

/* One line under SAID_MAX (PID 1's reader, on_said, would split a longer
 * one): OBJ, a path, cut at 400 bytes. */
static void say(struct file *f, const char *msg, const char *obj, int err)
{
	errno = err;
	dprintf(f->said, err ? "%s%.*s: %m\n" : "%s%.*s\n", msg, 400, obj);
}

/* "N lines dropped" into MSG (64 bytes): the helper's and PID 1's. */
__attribute__((noinline)) static const char *dropped_msg(char *msg, uint64_t n)
{
	snprintf(msg, 64, "%llu lines dropped", (unsigned long long)n);
	return msg;
}

/* The file's line of N lines dropped, stamped US, into OUT (its length);
 * the count alone in MSG (64 bytes). */
__attribute__((noinline)) static size_t dropped_line(char *out, int64_t us, uint64_t n, char *msg)
{
	size_t len = log_stamp(out, us);

	return len + (size_t)sprintf(out + len, "sandinit: log-file: %s\n", dropped_msg(msg, n));
}

static int open_file(struct file *f)
{
	struct stat st;

	if (f->fd >= 0)
		return 0;
	if (now_ms() < f->retry_ms)
		return -1;
	/* Not onto the directory a failed mount left behind (the root's
	 * memory, gone at the next boot): a mount point is a file system
	 * of its own, its st_dev not its parent's. */
	if (f->mnt) {
		char parent[PATH_MAX];
		struct stat m, pa;
		char *slash;

		snprintf(parent, sizeof(parent), "%s", f->mnt);
		slash = strrchr(parent, '/');
		if (slash)
			slash[slash == parent] = 0;
		if (stat(f->mnt, &m) < 0 || stat(parent, &pa) < 0 || m.st_dev == pa.st_dev) {
			errno = ENODEV;
			goto fail;
		}
	}
	f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (f->fd < 0 || fstat(f->fd, &st) < 0) {
		f->fd = close_fail(f->fd);
		goto fail;
	}
	f->size = (uint64_t)st.st_size;
	return 0;
fail:
	f->retry_ms = now_ms() + 1000;
	return -1;
}

/* Write LEN bytes of whole lines; on failure they are counted as dropped
 * and the file is opened afresh (at most once a second). */
static void put_part(struct file *f, const char *buf, size_t len);

/* Whole lines up to what fits before SIZE, then rotate and go on: a file
 * never grows past SIZE (unless one line is longer). */
static void put(struct file *f, const char *buf, size_t len)
{
	while (len) {
		size_t n = len;

		/* open first: the size of a file an earlier boot left decides
		 * the split */
		open_file(f);
		if (f->fd >= 0 && f->size + len > f->max) {
			size_t room = f->size < f->max ? (size_t)(f->max - f->size) : 0;
			const char *nl = room ? memrchr(buf, '\n', room) : NULL;

			n = nl ? (size_t)(nl + 1 - buf) : len;
		}
		put_part(f, buf, n);
		buf += n;
		len -= n;
	}
}

static void put_part(struct file *f, const char *buf, size_t len)
{
	uint64_t lines = 0;

	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	if (f->fd >= 0 && f->size && f->size + len > f->max) {
		f->fd = close_fail(f->fd);
		if (syscall(SYS_renameat, AT_FDCWD, f->path, AT_FDCWD, f->path1) < 0)
			say(f, "unable to rotate", "", errno);
	}
	if (open_file(f) == 0) {
		if (f->dropped) {
			char note[128], msg[64];
			size_t n = dropped_line(note, log_now_us(), f->dropped, msg);

			if (write_all(f->fd, note, n) == (ssize_t)n) {
				say(f, msg, "", 0);
				f->size += n;
				f->dropped = 0;
			}
		}
		if (!f->dropped && write_all(f->fd, buf, len) == (ssize_t)len) {
			f->size += len;
			return;
		}
		f->fd = close_fail(f->fd);
		f->retry_ms = now_ms() + 1000;
	}
	if (!f->dropped)
		say(f, "unable to write ", f->path, errno);
	f->dropped += lines;
}

static void __attribute__((noreturn))
helper(int in, int said_fd, const char *path, uint64_t max, const char *mnt)
{
	static char buf[65536] PAGE_BUF;
	struct file f = { .path = path, .mnt = mnt, .max = max, .fd = -1, .said = said_fd };
	size_t have = 0;

	prctl(PR_SET_NAME, "sandinit-log");
	snprintf(f.path1, sizeof(f.path1), "%s.1", path);
	for (;;) {
		ssize_t n = read_retry(in, buf + have, sizeof(buf) - have);
		char *end;

		if (n <= 0)
			break;
		have += (size_t)n;
		/* whole lines only, so a rotation never splits one */
		end = memrchr(buf, '\n', have);
		if (!end && have < sizeof(buf))
			continue;
		n = end ? end + 1 - buf : (ssize_t)have;
		put(&f, buf, (size_t)n);
		memmove(buf, buf + n, have - (size_t)n);
		have -= (size_t)n;
	}
	if (have)
		put(&f, buf, have);
	if (f.fd >= 0 && syscall(SYS_fsync, f.fd) < 0)
		say(&f, "unable to sync", "", errno);
	if (f.dropped) {
		char msg[64];

		say(&f, dropped_msg(msg, f.dropped), "", 0);
	}
	_exit(0);
}

/* ---- PID 1's side ---- */

static void replay_pid1(void);

__attribute__((noinline)) static void echo(const char *text, size_t len)
{
	echoing = 1;
	log_msg("log-file: %.*s", (int)len, text);
	echoing = 0;
}

/* W's pipe is at its end: its last partial line, and no more watching. */
static void said_end(struct writer *w)
{
	if (w->len)
		echo(w->buf, w->len);
	w->len = 0;
	loop_close(&w->said);
}

/* A helper's whole lines, each a line of PID 1's own; a line longer than
 * the buffer is cut. */
static void on_said(struct watch *sw, uint32_t events)
{
	struct writer *w = (struct writer *)((char *)sw - offsetof(struct writer, said));
	ssize_t n;
	char *nl;

	(void)events;
	while ((n = read(sw->fd, w->buf + w->len, SAID_MAX - 1 - w->len)) > 0) {
		w->len += (size_t)n;
		while ((nl = memchr(w->buf, '\n', w->len)) || w->len == SAID_MAX - 1) {
			size_t l = nl ? (size_t)(nl - w->buf) : w->len;

			echo(w->buf, l);
			l += nl ? 1 : 0;
			memmove(w->buf, w->buf + l, w->len - l);
			w->len -= l;
		}
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		said_end(w);
}

/* W is gone (reaped, or left behind): its last words (lines dropped, a
 * failed fsync), then its pipe goes even without EOF (a child of PID 1
 * being made may hold a copy of the write end for a moment). */
static void gone(struct writer *w)
{
	w->pid = 0;
	w->deadline = 0;
	if (w->said.fd >= 0)
		on_said(&w->said, 0);
	if (w->said.fd >= 0)
		said_end(w);
}

int logfile_start(const char *path, uint64_t size, const char *mnt)
{
	struct writer *w = &writers[0];
	int p[2], back[2];

	logfile_stop();
	for (int i = writers[0].buf ? 2 : 0; i < 2; i++)
		writers[i] = (struct writer){ .said.fd = -1, .buf = said_bufs[i] };
	/* A free slot, else the one stopping the longest: its disk had its
	 * time (a start after a start, within LOGFILE_STOP_MS). */
	if (w->pid || w->said.fd >= 0)
		w = &writers[1];
	if (w->pid || w->said.fd >= 0) {
		w = writers[0].deadline <= writers[1].deadline ? &writers[0] : &writers[1];
		if (w->pid)
			kill(w->pid, SIGKILL);
		gone(w);
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(back, O_CLOEXEC | O_NONBLOCK) < 0) {
		close_fail(p[0]);
		return close_fail(p[1]);
	}
	w->pid = fork();
	if (w->pid == 0) {
		sigset_t none;

		/* Only the two pipes, the back one blocking; PID 1's signals
		 * unblocked. */
		dup2(p[0], 3);
		dup2(back[1], 4);
		fcntl(4, F_SETFL, 0);
		syscall(SYS_close_range, 5U, ~0U, 0U);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		helper(3, 4, path, size, mnt);
	}
	close(p[0]);
	close(back[1]);
	if (w->pid < 0) {
		w->pid = 0;
		close_fail(p[1]);
		return close_fail(back[0]);
	}
	w->said.fd = back[0];
	w->said.fn = on_said;
	w->len = 0;
	w->deadline = 0;
	w->killed = 0;
	if (loop_add(&w->said) < 0)
		log_msg("%s: unable to %s: %m", "log-file", "watch the writer");
	cur = w;
	pipe_w = p[1];
	fcntl(pipe_w, F_SETFL, O_NONBLOCK);
	fcntl(pipe_w, F_SETPIPE_SZ, PIPE_SIZE);
	replay_pid1();
	return 0;
}

/* LEN bytes of lines, each stamped with US. */
__attribute__((noinline)) static void write_at(int64_t us, const char *buf, size_t len)
{
	char out[PIPE_BUF], msg[64];

	if (pipe_w < 0 || echoing)
		return;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (buf + i)) + 1 : len - i;
		size_t n;

		if (pid1_dropped) {
			n = dropped_line(out, us, pid1_dropped, msg);
			if (write(pipe_w, out, n) == (ssize_t)n)
				pid1_dropped = 0;
		}
		n = log_stamp(out, us);
		if (l > sizeof(out) - n)
			l = sizeof(out) - n;
		memcpy(out + n, buf + i, l);
		n += l;
		if (out[n - 1] != '\n' && n < sizeof(out))
			out[n++] = '\n';
		/* At most PIPE_BUF: all of it or nothing (pipe(7)). */
		if (write(pipe_w, out, n) != (ssize_t)n)
			pid1_dropped++;
		i += nl ? (size_t)(nl - (buf + i)) + 1 : len - i;
	}
}

void logfile_write(const char *buf, size_t len)
{
	if (pipe_w >= 0)
		write_at(log_now_us(), buf, len);
}

void logfile_line(int64_t us, const char *name, const char *text, size_t len)
{
	char line[LOG_NAME_MAX + 2 + LOG_LINE_MAX + 1];
	int n;

	if (pipe_w < 0)
		return;
	if (len && text[len - 1] == '\n')
		len--;
	if (len > LOG_LINE_MAX)
		len = LOG_LINE_MAX;
	n = snprintf(line, sizeof(line), "%.*s: %.*s\n", LOG_NAME_MAX, name, (int)len, text);
	if (n > 0)
		write_at(us, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* PID 1's lines from before the file was named (its kernel line, modules,
 * mounts: all before `log-file` can be on a disk), once, with their time. */
__attribute__((noinline)) static void replay_pid1(void)
{
	static int done;
	char text[LOG_LINE_MAX + 1];
	struct log_rec rec;

	if (done || !log_pid1_ring.id)
		return;
	done = 1;
	for (uint64_t pos = log_pid1_ring.tail; pos < log_pid1_ring.head;) {
		pos = ring_read(&log_pid1_ring, pos, &rec, text);
		logfile_line(rec.us, "sandinit", text, rec.len);
	}
}

void logfile_stop(void)
{
	pipe_w = close_fail(pipe_w);
	/* It writes what is left, fsyncs and exits; a disk that hangs gets
	 * LOGFILE_STOP_MS (logfile_tick). */
	if (cur && cur->pid)
		cur->deadline = now_ms() + LOGFILE_STOP_MS;
	else if (cur)
		gone(cur);
	cur = NULL;
}

void logfile_child_exit(pid_t pid)
{
	for (int i = 0; i < 2; i++) {
		if (writers[i].pid == pid) {
			gone(&writers[i]);
			/* (the running one ended: lines are dropped, counted) */
			return;
		}
	}
}

int64_t logfile_next_deadline(void)
{
	int64_t next = 0;

	for (int i = 0; i < 2; i++)
		if (writers[i].pid && writers[i].deadline &&
		    (!next || writers[i].deadline < next))
			next = writers[i].deadline;
	return next;
}

int logfile_busy(void)
{
	return logfile_next_deadline() != 0;
}

void logfile_tick(void)
{
	int64_t now = now_ms();

	for (int i = 0; i < 2; i++) {
		struct writer *w = &writers[i];

		if (!w->pid || !w->deadline || w->deadline > now)
			continue;
		if (!w->killed) {
			/* A write stuck in the kernel (a disk gone mid-request)
			 * may not even end on SIGKILL: a second more at most,
			 * then it is left to PID 1's reaping. */
			log_msg("log-file: the writer did not finish in %d s: killed",
				LOGFILE_STOP_MS / 1000);
			kill(w->pid, SIGKILL);
			w->killed = 1;
			w->deadline = now + 1000;
		} else {
			log_msg("log-file: the writer (pid %d) does not end; left behind",
				(int)w->pid);
			gone(w);
		}
	}
}
