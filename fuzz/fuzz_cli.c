// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the whole CLI's argument parsing, through its real
 * main() (user/main.c, built here as xr_cli_main()), every command's own
 * options included. The input is an argument line split at whitespace.
 *
 * Nothing may be executed: before the first input the process moves into
 * a network and mount namespace of its own and gives up CAP_NET_ADMIN,
 * CAP_BPF and CAP_SYS_ADMIN, so every command stops at its capability check
 * (CMD_CAPS in user/cmd/dispatch.c, after its options and operands are
 * checked) with an error. If the
 * capabilities cannot be dropped, the target refuses to run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "caps.h"
#include "fuzz_input.h"

#define MAX_ARGS 64
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int xr_cli_main(int argc, char **argv);

static void drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
	static const int caps[] = { CAP_NET_ADMIN, CAP_BPF, CAP_SYS_ADMIN };

	if (syscall(SYS_capget, &hdr, data))
		return;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		data[CAP_TO_INDEX(caps[i])].effective &= ~CAP_TO_MASK(caps[i]);
		data[CAP_TO_INDEX(caps[i])].permitted &= ~CAP_TO_MASK(caps[i]);
		data[CAP_TO_INDEX(caps[i])].inheritable &= ~CAP_TO_MASK(caps[i]);
	}
	syscall(SYS_capset, &hdr, data);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Where nothing could be harmed anyway; needs the capabilities we
	 * drop next, so may fail when run without them. */
	(void)unshare(CLONE_NEWNET | CLONE_NEWNS);
	drop_caps();
	if (caps_sufficient()) {
		fprintf(stderr, "fuzz_cli: cannot drop capabilities; refusing to run commands\n");
		abort();
	}
	setenv("XDP_ROUTER_PIN_PATH", "/nonexistent/xdp-router", 1);
	/* The CLI's error lines would drown libFuzzer's own output. */
	if (!freopen("/dev/null", "w", stdout))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_c_string(data, size), *save = NULL;
	char *argv[MAX_ARGS + 2];
	int argc = 0;

	if (!line)
		return 0;
	argv[argc++] = "xdp-router";
	for (char *tok = strtok_r(line, " \t\n", &save);
	     tok && argc <= MAX_ARGS; tok = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	optind = 0;	/* a fresh process's getopt state (glibc: full reset) */
	(void)xr_cli_main(argc, argv);
	free(line);
	return 0;
}
