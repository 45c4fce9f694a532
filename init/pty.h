/* pty: `initctl exec` with a terminal (SPEC §5): a new pty made inside the
 * sandbox for the command, and initctl's relay between it and the
 * operator's terminal, which never enters the sandbox (as `runc exec -t`). */
#ifndef SANDINIT_PTY_H
#define SANDINIT_PTY_H

#include <sys/ioctl.h>

/* In the sandbox (its mount namespace entered): a new pty of its /dev/ptmx
 * (its own devpts), unlocked and sized WS. Returns the master and puts the
 * slave in *SLAVE (both O_CLOEXEC, the slave O_NOCTTY); -1 with errno
 * (ENOTTY: /dev/ptmx is not a pty multiplexer). */
int pty_open(const struct winsize *ws, int *slave);

/* initctl's side, once the request is sent on CTL_FD: receive the master on
 * SOCK (bytes before it are diagnostics, for stderr), put the terminal on
 * stdin in raw mode, relay stdin to the master and the master to stdout,
 * and the window size on SIGWINCH, until FRAME (which reads one reply frame
 * of CTL_FD when it is readable) returns 1 with the exit status in *CODE.
 * Restores the terminal. Returns the exit status. */
int pty_relay(int ctl_fd, int sock, int (*frame)(int fd, int *code));

/* initctl's side without a terminal on stdin: what the read ends RD[1] and
 * RD[2] (pipes whose write ends the command got in place of a terminal on
 * initctl's stdout or stderr; -1 for none) bring goes to initctl's own 1
 * and 2, until FRAME's exit frame and then the pipes' end (or a quiet
 * moment: a child the command left may hold them). Closes them; returns
 * the exit status. */
int pty_relay_pipes(int ctl_fd, int rd[3], int (*frame)(int fd, int *code));

#endif
