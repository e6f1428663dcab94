// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reference-counted array map slots; see id_table.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "id_table.h"

static int id_list_push(struct id_list *l, __u32 id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		__u32 *ids = realloc(l->ids, cap * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		l->ids = ids;
		l->cap = cap;
	}
	l->ids[l->n++] = id;
	return 0;
}

static void id_list_free(struct id_list *l)
{
	free(l->ids);
	memset(l, 0, sizeof(*l));
}

int id_table_init(struct id_table *t, size_t val_size, __u32 max)
{
	memset(t, 0, sizeof(*t));
	if (max < 2)
		return -EINVAL;
	t->val_size = val_size;
	t->max = max;
	t->vals = calloc(max, val_size);
	t->refs = calloc(max, sizeof(*t->refs));
	t->state = calloc(max, 1);
	t->fifo = calloc(max, sizeof(*t->fifo));
	htab_init(&t->index, val_size, sizeof(__u32));
	if (!t->vals || !t->refs || !t->state || !t->fifo) {
		id_table_free(t);
		return -ENOMEM;
	}
	return 0;
}

void id_table_free(struct id_table *t)
{
	free(t->vals);
	free(t->refs);
	free(t->state);
	free(t->fifo);
	htab_free(&t->index);
	id_list_free(&t->pending);
	id_list_free(&t->unref);
	memset(t, 0, sizeof(*t));
}

static void fifo_push(struct id_table *t, __u32 id)
{
	/* Never overflows: at most max - 1 ids are free at once. */
	t->fifo[(t->fifo_head + t->fifo_n) % t->max] = id;
	t->fifo_n++;
}

static bool fifo_pop(struct id_table *t, __u32 *id)
{
	if (!t->fifo_n)
		return false;
	*id = t->fifo[t->fifo_head];
	t->fifo_head = (t->fifo_head + 1) % t->max;
	t->fifo_n--;
	return true;
}

static int index_add(struct id_table *t, __u32 id)
{
	bool created;
	__u32 *slot = htab_upsert(&t->index, id_table_val(t, id), &created);

	if (!slot)
		return -ENOMEM;
	/* Duplicates in a map written by hand: the first one is found. */
	if (created)
		*slot = id;
	return 0;
}

static void index_del(struct id_table *t, __u32 id)
{
	__u32 *slot = htab_find(&t->index, id_table_val(t, id));

	if (slot && *slot == id)
		htab_delete(&t->index, id_table_val(t, id));
}

int id_table_load(struct id_table *t, __u32 id, const void *val)
{
	if (!id || id >= t->max)
		return -EINVAL;
	memcpy(t->vals + (size_t)id * t->val_size, val, t->val_size);
	t->state[id] = ID_LIVE;
	t->refs[id] = 0;
	t->in_use++;
	/* Unreferenced until routes say otherwise: a candidate for zeroing. */
	return index_add(t, id) ?: id_list_push(&t->unref, id);
}

int id_table_load_done(struct id_table *t)
{
	for (__u32 id = 1; id < t->max; id++)
		if (t->state[id] == ID_FREE)
			fifo_push(t, id);
	return 0;
}

int id_table_acquire(struct id_table *t, const void *val, __u32 *id,
		     bool *created)
{
	__u32 *found = htab_find(&t->index, val);
	int err;

	*created = false;
	if (found) {
		*id = *found;
		t->refs[*id]++;
		return 0;
	}
	if (!fifo_pop(t, id))
		return -ENOSPC;
	memcpy(t->vals + (size_t)*id * t->val_size, val, t->val_size);
	err = index_add(t, *id) ?: id_list_push(&t->pending, *id);
	if (err) {
		index_del(t, *id);
		fifo_push(t, *id);
		return err;
	}
	t->state[*id] = ID_PENDING;
	t->refs[*id] = 1;
	t->in_use++;
	*created = true;
	return 0;
}

bool id_table_ref(struct id_table *t, __u32 id)
{
	if (!id || id >= t->max || t->state[id] == ID_FREE)
		return false;
	t->refs[id]++;
	return true;
}

enum id_release id_table_release(struct id_table *t, __u32 id)
{
	if (!id || id >= t->max || t->state[id] == ID_FREE || !t->refs[id])
		return ID_STILL_USED;
	if (--t->refs[id])
		return ID_STILL_USED;
	if (t->state[id] == ID_PENDING) {
		/* The value stays readable until the id is reused. */
		index_del(t, id);
		t->state[id] = ID_FREE;
		t->in_use--;
		fifo_push(t, id);
		return ID_FREED;
	}
	/* Out of memory here only delays zeroing until the next reload. */
	id_list_push(&t->unref, id);
	return ID_UNUSED;
}

void id_table_written(struct id_table *t, __u32 id)
{
	if (id_table_is(t, id, ID_PENDING))
		t->state[id] = ID_LIVE;
}

bool id_table_unused(const struct id_table *t, __u32 id)
{
	return id_table_is(t, id, ID_LIVE) && !t->refs[id];
}

void id_table_zeroed(struct id_table *t, __u32 id)
{
	if (!id_table_unused(t, id))
		return;
	index_del(t, id);
	memset(t->vals + (size_t)id * t->val_size, 0, t->val_size);
	t->state[id] = ID_FREE;
	t->in_use--;
	fifo_push(t, id);
}
