/* Drives ct.c against the real kernel (root, under unshare --net: a
 * conntrack table of its own). It makes conntrack entries over ctnetlink
 * (as `conntrack -I` does): a few a selection names among many it does
 * not, then checks that the kernel sends only the named ones for ct.c's
 * dump request (its CTA_FILTER: a start or stop of a publishing service
 * reads a few entries, not the whole table), that ct_flush deletes exactly
 * those, and that the rest stay. A plain dump, counted first, shows every
 * entry is there.
 *
 *   ct_harness     prints "N passed, M failed" */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include "../../init/ct.h"

#include "check.h"

#define CT_TYPE(msg) (NFNL_SUBSYS_CTNETLINK << 8 | (msg))
#define OTHERS 300		/* entries no selection names: a dump of many datagrams */

static struct nl sock;

static void put_tuple(struct nl_req *r, uint16_t type, uint32_t src, uint16_t sport,
		      uint32_t dst, uint16_t dport)
{
	size_t o = nl_nest_begin(r, type | NLA_F_NESTED), n;
	uint8_t udp = IPPROTO_UDP;

	src = htonl(src), dst = htonl(dst), sport = htons(sport), dport = htons(dport);
	n = nl_nest_begin(r, CTA_TUPLE_IP | NLA_F_NESTED);
	nl_attr_put(r, CTA_IP_V4_SRC, &src, 4);
	nl_attr_put(r, CTA_IP_V4_DST, &dst, 4);
	nl_nest_end(r, n);
	n = nl_nest_begin(r, CTA_TUPLE_PROTO | NLA_F_NESTED);
	nl_attr_put(r, CTA_PROTO_NUM, &udp, 1);
	nl_attr_put(r, CTA_PROTO_SRC_PORT, &sport, 2);
	nl_attr_put(r, CTA_PROTO_DST_PORT, &dport, 2);
	nl_nest_end(r, n);
	nl_nest_end(r, o);
}

/* A UDP entry from SRC:SPORT to DST:DPORT whose replies come from
 * RSRC:RSPORT (DST:DPORT unless translated). 0, else -1 with errno. */
static int add(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint32_t rsrc,
	       uint16_t rsport)
{
	struct nfgenmsg g = { .nfgen_family = AF_INET, .version = NFNETLINK_V0 };
	uint32_t timeout = htonl(600);
	struct nl_req r;

	nl_req_init(&r, CT_TYPE(IPCTNL_MSG_CT_NEW), NLM_F_CREATE | NLM_F_EXCL, &g, sizeof g);
	put_tuple(&r, CTA_TUPLE_ORIG, src, sport, dst, dport);
	put_tuple(&r, CTA_TUPLE_REPLY, rsrc, rsport, src, sport);
	nl_attr_put(&r, CTA_TIMEOUT, &timeout, 4);
	return nl_talk(&sock, &r, NULL, 0);
}

/* The entries a dump request R brings, or -1. */
static int count(struct nl_req *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int n = 0;

	r->u.h.nlmsg_seq = ++sock.seq;
	if (sendto(sock.fd, r->u.buf, r->u.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	for (;;) {
		ssize_t len = nl_recv(&sock, nl_rx.b, sizeof nl_rx.b);

		if (len <= 0)
			return -1;
		for (struct nlmsghdr *h = &nl_rx.h; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != sock.seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return n;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			n++;
		}
	}
}

static int all(void)
{
	struct nfgenmsg g = { .nfgen_family = AF_INET, .version = NFNETLINK_V0 };
	struct nl_req r;

	nl_req_init(&r, CT_TYPE(IPCTNL_MSG_CT_GET), NLM_F_DUMP, &g, sizeof g);
	r.u.h.nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	return count(&r);
}

static int selected(const struct ct_sel *s)
{
	struct nl_req r;

	ct_dump_req(&r, s);
	return count(&r);
}

/* Does the running kernel filter dumps (CTA_FILTER: Linux 5.8)? Older ones
 * send every entry, which ct.c allows for: there only the deletions count. */
static int filters(void)
{
	struct utsname u;
	char *end;
	long major, minor;

	if (uname(&u) < 0)
		return 1;
	major = strtol(u.release, &end, 10);
	minor = *end == '.' ? strtol(end + 1, NULL, 10) : 0;
	return major > 5 || (major == 5 && minor >= 8);
}

int main(void)
{
	const uint32_t client = IP(10, 9, 0, 7), host = IP(10, 9, 0, 1), svc = IP(10, 77, 0, 2);
	/* host:8080 published to svc:80 (KEEP 0 takes what reaches svc:80),
	 * and a new target's view (KEEP 1: what was sent to host port 8080
	 * untranslated or elsewhere). */
	const struct ct_sel gone = { .proto = IPPROTO_UDP, .keep = 0, .to = htonl(svc),
				     .toport = htons(80) };
	const struct ct_sel came = { .proto = IPPROTO_UDP, .keep = 1, .to = htonl(IP(10, 77, 0, 3)),
				     .toport = htons(80), .dport = htons(8080) };
	int ok = 1;

	if (nl_open_proto(&sock, NETLINK_NETFILTER) < 0) {
		perror("ct_harness: netlink");
		return 1;
	}
	/* 3 translated to svc:80, 2 untranslated to host:8080, OTHERS to
	 * host's ports 9000 and up. */
	for (int i = 0; i < 3; i++)
		ok &= add(client, (uint16_t)(40000 + i), host, 8080, svc, 80) == 0;
	for (int i = 0; i < 2; i++)
		ok &= add(client, (uint16_t)(41000 + i), host, 8080, host, 8080) == 0;
	for (int i = 0; i < OTHERS; i++)
		ok &= add(client, (uint16_t)(42000 + i), host, (uint16_t)(9000 + i), host,
			  (uint16_t)(9000 + i)) == 0;
	if (!ok)
		perror("ct_harness: conntrack entries");
	CHECK(ok);
	CHECK(all() == 5 + OTHERS);
	/* Only what can match crosses netlink. */
	if (filters()) {
		CHECK(selected(&gone) == 3);
		CHECK(selected(&came) == 5);	/* all sent to port 8080 */
	} else {
		printf("a kernel before 5.8: dumps are not filtered\n");
		CHECK(selected(&gone) == 5 + OTHERS);
	}
	CHECK(ct_flush(&sock, &gone) == 3);
	CHECK(all() == 2 + OTHERS);
	CHECK(ct_flush(&sock, &came) == 2);
	CHECK(all() == OTHERS);
	CHECK(ct_flush(&sock, &came) == 0);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
