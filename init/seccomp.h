/* seccomp: the default filter of SPEC §3, built once, installed per service. */
#ifndef SANDINIT_SECCOMP_H
#define SANDINIT_SECCOMP_H

/* Build the BPF program (once, in PID 1, before any spawn). */
int seccomp_build(void);
/* Install it in the calling thread (needs no_new_privs already set). */
int seccomp_install(void);

/* Install, on top of what is there, a filter that allows only the N
 * system calls NRS (of this architecture, SYS_ numbers; -1 entries are
 * skipped) and kills the process at any other: the later, tighter stage
 * of a helper that has done its setup. */
int seccomp_allow_only(const int *nrs, int n);

#endif
