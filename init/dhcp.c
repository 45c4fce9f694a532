/* dhcp: the DHCPv4 client of `interface NAME dhcp` (RFC 2131, options RFC
 * 2132), run as the sandboxed helper dhcp-NAME; its reply parser takes
 * untrusted bytes (tests/fuzz/dhcp_fuzz.c) and PID 1 only ever sees the
 * fixed struct dhcp_lease, which it checks with dhcp_lease_check. */
#include "dhcp.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "conf_value.h"
#include "privs.h"
#include "seccomp.h"
#include "util.h"

enum { DISCOVER = 1, OFFER = 2, REQUEST = 3, ACK = 5, NAK = 6 };

#define COOKIE 0x63825363u
#define SERVER_PORT 67
#define CLIENT_PORT 68
#define LEASE_FD 3

/* A lease shorter than this is taken as this long, and T1 is at least half
 * of it (RFC 2131 sets no floor; dhcpcd's is 20 s, udhcpc's 122 s): a
 * server on the uplink, which is untrusted, that leases for a second or
 * sets T1 to one gets a renewal every 10 s, not a loop as fast as it
 * answers, nor PID 1 a lease a packet. */
#define MIN_LEASE 20

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = (uint8_t)v;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

/* The Internet checksum's running sum (RFC 1071). */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		sum += be16(p);
	if (n)
		sum += (unsigned)p[0] << 8;
	return sum;
}

static unsigned fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* The UDP checksum of the datagram U (ULEN bytes) from SRC to DST. */
static unsigned udp_sum(const uint8_t *u, size_t ulen, const uint8_t *src, const uint8_t *dst)
{
	uint32_t s = sum16(0, src, 4);

	s = sum16(s, dst, 4);
	s += 17 + (uint32_t)ulen;
	return fold(sum16(s, u, ulen));
}

/* Unicast, and not in 0/8, 127/8 or 224/3. */
static int unicast(uint32_t a)
{
	return a >> 24 != 0 && a >> 24 != 127 && a < 0xe0000000u;
}

/* Is A the network or the broadcast address of its subnet /PREFIX (which
 * /31 and /32 do not have)? */
static int edge(uint32_t a, int prefix)
{
	uint32_t m = conf_prefix_mask(prefix);

	return prefix < 31 && ((a & ~m) == 0 || (a & ~m) == ~m);
}

/* Can A/PREFIX use router R: unicast, another address of its subnet, not
 * the network or broadcast address? */
static int router_ok(uint32_t r, uint32_t a, int prefix)
{
	return unicast(r) && r != a && !((r ^ a) & conf_prefix_mask(prefix)) && !edge(r, prefix);
}

int dhcp_lease_check(const struct dhcp_lease *l)
{
	if (l->magic != DHCP_LEASE_MAGIC || (l->kind != DHCP_BOUND && l->kind != DHCP_EXPIRED) ||
	    l->prefix < 1 || l->prefix > 32 || !unicast(l->addr) || l->ndns > DHCP_MAX_DNS ||
	    (l->server && !unicast(l->server)))
		goto bad;
	if (edge(l->addr, (int)l->prefix) ||
	    (l->router && !router_ok(l->router, l->addr, (int)l->prefix)))
		goto bad;
	for (uint32_t i = 0; i < l->ndns; i++)
		if (!unicast(l->dns[i]))
			goto bad;
	if (l->kind == DHCP_BOUND && l->seconds == 0)
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* The prefix of a contiguous netmask, or -1. */
static int mask_prefix(uint32_t m)
{
	int p = 0;

	while (p < 32 && m >> (31 - p) & 1)
		p++;
	return p && m == conf_prefix_mask(p) ? p : -1;
}

int dhcp_parse(const uint8_t *pkt, size_t len, int partial, uint32_t xid,
	       const unsigned char mac[6], struct dhcp_reply *out)
{
	const uint8_t *u, *b;
	size_t ihl, tot, ulen, blen, i;
	int have_server = 0, have_lease = 0, prefix;

	memset(out, 0, sizeof *out);
	/* IPv4 header: version, length, no fragment, UDP, checksum. */
	if (len < 20 || pkt[0] >> 4 != 4)
		goto bad;
	ihl = (size_t)(pkt[0] & 15) * 4;
	tot = be16(pkt + 2);
	if (ihl < 20 || tot < ihl + 8 || tot > len || be16(pkt + 6) & 0x3fff || pkt[9] != 17 ||
	    fold(sum16(0, pkt, ihl)) != 0)
		goto bad;
	/* UDP from the server port to the client port. */
	u = pkt + ihl;
	ulen = be16(u + 4);
	if (ulen < 8 || ulen > tot - ihl || be16(u) != SERVER_PORT || be16(u + 2) != CLIENT_PORT)
		goto bad;
	if (!partial && be16(u + 6) && udp_sum(u, ulen, pkt + 12, pkt + 16) != 0)
		goto bad;
	/* BOOTP: a reply to our request, with the options' cookie. */
	b = u + 8;
	blen = ulen - 8;
	if (blen < 240 || b[0] != 2 || b[1] != 1 || b[2] != 6 || be32(b + 4) != xid ||
	    memcmp(b + 28, mac, 6) || be32(b + 236) != COOKIE)
		goto bad;
	out->yiaddr = be32(b + 16);
	out->lease = 3600;	/* unless given (an OFFER need not) */
	/* Without a mask: the address's class (RFC 2131 §4.3.1 leaves it to us). */
	prefix = b[16] < 128 ? 8 : b[16] < 192 ? 16 : 24;
	for (i = 240; i < blen;) {
		unsigned code = b[i++], olen;
		const uint8_t *o;

		if (code == 0)
			continue;
		if (code == 255)
			break;
		if (i >= blen)
			goto bad;
		olen = b[i++];
		if (olen > blen - i)
			goto bad;
		o = b + i;
		i += olen;
		switch (code) {
		case 53:	/* message type */
			if (olen != 1)
				goto bad;
			out->type = o[0];
			break;
		case 54:	/* server identifier */
			if (olen != 4)
				goto bad;
			out->server = be32(o);
			have_server = 1;
			break;
		case 1:		/* subnet mask */
			if (olen != 4 || (prefix = mask_prefix(be32(o))) < 0)
				goto bad;
			break;
		case 3:		/* routers: the first */
			if (olen < 4 || olen % 4)
				goto bad;
			out->router = be32(o);
			break;
		case 6:		/* DNS servers */
			if (olen < 4 || olen % 4)
				goto bad;
			out->ndns = 0;
			for (unsigned k = 0; k < olen && out->ndns < DHCP_MAX_DNS; k += 4)
				if (unicast(be32(o + k)))
					out->dns[out->ndns++] = be32(o + k);
			break;
		case 51:	/* lease time */
		case 58:	/* T1 */
		case 59:	/* T2 */
			if (olen != 4)
				goto bad;
			*(code == 51 ? &out->lease : code == 58 ? &out->t1 : &out->t2) = be32(o);
			have_lease |= code == 51;
			break;
		}
	}
	/* (a NAK should name its server, RFC 2131 table 3; QEMU's does not) */
	if (out->type == NAK)
		return 0;
	if ((out->type != OFFER && out->type != ACK) || !have_server || !unicast(out->yiaddr) ||
	    (out->type == ACK && !have_lease))
		goto bad;
	out->prefix = prefix;
	/* A router the address cannot reach (or the subnet's network or
	 * broadcast address) is none. */
	if (out->router && !router_ok(out->router, out->yiaddr, prefix))
		out->router = 0;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

size_t dhcp_build(uint8_t *b, int type, uint32_t xid, const unsigned char mac[6],
		  uint32_t ciaddr, uint32_t req_ip, uint32_t server)
{
	/* BOOTREQUEST, Ethernet (type, length); the options' first: the
	 * message type, the client id (type 1, the MAC); their last: the
	 * max message size, the parameters asked for, the end. */
	static const uint8_t head[] = { 1, 1, 6 }, opts[] = { 53, 1, 0, 61, 7, 1 },
		tail[] = { 57, 2, 1500 >> 8, 1500 & 0xff, 55, 7, 1, 3, 6, 51, 54, 58, 59, 255 };
	size_t i = 252;

	memset(b, 0, DHCP_MSG_MAX);
	memcpy(b, head, sizeof head);
	put32(b + 4, xid);
	put32(b + 12, ciaddr);
	memcpy(b + 28, mac, 6);
	put32(b + 236, COOKIE);
	memcpy(b + 240, opts, sizeof opts);
	b[242] = (uint8_t)type;
	memcpy(b + 246, mac, 6);
	if (req_ip)
		b[i] = 50, b[i + 1] = 4, put32(b + i + 2, req_ip), i += 6;
	if (server)
		b[i] = 54, b[i + 1] = 4, put32(b + i + 2, server), i += 6;
	memcpy(b + i, tail, sizeof tail);
	i += sizeof tail;
	return i < 300 ? 300 : i;	/* BOOTP's minimum (RFC 1542) */
}

/* ---- the helper process ---- */

enum state { INIT, REQUESTING, BOUND, RENEWING, REBINDING };

struct client {
	const char *ifname;
	int ifindex;
	unsigned char mac[6];
	int pfd, ufd;		/* packet socket; UDP socket on port 68 */
	enum state state;
	uint32_t xid;
	int tries;
	int fails;		/* restarts in a row without a usable lease */
	int64_t next;		/* ms: the next send */
	struct dhcp_reply offer, lease;
	int64_t t1, t2, expiry;	/* ms; 0: never */
};

static int64_t now_ms_boot(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t rnd(void)
{
	uint32_t v = 0;

	/* (the system call itself: only this would link musl's wrapper) */
	if (syscall(SYS_getrandom, &v, sizeof v, 0) != sizeof v)
		v = (uint32_t)now_ms_boot() * 2654435761u;
	return v;
}

/* Wait until IFNAME exists and is up (PID 1 brings it up): RTM_NEWLINK
 * notifications, no polling. */
/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static int wait_link(struct client *c)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int said = 0;

	if (nl < 0 || s < 0 || bind(nl, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	for (;;) {
		struct ifreq ifr = { 0 };
		char buf[8192];

		strcpy(ifr.ifr_name, c->ifname);	/* (shorter than IFNAMSIZ: dhcp_main) */
		if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && ifr.ifr_flags & IFF_UP &&
		    ioctl(s, SIOCGIFINDEX, &ifr) == 0) {
			c->ifindex = ifr.ifr_ifindex;
			if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
				return -1;
			memcpy(c->mac, ifr.ifr_hwaddr.sa_data, 6);
			break;
		}
		if (!said++)
			dprintf(1, "waiting for %s to come up\n", c->ifname);
		if (poll(&(struct pollfd){ .fd = nl, .events = POLLIN }, 1, -1) < 0 && errno != EINTR)
			return -1;
		while (recv(nl, buf, sizeof buf, MSG_DONTWAIT) > 0)
			;
	}
	close(nl);
	close(s);
	return 0;
}

/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static int open_sockets(struct client *c)
{
	/* UDP to port 68, not fragments: A = protocol; the fragment bits;
	 * X = header length; A = destination port. */
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 6),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, 4, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CLIENT_PORT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(code), .filter = code };
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET, .sll_protocol = BE16(ETH_P_IP), .sll_ifindex = c->ifindex,
	};
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = BE16(CLIENT_PORT) };
	int one = 1;

	c->pfd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, BE16(ETH_P_IP));
	if (c->pfd < 0 || setsockopt(c->pfd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0 ||
	    setsockopt(c->pfd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0 ||
	    bind(c->pfd, (struct sockaddr *)&ll, sizeof ll) < 0)
		return -1;
	/* Renewals go by unicast through the kernel's routing; bound to port
	 * 68 so their replies are not answered with port unreachable. */
	c->ufd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->ufd < 0 || setsockopt(c->ufd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    setsockopt(c->ufd, SOL_SOCKET, SO_BINDTODEVICE, c->ifname, (socklen_t)strlen(c->ifname)) < 0 ||
	    bind(c->ufd, (struct sockaddr *)&sin, sizeof sin) < 0)
		return -1;
	return 0;
}

/* The sockets are open: nothing the loop does needs a capability, and
 * it makes only these calls (its lines are dprintf's write(2)s; poll is
 * ppoll on aarch64). Any other kills the helper, which PID 1 then restarts. */
static int settle(void)
{
	static const int loop_calls[] = {
#ifdef SYS_poll
		SYS_poll,
#endif
		SYS_ppoll, SYS_recvfrom, SYS_recvmsg, SYS_sendto, SYS_write,
		SYS_clock_gettime, SYS_getrandom, SYS_rt_sigreturn, SYS_exit, SYS_exit_group,
	};

	if (privs_drop_all() < 0)
		return -1;
	return seccomp_allow_only(loop_calls, (int)ARRAY_SIZE(loop_calls));
}

/* MSG (a BOOTP message) in IPv4 and UDP from SRC to 255.255.255.255, to the
 * Ethernet broadcast address. */
/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static int send_broadcast(struct client *c, const uint8_t *msg, size_t len, uint32_t src)
{
	uint8_t pkt[28 + DHCP_MSG_MAX], *u = pkt + 20;
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET, .sll_protocol = BE16(ETH_P_IP),
		.sll_ifindex = c->ifindex, .sll_halen = 6,
		.sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	size_t tot = 28 + len;

	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	put16(pkt + 2, (unsigned)tot);
	pkt[8] = 64;
	pkt[9] = 17;
	put32(pkt + 12, src);
	put32(pkt + 16, 0xffffffffu);
	put16(pkt + 10, fold(sum16(0, pkt, 20)));
	put16(u, CLIENT_PORT);
	put16(u + 2, SERVER_PORT);
	put16(u + 4, (unsigned)(8 + len));
	memcpy(u + 8, msg, len);
	put16(u + 6, udp_sum(u, 8 + len, pkt + 12, pkt + 16) ?: 0xffff);
	return sendto(c->pfd, pkt, tot, 0, (struct sockaddr *)&ll, sizeof ll) < 0 ? -1 : 0;
}

static int send_unicast(struct client *c, const uint8_t *msg, size_t len, uint32_t to)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_port = BE16(SERVER_PORT), .sin_addr.s_addr = BE32(to),
	};

	return sendto(c->ufd, msg, len, 0, (struct sockaddr *)&sin, sizeof sin) < 0 ? -1 : 0;
}

/* The message of the current state, and when to send it again: a
 * DISCOVER, the REQUEST of the offer (broadcast), of the lease renewed
 * (to its server) or rebound (broadcast from its address). */
static void transmit(struct client *c, int64_t now)
{
	uint8_t msg[DHCP_MSG_MAX];
	enum state st = c->state;
	int req = st == REQUESTING, cap = st == INIT ? 5 : 3, r;
	uint32_t ci = st >= RENEWING ? c->lease.yiaddr : 0;
	/* 2, 4, 8... up to 64 s (RFC 2131 §4.1 starts at 4), 16 s while
	 * requesting; renewing and rebinding: half the time left, but at
	 * least 60 s apart (§4.4.5). */
	int64_t wait = st == RENEWING ? (c->t2 - now) / 2 : st == REBINDING ? (c->expiry - now) / 2
		       : 2000 << (c->tries < cap ? c->tries : cap);
	size_t len;

	if (st == BOUND)
		return;
	len = dhcp_build(msg, st == INIT ? DISCOVER : REQUEST, c->xid, c->mac, ci,
			 req ? c->offer.yiaddr : 0, req ? c->offer.server : 0);
	r = st == RENEWING ? send_unicast(c, msg, len, c->lease.server)
			   : send_broadcast(c, msg, len, ci);
	if (r < 0)
		dprintf(1, "unable to %s on %s: %m\n", "send", c->ifname);
	if (st >= RENEWING && wait < 60000)
		wait = 60000;
	c->tries++;
	c->next = now + wait;
}

static void report(struct client *c, uint32_t kind)
{
	struct dhcp_lease l = {
		.magic = DHCP_LEASE_MAGIC, .kind = kind, .addr = c->lease.yiaddr,
		.prefix = (uint32_t)c->lease.prefix, .router = c->lease.router,
		.server = c->lease.server, .seconds = c->lease.lease,
		.ndns = (uint32_t)c->lease.ndns,
	};

	memcpy(l.dns, c->lease.dns, sizeof l.dns);
	if (write(LEASE_FD, &l, sizeof l) != sizeof l)
		dprintf(1, "unable to report to PID 1: %m\n");
}

/* Back to discovery (WHY: NULL at the start). A restart after a failure
 * waits 1, 2, 4... up to 64 s more with each failure in a row, so that a
 * server that NAKs every request or leases for 0 s is not answered in a
 * loop as fast as the network goes. */
static void restart(struct client *c, int64_t now, const char *why)
{
	char a[16];
	int64_t wait = 0;

	if (c->state >= BOUND) {
		dprintf(1, "lease of %s %s: address removed\n", conf_ip_str(a, c->lease.yiaddr), why);
		report(c, DHCP_EXPIRED);
	} else if (why) {
		dprintf(1, "%s\n", why);
	}
	if (why)
		wait = (int64_t)1000 << (c->fails < 6 ? c->fails++ : 6);
	if (wait > 1000)
		dprintf(1, "discovering again in %d s\n", (int)(wait / 1000));
	c->state = INIT;
	c->xid = rnd();
	c->tries = 0;
	c->next = now + wait;
	c->t1 = c->t2 = c->expiry = 0;
}

static void bind_lease(struct client *c, const struct dhcp_reply *r, int64_t now)
{
	char a[16], g[16], s[16], given[24], life[64];
	const char *lt = "infinite";
	uint32_t t = r->lease < MIN_LEASE ? MIN_LEASE : r->lease, t1 = r->t1, t2 = r->t2;
	int renewed = c->state >= BOUND && r->yiaddr == c->lease.yiaddr;
	/* (a renewal that changes nothing but the time is not said again) */
	int same = renewed && r->server == c->lease.server && r->router == c->lease.router &&
		   r->prefix == c->lease.prefix && t == c->lease.lease;

	if (c->state >= BOUND && !renewed)
		report(c, DHCP_EXPIRED);
	/* A lease that lasts a minute ends the failures in a row; a shorter
	 * one does not, so that its end restarts with a longer wait. */
	if (t >= 60)
		c->fails = 0;
	c->lease = *r;
	c->lease.lease = t;
	c->state = BOUND;
	c->tries = 0;
	c->next = 0;
	if (t == 0xffffffffu) {
		c->t1 = c->t2 = c->expiry = 0;
	} else {
		if (!t2 || t2 > t)
			t2 = (uint32_t)((uint64_t)t * 7 / 8);
		if (!t1 || t1 > t2)
			t1 = t / 2 < t2 ? t / 2 : t2;
		if (t1 < MIN_LEASE / 2)
			t1 = MIN_LEASE / 2;
		if (t2 < t1)
			t2 = t1;
		c->t1 = now + (int64_t)t1 * 1000;
		c->t2 = now + (int64_t)t2 * 1000;
		c->expiry = now + (int64_t)t * 1000;
	}
	report(c, DHCP_BOUND);
	if (same)
		return;
	/* (an infinite lease is one given so: T is the lease unless raised) */
	if (t != 0xffffffffu) {
		given[0] = 0;
		if (t != r->lease)
			snprintf(given, sizeof given, " (%u s given)", r->lease);
		snprintf(life, sizeof life, "%u s%s, renewal in %u s", t, given, t1);
		lt = life;
	}
	dprintf(1, "%s %s/%d router %s from %s, lease %s\n", renewed ? "renewed" : "bound to",
		conf_ip_str(a, r->yiaddr), r->prefix, r->router ? conf_ip_str(g, r->router) : "none",
		conf_ip_str(s, r->server), lt);
}

/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static void on_reply(struct client *c, const struct dhcp_reply *r, int64_t now)
{
	char a[16], b[16], why[64];

	switch (c->state) {
	case INIT:
		if (r->type != OFFER)
			return;
		dprintf(1, "offer of %s from %s\n", conf_ip_str(a, r->yiaddr),
		           conf_ip_str(b, r->server));
		c->offer = *r;
		c->state = REQUESTING;
		c->tries = 0;
		transmit(c, now);
		return;
	case REQUESTING:
	case RENEWING:
	case REBINDING:
		/* The server asked, or while rebinding any (RFC 2131 4.4.5); a
		 * NAK that names none is taken from any. */
		if (c->state != REBINDING && (r->type != NAK || r->server) &&
		    r->server != (c->state == REQUESTING ? c->offer.server : c->lease.server))
			return;
		if (r->type == NAK || (r->type == ACK && r->lease == 0)) {
			snprintf(why, sizeof why, r->type == NAK ? "refused by a NAK%s%s"
				 : "unusable (0 s%s%s)", r->server ? " from " : "",
				 r->server ? conf_ip_str(a, r->server) : "");
			restart(c, now, why);
		} else if (r->type == ACK) {
			bind_lease(c, r, now);
		}
		return;
	default:
		return;
	}
}

/* Timers of the state: T1, T2, the end of the lease, retransmissions. */
static void tick(struct client *c, int64_t now)
{
	enum state to = (c->state == BOUND || c->state == RENEWING) && c->t2 && now >= c->t2
			? REBINDING : c->state == BOUND && c->t1 && now >= c->t1 ? RENEWING : INIT;

	if (c->state >= BOUND && c->expiry && now >= c->expiry) {
		restart(c, now, "expired");
	} else if (to != INIT) {
		c->state = to;
		c->xid = rnd();
		c->tries = 0;
		transmit(c, now);
	} else if (c->state == REQUESTING && c->tries >= 4 && now >= c->next) {
		restart(c, now, "offer not acknowledged");
	} else if (c->state != BOUND && now >= c->next) {
		transmit(c, now);
	}
}

/* (bind_lease keeps T1 <= T2 <= the expiry, or all three 0: forever) */
static int64_t next_event(const struct client *c)
{
	int64_t n = c->state == BOUND ? c->t1 : c->next,
		e = c->state == RENEWING ? c->t2 : c->state == REBINDING ? c->expiry : 0;

	return e && e < n ? e : n;
}

int dhcp_main(const char *ifname)
{
	static struct client c;
	struct stat st;
	char name[16];

	snprintf(name, sizeof name, "dhcp-%s", ifname);
	prctl(PR_SET_NAME, name);
	if (strlen(ifname) >= IFNAMSIZ || fstat(LEASE_FD, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		dprintf(2, "sandinit: dhcp: run by PID 1 as dhcp-NAME, its lease socket on fd 3\n");
		return 2;
	}
	c.ifname = ifname;
	if (wait_link(&c) < 0 || open_sockets(&c) < 0) {
		dprintf(1, "unable to %s on %s: %m\n", "listen", ifname);
		return 1;
	}
	if (settle() < 0) {
		dprintf(1, "unable to drop privileges: %m\n");
		return 1;
	}
	restart(&c, now_ms_boot(), NULL);
	for (;;) {
		struct pollfd p[2] = { { .fd = c.pfd, .events = POLLIN }, { .fd = c.ufd, .events = POLLIN } };
		uint8_t buf[2048];
		union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))]; } ctl;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
				      .msg_controllen = sizeof ctl };
		int64_t now = now_ms_boot(), n;
		int timeout;
		ssize_t len;

		tick(&c, now);
		n = next_event(&c);
		timeout = !n ? -1 : n <= now ? 0 : n - now > 3600000 ? 3600000 : (int)(n - now);
		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			return 1;
		if (p[1].revents)
			while (recv(c.ufd, buf, sizeof buf, MSG_DONTWAIT) >= 0)
				;
		if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			dprintf(1, "%s is gone\n", ifname);
			return 1;
		}
		if (!(p[0].revents & POLLIN))
			continue;
		len = recvmsg(c.pfd, &msg, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			dprintf(1, "unable to %s on %s: %m\n", "receive", ifname);
			return 1;
		}
		{
			struct dhcp_reply r;
			struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
			int partial = 0;

			/* TP_STATUS_CSUMNOTREADY: the sender's checksum is left
			 * to hardware that a veth does not have. The socket asks
			 * for PACKET_AUXDATA alone: the one message, if any
			 * (without it the checksum is checked). */
			if (cm && cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_AUXDATA &&
			    cm->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
				struct tpacket_auxdata aux;

				memcpy(&aux, CMSG_DATA(cm), sizeof aux);
				partial = !!(aux.tp_status & TP_STATUS_CSUMNOTREADY);
			}
			if (dhcp_parse(buf, (size_t)len, partial, c.xid, c.mac, &r) == 0)
				on_reply(&c, &r, now_ms_boot());
		}
	}
}
