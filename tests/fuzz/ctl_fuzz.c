/* ctl_fuzz: libFuzzer target for the control-request decoder (ctl_parse):
 * any bytes in, no crash, and the result is exactly what the protocol says:
 * the body is a run of NUL-terminated arguments, nothing before, between or
 * after them, at most MAX - 1 of them. The first input byte picks MAX (1..64,
 * so the argument limit is reached), the rest is the request body, which is
 * also decoded with request()'s own MAX. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What ctl_parse must return, computed the obvious way. */
static int expect(const char *b, size_t len, int max)
{
	int n = 0;

	if (len == 0 || b[len - 1] != 0)
		return -1;
	for (size_t i = 0; i < len; i++)
		n += b[i] == 0;
	return n <= max - 1 ? n : -1;
}

static void one(const uint8_t *data, size_t size, int max)
{
	/* A copy of its own, so ASan sees any read past the body. */
	char *buf = malloc(size ? size : 1);
	char *argv[CTL_MAX_ARGS + 4];	/* and one past: see below */
	int argc;

	if (!buf)
		return;
	memcpy(buf, data, size);
	for (int i = 0; i <= max; i++)
		argv[i] = (char *)1;
	argc = ctl_parse(buf, size, argv, max);
	if (argc != expect(buf, size, max))
		__builtin_trap();
	if (memcmp(buf, data, size))	/* the decoder does not write the body */
		__builtin_trap();
	if (argc >= 0) {
		size_t off = 0;

		if (argc < 1 || argc > max - 1 || argv[argc])
			__builtin_trap();
		for (int i = 0; i < argc; i++) {
			if (argv[i] != buf + off)
				__builtin_trap();
			off += strlen(argv[i]) + 1;
			if (off > size)
				__builtin_trap();
		}
		if (off != size)
			__builtin_trap();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0) {
		one(data, 0, CTL_MAX_ARGS + 3);
		return 0;
	}
	one(data + 1, size - 1, CTL_MAX_ARGS + 3);	/* as request() calls it */
	one(data + 1, size - 1, 1 + data[0] % 64);
	return 0;
}
