// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stats --watch: rates per (interface, outcome), sorted by packet rate,
 * redrawn in place like top(1). The terminal is put in non-canonical mode
 * (so 'q' arrives without Enter) with the cursor hidden, and put back
 * however the view ends: 'q', Ctrl-C, SIGTERM, --count, an error. No
 * alternate screen: the last frame, and an error that ended the view, stay
 * on the terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "log.h"
#include "outcomes.h"
#include "router.h"
#include "stats_snapshot.h"
#include "stats_wait.h"
#include "stats_watch.h"

#define ANSI_HOME_CLEAR "\033[H\033[2J"
#define ANSI_CURSOR_HIDE "\033[?25l"
#define ANSI_CURSOR_SHOW "\033[?25h"

struct row {
	const struct if_counters *c;
	int outcome;
	double pps, bps;
};

struct term {
	bool tty;		/* stdout is a terminal: draw in place */
	bool keys;		/* stdin too: read 'q' */
	struct termios saved;
};

static int by_rate(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	__u64 px = x->c->sum.outcome[x->outcome].packets;
	__u64 py = y->c->sum.outcome[y->outcome].packets;

	if (x->pps != y->pps)
		return x->pps < y->pps ? 1 : -1;
	if (px != py)
		return px < py ? 1 : -1;
	return x->c->ifc.ifindex - y->c->ifc.ifindex;
}

/* "12.3 M": @v scaled to k, M, G, T. */
static const char *human(double v, char *buf, size_t len)
{
	static const char units[] = " kMGT";
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %c" : "%.0f  ", v, units[u]);
	return buf;
}

static int screen_rows(const struct term *t)
{
	struct winsize ws;

	if (!t->tty || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || !ws.ws_row)
		return 0;	/* no limit */
	return ws.ws_row;
}

static void draw(const struct term *t, const struct router *r,
		 const struct snapshot *prev, const struct snapshot *now,
		 double interval)
{
	double secs = seconds_between(&prev->mono, &now->mono);
	double tot_pps = 0, tot_bps = 0;
	struct row *rows;
	size_t n = 0, shown;
	char when[32], b1[16], b2[16];
	struct tm tm;
	int max;

	rows = calloc(now->n * XR_OUTCOME_MAX + 1, sizeof(*rows));
	if (!rows)
		return;
	for (size_t i = 0; i < now->n; i++) {
		const struct if_counters *c = &now->ifs[i];
		const struct if_counters *p = snapshot_find(prev,
							    c->ifc.ifindex);

		for (int o = 0; o < XR_OUTCOME_MAX; o++) {
			const struct xr_counter *x = &c->sum.outcome[o];
			const struct xr_counter *w = p ? &p->sum.outcome[o] :
							 NULL;
			struct row *row = &rows[n];

			if (!x->packets)
				continue;
			row->c = c;
			row->outcome = o;
			row->pps = counter_delta(x->packets,
						 w ? w->packets : 0) / secs;
			row->bps = 8.0 * counter_delta(x->bytes,
						       w ? w->bytes : 0) / secs;
			tot_pps += row->pps;
			tot_bps += row->bps;
			n++;
		}
	}
	qsort(rows, n, sizeof(*rows), by_rate);

	localtime_r(&now->real.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (t->tty)
		fputs(ANSI_HOME_CLEAR, stdout);
	printf("xdp-router: prog %u at %s, every %gs, %s%s\n", r->prog_id,
	       r->pin_path, interval, when, t->keys ? "   (q: quit)" : "");
	printf("Total: %spps %sbit/s on %zu interface%s\n\n",
	       human(tot_pps, b1, sizeof(b1)), human(tot_bps, b2, sizeof(b2)),
	       now->n, now->n == 1 ? "" : "s");
	printf("%-16s %-22s %12s %12s %16s %18s\n", "INTERFACE", "OUTCOME",
	       "PACKETS/S", "BITS/S", "PACKETS", "BYTES");
	max = screen_rows(t);
	shown = max ? (max > 5 ? (size_t)max - 5 : 0) : n;
	for (size_t i = 0; i < n && i < shown; i++) {
		const struct row *row = &rows[i];
		const struct xr_counter *x = &row->c->sum.outcome[row->outcome];

		printf("%-16s %-22s %10spps %10sb/s %16llu %18llu\n",
		       row->c->ifc.name[0] ? row->c->ifc.name : "(gone)",
		       xr_outcome_names[row->outcome],
		       human(row->pps, b1, sizeof(b1)),
		       human(row->bps, b2, sizeof(b2)),
		       (unsigned long long)x->packets,
		       (unsigned long long)x->bytes);
	}
	if (n > shown)
		printf("... %zu more\n", n - shown);
	if (!n)
		printf("(no packets yet)\n");
	if (!t->tty)
		putchar('\n');
	fflush(stdout);
	free(rows);
}

static void term_enter(struct term *t)
{
	t->tty = isatty(STDOUT_FILENO);
	t->keys = t->tty && isatty(STDIN_FILENO) &&
		  !tcgetattr(STDIN_FILENO, &t->saved);
	if (t->keys) {
		struct termios raw = t->saved;

		/* Keys one by one, not echoed; ISIG stays: Ctrl-C works. */
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	if (t->tty) {
		fputs(ANSI_CURSOR_HIDE, stdout);
		fflush(stdout);
	}
}

static void term_leave(const struct term *t)
{
	if (t->keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	if (t->tty) {
		fputs(ANSI_CURSOR_SHOW, stdout);
		fflush(stdout);
	}
}

int stats_watch(struct router *r, double interval, unsigned int count)
{
	struct snapshot prev, now;
	struct timespec deadline;
	struct term t = { 0 };
	int sfd, err;

	sfd = stats_stop_signals();
	if (sfd < 0)
		return sfd;
	err = snapshot_take(r, SNAPSHOT_IFACES, &prev);
	if (err) {
		close(sfd);
		return err;
	}
	term_enter(&t);
	if (t.tty) {
		printf(ANSI_HOME_CLEAR "xdp-router: first rates in %gs%s\n",
		       interval, t.keys ? "   (q: quit)" : "");
		fflush(stdout);
	}
	deadline = prev.mono;
	for (unsigned int i = 0; !count || i < count; i++) {
		timespec_add(&deadline, interval);
		if (!stats_wait_until(&deadline, sfd,
				      t.keys ? STDIN_FILENO : -1))
			break;
		/* Gone: the error stays under the last frame. */
		err = snapshot_follow(r, &prev) ?:
		      snapshot_take(r, SNAPSHOT_IFACES, &now);
		if (err)
			break;
		draw(&t, r, &prev, &now, interval);
		snapshot_free(&prev);
		prev = now;
	}
	term_leave(&t);
	snapshot_free(&prev);
	close(sfd);
	return err;
}
