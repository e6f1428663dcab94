// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp-router: the control plane of the XDP router.
 *
 *   xdp-router [-j] [-p] [-v] [--pin-path DIR] COMMAND [ARGS]
 *
 * Global options come before the command; commands may be abbreviated to
 * any unambiguous prefix, as in iproute2 and bpftool.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "dispatch.h"
#include "log.h"
#include "multiprog.h"
#include "output.h"
#include "pin.h"

#ifndef XR_VERSION
#define XR_VERSION "unknown"
#endif

static int cmd_help_run(struct cmd_ctx *c);

static COMMAND(cmd_help, "help", "show this help", CMD_NO_OPTIONS);

static const struct command *const commands[] = {
	&cmd_attach, &cmd_detach, &cmd_status, &cmd_stats, &cmd_populate,
	&cmd_lb, &cmd_adopt, &cmd_reload, &cmd_help,
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xdp-router [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Options (before the command):\n"
		"  -j, --json           JSON output\n"
		"  -p, --pretty         indented JSON output (implies --json)\n"
		"  -v, --verbose        show what happens, and libbpf's log\n"
		"      --pin-path DIR   where the router is pinned (default: "
		"$%s,\n"
		"                       else %s)\n"
		"  -V, --version        show the version\n"
		"  -h, --help           show this help\n"
		"\n"
		"Commands (any unambiguous prefix works):\n",
		PIN_PATH_ENV, PIN_PATH_DEFAULT);
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(f, "\n'xdp-router COMMAND --help' describes a command.\n");
}

static int help(bool json)
{
	if (!json) {
		usage(stdout);
		return 0;
	}
	out_open_object(NULL);
	out_open_array("commands");
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		out_open_object(NULL);
		out_string(PRINT_JSON, "name", NULL, commands[i]->name);
		out_string(PRINT_JSON, "summary", NULL,
			   commands[i]->summary);
		out_close_object();
	}
	out_close_array();
	out_close_object();
	out_flush();
	return 0;
}

static int cmd_help_run(struct cmd_ctx *c)
{
	return help(c->g->json);
}

static void version(bool json)
{
	if (!json) {
		printf("xdp-router %s (libbpf %s)\n", XR_VERSION,
		       libbpf_version_string());
		return;
	}
	out_open_object(NULL);
	out_string(PRINT_JSON, "version", NULL, XR_VERSION);
	out_string(PRINT_JSON, "libbpf", NULL, libbpf_version_string());
	out_close_object();
	out_flush();
}

int main(int argc, char **argv)
{
	enum { OPT_PIN_PATH = 256 };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "pin-path", required_argument, NULL, OPT_PIN_PATH },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct global g = {};
	const char *pin_opt = NULL;
	bool pretty = false, verbose = false, want_version = false;
	bool want_help = false;
	int c, err;

	opterr = 0;	/* errors are reported the CLI's way */
	/* "+": stop at the command; the rest belongs to it. */
	while ((c = getopt_long(argc, argv, "+:jpvVh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			g.json = true;
			break;
		case 'p':
			g.json = pretty = true;
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_PIN_PATH:
			pin_opt = optarg;
			break;
		case 'V':
			want_version = true;
			break;
		case 'h':
			want_help = true;
			break;
		default:
			log_init(g.json, verbose);
			if (c == ':')
				log_error("option '%s' needs a value",
					  argv[optind - 1]);
			else if (optopt)
				log_error("unknown option '-%c' (see "
					  "'xdp-router help')", optopt);
			else
				log_error("unknown option '%s' (see "
					  "'xdp-router help')",
					  argv[optind - 1]);
			return 1;
		}
	}
	log_init(g.json, verbose);
	out_init(stdout, g.json, pretty);

	/* After every option: `-V --json` prints JSON like `--json -V`. */
	if (want_version) {
		version(g.json);
		return 0;
	}
	if (want_help)
		return help(g.json);
	if (optind >= argc) {
		log_error("no command given (see 'xdp-router help')");
		return 1;
	}
	err = pin_path_resolve(pin_opt, g.pin_path, sizeof(g.pin_path));
	if (!err) {
		/* Any command may meet libxdp's dispatcher (members.h). */
		multiprog_init(g.pin_path);
		err = cmd_dispatch(&g, commands, NR_COMMANDS, NULL,
				   argc - optind, argv + optind);
	}
	if (err && !log_error_printed())
		log_error("%s", log_strerror(err));	/* a bug: say something */
	return err ? 1 : 0;
}
