/* watchdog: the hardware watchdog PID 1 pets from its loop (SPEC §3). */
#include "watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static int wd_fd = -1;
static int64_t period_ms;
static int64_t due;
static int write_failed;

/* Pet it (C: the byte to write); the next is due a period from now. */
static void pet(const char *c)
{
	/* Any write pets it; a 'V' among the bytes arms the magic close
	 * (Documentation/watchdog/watchdog-api.rst). */
	if (write_all(wd_fd, c, 1) < 0 && !write_failed) {
		write_failed = 1;
		log_msg("watchdog: unable to write: %m");
	} else {
		write_failed = 0;
	}
	due = now_ms() + period_ms;
}

int wd_open(const char *dev, int secs)
{
	int t = secs;

	if (wd_fd >= 0) {
		errno = EBUSY;
		return -1;
	}
	/* Opening starts the timer: never across an exec (O_CLOEXEC). */
	wd_fd = open(dev, O_WRONLY | O_CLOEXEC);
	if (wd_fd < 0)
		return -1;
	/* ENOTTY (not a watchdog driver) or a fixed timeout: keep SECS. */
	if (ioctl(wd_fd, WDIOC_SETTIMEOUT, &t) == 0 && t > 0 && t < secs)
		secs = t;
	period_ms = secs * 1000 / 2;
	pet(".");
	return 0;
}

int64_t wd_next_deadline(void)
{
	return wd_fd >= 0 ? due : 0;
}

void wd_tick(void)
{
	if (wd_fd >= 0 && now_ms() >= due)
		pet(".");
}

void wd_close_magic(void)
{
	if (wd_fd < 0)
		return;
	pet("V");
	wd_fd = close_fail(wd_fd);
}
