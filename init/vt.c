/* vt: a service's virtual terminal: switched to, graphics mode, text mode
 * again at its end (console_ioctl(2)). */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/kd.h>
#include <linux/vt.h>

#include "vt.h"

/* N if FD is the VT /dev/ttyN: major 4, minor 1-63 (0 is "the current
 * one", 64 and up the serial lines); else 0. */
static int vt_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 4)
		return 0;
	return minor(st.st_rdev) >= 1 && minor(st.st_rdev) <= 63 ? (int)minor(st.st_rdev) : 0;
}

int vt_start(int fd, int graphics, int *vt, const char **step)
{
	int n = *vt = vt_of(fd);

	*step = "put its tty in graphics mode";
	if (!n) {
		errno = ENOTTY;
		return graphics ? -1 : 0;
	}
	/* Graphics first: the switch then finds it so and draws no text. */
	if (graphics && ioctl(fd, KDSETMODE, KD_GRAPHICS) < 0)
		return -1;
	/* The kernel switches later, from its workqueue; PID 1 does not wait
	 * (VT_WAITACTIVE): a VT held by its owner (VT_PROCESS) would block it. */
	*step = "switch to its VT";
	return ioctl(fd, VT_ACTIVATE, n);
}

int vt_end(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -1;
	if (vt_of(fd))
		r = ioctl(fd, KDSETMODE, KD_TEXT);
	close(fd);
	return r;
}
