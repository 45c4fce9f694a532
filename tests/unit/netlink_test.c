/* Unit test of the rtnetlink message builder: no socket, no privilege. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include "../../init/netlink.h"

#include "check.h"

/* The attribute of TYPE among those in [P, P+LEN), or NULL. */
static const struct nlattr *find(const void *p, size_t len, uint16_t type)
{
	const char *c = p;

	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)c;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= NLA_ALIGN(a->nla_len);
		c += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

static const void *pay(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static size_t plen(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static uint32_t u32(const struct nlattr *a)
{
	uint32_t v = 0;
	if (a && plen(a) == 4)
		memcpy(&v, pay(a), 4);
	return v;
}

static int str_is(const struct nlattr *a, const char *s)
{
	return a && plen(a) == strlen(s) + 1 && !memcmp(pay(a), s, strlen(s) + 1);
}

/* Attributes after the family header of HDRLEN bytes. */
static const void *attrs(const struct nl_req *r, size_t hdrlen, size_t *len)
{
	*len = r->u.h.nlmsg_len - NLMSG_LENGTH(hdrlen);
	return r->u.buf + NLMSG_LENGTH(hdrlen);
}

static void test_veth(void)
{
	static const unsigned char mac[6] = { 2, 0x53, 10, 0, 0, 2 };
	struct nl_req r;
	const struct ifinfomsg *ifi;
	const struct nlattr *a, *li, *data, *peer;
	const struct ifinfomsg *pifi;
	size_t len;

	nl_build_veth(&r, "vs3a0", "eth0", 12, 1500, 7, mac);
	CHECK(r.err == 0);
	CHECK(r.u.h.nlmsg_type == RTM_NEWLINK);
	CHECK(r.u.h.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE
				    | NLM_F_EXCL));
	CHECK(r.u.h.nlmsg_len % 4 == 0);
	ifi = NLMSG_DATA(&r.u.h);
	CHECK(ifi->ifi_family == AF_UNSPEC && ifi->ifi_index == 0);
	CHECK(ifi->ifi_flags == IFF_UP && ifi->ifi_change == IFF_UP);

	a = attrs(&r, sizeof *ifi, &len);
	CHECK(str_is(find(a, len, IFLA_IFNAME), "vs3a0"));
	CHECK(u32(find(a, len, IFLA_MTU)) == 1500);
	CHECK(u32(find(a, len, IFLA_MASTER)) == 7);
	CHECK(find(a, len, IFLA_NET_NS_FD) == NULL);	/* host end stays */
	li = find(a, len, IFLA_LINKINFO);
	CHECK(li != NULL);
	if (!li)
		return;
	/* The outermost nest ends where the message does. */
	CHECK((const char *)li + NLA_ALIGN(li->nla_len)
	      == r.u.buf + r.u.h.nlmsg_len);
	CHECK(str_is(find(pay(li), plen(li), IFLA_INFO_KIND), "veth"));
	data = find(pay(li), plen(li), IFLA_INFO_DATA);
	CHECK(data != NULL);
	if (!data)
		return;
	peer = find(pay(data), plen(data), VETH_INFO_PEER);
	CHECK(peer != NULL);
	if (!peer)
		return;
	CHECK(plen(peer) >= sizeof *pifi);
	pifi = pay(peer);
	CHECK(pifi->ifi_family == AF_UNSPEC && pifi->ifi_flags == 0);
	a = (const void *)((const char *)pay(peer) + sizeof *pifi);
	len = plen(peer) - sizeof *pifi;
	CHECK(str_is(find(a, len, IFLA_IFNAME), "eth0"));
	CHECK(u32(find(a, len, IFLA_NET_NS_FD)) == 12);
	CHECK(u32(find(a, len, IFLA_MTU)) == 1500);
	a = find(a, len, IFLA_ADDRESS);
	CHECK(a && plen(a) == 6 && !memcmp(pay(a), mac, 6));

	/* Optional parts left out. */
	nl_build_veth(&r, "h", "p", -1, 0, 0, NULL);
	a = attrs(&r, sizeof *ifi, &len);
	CHECK(find(a, len, IFLA_MTU) == NULL && find(a, len, IFLA_MASTER) == NULL);
	li = find(a, len, IFLA_LINKINFO);
	data = li ? find(pay(li), plen(li), IFLA_INFO_DATA) : NULL;
	peer = data ? find(pay(data), plen(data), VETH_INFO_PEER) : NULL;
	CHECK(peer != NULL);
	if (peer)
		CHECK(find((const void *)((const char *)pay(peer) + sizeof *pifi),
			   plen(peer) - sizeof *pifi, IFLA_NET_NS_FD) == NULL);
}

static void test_bridge(void)
{
	struct nl_req r;
	const struct nlattr *a, *li;
	size_t len;

	static const unsigned char mac[6] = { 2, 0x53, 10, 88, 0, 1 };

	nl_build_bridge(&r, "br0", mac);
	CHECK(r.err == 0 && r.u.h.nlmsg_type == RTM_NEWLINK);
	CHECK(r.u.h.nlmsg_flags & NLM_F_EXCL);
	a = attrs(&r, sizeof(struct ifinfomsg), &len);
	CHECK(str_is(find(a, len, IFLA_IFNAME), "br0"));
	li = find(a, len, IFLA_LINKINFO);
	CHECK(li && str_is(find(pay(li), plen(li), IFLA_INFO_KIND), "bridge"));
	a = find(a, len, IFLA_ADDRESS);
	CHECK(a && plen(a) == 6 && !memcmp(pay(a), mac, 6));
	nl_build_bridge(&r, "br0", NULL);
	a = attrs(&r, sizeof(struct ifinfomsg), &len);
	CHECK(find(a, len, IFLA_ADDRESS) == NULL);
}

static void test_link_set(void)
{
	struct nl_req r;
	const struct ifinfomsg *ifi;
	const struct nlattr *a;
	size_t len;

	nl_build_link_set(&r, 5, 1, 9000, 3);
	ifi = NLMSG_DATA(&r.u.h);
	CHECK(r.u.h.nlmsg_type == RTM_NEWLINK);
	CHECK(!(r.u.h.nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)));
	CHECK(ifi->ifi_index == 5 && ifi->ifi_flags == IFF_UP
	      && ifi->ifi_change == IFF_UP);
	a = attrs(&r, sizeof *ifi, &len);
	CHECK(u32(find(a, len, IFLA_MTU)) == 9000);
	CHECK(u32(find(a, len, IFLA_MASTER)) == 3);

	nl_build_link_set(&r, 5, 0, 0, 0);
	ifi = NLMSG_DATA(&r.u.h);
	CHECK(ifi->ifi_change == 0);
	CHECK(r.u.h.nlmsg_len == NLMSG_LENGTH(sizeof *ifi));
}

/* RTM_NEWADDR, byte for byte. */
static void test_addr(void)
{
	static const unsigned char want[] = {
		/* nlmsghdr: len 48, type 20, flags REQUEST|ACK|EXCL|CREATE */
		48, 0, 0, 0, 20, 0, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0,
		/* ifaddrmsg: AF_INET, /24, flags 0, scope universe, index 9 */
		2, 24, 0, 0, 9, 0, 0, 0,
		8, 0, IFA_LOCAL, 0, 10, 1, 2, 3,
		8, 0, IFA_ADDRESS, 0, 10, 1, 2, 3,
		8, 0, IFA_BROADCAST, 0, 10, 1, 2, 255,
	};
	struct nl_req r;
	const struct nlattr *a;
	size_t len;

	nl_build_addr(&r, 9, 0x0a010203, 24);
	CHECK(r.err == 0);
	CHECK(r.u.h.nlmsg_len == sizeof want);
	CHECK(!memcmp(r.u.buf, want, sizeof want));

	/* /31: no broadcast. */
	nl_build_addr(&r, 9, 0x0a010203, 31);
	a = attrs(&r, sizeof(struct ifaddrmsg), &len);
	CHECK(find(a, len, IFA_BROADCAST) == NULL);
	CHECK(find(a, len, IFA_LOCAL) != NULL);
	/* /16 broadcast. */
	nl_build_addr(&r, 9, 0xac100005, 16);
	a = attrs(&r, sizeof(struct ifaddrmsg), &len);
	CHECK(u32(find(a, len, IFA_BROADCAST)) == htonl(0xac10ffff));
}

static void test_route(void)
{
	struct nl_req r;
	const struct rtmsg *rtm;
	const struct nlattr *a;
	size_t len;

	nl_build_route_default(&r, 0x0a000001, 4);
	rtm = NLMSG_DATA(&r.u.h);
	CHECK(r.u.h.nlmsg_type == RTM_NEWROUTE);
	CHECK(rtm->rtm_family == AF_INET && rtm->rtm_dst_len == 0);
	CHECK(rtm->rtm_table == RT_TABLE_MAIN && rtm->rtm_type == RTN_UNICAST);
	CHECK(rtm->rtm_scope == RT_SCOPE_UNIVERSE);
	a = attrs(&r, sizeof *rtm, &len);
	a = find(a, len, RTA_GATEWAY);
	CHECK(a && plen(a) == 4 && !memcmp(pay(a), "\x0a\x00\x00\x01", 4));
	a = attrs(&r, sizeof *rtm, &len);
	CHECK(u32(find(a, len, RTA_OIF)) == 4);
}

static void test_link_af(void)
{
	struct nl_req r;
	const struct nlattr *a, *spec, *inet, *conf, *inet6, *mode;
	size_t len;

	/* By index: arp_notify and no IPv6 link-local in one message. */
	nl_build_link_af(&r, 3, NULL, IPV4_DEVCONF_ARP_NOTIFY, 1, 1);
	CHECK(r.err == 0 && r.u.h.nlmsg_type == RTM_NEWLINK);
	CHECK(((const struct ifinfomsg *)NLMSG_DATA(&r.u.h))->ifi_index == 3);
	a = attrs(&r, sizeof(struct ifinfomsg), &len);
	CHECK(find(a, len, IFLA_IFNAME) == NULL);
	spec = find(a, len, IFLA_AF_SPEC);
	inet = spec ? find(pay(spec), plen(spec), AF_INET) : NULL;
	conf = inet ? find(pay(inet), plen(inet), IFLA_INET_CONF) : NULL;
	CHECK(conf != NULL);
	if (conf)
		CHECK(u32(find(pay(conf), plen(conf), IPV4_DEVCONF_ARP_NOTIFY)) == 1);
	inet6 = spec ? find(pay(spec), plen(spec), AF_INET6) : NULL;
	mode = inet6 ? find(pay(inet6), plen(inet6), IFLA_INET6_ADDR_GEN_MODE) : NULL;
	CHECK(mode && plen(mode) == 1 && *(const uint8_t *)pay(mode) == IN6_ADDR_GEN_MODE_NONE);
	/* AF_SPEC: 4 + AF_INET (4 + IFLA_INET_CONF (4 + 8)) + AF_INET6 (4 + 8) */
	CHECK(r.u.h.nlmsg_len == NLMSG_LENGTH(sizeof(struct ifinfomsg)) + 4 + 16 + 12);

	/* By name, IPv4 only / IPv6 only. */
	nl_build_link_af(&r, 0, "sv1g2n0", 0, 0, 1);
	CHECK(r.err == 0);
	CHECK(((const struct ifinfomsg *)NLMSG_DATA(&r.u.h))->ifi_index == 0);
	a = attrs(&r, sizeof(struct ifinfomsg), &len);
	CHECK(str_is(find(a, len, IFLA_IFNAME), "sv1g2n0"));
	spec = find(a, len, IFLA_AF_SPEC);
	CHECK(spec && find(pay(spec), plen(spec), AF_INET) == NULL);
	CHECK(spec && find(pay(spec), plen(spec), AF_INET6) != NULL);
	nl_build_link_af(&r, 2, NULL, IPV4_DEVCONF_ARP_NOTIFY, 1, 0);
	a = attrs(&r, sizeof(struct ifinfomsg), &len);
	spec = find(a, len, IFLA_AF_SPEC);
	CHECK(spec && find(pay(spec), plen(spec), AF_INET6) == NULL);
}

static void test_get_del(void)
{
	struct nl_req r;
	const struct nlattr *a;
	size_t len;

	nl_build_link_get(&r, "eth0");
	CHECK(r.u.h.nlmsg_type == RTM_GETLINK);
	CHECK(r.u.h.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
	a = attrs(&r, sizeof(struct ifinfomsg), &len);
	CHECK(str_is(find(a, len, IFLA_IFNAME), "eth0"));

	nl_build_link_down(&r, "sv1g2n0");
	CHECK(r.u.h.nlmsg_type == RTM_NEWLINK && !(r.u.h.nlmsg_flags & NLM_F_CREATE));
	CHECK(((const struct ifinfomsg *)NLMSG_DATA(&r.u.h))->ifi_index == 0);
	CHECK(((const struct ifinfomsg *)NLMSG_DATA(&r.u.h))->ifi_change == IFF_UP);
	CHECK(((const struct ifinfomsg *)NLMSG_DATA(&r.u.h))->ifi_flags == 0);
	a = attrs(&r, sizeof(struct ifinfomsg), &len);
	CHECK(str_is(find(a, len, IFLA_IFNAME), "sv1g2n0"));

	nl_build_link_del(&r, "sv1g2n0");
	CHECK(r.u.h.nlmsg_type == RTM_DELLINK);
	a = attrs(&r, sizeof(struct ifinfomsg), &len);
	CHECK(str_is(find(a, len, IFLA_IFNAME), "sv1g2n0"));
}

static void test_padding_and_overflow(void)
{
	struct ifinfomsg ifi = { 0 };
	struct nl_req r;
	struct nl n = { .fd = -1 };
	size_t nest;
	const unsigned char *p;

	nl_req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
	nl_attr_put(&r, 1, "abcde", 5);	/* 9 bytes, padded to 12 */
	CHECK(r.u.h.nlmsg_len == 32 + 12);
	p = (const unsigned char *)r.u.buf + 32;
	CHECK(p[0] == 9 && p[9] == 0 && p[10] == 0 && p[11] == 0);
	nest = nl_nest_begin(&r, 2);
	nl_attr_put_u32(&r, 3, 42);
	nl_nest_end(&r, nest);
	CHECK(((const struct nlattr *)(r.u.buf + nest))->nla_len == 4 + 8);
	CHECK(r.u.h.nlmsg_len == 32 + 12 + 12);

	for (int i = 0; i < 200; i++)
		nl_attr_put(&r, 1, "0123456789abcdef", 16);
	CHECK(r.err == EMSGSIZE);
	CHECK(r.u.h.nlmsg_len <= NL_BUFSIZE);
	errno = 0;
	CHECK(nl_talk(&n, &r, NULL, 0) == -1 && errno == EMSGSIZE);
}

/* The reader's walk (nl_attr_find, nl_msg_find) over what a kernel, or a
 * bad one, may send: flags ignored, nothing read past the end. */
static void test_attr_find(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_req r;
	const struct nlattr *a;
	size_t nest;
	unsigned char buf[32];
	uint16_t *h = (uint16_t *)buf;

	nl_req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
	nl_attr_put(&r, IFLA_IFNAME, "ab", 3);	/* 7 bytes, padded to 8 */
	nest = nl_nest_begin(&r, IFLA_LINKINFO | NLA_F_NESTED);
	nl_attr_put_str(&r, IFLA_INFO_KIND, "veth");
	nl_nest_end(&r, nest);
	nl_attr_put_u32(&r, IFLA_MTU, 1400);
	a = nl_msg_find(&r.u.h, sizeof ifi, IFLA_MTU);
	CHECK(u32(a) == 1400);
	a = nl_msg_find(&r.u.h, sizeof ifi, IFLA_IFNAME);
	CHECK(str_is(a, "ab") && NL_ATTR_LEN(a) == 3);
	a = nl_msg_find(&r.u.h, sizeof ifi, IFLA_LINKINFO);	/* NLA_F_NESTED ignored */
	CHECK(a && str_is(nl_attr_find(NL_ATTR_DATA(a), NL_ATTR_LEN(a), IFLA_INFO_KIND), "veth"));
	CHECK(!nl_msg_find(&r.u.h, sizeof ifi, IFLA_MASTER));
	/* a message shorter than its family header has no attributes */
	r.u.h.nlmsg_len = NLMSG_LENGTH(sizeof ifi) - 1;
	CHECK(!nl_msg_find(&r.u.h, sizeof ifi, IFLA_IFNAME));

	/* an attribute longer than what is left, or shorter than its header,
	 * ends the walk; one that fits exactly at the end is found */
	memset(buf, 0, sizeof buf);
	h[0] = 8, h[1] = 1;	/* [0, 8) type 1 */
	h[4] = 12, h[5] = 2;	/* [8, 20) type 2 */
	CHECK(nl_attr_find(buf, 20, 2) == (const void *)(buf + 8));
	CHECK(!nl_attr_find(buf, 19, 2));
	CHECK(nl_attr_find(buf, 19, 1) == (const void *)buf);
	h[4] = 3;
	CHECK(!nl_attr_find(buf, 20, 2));
	h[4] = 5;	/* 5 bytes, its padding past the end */
	CHECK(nl_attr_find(buf, 13, 2) == (const void *)(buf + 8));
	CHECK(!nl_attr_find(buf, 3, 1));
	CHECK(!nl_attr_find(buf, 0, 1));
}

int main(void)
{
	test_attr_find();
	test_veth();
	test_bridge();
	test_link_set();
	test_addr();
	test_route();
	test_link_af();
	test_get_del();
	test_padding_and_overflow();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
