/* kmsg: the kernel's messages (/dev/kmsg) into the ring named kernel
 * (SPEC §4). */
#ifndef SANDINIT_KMSG_H
#define SANDINIT_KMSG_H

#include <stddef.h>
#include <stdint.h>

/* Open /dev/kmsg and read it, in the loop, into the ring named kernel
 * (the kernel's records from its boot on). -1 with errno. */
int kmsg_init(void);
/* One /dev/kmsg record of LEN bytes: its severity, time (µs since boot)
 * and first line (TEXT, TEXTLEN, within REC). -1 if it is not one. */
int kmsg_parse(const char *rec, size_t len, int *sev, int64_t *us, const char **text,
	       size_t *textlen);

#endif
