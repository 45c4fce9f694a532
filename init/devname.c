/* devname: depmod's modules.devname read as kmod's static-nodes reads it,
 * for the `device` nodes a module makes (SPEC §3). */
#include "devname.h"

#include <errno.h>
#include <string.h>

/* The kernel's MODULE_NAME_LEN (64 less a pointer), with its NUL. */
#define MODNAME_MAX 56

/* The next blank-separated field of [*P, END) into F, FLEN; 0 if none. */
static int field(const char **p, const char *end, const char **f, size_t *flen)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	*f = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*flen = (size_t)(*p - *f);
	return *flen > 0;
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

static int modname_ok(const char *s, size_t n)
{
	if (n >= MODNAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!digit(s[i]) && s[i] != '_' && s[i] != '-' &&
		    !((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
			return 0;
	return 1;
}

/* `c10:200` or `b7:0`: depmod's %c%u:%u. */
static int devnum_ok(const char *s, size_t n)
{
	size_t i = 1, major = 0, minor = 0;

	if (s[0] != 'c' && s[0] != 'b')
		return 0;
	for (; i < n && digit(s[i]); i++)
		major++;
	if (i == n || s[i++] != ':')
		return 0;
	for (; i < n && digit(s[i]); i++)
		minor++;
	return i == n && major && major <= 10 && minor && minor <= 10;
}

int devname_module(const char *map, size_t len, const char *node, char *mod, size_t size)
{
	size_t nlen = strlen(node), at = 0;

	while (at < len) {
		const char *line = map + at, *nl = memchr(line, '\n', len - at);
		const char *end = nl ? nl : map + len, *p = line, *m, *d, *t, *x;
		size_t ml, dl, tl, xl;

		at = (size_t)(end - map) + 1;
		if (end - line > DEVNAME_LINE_MAX || *line == '#')
			continue;
		if (!field(&p, end, &m, &ml) || !field(&p, end, &d, &dl) || !field(&p, end, &t, &tl) ||
		    field(&p, end, &x, &xl))
			continue;
		if (dl != nlen || memcmp(d, node, nlen) || !modname_ok(m, ml) || !devnum_ok(t, tl) ||
		    ml >= size)
			continue;
		memcpy(mod, m, ml);
		mod[ml] = 0;
		return 0;
	}
	errno = ENOENT;
	return -1;
}
