/* dhcpbad: a DHCP server that misbehaves on purpose, for the tests of the
 * client's back-off (tests/uplink.bats), where dnsmasq cannot be made to:
 *   dhcpbad IFNAME SERVER-IP MODE
 * It offers 10.9.0.77/24 to every DHCPDISCOVER, then answers every
 * DHCPREQUEST by MODE: `nak` a DHCPNAK, `nak-noid` a DHCPNAK without a
 * server identifier, `zero` a DHCPACK for 0 seconds, `flap` a DHCPACK for
 * 1 second of another address each time (10.9.0.78, .79...; its offers
 * lease for 1 s too). Prints one line per
 * message received ("DISCOVER MS XID", "REQUEST MS XID": CLOCK_MONOTONIC
 * ms, the transaction id in hex: a retransmission keeps its xid). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(67) };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(68),
				  .sin_addr.s_addr = INADDR_BROADCAST };
	struct in_addr server;
	int fd, one = 1, noid, zero, flap, acks = 0;

	if (argc != 4 || inet_pton(AF_INET, argv[2], &server) != 1)
		return 2;
	noid = !strcmp(argv[3], "nak-noid");
	zero = !strcmp(argv[3], "zero");
	flap = !strcmp(argv[3], "flap");
	if (!noid && !zero && !flap && strcmp(argv[3], "nak"))
		return 2;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, argv[1], (socklen_t)strlen(argv[1])) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
		perror("dhcpbad");
		return 1;
	}
	printf("READY\n");
	fflush(stdout);
	for (;;) {
		uint8_t m[1500], r[300] = { 0 };
		ssize_t n = recv(fd, m, sizeof m, 0);
		int type = 0, reply;
		size_t i = 240, k = 240;

		if (n < 0)
			return 1;
		if (n < 240 || m[0] != 1)
			continue;
		while (i + 2 <= (size_t)n && m[i] != 255) {
			if (m[i] == 0) {
				i++;
				continue;
			}
			if (m[i] == 53 && m[i + 1] == 1 && i + 2 < (size_t)n)
				type = m[i + 2];
			i += 2 + m[i + 1];
		}
		if (type != 1 && type != 3)
			continue;
		printf("%s %lld %02x%02x%02x%02x\n", type == 1 ? "DISCOVER" : "REQUEST", now_ms(),
		       m[4], m[5], m[6], m[7]);
		fflush(stdout);
		reply = type == 1 ? 2 : zero || flap ? 5 : 6;
		r[0] = 2, r[1] = 1, r[2] = 6;
		memcpy(r + 4, m + 4, 4);		/* xid */
		memcpy(r + 28, m + 28, 16);		/* chaddr */
		if (reply != 6)
			r[16] = 10, r[17] = 9, r[18] = 0, r[19] = 77;
		if (flap && reply == 5)
			r[19] = (uint8_t)(78 + acks++ % 100);
		r[236] = 0x63, r[237] = 0x82, r[238] = 0x53, r[239] = 0x63;
		r[k++] = 53, r[k++] = 1, r[k++] = (uint8_t)reply;
		if (!(noid && reply == 6)) {
			r[k++] = 54, r[k++] = 4;
			memcpy(r + k, &server, 4), k += 4;
		}
		if (reply != 6) {
			uint32_t lease = htonl(zero ? 0 : flap ? 1 : 120);

			r[k++] = 1, r[k++] = 4, r[k++] = 255, r[k++] = 255, r[k++] = 255, r[k++] = 0;
			r[k++] = 51, r[k++] = 4;
			memcpy(r + k, &lease, 4), k += 4;
		}
		r[k++] = 255;
		sendto(fd, r, sizeof r, 0, (struct sockaddr *)&to, sizeof to);
	}
}
