/* supervise_reload: the running config and the slots its services live in:
 * the first load, and a reload that starts added services, stops removed
 * ones and restarts changed ones, letting an older config go once no
 * stopping service still has its settings in it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "firewall.h"
#include "net.h"
#include "supervise_int.h"
#include "util.h"

struct sup_state sup;

const struct conf *sup_conf(void)
{
	return sup.cur;
}

/* Free OC once it is not the running config and no service's settings
 * are in it any more. */
static void let_go(struct conf *oc)
{
	if (!oc || oc == sup.cur || oc == sup.replaced)
		return;
	FOR_SLOTS(s)
		if (s->conf == oc)
			return;
	conf_free(oc);
}

/* S, a free slot, set up for CF's service INDEX, waiting; a failure of its
 * pipes is said here. */
static void setup_service(struct service *s, struct conf *cf, int index)
{
	struct svc_conf *c = &cf->svc[index];

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->conf = cf;
	s->index = index;
	s->want_up = 1;
	s->backoff_ms = BACKOFF_MIN_MS;
	s->out.fd = s->err.fd = s->ready.fd = s->status.fd = s->net.fd = -1;
	s->syslog.w.fd = -1;
	s->out_w = s->err_w = s->ready_w = s->sync_w = s->netns_fd = -1;
	s->last_exit = -1;
	s->state = ST_WAITING;
	s->since = now_ms();
	if (sup_io_open(s) < 0)
		log_msg("%s: unable to %s: %m", c->name, "set up its pipes");
}

/* Slots enough for N services besides those in use: allocated now, so a
 * load or reload fails here, before anything changes. */
static int reserve(int n)
{
	struct service **v, *fresh;

	for (int i = 0; i < sup.nslots; i++)
		n -= !sup.slots[i]->c;
	if (n <= 0)
		return 0;
	if (!(v = realloc(sup.slots, (size_t)(sup.nslots + n) * sizeof(*v))))
		return -1;
	sup.slots = v;
	if (!(fresh = calloc((size_t)n, sizeof(*fresh))))
		return -1;
	for (int i = 0; i < n; i++)
		v[sup.nslots++] = &fresh[i];
	return 0;
}

/* A slot not in use (reserve made sure there is one). */
static struct service *free_slot(void)
{
	int i = 0;

	while (sup.slots[i]->c)
		i++;
	return sup.slots[i];
}

int sup_load(struct conf *c, int cgroups)
{
	const char *step = "assign addresses";

	/* +1: no calloc(0), whose NULL would mean no memory. */
	if (reserve(c->nsvc) < 0 ||
	    !(sup.svc_of = calloc((size_t)c->nsvc + 1, sizeof(*sup.svc_of))))
		return -1;
	sup.cur = c;
	sup.jitter = (uint32_t)now_us() | 1;
	sup.have_cgroups = cgroups;
	/* (each step goes on whether or not the one before failed) */
	for (int i = 0; i < 3; i++)
		if ((i == 0   ? net_assign(c, NULL, &step)
		     : i == 1 ? net_bridges(c, NULL, &step)
			      : fw_load(c, &step)) < 0)
			log_msg("unable to %s: %m", step);
	for (int i = 0; i < c->nsvc; i++) {
		struct service *s = free_slot();

		sup.svc_of[i] = s;
		setup_service(s, c, i);
		sup.nsvc = i + 1;
	}
	sup_resolve();
	return 0;
}

/* Free the slot of a removed service (its pipes, its ring). */
static void release(struct service *s)
{
	struct conf *oc = s->conf;

	/* Its namespace may linger (orphaned TCP sockets): its host ends go
	 * down now, before a reload can give its address to another. */
	net_detach(s->c);
	net_forget(s->c->name);
	sup_io_close(s);
	memset(s, 0, sizeof(*s));
	let_go(oc);
}

void sup_settle_reload(struct service *s)
{
	if (sup.shutting_down)
		return;
	if (s->index < 0) {
		release(s);
	} else if (s->next) {
		struct conf *oc = s->conf;

		s->c = s->next;
		s->conf = sup.cur;	/* where a reload's next always is */
		s->next = NULL;
		sup_fresh(s);
		if (sup_io_ready(s) < 0)
			log_msg("%s: unable to %s: %m", s->c->name, "set up its ready pipe");
		/* `initctl stop` during the restart: stopped, with its new
		 * settings; a start then runs those. */
		sup_became(s, s->want_up ? ST_WAITING : ST_STOPPED);
		let_go(oc);
	}
}

/* Can NC replace the running config? Its added services get slots now
 * (removed ones still stopping keep theirs). MAP gets, for each of NC's
 * services, the running one of its name or NULL. */
static int reload_fits(const struct conf *nc, struct service **map)
{
	int added = 0;

	if (sup.shutting_down) {
		errno = EBUSY;
		return -1;
	}
	for (int i = 0; i < nc->nsvc; i++)
		added += !(map[i] = sup_find(nc->svc[i].name));
	return reserve(added);
}

/* The kernel's side of NC: its addresses, bridges and firewall table, all
 * or nothing: a failing step undoes those before it (each undoes itself),
 * so the running config's stay as they were. Said once, on failure. */
static int reload_kernel(struct conf *nc, const struct conf *old)
{
	const char *step = "assign addresses";

	if (net_assign(nc, old, &step) < 0 || net_bridges(nc, old, &step) < 0)
		goto fail;
	/* Before any older config is let go: the firewall's running services
	 * move to NC's lines (or lose their rules, changed). */
	if (fw_load(nc, &step) < 0) {
		net_bridges_undo();
		goto fail;
	}
	net_bridges_done();
	return 0;
fail:
	log_msg("reload: unable to %s: %m", step);
	return -1;
}

/* The running services NC lacks: stopped, their slots freed once ended. */
static void reload_removed(const struct conf *nc)
{
	for (int i = 0; i < sup.nsvc; i++) {
		struct service *s = sup.svc_of[i];

		if (conf_find(nc, s->c->name) < 0) {
			s->index = -1;
			s->next = NULL;
			log_msg("reload: %s removed: stopping it", s->c->name);
			s->want_up = 0;
			if (s->pid)
				sup_stop_later(s);
			else
				release(s);
		}
	}
}

/* The slot of a service NAME a reload removed whose run still stops. */
static struct service *removed_stopping(const char *name)
{
	FOR_SLOTS(s)
		if (s->index < 0 && !strcmp(s->c->name, name))
			return s;
	return NULL;
}

/* NC's service I, S the running one of its name (NULL: added): set up,
 * restarted if changed, else moved to NC's settings. */
__attribute__((noinline)) static struct service *reload_one(struct conf *nc, int i, struct service *s, struct service **map)
{
	struct svc_conf *c = &nc->svc[i];
	const char *w = NULL;	/* a dependency stopped by `initctl stop` */

	if (!s && (s = removed_stopping(c->name))) {
		/* Removed by an earlier reload, its run still stopping: its
		 * cgroup, address and name are that run's until it ends, so
		 * it starts again with NC's settings then, as a changed one. */
		log_msg("reload: %s added back: starts once its old run ends", c->name);
		s->next = c;
		s->index = i;
		s->want_up = 1;
	} else if (!s) {
		s = free_slot();
		setup_service(s, nc, i);
		log_msg("reload: %s added", c->name);
	} else if (!conf_svc_same(s->conf, s->c, nc, c) || !net_same(s->conf, s->c, nc, c)) {
		/* Up again once stopped, unless `initctl stop` said otherwise,
		 * before the reload or before its run ends (sup_settle_reload);
		 * its new run waits for a stopped dependency, as a start would. */
		for (int j = 0; j <= c->nafter; j++) {
			int d = j < c->nafter ? c->after[j] : c->join;

			if (d >= 0 && map[d] && !map[d]->want_up)
				w = nc->svc[d].name;
		}
		if (w && s->want_up)
			log_msg("reload: %s changed: restarting it after %s (stopped)", c->name, w);
		else
			log_msg("reload: %s changed: %s", c->name,
				s->want_up ? "restarting it" : "stays stopped");
		s->next = c;
		s->index = i;
		if (s->pid)
			sup_stop_later(s);
		else
			sup_settle_reload(s);
	} else {
		struct conf *oc = s->conf;

		s->c = c;
		s->conf = nc;
		s->index = i;
		/* Changed by an earlier reload and still stopping for it: it
		 * starts again with this config. */
		if (s->next)
			s->next = c;
		let_go(oc);
	}
	return s;
}

int sup_reload(struct conf *nc, void (*globals)(const struct conf *, const struct conf *))
{
	struct service **map;	/* by index in NC: the next svc_of */
	struct conf *old = sup.cur;

	/* A running service keeps its id range (SPEC §3), whatever NC put
	 * before it. What can fail comes first, before anything changes. */
	conf_keep_ids(nc, old);
	/* +1: no calloc(0), whose NULL would mean no memory. */
	if (!(map = calloc((size_t)nc->nsvc + 1, sizeof(*map))))
		return -1;
	if (reload_fits(nc, map) < 0 || reload_kernel(nc, old) < 0) {
		free(map);
		return -1;
	}
	if (globals)
		globals(old, nc);
	reload_removed(nc);
	/* From here on the services' next settings are in NC; OLD is let
	 * go (if no service stopping still needs it) once all have moved. */
	sup.cur = nc;
	sup.replaced = old;
	for (int i = 0; i < nc->nsvc; i++)
		map[i] = reload_one(nc, i, map[i], map);
	free(sup.svc_of);
	sup.svc_of = map;
	sup.nsvc = nc->nsvc;
	sup.replaced = NULL;
	let_go(old);
	sup_resolve();
	return 0;
}
