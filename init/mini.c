/* mini: strstr for the static musl build, as fmt.c is vfprintf: musl's
 * is made for large inputs (the two-way string search, 1.3 KB) and
 * sandinit looks for short words in short strings (issue 15: binary
 * size; PID 1 sorts nothing since its address assignment stopped). Also
 * the string functions a byte at a time, getenv and strerror (musl's
 * texts, a smaller table). The system calls are init/mini_sys.c's. Same
 * contracts; host builds (glibc) keep their libc's. */
#include "mini.h"
#if !defined(__GLIBC__) || defined(MINI_TEST)
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

/* Byte at a time: musl's read a word at a time (with its masks and
 * tables, 1.3 KB for these), a gain for long strings; sandinit's are a
 * line or a name. getenv is here for strchrnul: musl's calls it by an
 * internal name, which would link musl's back. */
size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

char *strchrnul(const char *s, int c)
{
	while (*s && *s != (char)c)
		s++;
	return (char *)s;
}

char *strchr(const char *s, int c)
{
	s = strchrnul(s, c);
	return *s == (char)c ? (char *)s : NULL;
}

void *memchr(const void *s, int c, size_t n)
{
	for (const unsigned char *p = s; n--; p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strspn(const char *s, const char *set)
{
	size_t n = 0;

	while (s[n] && strchr(set, s[n]))
		n++;
	return n;
}

size_t strcspn(const char *s, const char *set)
{
	size_t n = 0;

	while (s[n] && !strchr(set, s[n]))
		n++;
	return n;
}

char *stpcpy(char *restrict d, const char *restrict s)
{
	while ((*d = *s++))
		d++;
	return d;
}

char *strcpy(char *restrict d, const char *restrict s)
{
	stpcpy(d, s);
	return d;
}

char *strncpy(char *restrict d, const char *restrict s, size_t n)
{
	size_t i = 0;

	for (; i < n && s[i]; i++)
		d[i] = s[i];
	for (; i < n; i++)
		d[i] = 0;
	return d;
}

/* musl's memcmp, memrchr, strrchr, strnlen and strdup are these loops and
 * calls too, built at -O2 outside the link-time optimization (40 to 66 B
 * each). */
int memcmp(const void *l, const void *r, size_t n)
{
	const unsigned char *a = l, *b = r;

	for (; n; n--, a++, b++)
		if (*a != *b)
			return *a - *b;
	return 0;
}

void *memrchr(const void *m, int c, size_t n)
{
	const unsigned char *s = m;

	while (n--)
		if (s[n] == (unsigned char)c)
			return (void *)(s + n);
	return 0;
}

char *strrchr(const char *s, int c)
{
	return memrchr(s, c, strlen(s) + 1);
}

size_t strnlen(const char *s, size_t n)
{
	const char *p = memchr(s, 0, n);

	return p ? (size_t)(p - s) : n;
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	return d ? memcpy(d, s, n) : 0;
}

/* The compares as musl's: the difference of the first unsigned bytes that
 * differ (after tolower in the C locale for the case-blind ones). */
int strncmp(const char *l, const char *r, size_t n)
{
	for (; n; n--, l++, r++)
		if (*l != *r || !*l)
			return (unsigned char)*l - (unsigned char)*r;
	return 0;
}

/* A bound of SIZE_MAX, hidden from GCC, which warns that it exceeds an
 * object's (PTRDIFF_MAX's constant is longer: 32 B in all). */
int strcmp(const char *l, const char *r)
{
	size_t n = (size_t)-1;

	__asm__("" : "+r"(n));
	return strncmp(l, r, n);
}

static int lower(int c)
{
	return (unsigned)c - 'A' < 26 ? c | 32 : c;
}

int strncasecmp(const char *l, const char *r, size_t n)
{
	for (; n; n--, l++, r++) {
		int a = lower((unsigned char)*l), b = lower((unsigned char)*r);

		if (a != b || !a)
			return a - b;
	}
	return 0;
}

int strcasecmp(const char *l, const char *r)
{
	return strncasecmp(l, r, (size_t)-1);
}

char *strtok_r(char *restrict s, const char *restrict sep, char **restrict p)
{
	if (!s && !(s = *p))
		return NULL;
	s += strspn(s, sep);
	if (!*s)
		return *p = NULL;
	*p = s + strcspn(s, sep);
	if (**p)
		*(*p)++ = 0;
	else
		*p = NULL;
	return s;
}

/* musl's: white space, a sign, digits, accumulated negative (INT_MIN). */
int atoi(const char *s)
{
	int n = 0, neg = 0;

	while (*s == ' ' || (unsigned)*s - '\t' < 5)
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	while ((unsigned)*s - '0' < 10)
		n = 10 * n - (*s++ - '0');
	return neg ? n : -n;
}

extern char **__environ;

char *getenv(const char *name)
{
	size_t l = (size_t)(strchrnul(name, '=') - name);

	if (l && !name[l] && __environ)
		for (char **e = __environ; *e; e++)
			if (!strncmp(name, *e, l) && (*e)[l] == '=')
				return *e + l + 1;
	return NULL;
}

/* musl's messages (%m's), the same texts in errno order (both boards
 * number errors as asm-generic does; mini_test compares every one with
 * musl's on each), an empty one where musl has none: musl's table of
 * 16-bit offsets (264 B) and its locale hook are not needed for a walk of
 * 2 KB when a message is printed. */
static const char errmsg[] =
	"No error information\0Operation not permitted\0No such file or directory\0"
	"No such process\0Interrupted system call\0I/O error\0"
	"No such device or address\0Argument list too long\0Exec format error\0"
	"Bad file descriptor\0No child process\0Resource temporarily unavailable\0"
	"Out of memory\0Permission denied\0Bad address\0Block device required\0"
	"Resource busy\0File exists\0Cross-device link\0No such device\0"
	"Not a directory\0Is a directory\0Invalid argument\0"
	"Too many open files in system\0No file descriptors available\0Not a tty\0"
	"Text file busy\0File too large\0No space left on device\0Invalid seek\0"
	"Read-only file system\0Too many links\0Broken pipe\0Domain error\0"
	"Result not representable\0Resource deadlock would occur\0"
	"Filename too long\0No locks available\0Function not implemented\0"
	"Directory not empty\0Symbolic link loop\0\0No message of desired type\0"
	"Identifier removed\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0Device not a stream\0"
	"No data available\0Device timeout\0Out of streams resources\0\0\0\0"
	"Link has been severed\0\0\0\0Protocol error\0Multihop attempted\0\0"
	"Bad message\0Value too large for data type\0\0"
	"File descriptor in bad state\0\0\0\0\0\0\0Illegal byte sequence\0\0\0\0"
	"Not a socket\0Destination address required\0Message too large\0"
	"Protocol wrong type for socket\0Protocol not available\0"
	"Protocol not supported\0Socket type not supported\0Not supported\0"
	"Protocol family not supported\0Address family not supported by protocol\0"
	"Address in use\0Address not available\0Network is down\0"
	"Network unreachable\0Connection reset by network\0Connection aborted\0"
	"Connection reset by peer\0No buffer space available\0Socket is connected\0"
	"Socket not connected\0Cannot send after socket shutdown\0\0"
	"Operation timed out\0Connection refused\0Host is down\0"
	"Host is unreachable\0Operation already in progress\0Operation in progress\0"
	"Stale file handle\0\0\0\0\0Remote I/O error\0Quota exceeded\0"
	"No medium found\0Wrong medium type\0Operation canceled\0"
	"Required key not available\0Key has expired\0Key has been revoked\0"
	"Key was rejected by service\0Previous owner died\0State not recoverable";

char *strerror(int e)
{
	const char *s = errmsg, *end = errmsg + sizeof(errmsg) - 1;

	for (; e > 0 && s < end; e--)
		s += strlen(s) + 1;
	return (char *)(s < end && *s ? s : errmsg);
}

#endif
