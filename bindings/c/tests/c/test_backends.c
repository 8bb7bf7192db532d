/* The shipped backends from C: an engine on PostgreSQL
 * (CREDCYCLE_TEST_PG_URL) and one on a PKCS#11 token
 * (CREDCYCLE_TEST_PKCS11 = "module=...;token=...;pin-env=VAR"), both set by
 * scripts/services.sh. Without them the cases are skipped and say so,
 * unless CREDCYCLE_REQUIRE_SERVICES=1, which makes a skip a failure. */
#include <unistd.h>

#include "check.h"

static int required(void) {
  const char *r = getenv("CREDCYCLE_REQUIRE_SERVICES");
  return r != NULL && strcmp(r, "1") == 0;
}

static void skip(const char *what) {
  printf("skipped: %s (not configured)\n", what);
  CHECK(!required());
}

/* Secrets round trip and a signing key on an engine. */
static void exercise(const credcycle_engine *e, const char *tenant) {
  const credcycle_secrets *s = NULL;
  CHECK_OK(credcycle_engine_secrets(e, tenant, &s));
  credcycle_secret_input v = {(const uint8_t *)"hunter2", 7, 0};
  CHECK_OK(credcycle_secrets_create(s, "db", &v, NULL, NULL, NULL));
  uint8_t buf[16];
  size_t n = 0;
  CHECK_OK(credcycle_secrets_get_value(s, "db", NULL, buf, sizeof buf, &n, NULL));
  CHECK(n == 7 && memcmp(buf, "hunter2", 7) == 0);
  uint64_t ver = 0;
  credcycle_secret_input g = {NULL, 0, 32};
  CHECK_OK(credcycle_secrets_put_value(s, "db", &g, NULL, &ver));
  CHECK(ver == 2);
  const credcycle_audit *a = NULL;
  credcycle_audit_trail *t = NULL;
  CHECK_OK(credcycle_engine_audit(e, tenant, &a));
  CHECK_OK(credcycle_audit_events(a, "secret:db", &t));
  CHECK(credcycle_audit_trail_chain_valid(t) && credcycle_audit_trail_event_count(t) == 2);
  credcycle_audit_trail_free(t);
  credcycle_audit_free(a);
  credcycle_secrets_free(s);
}

static void test_postgres(const char *tenant) {
  const char *url = getenv("CREDCYCLE_TEST_PG_URL");
  if (url == NULL || *url == 0) return skip("PostgreSQL");
  credcycle_engine_builder *b = NULL;
  const credcycle_engine *e = NULL;
  CHECK_OK(credcycle_engine_builder_new(&b));
  CHECK_OK(credcycle_engine_builder_set_store_postgres(b, url));
  CHECK_OK(credcycle_engine_builder_set_kms_local(b, TEST_ROOT_KEY, sizeof TEST_ROOT_KEY));
  CHECK_OK(credcycle_engine_builder_build(b, &e));
  exercise(e, tenant);
  credcycle_engine_free(e);
  /* Reopened, the data is there. */
  CHECK_OK(credcycle_engine_builder_new(&b));
  CHECK_OK(credcycle_engine_builder_set_store_postgres(b, url));
  CHECK_OK(credcycle_engine_builder_set_kms_local(b, TEST_ROOT_KEY, sizeof TEST_ROOT_KEY));
  CHECK_OK(credcycle_engine_builder_build(b, &e));
  const credcycle_secrets *s = NULL;
  credcycle_secret_info *info = NULL;
  CHECK_OK(credcycle_engine_secrets(e, tenant, &s));
  CHECK_OK(credcycle_secrets_get(s, "db", &info));
  CHECK(credcycle_secret_info_version_count(info) == 2);
  credcycle_secret_info_free(info);
  credcycle_secrets_free(s);
  credcycle_engine_free(e);
  /* A server that is not there: a store error, not a crash. */
  CHECK_OK(credcycle_engine_builder_new(&b));
  CHECK_OK(credcycle_engine_builder_set_store_postgres(b, "postgres://postgres@127.0.0.1:1/postgres"));
  CHECK_OK(credcycle_engine_builder_set_kms_local(b, TEST_ROOT_KEY, sizeof TEST_ROOT_KEY));
  credcycle_result rc = credcycle_engine_builder_build(b, &e);
  CHECK(rc == CREDCYCLE_RESULT_STORE_UNAVAILABLE || rc == CREDCYCLE_RESULT_STORE_BACKEND);
  printf("PostgreSQL: ok\n");
}

/* The value of `key=` in a `k=v;k=v` string (a heap copy), or NULL. */
static char *field(const char *spec, const char *key) {
  size_t kl = strlen(key);
  for (const char *p = spec; p && *p;) {
    const char *end = strchr(p, ';');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
      char *v = malloc(len - kl);
      memcpy(v, p + kl + 1, len - kl - 1);
      v[len - kl - 1] = 0;
      return v;
    }
    p = end ? end + 1 : NULL;
  }
  return NULL;
}

static void test_pkcs11(const char *tenant) {
  const char *spec = getenv("CREDCYCLE_TEST_PKCS11");
  if (spec == NULL || *spec == 0) return skip("PKCS#11");
  char *module = field(spec, "module"), *token = field(spec, "token"), *pin_env = field(spec, "pin-env");
  CHECK(module && token && pin_env);
  char ns[64];
  snprintf(ns, sizeof ns, "c-test-%ld", (long)getpid());
  credcycle_engine_builder *b = NULL;
  const credcycle_engine *e = NULL;
  CHECK_OK(credcycle_engine_builder_new(&b));
  CHECK_OK(credcycle_engine_builder_set_store_memory(b));
  /* Exactly one PIN source. */
  CHECK_RC(credcycle_engine_builder_set_kms_pkcs11(b, module, token, NULL, NULL, ns), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_engine_builder_set_kms_pkcs11(b, module, token, pin_env, "/x", ns), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_OK(credcycle_engine_builder_set_kms_pkcs11(b, module, token, pin_env, NULL, ns));
  CHECK_OK(credcycle_engine_builder_build(b, &e));
  exercise(e, tenant);
  /* Signing keys live in the token too. */
  const credcycle_kms *k = NULL;
  CHECK_OK(credcycle_engine_kms(e, &k));
  CHECK_OK(credcycle_kms_create_key(k, "sig", "p256", NULL));
  uint8_t sig[128];
  size_t n = 0;
  CHECK_OK(credcycle_kms_sign(k, "sig", (const uint8_t *)"m", 1, sig, sizeof sig, &n));
  CHECK(n == 64);
  credcycle_kms_free(k);
  credcycle_engine_free(e);
  /* A token that does not exist. */
  CHECK_OK(credcycle_engine_builder_new(&b));
  CHECK_OK(credcycle_engine_builder_set_store_memory(b));
  CHECK_OK(credcycle_engine_builder_set_kms_pkcs11(b, module, "no-such-token", pin_env, NULL, ns));
  credcycle_result rc = credcycle_engine_builder_build(b, &e);
  CHECK(rc != CREDCYCLE_RESULT_OK && rc != CREDCYCLE_RESULT_PANIC);
  free(module), free(token), free(pin_env);
  printf("PKCS#11: ok\n");
}

int main(void) {
  char tenant[64];
  snprintf(tenant, sizeof tenant, "c-%ld", (long)getpid());
  test_postgres(tenant);
  test_pkcs11(tenant);
  return finish("test_backends");
}
