/* credcycle from C: open an engine on a SQLite file, store a secret, read
 * it back, and check the audit trail.
 *
 *   cc quickstart.c $(pkg-config --cflags --libs credcycle) -o quickstart
 */
#include <stdio.h>
#include <string.h>

#include "credcycle.h"

static int fail(const char *what, credcycle_result rc) {
  char msg[128];
  size_t n = 0;
  credcycle_result_message(rc, msg, sizeof msg, &n);
  fprintf(stderr, "%s: %s (%u)\n", what, msg, rc);
  return 1;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "quickstart.db";
  uint8_t root_key[32]; /* keep it safe: the store's keys are sealed under it */
  size_t n = 0;
  credcycle_result rc = credcycle_generate_root_key(root_key, sizeof root_key, &n);
  if (rc != CREDCYCLE_RESULT_OK) return fail("root key", rc);

  credcycle_engine_builder *builder = NULL;
  const credcycle_engine *engine = NULL;
  credcycle_engine_builder_new(&builder);
  credcycle_engine_builder_set_store_sqlite(builder, path);
  credcycle_engine_builder_set_kms_local(builder, root_key, sizeof root_key);
  rc = credcycle_engine_builder_build(builder, &engine); /* consumes the builder */
  memset(root_key, 0, sizeof root_key);
  if (rc != CREDCYCLE_RESULT_OK) return fail("open", rc);

  const credcycle_secrets *secrets = NULL;
  rc = credcycle_engine_secrets(engine, "shop", &secrets); /* a tenant */
  if (rc != CREDCYCLE_RESULT_OK) return fail("tenant", rc);

  credcycle_secret_input value = {(const uint8_t *)"hunter2", 7, 0};
  rc = credcycle_secrets_create(secrets, "db-password", &value, NULL, "orders DB", NULL);
  if (rc != CREDCYCLE_RESULT_OK) return fail("create", rc);

  uint8_t buf[64];
  uint64_t version = 0;
  rc = credcycle_secrets_get_value(secrets, "db-password", NULL, buf, sizeof buf, &n, &version);
  if (rc != CREDCYCLE_RESULT_OK) return fail("get", rc);
  printf("v%llu: %.*s\n", (unsigned long long)version, (int)n, (const char *)buf);
  memset(buf, 0, sizeof buf);

  credcycle_secret_info *info = NULL;
  rc = credcycle_secrets_get(secrets, "db-password", &info);
  if (rc != CREDCYCLE_RESULT_OK) return fail("metadata", rc);
  credcycle_str state = credcycle_secret_info_state(info);
  printf("state %.*s, %zu version(s)\n", (int)state.len, state.data,
         credcycle_secret_info_version_count(info));
  credcycle_secret_info_free(info);

  const credcycle_audit *audit = NULL;
  credcycle_audit_trail *trail = NULL;
  credcycle_engine_audit(engine, "shop", &audit);
  rc = credcycle_audit_events(audit, "secret:db-password", &trail);
  if (rc != CREDCYCLE_RESULT_OK) return fail("audit", rc);
  printf("audit: %zu event(s), chain %s\n", credcycle_audit_trail_event_count(trail),
         credcycle_audit_trail_chain_valid(trail) ? "valid" : "BROKEN");
  credcycle_audit_trail_free(trail);
  credcycle_audit_free(audit);

  credcycle_secrets_free(secrets);
  credcycle_engine_free(engine);
  return 0;
}
