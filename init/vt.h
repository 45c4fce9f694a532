/* vt: a service's virtual terminal (SPEC §3 `tty /dev/ttyN [graphics]`):
 * brought to the front at the service's start, in graphics mode while it
 * runs if it asks, and in text mode again once it has ended, so that a
 * kiosk that crashed leaves a console one can read. */
#ifndef SANDINIT_VT_H
#define SANDINIT_VT_H

/* FD is the service's open tty: if it is a VT (*VT its number, else 0),
 * put it in KD_GRAPHICS when GRAPHICS is set, then ask the kernel to switch
 * to it (without waiting for the switch). Nothing for another terminal,
 * unless GRAPHICS (ENOTTY). -1 with errno and *STEP. */
int vt_start(int fd, int graphics, int *vt, const char **step);

/* PATH, a service's `tty`, back in KD_TEXT if it is a VT (its service has
 * ended: whatever mode it left it in). -1 with errno. */
int vt_end(const char *path);

#endif
