/* The audit domain: events written in the same commit as each change, the
 * actor of the engine handle, and chain verification. */
#include "check.h"

int main(void) {
  const credcycle_engine *root = memory_engine();
  const credcycle_engine *e = NULL;
  CHECK_OK(credcycle_engine_with_actor(root, "alice", &e));
  const credcycle_secrets *s = NULL;
  CHECK_OK(credcycle_engine_secrets(e, "shop", &s));
  credcycle_secret_input v = {(const uint8_t *)"x", 1, 0};
  CHECK_OK(credcycle_secrets_create(s, "db", &v, NULL, NULL, NULL));
  uint64_t ver = 0;
  CHECK_OK(credcycle_secrets_put_value(s, "db", &v, NULL, &ver));
  CHECK_OK(credcycle_secrets_freeze(s, "db", NULL));

  const credcycle_audit *a = NULL;
  CHECK_OK(credcycle_engine_audit(e, "shop", &a));
  credcycle_audit_trail *t = NULL;
  CHECK_OK(credcycle_audit_events(a, "secret:db", &t));
  CHECK(credcycle_audit_trail_chain_valid(t));
  CHECK(credcycle_audit_trail_event_count(t) == 3);
  const char *actions[] = {"secret.create", "secret.put_value", "secret.freeze"};
  for (size_t i = 0; i < 3; i++) {
    const credcycle_audit_event *ev = credcycle_audit_trail_event(t, i);
    CHECK(credcycle_audit_event_seq(ev) == i + 1);
    CHECK(str_eq(credcycle_audit_event_action(ev), actions[i]));
    CHECK(str_eq(credcycle_audit_event_actor(ev), "alice"));
    CHECK(str_eq(credcycle_audit_event_subject(ev), "secret:db"));
    CHECK(str_eq(credcycle_audit_event_outcome(ev), "ok"));
    CHECK(credcycle_audit_event_time(ev) > 1600000000);
  }
  CHECK(credcycle_audit_trail_event(t, 3) == NULL);
  credcycle_audit_trail_free(t);

  /* An unknown subject has an empty, valid trail; a bad one is refused. */
  CHECK_OK(credcycle_audit_events(a, "secret:none", &t));
  CHECK(credcycle_audit_trail_event_count(t) == 0 && credcycle_audit_trail_chain_valid(t));
  credcycle_audit_trail_free(t);
  CHECK_RC(credcycle_audit_events(a, "a/b", &t), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_audit_events(a, "secret:db", NULL), CREDCYCLE_RESULT_NULL_PARAMETER);

  /* The root handle (no actor) records the default actor. */
  const credcycle_secrets *s0 = NULL;
  CHECK_OK(credcycle_engine_secrets(root, "shop", &s0));
  CHECK_OK(credcycle_secrets_unfreeze(s0, "db", NULL));
  CHECK_OK(credcycle_audit_events(a, "secret:db", &t));
  CHECK(str_eq(credcycle_audit_event_actor(credcycle_audit_trail_event(t, 3)), "engine"));
  credcycle_audit_trail_free(t);

  credcycle_secrets_free(s0);
  credcycle_audit_free(a);
  credcycle_secrets_free(s);
  credcycle_engine_free(e);
  credcycle_engine_free(root);
  return finish("test_audit");
}
