/* Tiny test harness shared by the C test programs. */
#ifndef CREDCYCLE_TEST_CHECK_H
#define CREDCYCLE_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credcycle.h"

static int checks_passed = 0;
static int checks_failed = 0;

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (cond) {                                                               \
      checks_passed++;                                                        \
    } else {                                                                  \
      checks_failed++;                                                        \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);\
    }                                                                         \
  } while (0)

/* Checks that a call returns the expected result code, naming both. */
#define CHECK_RC(call, expected)                                              \
  do {                                                                        \
    credcycle_result rc_ = (call);                                            \
    if (rc_ == (expected)) {                                                  \
      checks_passed++;                                                        \
    } else {                                                                  \
      char msg_[128];                                                         \
      size_t n_ = 0;                                                          \
      credcycle_result_message(rc_, msg_, sizeof msg_, &n_);                  \
      checks_failed++;                                                        \
      fprintf(stderr, "%s:%d: %s returned %u (%s), expected %u\n", __FILE__, \
              __LINE__, #call, rc_, msg_, (unsigned)(expected));              \
    }                                                                         \
  } while (0)

#define CHECK_OK(call) CHECK_RC(call, CREDCYCLE_RESULT_OK)

/* Whether a credcycle_str equals a C string. */
static int str_eq(credcycle_str s, const char *want) {
  return s.len == strlen(want) && memcmp(s.data, want, s.len) == 0;
}

/* Prints the program's summary line and returns its exit status. */
static int finish(const char *program) {
  printf("%s: %d checks passed, %d failed\n", program, checks_passed,
         checks_failed);
  return checks_failed == 0 ? 0 : 1;
}

/* A fixed 32-byte root key for tests. */
static const uint8_t TEST_ROOT_KEY[32] = {
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

/* An engine on a memory store and the local key manager. */
static const credcycle_engine *memory_engine(void) {
  credcycle_engine_builder *b = NULL;
  const credcycle_engine *e = NULL;
  if (credcycle_engine_builder_new(&b) != CREDCYCLE_RESULT_OK) return NULL;
  credcycle_engine_builder_set_store_memory(b);
  credcycle_engine_builder_set_kms_local(b, TEST_ROOT_KEY, sizeof TEST_ROOT_KEY);
  if (credcycle_engine_builder_build(b, &e) != CREDCYCLE_RESULT_OK) return NULL;
  return e;
}

/* A settable clock for credcycle_clock_vtable. */
typedef struct test_clock {
  int64_t now;
} test_clock;

static int64_t test_clock_now(void *userdata) {
  return __atomic_load_n(&((test_clock *)userdata)->now, __ATOMIC_SEQ_CST);
}

/* An engine on a memory store and the local key manager, with the test
 * clock `clock` (NULL: the system clock). */
static const credcycle_engine *clocked_engine(test_clock *clock) {
  credcycle_engine_builder *b = NULL;
  const credcycle_engine *e = NULL;
  if (credcycle_engine_builder_new(&b) != CREDCYCLE_RESULT_OK) return NULL;
  credcycle_engine_builder_set_store_memory(b);
  credcycle_engine_builder_set_kms_local(b, TEST_ROOT_KEY, sizeof TEST_ROOT_KEY);
  if (clock != NULL) {
    credcycle_clock_vtable vt = {0};
    vt.userdata = clock;
    vt.now = test_clock_now;
    credcycle_engine_builder_set_clock_custom(b, &vt);
  }
  if (credcycle_engine_builder_build(b, &e) != CREDCYCLE_RESULT_OK) return NULL;
  return e;
}

/* Whether a credcycle_str contains a C string. */
static int str_has(credcycle_str s, const char *needle) {
  size_t n = strlen(needle);
  if (n > s.len) return 0;
  for (size_t i = 0; i + n <= s.len; i++)
    if (memcmp(s.data + i, needle, n) == 0) return 1;
  return 0;
}

/* A heap copy of a credcycle_str, NUL-terminated (free it). */
static char *str_dup(credcycle_str s) {
  char *p = malloc(s.len + 1);
  if (p == NULL) abort();
  memcpy(p, s.data, s.len);
  p[s.len] = 0;
  return p;
}

#endif
