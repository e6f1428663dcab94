// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The list of maps (maps/xr_maps.h) against the BPF object built from it:
 * every row is a map of the object, with its name, type, key, value, size
 * and flags, and every map of the object is a row (or internal to it).
 * Also the CLI's table of pins (router_pin_spec()) made from the list.
 * Opens the object without loading it: no privilege needed.
 */
#include <stdbool.h>
#include <bpf/libbpf.h>
#include "xdp_router.skel.h"
#include "check.h"
#include "pin_check.h"
#include "router.h"

/* Maps of the object that nothing outside it reads: not in the list. */
static const char *const program_private[] = { "xr_lb_scratch" };

struct row {
	const char *id_name;	/* XR_MAP_<ID> */
	const char *name;	/* "xr_" #name: the BPF map */
	__u32 type, key_size, value_size, max_entries, flags;
};

#define ROW(ID, name, type, key, value, max_entries, flags)		\
	{ XR_MAP_##ID, "xr_" #name, BPF_MAP_TYPE_##type, sizeof(key),	\
	  sizeof(value), max_entries, flags },
static const struct row rows[] = { XR_MAPS(ROW) };
#define NR_ROWS (sizeof(rows) / sizeof(*rows))

static bool listed(const char *name)
{
	for (size_t i = 0; i < NR_ROWS; i++)
		if (!strcmp(rows[i].name, name))
			return true;
	for (size_t i = 0; i < sizeof(program_private) /
			       sizeof(*program_private); i++)
		if (!strcmp(program_private[i], name))
			return true;
	return false;
}

static void test_object(struct bpf_object *obj)
{
	struct bpf_map *map;

	for (size_t i = 0; i < NR_ROWS; i++) {
		const struct row *r = &rows[i];
		__u32 map_flags = XR_MAPF_BPF_FLAGS(r->flags);

		CHECK_STR(r->id_name, r->name);
		map = bpf_object__find_map_by_name(obj, r->name);
		CHECK(map);
		if (!map) {
			fprintf(stderr, "no map %s in the object\n", r->name);
			continue;
		}
		CHECK(bpf_map__type(map) == r->type);
		CHECK(bpf_map__key_size(map) == r->key_size);
		CHECK(bpf_map__value_size(map) == r->value_size);
		CHECK(bpf_map__max_entries(map) == r->max_entries);
		CHECK(bpf_map__map_flags(map) == map_flags);
	}
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue;	/* .rodata, .bss, ... */
		if (!listed(bpf_map__name(map))) {
			fprintf(stderr, "map %s is not in the list\n",
				bpf_map__name(map));
			CHECK(!"every map of the object is in the list");
		}
	}
}

/* The pins: the program, then the pinned rows in their order. */
static void test_pins(void)
{
	struct pin_map_spec spec;
	size_t i = 0;

	router_pin_spec(ROUTER_PIN_PROG, &spec);
	CHECK_STR(spec.name, XR_PIN_PROG);
#define PIN(ID, ...)						\
	router_pin_spec(ROUTER_PIN_##ID, &spec);			\
	CHECK_STR(spec.name, rows[i].name);				\
	CHECK(spec.type == rows[i].type &&				\
	      spec.key_size == rows[i].key_size &&			\
	      spec.value_size == rows[i].value_size &&			\
	      spec.max_entries == rows[i].max_entries &&		\
	      spec.flags == rows[i].flags);				\
	i++;
	XR_PINNED_MAPS(PIN)
#undef PIN
	CHECK(i + 1 == ROUTER_PIN_MAX);
}

int main(void)
{
	struct xdp_router *skel = xdp_router__open();

	CHECK(skel);
	if (skel)
		test_object(skel->obj);
	xdp_router__destroy(skel);
	test_pins();
	CHECK_DONE();
}
