/* logview: what `initctl log` shows (SPEC §5): one ring, the kernel's
 * messages, or all of them merged in time order; timed, filtered, the
 * last N, followed. */
#ifndef SANDINIT_LOGVIEW_H
#define SANDINIT_LOGVIEW_H

#include <stddef.h>

/* `[%5lld.%06lld] ` at its longest: any int64 of µs, 23 bytes, and a NUL. */
#define LOGVIEW_TIME_MAX 24
/* The longest rendering of one line (time, `NAME: `, text, its controls
 * made visible in the merged view, and a '\n'): a read needs at least
 * this room. */
#define LOGVIEW_LINE_MAX (LOGVIEW_TIME_MAX + 32 + 2 + 4 * 1024 + 1)

struct logview;

/* A view for `log ARGS...` (the words after `log`). NULL with a message in
 * ERR (without "initctl: " and '\n') and *CODE the exit status (2 usage, 1
 * no such ring, 1 no memory). */
struct logview *logview_open(char **args, int nargs, char *err, size_t errsize, int *code);
/* Lines examined (matching -p or not) by one read at most: one request
 * never holds PID 1 for long. */
#define LOGVIEW_SCAN_MAX 4096

/* Render the next lines into BUF (SIZE >= LOGVIEW_LINE_MAX); returns the
 * bytes written, 0 if none are there yet. *DONE becomes 1 once the view
 * has nothing more to give (all read and not following, or its ring is
 * gone), -1 if the read stopped at LOGVIEW_SCAN_MAX with lines left (read
 * again on the loop's next pass), else 0. */
size_t logview_read(struct logview *v, char *buf, size_t size, int *done);
/* After a read that stopped at a gap (*DONE -1): the line that says how
 * much the ring dropped there before this view read it (its reader too
 * slow), into BUF; 0 if none. Once. */
size_t logview_lost(struct logview *v, char *buf, size_t size);
/* Is it `-f`? */
int logview_follows(const struct logview *v);
/* Does a following view have lines to read? */
int logview_ready(const struct logview *v);
/* The view's reader of the kernel's messages (-1: none): a follower reads
 * again when it has news (the loop watches it, edge-triggered, from before
 * the first read); the view closes it. */
int logview_kernel_fd(const struct logview *v);
void logview_close(struct logview *v);

#endif
