/* conf_fuzz: libFuzzer target for the config parser: any bytes in, no crash,
 * no leak, and the result keeps the promises of conf.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct conf *c, const struct conf_errors *e)
{
	for (int i = 1; i < e->n; i++)
		if (e->v[i - 1].line > e->v[i].line || e->v[i].line < 1)
			__builtin_trap();
	if (!c)
		return;
	if (e->n)
		__builtin_trap();
	for (int i = 0; i < c->nsvc; i++) {
		const struct svc_conf *s = &c->svc[i];
		if (!s->argv || !s->argv[0] || s->argv[s->argc] || s->env[s->nenv])
			__builtin_trap();
		if (s->join >= c->nsvc || s->join == i || conf_find(c, s->name) != i)
			__builtin_trap();
		/* what a reload compares reads all of it, and finds it the same */
		if (!conf_svc_same(c, s, c, s))
			__builtin_trap();
		for (int k = 0; k < s->nafter; k++)
			if (s->after[k] < 0 || s->after[k] >= c->nsvc)
				__builtin_trap();
		for (int k = 0; k < s->nnets; k++)
			if (s->nets[k].bridge < 0 || s->nets[k].bridge >= c->nbridges)
				__builtin_trap();
		/* the exec environment: every env line but PATH's, and PATH */
		int n = 0;
		while (s->envp && s->envp[n])
			n++;
		if (!s->envp || n > s->nenv + 3 || !s->path || strncmp(s->envp[n - 1], "PATH=", 5))
			__builtin_trap();
		/* an id range with a user namespace, never host root, no two
		 * overlapping */
		uint64_t end = (uint64_t)s->uidmap_host + (s->uidmap_count ? s->uidmap_count : CONF_UID_RANGE);
		if ((s->namespaces & NS_USER) && (!s->uidmap_host || end - 1 > 4294967294u))
			__builtin_trap();
		for (int j = 0; j < i && (s->namespaces & NS_USER); j++) {
			const struct svc_conf *o = &c->svc[j];
			uint64_t oend = (uint64_t)o->uidmap_host + (o->uidmap_count ? o->uidmap_count : CONF_UID_RANGE);

			if ((o->namespaces & NS_USER) && s->uidmap_host < oend && o->uidmap_host < end)
				__builtin_trap();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_parse((const char *)data, size, &errs);

	check(c, &errs);
	conf_free(c);
	conf_errors_free(&errs);
	return 0;
}
