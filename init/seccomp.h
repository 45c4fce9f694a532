/* seccomp: the default filter of SPEC §3, built once, installed per service. */
#ifndef SANDINIT_SECCOMP_H
#define SANDINIT_SECCOMP_H

/* Build the BPF program (once, in PID 1, before any spawn). */
int seccomp_build(void);
/* Install it in the calling thread (needs no_new_privs already set). */
int seccomp_install(void);

#endif
