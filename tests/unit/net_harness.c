/* Driver for net.c against the real kernel: run as root inside a fresh
 * network namespace (`unshare --net out/test/net_harness`), never on the host's.
 * Children get a user and network namespace as the spawner will give them,
 * PID 1's side attaches and configures them (a lo-only one brings its lo up
 * itself), and they talk. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "../../init/net.h"
#include "../../init/netlink.h"

#include "check.h"

#define PORT 7777
#define NSVC 64

static struct conf_bridge bridges[] = {
	{ .name = "sbr0", .addr = IP(10, 88, 0, 1), .prefix = 24 },
	{ .name = "sbr1", .addr = IP(10, 89, 0, 1), .prefix = 24 },
};
static struct conf conf;
static int self_net = -1;	/* the harness's own network namespace */
static struct conf_net nets[NSVC][2];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void report(const char *who, const char *step)
{
	fprintf(stderr, "sandinit: %s: unable to %s: %s\n", who, step,
		strerror(errno));
}

static void setup_conf(void)
{
	static struct svc_conf svc[NSVC];

	conf.bridges = bridges;
	conf.nbridges = 2;
	conf.svc = svc;
	conf.nsvc = NSVC;
	for (int i = 0; i < NSVC; i++) {
		snprintf(svc[i].name, sizeof svc[i].name, "s%d", i);
		svc[i].namespaces = NS_ALL;
		svc[i].join = -1;
		svc[i].nets = nets[i];
		svc[i].nnets = 1;
	}
	svc[1].nnets = 2;		/* s1: eth0 on sbr0, eth1 on sbr1 */
	nets[1][1].bridge = 1;
	nets[3][0].bridge = 1;		/* s3: on sbr1 only */
	svc[4].nnets = 0;		/* s4: loopback only */
}

static int tcp_connect(uint32_t addr, int port, int timeout_ms)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(addr),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof err;

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS)
		goto fail;
	if (poll(&p, 1, timeout_ms) != 1) {
		errno = ETIMEDOUT;
		goto fail;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		errno = err;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int tcp_listen(uint32_t addr, int port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(addr),
	};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int tcp_accept(int lfd, int timeout_ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* Number of links in the current namespace other than lo and the bridges. */
static int stray_links(void)
{
	struct if_nameindex *v = if_nameindex(), *p;
	int n = 0;

	if (!v)
		return -1;
	for (p = v; p->if_index; p++)
		if (strcmp(p->if_name, "lo") && strcmp(p->if_name, "sbr0")
		    && strcmp(p->if_name, "sbr1")) {
			if (getenv("NET_HARNESS_VERBOSE"))
				fprintf(stderr, "stray: %s\n", p->if_name);
			n++;
		}
	if_freenameindex(v);
	return n;
}

/* The first byte of the file at PATH, or 0. */
static char first_char(const char *path)
{
	char b[4] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (read(fd, b, sizeof b) < 1)
		b[0] = 0;
	close(fd);
	return b[0];
}

/* The name of the host end made last (the highest index of an "sv" link). */
static int newest_host_end(char name[IFNAMSIZ])
{
	struct if_nameindex *v = if_nameindex(), *p;
	unsigned best = 0;

	if (!v)
		return -1;
	for (p = v; p->if_index; p++)
		if (!strncmp(p->if_name, "sv", 2) && p->if_index > best) {
			best = p->if_index;
			snprintf(name, IFNAMSIZ, "%s", p->if_name);
		}
	if_freenameindex(v);
	return best ? 0 : -1;
}

/* What a child does once configured; exit status 0 = as expected. */
enum act { ACT_NONE, ACT_CONNECT, ACT_LISTEN, ACT_NOCONNECT, ACT_LOOK, ACT_LOOK_NEW };

struct child {
	pid_t pid;
	int release;		/* write end: parent releases the child */
	int result;		/* read end: child's timing and readiness */
};

static int child_main(int svc, enum act act, uint32_t addr, int go, int res)
{
	const struct svc_conf *s = &conf.svc[svc];
	const char *step;
	double t;
	char c;
	int fd;

	if (read(go, &c, 1) != 1)
		return 90;
	t = now_us();
	if (net_loopback(s, &step) < 0) {
		report(s->name, step);
		return 91;
	}
	t = now_us() - t;
	if (write(res, &t, sizeof t) != sizeof t)
		return 92;
	switch (act) {
	case ACT_NONE:
		return 0;
	case ACT_CONNECT:
		fd = tcp_connect(addr, PORT, 3000);
		if (fd < 0) {
			perror("connect");
			return 93;
		}
		return write(fd, s->name, strlen(s->name)) > 0 ? 0 : 94;
	case ACT_NOCONNECT:
		fd = tcp_connect(addr, PORT, 500);
		return fd < 0 ? 0 : 95;
	case ACT_LISTEN: {
		int lfd = tcp_listen(s->nets[0].addr, PORT);
		char b[8];

		if (lfd < 0)
			return 96;
		c = 'L';
		if (write(res, &c, 1) != 1)
			return 97;
		fd = tcp_accept(lfd, 3000);
		return fd >= 0 && read(fd, b, sizeof b) > 0 ? 0 : 98;
	}
	case ACT_LOOK:
	case ACT_LOOK_NEW: {
		/* Only lo and ethN; eth0 has the bridge's MTU and its MAC. */
		struct if_nameindex *v = if_nameindex(), *p;
		struct ifreq ifr = { .ifr_name = "eth0" };
		int n = 0, bad = 0, sfd = socket(AF_INET, SOCK_DGRAM, 0);

		for (p = v; p && p->if_index; p++, n++)
			if (strcmp(p->if_name, "lo") && strncmp(p->if_name, "eth", 3))
				bad++;
		if (bad || n != 1 + s->nnets)
			return 100;
		if (ioctl(sfd, SIOCGIFMTU, &ifr) < 0 || ifr.ifr_mtu != 1500)
			return 101;
		if (ioctl(sfd, SIOCGIFHWADDR, &ifr) < 0
		    || memcmp(ifr.ifr_hwaddr.sa_data, "\x02\x53\x0a", 3))
			return 102;
		if (ioctl(sfd, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))
			return 103;
		/* /proc/sys/net shows the reader's network namespace. An
		 * address linked before is announced (arp_notify), a new one
		 * is not. */
		if (first_char("/proc/sys/net/ipv4/conf/eth0/arp_notify") !=
		    (act == ACT_LOOK_NEW ? '0' : '1'))
			return 104;
		/* No IPv6 link-local address: generation mode none (1). */
		if (access("/proc/sys/net/ipv6", F_OK) == 0 &&
		    first_char("/proc/sys/net/ipv6/conf/eth0/addr_gen_mode") != '1')
			return 105;
		return 0;
	}
	}
	return 99;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* Start a child for SVC in new user and net namespaces, attach it as PID 1
 * would, release it. Adds the attach time to *ATTACH_US. */
static int start(struct child *ch, int svc, enum act act,
		 uint32_t addr, double *attach_us)
{
	int go[2], res[2], ready[2], nsfd;
	struct nl nl;
	const char *step;
	char path[64], c;
	double t;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0
	    || pipe2(ready, O_CLOEXEC) < 0)
		return -1;
	ch->pid = fork();
	if (ch->pid < 0)
		return -1;
	if (ch->pid == 0) {
		/* The spawner clones into the namespaces; unshare is the
		 * same for net.c and keeps the sanitizer build working. */
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			_exit(89);
		c = 'u';
		if (write(ready[1], &c, 1) != 1)
			_exit(88);
		_exit(child_main(svc, act, addr, go[0], res[1]));
	}
	close(go[0]);
	close(res[1]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		return -1;
	close(ready[0]);
	snprintf(path, sizeof path, "/proc/%d/setgroups", (int)ch->pid);
	write_file(path, "deny");
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)ch->pid);
	if (write_file(path, "0 100000 65536\n") < 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)ch->pid);
	if (write_file(path, "0 100000 65536\n") < 0)
		return -1;

	/* What the child sends PID 1: its namespace and a netlink socket
	 * made in it (here made by stepping in; the harness is root). */
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)ch->pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	nl.fd = -1;
	if (nsfd < 0 || self_net < 0 || setns(nsfd, CLONE_NEWNET) < 0 || nl_open(&nl) < 0 ||
	    setns(self_net, CLONE_NEWNET) < 0)
		return -1;
	t = now_us();
	if (net_attach(&conf, &conf.svc[svc], nsfd, nl.fd, &step) < 0) {
		report(conf.svc[svc].name, step);
		kill(ch->pid, SIGKILL);
		return -1;
	}
	*attach_us += now_us() - t;
	close(nsfd);
	nl_close(&nl);
	c = 'g';
	if (write(go[1], &c, 1) != 1)
		return -1;
	close(go[1]);
	ch->result = res[0];
	return 0;
}

static int finish(struct child *ch, double *configure_us)
{
	double t = 0;
	int st;

	if (read(ch->result, &t, sizeof t) == sizeof t)
		*configure_us += t;
	close(ch->result);
	if (waitpid(ch->pid, &st, 0) < 0)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "child %d: status %d\n", (int)ch->pid,
			WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		return -1;
	}
	return 0;
}

static int run(int svc, enum act act, uint32_t addr)
{
	struct child ch;
	double a = 0, cfg = 0;

	if (start(&ch, svc, act, addr, &a) < 0)
		return -1;
	return finish(&ch, &cfg);
}

static void test_bridges(void)
{
	const char *step;
	struct nl n;
	struct nl_link l;
	double t = now_us();

	CHECK(net_bridges(&conf, NULL, &step) == 0);
	printf("net_bridges: 2 bridges in %.0f us\n", now_us() - t);
	CHECK(net_bridges(&conf, NULL, &step) == 0);	/* adopted */
	CHECK(nl_open(&n) == 0);
	CHECK(nl_link_get(&n, "sbr0", &l) == 0);
	CHECK(!strcmp(l.kind, "bridge") && (l.flags & IFF_UP) && l.mtu == 1500);
	CHECK(nl_link_index(&n, "nosuchlink") == -1 && errno == ENODEV);

	/* A link of another kind with a bridge's name is refused. */
	{
		struct nl_req r;

		nl_build_veth(&r, "notbr", "notbrp", -1, 0, 0, NULL);
		CHECK(nl_talk(&n, &r, NULL, 0) == 0);
	}
	{
		struct conf_bridge b = { .name = "notbr", .addr = IP(10, 90, 0, 1),
					 .prefix = 24 };
		struct conf c2 = { .bridges = &b, .nbridges = 1 };

		errno = 0;
		CHECK(net_bridges(&c2, NULL, &step) == -1 && errno == EEXIST);
		report("(expected)", step);
	}
	CHECK(nl_link_del(&n, "notbr") == 0);
	CHECK(nl_link_del(&n, "notbr") == -1 && errno == ENODEV);
	nl_close(&n);
}

static void test_reach(void)
{
	struct child a, b;
	double t = 0;
	int lfd, fd;
	char buf[8];

	/* A sandbox reaches the bridge's address. */
	lfd = tcp_listen(bridges[0].addr, PORT);
	CHECK(lfd >= 0);
	CHECK(run(0, ACT_CONNECT, bridges[0].addr) == 0);
	fd = tcp_accept(lfd, 1000);
	CHECK(fd >= 0 && read(fd, buf, sizeof buf) == 2 && !memcmp(buf, "s0", 2));
	close(fd);
	/* Through both links of a two-link sandbox. */
	{
		int l1 = tcp_listen(bridges[1].addr, PORT);

		/* Each connection accepted and read: an orphaned socket
		 * would keep its namespace, and so the pair, alive. */
		CHECK(run(1, ACT_CONNECT, bridges[1].addr) == 0);
		fd = tcp_accept(l1, 1000);
		CHECK(fd >= 0 && read(fd, buf, sizeof buf) == 2);
		close(fd);
		CHECK(run(1, ACT_CONNECT, bridges[0].addr) == 0);
		fd = tcp_accept(lfd, 1000);
		CHECK(fd >= 0 && read(fd, buf, sizeof buf) == 2);
		close(fd);
		CHECK(run(1, ACT_LOOK, 0) == 0);
		close(l1);
	}
	close(lfd);
	CHECK(run(0, ACT_LOOK, 0) == 0);
	CHECK(run(60, ACT_LOOK_NEW, 0) == 0);
	CHECK(run(60, ACT_LOOK, 0) == 0);
	CHECK(run(4, ACT_NONE, 0) == 0);	/* lo only */

	/* Two sandboxes on one bridge reach each other. */
	CHECK(start(&a, 5, ACT_LISTEN, 0, &t) == 0);
	{
		double cfg;
		char c;

		CHECK(read(a.result, &cfg, sizeof cfg) == sizeof cfg);
		CHECK(read(a.result, &c, 1) == 1 && c == 'L');
	}
	CHECK(start(&b, 6, ACT_CONNECT, conf.svc[5].nets[0].addr, &t) == 0);
	CHECK(finish(&b, &t) == 0);
	CHECK(finish(&a, &t) == 0);

	/* ...but not one on another bridge: the host does not forward. */
	CHECK(start(&a, 7, ACT_LISTEN, 0, &t) == 0);
	{
		double cfg;
		char c;

		CHECK(read(a.result, &cfg, sizeof cfg) == sizeof cfg);
		CHECK(read(a.result, &c, 1) == 1 && c == 'L');
	}
	CHECK(run(3, ACT_NOCONNECT, conf.svc[7].nets[0].addr) == 0);
	kill(a.pid, SIGKILL);
	waitpid(a.pid, NULL, 0);
	close(a.result);
}

/* A new instance takes the old one's host end down: the old namespace may
 * linger with the same address. */
static void test_restart_downs_old(void)
{
	struct child a, b;
	struct nl_link l;
	struct nl n;
	double t = 0, cfg;
	char c, first[IFNAMSIZ], second[IFNAMSIZ], p[96];

	CHECK(nl_open(&n) == 0);
	CHECK(start(&a, 2, ACT_LISTEN, 0, &t) == 0);
	CHECK(read(a.result, &cfg, sizeof cfg) == sizeof cfg);
	CHECK(read(a.result, &c, 1) == 1 && c == 'L');
	CHECK(newest_host_end(first) == 0);
	CHECK(nl_link_get(&n, first, &l) == 0 && (l.flags & IFF_UP));
	/* The host end, a bridge port, has no IPv6 link-local address. */
	snprintf(p, sizeof p, "/proc/sys/net/ipv6/conf/%s/addr_gen_mode", first);
	CHECK(access("/proc/sys/net/ipv6", F_OK) < 0 || first_char(p) == '1');
	CHECK(start(&b, 2, ACT_NONE, 0, &t) == 0);
	CHECK(finish(&b, &t) == 0);
	/* A name of its own, and the old host end down. */
	CHECK(newest_host_end(second) == 0 && strcmp(first, second));
	CHECK(nl_link_get(&n, first, &l) == 0 && !(l.flags & IFF_UP));
	kill(a.pid, SIGKILL);
	waitpid(a.pid, NULL, 0);
	close(a.result);
	/* And net_detach does it at once. */
	net_detach(&conf.svc[2]);
	CHECK(nl_link_get(&n, second, &l) < 0 || !(l.flags & IFF_UP));
	nl_close(&n);
}

static void test_errors(void)
{
	const char *step = NULL;

	/* No namespace: refused (nl_build_veth would leave the peer here). */
	errno = 0;
	CHECK(net_attach(&conf, &conf.svc[0], -1, -1, &step) == -1 && errno == EBADF);
	if (step)
		report("(expected)", step);
}

static void test_cycles(int n)
{
	double attach = 0, cfg = 0;
	int bad = 0, i, strays = -1;
	struct child ch;

	for (i = 0; i < n; i++) {
		if (start(&ch, 8 + i % 50, ACT_NONE, 0, &attach) < 0
		    || finish(&ch, &cfg) < 0)
			bad++;
	}
	CHECK(bad == 0);
	/* (net_attach: the pairs made and the sandbox's side configured) */
	printf("%d sandboxes: net_attach %.0f us per sandbox\n", n, attach / n);

	/* One service restarted ten times, its old pairs still being torn
	 * down meanwhile. */
	bad = 0;
	for (i = 0; i < 10; i++)
		if (start(&ch, 9, ACT_NONE, 0, &attach) < 0
		    || finish(&ch, &cfg) < 0)
			bad++;
	CHECK(bad == 0);

	/* The kernel deletes the pairs once the namespaces are gone. */
	double t = now_us();
	for (i = 0; i < 3000; i++) {
		strays = stray_links();
		if (strays == 0)
			break;
		usleep(10000);
	}
	CHECK(strays == 0);
	printf("stray links gone %.0f ms after the last child\n",
	       (now_us() - t) / 1000);
}

int main(int argc, char **argv)
{
	const char *step;
	int n = argc > 1 ? atoi(argv[1]) : 50;

	if (stray_links() != 0) {
		fprintf(stderr, "net_harness: run it in a fresh network namespace: "
			"unshare --net %s\n", argv[0]);
		return 2;
	}
	setup_conf();
	self_net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (net_assign(&conf, NULL, &step) < 0) {
		report("harness", step);
		return 1;
	}
	test_bridges();
	test_reach();
	test_restart_downs_old();
	test_errors();
	test_cycles(n);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
