/* conf: the config language (SPEC §3) parsed and checked: bytes in, struct out. */
#ifndef SANDINIT_CONF_H
#define SANDINIT_CONF_H

#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_LINE 4096
#define CONF_MAX_FILE (1024 * 1024)
#define CONF_MAX_SERVICES 256
#define CONF_MAX_BRIDGES 64
#define CONF_MAX_IFACES 64
#define CONF_NAME_MAX 32
/* Automatic id ranges (`uidmap`, SPEC §3): CONF_UID_SLOTS ranges of
 * CONF_UID_RANGE ids from CONF_UID_BASE, the slot a hash of the service's
 * name. 32766 slots is as many as stay below 2^31 (the last id is
 * 2147452575): tools and file systems that keep ids as signed 32-bit
 * numbers, and (uid_t)-1, are never reached; host users (below 65536) and
 * root never are either. */
/* A service's PATH unless `env` sets one. */
#define CONF_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define CONF_UID_BASE 100000u
#define CONF_UID_RANGE 65536u
#define CONF_UID_SLOTS 32766u

/* Namespace bits of `namespaces`. */
enum {
	NS_USER = 1 << 0,
	NS_PID = 1 << 1,
	NS_MOUNT = 1 << 2,
	NS_NET = 1 << 3,
	NS_UTS = 1 << 4,
	NS_IPC = 1 << 5,
	NS_CGROUP = 1 << 6,
	NS_TIME = 1 << 7,
	NS_ALL = NS_USER | NS_PID | NS_MOUNT | NS_NET | NS_UTS | NS_IPC | NS_CGROUP,
};

enum restart_policy { RESTART_ALWAYS, RESTART_ON_FAILURE, RESTART_NEVER };
enum proc_mode { PROC_FULL, PROC_PID_ONLY };
/* `readonly overlay`: the root read-only under an overlayfs (mount.c) */
#define RO_OVERLAY 2

struct conf_bridge {
	char *name;
	uint32_t addr;		/* host byte order */
	int prefix;		/* 0..32 */
	int line;
};

/* `interface NAME CIDR [GATEWAY]` or `interface NAME dhcp`. */
struct conf_iface {
	char *name;
	int dhcp;		/* addresses come from the helper dhcp-NAME */
	uint32_t addr;		/* host byte order; 0 with dhcp */
	int prefix;
	uint32_t gateway;	/* 0: no default route */
	int line;
};

struct conf_sysctl {
	char *key;		/* as written, dots */
	char *value;
};

struct conf_mount {
	char *source, *target, *fstype;
	char *options;		/* as written, NULL if none */
	int line;
};

struct conf_bind {
	char *src, *dst;
	int rw;
};

/* `device PATH [rw|ro]`: a node, a glob or a directory under /dev. */
struct conf_device {
	char *path;
	int ro;
};

struct conf_tmpfs {
	char *dst;
	uint64_t size;		/* bytes, 0 = the default (mnt_tmpfs_size) */
	int mode;		/* -1 = the default: 1777 for /tmp, 0755 else */
};

struct conf_net {
	int bridge;		/* index into conf.bridges */
	uint32_t addr;		/* host byte order; 0 = auto */
	int line;
};

/* `publish [ADDR:]HOSTPORT:PORT[/tcp|/udp]` */
struct conf_publish {
	uint32_t addr;		/* host byte order; 0: every address of the appliance */
	uint16_t hostport, port;
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	int line;
};

/* `nat BRIDGE` */
struct conf_nat {
	char *name;		/* as written */
	int bridge;		/* index into conf.bridges, resolved by the checks */
	int line;
};

struct svc_conf {
	char name[CONF_NAME_MAX + 1];
	int line;		/* of its `service` line */

	char **argv;		/* NULL terminated; argv[0] is PATH */
	int argc;
	enum restart_policy restart;
	int *after;		/* indices into conf.svc */
	int nafter;
	int ready_fd;		/* -1: `ready started` */
	int critical;
	unsigned namespaces;	/* NS_* bits; 0 = none */
	char *root;		/* NULL: host / */
	int readonly;		/* 0, 1 or RO_OVERLAY (SPEC §3 `readonly`) */
	int syslog;		/* a /dev/log of its own (SPEC §3 `syslog`) */
	struct conf_bind *binds;
	int nbinds;
	struct conf_tmpfs *tmpfs;	/* /tmp is always added by the spawner */
	int ntmpfs;
	struct conf_device *devices;
	int ndevices;
	enum proc_mode proc;
	struct conf_net *nets;
	int nnets;
	struct conf_publish *publishes;
	int npublishes;
	int join;		/* index into conf.svc, -1 none */
	uint32_t uid, gid;
	uint32_t uidmap_host;	/* host id of inside 0, explicit or automatic
				 * (given by the parser to every service with
				 * a user namespace); 0 without one */
	uint32_t uidmap_count;	/* 0 = CONF_UID_RANGE */
	int uidmap_auto;	/* uidmap_host is automatic (no `uidmap`) */
	uint64_t caps;		/* bit N = capability N */
	int caps_set;		/* a `caps` line: a non-root user holds them too */
	int seccomp;		/* 1 default filter, 0 off */
	uint64_t memory;	/* bytes, 0 = unset */
	int64_t pids;		/* 0 = unset */
	int cpu;		/* percent, 0 = unset */
	uint64_t nofile;	/* 0 = unset */
	char **env;		/* KEY=VALUE, NULL terminated, as written */
	int nenv;
	char **envp;		/* what it is exec'd with (SPEC §3 `env`), sized
				 * by the parser: HOME=/ and TERM=linux unless
				 * env sets them, the env lines, PATH last */
	const char *path;	/* the PATH it is looked up with */
	char *workdir;		/* "/" if unset */
	char *hostname;		/* service name if unset */
	char *tty;		/* NULL: output to the log */
	int tty_graphics;	/* `tty /dev/ttyN graphics`: KD_GRAPHICS while it runs */
	int stop_signal;
	int stop_timeout;	/* seconds */
	int iface;		/* the DHCP helper of conf.ifaces[iface] (made by
				 * the parser, ready_fd its lease pipe), or -1 */
};

struct conf {
	char *hostname;		/* NULL if unset */
	char **modules;
	int nmodules;
	struct conf_bridge *bridges;
	int nbridges;
	struct conf_nat *nats;
	int nnats;
	struct conf_iface *ifaces;
	int nifaces;
	struct conf_sysctl *sysctls;
	int nsysctls;
	struct conf_mount *mounts;
	int nmounts;
	uint64_t log_size;	/* default 64K */
	char *log_file;		/* NULL if unset */
	uint64_t log_file_size;	/* rotated at this, default 1M */
	char *watchdog;		/* device, NULL if unset */
	int watchdog_sec;
	char *rescue;		/* default /bin/sh */
	struct svc_conf *svc;
	int nsvc;
};

struct conf_error {
	int line;
	char msg[240];
};

struct conf_errors {
	struct conf_error *v;	/* grown at powers of 2 */
	int n;
};

/* Parse LEN bytes. Every problem found is appended to ERRS (in line order);
 * returns NULL with ERRS->n > 0 if the config is invalid, or when out of
 * memory (errno ENOMEM, ERRS may be empty). */
struct conf *conf_parse(const char *buf, size_t len, struct conf_errors *errs);
void conf_free(struct conf *c);
void conf_errors_free(struct conf_errors *errs);

/* Do S of A and T of B mean the same (a reload leaves it alone)? Their
 * parsed settings, whatever the spelling or order of their lines: a
 * default spelled out or not, `after` in any order. Links are net_same's. */
int conf_svc_same(const struct conf *a, const struct svc_conf *s, const struct conf *b,
		  const struct svc_conf *t);

/* Index of service NAME, or -1. */
int conf_find(const struct conf *c, const char *name);

/* C's automatic id ranges again, for replacing OLD (a reload): each
 * service OLD has with an automatic range keeps it (unless one of C's
 * `uidmap`s takes it now), before the others take theirs by name; so a
 * service that a reload inserts never moves a running one (SPEC §3).
 * OLD NULL: the parse's own first assignment, by name only. */
void conf_keep_ids(struct conf *c, const struct conf *old);

/* Capability and signal names as the config spells them. */
const char *conf_cap_name(int cap);
const char *conf_signal_name(int sig);
/* The `namespaces` word of one NS_* bit, or NULL. */
const char *conf_ns_name(unsigned bit);

/* Docker's default capability set, the `caps` default. */
extern const uint64_t conf_default_caps;

#endif
