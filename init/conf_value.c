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

/* Capability N's name is the Nth of these, packed: no pointer apiece. */
static const char cap_names[] =
	"chown\0" "dac_override\0" "dac_read_search\0" "fowner\0" "fsetid\0"
	"kill\0" "setgid\0" "setuid\0" "setpcap\0" "linux_immutable\0"
	"net_bind_service\0" "net_broadcast\0" "net_admin\0" "net_raw\0"
	"ipc_lock\0" "ipc_owner\0" "sys_module\0" "sys_rawio\0" "sys_chroot\0"
	"sys_ptrace\0" "sys_pacct\0" "sys_admin\0" "sys_boot\0" "sys_nice\0"
	"sys_resource\0" "sys_time\0" "sys_tty_config\0" "mknod\0" "lease\0"
	"audit_write\0" "audit_control\0" "setfcap\0" "mac_override\0" "mac_admin\0"
	"syslog\0" "wake_alarm\0" "block_suspend\0" "audit_read\0" "perfmon\0"
	"bpf\0" "checkpoint_restore\0";

#define CAP(n) (UINT64_C(1) << (n))
/* chown dac_override fowner fsetid kill setgid setuid setpcap
 * net_bind_service net_raw sys_chroot mknod audit_write setfcap */
const uint64_t conf_default_caps = CAP(0) | CAP(1) | CAP(3) | CAP(4) |
	CAP(5) | CAP(6) | CAP(7) | CAP(8) | CAP(10) | CAP(13) | CAP(18) |
	CAP(27) | CAP(29) | CAP(31);

/* Signal N's name (1..31) is the Nth of these, packed: no pointer or
 * number apiece (issue 15). Linux numbers them so on x86 and arm, as
 * asm-generic does. */
static const char signals[] =
	"HUP\0" "INT\0" "QUIT\0" "ILL\0" "TRAP\0" "ABRT\0" "BUS\0" "FPE\0" "KILL\0"
	"USR1\0" "SEGV\0" "USR2\0" "PIPE\0" "ALRM\0" "TERM\0" "STKFLT\0" "CHLD\0"
	"CONT\0" "STOP\0" "TSTP\0" "TTIN\0" "TTOU\0" "URG\0" "XCPU\0" "XFSZ\0"
	"VTALRM\0" "PROF\0" "WINCH\0" "IO\0" "PWR\0" "SYS\0";
_Static_assert(SIGBUS == 7 && SIGUSR1 == 10 && SIGUSR2 == 12 && SIGSTKFLT == 16 &&
	       SIGCHLD == 17 && SIGCONT == 18 && SIGSTOP == 19 && SIGTSTP == 20 &&
	       SIGURG == 23 && SIGIO == 29 && SIGPWR == 30 && SIGSYS == 31, "signals[]' order");

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

__attribute__((noinline)) static int is_alnum(char c)
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
	static const char units[] = "KkMmGg";
	const char *end, *u;
	uint64_t v;
	int shift = 0;

	if (conf_digits(s, &end, UINT64_MAX, &v) < 0)
		return -1;
	if (*end) {
		if (!(u = strchr(units, *end)) || end[1])
			return -1;
		shift = (int)(u - units) / 2 * 10 + 10;
	}
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
	if (conf_word(".\0..\0all\0default\0", s) >= 0)
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

/* The index of S (case aside) in packed LIST of N names, or -1. */
static int find_name(const char *list, int n, const char *s)
{
	for (int i = 0; i < n; i++, list += strlen(list) + 1)
		if (!strcasecmp(s, list))
			return i;
	return -1;
}

const char *conf_nth(const char *list, int n, int i)
{
	if (i < 0 || i >= n)
		return NULL;
	while (i--)
		list += strlen(list) + 1;
	return list;
}

int conf_word(const char *list, const char *s)
{
	for (int i = 0; *list; i++, list += strlen(list) + 1)
		if (!strcmp(list, s))
			return i;
	return -1;
}

int conf_cap(const char *s)
{
	if (!strncasecmp(s, "cap_", 4))
		s += 4;
	return find_name(cap_names, CONF_CAP_LAST + 1, s);
}

const char *conf_cap_name(int cap)
{
	return conf_nth(cap_names, CONF_CAP_LAST + 1, cap);
}

int conf_signal(const char *s)
{
	uint64_t n;
	int i;

	if (is_digit(s[0]))
		return conf_number(s, SIG_LAST, &n) < 0 || n == 0 ? -1 : (int)n;
	if (!strncasecmp(s, "sig", 3))
		s += 3;
	i = find_name(signals, 31, s);
	return i < 0 ? -1 : i + 1;
}

const char *conf_signal_name(int sig)
{
	return conf_nth(signals, 31, sig - 1);
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
