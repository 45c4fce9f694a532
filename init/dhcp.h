/* dhcp: the DHCPv4 client (RFC 2131) of `interface NAME dhcp`. It runs in
 * its own sandboxed helper process (service dhcp-NAME: `sandinit dhcp NAME`),
 * never in PID 1: it builds the requests, parses the untrusted replies, and
 * reports each lease to PID 1 as a fixed struct dhcp_lease on fd 3, which
 * PID 1 checks (dhcp_lease_check) before iface.c applies it. */
#ifndef SANDINIT_DHCP_H
#define SANDINIT_DHCP_H

#include <stddef.h>
#include <stdint.h>

#define DHCP_LEASE_MAGIC 0x73644c31u	/* "sdL1" */
#define DHCP_MAX_DNS 3

enum { DHCP_BOUND = 1, DHCP_EXPIRED = 2 };

/* Helper -> PID 1, one record of the SOCK_SEQPACKET socket on fd 3 (a
 * record is whole or not at all: a short or long one is rejected alone,
 * the next is read from its start). Addresses in host byte order. */
struct dhcp_lease {
	uint32_t magic;
	uint32_t kind;		/* DHCP_BOUND: new or renewed; DHCP_EXPIRED: gone */
	uint32_t addr;
	uint32_t prefix;	/* 1..32 */
	uint32_t router;	/* 0: none */
	uint32_t server;
	uint32_t seconds;	/* the address's lifetime from now; ~0: forever */
	uint32_t ndns;
	uint32_t dns[DHCP_MAX_DNS];
};

/* Is L a lease PID 1 may apply: known kind, a unicast address that is not
 * the subnet's network or broadcast address, a router (if any) another
 * address of the subnet, DNS servers unicast, a lifetime? 0 or -1 (EINVAL). */
int dhcp_lease_check(const struct dhcp_lease *l);

/* The fields of a server's reply that the client uses. */
struct dhcp_reply {
	int type;		/* DHCPOFFER 2, DHCPACK 5, DHCPNAK 6 */
	uint32_t yiaddr, server, router;
	int prefix;		/* from the subnet mask, or the address's class */
	uint32_t lease, t1, t2;	/* seconds; t1/t2 0 if not given */
	uint32_t dns[DHCP_MAX_DNS];
	int ndns;
};

/* Parse PKT (LEN bytes: an IPv4 packet, as an AF_PACKET SOCK_DGRAM socket
 * gives it) as a DHCP reply to the request XID of the client with hardware
 * address MAC: IP and UDP headers (port 67 to 68, lengths, checksums; the
 * UDP one unless PARTIAL: the packet socket says the sender left it to
 * offloading, as a veth does), the BOOTP header and the options, every
 * length checked against the packet. 0 with *OUT filled, or -1 (EINVAL:
 * not for us or malformed). */
int dhcp_parse(const uint8_t *pkt, size_t len, int partial, uint32_t xid,
	       const unsigned char mac[6], struct dhcp_reply *out);

/* The request of TYPE (DHCPDISCOVER 1, DHCPREQUEST 3, DHCPRELEASE 7) as a
 * BOOTP message (no IP/UDP headers) into BUF (at least DHCP_MSG_MAX bytes):
 * CIADDR set when renewing/rebinding, REQ_IP and SERVER (option 50, 54)
 * when not 0. Returns its length. */
#define DHCP_MSG_MAX 576
size_t dhcp_build(uint8_t *buf, int type, uint32_t xid, const unsigned char mac[6],
		  uint32_t ciaddr, uint32_t req_ip, uint32_t server);

/* The helper: run the client on interface IFNAME for ever, reporting on
 * fd 3. Returns only on a fatal error (the exit status). */
int dhcp_main(const char *ifname);

#endif
