/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reference-counted, deduplicated slots of a BPF array map (xr_nexthops,
 * xr_nh_groups), mirrored in memory.
 *
 * A slot's value never changes while it is published: the data plane reads
 * array values without a lock, so a value is written once into a free slot
 * before anything points at it, and zeroed only after nothing does. A
 * changed nexthop is a new slot. Slot 0 is never used.
 *
 * States: FREE -> (acquire) PENDING: allocated, not yet written -> LIVE once
 * the caller wrote it -> FREE again when the caller zeroed it after its
 * references dropped to zero. Freed ids are reused oldest first, so an id
 * is not recycled while a packet may still hold it.
 */
#ifndef XR_ID_TABLE_H
#define XR_ID_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "hashtab.h"

enum id_state {
	ID_FREE = 0,
	ID_PENDING,
	ID_LIVE,
};

struct id_list {
	__u32 *ids;
	size_t n, cap;
};

struct id_table {
	size_t val_size;
	__u32 max;		/* the map's max_entries; ids 1..max-1 */
	__u8 *vals;
	__u32 *refs;
	__u8 *state;
	struct htab index;	/* value -> id of a PENDING or LIVE slot */
	__u32 *fifo;		/* free ids, a ring */
	size_t fifo_head, fifo_n;
	size_t in_use;		/* PENDING + LIVE */
	struct id_list pending;	/* to write (may hold stale ids) */
	struct id_list unref;	/* LIVE slots whose refs hit 0 */
};

int id_table_init(struct id_table *t, size_t val_size, __u32 max);
void id_table_free(struct id_table *t);

/* Start-up: slot @id holds @val in the map (LIVE, no references yet). */
int id_table_load(struct id_table *t, __u32 id, const void *val);
/* Start-up done: every slot not loaded is free. */
int id_table_load_done(struct id_table *t);

/*
 * A reference on the slot holding @val, allocating one (PENDING, *@created
 * true) if no slot does. -ENOSPC when every id is in use.
 */
int id_table_acquire(struct id_table *t, const void *val, __u32 *id,
		     bool *created);
/* Another reference on a PENDING or LIVE @id (false if it is free). */
bool id_table_ref(struct id_table *t, __u32 id);
enum id_release {
	ID_STILL_USED,		/* other references remain (or none was held) */
	ID_FREED,		/* was PENDING: free again, never written */
	ID_UNUSED,		/* LIVE and unreferenced: on the unref list */
};

/*
 * Drops a reference. A PENDING slot left unreferenced is freed at once (it
 * was never written); a LIVE one goes on the unref list for the caller to
 * zero. Releasing a free or unreferenced id is ignored.
 */
enum id_release id_table_release(struct id_table *t, __u32 id);

static inline const void *id_table_val(const struct id_table *t, __u32 id)
{
	return t->vals + (size_t)id * t->val_size;
}

static inline bool id_table_is(const struct id_table *t, __u32 id,
			       enum id_state st)
{
	return id && id < t->max && t->state[id] == st;
}

/* The caller wrote PENDING @id into the map. */
void id_table_written(struct id_table *t, __u32 id);
/*
 * True if LIVE @id has no reference and should be zeroed; then, once the
 * caller zeroed it, id_table_zeroed().
 */
bool id_table_unused(const struct id_table *t, __u32 id);
void id_table_zeroed(struct id_table *t, __u32 id);

#endif /* XR_ID_TABLE_H */
