/* kmsg_fuzz: libFuzzer target for the /dev/kmsg record parser (kmsg_parse),
 * which PID 1 runs on every record the kernel gives (and the kernel logs
 * what userspace writes to /dev/kmsg): any bytes in, no crash, nothing read
 * past the record, and a record as Documentation/ABI/testing/dev-kmsg says:
 * a level 0..7 (PRI's low bits), a time of 48 bits at most, the text
 * within the record after the ';', up to its first '\n', and the same
 * answer twice. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmsg_rec r, r2;
	const char *semi;
	char *in;

	/* A copy of its own, so ASan sees any read past it. */
	in = malloc(size ? size : 1);
	if (!in)
		abort();
	memcpy(in, data, size);
	if (kmsg_parse(in, size, &r) == 0) {
		semi = memchr(in, ';', size);
		if (!semi || r.sev < 0 || r.sev > 7 || r.us < 0 || r.us >= (int64_t)1 << 48)
			__builtin_trap();
		if (r.text != semi + 1 || r.len > size - (size_t)(r.text - in) ||
		    memchr(r.text, '\n', r.len))
			__builtin_trap();
		if (r.text + r.len < in + size && r.text[r.len] != '\n')
			__builtin_trap();
		if (kmsg_parse(in, size, &r2) != 0 || r2.seq != r.seq || r2.us != r.us ||
		    r2.sev != r.sev || r2.text != r.text || r2.len != r.len)
			__builtin_trap();
	}
	free(in);
	return 0;
}
