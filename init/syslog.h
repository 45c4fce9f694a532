/* syslog: /dev/log (SPEC §3 `syslog`, §6): the datagram parser, a socket
 * per sandbox and PID 1's own, read with a bounded share of the loop. */
#ifndef SANDINIT_SYSLOG_H
#define SANDINIT_SYSLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "log.h"
#include "loop.h"

/* Messages a source may add to its ring in a second; more are read and
 * dropped, and the count is reported once a second. */
#define SYSLOG_RATE 1000
/* Datagrams read from one source in a pass of the loop. */
#define SYSLOG_BURST 64

/* One socket PID 1 reads: a service's (RING set) or PID 1's own /dev/log
 * (RING NULL: each message's sender is looked up). */
struct syslog_in {
	struct watch w;		/* fd -1: none */
	struct ring *ring;
	int64_t second;		/* ms: when the present second began */
	uint32_t taken;		/* messages in it */
	uint64_t dropped;	/* not yet reported */
	struct syslog_in *next;
};

/* Parse one datagram of LEN bytes as syslog(3) sends it: RFC 3164
 * (`<PRI>Mmm dd hh:mm:ss TAG[PID]: text`, PRI and time optional) or RFC 5424
 * (`<PRI>1 TIME HOST APP PROCID MSGID SD text`). *SEV gets the severity
 * (notice if none), OUT the message without PRI and time (`TAG[PID]: text`),
 * lines apart with '\n', other control bytes as spaces, at most SIZE bytes;
 * returns its length. Any bytes in: it reads only IN[0..LEN). */
size_t syslog_parse(const char *in, size_t len, int *sev, char *out, size_t size);

/* A fresh unbound datagram socket for IN, whose messages go to RING,
 * watched by the loop; one IN had before is drained and closed first. The
 * sandbox binds it at its /dev/log (mount.c). Its fd, or -1 with errno. */
int syslog_open(struct syslog_in *in, struct ring *ring);
/* Read what is left, then close. */
void syslog_close(struct syslog_in *in);
/* PID 1's own socket at PATH (SO_PASSCRED, SO_PASSPIDFD): a message goes
 * to the ring WHO gives for its sender's pid (0 unknown) and cgroup id (0
 * unknown: before Linux 6.15), else to the ring named syslog. */
int syslog_host(const char *path, struct ring *(*who)(pid_t pid, uint64_t cgroup));
/* Drops are reported once a second: when, and the report. */
int64_t syslog_next_deadline(void);
void syslog_tick(void);

#endif
