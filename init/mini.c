/* mini: qsort and strstr for the static musl build, as fmt.c is vfprintf:
 * musl's are made for large inputs (a smoothsort, 2.1 KB; the two-way
 * string search, 1.3 KB) and sandinit only sorts a config's addresses and
 * looks for short words in short strings (issue 15: binary size). Also
 * clock_gettime and fork, for what musl's pull in (below). Same contracts;
 * host builds (glibc) keep their libc's. */
/* A libc header first: __GLIBC__ is defined by glibc's features.h, so
 * without one the host (sanitizer) build took these as its own too. */
#include <stdlib.h>
#if !defined(__GLIBC__) || defined(MINI_TEST)
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifdef MINI_TEST
#define qsort mini_qsort
#define strstr mini_strstr
#define clock_gettime mini_clock_gettime
#define fork mini_fork
void mini_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
char *mini_strstr(const char *h, const char *n);
int mini_clock_gettime(clockid_t clk, struct timespec *ts);
pid_t mini_fork(void);
#endif

/* A Shell sort (gaps 1, 4, 13, 40...): not stable, as qsort need not be;
 * O(n^1.5) compares, a few hundred microseconds for thousands of items. */
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base;
	size_t gap = 1;

	while (gap < n / 3)
		gap = gap * 3 + 1;
	for (; gap; gap /= 3)
		for (size_t i = gap; i < n; i++)
			for (size_t j = i; j >= gap; j -= gap) {
				char *x = b + (j - gap) * size, *y = b + j * size;

				if (cmp(x, y) <= 0)
					break;
				for (size_t k = 0; k < size; k++) {
					char t = x[k];

					x[k] = y[k];
					y[k] = t;
				}
			}
}

char *strstr(const char *h, const char *n)
{
	size_t len = strlen(n);

	if (!len)
		return (char *)h;
	for (; *h; h++)
		if (*h == *n && !strncmp(h, n, len))
			return (char *)h;
	return NULL;
}

/* By the system call: musl's looks the vDSO up first (vdso.lo, its ELF
 * walk: 0.7 KB) to save a syscall PID 1 makes a few times per event. */
int clock_gettime(clockid_t clk, struct timespec *ts)
{
	return (int)syscall(SYS_clock_gettime, clk, ts);
}

/* musl's fork is _Fork plus the atfork handlers and, when threads exist,
 * libc's internal locks; sandinit registers no handler and has no threads
 * (malloc.c), so _Fork is the same call, without the lock code musl's
 * links (lock_ptc, the rwlocks, __timedwait: 1.5 KB). */
pid_t fork(void)
{
	return _Fork();
}
#endif
