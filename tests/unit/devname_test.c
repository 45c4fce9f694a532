/* devname_test: init/devname.c's reading of depmod's modules.devname: the
 * lines of a real depmod's file, then what a damaged or hostile one holds
 * (malformed lines, long lines, NUL bytes, no trailing newline), each
 * buffer given exactly its length so that ASan sees a read past it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devname.h"
#include "check.h"

static char mod[64];

/* The module MAP (LEN bytes, in a buffer of exactly that size) names for
 * NODE, or "-" for none (errno ENOENT then). */
static const char *lookup_n(const char *map, size_t len, const char *node, size_t size)
{
	char *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, map, len);
	errno = 0;
	r = devname_module(copy, len, node, mod, size);
	free(copy);
	if (r < 0)
		return errno == ENOENT ? "-" : "?";
	return mod;
}

static const char *lookup(const char *map, const char *node)
{
	return lookup_n(map, strlen(map), node, sizeof(mod));
}

/* What kmod 30's depmod writes for Debian's 6.1 kernel (6.1.0-57-amd64). */
static const char real[] =
	"# Device nodes to trigger on-demand module loading.\n"
	"autofs4 autofs c10:235\n"
	"fuse fuse c10:229\n"
	"cuse cuse c10:203\n"
	"btrfs btrfs-control c10:234\n"
	"nvram nvram c10:144\n"
	"loop loop-control c10:237\n"
	"tun net/tun c10:200\n"
	"ppp_generic ppp c108:0\n"
	"uinput uinput c10:223\n"
	"dm_mod mapper/control c10:236\n"
	"vfio vfio/vfio c10:196\n"
	"hci_vhci vhci c10:137\n"
	"uhid uhid c10:239\n"
	"vhost_net vhost-net c10:238\n"
	"vhost_vsock vhost-vsock c10:241\n"
	"snd_timer snd/timer c116:33\n"
	"snd_seq snd/seq c116:1\n"
	"rfkill rfkill c10:242\n";

static void test_real(void)
{
	CHECK(!strcmp(lookup(real, "net/tun"), "tun"));
	CHECK(!strcmp(lookup(real, "ppp"), "ppp_generic"));
	CHECK(!strcmp(lookup(real, "fuse"), "fuse"));
	CHECK(!strcmp(lookup(real, "loop-control"), "loop"));
	CHECK(!strcmp(lookup(real, "mapper/control"), "dm_mod"));
	CHECK(!strcmp(lookup(real, "snd/timer"), "snd_timer"));
	CHECK(!strcmp(lookup(real, "vhost-net"), "vhost_net"));
	CHECK(!strcmp(lookup(real, "uinput"), "uinput"));
	/* only whole names, only the node field */
	CHECK(!strcmp(lookup(real, "net/tu"), "-"));
	CHECK(!strcmp(lookup(real, "net/tun0"), "-"));
	CHECK(!strcmp(lookup(real, "tun"), "-"));
	CHECK(!strcmp(lookup(real, "c10:200"), "-"));
	CHECK(!strcmp(lookup(real, ""), "-"));
	CHECK(!strcmp(lookup(real, "#"), "-"));
	CHECK(!strcmp(lookup("", "net/tun"), "-"));
	/* tabs and runs of blanks separate too */
	CHECK(!strcmp(lookup("tun\tnet/tun  c10:200\n", "net/tun"), "tun"));
	CHECK(!strcmp(lookup("  tun net/tun c10:200 \n", "net/tun"), "tun"));
	/* the first of two lines for a node */
	CHECK(!strcmp(lookup("tun net/tun c10:200\nvtun net/tun c10:200\n", "net/tun"), "tun"));
	/* a block node */
	CHECK(!strcmp(lookup("loop loop0 b7:0\n", "loop0"), "loop"));
}

static void test_trailing(void)
{
	/* no trailing newline: the last line still counts, cut anywhere it
	 * is no line */
	const char *s = "fuse fuse c10:229\ntun net/tun c10:200";
	size_t n = strlen(s);

	CHECK(!strcmp(lookup(s, "net/tun"), "tun"));
	CHECK(!strcmp(lookup_n(s, n - 1, "net/tun", sizeof(mod)), "tun"));
	CHECK(!strcmp(lookup_n(s, n - 3, "net/tun", sizeof(mod)), "-"));	/* "c10:" */
	CHECK(!strcmp(lookup_n(s, n - 4, "net/tun", sizeof(mod)), "-"));	/* "c10" */
	CHECK(!strcmp(lookup_n(s, n - 10, "net/tun", sizeof(mod)), "-"));
	for (size_t i = 0; i <= n; i++)
		CHECK(strcmp(lookup_n(s, i, "net/tun", sizeof(mod)), "?"));
	CHECK(!strcmp(lookup("tun net/tun c10:200\r\n", "net/tun"), "-"));
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"tun\n", "tun net/tun\n", "tun net/tun c10:200 extra\n",
		"tun net/tun x10:200\n", "tun net/tun c10\n", "tun net/tun c:200\n",
		"tun net/tun c10:\n", "tun net/tun c10:2x0\n", "tun net/tun c10:200:1\n",
		"tun net/tun c-10:200\n", "tun net/tun c12345678901:1\n",
		"../../tmp/x net/tun c10:200\n", "t/un net/tun c10:200\n",
		"tun.ko net/tun c10:200\n", "#tun net/tun c10:200\n",
		"\xff\xfe net/tun c10:200\n", "tun net/tun c\xd9\xa1\xd9\xa0:200\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!strcmp(lookup(bad[i], "net/tun"), "-"));
	/* a malformed line is skipped, the next one read */
	CHECK(!strcmp(lookup("tun\ngarbage \x01\x02\n\n\n#\ntun net/tun c10:200\n", "net/tun"), "tun"));
	/* 55 characters is the longest module name the kernel takes */
	char line[128], name[64];

	memset(name, 'a', 55);
	name[54] = '-';
	name[55] = 0;
	snprintf(line, sizeof(line), "%s net/tun c10:200\n", name);
	CHECK(!strcmp(lookup(line, "net/tun"), name));
	snprintf(line, sizeof(line), "a%s net/tun c10:200\n", name);
	CHECK(!strcmp(lookup(line, "net/tun"), "-"));
	/* a name that does not fit MOD is no answer, not a cut one */
	CHECK(!strcmp(lookup_n("ppp_generic ppp c108:0\n", 23, "ppp", 11), "-"));
	CHECK(!strcmp(lookup_n("ppp_generic ppp c108:0\n", 23, "ppp", 12), "ppp_generic"));
}

static void test_nul_and_long(void)
{
	/* a NUL byte ends nothing: the line with it is no line of ours */
	static const char nul[] = "tun\0net/tun c10:200\ntun net/tun c10:200\n";
	static const char nul2[] = "tun net/tun\0c10:200\n";
	char *big;
	size_t n = DEVNAME_LINE_MAX + 100, at;

	CHECK(!strcmp(lookup_n(nul, sizeof(nul) - 1, "net/tun", sizeof(mod)), "tun"));
	CHECK(!strcmp(lookup_n(nul2, sizeof(nul2) - 1, "net/tun", sizeof(mod)), "-"));
	/* a line past DEVNAME_LINE_MAX is skipped whole, even if its start
	 * reads as a line; the next one counts */
	big = malloc(2 * n + 64);
	at = (size_t)sprintf(big, "tun net/tun c10:200");
	memset(big + at, ' ', n - at);
	at = n;
	at += (size_t)sprintf(big + at, "\nfuse fuse c10:229\n");
	CHECK(!strcmp(lookup_n(big, at, "net/tun", sizeof(mod)), "-"));
	CHECK(!strcmp(lookup_n(big, at, "fuse", sizeof(mod)), "fuse"));
	/* just at the limit it is still a line */
	at = (size_t)sprintf(big, "tun net/tun c10:200");
	memset(big + at, ' ', DEVNAME_LINE_MAX - at);
	big[DEVNAME_LINE_MAX] = '\n';
	CHECK(!strcmp(lookup_n(big, DEVNAME_LINE_MAX + 1, "net/tun", sizeof(mod)), "tun"));
	/* one longer, no newline at all */
	memset(big, 'x', 2 * n);
	CHECK(!strcmp(lookup_n(big, 2 * n, "net/tun", sizeof(mod)), "-"));
	free(big);
}

int main(void)
{
	test_real();
	test_trailing();
	test_malformed();
	test_nul_and_long();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
