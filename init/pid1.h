/* pid1.h: read first by every object of out/sandinit (the Makefile's
 * PID1_CFLAGS, -include; the host builds and unit tests keep their libc's
 * errno). errno is one plain variable (init/start.c), not a field of
 * musl's thread struct reached through a call of __errno_location: each
 * use is a load or a store (issue 15: 0.4 KB over about 200 uses).
 * sandinit has one thread; a forked child has its own copy, and a child
 * cloned with CLONE_VM shares it as it shared the parent's thread struct. */
#include <errno.h>
#ifndef __GLIBC__
extern int sandinit_errno;
#undef errno
#define errno sandinit_errno
#endif
