// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stats --prometheus: the text of a known snapshot (two interfaces, one
 * with a name that needs escaping, a VIP with two backends), exact lines
 * checked here; the whole text is validated by prom_check.py (ctest
 * cli_stats_prom_format). Also the atomic write: the file replaced, no
 * temporary left behind, readable by others.
 *
 *   test_stats_prom [--print]   (--print: the text on stdout, no checks)
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "check.h"
#include "stats_prom.h"

static struct if_counters ifs[2];
static struct lb_backend backends[2];
static struct lb_vip vip;
static struct xr_vip_stats vip_stats;
static struct xr_counter be_stats[2];

static void make_snapshot(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(ifs[0].ifc.name, "eth0");
	ifs[0].ifc.ifindex = 2;
	ifs[0].sum.outcome[XR_REDIRECT].packets = 1000;
	ifs[0].sum.outcome[XR_REDIRECT].bytes = 64000;
	strcpy(ifs[1].ifc.name, "we\"ird\\");	/* legal in a name */
	ifs[1].ifc.ifindex = 7;
	ifs[1].sum.outcome[XR_OUTCOME_MAX - 1].packets = 3;
	s->ifs = ifs;
	s->n = 2;
	s->full = true;
	s->info.prog_id = 42;
	strcpy(s->info.prog_name, "xdp_router");
	strcpy(s->info.tag, "0123456789abcdef");
	s->info.lookup = "fib";
	s->info.pin_path = "/sys/fs/bpf/xdp-router";

	strcpy(vip.name, "web");
	lb_addr_parse("10.0.0.100", &vip.addr);
	vip.port = 80;
	vip.proto = IPPROTO_TCP;
	vip.mode = XR_LB_DSR;
	lb_addr_parse("10.9.0.11", &backends[0].addr);
	backends[0].cur_state = XR_BE_ACTIVE;
	lb_addr_parse("2001:db8::12", &backends[1].addr);
	backends[1].port = 8080;
	backends[1].cur_state = XR_BE_DOWN;
	vip.backends = backends;
	vip.nr_backends = 2;
	vip_stats.rx.packets = 10;
	vip_stats.conn_hit = 7;
	vip_stats.conn_miss = 3;
	be_stats[0].packets = 6;
	be_stats[1].packets = 4;
	s->lb.cfg.vips = &vip;
	s->lb.cfg.nr_vips = 1;
	s->lb.vip = &vip_stats;
	s->lb.backend = be_stats;
}

static char *text_of(const struct snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f && stats_prom_print(f, s) == 0);
	fclose(f);
	return buf;
}

static void has_line(const char *text, const char *line)
{
	char *want = malloc(strlen(line) + 3);

	sprintf(want, "\n%s\n", line);
	if (!strstr(text, want)) {
		fprintf(stderr, "missing line: %s\n", line);
		check_failures++;
	}
	free(want);
}

static void test_text(const struct snapshot *s)
{
	char *t = text_of(s);

	CHECK(!strncmp(t, "# HELP xdp_router_info ", 23));
	has_line(t, "# TYPE xdp_router_info gauge");
	has_line(t, "xdp_router_info{prog_id=\"42\",prog_name=\"xdp_router\","
		    "tag=\"0123456789abcdef\",lookup=\"fib\","
		    "pin_path=\"/sys/fs/bpf/xdp-router\"} 1");
	has_line(t, "# TYPE xdp_router_packets_total counter");
	has_line(t, "xdp_router_packets_total{interface=\"eth0\",ifindex=\"2\","
		    "outcome=\"redirect\"} 1000");
	has_line(t, "xdp_router_bytes_total{interface=\"eth0\",ifindex=\"2\","
		    "outcome=\"redirect\"} 64000");
	/* Every outcome, zero too: a fixed set of series. */
	has_line(t, "xdp_router_packets_total{interface=\"eth0\",ifindex=\"2\","
		    "outcome=\"aborted\"} 0");
	/* \" and \\ escaped. */
	CHECK(strstr(t, "{interface=\"we\\\"ird\\\\\",ifindex=\"7\","));
	has_line(t, "xdp_router_lb_vip_info{vip=\"web\",address=\"10.0.0.100\","
		    "port=\"80\",protocol=\"tcp\",mode=\"dsr\"} 1");
	has_line(t, "xdp_router_lb_vip_packets_total{vip=\"web\"} 10");
	has_line(t, "xdp_router_lb_conn_table_hits_total{vip=\"web\"} 7");
	has_line(t, "xdp_router_lb_conn_table_misses_total{vip=\"web\"} 3");
	has_line(t, "xdp_router_lb_backend_packets_total{vip=\"web\","
		    "backend=\"10.9.0.11\",port=\"\"} 6");
	has_line(t, "xdp_router_lb_backend_packets_total{vip=\"web\","
		    "backend=\"2001:db8::12\",port=\"8080\"} 4");
	has_line(t, "xdp_router_lb_backend_up{vip=\"web\",backend=\"10.9.0.11\","
		    "port=\"\"} 1");
	has_line(t, "xdp_router_lb_backend_up{vip=\"web\",backend=\"2001:db8::12\","
		    "port=\"8080\"} 0");
	CHECK(t[strlen(t) - 1] == '\n');
	free(t);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static void test_write(const struct snapshot *s)
{
	char dir[] = "/tmp/xr-prom-XXXXXX", path[64], bad[96];
	struct stat st, st2;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/xdp-router.prom", dir);
	CHECK(stats_prom_write(path, s) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	CHECK(stats_prom_write(path, s) == 0);
	CHECK(stat(path, &st2) == 0 && st2.st_ino != st.st_ino); /* renamed */
	CHECK(st2.st_size == st.st_size);
	CHECK(count_entries(dir) == 1);		/* no temporary left */
	/* A directory that does not exist: an error, nothing written. */
	snprintf(bad, sizeof(bad), "%s/nosuch/x.prom", dir);
	CHECK(stats_prom_write(bad, s) < 0);
	unlink(path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	struct snapshot s;

	make_snapshot(&s);
	if (argc > 1 && !strcmp(argv[1], "--print"))
		return stats_prom_print(stdout, &s) ? 1 : 0;
	test_text(&s);
	test_write(&s);
	CHECK_DONE();
}
