/* conf_parser: the parser's state and the helpers that conf.c, conf_check.c
 * and the directives' files (conf_directive.h) share; nothing outside them
 * uses it. */
#ifndef SANDINIT_CONF_PARSER_H
#define SANDINIT_CONF_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "util.h"

#define MAX_BRIDGES CONF_MAX_BRIDGES
#define MAX_NETS 8		/* NET_MAX_LINKS of net.h */
#define MAX_DIRECTIVES 48
#define MAX_ERRORS 1000
#define ID_MAX 4294967294u	/* (uid_t)-1 is never an id */
#define SHOW_MAX 40		/* bytes of a token quoted in a message */
#define FNV_BASIS UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)

enum { GLOBAL = 1, SERVICE = 2, ANY = 3 };

struct ref {
	char *name;
	int line;
	int idx;		/* resolved service, -1 unknown */
};

/* What struct svc_conf does not keep but the checks at the end need. */
struct svc_extra {
	struct ref *after;
	int nafter;
	struct ref join;
	int exec_line, user_line, tty_line;
	int uidmap_line;	/* an explicit uidmap's; 0 automatic */
	int unread;		/* a line of it could not be split: its exec may be there */
	int first[MAX_DIRECTIVES];	/* line of each directive's first use */
};

struct parser {
	struct conf *c;
	struct conf_errors *errs;
	int nerr0;		/* errs->n before this file */
	int oom;
	int stop;		/* MAX_ERRORS reached */
	int line;
	struct svc_conf *svc;	/* being read; NULL before the first service */
	struct svc_extra *x;	/* its extra */
	struct svc_extra *xs;	/* one per c->svc */
	/* Past CONF_MAX_SERVICES a service is read here, checked and dropped. */
	struct svc_conf spare;
	struct svc_extra xspare;
	int too_many;
	int gfirst[MAX_DIRECTIVES];
	char buf[CONF_MAX_LINE + 1];
	char *tok[CONF_MAX_LINE / 2 + 2];
	int ntok;
};

/* Report a problem at LINE (0: the current line); conf_report at the
 * current line (one variadic function, not two: its prologue saves every
 * argument register). */
__attribute__((format(printf, 3, 4)))
void conf_report_at(struct parser *p, int line, const char *fmt, ...);
#define conf_report(p, ...) conf_report_at(p, 0, __VA_ARGS__)
/* S, shortened to fit a message. */
const char *conf_show(char out[SHOW_MAX + 4], const char *s);
/* strdup, or NULL with p->oom set. */
char *conf_copy(struct parser *p, const char *s);
/* Room for element N of array V (N in use); capacity doubles at powers of 2.
 * Returns the array, maybe moved, or NULL with p->oom set. */
void *conf_grow(struct parser *p, void *v, int n, size_t size);
/* A new element, zeroed, at the end of the array at *VP (a pointer to a
 * struct's array) of *N elements of SIZE bytes, grown as conf_grow does and
 * counted: NULL with p->oom set. (A string of it that could not be copied
 * is NULL: parsing stops, and the arrays are only freed.) */
void *conf_add(struct parser *p, void *vp, int *n, size_t size);
/* The index of bridge NAME in C, or -1. */
int conf_bridge_find(const struct conf *c, const char *name);
void conf_svc_free(struct svc_conf *s);
void conf_extra_free(struct svc_extra *x);

/* conf_directive.c: one line's tokens, p->tok[0..ntok), checked and stored. */
void conf_directive(struct parser *p);
/* The line of service directive KW's first use in X, 0 if none. */
int conf_first_line(const struct svc_extra *x, const char *kw);
/* conf_check.c: the checks that need the whole file, once it is read. */
void conf_check(struct parser *p);
/* conf_service.c: a service dhcp-NAME for each `interface NAME dhcp`,
 * after the config's own (before conf_check resolves names). */
void conf_dhcp_services(struct parser *p);

#endif
