/* Machine identities and universal auth from C: identities, settings with
 * trusted IP ranges, client secrets, login (policy and bad input),
 * access-token use limits, renewal on the injected clock, revocation. */
#include "check.h"

#define T0 1700000000
static test_clock clock_ = {T0};

int main(void) {
  const credcycle_engine *e = clocked_engine(&clock_);
  const credcycle_machine_auth *m = NULL;
  CHECK_OK(credcycle_engine_machine_auth(e, "shop", &m));

  credcycle_machine_identity_info *id = NULL, *fixed = NULL;
  CHECK_OK(credcycle_machine_auth_create_identity(m, "builder", NULL, &id));
  CHECK_OK(credcycle_machine_auth_create_identity(m, "fixed", "0b8f3a2e-5c1d-4e6f-9a7b-3c2d1e0f9a8b", &fixed));
  CHECK(str_eq(credcycle_machine_identity_info_id(fixed), "0b8f3a2e-5c1d-4e6f-9a7b-3c2d1e0f9a8b"));
  CHECK(credcycle_machine_identity_info_universal_auth(fixed) == NULL);
  CHECK_RC(credcycle_machine_auth_create_identity(m, "again", "0b8f3a2e-5c1d-4e6f-9a7b-3c2d1e0f9a8b", NULL),
           CREDCYCLE_RESULT_NULL_PARAMETER);
  credcycle_machine_identity_info_free(fixed);
  char *iid = str_dup(credcycle_machine_identity_info_id(id));
  credcycle_machine_identity_info_free(id);
  credcycle_machine_identity_info_list *ids = NULL;
  CHECK_OK(credcycle_machine_auth_list_identities(m, &ids));
  CHECK(credcycle_machine_identity_info_list_len(ids) == 2);
  credcycle_machine_identity_info_list_free(ids);
  CHECK_OK(credcycle_machine_auth_delete_identity(m, "0b8f3a2e-5c1d-4e6f-9a7b-3c2d1e0f9a8b"));
  CHECK_RC(credcycle_machine_auth_delete_identity(m, "0b8f3a2e-5c1d-4e6f-9a7b-3c2d1e0f9a8b"),
           CREDCYCLE_RESULT_NOT_FOUND);
  CHECK_RC(credcycle_machine_auth_delete_identity(m, "not-a-uuid"), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_machine_auth_delete_identity(m, NULL), CREDCYCLE_RESULT_NULL_PARAMETER);
  CHECK_OK(credcycle_machine_auth_list_identities(m, &ids));
  CHECK(credcycle_machine_identity_info_list_len(ids) == 1);
  credcycle_machine_identity_info_list_free(ids);

  const char *trusted[] = {"10.0.0.0/8"};
  credcycle_universal_auth_settings s = {0};
  s.client_secret_trusted_ips = trusted;
  s.client_secret_trusted_ips_count = 1;
  s.has_access_token_ttl = true;
  s.access_token_ttl = 600;
  s.has_access_token_max_ttl = true;
  s.access_token_max_ttl = 1200;
  credcycle_universal_auth_info *ua = NULL;
  CHECK_OK(credcycle_machine_auth_attach_universal_auth(m, iid, &s, &ua));
  CHECK(credcycle_universal_auth_info_client_secret_trusted_ip_count(ua) == 1);
  CHECK(str_eq(credcycle_universal_auth_info_client_secret_trusted_ip(ua, 0), "10.0.0.0/8"));
  CHECK(credcycle_universal_auth_info_access_token_ttl(ua) == 600);
  char *client_id = str_dup(credcycle_universal_auth_info_client_id(ua));
  credcycle_universal_auth_info_free(ua);
  CHECK_RC(credcycle_machine_auth_attach_universal_auth(m, iid, NULL, NULL), CREDCYCLE_RESULT_ALREADY_EXISTS);
  CHECK_OK(credcycle_machine_auth_identity(m, iid, &id));
  CHECK(credcycle_machine_identity_info_universal_auth(id) != NULL);
  credcycle_machine_identity_info_free(id);

  credcycle_universal_auth_settings up = {0};
  up.has_access_token_num_uses_limit = true;
  up.access_token_num_uses_limit = 2;
  CHECK_OK(credcycle_machine_auth_update_universal_auth(m, iid, &up, NULL));
  CHECK_OK(credcycle_machine_auth_universal_auth(m, iid, &ua));
  CHECK(credcycle_universal_auth_info_access_token_num_uses_limit(ua) == 2);
  CHECK(credcycle_universal_auth_info_access_token_ttl(ua) == 600); /* unchanged */
  credcycle_universal_auth_info_free(ua);
  up.lockout_enabled = 9; /* not a tristate */
  CHECK_RC(credcycle_machine_auth_update_universal_auth(m, iid, &up, NULL), CREDCYCLE_RESULT_INVALID_INPUT);

  credcycle_created_client_secret *cs = NULL;
  CHECK_OK(credcycle_machine_auth_create_client_secret(m, iid, "ci", 0, 0, &cs));
  CHECK(str_eq(credcycle_created_client_secret_client_id(cs), client_id));
  char secret[256];
  size_t n = 0;
  CHECK_OK(credcycle_created_client_secret_secret(cs, secret, sizeof secret, &n));
  const credcycle_client_secret_info *csi = credcycle_created_client_secret_info(cs);
  CHECK(str_eq(credcycle_client_secret_info_description(csi), "ci"));
  CHECK(!credcycle_client_secret_info_expires_at(csi, NULL));
  char *secret_id = str_dup(credcycle_client_secret_info_id(csi));
  credcycle_created_client_secret_free(cs);

  /* Outside the trusted range: policy; not an address: invalid input. */
  credcycle_access_token_grant *g = NULL;
  CHECK_RC(credcycle_machine_auth_login(m, client_id, secret, "192.168.1.1", &g), CREDCYCLE_RESULT_POLICY_VIOLATION);
  CHECK_RC(credcycle_machine_auth_login(m, client_id, secret, "not-an-ip", &g), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_machine_auth_login(m, client_id, "wrong", "10.1.2.3", &g), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  CHECK(g == NULL);
  CHECK_OK(credcycle_machine_auth_login(m, client_id, secret, "10.1.2.3", &g));
  CHECK(str_eq(credcycle_access_token_grant_token_type(g), "Bearer"));
  CHECK(credcycle_access_token_grant_expires_in(g) == 600);
  char token[512];
  CHECK_OK(credcycle_access_token_grant_access_token(g, token, sizeof token, &n));
  credcycle_access_token_grant_free(g);

  credcycle_access_token_info *a = NULL;
  CHECK_OK(credcycle_machine_auth_authenticate(m, token, "10.1.2.3", &a));
  CHECK(credcycle_access_token_info_num_uses(a) == 1);
  credcycle_access_token_info_free(a);
  clock_.now = T0 + 300;
  CHECK_OK(credcycle_machine_auth_renew(m, token, &a));
  int64_t exp = 0;
  CHECK(credcycle_access_token_info_expires_at(a, &exp) && exp == T0 + 900);
  credcycle_access_token_info_free(a);
  CHECK_OK(credcycle_machine_auth_authenticate(m, token, "10.1.2.3", NULL));
  CHECK_RC(credcycle_machine_auth_authenticate(m, token, "10.1.2.3", NULL), CREDCYCLE_RESULT_INVALID_STATE);

  CHECK_OK(credcycle_machine_auth_login(m, client_id, secret, "10.1.2.3", &g));
  CHECK_OK(credcycle_access_token_grant_access_token(g, token, sizeof token, &n));
  credcycle_access_token_grant_free(g);
  CHECK_OK(credcycle_machine_auth_revoke(m, token));
  CHECK_RC(credcycle_machine_auth_authenticate(m, token, "10.1.2.3", NULL), CREDCYCLE_RESULT_INVALID_STATE);

  credcycle_client_secret_info_list *secrets = NULL;
  CHECK_OK(credcycle_machine_auth_list_client_secrets(m, iid, &secrets));
  CHECK(credcycle_client_secret_info_list_len(secrets) == 1);
  CHECK(credcycle_client_secret_info_num_uses(credcycle_client_secret_info_list_get(secrets, 0)) == 2);
  credcycle_client_secret_info_list_free(secrets);
  credcycle_client_secret_info *rv = NULL;
  CHECK_OK(credcycle_machine_auth_revoke_client_secret(m, iid, secret_id, &rv));
  CHECK(!str_eq(credcycle_client_secret_info_state(rv), "ACTIVE"));
  credcycle_client_secret_info_free(rv);
  CHECK_RC(credcycle_machine_auth_login(m, client_id, secret, "10.1.2.3", &g), CREDCYCLE_RESULT_INVALID_STATE);
  memset(secret, 0, sizeof secret);
  memset(token, 0, sizeof token);

  free(iid), free(client_id), free(secret_id);
  credcycle_machine_auth_free(m);
  credcycle_engine_free(e);
  return finish("test_machine_auth");
}
