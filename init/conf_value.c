/* conf_value: the value parsers of the config language (SPEC §3): numbers,
 * sizes, addresses, names, capabilities and signals; and the IPv4 address
 * formatter and netmask the other modules share. Pure, no syscalls. */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_value.h"
#include "util.h"


static const char *const cap_names[CONF_CAP_LAST + 1] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid",
	"kill", "setgid", "setuid", "setpcap", "linux_immutable",
	"net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot",
	"sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease",
	"audit_write", "audit_control", "setfcap", "mac_override",
	"mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read",
	"perfmon", "bpf", "checkpoint_restore",
};

#define CAP(n) (UINT64_C(1) << (n))
/* chown dac_override fowner fsetid kill setgid setuid setpcap
 * net_bind_service net_raw sys_chroot mknod audit_write setfcap */
const uint64_t conf_default_caps = CAP(0) | CAP(1) | CAP(3) | CAP(4) |
	CAP(5) | CAP(6) | CAP(7) | CAP(8) | CAP(10) | CAP(13) | CAP(18) |
	CAP(27) | CAP(29) | CAP(31);

/* Names in place, not pointers: 8 bytes an entry (issue 15). */
static const struct {
	char name[7];
	unsigned char sig;
} signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },
	{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH }, { "IO", SIGIO }, { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

/* Linux's highest real-time signal (the libc's SIGRTMAX is a function). */
#define SIG_LAST 64

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c);
}

static int is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* Every byte of S is alphanumeric or in EXTRA; S has 1..MAX bytes. */
static int all_of(const char *s, const char *extra, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return -1;
	for (; *s; s++)
		if (!is_alnum(*s) && !strchr(extra, *s))
			return -1;
	return 0;
}

int conf_digits(const char *s, const char **end, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	for (; is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (p == s)
		return -1;
	*end = p;
	*out = v;
	return 0;
}

int conf_number(const char *s, uint64_t max, uint64_t *out)
{
	const char *end;

	if (conf_digits(s, &end, max, out) < 0 || *end)
		return -1;
	return 0;
}

int conf_size(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int shift = 0;

	if (conf_digits(s, &end, UINT64_MAX, &v) < 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'K': case 'k':
		shift = 10;
		break;
	case 'M': case 'm':
		shift = 20;
		break;
	case 'G': case 'g':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (shift && end[1])
		return -1;
	if (v > UINT64_MAX >> shift)
		return -1;
	*out = v << shift;
	return 0;
}

/* An octet is 0..255 without leading zeros (inet_aton would read 010 as
 * octal: refuse the ambiguity). */
static int octet(const char **s, uint32_t *out)
{
	const char *end;
	uint64_t v;

	if (conf_digits(*s, &end, 255, &v) < 0 || end - *s > 3)
		return -1;
	if (**s == '0' && end - *s > 1)
		return -1;
	*s = end;
	*out = (uint32_t)v;
	return 0;
}

static int ipv4_prefix(const char *s, const char **end, uint32_t *addr)
{
	uint32_t a = 0, o;

	for (int i = 0; i < 4; i++) {
		if (i && *s++ != '.')
			return -1;
		if (octet(&s, &o) < 0)
			return -1;
		a = a << 8 | o;
	}
	*end = s;
	*addr = a;
	return 0;
}

int conf_ipv4(const char *s, uint32_t *addr)
{
	const char *end;

	if (ipv4_prefix(s, &end, addr) < 0 || *end)
		return -1;
	return 0;
}

int conf_cidr(const char *s, uint32_t *addr, int *prefix)
{
	const char *end;
	uint64_t n;

	if (ipv4_prefix(s, &end, addr) < 0 || *end++ != '/')
		return -1;
	if (conf_number(end, 32, &n) < 0 || (end[0] == '0' && end[1]))
		return -1;
	*prefix = (int)n;
	return 0;
}

int conf_service_name(const char *s)
{
	if (!is_lower_alnum(s[0]) || strlen(s) > CONF_NAME_MAX)
		return -1;
	for (s++; *s; s++)
		if (!is_lower_alnum(*s) && *s != '_' && *s != '-')
			return -1;
	return 0;
}

int conf_hostname(const char *s)
{
	if (s[0] == '-' || s[0] == '.')
		return -1;
	return all_of(s, "-.", 64);
}

/* IFNAMSIZ is 16 with the NUL; the kernel refuses "." and "..", and
 * "all" and "default", /proc/sys/net/ipv4/conf's own entries (EINVAL). */
int conf_ifname(const char *s)
{
	static const char *const kept[] = { ".", "..", "all", "default" };

	for (size_t i = 0; i < sizeof(kept) / sizeof(*kept); i++)
		if (!strcmp(s, kept[i]))
			return -1;
	return all_of(s, "_.-", 15);
}

/* MODULE_NAME_LEN is 64 - sizeof(unsigned long). */
int conf_module_name(const char *s)
{
	return all_of(s, "_-", 55);
}

int conf_sysctl_key(const char *s)
{
	if (all_of(s, "_-.", 255) < 0 || s[0] == '.')
		return -1;
	for (; *s; s++)
		if (s[0] == '.' && (s[1] == '.' || s[1] == '\0'))
			return -1;
	return 0;
}

int conf_fstype(const char *s)
{
	return all_of(s, "_.-", 64);
}

int conf_env(const char *s)
{
	const char *eq = strchr(s, '=');

	if (!eq || eq == s || is_digit(s[0]))
		return -1;
	for (; s < eq; s++)
		if (!is_alnum(*s) && *s != '_')
			return -1;
	return 0;
}

int conf_abs_path(const char *s)
{
	return s[0] == '/' ? 0 : -1;
}

int conf_dev_path(const char *s)
{
	return strncmp(s, "/dev/", 5) || !s[5] ? -1 : 0;
}

int conf_vt(const char *s)
{
	uint64_t n;
	const char *end;

	if (strncmp(s, "/dev/tty", 8) || s[8] < '1' || s[8] > '9')
		return 0;
	return conf_digits(s + 8, &end, 63, &n) < 0 || *end ? 0 : (int)n;
}

int conf_cap(const char *s)
{
	if (!strncasecmp(s, "cap_", 4))
		s += 4;
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (!strcasecmp(s, cap_names[i]))
			return (int)i;
	return -1;
}

const char *conf_cap_name(int cap)
{
	if (cap < 0 || cap > CONF_CAP_LAST)
		return NULL;
	return cap_names[cap];
}

int conf_signal(const char *s)
{
	uint64_t n;

	if (is_digit(s[0]))
		return conf_number(s, SIG_LAST, &n) < 0 || n == 0 ? -1 : (int)n;
	if (!strncasecmp(s, "sig", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (!strcasecmp(s, signals[i].name))
			return signals[i].sig;
	return -1;
}

const char *conf_signal_name(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return NULL;
}

const char *conf_ip_str(char out[16], uint32_t a)
{
	snprintf(out, 16, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
	return out;
}

uint32_t conf_prefix_mask(int prefix)
{
	return prefix ? ~UINT32_C(0) << (32 - prefix) : 0;
}
