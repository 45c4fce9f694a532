/* check.h: the unit tests' one assertion: count passes and failures, name
 * the failing condition, and let main print "N passed, M failed". */
#ifndef SANDINIT_TEST_CHECK_H
#define SANDINIT_TEST_CHECK_H

#include <stdint.h>
#include <stdio.h>

static int passed, failed;

#define CHECK(cond) do { \
	if (cond) \
		passed++; \
	else { \
		failed++; \
		fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

/* An IPv4 address in host byte order. */
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

#endif
