/* malloc: malloc, calloc, realloc and free for the static musl build, as
 * mini.c is strstr and fmt.c vfprintf: musl's mallocng and what it pulls in
 * (locks, mremap, madvise: 8.5 KB) made for threads and many heaps, where
 * PID 1 is one thread (issue 15: binary size). Host builds (glibc) keep
 * their libc's.
 *
 * Why this shape: PID 1 lives for ever, so what it frees must serve what it
 * asks for next, whatever the order. Small blocks (to SMALL_MAX with their
 * 16-byte header) are a power of two each, carved from 64 KiB mappings and
 * kept on one free list a size once freed, never split or merged: the heap
 * is at most the peak of each size's live blocks, and PID 1's patterns
 * (config and slot tables remade at each reload, control requests freed
 * when answered) repeat their peaks rather than grow them. Larger blocks
 * (exec requests, log chunks, a big config's tables) are mappings of their
 * own, unmapped when freed: their memory goes back to the kernel at once,
 * and a fresh mapping is zero, so calloc need not touch (make resident)
 * its pages.
 *
 * No locks: sandinit has no threads. The one CLONE_VM child (spawn.c's
 * service process, CLONE_VFORK) runs while its reaper is stopped, so the
 * heap is never used by two at once. */
/* A libc header first: __GLIBC__ is defined by glibc's features.h, so
 * without one the host (sanitizer) build took these as its own too. */
#include <stdlib.h>
#if !defined(__GLIBC__) || defined(MALLOC_TEST)
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifdef MALLOC_TEST
#define malloc mini_malloc
#define calloc mini_calloc
#define realloc mini_realloc
#define free mini_free
void *mini_malloc(size_t n);
void *mini_calloc(size_t m, size_t n);
void *mini_realloc(void *p, size_t n);
void mini_free(void *p);
#endif

#define SMALL_MAX 4096
#define ARENA 65536
#define PAGE 4096

/* Before each block's memory: its whole size, a power of two from 32 to
 * SMALL_MAX or a mapping's length; 16 bytes, so memory stays 16-aligned. */
struct blk {
	size_t size;
	struct blk *next;	/* on its free list */
} __attribute__((aligned(16)));

static struct blk *free_list[13];	/* by log2 of the size */
static char *arena;	/* the free end of the last 64 KiB mapping */
static size_t arena_left;

/* The block for N bytes: its whole size, or 0 for a size no mapping holds. */
static size_t blk_size(size_t n)
{
	size_t s = 32;

	if (n > SIZE_MAX / 2)
		return 0;
	n += sizeof(struct blk);
	if (n > SMALL_MAX)
		return (n + PAGE - 1) & -(size_t)PAGE;
	while (s < n)
		s *= 2;
	return s;
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void *malloc(size_t n)
{
	size_t size = blk_size(n);
	struct blk *b;

	if (!size)
		goto nomem;
	if (size > SMALL_MAX) {
		if (!(b = map(size)))
			goto nomem;
	} else if ((b = free_list[__builtin_ctzl(size)])) {
		free_list[__builtin_ctzl(size)] = b->next;
	} else {
		if (arena_left < size) {
			/* what was left of the last one stays unused: less
			 * than SMALL_MAX, and never touched */
			char *a = map(ARENA);

			if (!a)
				goto nomem;
			arena = a;
			arena_left = ARENA;
		}
		b = (struct blk *)arena;
		arena += size;
		arena_left -= size;
	}
	b->size = size;
	return b + 1;
nomem:
	errno = ENOMEM;
	return NULL;
}

void free(void *p)
{
	struct blk *b;

	if (!p)
		return;
	b = (struct blk *)p - 1;
	if (b->size > SMALL_MAX) {
		munmap(b, b->size);
		return;
	}
	b->next = free_list[__builtin_ctzl(b->size)];
	free_list[__builtin_ctzl(b->size)] = b;
}

void *calloc(size_t m, size_t n)
{
	void *p;

	if (n && m > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	n *= m;
	/* a mapping of its own is fresh, zero pages */
	if ((p = malloc(n)) && n + sizeof(struct blk) <= SMALL_MAX)
		memset(p, 0, n);
	return p;
}

/* As musl's: realloc(NULL, n) is malloc(n), realloc(p, 0) a block of no
 * bytes (not NULL); a block that stays the same size stays where it is. */
void *realloc(void *p, size_t n)
{
	size_t size = blk_size(n), have;
	void *q;

	if (!p)
		return malloc(n);
	if (!size) {
		errno = ENOMEM;
		return NULL;
	}
	have = ((struct blk *)p - 1)->size;
	if (size == have)
		return p;
	have -= sizeof(struct blk);
	if (!(q = malloc(n)))
		/* a shrink without memory: the block is still big enough */
		return n <= have ? p : NULL;
	memcpy(q, p, n < have ? n : have);
	free(p);
	return q;
}
#endif
