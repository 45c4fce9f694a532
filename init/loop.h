/* loop: the epoll set every event of PID 1 comes through. */
#ifndef SANDINIT_LOOP_H
#define SANDINIT_LOOP_H

#include <stdint.h>

/* One descriptor the loop watches; FN is called with the epoll events. */
struct watch {
	int fd;
	void (*fn)(struct watch *w, uint32_t events);
};

int loop_init(void);
/* Watch W->fd for input (EPOLLIN). -1 with errno on failure. */
int loop_add(struct watch *w);
/* The same with other epoll events (e.g. EPOLLOUT | EPOLLET). */
int loop_add_events(struct watch *w, uint32_t events);
/* Stop watching W->fd, leaving it open (loop_add resumes). */
void loop_del(struct watch *w);
/* Stop watching and close W->fd; W->fd becomes -1. */
void loop_close(struct watch *w);
/* Wait up to TIMEOUT_MS (-1: no limit) and dispatch what is ready. */
void loop_once(int timeout_ms);

#endif
