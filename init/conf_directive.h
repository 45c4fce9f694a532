/* conf_directive: what the directive table (conf_directive.c) and the
 * handlers of the global (conf_global.c) and service (conf_service.c)
 * directives share; nothing outside the parser uses it. */
#ifndef SANDINIT_CONF_DIRECTIVE_H
#define SANDINIT_CONF_DIRECTIVE_H

#include <stdint.h>

#include "conf.h"
#include "conf_parser.h"

/* The kinds of value and their hints, packed (conf_directive.c); the
 * first two hints, which handlers give too, there and nowhere else. */
extern const char conf_values[];
#define PATH_TEXT "use an absolute path"
#define SIZE_TEXT "use a number with K, M or G"
#define PATH_HINT (conf_values + 1)
#define SIZE_HINT (conf_values + sizeof PATH_TEXT + 3)	/* after "\1" PATH_TEXT "\0\0\13" */

/* A bad argument TOK of the current directive; HINT NULL: its usage says
 * what is valid. */
void conf_bad(struct parser *p, const char *tok, const char *hint);
/* "'KW' takes USAGE", of the current directive. */
void conf_usage(struct parser *p);
/* "too many 'KW' lines: the limit is LIMIT", of the current directive */
void conf_too_many(struct parser *p, int limit);
/* *FIELD (freed) becomes a copy of S. */
void conf_set_str(struct parser *p, char **field, const char *s);
/* Append a copy of S to the NULL-terminated array *V of *N strings. */
void conf_push_str(struct parser *p, char ***v, int *n, const char *s);
/* An absolute path argument S into *FIELD. */
void conf_path_arg(struct parser *p, char **field, const char *s);

/* The handlers: A holds the directive's N arguments, N checked against the
 * table's arity. conf_global.c: */
void conf_g_modules(struct parser *p, char **a, int n);
void conf_g_bridge(struct parser *p, char **a, int n);
void conf_g_interface(struct parser *p, char **a, int n);
void conf_g_log_file(struct parser *p, char **a, int n);
/* conf_service.c: */
void conf_s_service(struct parser *p, char **a, int n);
void conf_s_exec(struct parser *p, char **a, int n);
void conf_s_after(struct parser *p, char **a, int n);
#define conf_s_join conf_s_after	/* join: one name, not repeated (the table says) */
void conf_s_ready(struct parser *p, char **a, int n);
void conf_s_namespaces(struct parser *p, char **a, int n);
void conf_s_tmpfs(struct parser *p, char **a, int n);
void conf_s_net(struct parser *p, char **a, int n);
void conf_s_publish(struct parser *p, char **a, int n);
void conf_s_user(struct parser *p, char **a, int n);
void conf_s_uidmap(struct parser *p, char **a, int n);
#define conf_s_caps conf_s_namespaces	/* caps: a set of names too */
void conf_s_env(struct parser *p, char **a, int n);
void conf_s_tty(struct parser *p, char **a, int n);

#endif
