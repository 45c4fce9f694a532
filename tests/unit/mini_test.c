/* mini_test: init/mini.c's qsort and strstr (here mini_qsort, mini_strstr)
 * against the libc's own, which they replace in out/sandinit: fixed cases,
 * then random arrays (duplicates, runs, every length to 300, element sizes
 * 1 to 12) sorted by both and random needles searched by both; its
 * clock_gettime read between two of the libc's, and its fork's child
 * seen exiting by the parent. */
#define MINI_TEST
#include "mini.c"
#undef qsort
#undef strstr
#undef clock_gettime
#undef fork

#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include "check.h"

static size_t elem;	/* the element size being sorted */

/* By the first byte, then the whole element: a total order. */
static int cmp_elem(const void *a, const void *b)
{
	const unsigned char *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return memcmp(x, y, elem);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int sorted_same(unsigned seed, size_t n, size_t size, int range)
{
	unsigned char a[300 * 12], b[300 * 12];

	srand(seed);
	elem = size;
	for (size_t i = 0; i < n * size; i++)
		a[i] = (unsigned char)(rand() % range);
	if (seed % 3 == 0)	/* a sorted run in the middle */
		for (size_t i = n / 4; i < n / 2; i++)
			a[i * size] = (unsigned char)(i * range / n);
	memcpy(b, a, n * size);
	mini_qsort(a, n, size, cmp_elem);
	qsort(b, n, size, cmp_elem);
	return !memcmp(a, b, n * size);
}

int main(void)
{
	int v[] = { 5, -1, 3, 3, 0, 9, -7, 2 }, w[] = { -7, -1, 0, 2, 3, 3, 5, 9 };
	const char *h = "sandinit: unable to mount /proc: no such file";
	char hay[64], needle[8];

	mini_qsort(v, 8, sizeof *v, cmp_int);
	CHECK(!memcmp(v, w, sizeof v));
	mini_qsort(v, 0, sizeof *v, cmp_int);
	mini_qsort(v, 1, sizeof *v, cmp_int);
	CHECK(!memcmp(v, w, sizeof v));
	for (unsigned seed = 1; seed <= 3000; seed++)
		CHECK(sorted_same(seed, seed % 301, 1 + seed % 12, seed % 2 ? 4 : 256));

	CHECK(mini_strstr(h, "unable") == strstr(h, "unable"));
	CHECK(mini_strstr(h, "file") == h + strlen(h) - 4);
	CHECK(mini_strstr(h, "") == h);
	CHECK(mini_strstr("", "") != NULL);
	CHECK(mini_strstr("", "a") == NULL);
	CHECK(mini_strstr(h, "files") == NULL);
	CHECK(mini_strstr("aaab", "aab") == strstr("aaab", "aab"));
	for (unsigned seed = 1; seed <= 20000; seed++) {
		size_t hn = (size_t)rand() % 40, nn = (size_t)rand() % 5;

		for (size_t i = 0; i < hn; i++)
			hay[i] = (char)('a' + rand() % 3);
		hay[hn] = 0;
		for (size_t i = 0; i < nn; i++)
			needle[i] = (char)('a' + rand() % 3);
		needle[nn] = 0;
		CHECK(mini_strstr(hay, needle) == strstr(hay, needle));
	}

	struct timespec t0, t1, t2;
	int st = -1;
	pid_t pid;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &t0) == 0);
	CHECK(mini_clock_gettime(CLOCK_MONOTONIC, &t1) == 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t2) == 0);
	CHECK(t0.tv_sec < t1.tv_sec || (t0.tv_sec == t1.tv_sec && t0.tv_nsec <= t1.tv_nsec));
	CHECK(t1.tv_sec < t2.tv_sec || (t1.tv_sec == t2.tv_sec && t1.tv_nsec <= t2.tv_nsec));
	CHECK(mini_clock_gettime(CLOCK_BOOTTIME, &t1) == 0);
	CHECK(mini_clock_gettime((clockid_t)-100, &t1) == -1);
	pid = mini_fork();
	if (pid == 0)
		_exit(getpid() == getppid() ? 1 : 42);
	CHECK(pid > 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
