/* Drives nft.c (acks mapped to their messages, echoed handles) and
 * firewall.c against the real kernel, as PID 1
 * would, in a network namespace of its own (run under unshare --net, root):
 * N services each publishing a port are started then stopped, one batch
 * each, and timed: `publish.rules_ms.nN` (SPEC §8). It checks that each
 * start and stop was one batch (the ruleset's generation moved by exactly
 * 2N: no rebuild) and that the kernel holds no published port after.
 *
 *   fw_harness [N] [ROUNDS]     prints "publish.rules_ms.nN MS" per round */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netfilter.h>
#include "../../init/conf.h"
#include "../../init/firewall.h"
#include "../../init/loop.h"
#include "../../init/nft.h"

#include "check.h"

static double now_ms_f(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* A bridge with `nat`, N services on it with fixed addresses, each
 * publishing one port (and the odd ones a UDP port too). */
static struct conf *make_conf(int n)
{
	size_t cap = 256 + (size_t)n * 160, len = 0;
	char *buf = malloc(cap);
	struct conf_errors errs = { 0 };
	struct conf *c;

	len += snprintf(buf + len, cap - len, "bridge br0 10.77.0.1/16\nnat br0\n");
	for (int i = 0; i < n; i++) {
		len += snprintf(buf + len, cap - len,
				"service s%d\n exec /bin/true\n net br0 10.77.%d.%d\n publish %d:80\n",
				i, (i + 2) / 250, (i + 2) % 250 + 1, 10000 + i);
		if (i % 2)
			len += snprintf(buf + len, cap - len, " publish %d:53/udp\n", 20000 + i);
	}
	c = conf_parse(buf, len, &errs);
	for (int i = 0; i < errs.n; i++)
		fprintf(stderr, "line %d: %s\n", errs.v[i].line, errs.v[i].msg);
	conf_errors_free(&errs);
	free(buf);
	return c;
}

/* Every ack maps back to its message: a batch whose third message names a
 * chain that does not exist fails there, with the kernel's errno, and the
 * kernel applies none of it (the table is not made). */
static void test_acks(struct nl *nl)
{
	struct nft_batch b = { 0 };
	int bad = -2;
	uint32_t g;

	CHECK(nft_genid(nl, &g) == 0);
	nft_begin(&b, g);
	nft_table_add(&b, 10, "acks");
	nft_chain_add(&b, 11, "acks", "c", -1, 0, NULL);
	nft_rule_begin(&b, 12, "acks", "nope", 0);
	nft_verdict(&b, NF_ACCEPT, NULL);
	nft_rule_end(&b);
	nft_chain_add(&b, 13, "acks", "d", -1, 0, NULL);
	nft_end(&b);
	CHECK(nft_talk(nl, &b, &bad) == -1);
	CHECK(bad == 2);
	CHECK(errno == ENOENT);
	CHECK(b.item[0].err == 0 && b.item[1].err == 0 && b.item[3].err == 0);
	CHECK(b.item[2].err == ENOENT);
	/* A stale generation: the batch as a whole is refused. */
	nft_begin(&b, g + 1000);
	nft_table_add(&b, 10, "acks");
	nft_end(&b);
	CHECK(nft_talk(nl, &b, &bad) == -1);
	CHECK(bad == -1 && errno == ERESTART);
	CHECK(nft_genid(nl, &g) == 0);
	/* Echoed rules carry their handles. */
	nft_begin(&b, g);
	nft_table_add(&b, 10, "acks");
	nft_chain_add(&b, 11, "acks", "c", -1, 0, NULL);
	nft_rule_begin(&b, 12, "acks", "c", 1);
	nft_verdict(&b, NF_ACCEPT, NULL);
	nft_rule_end(&b);
	nft_rule_begin(&b, 13, "acks", "c", 1);
	nft_verdict(&b, NF_DROP, NULL);
	nft_rule_end(&b);
	nft_end(&b);
	CHECK(nft_talk(nl, &b, &bad) == 0);
	CHECK(b.item[2].handle > 0 && b.item[3].handle > b.item[2].handle);
	nft_begin(&b, 0);
	nft_rule_del(&b, 1, "acks", "c", b.item[3].handle);
	nft_table_del(&b, 2, "acks");
	nft_end(&b);
	CHECK(nft_talk(nl, &b, &bad) == 0);
	nft_free(&b);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100, rounds = argc > 2 ? atoi(argv[2]) : 1;
	struct conf *c = make_conf(n);
	const char *step = "";
	struct nl nl;
	uint32_t g0, g1;
	char pub[128];

	if (!c || n < 1 || n > CONF_MAX_SERVICES) {
		fprintf(stderr, "fw_harness: bad N\n");
		return 2;
	}
	if (nft_open(&nl) < 0) {
		perror("fw_harness: nf_tables socket");
		return 2;
	}
	test_acks(&nl);
	/* (fw_load watches its nf_tables monitor in PID 1's loop) */
	CHECK(loop_init() == 0);
	CHECK(fw_load(c, &step) == 0);
	for (int r = 0; r < rounds; r++) {
		double t0, t1;
		int ok = 1;

		CHECK(nft_genid(&nl, &g0) == 0);
		t0 = now_ms_f();
		for (int i = 0; i < n; i++)
			ok &= fw_start(&c->svc[i], &step) == 0;
		for (int i = 0; i < n; i++) {
			/* Published while it runs, as initctl status shows it. */
			fw_published(&c->svc[i], pub, sizeof pub);
			if (i == 1 && r == 0)
				CHECK(!strcmp(pub, "tcp:10001->80,udp:20001->53"));
		}
		for (int i = 0; i < n; i++)
			fw_stop(&c->svc[i]);
		t1 = now_ms_f();
		CHECK(ok);
		CHECK(nft_genid(&nl, &g1) == 0);
		/* One batch a start and a stop: nothing was made whole again. */
		CHECK(g1 - g0 == (uint32_t)(2 * n));
		fw_published(&c->svc[0], pub, sizeof pub);
		CHECK(!strcmp(pub, "-"));
		printf("publish.rules_ms.n%d %.3f\n", n, t1 - t0);
	}
	if (failed)
		fprintf(stderr, "last step: %s: %s\n", step, strerror(errno));
	nl_close(&nl);
	conf_free(c);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
