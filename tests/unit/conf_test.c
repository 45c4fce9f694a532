/* conf_test: unit tests of the config parser (init/conf*.c). Prints each
 * failure, then "N passed, M failed"; exits 1 if any failed. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_value.h"

static int passed, failed;

static void check(int ok, const char *what, int line)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL line %d: %s\n", line, what);
}

#define CHECK(cond) check(!!(cond), #cond, __LINE__)

static struct conf_errors errs;

static void print_errors(void)
{
	for (int i = 0; i < errs.n; i++)
		printf("    %d: %s\n", errs.v[i].line, errs.v[i].msg);
}

/* TEXT parsed; NULL (and a failure) if it has errors. */
static struct conf *valid(const char *text, int line)
{
	struct conf *c;

	conf_errors_free(&errs);
	c = conf_parse(text, strlen(text), &errs);
	check(c && errs.n == 0, "config is valid", line);
	if (!c || errs.n)
		print_errors();
	return c;
}

/* TEXT is invalid with exactly one error: LINE: MSG. */
static void error1(const char *text, int eline, const char *msg, int line)
{
	struct conf *c;

	conf_errors_free(&errs);
	c = conf_parse(text, strlen(text), &errs);
	int ok = !c && errs.n == 1 && errs.v[0].line == eline && !strcmp(errs.v[0].msg, msg);
	check(ok, msg, line);
	if (!ok) {
		printf("    expected %d: %s\n    got:\n", eline, msg);
		print_errors();
	}
	conf_free(c);
}

#define VALID(text) valid(text, __LINE__)
#define ERROR1(text, eline, msg) error1(text, eline, msg, __LINE__)

/* A service with only what it needs. */
#define SVC "service a\n\texec /bin/a\n"

static void test_tokenizer(void)
{
	struct conf *c = VALID(
		"  # comment line\n"
		"\n"
		"service a   # trailing comment\n"
		"\texec /bin/a \"two words\" \"q\\\"uote\" \"back\\\\slash\" \"\" \"#not\" x#comment\n");
	if (c) {
		struct svc_conf *s = &c->svc[0];
		CHECK(s->argc == 7);
		CHECK(!strcmp(s->argv[0], "/bin/a"));
		CHECK(!strcmp(s->argv[1], "two words"));
		CHECK(!strcmp(s->argv[2], "q\"uote"));
		CHECK(!strcmp(s->argv[3], "back\\slash"));
		CHECK(!strcmp(s->argv[4], ""));
		CHECK(!strcmp(s->argv[5], "#not"));
		CHECK(!strcmp(s->argv[6], "x") && s->argv[7] == NULL);
	}
	conf_free(c);

	/* CRLF, a tab, a last line without newline. */
	c = VALID("service a\r\n\texec\t/bin/a  b\r\n\trestart never");
	if (c) {
		CHECK(c->svc[0].argc == 2 && !strcmp(c->svc[0].argv[1], "b"));
		CHECK(c->svc[0].restart == RESTART_NEVER);
	}
	conf_free(c);

	c = VALID("");
	CHECK(c && c->nsvc == 0);
	conf_free(c);

	ERROR1(SVC "\tenv \"A=b\n", 3, "unterminated quote");
	ERROR1(SVC "\tenv \"A=\\n\"\n", 3, "unknown escape in quotes: only \\\" and \\\\ are known");
	ERROR1(SVC "\tenv A=\"b\"\n", 3, "a quote inside an argument (quote the whole argument)");
	ERROR1(SVC "\tenv \"A=b\"c\n", 3, "text right after a closing quote");

	static const char nul[] = "service a\n\texec /bin/a\0x\n";
	conf_errors_free(&errs);
	c = conf_parse(nul, sizeof nul - 1, &errs);
	CHECK(!c && errs.n == 1 && errs.v[0].line == 2 && !strcmp(errs.v[0].msg, "a NUL byte in the line"));
	conf_free(c);
}

static void test_defaults(void)
{
	struct conf *c = VALID(SVC);

	if (!c)
		return;
	CHECK(c->hostname == NULL);
	CHECK(c->log_size == 64 * 1024);
	CHECK(c->rescue && !strcmp(c->rescue, "/bin/sh"));
	CHECK(c->watchdog == NULL && c->nbridges == 0 && c->nmodules == 0);
	struct svc_conf *s = &c->svc[0];
	CHECK(c->nsvc == 1 && !strcmp(s->name, "a") && s->line == 1);
	CHECK(s->restart == RESTART_ALWAYS);
	CHECK(s->nafter == 0 && s->join == -1);
	CHECK(s->ready_fd == -1 && s->critical == 0);
	CHECK(s->namespaces == NS_ALL && !(s->namespaces & NS_TIME));
	CHECK(s->root == NULL && s->readonly == 1 && s->proc == PROC_FULL);
	CHECK(s->nbinds == 0 && s->ntmpfs == 0 && s->ndevices == 0 && s->nnets == 0);
	CHECK(s->uid == 0 && s->gid == 0 && s->uidmap_host >= CONF_UID_BASE && s->uidmap_count == 0);
	CHECK(s->caps == conf_default_caps && s->seccomp == 1);
	CHECK(s->memory == 0 && s->pids == 0 && s->cpu == 0 && s->nofile == 0);
	CHECK(s->env && s->env[0] == NULL && s->nenv == 0);
	CHECK(s->workdir && !strcmp(s->workdir, "/"));
	CHECK(s->hostname && !strcmp(s->hostname, "a"));
	CHECK(s->tty == NULL);
	CHECK(s->stop_signal == SIGTERM && s->stop_timeout == 5);
	conf_free(c);
}

static void test_globals(void)
{
	struct conf *c = VALID(
		"hostname box.local\n"
		"modules e1000 virtio-net\n"
		"modules loop\n"
		"bridge br0 10.0.0.1/24\n"
		"bridge br1 192.168.7.254/16\n"
		"sysctl net.ipv4.ip_forward 1\n"
		"mount /dev/vda /data ext4\n"
		"mount tmpfs /scratch tmpfs size=16M,noexec\n"
		"log-size 1M\n"
		"watchdog /dev/watchdog0 20\n"
		"rescue /sbin/rescue\n");
	if (!c)
		return;
	CHECK(!strcmp(c->hostname, "box.local"));
	CHECK(c->nmodules == 3 && !strcmp(c->modules[1], "virtio-net") && !strcmp(c->modules[2], "loop"));
	CHECK(c->nbridges == 2);
	CHECK(!strcmp(c->bridges[0].name, "br0") && c->bridges[0].addr == 0x0a000001 && c->bridges[0].prefix == 24);
	CHECK(c->bridges[1].addr == 0xc0a807fe && c->bridges[1].prefix == 16 && c->bridges[1].line == 5);
	CHECK(c->nsysctls == 1 && !strcmp(c->sysctls[0].key, "net.ipv4.ip_forward") && !strcmp(c->sysctls[0].value, "1"));
	CHECK(c->nmounts == 2 && !strcmp(c->mounts[0].source, "/dev/vda") && !strcmp(c->mounts[0].target, "/data"));
	CHECK(!strcmp(c->mounts[0].fstype, "ext4") && c->mounts[0].options == NULL && c->mounts[0].line == 7);
	CHECK(c->mounts[1].options && !strcmp(c->mounts[1].options, "size=16M,noexec"));
	CHECK(c->log_size == 1024 * 1024);
	CHECK(!strcmp(c->watchdog, "/dev/watchdog0") && c->watchdog_sec == 20);
	CHECK(!strcmp(c->rescue, "/sbin/rescue"));
	CHECK(c->nsvc == 0);
	conf_free(c);
}

static void test_service(void)
{
	struct conf *c = VALID(
		"bridge br0 10.0.0.1/24\n"
		"bridge br1 10.0.1.1/24\n"
		"service db\n"
		"\texec /bin/db\n"
		"service web\n"
		"\texec /bin/httpd -p 80\n"
		"\trestart on-failure\n"
		"\tafter db\n"
		"\tafter db db\n"
		"\tready fd 3\n"
		"\tcritical yes\n"
		"\tnamespaces user pid mount net time\n"
		"\troot /srv/web\n"
		"\treadonly no\n"
		"\tbind /data/www /www rw\n"
		"\tbind /etc/ssl /etc/ssl\n"
		"\ttmpfs /run 1M\n"
		"\ttmpfs /var/cache 64K 1750\n"
		"\ttmpfs /run/sshd 0700\n"
		"\tdevice /dev/fuse\n"
		"\tdevice /dev/input/event* ro\n"
		"\tdevice /dev/dri rw\n"
		"\tproc pid-only\n"
		"\tnet br0 10.0.0.5/24\n"
		"\tnet br1\n"
		"\tnet br1 10.0.1.9\n"
		"\tuser 1000:100\n"
		"\tuidmap 200000 2000\n"
		"\tcaps net_bind_service CAP_CHOWN Cap_Kill\n"
		"\tseccomp off\n"
		"\tmemory 64M\n"
		"\tpids 100\n"
		"\tcpu 50\n"
		"\tnofile 4096\n"
		"\tenv A=1\n"
		"\tenv B=two=2\n"
		"\tworkdir /www\n"
		"\thostname www\n"
		"\ttty /dev/ttyS1\n"
		"\tstop-signal SIGINT\n"
		"\tstop-timeout 30\n"
		"service cache\n"
		"\texec /bin/cache\n"
		"\tjoin web\n"
		"\tnamespaces none\n"
		"\tcaps none\n"
		"\tready started\n"
		"\tstop-signal 9\n"
		"\tuser 7\n");
	if (!c)
		return;
	CHECK(c->nsvc == 3 && conf_find(c, "web") == 1 && conf_find(c, "nope") == -1);
	struct svc_conf *s = &c->svc[1];
	CHECK(s->line == 5 && s->argc == 3 && !strcmp(s->argv[2], "80"));
	CHECK(s->restart == RESTART_ON_FAILURE);
	CHECK(s->nafter == 1 && s->after[0] == 0);
	CHECK(s->ready_fd == 3 && s->critical == 1);
	CHECK(s->namespaces == (NS_USER | NS_PID | NS_MOUNT | NS_NET | NS_TIME));
	CHECK(!strcmp(s->root, "/srv/web") && s->readonly == 0);
	CHECK(s->nbinds == 2 && !strcmp(s->binds[0].src, "/data/www") && !strcmp(s->binds[0].dst, "/www"));
	CHECK(s->binds[0].rw == 1 && s->binds[1].rw == 0);
	CHECK(s->ntmpfs == 3 && !strcmp(s->tmpfs[0].dst, "/run") && s->tmpfs[0].size == 1 << 20 && s->tmpfs[1].size == 64 << 10);
	CHECK(s->tmpfs[0].mode == -1 && s->tmpfs[1].mode == 01750);
	/* a lone value starting with 0 is a MODE, the size the default */
	CHECK(s->tmpfs[2].mode == 0700 && s->tmpfs[2].size == 0);
	CHECK(s->ndevices == 3 && !strcmp(s->devices[0].path, "/dev/fuse") && !s->devices[0].ro);
	CHECK(!strcmp(s->devices[1].path, "/dev/input/event*") && s->devices[1].ro);
	CHECK(!strcmp(s->devices[2].path, "/dev/dri") && !s->devices[2].ro);
	CHECK(s->proc == PROC_PID_ONLY);
	CHECK(s->nnets == 3 && s->nets[0].bridge == 0 && s->nets[0].addr == 0x0a000005 && s->nets[0].line == 24);
	CHECK(s->nets[1].bridge == 1 && s->nets[1].addr == 0 && s->nets[2].addr == 0x0a000109);
	CHECK(s->join == -1 && s->uid == 1000 && s->gid == 100);
	CHECK(s->uidmap_host == 200000 && s->uidmap_count == 2000);
	CHECK(s->caps == ((1ull << 10) | (1ull << 0) | (1ull << 5)));
	CHECK(s->seccomp == 0 && s->memory == 64ull << 20 && s->pids == 100 && s->cpu == 50 && s->nofile == 4096);
	CHECK(s->nenv == 2 && !strcmp(s->env[1], "B=two=2") && s->env[2] == NULL);
	CHECK(!strcmp(s->workdir, "/www") && !strcmp(s->hostname, "www") && !strcmp(s->tty, "/dev/ttyS1"));
	CHECK(s->stop_signal == SIGINT && s->stop_timeout == 30);
	s = &c->svc[2];
	CHECK(s->join == 1 && s->namespaces == 0 && s->caps == 0 && s->ready_fd == -1);
	CHECK(s->stop_signal == 9 && s->uid == 7 && s->gid == 0);
	conf_free(c);
}

static void test_values(void)
{
	uint64_t v;
	uint32_t a;
	int prefix;

	CHECK(conf_size("0", &v) == 0 && v == 0);
	CHECK(conf_size("512", &v) == 0 && v == 512);
	CHECK(conf_size("4K", &v) == 0 && v == 4096);
	CHECK(conf_size("3m", &v) == 0 && v == 3ull << 20);
	CHECK(conf_size("2G", &v) == 0 && v == 2ull << 30);
	CHECK(conf_size("17179869183G", &v) == 0 && v == 17179869183ull << 30);
	CHECK(conf_size("17179869184G", &v) < 0);
	CHECK(conf_size("18446744073709551616", &v) < 0);
	CHECK(conf_size("", &v) < 0 && conf_size("K", &v) < 0 && conf_size("1KB", &v) < 0);
	CHECK(conf_size("1T", &v) < 0 && conf_size("-1", &v) < 0 && conf_size("1 K", &v) < 0);

	CHECK(conf_cidr("10.0.0.1/24", &a, &prefix) == 0 && a == 0x0a000001 && prefix == 24);
	CHECK(conf_cidr("255.255.255.255/32", &a, &prefix) == 0 && a == 0xffffffff && prefix == 32);
	CHECK(conf_cidr("0.0.0.0/0", &a, &prefix) == 0 && a == 0 && prefix == 0);
	CHECK(conf_cidr("10.0.0.1/33", &a, &prefix) < 0);
	CHECK(conf_cidr("10.0.0.1", &a, &prefix) < 0 && conf_cidr("10.0.0.1/", &a, &prefix) < 0);
	CHECK(conf_cidr("10.0.0.256/8", &a, &prefix) < 0 && conf_cidr("10.0.0/8", &a, &prefix) < 0);
	CHECK(conf_cidr("10.0.0.01/8", &a, &prefix) < 0 && conf_cidr("10.0.0.1/08", &a, &prefix) < 0);
	CHECK(conf_cidr("10.0.0.1.2/8", &a, &prefix) < 0 && conf_cidr(" 10.0.0.1/8", &a, &prefix) < 0);
	CHECK(conf_ipv4("1.2.3.4", &a) == 0 && a == 0x01020304 && conf_ipv4("1.2.3.4/8", &a) < 0);
	/* the formatter and netmask the other modules share */
	{
		char ip[16];

		CHECK(!strcmp(conf_ip_str(ip, 0x0a000001), "10.0.0.1"));
		CHECK(!strcmp(conf_ip_str(ip, 0xffffffff), "255.255.255.255"));
		CHECK(!strcmp(conf_ip_str(ip, 0), "0.0.0.0"));
		CHECK(conf_prefix_mask(0) == 0 && conf_prefix_mask(1) == 0x80000000);
		CHECK(conf_prefix_mask(24) == 0xffffff00 && conf_prefix_mask(32) == 0xffffffff);
	}

	CHECK(conf_number("4294967294", 4294967294u, &v) == 0 && conf_number("4294967295", 4294967294u, &v) < 0);
	CHECK(conf_number("+1", 10, &v) < 0 && conf_number("", 10, &v) < 0);
	{
		const char *end;

		/* strtoul's replacement: digits only, at least one, at most MAX */
		CHECK(conf_digits("80:24", &end, 0xffff, &v) == 0 && v == 80 && *end == ':');
		CHECK(conf_digits("65536:1", &end, 0xffff, &v) < 0);
		CHECK(conf_digits("18446744073709551615 ", &end, UINT64_MAX, &v) == 0 &&
		      v == UINT64_MAX && *end == ' ');
		CHECK(conf_digits("18446744073709551616", &end, UINT64_MAX, &v) < 0);
		CHECK(conf_digits(" 1", &end, 10, &v) < 0 && conf_digits("-1", &end, 10, &v) < 0);
		CHECK(conf_digits(":", &end, 10, &v) < 0);
	}

	CHECK(conf_service_name("a") == 0 && conf_service_name("0web_1-x") == 0);
	CHECK(conf_service_name("abcdefghijklmnopqrstuvwxyz012345") == 0);
	CHECK(conf_service_name("abcdefghijklmnopqrstuvwxyz0123456") < 0);
	CHECK(conf_service_name("") < 0 && conf_service_name("-a") < 0 && conf_service_name("_a") < 0);
	CHECK(conf_service_name("Web") < 0 && conf_service_name("a.b") < 0);

	CHECK(conf_cap("chown") == 0 && conf_cap("CAP_SYS_ADMIN") == 21 && conf_cap("cap_bpf") == 39);
	CHECK(conf_cap("Net_Raw") == 13 && conf_cap("cap_") < 0 && conf_cap("root") < 0);
	CHECK(!strcmp(conf_cap_name(10), "net_bind_service") && conf_cap_name(41) == NULL && conf_cap_name(-1) == NULL);
	for (int i = 0; i <= CONF_CAP_LAST; i++)
		CHECK(conf_cap(conf_cap_name(i)) == i);
	CHECK(conf_default_caps == 0xa80425fbull);

	CHECK(conf_signal("TERM") == SIGTERM && conf_signal("SIGKILL") == SIGKILL && conf_signal("hup") == SIGHUP);
	CHECK(conf_signal("sigusr1") == SIGUSR1 && conf_signal("15") == 15 && conf_signal("64") == 64);
	CHECK(conf_signal("0") < 0 && conf_signal("65") < 0 && conf_signal("SIG") < 0 && conf_signal("FOO") < 0);
	CHECK(!strcmp(conf_signal_name(SIGTERM), "TERM") && !strcmp(conf_signal_name(SIGKILL), "KILL"));
	CHECK(conf_signal_name(0) == NULL && conf_signal_name(40) == NULL);

	CHECK(conf_env("A=") == 0 && conf_env("_x1=a b") == 0);
	CHECK(conf_env("=a") < 0 && conf_env("A") < 0 && conf_env("1A=b") < 0 && conf_env("A-B=c") < 0);
}

static void test_errors(void)
{
	/* unknown directive, argument count, global/service placement, repeats */
	ERROR1("frobnicate x\n", 1, "unknown directive 'frobnicate'");
	ERROR1(SVC "\trestart\n", 3, "'restart' takes one argument: always, on-failure or never");
	ERROR1(SVC "\trestart always never\n", 3, "'restart' takes one argument: always, on-failure or never");
	ERROR1(SVC "\tbind /a\n", 3, "'bind' takes two or three arguments: SRC DST [ro|rw]");
	ERROR1(SVC "\tready fd\n", 3, "'ready' takes one of: started, fd N");
	ERROR1("bridge br0\n", 1, "'bridge' takes two arguments: NAME CIDR");
	ERROR1(SVC "log-size 1M\n", 3, "global directive 'log-size' after the first service");
	ERROR1("restart never\n" SVC, 1, "service directive 'restart' before the first 'service' line");
	ERROR1(SVC "\trestart never\n\trestart always\n", 4, "'restart' given twice (first at line 3)");
	ERROR1("hostname a\nhostname b\n", 2, "'hostname' given twice (first at line 1)");

	/* bad values */
	ERROR1(SVC "\trestart sometimes\n", 3, "bad value for 'restart': 'sometimes' (use always, on-failure or never)");
	ERROR1(SVC "\tmemory 12Q\n", 3, "bad value for 'memory': '12Q' (use a number with K, M or G)");
	ERROR1(SVC "\tpids many\n", 3, "bad value for 'pids': 'many' (use a number from 1 to 4194304)");
	ERROR1(SVC "\tcpu 0\n", 3, "bad value for 'cpu': '0' (use a number from 1 to 100000)");
	ERROR1(SVC "\tnofile -1\n", 3, "bad value for 'nofile': '-1' (use a number from 1 to 1073741816)");
	ERROR1(SVC "\ttmpfs /x 1X\n", 3, "bad value for 'tmpfs': '1X' (use a number with K, M or G)");
	ERROR1(SVC "\ttmpfs /x 1M 10000\n", 3, "bad value for 'tmpfs': '10000' (use an octal mode such as 0755 or 1777)");
	ERROR1(SVC "\ttmpfs /x 1M 0758\n", 3, "bad value for 'tmpfs': '0758' (use an octal mode such as 0755 or 1777)");
	ERROR1(SVC "\ttmpfs /x 0800\n", 3, "bad value for 'tmpfs': '0800' (use an octal mode such as 0755 or 1777)");
	ERROR1(SVC "\ttmpfs /x 1M +755\n", 3, "bad value for 'tmpfs': '+755' (use an octal mode such as 0755 or 1777)");
	ERROR1(SVC "\ttmpfs /x 1M 77777777777777777777777\n", 3,
	       "bad value for 'tmpfs': '77777777777777777777777' (use an octal mode such as 0755 or 1777)");
	ERROR1(SVC "\troot srv\n", 3, "bad value for 'root': 'srv' (use an absolute path)");
	ERROR1(SVC "\tbind /a b\n", 3, "bad value for 'bind': 'b' (use an absolute path)");
	ERROR1(SVC "\tbind /a /b rx\n", 3, "bad value for 'bind': 'rx' (use ro or rw)");
	ERROR1(SVC "\tdevice /tmp/x\n", 3, "bad value for 'device': '/tmp/x' (use a path under /dev)");
	ERROR1(SVC "\tdevice /dev/../etc/shadow\n", 3, "bad value for 'device': '/dev/../etc/shadow' (use a path under /dev)");
	ERROR1(SVC "\tdevice /dev/x wo\n", 3, "bad value for 'device': 'wo' (use rw or ro)");
	ERROR1("service a\n\texec bin/a\n", 2, "bad value for 'exec': 'bin/a' (use an absolute path)");
	ERROR1("service Web\n", 1, "bad value for 'service': 'Web' (use [a-z0-9][a-z0-9_-]{0,31})");
	ERROR1(SVC "\tcaps chown frob\n", 3, "bad value for 'caps': 'frob' (a list of capabilities such as net_bind_service or CAP_CHOWN, or none)");
	ERROR1(SVC "\tcaps none chown\n", 3, "bad value for 'caps': 'none' (a list of capabilities such as net_bind_service or CAP_CHOWN, or none)");
	ERROR1(SVC "\tnamespaces all net\n", 3, "bad value for 'namespaces': 'all' (a list of user pid mount net uts ipc cgroup time, or all, or none)");
	ERROR1(SVC "\tstop-signal TERMINATE\n", 3, "bad value for 'stop-signal': 'TERMINATE' (use a signal name such as TERM or SIGINT, or a number)");
	ERROR1(SVC "\tstop-timeout 1h\n", 3, "bad value for 'stop-timeout': '1h' (use a number of seconds from 0 to 3600)");
	ERROR1(SVC "\tenv FOO\n", 3, "bad value for 'env': 'FOO' (KEY=VALUE, KEY of letters, digits and '_')");
	ERROR1(SVC "\tuser 1000:x\n", 3, "bad value for 'user': '1000:x' (UID[:GID], numeric, e.g. 1000:1000)");
	ERROR1(SVC "\tuser root\n", 3, "bad value for 'user': 'root' (UID[:GID], numeric, e.g. 1000:1000)");
	ERROR1(SVC "\tuidmap 0 1000\n", 3, "bad value for 'uidmap': '0' (use a number from 1 to 4294967294)");
	ERROR1(SVC "\tuidmap 4294967000 1000\n", 3, "'uidmap' 4294967000 with 1000 ids runs past the last id, 4294967294");
	ERROR1(SVC "\tuidmap 100000 0\n", 3, "bad value for 'uidmap': '0' (use a number from 1 to 4294967294)");
	ERROR1(SVC "\tuser 70000\n", 3, "user 70000:0 is outside the 65536 ids the user namespace maps");
	ERROR1(SVC "\tready fd 2\n", 3, "bad value for 'ready': '2' (use a descriptor number from 3 to 1023)");
	ERROR1(SVC "\tcritical maybe\n", 3, "bad value for 'critical': 'maybe' (use yes or no)");
	ERROR1("log-size 12Q\n", 1, "bad value for 'log-size': '12Q' (use a size from 4K to 64M)");
	ERROR1("watchdog /dev/watchdog 1\n", 1, "bad value for 'watchdog': '1' (use a number of seconds from 2 to 3600)");
	ERROR1("rescue sh\n", 1, "bad value for 'rescue': 'sh' (use an absolute path)");
	ERROR1("bridge br0 10.0.0.1/31\n", 1, "bad value for 'bridge': '10.0.0.1/31' (use an IPv4 address and a prefix from /1 to /30, e.g. 10.0.0.1/24)");
	ERROR1("bridge br0 10.0.0.0/24\n", 1, "bad value for 'bridge': '10.0.0.0/24' (that is the network or broadcast address)");
	ERROR1("bridge a/b 10.0.0.1/24\n", 1, "bad value for 'bridge': 'a/b' (use up to 15 letters, digits, '_', '.' and '-', not all or default)");
	ERROR1("bridge br0 10.0.0.1/24\nbridge br0 10.0.1.1/24\n", 2, "duplicate bridge 'br0' (first at line 1)");
	ERROR1("bridge br0 10.0.0.1/24\nbridge br1 10.0.0.9/16\n", 2, "bridge 'br1' subnet 10.0.0.0/16 overlaps bridge 'br0' (line 1)");
	ERROR1("sysctl net..x 1\n", 1, "bad value for 'sysctl': 'net..x' (use a key such as net.ipv4.ip_forward)");
	ERROR1("mount /dev/vda data ext4\n", 1, "bad value for 'mount': 'data' (the target must be an absolute path)");
	ERROR1("modules ok bad/name\n", 1, "bad value for 'modules': 'bad/name' (one or more module names: letters, digits, '_' and '-')");

	/* long tokens are shortened in messages */
	ERROR1("frobnicateeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\n", 1,
	       "unknown directive 'frobnicateeeeeeeeeeeeeeeeeeeeeeeeeeeeeee...'");

	/* services and references */
	ERROR1(SVC SVC, 3, "duplicate service 'a' (first at line 1)");
	ERROR1("service a\n\trestart never\n", 1, "service 'a' has no 'exec'");
	ERROR1(SVC "\tafter ghost\n", 3, "'after' names unknown service 'ghost'");
	ERROR1(SVC "\tjoin ghost\n", 3, "'join' names unknown service 'ghost'");
	ERROR1(SVC "\tjoin a\n", 3, "service 'a' cannot join itself");
	ERROR1(SVC "\tafter a\n", 3, "dependency cycle: a -> a");
	ERROR1("service a\n\texec /a\n\tafter c\nservice b\n\texec /b\n\tafter a\nservice c\n\texec /c\n\tjoin b\n",
	       6, "dependency cycle: a -> c -> b -> a");
	ERROR1("bridge br0 10.0.0.1/24\n" SVC "service b\n\texec /b\n\tnet br0\n\tjoin a\n", 7,
	       "'join' with 'net': service 'b' shares the network of 'a'");

	/* networks */
	ERROR1(SVC "\tnet br0\n", 3, "undeclared bridge 'br0'");
#define BR "bridge br0 10.0.0.1/24\n"
	ERROR1(BR SVC "\tnet br0 10.0.1.5\n", 4, "address 10.0.1.5/24 does not match bridge 'br0' subnet 10.0.0.0/24");
	ERROR1(BR SVC "\tnet br0 10.0.0.0\n", 4, "address 10.0.0.0 is the network address of bridge 'br0'");
	ERROR1(BR SVC "\tnet br0 10.0.0.255/24\n", 4, "address 10.0.0.255 is the broadcast address of bridge 'br0'");
	ERROR1(BR SVC "\tnet br0 10.0.0.1\n", 4, "address 10.0.0.1 is the address of bridge 'br0' itself");
	ERROR1(BR SVC "\tnet br0 10.0.0.5/16\n", 4, "address 10.0.0.5/16 does not match bridge 'br0' subnet 10.0.0.0/24");
	ERROR1(BR SVC "\tnet br0 dhcp\n", 4, "bad value for 'net': 'dhcp' (use auto or an IPv4 address such as 10.0.0.2/24)");
	ERROR1(BR SVC "\tnet br0 10.0.0.7\nservice b\n\texec /b\n\tnet br0 10.0.0.7\n", 7,
	       "address 10.0.0.7 is already used by service 'a' (line 4)");
	{
		/* a third use is reported with the second, another address
		 * between them is not: config order is line order */
		static const char *const want[] = {
			"7: address 10.0.0.7 is already used by service 'a' (line 4)",
			"11: address 10.0.0.7 is already used by service 'b' (line 7)",
		};
		static const char text[] = BR SVC "\tnet br0 10.0.0.7\nservice b\n\texec /b\n\tnet br0 10.0.0.7\n"
			"service c\n\texec /c\n\tnet br0 10.0.0.8\n\tnet br0 10.0.0.7\n";
		struct conf *c;
		char got[300];
		int ok;

		conf_errors_free(&errs);
		c = conf_parse(text, strlen(text), &errs);
		ok = !c && errs.n == 2;
		for (int i = 0; ok && i < 2; i++) {
			snprintf(got, sizeof got, "%d: %s", errs.v[i].line, errs.v[i].msg);
			ok = !strcmp(got, want[i]);
		}
		CHECK(ok);
		if (!ok)
			print_errors();
		conf_free(c);
	}
	ERROR1(BR SVC "\tnamespaces user pid\n\tnet br0\n", 5, "'net' needs a net namespace, which 'namespaces' leaves out");
	/* what only a mount namespace gives, written without one */
	ERROR1(SVC "\tnamespaces user pid net\n\tbind /etc /x\n", 4, "'bind' needs a mount namespace, which 'namespaces' leaves out");
	ERROR1(SVC "\tnamespaces none\n\treadonly overlay\n", 4, "'readonly' needs a mount namespace, which 'namespaces' leaves out");
	ERROR1(SVC "\tnamespaces none\n\treadonly yes\n", 4, "'readonly' needs a mount namespace, which 'namespaces' leaves out");
	ERROR1(SVC "\tnamespaces none\n\troot /srv\n", 4, "'root' needs a mount namespace, which 'namespaces' leaves out");
	ERROR1(SVC "\tnamespaces pid\n\ttmpfs /x 1M\n\ttmpfs /y\n", 4, "'tmpfs' needs a mount namespace, which 'namespaces' leaves out");
	ERROR1(SVC "\tnamespaces none\n\tproc pid-only\n", 4, "'proc' needs a mount namespace, which 'namespaces' leaves out");
	/* the defaults, and what works on the host's mounts, need none */
	conf_free(VALID(SVC "\tnamespaces none\n\treadonly no\n\tproc full\n\tsyslog yes\n\tdevice /dev/fuse\n\tworkdir /srv\n"));
	ERROR1(BR SVC "\tnet br0\n\tnet br0\n\tnet br0\n\tnet br0\n\tnet br0\n\tnet br0\n\tnet br0\n\tnet br0\n\tnet br0\n",
	       12, "too many 'net' lines: the limit is 8");
#undef BR

	/* terminals */
	ERROR1(SVC "\ttty /dev/tty1\nservice b\n\texec /b\n\ttty /dev/tty1\n", 6,
	       "tty '/dev/tty1' is already used by service 'a' (line 3)");
	ERROR1(SVC "\ttty /dev/ttyS0 graphics\n", 3,
	       "bad value for 'tty': '/dev/ttyS0' (graphics needs a virtual terminal /dev/ttyN, N from 1 to 63)");
	ERROR1(SVC "\ttty /dev/tty1x graphics\n", 3,
	       "bad value for 'tty': '/dev/tty1x' (graphics needs a virtual terminal /dev/ttyN, N from 1 to 63)");
	ERROR1(SVC "\ttty /dev/tty1 gfx\n", 3, "bad value for 'tty': 'gfx' (DEVICE [graphics], e.g. /dev/ttyS0)");
	CHECK(conf_vt("/dev/tty1") == 1 && conf_vt("/dev/tty63") == 63 && conf_vt("/dev/tty64") == 0);
	CHECK(conf_vt("/dev/tty0") == 0 && conf_vt("/dev/tty01") == 0 && conf_vt("/dev/ttyS1") == 0);
	{
		struct conf *c = VALID(SVC "\ttty /dev/tty7 graphics\nservice b\n\texec /b\n\ttty /dev/tty8\n");

		if (c) {
			CHECK(!strcmp(c->svc[0].tty, "/dev/tty7") && c->svc[0].tty_graphics == 1);
			CHECK(!strcmp(c->svc[1].tty, "/dev/tty8") && c->svc[1].tty_graphics == 0);
		}
		conf_free(c);
	}
}

/* Several errors: every one reported, sorted by line. */
static void test_many(void)
{
	const char *text =
		"bridge br0 10.0.0.1/24\n"	/* 1 */
		"service a\n"			/* 2: no exec */
		"\tafter b\n"			/* 3 */
		"\tmemory lots\n"		/* 4 */
		"service b\n"			/* 5 */
		"\texec /b\n"			/* 6 */
		"\tafter a\n"			/* 7: closes the cycle a -> b -> a */
		"\tnet br9\n"			/* 8 */
		"hostname x.y\n"		/* 9: fine, a service's hostname */
		"bogus\n"			/* 10 */
		"rescue /x\n";			/* 11 */
	conf_errors_free(&errs);
	struct conf *c = conf_parse(text, strlen(text), &errs);
	static const int lines[] = { 2, 4, 7, 8, 10, 11 };
	int ok = !c && errs.n == 6;
	for (int i = 0; ok && i < 6; i++)
		ok = errs.v[i].line == lines[i];
	CHECK(ok);
	if (!ok)
		print_errors();
	else
		CHECK(!strcmp(errs.v[2].msg, "dependency cycle: a -> b -> a"));
}

static void test_limits(void)
{
	char *buf = malloc(CONF_MAX_FILE + 2);
	struct conf *c;
	size_t n;

	/* a 4096-byte line is fine, 4097 is not; the next line is still read */
	n = (size_t)sprintf(buf, "service a\n\texec /a\n\tenv A=");
	size_t start = n - 7;	/* "\tenv A=" */
	memset(buf + n, 'x', CONF_MAX_LINE - (n - start));
	n += CONF_MAX_LINE - (n - start);
	n += (size_t)sprintf(buf + n, "\n");
	conf_errors_free(&errs);
	c = conf_parse(buf, n, &errs);
	CHECK(c && errs.n == 0 && strlen(c->svc[0].env[0]) == CONF_MAX_LINE - 5);
	conf_free(c);
	memmove(buf + start + 1, buf + start, n - start);
	n += (size_t)sprintf(buf + n + 1, "\tfrob\n") + 1;
	conf_errors_free(&errs);
	c = conf_parse(buf, n, &errs);
	CHECK(!c && errs.n == 2 && errs.v[0].line == 3 && !strcmp(errs.v[0].msg, "line longer than 4096 bytes"));
	CHECK(errs.n == 2 && errs.v[1].line == 4);

	/* a file over 1 MiB: one error, nothing read */
	memset(buf, '#', CONF_MAX_FILE + 1);
	conf_errors_free(&errs);
	c = conf_parse(buf, CONF_MAX_FILE + 1, &errs);
	CHECK(!c && errs.n == 1 && errs.v[0].line == 1 && !strcmp(errs.v[0].msg, "file larger than 1048576 bytes"));
	for (n = 99; n < CONF_MAX_FILE; n += 100)
		buf[n] = '\n';
	c = conf_parse(buf, CONF_MAX_FILE, &errs);
	CHECK(c && errs.n == 1);	/* 1 MiB exactly is fine */
	conf_free(c);

	/* 256 services fine, the 257th an error */
	n = 0;
	for (int i = 0; i < CONF_MAX_SERVICES; i++)
		n += (size_t)sprintf(buf + n, "service s%d\n\texec /x\n\tafter s%d\n", i, (i + 1) % CONF_MAX_SERVICES);
	conf_errors_free(&errs);
	c = conf_parse(buf, n, &errs);
	CHECK(!c && errs.n == 1 && !strncmp(errs.v[0].msg, "dependency cycle: s0 -> s1 -> ", 30));
	n = 0;
	for (int i = 0; i < CONF_MAX_SERVICES + 2; i++)
		n += (size_t)sprintf(buf + n, "service s%d\n\texec /x\n", i);
	conf_errors_free(&errs);
	c = conf_parse(buf, n, &errs);
	CHECK(!c && errs.n == 1 && errs.v[0].line == 2 * CONF_MAX_SERVICES + 1);
	CHECK(errs.n && !strcmp(errs.v[0].msg, "too many 'service' lines: the limit is 256"));

	/* a file of garbage: the error list stops growing */
	for (n = 0; n < CONF_MAX_FILE; n += 2)
		memcpy(buf + n, "x\n", 2);
	conf_errors_free(&errs);
	c = conf_parse(buf, n, &errs);
	CHECK(!c && errs.n == 1000 && !strcmp(errs.v[999].msg, "too many problems: stopped after 999"));
	free(buf);
}

static unsigned uid_of(const char *text, const char *name);

/* Does service a of TEXT mean what it does in SAME_AS? -1: either invalid. */
static int same_as(const char *same_as_text, const char *text)
{
	struct conf *c, *d;
	int r = -1;

	conf_errors_free(&errs);
	c = conf_parse(same_as_text, strlen(same_as_text), &errs);
	d = conf_parse(text, strlen(text), &errs);
	if (c && d && conf_find(c, "a") >= 0 && conf_find(d, "a") >= 0)
		r = conf_svc_same(c, &c->svc[conf_find(c, "a")], d, &d->svc[conf_find(d, "a")]);
	conf_free(c);
	conf_free(d);
	return r;
}

/* What a reload restarts a service for: its meaning, not its spelling. */
#define P "bridge br0 10.0.0.1/24\nservice a\nexec /a\nnet br0\n"
static void test_same(void)
{
	const char *a = "service a\n\texec /a b\nservice z\n\texec /z\n";
	const char *n = "bridge br0 10.0.0.1/24\nservice z\nexec /z\n"
			"service a\nexec /a\nafter z\nnet br0\nuidmap 200000\nstop-signal TERM\n";
	char u[64];

	CHECK(same_as(a, "# other comments\nservice a   # here\n  exec   \"/a\"  b\nservice y\n\texec /y\n") == 1);
	CHECK(same_as(a, "service z\n\texec /z\nservice a\n\texec /a b\n") == 1);
	CHECK(same_as(a, "service a\n\texec /a b\n\trestart always\n\tstop-timeout 5\n") == 1);
	CHECK(same_as(a, "service a\n\texec /a b c\n") == 0);
	CHECK(same_as(a, "service a\n\texec /a \"b\"\n\trestart never\n") == 0);
	CHECK(same_as(a, "service a\n\texec /ab\n") == 0);
	CHECK(same_as(a, "service a\n\texec \"/a b\"\n") == 0);
	CHECK(same_as("service a\n\texec /a\n\trestart never\n\tenv X=1\n",
		      "service a\n\texec /a\n\tenv X=1\n\trestart never\n") == 1);
	/* defaults and other spellings; `after` by name, in any order */
	CHECK(same_as(n, "bridge br0 10.0.0.1/24\nservice x\nexec /x\nservice z\nexec /z\n"
		      "service a\nstop-signal SIGTERM\nnet br0 auto\nafter z z\nuidmap 200000 65536\nexec /a\n") == 1);
	CHECK(same_as(n, "bridge br0 10.0.0.1/24\nservice z\nexec /z\nservice y\nexec /y\n"
		      "service a\nexec /a\nafter y\nnet br0\nuidmap 200000\nstop-signal TERM\n") == 0);
	CHECK(same_as(n, "bridge br0 10.0.0.1/24\nservice z\nexec /z\nservice y\nexec /y\n"
		      "service a\nexec /a\nafter y z\nnet br0\nuidmap 200000\nstop-signal TERM\n") == 0);
	CHECK(same_as(n, "bridge br0 10.0.0.1/24\nservice z\nexec /z\n"
		      "service a\nexec /a\nafter z\nnet br0\nuidmap 200000 5\nstop-signal TERM\n") == 0);
	CHECK(same_as(n, "bridge br0 10.0.0.1/24\nservice z\nexec /z\n"
		      "service a\nexec /a\nafter z\nnet br0\nuidmap 200000\nstop-signal HUP\n") == 0);
	/* each kind of setting: a scalar, a string, a list, a record's */
	CHECK(same_as(a, "service a\nexec /a b\nmemory 1M\n") == 0);
	CHECK(same_as("service a\nexec /a b\nmemory 1M\n", "service a\nexec /a b\nmemory 1024K\n") == 1);
	CHECK(same_as(a, "service a\nexec /a b\nworkdir /w\n") == 0);
	CHECK(same_as(a, "service a\nexec /a b\nenv X=1\n") == 0);
	CHECK(same_as("service a\nexec /a b\nbind /x /y\n", "service a\nexec /a b\nbind /x /y ro\n") == 1);
	CHECK(same_as("service a\nexec /a b\nbind /x /y\n", "service a\nexec /a b\nbind /x /y rw\n") == 0);
	CHECK(same_as(P "publish 80:80\n", P "publish 80:80/tcp\n") == 1);
	CHECK(same_as(P "publish 80:80\n", P "publish 80:81\n") == 0);
	CHECK(same_as(P "publish 80:80\n", P "publish 80:80/udp\n") == 0);
	CHECK(same_as(P "publish 80:80\n", P "publish 1.2.3.4:80:80\n") == 0);
	CHECK(same_as("service z\nexec /z\nservice a\nexec /a\njoin z\n",
		      "service a\nexec /a\njoin z\nservice z\nexec /z\n") == 1);
	CHECK(same_as("service z\nexec /z\nservice a\nexec /a\njoin z\n",
		      "service y\nexec /y\nservice z\nexec /z\nservice a\nexec /a\njoin y\n") == 0);
	/* an automatic range written out as its own `uidmap H` */
	snprintf(u, sizeof u, "service a\nexec /a\nuidmap %u\n", uid_of("service a\nexec /a\n", "a"));
	CHECK(same_as("service a\nexec /a\n", u) == 1);
	snprintf(u, sizeof u, "service a\nexec /a\nuidmap %u\n", uid_of("service a\nexec /a\n", "a") + 1);
	CHECK(same_as("service a\nexec /a\n", u) == 0);
}
#undef P

/* The host id of NAME's inside 0 in TEXT, 0 if none or invalid. */
static unsigned uid_of(const char *text, const char *name)
{
	conf_errors_free(&errs);
	struct conf *c = conf_parse(text, strlen(text), &errs);
	int i = c ? conf_find(c, name) : -1;
	unsigned u = i >= 0 ? c->svc[i].uidmap_host : 0;

	conf_free(c);
	return u;
}

static void test_uid_ranges(void)
{
	unsigned a = uid_of("service a\nexec /a\n", "a");
	char text[256], y[16];
	int n;

	/* by name, not position: inserting a service before it keeps it */
	CHECK(a >= CONF_UID_BASE && (a - CONF_UID_BASE) % CONF_UID_RANGE == 0);
	CHECK(a + CONF_UID_RANGE - 1 <= CONF_UID_BASE + CONF_UID_SLOTS * CONF_UID_RANGE - 1);
	CHECK(a == uid_of("service x\nexec /x\nservice a\nexec /a\n", "a"));
	CHECK(a != uid_of("service x\nexec /x\nservice a\nexec /a\n", "x"));
	CHECK(a == uid_of("service a\nexec /a\nrestart never\nservice x\nexec /x\n", "a"));
	/* no user namespace: no range */
	CHECK(uid_of("service a\nexec /a\nnamespaces pid mount\n", "a") == 0);
	CHECK(uid_of("service a\nexec /a\nuidmap 300000 5\n", "a") == 300000);
	/* a name of the same slot: the first in config order has it, the
	 * other the next free one */
	for (n = 0; n < 1000000; n++) {
		snprintf(y, sizeof y, "y%d", n);
		snprintf(text, sizeof text, "service %s\nexec /y\n", y);
		if (uid_of(text, y) == a)
			break;
	}
	CHECK(n < 1000000);
	snprintf(text, sizeof text, "service a\nexec /a\nservice %s\nexec /y\n", y);
	CHECK(uid_of(text, "a") == a);
	CHECK(uid_of(text, y) == a + CONF_UID_RANGE);
	snprintf(text, sizeof text, "service %s\nexec /y\nservice a\nexec /a\n", y);
	CHECK(uid_of(text, y) == a);
	CHECK(uid_of(text, "a") == a + CONF_UID_RANGE);

	/* explicit ranges that overlap another range */
	ERROR1("service a\nexec /a\nuidmap 200000 1000\nservice b\nexec /b\nuidmap 200999 10\n",
	       6, "'uidmap' 200999..201008 overlaps the 'uidmap' range of service 'a' (line 3)");
	ERROR1("service a\nexec /a\nservice b\nexec /b\nuidmap 1 4294967294\n",
	       5, "'uidmap' 1..4294967294 overlaps the automatic range of service 'a' (line 1)");
	uid_of("service a\nexec /a\nuidmap 200000 1000\nservice b\nexec /b\nuidmap 201000 10\n", "a");
	CHECK(errs.n == 0);
	uid_of("service a\nexec /a\nnamespaces none\nservice b\nexec /b\nuidmap 1 4294967294\n", "a");
	CHECK(errs.n == 0);
}

static void test_env(void)
{
	struct conf *c = valid("service a\nexec /a\nenv X=1\nenv HOME=/h\nenv PATH=/p\nenv Y=2\n", __LINE__);
	char **e = c ? c->svc[0].envp : NULL;

	CHECK(e && !strcmp(e[0], "TERM=linux") && !strcmp(e[1], "X=1") && !strcmp(e[2], "HOME=/h"));
	CHECK(e && !strcmp(e[3], "Y=2") && !strcmp(e[4], "PATH=/p") && !e[5]);
	CHECK(c && !strcmp(c->svc[0].path, "/p"));
	conf_free(c);
	c = valid("service a\nexec /a\n", __LINE__);
	e = c ? c->svc[0].envp : NULL;
	CHECK(e && !strcmp(e[0], "HOME=/") && !strcmp(e[1], "TERM=linux") && !e[3]);
	CHECK(e && !strcmp(e[2], "PATH=" CONF_DEFAULT_PATH));
	conf_free(c);
}

int main(void)
{
	test_tokenizer();
	test_defaults();
	test_globals();
	test_service();
	test_values();
	test_errors();
	test_many();
	test_limits();
	test_same();
	test_uid_ranges();
	test_env();
	conf_errors_free(&errs);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
