/* fmt_test: init/fmt.c's vfprintf (here fmt_vfprintf) against musl's own,
 * which it replaces in out/sandinit: fixed cases, then random formats made
 * of every flag, width, precision, length and conversion it supports, each
 * printed by both, output and return value compared. */
#define FMT_TEST
#include "fmt.c"
#undef vfprintf

#include <errno.h>
#include <stdlib.h>
#include "check.h"

/* The random formats are made at run time. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat"

static char ours_buf[4096], libc_buf[4096];
static int ours_ret, libc_ret;

/* Both print FMT; 1 if they agree. */
static int both(const char *fmt, ...)
{
	va_list ap;
	FILE *f;
	char *p = NULL;
	size_t n = 0;

	va_start(ap, fmt);
	errno = EACCES;
	libc_ret = vsnprintf(libc_buf, sizeof(libc_buf), fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	f = open_memstream(&p, &n);
	errno = EACCES;
	ours_ret = f ? fmt_vfprintf(f, fmt, ap) : -2;
	va_end(ap);
	if (f)
		fclose(f);
	snprintf(ours_buf, sizeof(ours_buf), "%s", p ? p : "");
	free(p);
	if (ours_ret != libc_ret || strcmp(ours_buf, libc_buf)) {
		fprintf(stderr, "fmt \"%s\": ours %d \"%s\", musl's %d \"%s\"\n", fmt, ours_ret,
			ours_buf, libc_ret, libc_buf);
		return 0;
	}
	return 1;
}

static int ours_only(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int main(void)
{
	static const char *const flags[] = { "", "-", "0", "+", " ", "#", "-0", "0+", "- ", "#0" };
	static const char *const widths[] = { "", "1", "5", "12", "*" };
	static const char *const precs[] = { "", ".", ".0", ".3", ".12", ".*" };
	static const char *const ints[] = { "hh", "h", "", "l", "ll", "z", "j" };
	static const char convs[] = "diuoxXcs";
	static const long long values[] = { 0, 1, -1, 7, -42, 255, 256, 65535, 65536, 2147483647,
		-2147483647 - 1, 4294967295LL, 9223372036854775807LL, -9223372036854775807LL - 1 };
	static const char *const strs[] = { "", "a", "sandinit", "long string of 30 characters." };
	int bad = 0;

	CHECK(both("plain"));
	CHECK(both("%s and %s", "one", "two"));
	CHECK(both("%d%%", 50));
	CHECK(both("%m"));
	CHECK(both("x%.*sy", 3, "abcdef"));
	CHECK(both("%06lld|%5lld|%-5lld|", -5LL, 12LL, 12LL));
	CHECK(both("%o %#o %#x %#X", 8, 8, 255, 255));
	CHECK(both("%zu %lu %llu", (size_t)-1, (unsigned long)-1, (unsigned long long)-1));
	CHECK(both("%c%c", 'a', 0x100 + 'b'));
	CHECK(both("%s", (char *)NULL));
	/* past the 256-byte buffer it flushes */
	CHECK(both("%600s|%s", "right", "long string of 30 characters."));
	/* a floating-point conversion: refused, not misprinted */
	{
		FILE *f;
		char *p = NULL;
		size_t n = 0;
		int r;

		f = open_memstream(&p, &n);
		r = ours_only(f, "%f", 1.5);
		fclose(f);
		free(p);
		CHECK(r == -1 && errno == EINVAL);
	}

	srandom(15);
	for (int i = 0; i < 200000 && bad < 10; i++) {
		char fmt[64];
		char c = convs[random() % (sizeof(convs) - 1)];
		const char *w = widths[random() % 5], *pr = precs[random() % 6];
		const char *len = c == 'c' || c == 's' ? "" : ints[random() % 7];
		long long v = values[random() % 14] ^ (random() % 4 ? 0 : random());
		int wa = (int)(random() % 41) - 20, pa = (int)(random() % 21) - 5, ok;

		snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>", flags[random() % 10], w, pr, len, c);
		/* the arguments as the conversion takes them */
#define ARGS(x) \
		(*w == '*' && *pr && pr[1] == '*' ? both(fmt, wa, pa, x) : \
		 *w == '*' ? both(fmt, wa, x) : *pr && pr[1] == '*' ? both(fmt, pa, x) : both(fmt, x))
		if (c == 's')
			ok = ARGS(strs[random() % 4]);
		else if (c == 'c')
			ok = ARGS((int)(' ' + random() % 90));
		else if (!strcmp(len, "ll") || !strcmp(len, "j"))
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
