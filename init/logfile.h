/* logfile: `log-file PATH [SIZE]` (SPEC §3): every console line, with its
 * boot time, appended to PATH, rotated to PATH.1 at SIZE, by a helper
 * process, so no disk can block PID 1. */
#ifndef SANDINIT_LOGFILE_H
#define SANDINIT_LOGFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How long a stopping helper has to write and fsync: then it is killed
 * (and, stuck in the kernel, left behind a second later). */
#define LOGFILE_STOP_MS 5000

/* Start the helper for PATH (a running one is stopped first). MNT: the
 * `mount` target PATH lies under, or NULL; while nothing is mounted there
 * lines are dropped and counted. -1 with errno. */
int logfile_start(const char *path, uint64_t size, const char *mnt);
/* (The first start also hands over PID 1's lines logged before it.) */
/* LEN bytes of console lines, each stamped and handed to the helper; a
 * line the pipe has no room for is dropped, and the count goes to the file
 * with the next line that fits. Never blocks. */
void logfile_write(const char *buf, size_t len);
/* One line NAME: TEXT (a '\n' at its end is dropped) with the time US:
 * a console line PID 1 did not print itself (the kernel's). */
void logfile_line(int64_t us, const char *name, const char *text, size_t len);
/* Hand over the rest: the helper writes and fsyncs it, and exits, while
 * PID 1 goes on. Never blocks. */
void logfile_stop(void);
/* Is a stopped helper still writing? The shutdown waits, through the loop,
 * until not, before file systems are unmounted. */
int logfile_busy(void);
/* The loop's hooks: a child's exit (any pid), the next deadline (ms, 0
 * none), and its expiry (a helper killed, or left behind). */
void logfile_child_exit(pid_t pid);
int64_t logfile_next_deadline(void);
void logfile_tick(void);

#endif
