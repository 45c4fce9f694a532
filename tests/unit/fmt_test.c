/* fmt_test: init/fmt.c's printf family (here fmt_vsnprintf, fmt_vdprintf...)
 * against musl's own, which it replaces in out/sandinit: fixed cases, then
 * random formats made of every precision, length and
 * conversion it supports, each printed by both into a string (whole and cut
 * short) and an fd, output and return value compared. */
#define FMT_TEST
#include "fmt.c"
#undef vfprintf
#undef vsnprintf
#undef snprintf
#undef vsprintf
#undef sprintf
#undef vdprintf
#undef dprintf

#include <errno.h>
#include <stdlib.h>
#include "check.h"

/* The random formats are made at run time. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat"

static char ours_buf[4096], libc_buf[4096];
static int ours_ret, libc_ret;

static int differ(const char *how, const char *fmt)
{
	if (ours_ret == libc_ret && !strcmp(ours_buf, libc_buf))
		return 0;
	fprintf(stderr, "fmt \"%s\" (%s): ours %d \"%s\", musl's %d \"%s\"\n", fmt, how,
		ours_ret, ours_buf, libc_ret, libc_buf);
	return 1;
}

/* Both print FMT into a string (whole, then cut to 0, 1 and 7 bytes) and
 * a pipe; 1 if they agree every time. */
static int both(const char *fmt, ...)
{
	static const size_t cuts[] = { 0, 1, 7 };
	va_list ap;
	int fds[2], bad = 0;
	ssize_t got;

	va_start(ap, fmt);
	errno = EACCES;
	libc_ret = vsnprintf(libc_buf, sizeof(libc_buf), fmt, ap);
	va_end(ap);
	memset(ours_buf, 'x', sizeof(ours_buf));
	va_start(ap, fmt);
	errno = EACCES;
	ours_ret = fmt_vsnprintf(ours_buf, sizeof(ours_buf), fmt, ap);
	va_end(ap);
	bad |= differ("string", fmt);

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		memset(ours_buf, 'x', sizeof(ours_buf));
		memset(libc_buf, 'x', sizeof(libc_buf));
		ours_buf[100] = libc_buf[100] = 0;
		va_start(ap, fmt);
		errno = EACCES;
		libc_ret = vsnprintf(libc_buf, cuts[i], fmt, ap);
		va_end(ap);
		va_start(ap, fmt);
		errno = EACCES;
		ours_ret = fmt_vsnprintf(ours_buf, cuts[i], fmt, ap);
		va_end(ap);
		bad |= differ("cut", fmt);
	}

	va_start(ap, fmt);
	errno = EACCES;
	libc_ret = vsnprintf(libc_buf, sizeof(libc_buf), fmt, ap);
	va_end(ap);
	if (pipe(fds) < 0)
		return 0;
	va_start(ap, fmt);
	errno = EACCES;
	ours_ret = fmt_vdprintf(fds[1], fmt, ap);
	va_end(ap);
	close(fds[1]);
	got = read(fds[0], ours_buf, sizeof(ours_buf) - 1);
	ours_buf[got > 0 ? got : 0] = 0;
	close(fds[0]);
	bad |= differ("fd", fmt);
	return !bad;
}

int main(void)
{
	static const char *const precs[] = { "", ".", ".0", ".3", ".12", ".*" };
	static const char *const ints[] = { "", "l", "ll", "z" };
	static const char convs[] = "duocs";
	static const long long values[] = { 0, 1, -1, 7, -42, 255, 256, 65535, 65536, 2147483647,
		-2147483647 - 1, 4294967295LL, 9223372036854775807LL, -9223372036854775807LL - 1 };
	static const char *const strs[] = { "", "a", "sandinit", "long string of 30 characters." };
	int bad = 0;

	CHECK(both("plain"));
	CHECK(both("%s and %s", "one", "two"));
	CHECK(both("%d%%", 50));
	CHECK(both("%m"));
	CHECK(both("x%.*sy", 3, "abcdef"));
	CHECK(both("%o %lo", 8, 0777UL));
	CHECK(both("%zu %lu %llu", (size_t)-1, (unsigned long)-1, (unsigned long long)-1));
	CHECK(both("%c%c", 'a', 0x100 + 'b'));
	CHECK(both("%s", (char *)NULL));
	/* past the 256-byte buffer it flushes */
	{
		char big[601];

		memset(big, 'x', 600);
		big[600] = 0;
		CHECK(both("%s|%s", big, "long string of 30 characters."));
	}
	/* a floating-point conversion: refused, not misprinted */
	errno = 0;
	CHECK(fmt_snprintf(ours_buf, sizeof(ours_buf), "%f", 1.5) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(fmt_dprintf(1, "%f", 1.5) == -1 && errno == EINVAL);
	/* nor those sandinit does not use */
	errno = 0;
	CHECK(fmt_snprintf(ours_buf, sizeof(ours_buf), "%x", 255) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(fmt_snprintf(ours_buf, sizeof(ours_buf), "%hd", 1) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(fmt_snprintf(ours_buf, sizeof(ours_buf), "%+d", 1) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(fmt_snprintf(ours_buf, sizeof(ours_buf), "%-5d", 1) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(fmt_snprintf(ours_buf, sizeof(ours_buf), "%*d", 5, 1) == -1 && errno == EINVAL);
	/* a width or the flag 0 (log_secs pads the one stamp that did) */
	errno = 0;
	CHECK(fmt_snprintf(ours_buf, sizeof(ours_buf), "%5lld", 12LL) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(fmt_snprintf(ours_buf, sizeof(ours_buf), "%06lld", -5LL) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(fmt_snprintf(ours_buf, sizeof(ours_buf), "%12s", "x") == -1 && errno == EINVAL);
	errno = 0;
	CHECK(fmt_snprintf(ours_buf, sizeof(ours_buf), "%.3d", 1) == -1 && errno == EINVAL);
	/* the wrappers: sprintf, dprintf */
	{
		int fds[2];
		ssize_t got;

		CHECK(fmt_sprintf(ours_buf, "%s=%d", "x", 42) == 4 && !strcmp(ours_buf, "x=42"));
		CHECK(pipe(fds) == 0);
		CHECK(fmt_dprintf(fds[1], "%s %u\n", "lease", 600u) == 10);
		close(fds[1]);
		got = read(fds[0], ours_buf, sizeof(ours_buf));
		close(fds[0]);
		CHECK(got == 10 && !memcmp(ours_buf, "lease 600\n", 10));
		/* a failed write is a failure */
		CHECK(fmt_dprintf(-1, "x") == -1);
	}

	srandom(15);
	for (int i = 0; i < 200000 && bad < 10; i++) {
		char fmt[64];
		char c = convs[random() % (sizeof(convs) - 1)];
		/* a precision for strings only */
		const char *pr = c == 's' ? precs[random() % 6] : "";
		const char *len = c == 'c' || c == 's' ? "" : ints[random() % 4];
		long long v = values[random() % 14] ^ (random() % 4 ? 0 : random());
		int pa = (int)(random() % 21) - 5, ok;

		snprintf(fmt, sizeof(fmt), "<%%%s%s%c>", pr, len, c);
		/* the arguments as the conversion takes them */
#define ARGS(x) \
		(*pr && pr[1] == '*' ? both(fmt, pa, x) : both(fmt, x))
		if (c == 's')
			ok = ARGS(strs[random() % 4]);
		else if (c == 'c')
			ok = ARGS((int)(' ' + random() % 90));
		else if (!strcmp(len, "ll"))
			ok = ARGS(v);
		else if (*len == 'l' || *len == 'z')
			ok = ARGS((long)v);
		else
			ok = ARGS((int)v);
		bad += !ok;
	}
	CHECK(bad == 0);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
