/* netlink: build rtnetlink requests, send them, read and check the ack. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include "netlink.h"
#include "util.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* (always_inline: smaller than LTO's call at each caller) */
inline __attribute__((always_inline))
void nl_req_init(struct nl_req *r, uint16_t type, uint16_t flags,
		 const void *hdr, size_t hdrlen)
{
	memset(r, 0, sizeof *r);
	r->u.h.nlmsg_len = NLMSG_LENGTH(hdrlen);
	r->u.h.nlmsg_type = type;
	r->u.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	memcpy(NLMSG_DATA(&r->u.h), hdr, hdrlen);
}

/* Append LEN bytes, padded to 4; the message length grows with them. */
/* (always_inline: smaller than LTO's call at each caller) */
inline __attribute__((always_inline))
void *nl_msg_raw(struct nlmsghdr *h, size_t cap, int *err, const void *data, size_t len)
{
	size_t off;
	char *p;

	if (*err)
		return NULL;
	off = NLMSG_ALIGN(h->nlmsg_len);
	p = (char *)h + off;
	if (off > cap || NLA_ALIGN(len) > cap - off) {
		*err = EMSGSIZE;
		return NULL;
	}
	memcpy(p, data, len);
	memset(p + len, 0, NLA_ALIGN(len) - len);
	h->nlmsg_len = off + NLA_ALIGN(len);
	return p;
}

void nl_msg_attr(struct nlmsghdr *h, size_t cap, int *err, uint16_t type, const void *data,
		 size_t len)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	/* (a header that fits without its data leaves the error set: the
	 * message goes nowhere) */
	if (len > UINT16_MAX - NLA_HDRLEN && !*err)
		*err = EMSGSIZE;
	if (nl_msg_raw(h, cap, err, &a, sizeof a) && len)
		nl_msg_raw(h, cap, err, data, len);
}

/* (noinline: smaller than LTO's copy at each caller) */
__attribute__((noinline))
size_t nl_msg_nest_begin(struct nlmsghdr *h, size_t cap, int *err, uint16_t type)
{
	size_t off = *err ? 0 : NLMSG_ALIGN(h->nlmsg_len);

	nl_msg_attr(h, cap, err, type, NULL, 0);
	return off;
}

void nl_msg_nest_end(struct nlmsghdr *h, int *err, size_t nest)
{
	if (!*err)
		((struct nlattr *)((char *)h + nest))->nla_len = h->nlmsg_len - nest;
}

const struct nlattr *nl_attr_find(const void *attrs, size_t len, uint16_t type)
{
	const struct nlattr *a = attrs;

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

const struct nlattr *nl_msg_find(const struct nlmsghdr *h, size_t hdrlen, uint16_t type)
{
	if (h->nlmsg_len < NLMSG_SPACE(hdrlen))
		return NULL;
	return nl_attr_find((const char *)NLMSG_DATA(h) + NLMSG_ALIGN(hdrlen),
			    h->nlmsg_len - NLMSG_SPACE(hdrlen), type);
}

/* A request's buffer as a message being built, with its sticky error. */
#define REQ_MSG(r) &(r)->u.h, sizeof (r)->u.buf, &(r)->err

void nl_attr_put(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	nl_msg_attr(REQ_MSG(r), type, data, len);
}

void nl_attr_put_u32(struct nl_req *r, uint16_t type, uint32_t v)
{
	nl_attr_put(r, type, &v, sizeof v);
}

void nl_attr_put_str(struct nl_req *r, uint16_t type, const char *s)
{
	nl_attr_put(r, type, s, strlen(s) + 1);
}

size_t nl_nest_begin(struct nl_req *r, uint16_t type)
{
	return nl_msg_nest_begin(REQ_MSG(r), type);
}

void nl_nest_end(struct nl_req *r, size_t nest)
{
	nl_msg_nest_end(&r->u.h, &r->err, nest);
}

void nl_build_bridge(struct nl_req *r, const char *name, const unsigned char *mac)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	size_t li;

	nl_req_init(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	nl_attr_put_str(r, IFLA_IFNAME, name);
	if (mac)
		nl_attr_put(r, IFLA_ADDRESS, mac, 6);
	li = nl_nest_begin(r, IFLA_LINKINFO);
	nl_attr_put_str(r, IFLA_INFO_KIND, "bridge");
	nl_nest_end(r, li);
}

/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
void nl_build_veth(struct nl_req *r, const char *host, const char *peer,
		   int netns_fd, unsigned mtu, int master,
		   const unsigned char *peer_mac)
{
	/* The host end comes up with the request. The peer cannot: the kernel
	 * opens it before the pair is joined and veth_open() says ENOTCONN. */
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP,
	};
	struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC };
	size_t li, data, pe;

	nl_req_init(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	nl_attr_put_str(r, IFLA_IFNAME, host);
	if (mtu)
		nl_attr_put_u32(r, IFLA_MTU, mtu);
	/* Enslaved in the same request: rtnl_newlink() sets the master after
	 * creating the link and unregisters it again if that fails. */
	if (master > 0)
		nl_attr_put_u32(r, IFLA_MASTER, master);
	/* One queue each way: veth otherwise sizes its queues to the CPUs and
	 * pays an expedited RCU grace period (with RTNL held) to set them. */
	nl_attr_put_u32(r, IFLA_NUM_TX_QUEUES, 1);
	nl_attr_put_u32(r, IFLA_NUM_RX_QUEUES, 1);
	li = nl_nest_begin(r, IFLA_LINKINFO);
	nl_attr_put_str(r, IFLA_INFO_KIND, "veth");
	data = nl_nest_begin(r, IFLA_INFO_DATA);
	/* VETH_INFO_PEER: a struct ifinfomsg, then the peer's IFLA_ attributes. */
	pe = nl_nest_begin(r, VETH_INFO_PEER);
	nl_msg_raw(REQ_MSG(r), &pifi, sizeof pifi);
	nl_attr_put_str(r, IFLA_IFNAME, peer);
	if (mtu)
		nl_attr_put_u32(r, IFLA_MTU, mtu);
	if (peer_mac)
		nl_attr_put(r, IFLA_ADDRESS, peer_mac, 6);
	nl_attr_put_u32(r, IFLA_NUM_TX_QUEUES, 1);
	nl_attr_put_u32(r, IFLA_NUM_RX_QUEUES, 1);
	if (netns_fd >= 0)
		nl_attr_put_u32(r, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	nl_nest_end(r, pe);
	nl_nest_end(r, data);
	nl_nest_end(r, li);
}

void nl_build_link_set(struct nl_req *r, int ifindex, int up, unsigned mtu,
		       int master)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC, .ifi_index = ifindex,
		.ifi_flags = up ? IFF_UP : 0, .ifi_change = up ? IFF_UP : 0,
	};

	nl_req_init(r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
	if (mtu)
		nl_attr_put_u32(r, IFLA_MTU, mtu);
	if (master > 0)
		nl_attr_put_u32(r, IFLA_MASTER, master);
}

void nl_build_link_af(struct nl_req *r, int ifindex, const char *name,
		      int inet_id, uint32_t inet_value, int no_ll6)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	size_t spec, fam, conf;

	/* IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { ID: u32 } },
	 *                AF_INET6 { IFLA_INET6_ADDR_GEN_MODE: u8 } } */
	nl_req_init(r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
	if (!ifindex)
		nl_attr_put_str(r, IFLA_IFNAME, name);
	spec = nl_nest_begin(r, IFLA_AF_SPEC);
	if (inet_id > 0) {
		fam = nl_nest_begin(r, AF_INET);
		conf = nl_nest_begin(r, IFLA_INET_CONF);
		nl_attr_put_u32(r, inet_id, inet_value);
		nl_nest_end(r, conf);
		nl_nest_end(r, fam);
	}
	if (no_ll6) {
		uint8_t mode = IN6_ADDR_GEN_MODE_NONE;

		fam = nl_nest_begin(r, AF_INET6);
		nl_attr_put(r, IFLA_INET6_ADDR_GEN_MODE, &mode, 1);
		nl_nest_end(r, fam);
	}
	nl_nest_end(r, spec);
}

/* A TYPE request about the link NAME (CHANGE: the ifi_change bits, its
 * flags 0). */
static void link_named(struct nl_req *r, uint16_t type, unsigned change, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_change = change };

	nl_req_init(r, type, 0, &ifi, sizeof ifi);
	nl_attr_put_str(r, IFLA_IFNAME, name);
}

void nl_build_link_get(struct nl_req *r, const char *name)
{
	link_named(r, RTM_GETLINK, 0, name);
	/* Counters would make the answer kilobytes long. */
	nl_attr_put_u32(r, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
}

void nl_build_link_down(struct nl_req *r, const char *name)
{
	link_named(r, RTM_NEWLINK, IFF_UP, name);
}

void nl_build_link_del(struct nl_req *r, const char *name)
{
	link_named(r, RTM_DELLINK, 0, name);
}

void nl_build_addr(struct nl_req *r, int ifindex, uint32_t addr, int prefix)
{
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET, .ifa_prefixlen = prefix,
		.ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = ifindex,
	};
	uint32_t a = BE32(addr);
	uint32_t mask = prefix ? 0xffffffffu << (32 - prefix) : 0;

	nl_req_init(r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
	nl_attr_put(r, IFA_LOCAL, &a, 4);
	nl_attr_put(r, IFA_ADDRESS, &a, 4);
	/* /31 and /32 have no broadcast address (RFC 3021). */
	if (prefix < 31) {
		uint32_t b = BE32(addr | ~mask);
		nl_attr_put(r, IFA_BROADCAST, &b, 4);
	}
}

void nl_build_route_default(struct nl_req *r, uint32_t gw, int oif)
{
	struct rtmsg rtm = {
		.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST,
	};
	uint32_t g = BE32(gw);

	nl_req_init(r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof rtm);
	nl_attr_put(r, RTA_GATEWAY, &g, 4);
	if (oif > 0)
		nl_attr_put_u32(r, RTA_OIF, oif);
}

void nl_build_addr_life(struct nl_req *r, int ifindex, uint32_t addr, int prefix,
			uint32_t seconds)
{
	struct ifa_cacheinfo ci = { .ifa_prefered = seconds, .ifa_valid = seconds };

	nl_build_addr(r, ifindex, addr, prefix);
	r->u.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	nl_attr_put(r, IFA_CACHEINFO, &ci, sizeof ci);
}

void nl_build_route_uplink(struct nl_req *r, uint32_t gw, int oif, int proto, uint32_t metric,
			   int del)
{
	nl_build_route_default(r, gw, oif);
	nl_attr_put_u32(r, RTA_PRIORITY, metric);
	((struct rtmsg *)NLMSG_DATA(&r->u.h))->rtm_protocol = (unsigned char)proto;
	r->u.h.nlmsg_type = del ? RTM_DELROUTE : RTM_NEWROUTE;
	r->u.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (del ? 0 : NLM_F_CREATE | NLM_F_REPLACE);
}

int nl_listen(int proto, unsigned groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return close_fail(fd);
	return fd;
}

/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
int nl_open(struct nl *n)
{
	return nl_open_proto(n, NETLINK_ROUTE);
}

int nl_open_proto(struct nl *n, int proto)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);

	n->fd = -1;
	if (fd < 0)
		return -1;
	/* Errors need not echo the whole request back; older kernels lack it. */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || nl_adopt(n, fd) < 0)
		return close_fail(fd);
	return 0;
}

int nl_adopt(struct nl *n, int fd)
{
	struct sockaddr_nl sa;
	socklen_t salen = sizeof sa;

	if (getsockname(fd, (struct sockaddr *)&sa, &salen) < 0)
		return -1;
	if (sa.nl_family != AF_NETLINK) {
		errno = ENOTSOCK;
		return -1;
	}
	n->fd = fd;
	n->portid = sa.nl_pid;
	n->seq = 0;
	return 0;
}

void nl_close(struct nl *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

ssize_t nl_recv(struct nl *n, void *buf, size_t size)
{
	ssize_t len;

	do
		len = recv(n->fd, buf, size, MSG_TRUNC);
	while (len < 0 && errno == EINTR);
	if (len >= 0 && (size_t)len > size) {
		errno = EMSGSIZE;
		return -1;
	}
	return len;
}

union nl_rxbuf nl_rx PAGE_BUF;

/* Send the COUNT buffers of IOV in one datagram to the kernel: the length
 * sent, or -1 with errno. */
static ssize_t nl_send(struct nl *n, const struct iovec *iov, int count)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct msghdr msg = {
		.msg_name = &sa, .msg_namelen = sizeof sa, .msg_iov = (struct iovec *)iov,
		.msg_iovlen = count,
	};
	ssize_t len;

	do
		len = sendmsg(n->fd, &msg, 0);
	while (len < 0 && errno == EINTR);
	return len;
}

/* The next reply to REP's messages (any other is passed over: not ours, or
 * left from an earlier, interrupted request); its index among them is its
 * nlmsg_seq - FIRST, and an NLMSG_ERROR is long enough for its struct
 * nlmsgerr. A datagram is read when one is needed, with FLAGS
 * (MSG_DONTWAIT). NULL with errno if that failed (EAGAIN: none queued),
 * was empty (EBADMSG) or did not fit (EMSGSIZE), or an error was short
 * (EBADMSG). */
static const struct nlmsghdr *nl_reply(struct nl *n, struct nl_replies *r, int flags)
{
	for (;;) {
		const struct nlmsghdr *h = r->h;

		/* (R->len signed: a last message shorter than its alignment
		 * leaves it below 0, which ends the datagram) */
		if (!h || !NLMSG_OK(h, r->len)) {
			do
				r->len = recv(n->fd, nl_rx.b, sizeof nl_rx.b, flags | MSG_TRUNC);
			while (r->len < 0 && errno == EINTR);
			if (r->len <= 0 || (size_t)r->len > sizeof nl_rx.b) {
				if (r->len >= 0)
					errno = r->len ? EMSGSIZE : EBADMSG;
				return NULL;
			}
			r->h = &nl_rx.h;
			continue;
		}
		r->h = NLMSG_NEXT(r->h, r->len);
		if (h->nlmsg_pid != n->portid || h->nlmsg_seq - r->first >= r->count)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR &&
		    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
			errno = EBADMSG;
			return NULL;
		}
		return h;
	}
}

int nl_acks_send(struct nl *n, struct nl_acks *a, const struct iovec *iov, int count, int base)
{
	struct nlmsghdr *m;

	*a = (struct nl_acks){ .rep.first = n->seq + 1, .base = base, .failed = -1 };
	for (int i = 0; i < count; i++)
		for (size_t off = 0; off + NLMSG_HDRLEN <= iov[i].iov_len;
		     off += NLMSG_ALIGN(m->nlmsg_len)) {
			m = (struct nlmsghdr *)((char *)iov[i].iov_base + off);
			m->nlmsg_seq = ++n->seq;
			m->nlmsg_pid = 0;
			a->rep.count++;
		}
	a->left = (int)a->rep.count - 2 * base;
	return nl_send(n, iov, count) < 0 ? -1 : 0;
}

const struct nlmsghdr *nl_acks_next(struct nl *n, struct nl_acks *a)
{
	/* The kernel runs every message and acks each, failed or not. A batch
	 * refused as a whole (no nf_tables, a stale generation) has one error,
	 * on BATCH_BEGIN, and then no acks: what is queued is read, and no
	 * more (every reply is queued before the send returns). */
	while (a->left > 0) {
		const struct nlmsghdr *h = nl_reply(n, &a->rep, a->refused ? MSG_DONTWAIT : 0);
		const struct nlmsgerr *e;
		uint32_t k;

		if (!h) {
			if (a->refused && errno == EAGAIN)
				a->left = 0;
			return NULL;
		}
		if (h->nlmsg_type != NLMSG_ERROR && h->nlmsg_type != NLMSG_DONE)
			return h;
		/* (a dump's NLMSG_DONE: its end, as its ack) */
		e = h->nlmsg_type == NLMSG_DONE ? &(struct nlmsgerr){ 0 } : NLMSG_DATA(h);
		k = h->nlmsg_seq - a->rep.first - (uint32_t)a->base;
		if (k >= a->rep.count - 2 * (uint32_t)a->base) {
			/* The batch itself, or its commit, failed. */
			if (e->error && !a->refused)
				a->refused = -e->error;
			continue;
		}
		a->left--;
		if (a->err)
			*(int *)((char *)a->err + k * a->stride) = -e->error;
		if (e->error && a->failed < 0) {
			a->failed = (int)k;
			a->error = -e->error;
		}
	}
	return NULL;
}

int nl_acks_end(const struct nl_acks *a)
{
	if (a->left > 0)
		return -1;	/* reading failed */
	if (a->failed >= 0 || a->refused) {
		errno = a->failed >= 0 ? a->error : a->refused;
		return -1;
	}
	return 0;
}

/* nl_talk and nl_talk_batch: send the COUNT requests of R in one datagram
 * and read an ack for each; REPLY, if not NULL, gets the first other answer
 * to them. */
static int talk(struct nl *n, struct nl_req *r, int count, int *failed, void *reply,
		size_t cap)
{
	struct iovec iov[NL_BATCH_MAX];
	struct nl_acks a;
	const struct nlmsghdr *h;
	int i, got = 0;

	*failed = -1;
	if (count < 1 || count > NL_BATCH_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < count; i++) {
		if (r[i].err) {
			*failed = i;
			errno = r[i].err;
			return -1;
		}
		/* Messages sit at NLMSG_ALIGN boundaries in one datagram: every
		 * builder leaves nlmsg_len a multiple of 4. */
		iov[i].iov_base = r[i].u.buf;
		iov[i].iov_len = NLMSG_ALIGN(r[i].u.h.nlmsg_len);
	}
	if (nl_acks_send(n, &a, iov, count, 0) < 0)
		return -1;
	while ((h = nl_acks_next(n, &a)))
		if (reply && !got++)
			memcpy(reply, h, h->nlmsg_len < cap ? h->nlmsg_len : cap);
	*failed = a.failed;
	if (nl_acks_end(&a) < 0)
		return -1;
	if (reply && !got) {
		errno = ENOMSG;
		return -1;
	}
	return 0;
}

int nl_talk(struct nl *n, struct nl_req *r, void *reply, size_t cap)
{
	int failed;

	return talk(n, r, 1, &failed, reply, cap);
}

int nl_talk_batch(struct nl *n, struct nl_req *r, int count, int *failed)
{
	return talk(n, r, count, failed, NULL, 0);
}

int nl_link_get(struct nl *n, const char *name, struct nl_link *l)
{
	static union { struct nlmsghdr h; char b[16384]; } rep PAGE_BUF;
	struct nl_req r;
	const struct ifinfomsg *ifi;
	const struct nlattr *a, *kind;

	nl_build_link_get(&r, name);
	if (nl_talk(n, &r, &rep, sizeof rep) < 0)
		return -1;
	if (rep.h.nlmsg_type != RTM_NEWLINK
	    || rep.h.nlmsg_len < NLMSG_LENGTH(sizeof *ifi)
	    || rep.h.nlmsg_len > sizeof rep) {
		errno = EBADMSG;
		return -1;
	}
	ifi = NLMSG_DATA(&rep.h);
	memset(l, 0, sizeof *l);
	l->index = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	if ((a = nl_msg_find(&rep.h, sizeof *ifi, IFLA_MTU)) && NL_ATTR_LEN(a) >= 4)
		memcpy(&l->mtu, NL_ATTR_DATA(a), 4);
	if ((a = nl_msg_find(&rep.h, sizeof *ifi, IFLA_ADDRESS)) && NL_ATTR_LEN(a) == 6)
		memcpy(l->mac, NL_ATTR_DATA(a), 6);
	if ((a = nl_msg_find(&rep.h, sizeof *ifi, IFLA_LINKINFO)) &&
	    (kind = nl_attr_find(NL_ATTR_DATA(a), NL_ATTR_LEN(a), IFLA_INFO_KIND))) {
		size_t k = NL_ATTR_LEN(kind);

		if (k >= sizeof l->kind)
			k = sizeof l->kind - 1;
		memcpy(l->kind, NL_ATTR_DATA(kind), k);
		l->kind[k] = 0;
	}
	return 0;
}

int nl_link_index(struct nl *n, const char *name)
{
	struct nl_link l;

	return nl_link_get(n, name, &l) < 0 ? -1 : l.index;
}

int nl_bridge_create(struct nl *n, const char *name, const unsigned char *mac)
{
	struct nl_req r;

	nl_build_bridge(&r, name, mac);
	return nl_talk(n, &r, NULL, 0);
}

int nl_addr_del(struct nl *n, int ifindex, uint32_t addr, int prefix)
{
	struct nl_req r;

	nl_build_addr(&r, ifindex, addr, prefix);
	r.u.h.nlmsg_type = RTM_DELADDR;
	r.u.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	return nl_talk(n, &r, NULL, 0);
}

int nl_link_set_mac(struct nl *n, int ifindex, const unsigned char *mac)
{
	struct nl_req r;

	nl_build_link_set(&r, ifindex, 0, 0, 0);
	nl_attr_put(&r, IFLA_ADDRESS, mac, 6);
	return nl_talk(n, &r, NULL, 0);
}

int nl_link_up(struct nl *n, int ifindex, unsigned mtu)
{
	struct nl_req r;

	nl_build_link_set(&r, ifindex, 1, mtu, 0);
	return nl_talk(n, &r, NULL, 0);
}

int nl_addr_add(struct nl *n, int ifindex, uint32_t addr, int prefix)
{
	struct nl_req r;

	nl_build_addr(&r, ifindex, addr, prefix);
	return nl_talk(n, &r, NULL, 0);
}

/* (always_inline: smaller than LTO's call at each caller) */
inline __attribute__((always_inline)) int nl_link_down(struct nl *n, const char *name)
{
	struct nl_req r;

	nl_build_link_down(&r, name);
	return nl_talk(n, &r, NULL, 0);
}

/* (always_inline: smaller than LTO's call at each caller) */
inline __attribute__((always_inline)) int nl_link_del(struct nl *n, const char *name)
{
	struct nl_req r;

	nl_build_link_del(&r, name);
	return nl_talk(n, &r, NULL, 0);
}
