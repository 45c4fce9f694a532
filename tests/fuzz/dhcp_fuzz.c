/* dhcp_fuzz: libFuzzer target for the DHCP reply parser (dhcp_parse), the
 * one place sandinit reads bytes off the network, and for PID 1's check of
 * the helper's leases (dhcp_lease_check). The first input byte's low bit
 * says whether the UDP checksum was left to offloading; the rest is an IPv4
 * packet, whose header checksum the harness fixes so that the fuzzer gets
 * past it to the UDP, BOOTP and option parsing. Properties: no crash or
 * read past the packet; what the parser accepts is self-consistent; and a
 * lease made of an accepted OFFER/ACK passes PID 1's check. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
#define XID 0x12345678u

static void fix_ip_sum(uint8_t *p, size_t len)
{
	size_t ihl;
	uint32_t s = 0;

	if (len < 20)
		return;
	ihl = (size_t)(p[0] & 15) * 4;
	if (ihl < 20 || ihl > len)
		return;
	p[10] = p[11] = 0;
	for (size_t i = 0; i + 1 < ihl; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ~s & 0xffff;
	p[10] = (uint8_t)(s >> 8);
	p[11] = (uint8_t)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_reply r;
	struct dhcp_lease l;
	uint8_t *pkt;

	if (size == 0)
		return 0;
	if (size - 1 >= sizeof l) {
		memcpy(&l, data + 1, sizeof l);
		(void)dhcp_lease_check(&l);
	}
	/* Exactly the packet's bytes: ASan sees any read past them. */
	pkt = malloc(size - 1 ? size - 1 : 1);
	if (!pkt)
		return 0;
	memcpy(pkt, data + 1, size - 1);
	fix_ip_sum(pkt, size - 1);
	if (dhcp_parse(pkt, size - 1, data[0] & 1, XID, mac, &r) == 0) {
		if (r.type != 2 && r.type != 5 && r.type != 6)
			__builtin_trap();
		if (r.ndns < 0 || r.ndns > DHCP_MAX_DNS)
			__builtin_trap();
		if (r.type != 6) {
			l = (struct dhcp_lease){
				.magic = DHCP_LEASE_MAGIC, .kind = DHCP_BOUND, .addr = r.yiaddr,
				.prefix = (uint32_t)r.prefix, .router = r.router, .server = r.server,
				.seconds = r.lease ? r.lease : 1, .ndns = (uint32_t)r.ndns,
			};
			memcpy(l.dns, r.dns, sizeof l.dns);
			if (r.prefix < 1 || r.prefix > 32)
				__builtin_trap();
			/* The parser may accept what PID 1 refuses (a network or
			 * broadcast address, a server id that is not unicast);
			 * never a bad router or DNS server of an accepted address. */
			l.server = 0;
			if (dhcp_lease_check(&l) < 0) {
				uint32_t m = r.prefix ? ~0u << (32 - r.prefix) : 0;
				int edge = r.prefix < 31 && ((r.yiaddr & ~m) == 0 || (r.yiaddr & ~m) == ~m);

				if (!edge) {
					l.router = 0;
					l.ndns = 0;
					if (dhcp_lease_check(&l) == 0)
						__builtin_trap();	/* router or DNS let through */
				}
			}
		}
	}
	free(pkt);
	return 0;
}
