/* Engine construction, results and messages, client helpers, NULL safety,
 * buffers, SQLite persistence and concurrent use from threads. */
#include <pthread.h>
#include <unistd.h>

#include "check.h"

static void test_version_and_messages(void) {
  credcycle_str v = credcycle_version();
  CHECK(str_eq(v, CREDCYCLE_VERSION_STRING));
  char want[32];
  snprintf(want, sizeof want, "%d.%d.%d", CREDCYCLE_VERSION_MAJOR,
           CREDCYCLE_VERSION_MINOR, CREDCYCLE_VERSION_PATCH);
  CHECK(str_eq(v, want));

  char buf[64];
  size_t n = 0;
  CHECK_OK(credcycle_result_message(CREDCYCLE_RESULT_OK, buf, sizeof buf, &n));
  CHECK(n == 3 && strcmp(buf, "ok") == 0);
  CHECK_OK(credcycle_result_message(CREDCYCLE_RESULT_NOT_FOUND, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "record not found") == 0);
  CHECK_RC(credcycle_result_message(CREDCYCLE_RESULT_NOT_FOUND, buf, 4, &n),
           CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  CHECK(n == strlen("record not found") + 1);
  CHECK_RC(credcycle_result_message(1, buf, sizeof buf, NULL),
           CREDCYCLE_RESULT_NULL_PARAMETER);
  CHECK_OK(credcycle_result_message(4242, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "unknown result code") == 0);
  CHECK(str_eq(credcycle_result_kind(CREDCYCLE_RESULT_VERIFICATION_FAILED), "verification_failed"));
  CHECK(str_eq(credcycle_result_kind(CREDCYCLE_RESULT_KEY_NOT_FOUND), "not_found"));
  CHECK(str_eq(credcycle_result_kind(CREDCYCLE_RESULT_PANIC), "binding"));
  CHECK(str_eq(credcycle_result_kind(0), "ok"));
  CHECK(str_eq(credcycle_result_kind(77), "unknown"));
}

static void test_root_keys(void) {
  uint8_t key[32];
  size_t n = 0;
  CHECK_RC(credcycle_generate_root_key(NULL, 0, &n), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  CHECK(n == 32);
  CHECK_OK(credcycle_generate_root_key(key, sizeof key, &n));
  CHECK(n == 32);
  uint8_t parsed[32];
  CHECK_OK(credcycle_parse_root_key(
      "0707070707070707070707070707070707070707070707070707070707070707\n", parsed,
      sizeof parsed, &n));
  CHECK(n == 32 && memcmp(parsed, TEST_ROOT_KEY, 32) == 0);
  CHECK_RC(credcycle_parse_root_key("not a key", parsed, sizeof parsed, &n),
           CREDCYCLE_RESULT_INVALID_INPUT);
}

static void test_builder_errors_and_nulls(void) {
  credcycle_engine_builder *b = NULL;
  const credcycle_engine *e = NULL;
  /* No store: the build fails and still consumes the builder. */
  CHECK_OK(credcycle_engine_builder_new(&b));
  CHECK_OK(credcycle_engine_builder_set_kms_local(b, TEST_ROOT_KEY, 32));
  CHECK_RC(credcycle_engine_builder_build(b, &e), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK(e == NULL);
  /* A short root key is refused; a policy out of range fails the build. */
  CHECK_OK(credcycle_engine_builder_new(&b));
  CHECK_RC(credcycle_engine_builder_set_kms_local(b, TEST_ROOT_KEY, 5),
           CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_OK(credcycle_engine_builder_set_store_memory(b));
  CHECK_OK(credcycle_engine_builder_set_kms_local(b, TEST_ROOT_KEY, 32));
  CHECK_OK(credcycle_engine_builder_set_max_secret_versions(b, 1));
  CHECK_RC(credcycle_engine_builder_build(b, &e), CREDCYCLE_RESULT_INVALID_INPUT);
  /* A builder that is never built is freed. */
  CHECK_OK(credcycle_engine_builder_new(&b));
  CHECK_OK(credcycle_engine_builder_set_store_sqlite(b, "/nonexistent-dir/x.db"));
  credcycle_engine_builder_free(b);

  /* NULL handles and out-pointers. */
  CHECK_RC(credcycle_engine_builder_new(NULL), CREDCYCLE_RESULT_NULL_PARAMETER);
  CHECK_RC(credcycle_engine_builder_set_store_memory(NULL), CREDCYCLE_RESULT_NULL_PARAMETER);
  CHECK_RC(credcycle_engine_builder_build(NULL, &e), CREDCYCLE_RESULT_NULL_PARAMETER);
  CHECK_RC(credcycle_engine_secrets(NULL, "t", NULL), CREDCYCLE_RESULT_NULL_PARAMETER);
  credcycle_engine_free(NULL);
  credcycle_engine_builder_free(NULL);
  credcycle_secrets_free(NULL);
  credcycle_kms_free(NULL);
  credcycle_audit_free(NULL);
  credcycle_secret_info_free(NULL);
  credcycle_secret_info_list_free(NULL);
  credcycle_key_info_free(NULL);
  credcycle_key_info_list_free(NULL);
  credcycle_audit_trail_free(NULL);
  credcycle_string_list_free(NULL);
  credcycle_conformance_report_free(NULL);
  CHECK(credcycle_secret_info_name(NULL).len == 0);
  CHECK(credcycle_secret_info_version(NULL, 0) == NULL);
  CHECK(credcycle_key_info_versions(NULL) == 0);
  CHECK(!credcycle_audit_trail_chain_valid(NULL));

  /* A sqlite path that cannot be opened fails at build time. */
  CHECK_OK(credcycle_engine_builder_new(&b));
  CHECK_OK(credcycle_engine_builder_set_store_sqlite(b, "/nonexistent-dir/x.db"));
  CHECK_OK(credcycle_engine_builder_set_kms_local(b, TEST_ROOT_KEY, 32));
  credcycle_result rc = credcycle_engine_builder_build(b, &e);
  CHECK(rc == CREDCYCLE_RESULT_STORE_BACKEND || rc == CREDCYCLE_RESULT_STORE_UNAVAILABLE);
}

static void test_engine_basics(void) {
  const credcycle_engine *e = memory_engine();
  CHECK(e != NULL);
  char id[16];
  size_t n = 0;
  CHECK_RC(credcycle_engine_ensure_default_key(e, id, 2, &n), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  CHECK(n == 8);
  CHECK_OK(credcycle_engine_ensure_default_key(e, id, sizeof id, &n));
  CHECK(n == 8 && strcmp(id, "default") == 0);

  const credcycle_secrets *s = NULL;
  CHECK_RC(credcycle_engine_secrets(e, "bad tenant!", &s), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK(s == NULL);
  CHECK_RC(credcycle_engine_secrets(e, "\xff\xfe", &s), CREDCYCLE_RESULT_INVALID_UTF8);
  CHECK_OK(credcycle_engine_secrets(e, "shop", &s));

  /* Handles keep the engine alive after it is freed. */
  const credcycle_engine *alice = NULL;
  CHECK_OK(credcycle_engine_with_actor(e, "alice", &alice));
  credcycle_engine_free(e);
  credcycle_secret_input v = {(const uint8_t *)"hunter2", 7, 0};
  CHECK_OK(credcycle_secrets_create(s, "db", &v, NULL, NULL, NULL));
  credcycle_secrets_free(s);
  credcycle_engine_free(alice);
}

static void test_sqlite_persistence(void) {
  char path[] = "/tmp/credcycle-c-test-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  close(fd);
  unlink(path);

  for (int round = 0; round < 3; round++) {
    credcycle_engine_builder *b = NULL;
    const credcycle_engine *e = NULL;
    uint8_t key[32];
    memcpy(key, TEST_ROOT_KEY, 32);
    if (round == 2) key[0] ^= 1; /* the wrong root key */
    CHECK_OK(credcycle_engine_builder_new(&b));
    CHECK_OK(credcycle_engine_builder_set_store_sqlite(b, path));
    CHECK_OK(credcycle_engine_builder_set_kms_local(b, key, 32));
    credcycle_result rc = credcycle_engine_builder_build(b, &e);
    if (round == 2) {
      CHECK(rc == CREDCYCLE_RESULT_WRONG_ROOT_KEY);
      CHECK(e == NULL);
      break;
    }
    CHECK_OK(rc);
    const credcycle_secrets *s = NULL;
    CHECK_OK(credcycle_engine_secrets(e, "t", &s));
    if (round == 0) {
      credcycle_secret_input v = {(const uint8_t *)"persisted", 9, 0};
      CHECK_OK(credcycle_secrets_create(s, "a", &v, NULL, NULL, NULL));
    } else {
      uint8_t buf[32];
      size_t n = 0;
      uint64_t ver = 0;
      CHECK_OK(credcycle_secrets_get_value(s, "a", NULL, buf, sizeof buf, &n, &ver));
      CHECK(n == 9 && memcmp(buf, "persisted", 9) == 0 && ver == 1);
    }
    credcycle_secrets_free(s);
    credcycle_engine_free(e);
  }
  unlink(path);
  char side[64];
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
}

#define THREADS 4
#define PUTS 20

static void *worker(void *arg) {
  const credcycle_secrets *s = arg;
  long failures = 0;
  for (int i = 0; i < PUTS; i++) {
    uint64_t ver = 0;
    credcycle_secret_input v = {NULL, 0, 16};
    credcycle_result rc;
    /* CONFLICT means another thread won every retry: the call may be re-run. */
    while ((rc = credcycle_secrets_put_value(s, "shared", &v, NULL, &ver)) == CREDCYCLE_RESULT_CONFLICT) {
    }
    if (rc != CREDCYCLE_RESULT_OK) failures++;
    uint8_t buf[16];
    size_t n = 0;
    if (credcycle_secrets_get_value(s, "shared", NULL, buf, sizeof buf, &n, NULL) != CREDCYCLE_RESULT_OK || n != 16)
      failures++;
  }
  return (void *)failures;
}

static void test_threads(void) {
  const credcycle_engine *e = memory_engine();
  const credcycle_secrets *s = NULL;
  CHECK_OK(credcycle_engine_secrets(e, "t", &s));
  CHECK_OK(credcycle_secrets_create(s, "shared", NULL, NULL, NULL, NULL));
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)s);
  long failures = 0;
  for (int i = 0; i < THREADS; i++) {
    void *r = NULL;
    pthread_join(t[i], &r);
    failures += (long)r;
  }
  CHECK(failures == 0);
  credcycle_secret_info *info = NULL;
  CHECK_OK(credcycle_secrets_get(s, "shared", &info));
  /* Every put got its own version (none lost to a race). */
  size_t count = credcycle_secret_info_version_count(info);
  const credcycle_secret_version *last = credcycle_secret_info_version(info, count - 1);
  CHECK(credcycle_secret_version_number(last) == THREADS * PUTS);
  credcycle_secret_info_free(info);
  credcycle_secrets_free(s);
  credcycle_engine_free(e);
}

int main(void) {
  test_version_and_messages();
  test_root_keys();
  test_builder_errors_and_nulls();
  test_engine_basics();
  test_sqlite_persistence();
  test_threads();
  return finish("test_engine");
}
