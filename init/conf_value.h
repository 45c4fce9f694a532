/* conf_value: the value parsers of the config language, shared by conf.c and
 * its tests, and the IPv4 address and netmask helpers every module uses. */
#ifndef SANDINIT_CONF_VALUE_H
#define SANDINIT_CONF_VALUE_H

#include <stdint.h>

/* Each returns 0 if S is valid (storing what it means), else -1. */
int conf_number(const char *s, uint64_t max, uint64_t *out);	/* decimal, 0..MAX */
/* The leading decimal digits of S (at least one, at most MAX: no sign, no
 * space), *END after them: what strtoul would be asked for, without
 * libc's 2.5 KB number scanner. */
int conf_digits(const char *s, const char **end, uint64_t max, uint64_t *out);
int conf_size(const char *s, uint64_t *out);	/* N, NK, NM, NG: powers of 1024 */
int conf_ipv4(const char *s, uint32_t *addr);	/* a.b.c.d, host byte order */
int conf_cidr(const char *s, uint32_t *addr, int *prefix);	/* a.b.c.d/N */
int conf_service_name(const char *s);	/* [a-z0-9][a-z0-9_-]{0,31} */
int conf_hostname(const char *s);	/* letters, digits, '-', '.'; up to 64 */
int conf_ifname(const char *s);		/* a network interface name */
int conf_module_name(const char *s);
int conf_sysctl_key(const char *s);	/* a.b.c, no empty or '..' parts */
int conf_fstype(const char *s);
int conf_env(const char *s);		/* KEY=VALUE, KEY a C identifier */
int conf_abs_path(const char *s);
int conf_dev_path(const char *s);	/* /dev/... */
int conf_vt(const char *s);	/* N of /dev/ttyN (1-63), else 0 */

/* ADDR (host byte order) as a.b.c.d in OUT, which it returns. */
const char *conf_ip_str(char out[16], uint32_t addr);
/* The netmask of PREFIX (0..32), host byte order. */
uint32_t conf_prefix_mask(int prefix);

/* The index of S in LIST, words each ended by a NUL, an empty one last;
 * or -1. */
int conf_word(const char *list, const char *s);
/* The Ith of the N words of LIST, or NULL. */
const char *conf_nth(const char *list, int n, int i);

/* These return what S means, or -1. */
int conf_cap(const char *s);		/* chown, CAP_CHOWN, ...: 0..CONF_CAP_LAST */
int conf_signal(const char *s);		/* TERM, SIGTERM, 15 */

#define CONF_CAP_LAST 40

#endif
