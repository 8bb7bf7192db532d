/* A key manager written in C for tests. NOT SECURE: it "wraps" with an
 * FNV-based keystream and tag so that the engine's plumbing (routing by key
 * version, AAD binding, states, errors) can be tested from C without a
 * crypto library. Supports aes256gcm (wrap) keys only. */
#ifndef CREDCYCLE_TEST_TOYKMS_H
#define CREDCYCLE_TEST_TOYKMS_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credcycle.h"

#define TOY_MAX_KEYS 16

typedef struct toy_key {
  char id[129];
  uint32_t versions;
  const char *state;
} toy_key;

typedef struct toy_kms {
  pthread_mutex_t mu;
  toy_key keys[TOY_MAX_KEYS];
  size_t n;
  uint64_t counter;
  int *freed;
} toy_kms;

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static toy_key *toy_find(toy_kms *k, const char *id) {
  for (size_t i = 0; i < k->n; i++)
    if (strcmp(k->keys[i].id, id) == 0) return &k->keys[i];
  return NULL;
}

static credcycle_result toy_info(const toy_key *key, credcycle_value_out *out) {
  return credcycle_value_add_key_info(out, key->id, "wrap", "aes256gcm", key->versions,
                                      key->versions, key->state);
}

static credcycle_result toy_create(void *ud, const char *id, const char *alg,
                                   credcycle_value_out *out) {
  toy_kms *k = ud;
  if (strcmp(alg, "aes256gcm") != 0) {
    credcycle_value_set_message(out, "toy key manager: only aes256gcm");
    return CREDCYCLE_RESULT_INVALID_INPUT;
  }
  pthread_mutex_lock(&k->mu);
  credcycle_result rc;
  if (toy_find(k, id)) {
    rc = CREDCYCLE_RESULT_KEY_EXISTS;
  } else if (k->n == TOY_MAX_KEYS) {
    credcycle_value_set_message(out, "toy key manager is full");
    rc = CREDCYCLE_RESULT_KMS_BACKEND;
  } else {
    toy_key *key = &k->keys[k->n++];
    snprintf(key->id, sizeof key->id, "%s", id);
    key->versions = 1;
    key->state = "ENABLED";
    rc = toy_info(key, out);
  }
  pthread_mutex_unlock(&k->mu);
  return rc;
}

static credcycle_result toy_key_info(void *ud, const char *id, credcycle_value_out *out) {
  toy_kms *k = ud;
  pthread_mutex_lock(&k->mu);
  toy_key *key = toy_find(k, id);
  credcycle_result rc = key ? toy_info(key, out) : CREDCYCLE_RESULT_OK;
  pthread_mutex_unlock(&k->mu);
  return rc;
}

static int toy_cmp(const void *a, const void *b) {
  return strcmp(((const toy_key *)a)->id, ((const toy_key *)b)->id);
}

static credcycle_result toy_list(void *ud, credcycle_value_out *out) {
  toy_kms *k = ud;
  pthread_mutex_lock(&k->mu);
  qsort(k->keys, k->n, sizeof k->keys[0], toy_cmp);
  credcycle_result rc = CREDCYCLE_RESULT_OK;
  for (size_t i = 0; i < k->n && rc == CREDCYCLE_RESULT_OK; i++) rc = toy_info(&k->keys[i], out);
  pthread_mutex_unlock(&k->mu);
  return rc;
}

static credcycle_result toy_rotate(void *ud, const char *id, credcycle_value_out *out) {
  toy_kms *k = ud;
  pthread_mutex_lock(&k->mu);
  toy_key *key = toy_find(k, id);
  credcycle_result rc;
  if (!key) {
    rc = CREDCYCLE_RESULT_KEY_NOT_FOUND;
  } else if (strcmp(key->state, "ENABLED") != 0) {
    credcycle_value_set_message(out, key->state);
    rc = CREDCYCLE_RESULT_KEY_STATE;
  } else {
    key->versions++;
    rc = toy_info(key, out);
  }
  pthread_mutex_unlock(&k->mu);
  return rc;
}

static credcycle_result toy_set_state(void *ud, const char *id, const char *state,
                                      credcycle_value_out *out) {
  toy_kms *k = ud;
  pthread_mutex_lock(&k->mu);
  toy_key *key = toy_find(k, id);
  credcycle_result rc = CREDCYCLE_RESULT_KEY_NOT_FOUND;
  if (key) {
    key->state = strcmp(state, "ENABLED") == 0    ? "ENABLED"
                 : strcmp(state, "DISABLED") == 0 ? "DISABLED"
                                                  : "PENDING_DELETION";
    rc = toy_info(key, out);
  }
  pthread_mutex_unlock(&k->mu);
  return rc;
}

/* ciphertext = nonce(8) || dek XOR stream || tag(8) */
static uint64_t toy_stream(const char *id, uint32_t version, uint64_t nonce, size_t i) {
  uint64_t h = fnv(14695981039346656037ULL, id, strlen(id));
  h = fnv(h, &version, sizeof version);
  h = fnv(h, &nonce, sizeof nonce);
  return fnv(h, &i, sizeof i);
}

static uint64_t toy_tag(const char *id, uint32_t version, uint64_t nonce, const uint8_t *aad,
                        size_t aad_len, const uint8_t *dek, size_t dek_len) {
  uint64_t h = toy_stream(id, version, nonce, (size_t)-1);
  h = fnv(h, aad, aad_len);
  return fnv(h, dek, dek_len);
}

static credcycle_result toy_wrap(void *ud, const char *id, const uint8_t *dek, size_t dek_len,
                                 const uint8_t *aad, size_t aad_len, credcycle_value_out *out) {
  toy_kms *k = ud;
  pthread_mutex_lock(&k->mu);
  toy_key *key = toy_find(k, id);
  uint32_t version = key ? key->versions : 0;
  const char *state = key ? key->state : NULL;
  uint64_t nonce = ++k->counter;
  pthread_mutex_unlock(&k->mu);
  if (!key) return CREDCYCLE_RESULT_KEY_NOT_FOUND;
  if (strcmp(state, "ENABLED") != 0) {
    credcycle_value_set_message(out, state);
    return CREDCYCLE_RESULT_KEY_STATE;
  }
  size_t n = 8 + dek_len + 8;
  uint8_t *ct = malloc(n);
  memcpy(ct, &nonce, 8);
  for (size_t i = 0; i < dek_len; i++) ct[8 + i] = dek[i] ^ (uint8_t)toy_stream(id, version, nonce, i);
  uint64_t tag = toy_tag(id, version, nonce, aad, aad_len, dek, dek_len);
  memcpy(ct + 8 + dek_len, &tag, 8);
  credcycle_result rc = credcycle_value_set_wrapped(out, id, version, ct, n);
  free(ct);
  return rc;
}

static credcycle_result toy_unwrap(void *ud, const char *id, uint32_t version, const uint8_t *ct,
                                   size_t ct_len, const uint8_t *aad, size_t aad_len,
                                   credcycle_value_out *out) {
  toy_kms *k = ud;
  pthread_mutex_lock(&k->mu);
  toy_key *key = toy_find(k, id);
  uint32_t versions = key ? key->versions : 0;
  int pending = key && strcmp(key->state, "PENDING_DELETION") == 0;
  pthread_mutex_unlock(&k->mu);
  if (!key || version == 0 || version > versions) return CREDCYCLE_RESULT_KEY_NOT_FOUND;
  if (pending) {
    credcycle_value_set_message(out, "PENDING_DELETION");
    return CREDCYCLE_RESULT_KEY_STATE;
  }
  if (ct_len < 16) return CREDCYCLE_RESULT_VERIFICATION_FAILED;
  uint64_t nonce, tag;
  memcpy(&nonce, ct, 8);
  size_t dek_len = ct_len - 16;
  memcpy(&tag, ct + 8 + dek_len, 8);
  uint8_t dek[64];
  if (dek_len > sizeof dek) return CREDCYCLE_RESULT_VERIFICATION_FAILED;
  for (size_t i = 0; i < dek_len; i++) dek[i] = ct[8 + i] ^ (uint8_t)toy_stream(id, version, nonce, i);
  if (toy_tag(id, version, nonce, aad, aad_len, dek, dek_len) != tag)
    return CREDCYCLE_RESULT_VERIFICATION_FAILED;
  credcycle_result rc = credcycle_value_set(out, dek, dek_len);
  memset(dek, 0, sizeof dek);
  return rc;
}

static credcycle_result toy_sign(void *ud, const char *id, const uint8_t *msg, size_t len,
                                 credcycle_value_out *out) {
  (void)ud, (void)id, (void)msg, (void)len;
  credcycle_value_set_message(out, "wrap");
  return CREDCYCLE_RESULT_KEY_PURPOSE;
}

static credcycle_result toy_public_key(void *ud, const char *id, credcycle_value_out *out) {
  (void)ud, (void)id;
  credcycle_value_set_message(out, "wrap");
  return CREDCYCLE_RESULT_KEY_PURPOSE;
}

static void toy_free(void *ud) {
  toy_kms *k = ud;
  pthread_mutex_destroy(&k->mu);
  if (k->freed) (*k->freed)++;
  free(k);
}

static credcycle_key_manager_vtable toy_kms_new(int *freed) {
  toy_kms *k = calloc(1, sizeof *k);
  pthread_mutex_init(&k->mu, NULL);
  k->freed = freed;
  credcycle_key_manager_vtable vt = {k,          toy_create, toy_key_info, toy_list,
                                     toy_rotate, toy_set_state, toy_wrap, toy_unwrap,
                                     toy_sign,   toy_public_key, toy_free};
  return vt;
}

#endif
