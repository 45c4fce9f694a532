/* floor.c: the floor of the spawn benchmark. N sandboxes made with nothing
 * but clone(2) into all six namespaces (user, pid, mount, net, uts, ipc) and
 * a mount of a proc in each; all are started, then all are reaped, as an init
 * starting N services would. Prints the milliseconds per sandbox.
 * Usage: floor N */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NS_ALL (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | \
		CLONE_NEWUTS | CLONE_NEWIPC)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
	double t0;
	int status, failed = 0;

	if (n < 1) {
		fprintf(stderr, "usage: floor N\n");
		return 2;
	}
	t0 = now_ms();
	for (long i = 0; i < n; i++) {
		/* A raw clone without a stack behaves like fork(2); the child
		 * makes only system calls, so libc's state does not matter. */
		pid_t pid = syscall(SYS_clone, NS_ALL | SIGCHLD, NULL, NULL, NULL, 0);

		if (pid < 0) {
			fprintf(stderr, "floor: unable to clone: %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0) {
			/* PID 1 of its namespace, root of its user namespace: a
			 * private proc over the inherited one. */
			if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
				_exit(1);
			_exit(0);
		}
	}
	for (long i = 0; i < n; i++) {
		if (wait(&status) < 0) {
			fprintf(stderr, "floor: unable to wait: %s\n", strerror(errno));
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	if (failed) {
		fprintf(stderr, "floor: %d of %ld sandboxes failed to mount a proc\n", failed, n);
		return 1;
	}
	printf("%.3f\n", (now_ms() - t0) / n);
	return 0;
}
