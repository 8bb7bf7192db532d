/* Times cheap engine calls made from C through libcredcycle, for the
 * per-call overhead figures in BENCHMARKS.md (the Rust side of the
 * comparison is the criterion bench bindings/c/benches/ffi_overhead.rs).
 *
 * For each call: a warm-up, then 7 runs of ITERS calls each; prints the
 * median and the fastest run in nanoseconds per call. Build against the
 * release library (scripts/bench-c.sh does):
 *
 *   cc -O2 overhead.c -I include target/release/libcredcycle.a \
 *      $(pkg-config --static --libs-only-l credcycle) -o overhead
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "credcycle.h"

#define RUNS 7

static const credcycle_secrets *secrets;
static const credcycle_kms *kms;
static long iters = 200000;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what, credcycle_result rc) {
  char msg[128];
  size_t n = 0;
  credcycle_result_message(rc, msg, sizeof msg, &n);
  fprintf(stderr, "%s: %s (%u)\n", what, msg, rc);
  exit(1);
}

static void call_secrets_get(void) {
  credcycle_secret_info *info = NULL;
  credcycle_result rc = credcycle_secrets_get(secrets, "api-key", &info);
  if (rc != CREDCYCLE_RESULT_OK) die("secrets_get", rc);
  credcycle_secret_info_free(info);
}

static void call_kms_key_info(void) {
  credcycle_key_info *info = NULL;
  credcycle_result rc = credcycle_kms_key_info(kms, "default", &info);
  if (rc != CREDCYCLE_RESULT_OK || info == NULL) die("kms_key_info", rc);
  credcycle_key_info_free(info);
}

static void call_get_value(void) {
  uint8_t buf[64];
  size_t n = 0;
  credcycle_result rc = credcycle_secrets_get_value(secrets, "api-key", NULL, buf, sizeof buf, &n, NULL);
  if (rc != CREDCYCLE_RESULT_OK || n != 64) die("get_value", rc);
}

static void call_version(void) {
  volatile size_t len = credcycle_version().len;
  (void)len;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void measure(const char *name, void (*fn)(void), long n) {
  for (long i = 0; i < n / 10; i++) fn();
  double per[RUNS];
  for (int r = 0; r < RUNS; r++) {
    double t0 = now_ns();
    for (long i = 0; i < n; i++) fn();
    per[r] = (now_ns() - t0) / (double)n;
  }
  qsort(per, RUNS, sizeof per[0], cmp);
  printf("%-28s median %8.1f ns/call  (fastest %8.1f, %ld calls x %d runs)\n", name,
         per[RUNS / 2], per[0], n, RUNS);
}

int main(int argc, char **argv) {
  if (argc > 1) iters = atol(argv[1]);
  static const uint8_t root_key[32] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                       7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
  static const uint8_t value[64] = {0x42};
  credcycle_engine_builder *b = NULL;
  const credcycle_engine *engine = NULL;
  credcycle_result rc;
  if ((rc = credcycle_engine_builder_new(&b))) die("builder", rc);
  if ((rc = credcycle_engine_builder_set_store_memory(b))) die("store", rc);
  if ((rc = credcycle_engine_builder_set_kms_local(b, root_key, sizeof root_key))) die("kms", rc);
  if ((rc = credcycle_engine_builder_build(b, &engine))) die("build", rc);
  if ((rc = credcycle_engine_secrets(engine, "bench", &secrets))) die("tenant", rc);
  if ((rc = credcycle_engine_kms(engine, &kms))) die("kms handle", rc);
  credcycle_secret_input v = {value, sizeof value, 0};
  if ((rc = credcycle_secrets_create(secrets, "api-key", &v, NULL, NULL, NULL))) die("create", rc);

  credcycle_str ver = credcycle_version();
  printf("libcredcycle %.*s, C caller\n", (int)ver.len, ver.data);
  measure("credcycle_version", call_version, iters * 10);
  measure("credcycle_kms_key_info", call_kms_key_info, iters);
  measure("credcycle_secrets_get", call_secrets_get, iters);
  measure("credcycle_secrets_get_value", call_get_value, iters / 4);

  credcycle_kms_free(kms);
  credcycle_secrets_free(secrets);
  credcycle_engine_free(engine);
  return 0;
}
