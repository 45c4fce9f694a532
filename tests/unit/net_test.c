/* Unit test of net_assign (address allocation) and net_addrs: no socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../init/net.h"

#include "check.h"


static struct conf_bridge bridges[2] = {
	{ .name = "br0", .addr = IP(10, 0, 0, 1), .prefix = 24 },
	{ .name = "br1", .addr = IP(10, 1, 0, 254), .prefix = 29 },
};

/* N services, each with one `net BRIDGE auto` line. */
static struct conf *mk(int n, int bridge)
{
	struct conf *c = calloc(1, sizeof *c);

	c->bridges = bridges;
	c->nbridges = 2;
	c->svc = calloc(n, sizeof *c->svc);
	c->nsvc = n;
	for (int i = 0; i < n; i++) {
		struct svc_conf *s = &c->svc[i];

		snprintf(s->name, sizeof s->name, "s%d", i);
		s->namespaces = NS_ALL;
		s->join = -1;
		s->nets = calloc(NET_MAX_LINKS, sizeof *s->nets);
		s->nnets = 1;
		s->nets[0].bridge = bridge;
	}
	return c;
}

static void rm(struct conf *c)
{
	for (int i = 0; i < c->nsvc; i++)
		free(c->svc[i].nets);
	free(c->svc);
	free(c);
}

static void test_hundred(void)
{
	struct conf *c = mk(100, 0);
	const char *step = NULL;
	int distinct = 1;

	c->svc[5].nets[0].addr = IP(10, 0, 0, 2);	/* static */
	CHECK(net_assign(c, NULL, &step) == 0);
	for (int i = 0; i < 100; i++) {
		uint32_t a = c->svc[i].nets[0].addr;

		if (a <= IP(10, 0, 0, 1) || a >= IP(10, 0, 0, 255))
			distinct = 0;
		for (int j = 0; j < i; j++)
			if (c->svc[j].nets[0].addr == a)
				distinct = 0;
	}
	CHECK(distinct);
	CHECK(c->svc[0].nets[0].addr == IP(10, 0, 0, 3));
	CHECK(c->svc[5].nets[0].addr == IP(10, 0, 0, 2));
	CHECK(c->svc[6].nets[0].addr == IP(10, 0, 0, 8));
	CHECK(c->svc[99].nets[0].addr == IP(10, 0, 0, 101));
	/* Idempotent: a second pass changes nothing. */
	CHECK(net_assign(c, NULL, &step) == 0);
	CHECK(c->svc[99].nets[0].addr == IP(10, 0, 0, 101));
	rm(c);
}

static void test_full(void)
{
	/* br1: 10.1.0.248/29, hosts .249-.254, bridge .254: 5 free. */
	struct conf *c = mk(6, 1);
	const char *step = NULL;
	char buf[64];

	errno = 0;
	CHECK(net_assign(c, NULL, &step) == -1 && errno == EADDRNOTAVAIL);
	CHECK(step && strstr(step, "s5") && strstr(step, "br1"));
	CHECK(c->svc[0].nets[0].addr == IP(10, 1, 0, 249));
	CHECK(c->svc[4].nets[0].addr == IP(10, 1, 0, 253));
	/* status shows the one left without an address as having none (SPEC
	 * §5 `-`), not 0.0.0.0; with a second, assigned link only that one */
	CHECK(net_addrs(&c->svc[5], buf, sizeof buf) == 0 && !strcmp(buf, "-"));
	c->svc[5].nnets = 2;
	c->svc[5].nets[1] = c->svc[4].nets[0];
	CHECK(net_addrs(&c->svc[5], buf, sizeof buf) == 0 && !strcmp(buf, "10.1.0.253"));
	rm(c);
	c = mk(5, 1);
	CHECK(net_assign(c, NULL, &step) == 0);
	rm(c);
}

static void test_reload(void)
{
	struct conf *old = mk(4, 0), *c = mk(4, 0);
	const char *step = NULL;

	CHECK(net_assign(old, NULL, &step) == 0);
	/* old: s0 .2, s1 .3, s2 .4, s3 .5. New: s0 removed (renamed x), s3
	 * moved to br1, a static .4 taken by s2's old address for x. */
	strcpy(c->svc[0].name, "x");
	c->svc[0].nets[0].addr = IP(10, 0, 0, 4);
	c->svc[3].nets[0].bridge = 1;
	CHECK(net_assign(c, old, &step) == 0);
	CHECK(c->svc[0].nets[0].addr == IP(10, 0, 0, 4));
	CHECK(c->svc[1].nets[0].addr == IP(10, 0, 0, 3));	/* kept */
	CHECK(c->svc[2].nets[0].addr == IP(10, 0, 0, 2));	/* lowest free */
	CHECK(c->svc[3].nets[0].addr == IP(10, 1, 0, 249));	/* new bridge */
	rm(old);
	rm(c);

	/* Kept addresses win over lower free ones given to newcomers. */
	old = mk(3, 0);
	CHECK(net_assign(old, NULL, &step) == 0);	/* s0 .2 s1 .3 s2 .4 */
	c = mk(3, 0);
	strcpy(c->svc[0].name, "new");
	CHECK(net_assign(c, old, &step) == 0);
	CHECK(c->svc[1].nets[0].addr == IP(10, 0, 0, 3));
	CHECK(c->svc[2].nets[0].addr == IP(10, 0, 0, 4));
	CHECK(c->svc[0].nets[0].addr == IP(10, 0, 0, 2));
	rm(old);
	rm(c);
}

static void test_two_links(void)
{
	struct conf *c = mk(2, 0);
	const char *step = NULL;
	char buf[64];

	c->svc[1].nnets = 2;
	c->svc[1].nets[1].bridge = 1;
	CHECK(net_assign(c, NULL, &step) == 0);
	CHECK(net_addrs(&c->svc[1], buf, sizeof buf) == 0);
	CHECK(!strcmp(buf, "10.0.0.3,10.1.0.249"));
	CHECK(net_addrs(&c->svc[1], buf, 12) == -1 && errno == ENOBUFS);
	c->svc[0].nnets = 0;
	CHECK(net_addrs(&c->svc[0], buf, sizeof buf) == 0 && !strcmp(buf, "-"));
	rm(c);
}

int main(void)
{
	test_hundred();
	test_full();
	test_reload();
	test_two_links();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
