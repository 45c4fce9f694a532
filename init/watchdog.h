/* watchdog: the hardware watchdog PID 1 pets from its loop (SPEC §3). */
#ifndef SANDINIT_WATCHDOG_H
#define SANDINIT_WATCHDOG_H

#include <stdint.h>

/* Open DEV, ask the driver for a timeout of SECS (one that cannot keep its
 * own; a shorter one it picks shortens the period) and pet it at once.
 * From then on it is due every SECS/2. -1 with errno on failure. */
int wd_open(const char *dev, int secs);
/* When the next pet is due (now_ms() clock), 0 with no watchdog open. */
int64_t wd_next_deadline(void);
/* Pet it if it is due; a failed write is logged once. */
void wd_tick(void);
/* A clean shutdown: write the magic 'V' and close, so the driver stops the
 * timer instead of letting it reset the machine. */
void wd_close_magic(void);

#endif
