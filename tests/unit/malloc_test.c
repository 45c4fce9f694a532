/* malloc_test: init/malloc.c's allocator (here mini_malloc, mini_calloc,
 * mini_realloc, mini_free), which replaces musl's in out/sandinit: the
 * contracts (16-byte alignment, calloc's zeroes and overflow, realloc's
 * NULL, 0, growing and shrinking), random sequences of all four checked
 * block by block against what was written, large blocks given back to the
 * kernel, and a repeated reload-like pattern that does not grow the heap
 * (which it reads from malloc.c's statics). */
#define MALLOC_TEST
#include "malloc.c"
#undef malloc
#undef calloc
#undef realloc
#undef free

#include <stdio.h>
#include <sys/resource.h>
#include "check.h"

#define SLOTS 400

static struct slot {
	unsigned char *p;
	size_t n;
	unsigned char tag;	/* every byte of the block is tag + its index */
} slot[SLOTS];

static int aligned(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

static void fill(struct slot *s, size_t from)
{
	for (size_t i = from; i < s->n; i++)
		s->p[i] = (unsigned char)(s->tag + i);
}

static int intact(const struct slot *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s->p[i] != (unsigned char)(s->tag + i))
			return 0;
	return 1;
}

static int zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Sizes most small, some a page or two, a few past 64 KiB. */
static size_t rand_size(void)
{
	int r = rand() % 32;

	if (r == 0)
		return (size_t)rand() % 200000;
	if (r < 7)
		return (size_t)rand() % 9000;
	return (size_t)rand() % 300;
}

/* Whether [P, P+LEN) is mapped: msync fails with ENOMEM where it is not. */
static int mapped(void *p, size_t len)
{
	void *page = (void *)((uintptr_t)p & -(uintptr_t)PAGE);

	return msync(page, len, MS_ASYNC) == 0;
}

/* OPS random mallocs, callocs, reallocs and frees over SLOTS blocks, each
 * block checked whole before it is freed or resized: a block that overlapped
 * another, or lost bytes in a realloc, shows there. */
static void random_ops(unsigned seed, int ops)
{
	int bad_align = 0, bad_data = 0, bad_zero = 0, no_mem = 0;

	srand(seed);
	for (int k = 0; k < ops; k++) {
		struct slot *s = &slot[rand() % SLOTS];
		size_t n = rand_size(), m = 1 + (size_t)rand() % 8;
		int op = s->p ? rand() % 3 : rand() % 2;
		unsigned char *q;

		if (s->p && op < 2) {	/* free it first */
			bad_data += !intact(s, s->n);
			mini_free(s->p);
			s->p = NULL;
			if (op == 0)
				continue;
		}
		if (op == 2) {	/* the old bytes kept, to the smaller size */
			q = mini_realloc(s->p, n);
			if (q) {
				s->p = q;
				bad_data += !intact(s, s->n < n ? s->n : n);
			}
		} else if (op == 1) {	/* zeroes, where a freed block may have been */
			n = n / 8 * m;
			s->p = q = mini_calloc(m, n / m);
			if (q)
				bad_zero += !zero(q, n);
		} else {
			s->p = q = mini_malloc(n);
		}
		if (!q) {
			no_mem++;
			continue;
		}
		bad_align += !aligned(q);
		s->n = n;
		s->tag = (unsigned char)rand();
		fill(s, 0);
	}
	for (int k = 0; k < SLOTS; k++) {
		if (slot[k].p)
			bad_data += !intact(&slot[k], slot[k].n);
		mini_free(slot[k].p);
		slot[k].p = NULL;
	}
	CHECK(bad_align == 0);
	CHECK(bad_data == 0);
	CHECK(bad_zero == 0);
	CHECK(no_mem == 0);
}

/* A reload's pattern: a config's worth of blocks made, then freed, again
 * and again; the heap reaches its size in the first round and stays: no
 * block is carved from the last arena (malloc.c's) after it. */
static char *reload_rounds(int rounds)
{
	void *v[300];

	for (int r = 0; r < rounds; r++) {
		srand(7);
		for (int i = 0; i < 300; i++)
			v[i] = mini_malloc(rand_size());
		for (int i = 0; i < 300; i += 2)
			mini_free(v[i]);
		for (int i = 0; i < 300; i += 2)
			v[i] = mini_realloc(mini_malloc(8), rand_size());
		for (int i = 299; i >= 0; i--)
			mini_free(v[i]);
	}
	return arena;
}

/* Out of address space (RLIMIT_AS at what is mapped): NULL and ENOMEM,
 * and malloc still gives the room left in the arena it failed to replace.
 * Returns 0 where the limit does not hold (QEMU's user mode keeps RLIMIT_AS
 * for itself). */
static int out_of_memory(void)
{
	static void *v[2000];
	struct rlimit old, lim;
	FILE *f;
	long pages = 0;
	int n = 0, small, e;

	/* as a fresh heap (what the free lists held is left): a new arena,
	 * 2 KiB of it left once its 4 KiB blocks are out */
	memset(free_list, 0, sizeof(free_list));
	arena_left = 0;
	v[n++] = mini_malloc(2000);
	if (!(f = fopen("/proc/self/statm", "r")) || fscanf(f, "%ld", &pages) != 1 ||
	    fclose(f) || getrlimit(RLIMIT_AS, &old) < 0)
		return 0;
	lim = old;
	lim.rlim_cur = (rlim_t)pages * PAGE;
	if (setrlimit(RLIMIT_AS, &lim) < 0)
		return 0;
	errno = 0;
	while (n < 2000 && (v[n] = mini_malloc(4000)))
		n++;
	e = errno;
	/* smaller blocks, from the arena's room (where malloc, had it lost
	 * the arena, would write their headers at NULL and crash) */
	for (small = n; n < 2000 && (v[n] = mini_malloc(100)); n++)
		memset(v[n], 1, 100);
	if (n == 2000) {
		setrlimit(RLIMIT_AS, &old);
		return 0;
	}
	CHECK(mini_malloc(8 << 20) == NULL && errno == ENOMEM);
	setrlimit(RLIMIT_AS, &old);
	CHECK(e == ENOMEM);
	CHECK(n > small);
	while (n--)
		mini_free(v[n]);
	return 1;
}

int main(void)
{
	unsigned char *p, *q;
	char *before;

	/* the contracts */
	p = mini_malloc(0);
	CHECK(p != NULL);
	q = mini_malloc(0);
	CHECK(q != NULL && q != p);
	mini_free(q);
	mini_free(p);
	mini_free(NULL);
	for (size_t n = 0; n < 20000; n += 1 + n / 7) {
		p = mini_malloc(n);
		CHECK(p && aligned(p));
		mini_free(p);
	}
	errno = 0;
	CHECK(mini_malloc(SIZE_MAX) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(mini_malloc(SIZE_MAX / 2 + 1) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(mini_calloc(SIZE_MAX / 16 + 2, 16) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(mini_calloc(16, SIZE_MAX / 16 + 2) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(mini_calloc((size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4)) == NULL &&
	      errno == ENOMEM);
	p = mini_calloc(0, 16);
	CHECK(p != NULL);
	mini_free(p);

	/* calloc zeroes a block that was used and freed */
	p = mini_malloc(200);
	memset(p, 0xa5, 200);
	mini_free(p);
	q = mini_calloc(25, 8);
	CHECK(q == p);
	CHECK(zero(q, 200));
	mini_free(q);

	/* realloc: NULL, bigger, smaller, 0, too much */
	p = mini_realloc(NULL, 100);
	CHECK(p && aligned(p));
	for (int i = 0; i < 100; i++)
		p[i] = (unsigned char)i;
	q = mini_realloc(p, 100000);
	CHECK(q && aligned(q));
	CHECK(q[0] == 0 && q[99] == 99);
	q[99999] = 1;
	p = mini_realloc(q, 50);
	CHECK(p && p[0] == 0 && p[49] == 49);
	CHECK(!mapped(q, 100000));	/* a large block shrunk is given back */
	CHECK(mini_realloc(p, 60) == p);	/* the same block size: in place */
	errno = 0;
	CHECK(mini_realloc(p, SIZE_MAX) == NULL && errno == ENOMEM);
	CHECK(p[49] == 49);	/* a failed realloc leaves the block */
	q = mini_realloc(p, 0);
	CHECK(q != NULL);	/* as musl's: a block of no bytes, not NULL */
	mini_free(q);

	/* large blocks are mappings of their own, unmapped when freed */
	p = mini_malloc(128 << 10);
	CHECK(p && mapped(p, 128 << 10));
	memset(p, 1, 128 << 10);
	mini_free(p);
	CHECK(!mapped(p, 128 << 10));
	p = mini_calloc(1, 1 << 20);
	CHECK(p && zero(p, 1 << 20));
	q = mini_realloc(p, 2 << 20);
	CHECK(q && !mapped(p, 1 << 20));
	mini_free(q);
	CHECK(!mapped(q, 2 << 20));

	if (!out_of_memory())
		printf("(no RLIMIT_AS here: the out-of-memory checks skipped)\n");

	for (unsigned seed = 1; seed <= 10; seed++)
		random_ops(seed, 5000);

	before = reload_rounds(1);
	CHECK(before != NULL);
	CHECK(reload_rounds(500) == before);

	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
