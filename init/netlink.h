/* netlink: the few rtnetlink requests sandinit needs (rtnetlink(7)). A request
 * is built in a fixed buffer (no socket needed: unit-testable), sent once, and
 * its one ack read back, checked for sequence number and port id. */
#ifndef SANDINIT_NETLINK_H
#define SANDINIT_NETLINK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/netlink.h>

#define NL_BUFSIZE 1024

struct nl {
	int fd;
	uint32_t portid;	/* the kernel's: replies must carry it */
	uint32_t seq;
};

struct nl_req {
	union {
		struct nlmsghdr h;
		char buf[NL_BUFSIZE];
	} u;
	int err;		/* sticky: EMSGSIZE once an attribute did not fit */
};

/* The attribute builder, shared with nft.c: a message built in place at H,
 * which has CAP bytes of room; *ERR is sticky (EMSGSIZE once something did
 * not fit; while it is set, H is not touched) and the message's nlmsg_len
 * grows with every attribute. */
/* LEN bytes padded to 4 (a family header inside a nest); NULL if no room. */
void *nl_msg_raw(struct nlmsghdr *h, size_t cap, int *err, const void *data, size_t len);
void nl_msg_attr(struct nlmsghdr *h, size_t cap, int *err, uint16_t type, const void *data,
		 size_t len);
/* Returns the nest's offset from H, for nl_msg_nest_end. */
size_t nl_msg_nest_begin(struct nlmsghdr *h, size_t cap, int *err, uint16_t type);
void nl_msg_nest_end(struct nlmsghdr *h, int *err, size_t nest);

/* The attribute reader, shared with nft.c and iface.c: the first attribute
 * of TYPE (its NLA_F_* flags ignored) among the LEN bytes of attributes at
 * ATTRS, or NULL. An attribute whose length runs past LEN ends the walk. */
const struct nlattr *nl_attr_find(const void *attrs, size_t len, uint16_t type);
/* The same among the attributes of message H, after its family header of
 * HDRLEN bytes; NULL if H is shorter than that header. H's nlmsg_len must
 * lie inside the buffer (NLMSG_OK). */
const struct nlattr *nl_msg_find(const struct nlmsghdr *h, size_t hdrlen, uint16_t type);
/* An attribute's payload, and its length. */
#define NL_ATTR_DATA(a) ((const void *)((const char *)(a) + NLA_HDRLEN))
#define NL_ATTR_LEN(a) ((size_t)(a)->nla_len - NLA_HDRLEN)

/* Request builder. HDR (HDRLEN bytes: ifinfomsg, ifaddrmsg, rtmsg...) follows
 * the nlmsghdr; NLM_F_REQUEST | NLM_F_ACK are added to FLAGS. */
void nl_req_init(struct nl_req *r, uint16_t type, uint16_t flags,
		 const void *hdr, size_t hdrlen);
void nl_attr_put(struct nl_req *r, uint16_t type, const void *data, size_t len);
void nl_attr_put_u32(struct nl_req *r, uint16_t type, uint32_t v);
void nl_attr_put_str(struct nl_req *r, uint16_t type, const char *s);
/* Returns the nest's offset, for nl_nest_end. */
size_t nl_nest_begin(struct nl_req *r, uint16_t type);
void nl_nest_end(struct nl_req *r, size_t nest);

/* The messages, built without a socket. Addresses in host byte order.
 * Zero/NULL optional arguments are left out. */
/* Bridge NAME with the 6-byte MAC (NULL: the kernel's choice, which then
 * follows the lowest MAC among its ports and changes as ports come and go). */
void nl_build_bridge(struct nl_req *r, const char *name, const unsigned char *mac);
/* HOST is created in the sender's namespace with MTU, enslaved to MASTER and
 * up; PEER (down) directly in the network namespace NETNS_FD refers to
 * (IFLA_NET_NS_FD in the VETH_INFO_PEER nest; -1: the sender's), with MTU
 * and the 6-byte PEER_MAC. */
void nl_build_veth(struct nl_req *r, const char *host, const char *peer,
		   int netns_fd, unsigned mtu, int master,
		   const unsigned char *peer_mac);
/* RTM_NEWLINK on IFINDEX: set MASTER if > 0, MTU if > 0, UP if UP. */
void nl_build_link_set(struct nl_req *r, int ifindex, int up, unsigned mtu,
		       int master);
/* RTM_NEWLINK on IFINDEX (0: on the link NAME), per-family settings
 * (IFLA_AF_SPEC): if INET_ID > 0, the IPv4 setting INET_ID (IPV4_DEVCONF_*,
 * linux/ip.h) = INET_VALUE, as /proc/sys/net/ipv4/conf/LINK/ would set it;
 * if NO_LL6, no IPv6 link-local address when the link comes up (address
 * generation mode none: no duplicate address detection, no multicast
 * listener reports). The kernel refuses AF_INET6 (EAFNOSUPPORT) without
 * IPv6. */
void nl_build_link_af(struct nl_req *r, int ifindex, const char *name,
		      int inet_id, uint32_t inet_value, int no_ll6);
void nl_build_link_get(struct nl_req *r, const char *name);
void nl_build_link_down(struct nl_req *r, const char *name);
void nl_build_link_del(struct nl_req *r, const char *name);
void nl_build_addr(struct nl_req *r, int ifindex, uint32_t addr, int prefix);
void nl_build_route_default(struct nl_req *r, uint32_t gw, int oif);
/* An uplink's address (`interface`): created or, if there, replaced, with
 * a lifetime of SECONDS (IFA_CACHEINFO valid and preferred; ~0: forever),
 * after which the kernel removes it. */
void nl_build_addr_life(struct nl_req *r, int ifindex, uint32_t addr, int prefix,
			uint32_t seconds);
/* The default route via GW on OIF with METRIC, replacing the default
 * route of that metric only (DEL: its removal). PROTO is the rtm_protocol
 * (RTPROT_STATIC, RTPROT_DHCP). */
void nl_build_route_uplink(struct nl_req *r, uint32_t gw, int oif, int proto, uint32_t metric,
			   int del);

/* A bound NETLINK_ROUTE socket, close-on-exec. -1 with errno. */
int nl_open(struct nl *n);
/* The same for netlink family PROTO (NETLINK_NETFILTER: nft.c). */
int nl_open_proto(struct nl *n, int proto);
/* One datagram of replies; -1 EMSGSIZE if it did not fit in SIZE. */
ssize_t nl_recv(struct nl *n, void *buf, size_t size);
/* The receive buffer the exchanges with the kernel share (nl_talk, nft.c's
 * batches, ct.c's dumps: PID 1 runs one at a time and none calls another
 * while its replies are in use). 16 KiB: a dump's datagrams are as big as
 * the largest read the socket has seen. Static, resident once used: one
 * buffer instead of one each. */
union nl_rxbuf {
	struct nlmsghdr h;
	char b[16384];
};
extern union nl_rxbuf nl_rx;
/* Reading the replies to COUNT messages N sent, numbered from sequence
 * number FIRST, out of nl_rx: zeroed but for those two to begin. */
struct nl_replies {
	uint32_t first, count;
	struct nlmsghdr *h;	/* the next message of the datagram */
	ssize_t len;		/* bytes of it from h */
};
/* Sending messages and reading their acks: the COUNT buffers of IOV (whole
 * messages) numbered and sent in one datagram, A started on their replies.
 * The acks of the messages but BASE at either end (nft's BATCH_BEGIN and
 * END) are the items'; an error acking one of those BASE is the batch's
 * refusal. -1 with errno if sending failed. */
struct nl_acks {
	struct nl_replies rep;
	int base, left;		/* items not acked yet */
	int *err;		/* if not NULL: each item's ack errno, STRIDE bytes apart */
	size_t stride;
	int failed, error;	/* the first item that failed, and its errno */
	int refused;		/* the batch's errno */
};
int nl_acks_send(struct nl *n, struct nl_acks *a, const struct iovec *iov, int count, int base);
/* The next reply that is not an ack (acks are recorded in A); NULL once
 * every item's came or the refusal's did, or reading failed. */
const struct nlmsghdr *nl_acks_next(struct nl *n, struct nl_acks *a);
/* Then: 0, or -1 with errno of reading, of the first item that failed
 * (A->failed), or of the refusal. */
int nl_acks_end(const struct nl_acks *a);
/* Use FD, a NETLINK_ROUTE socket nl_open made (in another process: a
 * socket works in the network namespace it was made in). -1 with errno. */
int nl_adopt(struct nl *n, int fd);
void nl_close(struct nl *n);
/* A socket of netlink family PROTO that only listens: to the multicast
 * GROUPS (RTMGRP_* bits for NETLINK_ROUTE), non-blocking, close-on-exec.
 * Its fd, or -1 with errno. */
int nl_listen(int proto, unsigned groups);

/* Send R with NLM_F_REQUEST | NLM_F_ACK and read its ack: 0, or -1 with
 * errno from the kernel's NLMSG_ERROR. If REPLY is not NULL, the first
 * non-error answer to R is copied there (up to CAP bytes). */
int nl_talk(struct nl *n, struct nl_req *r, void *reply, size_t cap);

/* Send the COUNT (at most NL_BATCH_MAX) requests of R in one datagram and
 * read all their acks: the kernel runs each message whatever the others'
 * outcome. 0, or -1 with errno from the first request that failed, whose
 * index goes to *FAILED (-1 if sending or reading failed). */
#define NL_BATCH_MAX 32
int nl_talk_batch(struct nl *n, struct nl_req *r, int count, int *failed);

/* Operations: 0 (or the index) on success, -1 with errno. */
struct nl_link {
	int index;
	unsigned mtu;
	unsigned flags;		/* IFF_* */
	char kind[16];		/* IFLA_INFO_KIND, "" if none */
	unsigned char mac[6];	/* IFLA_ADDRESS (Ethernet), or zeros */
};
int nl_link_get(struct nl *n, const char *name, struct nl_link *l);
int nl_link_index(struct nl *n, const char *name);
int nl_bridge_create(struct nl *n, const char *name,
		     const unsigned char *mac);	/* EEXIST: exists */
int nl_link_up(struct nl *n, int ifindex, unsigned mtu);
int nl_link_set_mac(struct nl *n, int ifindex, const unsigned char *mac);
int nl_addr_add(struct nl *n, int ifindex, uint32_t addr, int prefix);
int nl_addr_del(struct nl *n, int ifindex, uint32_t addr, int prefix);
int nl_link_down(struct nl *n, const char *name);
int nl_link_del(struct nl *n, const char *name);

#endif
