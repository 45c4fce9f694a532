/* loop: the epoll set every event of PID 1 comes through. */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

static int epoll_fd = -1;

int loop_init(void)
{
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	return epoll_fd < 0 ? -1 : 0;
}

int loop_add_events(struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, w->fd, &ev);
}

int loop_add(struct watch *w)
{
	return loop_add_events(w, EPOLLIN);
}

void loop_del(struct watch *w)
{
	epoll_ctl(epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
}

void loop_close(struct watch *w)
{
	if (w->fd < 0)
		return;
	epoll_ctl(epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
	close(w->fd);
	w->fd = -1;
}

void loop_once(int timeout_ms)
{
	struct epoll_event ev[32];
	int n = epoll_wait(epoll_fd, ev, 32, timeout_ms);

	/* Without an epoll set (it could not be made), wait anyway: the
	 * caller's ticks go on, and PID 1 does not spin. */
	if (n < 0 && errno != EINTR)
		poll(NULL, 0, timeout_ms < 0 || timeout_ms > 1000 ? 1000 : timeout_ms);
	/* A watch closed by an earlier handler in this batch has fd -1, and
	 * one whose owner was cleared (memset) has no handler. */
	for (int i = 0; i < n; i++) {
		struct watch *w = ev[i].data.ptr;

		if (w->fd >= 0 && w->fn)
			w->fn(w, ev[i].events);
	}
}
