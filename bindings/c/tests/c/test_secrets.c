/* The secrets domain: every operation, its states and errors, buffers, and
 * the deletion window driven by a C clock. */
#include "check.h"

static const credcycle_engine *engine_with_clock(test_clock *clock) {
  credcycle_engine_builder *b = NULL;
  const credcycle_engine *e = NULL;
  credcycle_clock_vtable vt = {clock, test_clock_now, NULL};
  if (credcycle_engine_builder_new(&b) != CREDCYCLE_RESULT_OK) return NULL;
  credcycle_engine_builder_set_store_memory(b);
  credcycle_engine_builder_set_kms_local(b, TEST_ROOT_KEY, 32);
  credcycle_engine_builder_set_clock_custom(b, &vt);
  if (credcycle_engine_builder_build(b, &e) != CREDCYCLE_RESULT_OK) return NULL;
  return e;
}

static int has_label(const credcycle_secret_version *v, const char *label) {
  for (size_t i = 0; i < credcycle_secret_version_label_count(v); i++)
    if (str_eq(credcycle_secret_version_label(v, i), label)) return 1;
  return 0;
}

static void check_value(const credcycle_secrets *s, const char *name, const char *version,
                        const char *want, uint64_t want_version) {
  uint8_t buf[64];
  size_t n = 0;
  uint64_t ver = 0;
  CHECK_OK(credcycle_secrets_get_value(s, name, version, buf, sizeof buf, &n, &ver));
  CHECK(n == strlen(want) && memcmp(buf, want, n) == 0);
  CHECK(ver == want_version);
}

int main(void) {
  test_clock clock = {1700000000};
  const credcycle_engine *e = engine_with_clock(&clock);
  CHECK(e != NULL);
  const credcycle_kms *k = NULL;
  CHECK_OK(credcycle_engine_kms(e, &k));
  CHECK_OK(credcycle_kms_create_key(k, "k2", "aes256gcm", NULL));
  const credcycle_secrets *s = NULL;
  CHECK_OK(credcycle_engine_secrets(e, "shop", &s));

  /* create */
  credcycle_secret_info *info = NULL;
  credcycle_secret_input v1 = {(const uint8_t *)"hunter2", 7, 0};
  CHECK_OK(credcycle_secrets_create(s, "db", &v1, NULL, "orders DB", &info));
  CHECK(str_eq(credcycle_secret_info_name(info), "db"));
  CHECK(str_eq(credcycle_secret_info_description(info), "orders DB"));
  CHECK(str_eq(credcycle_secret_info_state(info), "ENABLED"));
  CHECK(str_eq(credcycle_secret_info_kms_key_id(info), "default"));
  CHECK(credcycle_secret_info_id(info).len == 36);
  CHECK(credcycle_secret_info_create_time(info) == 1700000000);
  CHECK(credcycle_secret_info_update_time(info) == 1700000000);
  CHECK(!credcycle_secret_info_scheduled_delete_time(info, NULL));
  CHECK(credcycle_secret_info_version_count(info) == 1);
  const credcycle_secret_version *ver = credcycle_secret_info_version(info, 0);
  CHECK(credcycle_secret_version_number(ver) == 1);
  CHECK(str_eq(credcycle_secret_version_id(ver), "v1"));
  CHECK(has_label(ver, "CURRENT"));
  CHECK(str_eq(credcycle_secret_version_kms_key_id(ver), "default"));
  CHECK(credcycle_secret_version_kms_key_version(ver) == 1);
  CHECK(credcycle_secret_version_create_time(ver) == 1700000000);
  CHECK(credcycle_secret_version_label(ver, 5).len == 0);
  credcycle_secret_info_free(info);
  CHECK_RC(credcycle_secrets_create(s, "db", NULL, NULL, NULL, NULL), CREDCYCLE_RESULT_ALREADY_EXISTS);
  CHECK_RC(credcycle_secrets_create(s, "bad name!", NULL, NULL, NULL, NULL), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_secrets_create(s, "x", NULL, "nokey", NULL, NULL), CREDCYCLE_RESULT_INVALID_INPUT);

  /* get_value and its buffer contract */
  check_value(s, "db", NULL, "hunter2", 1);
  uint8_t small[3] = {0, 0, 0};
  size_t n = 0;
  uint64_t vn = 99;
  CHECK_RC(credcycle_secrets_get_value(s, "db", NULL, small, sizeof small, &n, &vn),
           CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  CHECK(n == 7 && vn == 99 && small[0] == 0); /* nothing else written */
  CHECK_RC(credcycle_secrets_get_value(s, "db", "v9", small, 3, &n, NULL), CREDCYCLE_RESULT_NOT_FOUND);
  CHECK_RC(credcycle_secrets_get_value(s, "db", "bogus", small, 3, &n, NULL), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_secrets_get_value(s, "nope", NULL, small, 3, &n, NULL), CREDCYCLE_RESULT_NOT_FOUND);

  /* update: later versions use the new key */
  CHECK_OK(credcycle_secrets_update(s, "db", "k2", NULL, NULL));
  CHECK_RC(credcycle_secrets_update(s, "db", NULL, NULL, NULL), CREDCYCLE_RESULT_INVALID_INPUT);
  uint64_t v = 0;
  credcycle_secret_input v2 = {(const uint8_t *)"second", 6, 0};
  CHECK_OK(credcycle_secrets_put_value(s, "db", &v2, "tok-1", &v));
  CHECK(v == 2);
  CHECK_OK(credcycle_secrets_put_value(s, "db", &v2, "tok-1", &v));
  CHECK(v == 2); /* idempotent */
  credcycle_secret_input other = {(const uint8_t *)"other", 5, 0};
  CHECK_RC(credcycle_secrets_put_value(s, "db", &other, "tok-1", &v), CREDCYCLE_RESULT_IDEMPOTENCY_MISMATCH);
  CHECK_RC(credcycle_secrets_put_value(s, "db", NULL, NULL, &v), CREDCYCLE_RESULT_NULL_PARAMETER);
  check_value(s, "db", "PREVIOUS", "hunter2", 1);
  check_value(s, "db", "v2", "second", 2);
  CHECK_OK(credcycle_secrets_get(s, "db", &info));
  CHECK(str_eq(credcycle_secret_version_kms_key_id(credcycle_secret_info_version(info, 1)), "k2"));
  CHECK(has_label(credcycle_secret_info_version(info, 0), "PREVIOUS"));
  credcycle_secret_info_free(info);

  /* generated values */
  credcycle_secret_input gen = {NULL, 0, 32};
  CHECK_OK(credcycle_secrets_put_value(s, "db", &gen, NULL, &v));
  uint8_t buf[64];
  CHECK_OK(credcycle_secrets_get_value(s, "db", NULL, buf, sizeof buf, &n, NULL));
  CHECK(n == 32);
  credcycle_secret_input too_big = {NULL, 0, 5000};
  CHECK_RC(credcycle_secrets_put_value(s, "db", &too_big, NULL, &v), CREDCYCLE_RESULT_INVALID_INPUT);

  /* two-phase rotation */
  credcycle_secret_input next = {(const uint8_t *)"next", 4, 0};
  CHECK_OK(credcycle_secrets_begin_rotation(s, "db", &next, &v));
  CHECK(v == 4);
  CHECK_RC(credcycle_secrets_begin_rotation(s, "db", &next, &v), CREDCYCLE_RESULT_ROTATION_IN_PROGRESS);
  check_value(s, "db", "PENDING", "next", 4);
  CHECK_OK(credcycle_secrets_cancel_rotation(s, "db", NULL));
  CHECK_RC(credcycle_secrets_get_value(s, "db", "PENDING", buf, sizeof buf, &n, NULL), CREDCYCLE_RESULT_NOT_FOUND);
  CHECK_OK(credcycle_secrets_begin_rotation(s, "db", &next, &v));
  CHECK_OK(credcycle_secrets_finish_rotation(s, "db", &info));
  credcycle_secret_info_free(info);
  check_value(s, "db", NULL, "next", v);

  /* states */
  CHECK_OK(credcycle_secrets_disable(s, "db", &info));
  CHECK(str_eq(credcycle_secret_info_state(info), "DISABLED"));
  credcycle_secret_info_free(info);
  CHECK_RC(credcycle_secrets_get_value(s, "db", NULL, buf, sizeof buf, &n, NULL), CREDCYCLE_RESULT_INVALID_STATE);
  CHECK_RC(credcycle_secrets_disable(s, "db", NULL), CREDCYCLE_RESULT_INVALID_STATE);
  CHECK_OK(credcycle_secrets_enable(s, "db", NULL));
  CHECK_OK(credcycle_secrets_freeze(s, "db", NULL));
  CHECK_RC(credcycle_secrets_put_value(s, "db", &v2, NULL, &v), CREDCYCLE_RESULT_INVALID_STATE);
  CHECK_OK(credcycle_secrets_unfreeze(s, "db", &info));
  CHECK(str_eq(credcycle_secret_info_state(info), "ENABLED"));
  credcycle_secret_info_free(info);

  /* rewrap: every version under k2's primary version */
  uint32_t rewrapped = 0, unchanged = 0;
  CHECK_OK(credcycle_secrets_rewrap(s, "db", &rewrapped, &unchanged));
  CHECK(rewrapped == 1); /* v1 was under the default key */
  CHECK(rewrapped + unchanged == 4);
  check_value(s, "db", "v1", "hunter2", 1);

  /* list and paging */
  CHECK_OK(credcycle_secrets_create(s, "other", NULL, NULL, NULL, NULL));
  CHECK_OK(credcycle_secrets_create(s, "zeta", NULL, NULL, NULL, NULL));
  credcycle_secret_info_list *list = NULL;
  CHECK_OK(credcycle_secrets_list(s, &list));
  CHECK(credcycle_secret_info_list_len(list) == 3);
  CHECK(str_eq(credcycle_secret_info_name(credcycle_secret_info_list_get(list, 0)), "db"));
  CHECK(credcycle_secret_info_list_get(list, 3) == NULL);
  credcycle_secret_info_list_free(list);
  CHECK_OK(credcycle_secrets_list_page(s, "db", 1, &list));
  CHECK(credcycle_secret_info_list_len(list) == 1);
  CHECK(str_eq(credcycle_secret_info_name(credcycle_secret_info_list_get(list, 0)), "other"));
  credcycle_secret_info_list_free(list);

  /* deletion window, restore, purge */
  CHECK_RC(credcycle_secrets_schedule_delete(s, "other", 3, NULL), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_OK(credcycle_secrets_schedule_delete(s, "other", 7, &info));
  int64_t when = 0;
  CHECK(credcycle_secret_info_scheduled_delete_time(info, &when));
  CHECK(when == 1700000000 + 7 * 86400);
  CHECK(str_eq(credcycle_secret_info_state(info), "PENDING_DELETE"));
  credcycle_secret_info_free(info);
  CHECK_OK(credcycle_secrets_restore(s, "other", NULL));
  CHECK_OK(credcycle_secrets_schedule_delete(s, "other", 0, NULL)); /* policy default: 30 days */
  CHECK_OK(credcycle_secrets_schedule_delete(s, "zeta", 7, NULL));
  credcycle_string_list *purged = NULL;
  CHECK_OK(credcycle_secrets_purge_due(s, &purged));
  CHECK(credcycle_string_list_len(purged) == 0);
  credcycle_string_list_free(purged);
  clock.now += 8 * 86400;
  CHECK_OK(credcycle_secrets_purge_due(s, &purged));
  CHECK(credcycle_string_list_len(purged) == 1);
  CHECK(str_eq(credcycle_string_list_get(purged, 0), "zeta"));
  CHECK(credcycle_string_list_get(purged, 1).len == 0);
  credcycle_string_list_free(purged);
  CHECK_RC(credcycle_secrets_get(s, "zeta", &info), CREDCYCLE_RESULT_NOT_FOUND);
  CHECK_OK(credcycle_secrets_get(s, "other", &info));
  CHECK(str_eq(credcycle_secret_info_state(info), "PENDING_DELETE"));
  credcycle_secret_info_free(info);

  /* Tenants are isolated. */
  const credcycle_secrets *s2 = NULL;
  CHECK_OK(credcycle_engine_secrets(e, "other-tenant", &s2));
  CHECK_RC(credcycle_secrets_get(s2, "db", &info), CREDCYCLE_RESULT_NOT_FOUND);
  credcycle_secrets_free(s2);

  credcycle_secrets_free(s);
  credcycle_kms_free(k);
  credcycle_engine_free(e);
  return finish("test_secrets");
}
