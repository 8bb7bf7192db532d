/* A Store and a KeyManager written in C: the Store passes the engine's
 * conformance scenarios driven from C, and an engine runs on both. */
#include "check.h"
#include "memstore.h"
#include "toykms.h"

static int stores_made = 0;
static int stores_freed = 0;

static credcycle_result make_mem_store(void *userdata, credcycle_store_vtable *out) {
  (void)userdata;
  stores_made++;
  *out = mem_store_new(&stores_freed);
  return CREDCYCLE_RESULT_OK;
}

/* A broken store: commit accepts everything and writes nothing. */
static credcycle_result lazy_commit(void *ud, const credcycle_store_op *ops, size_t n,
                                    credcycle_value_out *out) {
  (void)ud, (void)ops, (void)n, (void)out;
  return CREDCYCLE_RESULT_OK;
}

static credcycle_result make_broken_store(void *userdata, credcycle_store_vtable *out) {
  (void)userdata;
  *out = mem_store_new(NULL);
  out->commit = lazy_commit;
  return CREDCYCLE_RESULT_OK;
}

static void test_conformance(void) {
  credcycle_conformance_report *r = NULL;
  CHECK_OK(credcycle_store_conformance_run(make_mem_store, NULL, NULL, &r));
  size_t n = credcycle_conformance_report_len(r);
  CHECK(n == 20);
  CHECK(credcycle_conformance_report_failed(r) == 0);
  for (size_t i = 0; i < n; i++) {
    credcycle_str name = credcycle_conformance_report_name(r, i);
    if (!credcycle_conformance_report_passed(r, i)) {
      credcycle_str m = credcycle_conformance_report_message(r, i);
      fprintf(stderr, "scenario %.*s failed: %.*s\n", (int)name.len, name.data, (int)m.len, m.data);
    }
  }
  printf("store conformance from C: %zu scenarios, %zu failed\n", n,
         credcycle_conformance_report_failed(r));
  credcycle_conformance_report_free(r);
  CHECK(stores_made == 20 && stores_freed == 20);

  /* The runner catches a broken store and names the failure. */
  CHECK_OK(credcycle_store_conformance_run(make_broken_store, NULL, "put_absent_creates_version_1", &r));
  CHECK(credcycle_conformance_report_len(r) == 1);
  CHECK(credcycle_conformance_report_failed(r) == 1);
  CHECK(!credcycle_conformance_report_passed(r, 0));
  CHECK(credcycle_conformance_report_message(r, 0).len > 0);
  credcycle_conformance_report_free(r);
  CHECK_RC(credcycle_store_conformance_run(NULL, NULL, NULL, &r), CREDCYCLE_RESULT_NULL_PARAMETER);
}

static int kms_made = 0;
static int kms_freed = 0;

static credcycle_result make_toy_kms(void *userdata, credcycle_key_manager_vtable *out) {
  (void)userdata;
  kms_made++;
  *out = toy_kms_new(&kms_freed);
  return CREDCYCLE_RESULT_OK;
}

static credcycle_result failing_factory(void *userdata, credcycle_key_manager_vtable *out) {
  (void)userdata, (void)out;
  return CREDCYCLE_RESULT_KMS_UNAVAILABLE;
}

/* The KeyManager scenarios driven from C against the toy key manager: it
 * wraps (AES-GCM) and refuses every other algorithm, so the wrap, rotation
 * and state scenarios pass and the ones that need a signing key fail, each
 * with a message. */
static void test_kms_conformance(void) {
  credcycle_conformance_report *r = NULL;
  CHECK_OK(credcycle_kms_conformance_run(make_toy_kms, NULL, NULL, &r));
  size_t n = credcycle_conformance_report_len(r);
  CHECK(n == 7);
  size_t passed = 0;
  for (size_t i = 0; i < n; i++) {
    credcycle_str name = credcycle_conformance_report_name(r, i);
    int ok = credcycle_conformance_report_passed(r, i);
    passed += ok;
    printf("kms scenario %.*s: %s\n", (int)name.len, name.data, ok ? "passed" : "failed");
  }
  printf("kms conformance from C: %zu scenarios, %zu passed\n", n, passed);
  CHECK(passed == 3);
  CHECK(kms_made == (int)n && kms_freed == (int)n);
  credcycle_conformance_report_free(r);
  CHECK_OK(credcycle_kms_conformance_run(make_toy_kms, NULL, "wrap_unwrap_round_trip_bound_to_aad", &r));
  CHECK(credcycle_conformance_report_len(r) == 1 && credcycle_conformance_report_passed(r, 0));
  credcycle_conformance_report_free(r);
  /* A failing factory fails the scenario, with a message. */
  CHECK_OK(credcycle_kms_conformance_run(failing_factory, NULL, "create_info_and_list", &r));
  CHECK(credcycle_conformance_report_len(r) == 1 && !credcycle_conformance_report_passed(r, 0));
  CHECK(credcycle_conformance_report_message(r, 0).len > 0);
  credcycle_conformance_report_free(r);
  CHECK_RC(credcycle_kms_conformance_run(NULL, NULL, NULL, &r), CREDCYCLE_RESULT_NULL_PARAMETER);
}

static void test_engine_on_c_plugins(void) {
  int store_freed = 0, kms_freed = 0;
  credcycle_store_vtable store = mem_store_new(&store_freed);
  credcycle_key_manager_vtable kms = toy_kms_new(&kms_freed);
  credcycle_engine_builder *b = NULL;
  const credcycle_engine *e = NULL;
  CHECK_OK(credcycle_engine_builder_new(&b));
  CHECK_OK(credcycle_engine_builder_set_store_custom(b, &store));
  CHECK_OK(credcycle_engine_builder_set_kms_custom(b, &kms));
  CHECK_OK(credcycle_engine_builder_build(b, &e));

  const credcycle_secrets *s = NULL;
  CHECK_OK(credcycle_engine_secrets(e, "shop", &s));
  credcycle_secret_input v = {(const uint8_t *)"hunter2", 7, 0};
  CHECK_OK(credcycle_secrets_create(s, "db", &v, NULL, NULL, NULL));
  uint8_t buf[32];
  size_t n = 0;
  CHECK_OK(credcycle_secrets_get_value(s, "db", NULL, buf, sizeof buf, &n, NULL));
  CHECK(n == 7 && memcmp(buf, "hunter2", 7) == 0);

  /* Key rotation in the C key manager; old versions keep decrypting. */
  const credcycle_kms *k = NULL;
  CHECK_OK(credcycle_engine_kms(e, &k));
  credcycle_key_info *info = NULL;
  CHECK_OK(credcycle_kms_rotate_key(k, "default", &info));
  CHECK(credcycle_key_info_primary_version(info) == 2);
  credcycle_key_info_free(info);
  uint64_t ver = 0;
  credcycle_secret_input v2 = {(const uint8_t *)"second", 6, 0};
  CHECK_OK(credcycle_secrets_put_value(s, "db", &v2, NULL, &ver));
  uint32_t rewrapped = 0, unchanged = 0;
  CHECK_OK(credcycle_secrets_rewrap(s, "db", &rewrapped, &unchanged));
  CHECK(rewrapped == 1 && unchanged == 1);
  CHECK_OK(credcycle_secrets_get_value(s, "db", "v1", buf, sizeof buf, &n, NULL));
  CHECK(n == 7 && memcmp(buf, "hunter2", 7) == 0);

  /* Errors from C callbacks keep their codes. */
  CHECK_RC(credcycle_kms_create_key(k, "default", "aes256gcm", NULL), CREDCYCLE_RESULT_KEY_EXISTS);
  CHECK_RC(credcycle_kms_create_key(k, "sig", "p256", NULL), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_kms_sign(k, "default", (const uint8_t *)"m", 1, buf, sizeof buf, &n),
           CREDCYCLE_RESULT_KEY_PURPOSE);
  CHECK_OK(credcycle_kms_schedule_key_deletion(k, "default", NULL));
  CHECK_RC(credcycle_secrets_get_value(s, "db", NULL, buf, sizeof buf, &n, NULL), CREDCYCLE_RESULT_KEY_STATE);
  CHECK_OK(credcycle_kms_enable_key(k, "default", NULL));
  credcycle_key_info_list *list = NULL;
  CHECK_OK(credcycle_kms_list_keys(k, &list));
  CHECK(credcycle_key_info_list_len(list) == 1);
  credcycle_key_info_list_free(list);

  /* The audit chain is kept in the C store too. */
  const credcycle_audit *a = NULL;
  CHECK_OK(credcycle_engine_audit(e, "shop", &a));
  credcycle_audit_trail *t = NULL;
  CHECK_OK(credcycle_audit_events(a, "secret:db", &t));
  CHECK(credcycle_audit_trail_chain_valid(t) && credcycle_audit_trail_event_count(t) == 3);
  credcycle_audit_trail_free(t);

  credcycle_audit_free(a);
  credcycle_kms_free(k);
  credcycle_secrets_free(s);
  CHECK(store_freed == 0 && kms_freed == 0);
  credcycle_engine_free(e);
  CHECK(store_freed == 1 && kms_freed == 1); /* free_userdata ran once each */
}

/* A store whose reads fail with a message. */
static credcycle_result failing_get(void *ud, uint32_t table, const uint8_t *key, size_t len,
                                    credcycle_value_out *out) {
  (void)ud, (void)table, (void)key, (void)len;
  credcycle_value_set_message(out, "disk on fire");
  return CREDCYCLE_RESULT_STORE_BACKEND;
}

/* A store whose get sets a value without a version (a contract breach). */
static credcycle_result bad_get(void *ud, uint32_t table, const uint8_t *key, size_t len,
                                credcycle_value_out *out) {
  (void)ud, (void)table, (void)key, (void)len;
  return credcycle_value_set(out, (const uint8_t *)"x", 1);
}

static void test_callback_failures(void) {
  for (int variant = 0; variant < 2; variant++) {
    credcycle_store_vtable store = mem_store_new(NULL);
    store.get = variant == 0 ? failing_get : bad_get;
    credcycle_engine_builder *b = NULL;
    const credcycle_engine *e = NULL;
    CHECK_OK(credcycle_engine_builder_new(&b));
    CHECK_OK(credcycle_engine_builder_set_store_custom(b, &store));
    credcycle_key_manager_vtable kms = toy_kms_new(NULL);
    CHECK_OK(credcycle_engine_builder_set_kms_custom(b, &kms));
    CHECK_OK(credcycle_engine_builder_build(b, &e));
    const credcycle_secrets *s = NULL;
    CHECK_OK(credcycle_engine_secrets(e, "t", &s));
    credcycle_secret_info *info = NULL;
    CHECK_RC(credcycle_secrets_get(s, "x", &info), CREDCYCLE_RESULT_STORE_BACKEND);
    credcycle_secrets_free(s);
    credcycle_engine_free(e);
  }
  /* An incomplete vtable is refused and not taken over. */
  credcycle_store_vtable store = mem_store_new(NULL);
  credcycle_store_vtable partial = store;
  partial.commit = NULL;
  credcycle_engine_builder *b = NULL;
  CHECK_OK(credcycle_engine_builder_new(&b));
  CHECK_RC(credcycle_engine_builder_set_store_custom(b, &partial), CREDCYCLE_RESULT_NULL_PARAMETER);
  credcycle_engine_builder_free(b);
  mem_free(store.userdata);
}

int main(void) {
  test_conformance();
  test_kms_conformance();
  test_engine_on_c_plugins();
  test_callback_failures();
  return finish("test_store_conformance");
}
