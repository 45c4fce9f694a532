/* util: small EINTR-safe wrappers and helpers shared by every module. */
#ifndef SANDINIT_UTIL_H
#define SANDINIT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* A static buffer of a page or more, on pages of its own: the link sorts
 * sections by alignment (Makefile), so these come first and PID 1's small
 * variables are packed after them; only the pages a buffer uses are then
 * resident, not every page a small variable shares with one. */
#define PAGE_BUF __attribute__((aligned(4096)))
/* Network byte order, inline: musl's htonl and htons are calls (a byte
 * swap each, and the call's setup at every use). Either way round. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BE32(x) ((uint32_t)(x))
#define BE16(x) ((uint16_t)(x))
#else
#define BE32(x) __builtin_bswap32((uint32_t)(x))
#define BE16(x) __builtin_bswap16((uint16_t)(x))
#endif

/* setgroups(0, NULL), setresgid(G, G, G), setresuid(U, U, U) and
 * setrlimit as system calls: musl's wrappers apply them to every thread
 * through __synccall (1.8 KB with its semaphores), and PID 1 and its
 * children have one thread. */
static inline int id_nogroups(void) { return (int)syscall(SYS_setgroups, 0, NULL); }
static inline int id_gid(gid_t g) { return (int)syscall(SYS_setresgid, g, g, g); }
static inline int id_uid(uid_t u) { return (int)syscall(SYS_setresuid, u, u, u); }
static inline int id_nofile(rlim_t n)
{
	struct rlimit rl = { n, n };	/* musl's rlim_t: 64 bits, as prlimit64's */

	return (int)syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL);
}

/* Write all of LEN bytes (retrying short writes and EINTR). */
ssize_t write_all(int fd, const void *buf, size_t len);
/* read(2) retried on EINTR. */
ssize_t read_retry(int fd, void *buf, size_t len);
/* Read exactly LEN bytes; -1 on error or early end of file. */
int read_full(int fd, void *buf, size_t len);
/* Read a whole file of at most MAX bytes into a malloc'd, NUL-terminated
 * buffer; *LEN gets its size. A larger file: EFBIG, with the first MAX+1
 * bytes kept so the caller can still report it. */
char *read_file(const char *path, size_t max, size_t *len);
/* Read at most SIZE-1 bytes of PATH into BUF, NUL-terminated; the length
 * or -1. For small /proc and sysfs files. */
ssize_t read_str(const char *path, char *buf, size_t size);
/* Write STR to PATH (O_WRONLY, no create). */
int write_str(const char *path, const char *str);
/* Close FD (if it is one), errno kept: -1, a failure's return. */
int close_fail(int fd);
/* Equal strings, or both NULL. */
int same_str(const char *a, const char *b);
/* A *STEP string (what a module failed to do, for its caller's "unable to
 * %s") formatted into one static buffer: one failure at a time. Keeps
 * errno. */
const char *stepf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Monotonic clock in milliseconds and microseconds. */
int64_t now_ms(void);
int64_t now_us(void);
/* mkdir -p, mode 0755; existing directories are fine. */
int mkdir_p(const char *path);
/* *SA the address of the unix socket PATH: -1 ENAMETOOLONG if it does not
 * fit. */
struct sockaddr_un;
int unix_addr(struct sockaddr_un *sa, const char *path);
/* Bind FD to the unix socket PATH with MODE, a file left there removed
 * first and, with MKDIRS, its directory made: -1 with errno
 * (ENAMETOOLONG: PATH does not fit an address). */
int bind_unix(int fd, const char *path, unsigned mode, int mkdirs);
/* A wait(2) status as a shell reports it: the exit status, or 128+N for a
 * death by signal N. */
int exit_code(int wait_status);
/* sendmsg(2) of LEN bytes of BUF with the N (0..UTIL_MAX_FDS) descriptors
 * FDS (SCM_RIGHTS) over the unix socket SOCK, MSG_NOSIGNAL, EINTR retried.
 * Returns what sendmsg returns. */
#define UTIL_MAX_FDS 4
ssize_t send_fds(int sock, const void *buf, size_t len, const int *fds, int n);
/* recvmsg(2) of up to LEN bytes into BUF and up to MAX descriptors into FDS
 * (the rest -1; extra ones closed), close-on-exec, without blocking, EINTR
 * retried. Returns what recvmsg returns: bytes, 0 at end of file, -1. */
ssize_t recv_fds(int sock, void *buf, size_t len, int *fds, int max);

#endif
