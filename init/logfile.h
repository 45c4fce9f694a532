/* logfile: `log-file PATH [SIZE]` (SPEC §3): every console line, with its
 * boot time, appended to PATH, rotated to PATH.1 at SIZE, by a helper
 * process, so no disk can block PID 1. */
#ifndef SANDINIT_LOGFILE_H
#define SANDINIT_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

/* How long logfile_stop waits for the helper to write and fsync. */
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
/* Hand over the rest and wait (LOGFILE_STOP_MS at most) until the helper
 * has written and fsynced it: before file systems are unmounted. */
void logfile_stop(void);

#endif
