// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Option values (params.c, mode.c) and outcome names (outcomes.c). */
#include <errno.h>
#include <linux/if_link.h>
#include "check.h"
#include "mode.h"
#include "outcomes.h"
#include "params.h"

static void test_seconds(void)
{
	static const char *const bad[] = {
		"", "-1", "0", "0.0", "0.0001", "86401", "1e3", "inf", "nan",
		"0x10", " 1", "1 ", "1s", "1..2", ".", "+1",
	};
	double v = -1;

	CHECK(!param_seconds("1", &v) && v == 1);
	CHECK(!param_seconds("0.5", &v) && v == 0.5);
	CHECK(!param_seconds(".25", &v) && v == 0.25);
	CHECK(!param_seconds("86400", &v) && v == 86400);
	CHECK(!param_seconds("0.001", &v) && v == 0.001);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (param_seconds(bad[i], &v) != -EINVAL) {
			fprintf(stderr, "accepted --interval '%s'\n", bad[i]);
			check_failures++;
		}
	}
}

static void test_count(void)
{
	static const char *const bad[] = {
		"", "0", "-1", "x", "1x", " 1", "+1", "4294967296",
		"99999999999999999999",
	};
	unsigned int v = 0;

	CHECK(!param_count("1", &v) && v == 1);
	CHECK(!param_count("4294967295", &v) && v == 4294967295U);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (param_count(bad[i], &v) != -EINVAL) {
			fprintf(stderr, "accepted --count '%s'\n", bad[i]);
			check_failures++;
		}
	}
}

static void test_route_table(void)
{
	static const char *const bad[] = {
		"", "0", "-1", "x", "0x10", " 1", "+1", "253", "254", "255",
		"4294967296", "1 ",
	};
	unsigned int v = 0;

	CHECK(!param_route_table("1", &v) && v == 1);
	CHECK(!param_route_table("010", &v) && v == 10);	/* not octal */
	CHECK(!param_route_table("252", &v) && v == 252);
	CHECK(!param_route_table("256", &v) && v == 256);
	CHECK(!param_route_table("4294967295", &v) && v == 4294967295U);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (param_route_table(bad[i], &v) != -EINVAL) {
			fprintf(stderr, "accepted table '%s'\n", bad[i]);
			check_failures++;
		}
	}
}

static void test_ifname(void)
{
	static const char *const bad[] = {
		"", ".", "..", "a/b", "a:1", "a b", "a\tb", "a\nb", "a\n",
		"0123456789abcdef",
	};

	CHECK(!param_ifname("xrlb0"));
	CHECK(!param_ifname("0123456789abcde"));
	CHECK(!param_ifname("..."));
	CHECK(!param_ifname("a.b-c_d@e"));
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (param_ifname(bad[i]) != -EINVAL) {
			fprintf(stderr, "accepted name '%s'\n", bad[i]);
			check_failures++;
		}
	}
}

static void test_mode(void)
{
	enum xr_mode m;

	CHECK(!mode_parse("auto", &m) && m == XR_MODE_AUTO);
	CHECK(!mode_parse("native", &m) && m == XR_MODE_NATIVE);
	CHECK(!mode_parse("generic", &m) && m == XR_MODE_GENERIC);
	CHECK(!mode_parse("offload", &m) && m == XR_MODE_OFFLOAD);
	CHECK(mode_parse("foo", &m) == -EINVAL);
	CHECK(mode_parse("nat", &m) == -EINVAL);
	CHECK(mode_parse("", &m) == -EINVAL);
	CHECK_STR(mode_name(XR_MODE_GENERIC), "generic");
	CHECK(mode_flags(XR_MODE_AUTO) == 0);
	CHECK(mode_flags(XR_MODE_NATIVE) == XDP_FLAGS_DRV_MODE);
	CHECK(mode_flags(XR_MODE_GENERIC) == XDP_FLAGS_SKB_MODE);
	CHECK(mode_flags(XR_MODE_OFFLOAD) == XDP_FLAGS_HW_MODE);
}

/* Every outcome named, names unique: stats output keys depend on it. */
static void test_outcomes(void)
{
	for (int i = 0; i < XR_OUTCOME_MAX; i++) {
		CHECK(xr_outcome_names[i] && xr_outcome_names[i][0]);
		for (int j = 0; xr_outcome_names[i] && j < i; j++)
			CHECK(strcmp(xr_outcome_names[i],
				     xr_outcome_names[j]));
	}
	CHECK_STR(xr_outcome_names[XR_REDIRECT], "redirect");
	CHECK_STR(xr_outcome_names[XR_PASS_NOT_IP], "pass_not_ip");
	/* The firewall gate's: docs and dashboards name them. */
	CHECK_STR(xr_outcome_names[XR_REDIRECT_FW], "redirect_fw");
	CHECK_STR(xr_outcome_names[XR_REDIRECT_NAT], "redirect_nat");
	CHECK_STR(xr_outcome_names[XR_PASS_FW_NEW], "pass_fw_new");
	CHECK_STR(xr_outcome_names[XR_PASS_FW_CTL], "pass_fw_ctl");
	CHECK_STR(xr_outcome_names[XR_PASS_FW_VERIFY], "pass_fw_verify");
	CHECK_STR(xr_outcome_names[XR_PASS_FW_BLIND], "pass_fw_blind");
	CHECK_STR(xr_outcome_names[XR_ABORTED], "aborted");
}

int main(void)
{
	test_seconds();
	test_count();
	test_route_table();
	test_ifname();
	test_mode();
	test_outcomes();
	CHECK_DONE();
}
