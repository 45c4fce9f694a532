/* devname_fuzz: libFuzzer target for the modules.devname reader
 * (devname_module), which PID 1 runs on a file of the image or of a host's
 * depmod: any bytes in, no crash, nothing read past the map or written past
 * the name, and the answer that of a plain reading of modules.devname's
 * format (below, with strtok_r): the first line of at most DEVNAME_LINE_MAX
 * bytes that reads `NAME NODE cMAJOR:MINOR` (or `b`), NAME 1..55 of
 * [A-Za-z0-9_-] and short enough for the buffer. The first input byte picks
 * the name's buffer size (0..63), the second the node (a few of depmod's
 * and the empty one), the rest is the map. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const nodes[] = { "net/tun", "ppp", "fuse", "loop-control", "", "a" };

/* 1-10 decimal digits from S up to END (exclusive, or NUL). */
static int digits(const char *s, const char *end)
{
	size_t n = end ? (size_t)(end - s) : strlen(s);

	return n >= 1 && n <= 10 && strspn(s, "0123456789") >= n;
}

/* The reference answer: 0 and the name in OUT, or -1. */
static int reference(const char *map, size_t len, const char *node, size_t msize, char *out)
{
	const char *names = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
	char line[DEVNAME_LINE_MAX + 1];

	for (size_t at = 0; at < len;) {
		const char *nl = memchr(map + at, '\n', len - at);
		size_t l = nl ? (size_t)(nl - map) - at : len - at;
		char *save, *m, *d, *t, *colon;

		if (l <= DEVNAME_LINE_MAX && !memchr(map + at, 0, l)) {
			memcpy(line, map + at, l);
			line[l] = 0;
			m = strtok_r(line, " \t", &save);
			d = m ? strtok_r(NULL, " \t", &save) : NULL;
			t = d ? strtok_r(NULL, " \t", &save) : NULL;
			colon = t ? strchr(t, ':') : NULL;
			if (line[0] != '#' && t && !strtok_r(NULL, " \t", &save) && !strcmp(d, node) &&
			    strlen(m) <= 55 && strspn(m, names) == strlen(m) && strlen(m) < msize &&
			    (t[0] == 'c' || t[0] == 'b') && colon && digits(t + 1, colon) &&
			    digits(colon + 1, NULL)) {
				strcpy(out, m);
				return 0;
			}
		}
		at += l + 1;
	}
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *map, *mod, *mod2, ref[64];
	const char *node;
	size_t msize, len;
	int r, r2;

	if (size < 2)
		return 0;
	msize = data[0] & 63;
	node = nodes[data[1] % (sizeof(nodes) / sizeof(nodes[0]))];
	len = size - 2;
	/* Copies of their own, so ASan sees any access past either. */
	map = malloc(len ? len : 1);
	mod = malloc(msize ? msize : 1);
	mod2 = malloc(msize ? msize : 1);
	if (!map || !mod || !mod2)
		abort();
	memcpy(map, data + 2, len);
	errno = 0;
	r = devname_module(map, len, node, mod, msize);
	if (r < 0 && errno != ENOENT)
		__builtin_trap();
	if (r != reference(map, len, node, msize, ref) || (r == 0 && strcmp(mod, ref)))
		__builtin_trap();
	r2 = devname_module(map, len, node, mod2, msize);
	if (r2 != r || (r == 0 && strcmp(mod, mod2)))
		__builtin_trap();
	free(map);
	free(mod);
	free(mod2);
	return 0;
}
