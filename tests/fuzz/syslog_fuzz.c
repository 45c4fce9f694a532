/* syslog_fuzz: libFuzzer target for the /dev/log datagram parser
 * (syslog_parse), which reads what a sandbox sends: any bytes in, no crash,
 * nothing read past the datagram or written past the output, and the result
 * as SPEC §3 `syslog` says: a severity 0..7 (the PRI's, when the datagram
 * starts with a valid one), no control bytes but '\n' and '\t', no trailing
 * newline or space, and the same answer twice. The first input byte picks
 * the output size (0..255, and 8192 for 0xff), the rest is the datagram. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syslog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The PRI's severity, or -1 without a valid "<N>" (N 0..191, 1-3 digits). */
static int pri_sev(const char *b, size_t len)
{
	int pri = 0, digits = 0;
	size_t i = 1;

	if (!len || b[0] != '<')
		return -1;
	while (i < len && b[i] >= '0' && b[i] <= '9' && digits < 3) {
		pri = pri * 10 + (b[i++] - '0');
		digits++;
	}
	return digits && i < len && b[i] == '>' && pri <= 191 ? pri & 7 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t outsize, len, n, n2;
	char *in, *out, *out2;
	int sev, sev2, want;

	if (size < 1)
		return 0;
	outsize = data[0] == 0xff ? 8192 : data[0];
	len = size - 1;
	/* Copies of their own, so ASan sees any access past either. */
	in = malloc(len ? len : 1);
	out = malloc(outsize ? outsize : 1);
	out2 = malloc(outsize ? outsize : 1);
	if (!in || !out || !out2)
		abort();
	memcpy(in, data + 1, len);
	n = syslog_parse(in, len, &sev, out, outsize);
	if (n > outsize || sev < 0 || sev > 7)
		__builtin_trap();
	want = pri_sev(in, len);
	if (sev != (want < 0 ? 5 : want))
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 && out[i] != '\n' && out[i] != '\t')
			__builtin_trap();
	if (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		__builtin_trap();
	n2 = syslog_parse(in, len, &sev2, out2, outsize);
	if (n2 != n || sev2 != sev || memcmp(out, out2, n))
		__builtin_trap();
	if (memcmp(in, data + 1, len))	/* the parser does not write its input */
		__builtin_trap();
	free(in);
	free(out);
	free(out2);
	return 0;
}
