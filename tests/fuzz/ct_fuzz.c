/* ct_fuzz: libFuzzer target for the ctnetlink dump reader (ct_match), which
 * PID 1 runs on every conntrack entry the kernel lists when a published
 * port's target changes: any bytes in (as one message, its nlmsg_len the
 * input's size), no crash, nothing read past the message, the same answer
 * twice, and a selected entry of the selector's protocol. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_sel s = { .proto = 17, .to = 0x0200000a, .toport = 0xe914, .dport = 0xe914 };
	struct ct_tuple t, t2;
	struct nlmsghdr *h;

	if (size < sizeof *h || size > 65535)
		return 0;
	/* A copy of its own, so ASan sees any read past it. */
	if (!(h = malloc(size)))
		abort();
	memcpy(h, data, size);
	h->nlmsg_len = (uint32_t)size;
	for (s.keep = 0; s.keep < 2; s.keep++) {
		int m = ct_match(h, &s, &t);

		if (m != 0 && m != 1)
			__builtin_trap();
		if (m && t.proto != s.proto)
			__builtin_trap();
		if (ct_match(h, &s, &t2) != m || (m && memcmp(&t, &t2, sizeof t)))
			__builtin_trap();
	}
	free(h);
	return 0;
}
