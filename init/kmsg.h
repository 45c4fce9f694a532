/* kmsg: the kernel's messages, where the kernel keeps them (SPEC §4: the
 * `kernel` of `initctl log`). PID 1 keeps no copy: a request reads
 * /dev/kmsg through a reader of its own; the log file's reader runs only
 * while there is a log file. */
#ifndef SANDINIT_KMSG_H
#define SANDINIT_KMSG_H

#include <stddef.h>
#include <stdint.h>

/* One record: its sequence number, severity, time (µs since boot) and
 * first line (TEXT, LEN: within what was read, until the next read). */
struct kmsg_rec {
	uint64_t seq;
	int64_t us;
	int sev;
	const char *text;
	size_t len;
};

/* A reader of its own (non-blocking, close-on-exec), at the oldest record
 * the kernel keeps. -1 with errno. */
int kmsg_open(void);
/* The next record of reader FD into REC: 1, or 0 if there is none for now
 * (or the read failed: errno). Records the kernel overwrote before they
 * were read are skipped, as dmesg(1) does; so is one that does not parse. */
int kmsg_next(int fd, struct kmsg_rec *rec);
/* Reader FD back to the oldest record. -1 with errno. */
int kmsg_rewind(int fd);
/* The kernel's console lines into the log file (`log-file`) while ON: read
 * in the loop, from the oldest record the first time, from the newest on
 * after a stop. -1 with errno. */
int kmsg_logfile(int on);
/* One /dev/kmsg record of LEN bytes into R (TEXT within REC). -1 if it is
 * not one. */
int kmsg_parse(const char *rec, size_t len, struct kmsg_rec *r);

#endif
