/* mini.h: what init/mini.c and init/mini_sys.c share: libc's headers for
 * what they replace and, for tests/unit/mini_test.c (MINI_TEST), each
 * function under a mini_ name beside the libc's own. Host builds (glibc)
 * keep their libc's. */
#ifndef SANDINIT_MINI_H
#define SANDINIT_MINI_H
/* A libc header first: __GLIBC__ is defined by glibc's features.h, so
 * without one the host (sanitizer) build took these as its own too. */
#include <stdlib.h>
#if !defined(__GLIBC__) || defined(MINI_TEST)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/fsuid.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#ifdef MINI_TEST
#define strstr mini_strstr
#define strlen mini_strlen
#define strchrnul mini_strchrnul
#define strchr mini_strchr
#define memchr mini_memchr
#define strspn mini_strspn
#define strcspn mini_strcspn
#define strcpy mini_strcpy
#define stpcpy mini_stpcpy
#define strncpy mini_strncpy
#define getenv mini_getenv
#define strerror mini_strerror
#define clock_gettime mini_clock_gettime
#define fork mini_fork
#define fcntl mini_fcntl
#define socket mini_socket
#define socketpair mini_socketpair
#define accept4 mini_accept4
#define pipe2 mini_pipe2
#define dup3 mini_dup3
#define epoll_create1 mini_epoll_create1
#define epoll_ctl mini_epoll_ctl
#define epoll_wait mini_epoll_wait
#define sendmsg mini_sendmsg
#define recvmsg mini_recvmsg
#define sigaction(s, a, o) mini_sigaction(s, a, o)
#define fchmodat mini_fchmodat
#define fstatat mini_fstatat
#define fstat mini_fstat
#define stat(p, st) mini_stat(p, st)
#define lstat mini_lstat
#define syscall mini_syscall
#define open mini_open
#define openat mini_openat
#define fchdir mini_fchdir
#define fchown mini_fchown
#define getcwd mini_getcwd
#define ioctl mini_ioctl
#define isatty mini_isatty
#define prctl mini_prctl
#define readlink mini_readlink
#define readlinkat mini_readlinkat
#define signalfd mini_signalfd
#define sigaltstack mini_sigaltstack
#define mmap mini_mmap
#define munmap mini_munmap
#define strcmp mini_strcmp
#define strncmp mini_strncmp
#define strcasecmp mini_strcasecmp
#define strncasecmp mini_strncasecmp
#define strtok_r mini_strtok_r
#define atoi mini_atoi
#define fdopendir mini_fdopendir
#define readdir mini_readdir
#define closedir mini_closedir
#define clone mini_clone
#define memcmp mini_memcmp
#define memrchr mini_memrchr
#define strrchr mini_strrchr
#define strnlen mini_strnlen
#define strdup mini_strdup
#define dup2 mini_dup2
#define read mini_read
#define write mini_write
#define close mini_close
#define recvfrom mini_recvfrom
#define sendto mini_sendto
#define waitpid mini_waitpid
#define waitid mini_waitid
#define poll mini_poll
#define pause mini_pause
#define sigtimedwait mini_sigtimedwait
#define sigprocmask mini_sigprocmask
#define sigaddset mini_sigaddset
char *mini_strstr(const char *h, const char *n);
size_t mini_strlen(const char *s);
char *mini_strchrnul(const char *s, int c);
char *mini_strchr(const char *s, int c);
void *mini_memchr(const void *s, int c, size_t n);
size_t mini_strspn(const char *s, const char *set);
size_t mini_strcspn(const char *s, const char *set);
char *mini_strcpy(char *restrict d, const char *restrict s);
char *mini_stpcpy(char *restrict d, const char *restrict s);
char *mini_strncpy(char *restrict d, const char *restrict s, size_t n);
char *mini_getenv(const char *name);
char *mini_strerror(int e);
int mini_clock_gettime(clockid_t clk, struct timespec *ts);
pid_t mini_fork(void);
int mini_fcntl(int fd, int cmd, ...);
int mini_socket(int domain, int type, int proto);
int mini_socketpair(int domain, int type, int proto, int fds[2]);
int mini_accept4(int fd, struct sockaddr *restrict a, socklen_t *restrict len, int flags);
int mini_pipe2(int fds[2], int flags);
int mini_dup3(int old, int new, int flags);
int mini_epoll_create1(int flags);
int mini_epoll_ctl(int fd, int op, int target, struct epoll_event *ev);
int mini_epoll_wait(int fd, struct epoll_event *ev, int n, int ms);
ssize_t mini_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t mini_recvmsg(int fd, struct msghdr *msg, int flags);
int mini_sigaction(int sig, const struct sigaction *restrict sa, struct sigaction *restrict old);
int mini_fchmodat(int fd, const char *path, mode_t mode, int flag);
int mini_fstatat(int fd, const char *restrict path, struct stat *restrict st, int flag);
int mini_fstat(int fd, struct stat *st);
int mini_stat(const char *restrict path, struct stat *restrict st);
int mini_lstat(const char *restrict path, struct stat *restrict st);
long mini_syscall(long n, ...);
int mini_open(const char *path, int flags, ...);
int mini_openat(int fd, const char *path, int flags, ...);
int mini_fchdir(int fd);
int mini_fchown(int fd, uid_t u, gid_t g);
char *mini_getcwd(char *buf, size_t size);
int mini_ioctl(int fd, int req, ...);
int mini_isatty(int fd);
int mini_prctl(int op, ...);
ssize_t mini_readlink(const char *restrict path, char *restrict buf, size_t size);
ssize_t mini_readlinkat(int fd, const char *restrict path, char *restrict buf, size_t size);
int mini_signalfd(int fd, const sigset_t *set, int flags);
int mini_sigaltstack(const stack_t *restrict ss, stack_t *restrict old);
void *mini_mmap(void *a, size_t len, int prot, int flags, int fd, off_t off);
int mini_munmap(void *a, size_t len);
int mini_strcmp(const char *l, const char *r);
int mini_strncmp(const char *l, const char *r, size_t n);
int mini_strcasecmp(const char *l, const char *r);
int mini_strncasecmp(const char *l, const char *r, size_t n);
char *mini_strtok_r(char *restrict s, const char *restrict sep, char **restrict p);
int mini_atoi(const char *s);
DIR *mini_fdopendir(int fd);
struct dirent *mini_readdir(DIR *d);
int mini_closedir(DIR *d);
int mini_clone(int (*fn)(void *), void *stack, int flags, void *arg, ...);
int mini_memcmp(const void *l, const void *r, size_t n);
void *mini_memrchr(const void *m, int c, size_t n);
char *mini_strrchr(const char *s, int c);
size_t mini_strnlen(const char *s, size_t n);
char *mini_strdup(const char *s);
int mini_dup2(int old, int new);
ssize_t mini_read(int fd, void *buf, size_t n);
ssize_t mini_write(int fd, const void *buf, size_t n);
int mini_close(int fd);
ssize_t mini_recvfrom(int fd, void *restrict buf, size_t n, int flags, struct sockaddr *restrict a,
		      socklen_t *restrict alen);
ssize_t mini_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *a, socklen_t alen);
pid_t mini_waitpid(pid_t pid, int *status, int options);
int mini_waitid(idtype_t type, id_t id, siginfo_t *info, int options);
int mini_poll(struct pollfd *fds, nfds_t n, int ms);
int mini_pause(void);
int mini_sigtimedwait(const sigset_t *restrict set, siginfo_t *restrict si, const struct timespec *restrict ts);
int mini_sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old);
int mini_sigaddset(sigset_t *set, int sig);
#endif
#endif
#endif
