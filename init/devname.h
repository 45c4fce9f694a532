/* devname: depmod's modules.devname, which module makes a device node
 * (SPEC §3 `device`): bytes in, a module name out, no syscalls. */
#ifndef SANDINIT_DEVNAME_H
#define SANDINIT_DEVNAME_H

#include <stddef.h>

/* A line longer than this is no line of depmod's (skipped whole). */
#define DEVNAME_LINE_MAX 512

/* The module that makes /dev/NODE (NODE without the "/dev/"), as MAP (LEN
 * bytes, any bytes, no terminating NUL needed) says: depmod's lines
 * `MODULE NODE TYPEMAJOR:MINOR` (`tun net/tun c10:200`), `#` comments;
 * a line that is not one of those is skipped. The name goes into MOD
 * (SIZE bytes). 0, or -1 with ENOENT. */
int devname_module(const char *map, size_t len, const char *node, char *mod, size_t size);

#endif
