/* An in-memory credcycle Store written in C: a sorted array of rows behind
 * one mutex. Used by the conformance test and the engine-on-C-store test. */
#ifndef CREDCYCLE_TEST_MEMSTORE_H
#define CREDCYCLE_TEST_MEMSTORE_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "credcycle.h"

typedef struct mem_row {
  uint32_t table;
  uint8_t *key;
  size_t key_len;
  uint8_t *value;
  size_t value_len;
  uint64_t version;
} mem_row;

typedef struct mem_store {
  pthread_mutex_t mu;
  mem_row *rows;
  size_t len, cap;
  int *freed; /* incremented by free_userdata when not NULL */
} mem_store;

static int mem_cmp(uint32_t ta, const uint8_t *ka, size_t la, uint32_t tb, const uint8_t *kb,
                   size_t lb) {
  if (ta != tb) return ta < tb ? -1 : 1;
  size_t m = la < lb ? la : lb;
  int c = m ? memcmp(ka, kb, m) : 0;
  if (c != 0) return c;
  return la == lb ? 0 : (la < lb ? -1 : 1);
}

/* Index of the first row >= (table, key); *found says whether it is equal. */
static size_t mem_lower(const mem_store *s, uint32_t table, const uint8_t *key, size_t len,
                        int *found) {
  size_t lo = 0, hi = s->len;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const mem_row *r = &s->rows[mid];
    if (mem_cmp(r->table, r->key, r->key_len, table, key, len) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = lo < s->len &&
           mem_cmp(s->rows[lo].table, s->rows[lo].key, s->rows[lo].key_len, table, key, len) == 0;
  return lo;
}

static uint8_t *mem_dup(const uint8_t *p, size_t n) {
  uint8_t *d = malloc(n ? n : 1);
  if (n) memcpy(d, p, n);
  return d;
}

static credcycle_result mem_get(void *ud, uint32_t table, const uint8_t *key, size_t key_len,
                                credcycle_value_out *out) {
  mem_store *s = ud;
  pthread_mutex_lock(&s->mu);
  int found = 0;
  size_t i = mem_lower(s, table, key, key_len, &found);
  credcycle_result rc = CREDCYCLE_RESULT_OK;
  if (found) rc = credcycle_value_set_record(out, s->rows[i].value, s->rows[i].value_len, s->rows[i].version);
  pthread_mutex_unlock(&s->mu);
  return rc;
}

static credcycle_result mem_scan(void *ud, uint32_t table, const uint8_t *prefix, size_t prefix_len,
                                 bool has_after, const uint8_t *after, size_t after_len,
                                 uint32_t limit, credcycle_value_out *out) {
  mem_store *s = ud;
  pthread_mutex_lock(&s->mu);
  int found = 0;
  size_t i = mem_lower(s, table, prefix, prefix_len, &found);
  uint32_t n = 0;
  credcycle_result rc = CREDCYCLE_RESULT_OK;
  for (; i < s->len && n < limit && rc == CREDCYCLE_RESULT_OK; i++) {
    const mem_row *r = &s->rows[i];
    if (r->table != table || r->key_len < prefix_len ||
        (prefix_len && memcmp(r->key, prefix, prefix_len) != 0))
      break;
    if (has_after && mem_cmp(table, r->key, r->key_len, table, after, after_len) <= 0) continue;
    rc = credcycle_value_push_row(out, r->key, r->key_len, r->value, r->value_len, r->version);
    n++;
  }
  pthread_mutex_unlock(&s->mu);
  return rc;
}

static credcycle_result mem_commit(void *ud, const credcycle_store_op *ops, size_t n_ops,
                                   credcycle_value_out *out) {
  mem_store *s = ud;
  (void)out;
  pthread_mutex_lock(&s->mu);
  for (size_t i = 0; i < n_ops; i++) {
    for (size_t j = 0; j < i; j++)
      if (mem_cmp(ops[i].table, ops[i].key, ops[i].key_len, ops[j].table, ops[j].key,
                  ops[j].key_len) == 0) {
        pthread_mutex_unlock(&s->mu);
        return CREDCYCLE_RESULT_CONFLICT;
      }
    int found = 0;
    size_t at = mem_lower(s, ops[i].table, ops[i].key, ops[i].key_len, &found);
    uint64_t current = found ? s->rows[at].version : 0;
    if (current != ops[i].expect) {
      pthread_mutex_unlock(&s->mu);
      return CREDCYCLE_RESULT_CONFLICT;
    }
  }
  for (size_t i = 0; i < n_ops; i++) {
    const credcycle_store_op *op = &ops[i];
    int found = 0;
    size_t at = mem_lower(s, op->table, op->key, op->key_len, &found);
    if (op->kind == CREDCYCLE_STORE_OP_PUT) {
      if (found) {
        free(s->rows[at].value);
      } else {
        if (s->len == s->cap) {
          s->cap = s->cap ? 2 * s->cap : 64;
          s->rows = realloc(s->rows, s->cap * sizeof *s->rows);
        }
        memmove(&s->rows[at + 1], &s->rows[at], (s->len - at) * sizeof *s->rows);
        s->len++;
        s->rows[at].table = op->table;
        s->rows[at].key = mem_dup(op->key, op->key_len);
        s->rows[at].key_len = op->key_len;
      }
      s->rows[at].value = mem_dup(op->value, op->value_len);
      s->rows[at].value_len = op->value_len;
      s->rows[at].version = op->expect + 1;
    } else if (op->kind == CREDCYCLE_STORE_OP_DELETE && found) {
      free(s->rows[at].key);
      free(s->rows[at].value);
      memmove(&s->rows[at], &s->rows[at + 1], (s->len - at - 1) * sizeof *s->rows);
      s->len--;
    }
  }
  pthread_mutex_unlock(&s->mu);
  return CREDCYCLE_RESULT_OK;
}

static void mem_free(void *ud) {
  mem_store *s = ud;
  for (size_t i = 0; i < s->len; i++) {
    free(s->rows[i].key);
    free(s->rows[i].value);
  }
  free(s->rows);
  pthread_mutex_destroy(&s->mu);
  if (s->freed) (*s->freed)++;
  free(s);
}

/* A new, empty store and its vtable (the vtable owns the store). */
static credcycle_store_vtable mem_store_new(int *freed) {
  mem_store *s = calloc(1, sizeof *s);
  pthread_mutex_init(&s->mu, NULL);
  s->freed = freed;
  credcycle_store_vtable vt = {s, mem_get, mem_scan, mem_commit, mem_free};
  return vt;
}

#endif
