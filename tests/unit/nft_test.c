/* Unit test of the nf_tables message builder: no socket, no privilege. The
 * expected bytes are what Debian's nft 1.0 sends for the same rules
 * (`nft --debug=mnl add rule ip t c ...`), from the nfgenmsg on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include "../../init/nft.h"

#include "check.h"

/* `fib daddr type local tcp dport 8080 dnat to 10.77.0.2:80` */
static const char dnat_hex[] =
	"0200000006000100740000000600020063000000980104802800018008000100666962001c000280"
	"0800030000000002080002000000000308000100000000012c00018008000100636d700020000280"
	"080001000000000108000200000000000c000380080001000200000024000180090001006d657461"
	"0000000014000280080002000000001008000100000000012c00018008000100636d700020000280"
	"080001000000000108000200000000000c0003800500010006000000340001800c0001007061796c"
	"6f6164002400028008000100000000010800020000000002080003000000000208000400000000022c"
	"00018008000100636d700020000280080001000000000108000200000000000c000380060001001f90"
	"00002c0001800e000100696d6d6564696174650000001800028008000100000000010c00028008000100"
	"0a4d00022c0001800e000100696d6d6564696174650000001800028008000100000000020c0002800600"
	"01000050000038000180080001006e6174002c0002800800010000000001080002000000000208000300"
	"0000000108000500000000020800070000000002";
/* `ct state established,related accept` */
static const char ct_hex[] =
	"0200000006000100740000000600020063000000c40004802000018007000100637400001400028008"
	"000200000000000800010000000001440001800c0001006269747769736500340002800800010000000001"
	"080002000000000108000300000000040c00048008000100060000000c00058008000100000000002c0001"
	"8008000100636d700020000280080001000000000108000200000000010c00038008000100000000003000"
	"01800e000100696d6d6564696174650000001c0002800800010000000000100002800c0002800800010000"
	"000001";
/* `ip saddr 10.77.0.0/24 oifname != "br0" masquerade` */
static const char masq_hex[] =
	"0200000006000100740000000600020063000000d4000480340001800c0001007061796c6f616400240002"
	"8008000100000000010800020000000001080003000000000c08000400000000032c00018008000100636d"
	"700020000280080001000000000108000200000000000c000380070001000a4d000024000180090001006d"
	"6574610000000014000280080002000000000708000100000000013800018008000100636d70002c000280"
	"0800010000000001080002000000000118000380140001006272300000000000000000000000000014000180"
	"090001006d6173710000000004000280";
/* `jump c2` */
static const char jump_hex[] =
	"02000000060001007400000006000200630000003c000480380001800e000100696d6d6564696174650000"
	"00240002800800010000000000180002801400028008000100fffffffd0700020063320000";

/* Does message I of B, after its nlmsghdr, hold the bytes HEX spells? */
static int body_is(const struct nft_batch *b, int i, const char *hex)
{
	const struct nlmsghdr *h = (const void *)(b->buf + b->item[i].off);
	const unsigned char *p = (const unsigned char *)(h + 1);
	size_t n = strlen(hex) / 2;

	if (h->nlmsg_len != NLMSG_HDRLEN + n) {
		fprintf(stderr, "message %d: %u bytes, nft's %zu\n", i, h->nlmsg_len,
			NLMSG_HDRLEN + n);
		return 0;
	}
	for (size_t k = 0; k < n; k++) {
		unsigned v;

		sscanf(hex + 2 * k, "%2x", &v);
		if (p[k] != v) {
			fprintf(stderr, "message %d: byte %zu is %02x, nft's %02x\n", i, k, p[k], v);
			return 0;
		}
	}
	return 1;
}

static void test_rules_as_nft(void)
{
	struct nft_batch b = { 0 };
	uint32_t local = 2, zero = 0, mask4 = 6, to = htonl(0x0a4d0002);
	uint32_t net = htonl(0x0a4d0000);
	uint16_t hport = htons(8080), port = htons(80);
	uint8_t tcp = 6;
	char br0[16] = "br0";

	nft_begin(&b, 0);
	nft_rule_begin(&b, 1, "t", "c", 0);
	nft_fib_daddr_type(&b, NFT_REG_1);
	nft_cmp(&b, NFT_CMP_EQ, NFT_REG_1, &local, 4);
	nft_meta(&b, NFT_META_L4PROTO, NFT_REG_1);
	nft_cmp(&b, NFT_CMP_EQ, NFT_REG_1, &tcp, 1);
	nft_payload(&b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);
	nft_cmp(&b, NFT_CMP_EQ, NFT_REG_1, &hport, 2);
	nft_immediate(&b, NFT_REG_1, &to, 4);
	nft_immediate(&b, NFT_REG_2, &port, 2);
	nft_nat(&b, NFT_NAT_DNAT, NFT_REG_1, NFT_REG_2);
	nft_rule_end(&b);
	nft_rule_begin(&b, 2, "t", "c", 0);
	nft_ct(&b, NFT_CT_STATE, NFT_REG_1);
	nft_bitwise(&b, NFT_REG_1, NFT_REG_1, &mask4, 4);
	nft_cmp(&b, NFT_CMP_NEQ, NFT_REG_1, &zero, 4);
	nft_verdict(&b, NF_ACCEPT, NULL);
	nft_rule_end(&b);
	nft_rule_begin(&b, 3, "t", "c", 0);
	/* A prefix on a byte boundary: nft compares its bytes only. */
	nft_payload(&b, NFT_PAYLOAD_NETWORK_HEADER, 12, 3, NFT_REG_1);
	nft_cmp(&b, NFT_CMP_EQ, NFT_REG_1, &net, 3);
	nft_meta(&b, NFT_META_OIFNAME, NFT_REG_1);
	nft_cmp(&b, NFT_CMP_NEQ, NFT_REG_1, br0, sizeof br0);
	nft_masq(&b);
	nft_rule_end(&b);
	nft_rule_begin(&b, 4, "t", "c", 1);
	nft_verdict(&b, NFT_JUMP, "c2");
	nft_rule_end(&b);
	nft_end(&b);
	CHECK(b.err == 0);
	CHECK(b.n == 4);
	CHECK(body_is(&b, 0, dnat_hex));
	CHECK(body_is(&b, 1, ct_hex));
	CHECK(body_is(&b, 2, masq_hex));
	CHECK(body_is(&b, 3, jump_hex));
	for (int i = 0; i < b.n; i++) {
		const struct nlmsghdr *h = (const void *)(b.buf + b.item[i].off);

		CHECK(h->nlmsg_type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE));
		CHECK((h->nlmsg_flags & ~NLM_F_ECHO) ==
		      (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND));
		CHECK(!!(h->nlmsg_flags & NLM_F_ECHO) == (i == 3));
		CHECK(b.item[i].tag == i + 1);
	}
	nft_free(&b);
}

/* BATCH_BEGIN (with the generation) and BATCH_END frame the messages;
 * each message starts where the previous one's aligned length ends. */
static void test_batch_frame(void)
{
	struct nft_batch b = { 0 };
	const struct nlmsghdr *h;
	const struct nfgenmsg *g;
	size_t off = 0;
	int n = 0;

	nft_begin(&b, 42);
	nft_table_add(&b, 7, "sandinit");
	nft_table_del(&b, 8, "sandinit");
	nft_chain_add(&b, 9, "sandinit", "forward", NF_INET_FORWARD, 0, "filter");
	nft_rule_del(&b, 10, "sandinit", "forward", 0x100000002ULL);
	nft_end(&b);
	CHECK(b.err == 0);
	CHECK(b.n == 4);
	h = (const void *)b.buf;
	g = NLMSG_DATA(h);
	CHECK(h->nlmsg_type == NFNL_MSG_BATCH_BEGIN);
	CHECK(h->nlmsg_flags == NLM_F_REQUEST);
	CHECK(g->res_id == htons(NFNL_SUBSYS_NFTABLES));
	/* NFNL_BATCH_GENID, big endian */
	CHECK(h->nlmsg_len == NLMSG_LENGTH(sizeof *g) + 8);
	CHECK(!memcmp((const char *)g + sizeof *g, "\x08\x00\x01\x00\x00\x00\x00\x2a", 8));
	for (off = 0; off < b.len; off += NLMSG_ALIGN(h->nlmsg_len), n++) {
		h = (const void *)(b.buf + off);
		CHECK(h->nlmsg_len >= NLMSG_LENGTH(sizeof *g) && h->nlmsg_len % 4 == 0);
		if (n >= 1 && n <= 4)
			CHECK(b.item[n - 1].off == off);
	}
	CHECK(off == b.len);
	CHECK(n == 6);
	CHECK(h->nlmsg_type == NFNL_MSG_BATCH_END);
	h = (const void *)(b.buf + b.item[3].off);
	CHECK(h->nlmsg_type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_DELRULE));
	/* the handle, big endian, last */
	CHECK(!memcmp(b.buf + b.item[3].off + h->nlmsg_len - 12,
		      "\x0c\x00\x03\x00\x00\x00\x00\x01\x00\x00\x00\x02", 12));
	h = (const void *)(b.buf + b.item[2].off);
	CHECK(h->nlmsg_type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWCHAIN));
	CHECK(h->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE));
	nft_free(&b);
}

/* A batch past any one buffer grows; a rule left open is refused. */
static void test_growth(void)
{
	struct nft_batch b = { 0 };
	struct nl n = { .fd = -1 };
	int bad;

	nft_begin(&b, 0);
	for (int i = 0; i < 2000; i++) {
		nft_rule_begin(&b, i, "sandinit", "forward", 0);
		nft_verdict(&b, NF_ACCEPT, NULL);
		nft_rule_end(&b);
	}
	nft_end(&b);
	CHECK(b.err == 0);
	CHECK(b.n == 2000);
	CHECK(b.item[1999].tag == 1999);
	nft_begin(&b, 0);
	nft_rule_begin(&b, 0, "sandinit", "forward", 0);
	CHECK(nft_talk(&n, &b, &bad) == -1 && bad == -1);
	nft_free(&b);
}

/* Notifications as the kernel sends them: the same messages a batch holds
 * (its BATCH_BEGIN/END are no nf_tables messages), port id 0. */
static void test_touches(void)
{
	struct nft_batch b = { 0 };

	nft_begin(&b, 0);
	nft_chain_add(&b, 1, "other", "c", -1, 0, NULL);
	nft_rule_begin(&b, 2, "sandinit2", "c", 0);
	nft_verdict(&b, NF_ACCEPT, NULL);
	nft_rule_end(&b);
	nft_end(&b);
	CHECK(b.err == 0);
	CHECK(nft_touches(b.buf, b.len, 7, "sandinit") == 0);
	CHECK(nft_touches(b.buf, b.len, 7, "other") == 1);
	CHECK(nft_touches(b.buf, b.len, 0, "other") == 0);	/* our own */
	nft_begin(&b, 0);
	nft_table_del(&b, 1, "sandinit");
	nft_end(&b);
	CHECK(nft_touches(b.buf, b.len, 7, "sandinit") == 1);
	/* Every truncation is walked within bounds (ASan judges). */
	for (size_t n = 0; n <= b.len; n++)
		CHECK(nft_touches(b.buf, n, 7, "x") <= 1);
	nft_free(&b);

	/* A last message whose length is not a multiple of 4, alone in an
	 * exact-sized datagram: the walk ends there, not past the buffer
	 * (an unsigned remainder wrapped and NLMSG_OK read on). */
	struct nlmsghdr *h = calloc(1, 18);

	h->nlmsg_len = 18;
	h->nlmsg_type = NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWGEN;
	CHECK(nft_touches(h, 18, 7, "x") == 0);
	free(h);
}

int main(void)
{
	test_touches();
	test_rules_as_nft();
	test_batch_frame();
	test_growth();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
