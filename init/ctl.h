/* ctl: the control socket server that answers initctl (SPEC §5).
 *
 * The protocol, one request a connection, on a SOCK_STREAM unix socket:
 * the client sends a 4-byte length (host order) and that many bytes of
 * NUL-terminated arguments ("status\0web\0"); `exec` passes its stdin, stdout
 * and stderr with SCM_RIGHTS on the first byte. The server answers with
 * frames: one type byte ('1' stdout, '2' stderr, 'x' exit), a 4-byte length,
 * the data; 'x' carries one byte, the exit status, and ends the reply. */
#ifndef SANDINIT_CTL_H
#define SANDINIT_CTL_H

#include <stdint.h>
#include <sys/types.h>
#include "boot.h"

/* What a real command line for exec needs, bounded for PID 1: a request
 * buffer lives only while its request is read (at most REQUEST_TIMEOUT_MS),
 * and its words are pointers on the stack of request(). */
#define CTL_MAX_REQUEST 131072
/* Words in a request, the command's name included (exec's CMD and ARGs). */
#define CTL_MAX_ARGS 1024
#define CTL_DEFAULT_SOCKET "/run/sandinit.sock"

/* What the control socket may ask of the loop. */
struct ctl_hooks {
	void (*power)(enum boot_action action);
	int (*reload)(char *err, size_t size);	/* 0 done; else ERR says why */
};

int ctl_init(const char *path, const struct ctl_hooks *hooks);
/* After every event: answer requests that were waiting for a state. */
void ctl_recheck(void);
/* A child of PID 1 exited: ctl's if it was an `exec`. */
void ctl_child_exit(pid_t pid, int status);
/* Earliest time (ms) a connection times out, 0 none; and the check. */
int64_t ctl_next_deadline(void);
void ctl_tick(void);

/* Split a request body (LEN bytes of NUL-terminated arguments) into ARGV,
 * at most MAX - 1 of them and a NULL; pointers into BUF. Returns argc, or -1
 * if the body is empty, has an unterminated argument or too many. */
int ctl_parse(char *buf, size_t len, char **argv, int max);

/* Is CMD a command of the server's that takes ARGC words (its own name
 * included)? */
int ctl_known(const char *cmd, int argc);

/* The client: argv after `initctl`. Returns the exit status. */
int ctl_client(const char *path, int argc, char **argv);

#endif
