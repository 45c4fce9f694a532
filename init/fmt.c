/* fmt: the printf family for the static musl build, the conversions
 * sandinit uses and no floating point: musl's vfprintf is 10 KB of the
 * binary (issue 15), most of it the floating-point conversions nothing here
 * prints. snprintf and dprintf write straight into their string or fd, and
 * sandinit prints only through them: musl's FILE machinery (stdout, stderr,
 * fwrite, their buffers and locks) is 4 KB more, so no printf, fprintf or
 * puts here (tests/build.bats checks; a FILE would bring back musl's
 * vfprintf, the whole 10 KB of it).
 *
 * Conversions: d u o c s m %, a string's precision (a number or *),
 * lengths l ll z: what sandinit's formats use (x, X, p, i, any flag or
 * width, a number's precision, hh h j t are not used, and cost 600 B; the
 * one padded stamp is log_secs's). Any other conversion (floating point,
 * positional %1$d, those) prints nothing and fails with EINVAL
 * (tests/unit/fmt_test.c, tools/fmt-check). */
#if !defined(__GLIBC__) || defined(FMT_TEST)
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef FMT_TEST
#define vsnprintf fmt_vsnprintf
#define snprintf fmt_snprintf
#define vsprintf fmt_vsprintf
#define sprintf fmt_sprintf
#define vdprintf fmt_vdprintf
#define dprintf fmt_dprintf
int fmt_vsnprintf(char *restrict s, size_t size, const char *restrict fmt, va_list ap);
int fmt_snprintf(char *restrict s, size_t size, const char *restrict fmt, ...);
int fmt_vsprintf(char *restrict s, const char *restrict fmt, va_list ap);
int fmt_sprintf(char *restrict s, const char *restrict fmt, ...);
int fmt_vdprintf(int fd, const char *restrict fmt, va_list ap);
int fmt_dprintf(int fd, const char *restrict fmt, ...);
#endif

_Static_assert(sizeof(long) == sizeof(long long) && sizeof(size_t) == sizeof(long long),
	       "l, ll and z are one length");

/* Where the output goes: BUF holds CAP bytes; when it is full, a string
 * is cut there, an fd gets it and BUF starts over. */
struct out {
	int to_fd;
	char *buf;
	size_t cap, n;
	int fd;
	size_t total;
	int err;
};

static void flush(struct out *o)
{
	size_t off = 0;

	while (o->to_fd && off < o->n && !o->err) {
		ssize_t w = write(o->fd, o->buf + off, o->n - off);

		if (w < 0 && errno != EINTR)
			o->err = 1;
		else if (w > 0)
			off += (size_t)w;
	}
	if (o->to_fd)
		o->n = 0;
}

static void put(struct out *o, const char *s, size_t len)
{
	o->total += len;
	while (len) {
		size_t k = o->cap - o->n;

		if (!k) {
			if (!o->to_fd)
				return;
			flush(o);
			k = o->cap;
		}
		if (k > len)
			k = len;
		memcpy(o->buf + o->n, s, k);
		o->n += k;
		s += k;
		len -= k;
	}
}

/* FMT with AP into O; the bytes it made (a string's, uncut), or -1. */
static int format(struct out *o, const char *restrict fmt, va_list ap)
{
	va_list ap2;
	int e = errno;

	va_copy(ap2, ap);
	while (*fmt) {
		const char *p = strchr(fmt, '%');
		int len = 0;
		long prec = -1;
		char tmp[3 * sizeof(uintmax_t) + 2], *t = tmp + sizeof(tmp);
		uintmax_t u;
		const char *s;
		size_t n;

		if (!p)
			p = fmt + strlen(fmt);
		put(o, fmt, (size_t)(p - fmt));
		if (!*p)
			break;
		fmt = p + 1;
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap2, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9' && prec < INT_MAX / 10)
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* l, ll and z: 64 bits (LP64, below) */
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			len = 1;
		switch (*fmt) {
		case 'c':
		case 'd':
		case 'u':
		case 'o': {
			unsigned base = *fmt == 'o' ? 8 : 10;
			int neg;

			u = len ? va_arg(ap2, unsigned long long)
			    : *fmt == 'u' || *fmt == 'o' ? va_arg(ap2, unsigned)
			    : (uintmax_t)va_arg(ap2, int);
			if (*fmt == 'c') {
				tmp[0] = (char)u;
				s = tmp;
				n = 1;
				goto text;
			}
			neg = *fmt == 'd' && (intmax_t)u < 0;
			if (neg)
				u = -u;
			if (prec >= 0)
				goto unknown;	/* (a number's precision: not used) */
			do
				*--t = (char)('0' + u % base);
			while (u /= base);
			if (neg)
				*--t = '-';
			s = t;
			n = (size_t)(tmp + sizeof(tmp) - t);
			goto text;
		}
		case 'm':
			s = strerror(e);
			goto string;
		case 's':
			s = va_arg(ap2, const char *);
			if (!s)
				s = "(null)";
		string:
			n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
		text:
			put(o, s, n);
			break;
		case '%':
			put(o, "%", 1);
			break;
		default:
		unknown:
			/* floating point, positional, a width or unknown: not here */
			flush(o);
			va_end(ap2);
			errno = EINVAL;
			return -1;
		}
		fmt++;
	}
	flush(o);
	va_end(ap2);
	if (o->err)
		return -1;
	if (o->total > INT_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return (int)o->total;
}

int vsnprintf(char *restrict s, size_t size, const char *restrict fmt, va_list ap)
{
	struct out o = { .buf = s, .cap = size ? size - 1 : 0 };
	int r = format(&o, fmt, ap);

	if (size)
		s[o.n] = 0;
	return r;
}

int snprintf(char *restrict s, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(s, size, fmt, ap);
	va_end(ap);
	return r;
}

int vsprintf(char *restrict s, const char *restrict fmt, va_list ap)
{
	return vsnprintf(s, INT_MAX, fmt, ap);
}

int sprintf(char *restrict s, const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(s, INT_MAX, fmt, ap);
	va_end(ap);
	return r;
}

/* A line of up to 256 bytes is one write(2): whole, as the console and a
 * service's pipe want it. */
int vdprintf(int fd, const char *restrict fmt, va_list ap)
{
	char buf[256];
	struct out o = { .to_fd = 1, .buf = buf, .cap = sizeof(buf), .fd = fd };

	return format(&o, fmt, ap);
}

int dprintf(int fd, const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vdprintf(fd, fmt, ap);
	va_end(ap);
	return r;
}
#endif
