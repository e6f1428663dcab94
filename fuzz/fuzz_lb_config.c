// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the load balancer's YAML configuration parser and
 * validator (lb_config_parse(), the buffer form of `lb apply FILE`).
 *
 * Whatever the input: no crash, no leak, no undefined behaviour (the build
 * adds ASan and UBSan), and either a configuration that validates or an
 * error message. An accepted configuration must copy and validate again.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lb_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lb_config cfg, copy;
	char err[512] = "";
	int rc;

	rc = lb_config_parse("fuzz.yaml", (const char *)data, size, &cfg, err,
			     sizeof(err));
	if (rc) {
		assert(rc < 0);
		assert(err[0] || rc == -ENOMEM);
		return 0;
	}
	assert(!lb_config_validate(&cfg, true, NULL, err, sizeof(err)));
	if (!lb_config_copy(&copy, &cfg)) {
		assert(copy.nr_vips == cfg.nr_vips);
		assert(!lb_config_validate(&copy, true, NULL, err,
					   sizeof(err)));
		lb_config_free(&copy);
	}
	lb_config_free(&cfg);
	return 0;
}
