/* boot: what PID 1 does once at start and once at the end: early mounts,
 * leaving the initramfs, modules, sysctl, mounts, the rescue program,
 * shutdown and reboot. */
#ifndef SANDINIT_BOOT_H
#define SANDINIT_BOOT_H

#include <sys/types.h>
#include "conf.h"

enum boot_action { BOOT_REBOOT, BOOT_HALT, BOOT_POWEROFF };

/* Mount what is missing of /proc /sys /dev /dev/pts /dev/shm /run
 * /sys/fs/cgroup; leave an initramfs root for a tmpfs. Logs its own
 * failures (nothing here is fatal). */
void boot_early(void);
/* "unable to WHAT: %m" on the console: PID 1's failures that name no
 * object but what it tried (one format for all of them). */
void boot_unable(const char *what);
/* "unable to WHAT OBJ: %m", the same for a failure about OBJ. */
void boot_unable_of(const char *what, const char *obj);
/* PID 1, and each sandbox's first process until it execs the service, run
 * at this nice: the supervisor and the making of sandboxes go before the
 * services' own work, so a busy service neither slows the boot or a restart
 * nor the control socket and watchdog. Every exec'd program gets 0 back. */
#define PID1_NICE (-10)
/* PID 1's session, autogroup and nice (PID1_NICE). Logs failures. */
void boot_priority(void);
/* The config path: `sandinit.config=` on /proc/cmdline, else DEFAULT. */
const char *boot_config_path(const char *dflt);
/* The kernel feature line (SPEC §4). */
void boot_features(void);
/* Global directives: hostname, modules, sysctl, mounts. Logs failures.
 * Once, with the first valid config. */
void boot_apply(const struct conf *c);
/* A reload from OLD to C: a changed hostname is set, added modules (and
 * those of missing `device` nodes) loaded, changed sysctls written; mounts
 * are only those of the boot (a changed `mount` line is reported: it
 * applies at the next boot). */
void boot_reload(const struct conf *old, const struct conf *c);
/* Load module NAME (and first its softdep=pre: and depends= modules).
 * 0 loaded, present or built in; -1 failed, logged the first time only. */
int boot_module(const char *name);
/* C's modules: its `modules` lines, what its nat and publish lines need
 * (SPEC §10) and those that make its missing `device` nodes (§3). Before
 * the kernel line, so that it shows what they brought. Its interface
 * lines' network drivers are left for boot_modules_late. */
void boot_modules(const struct conf *c);
/* Are the network drivers still to load? */
int boot_modules_later(void);
/* Load them (once, in PID 1): when the boot is ready, or
 * BOOT_NIC_LATEST_MS after PID 1's start if it is not by then. */
#define BOOT_NIC_LATEST_MS 10000
void boot_modules_late(const struct conf *c);
/* Start the rescue program PATH on the console; returns its pid or -1. */
pid_t boot_rescue(const char *path);
/* The final line's word for A: reboot, halt or poweroff. */
const char *boot_word(enum boot_action a);
/* The end: TERM then KILL to everything left (REAP is called to reap while
 * waiting), sync, unmount/remount read-only what boot_apply mounted, final
 * line, reboot(2). */
void boot_final(enum boot_action a, void (*reap)(void))
	__attribute__((noreturn));

#endif
