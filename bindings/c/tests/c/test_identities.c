/* Identities from C: identities with tags, password authenticators,
 * password login into API sessions, session checks, authenticator
 * changes proving the current password, certificate authenticators,
 * external JWT signers (logging in with a JWT signed by the engine's own
 * JOSE key), logout and purge on the injected clock. */
#include "check.h"

#define T0 1700000000
static test_clock clock_ = {T0};
static const credcycle_identities *ids;

/* Logs alice in with `pw`; on success writes the session token. */
static credcycle_result login(const char *user, const char *pw, char *token, size_t len,
                              credcycle_new_session **out) {
  credcycle_auth_input in = {0};
  in.username = user;
  in.password = pw;
  credcycle_new_session *s = NULL;
  credcycle_result rc = credcycle_identities_authenticate(ids, &in, "{\"os\":\"linux\"}", NULL, NULL, 0, &s);
  if (rc != CREDCYCLE_RESULT_OK) return rc;
  size_t n = 0;
  rc = credcycle_new_session_token(s, token, len, &n);
  if (out != NULL) *out = s;
  else credcycle_new_session_free(s);
  return rc;
}

int main(void) {
  const credcycle_engine *e = clocked_engine(&clock_);
  CHECK_OK(credcycle_engine_identities(e, "shop", &ids));

  credcycle_identity_info *alice = NULL;
  CHECK_OK(credcycle_identities_create(ids, "alice", "{\"team\":\"ops\",\"admin\":true}", &alice));
  CHECK(str_has(credcycle_identity_info_tags_json(alice), "\"admin\":true"));
  char *aid = str_dup(credcycle_identity_info_id(alice));
  credcycle_identity_info_free(alice);
  CHECK_OK(credcycle_identities_find_by_name(ids, "alice", &alice));
  CHECK(str_eq(credcycle_identity_info_id(alice), aid));
  credcycle_identity_info_free(alice);
  CHECK_RC(credcycle_identities_create(ids, "bob", "[1]", &alice), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_identities_create(ids, "alice", NULL, &alice), CREDCYCLE_RESULT_ALREADY_EXISTS);

  credcycle_authenticator_info *auth = NULL;
  CHECK_RC(credcycle_identities_set_password(ids, aid, "alice", "short", NULL), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_OK(credcycle_identities_set_password(ids, aid, "alice", "correct horse battery", &auth));
  CHECK(str_eq(credcycle_authenticator_info_method(auth), "updb"));
  credcycle_str user;
  CHECK(credcycle_authenticator_info_username(auth, &user) && str_eq(user, "alice"));
  CHECK(!credcycle_authenticator_info_cert_fingerprint(auth, NULL));
  char *auth_id = str_dup(credcycle_authenticator_info_id(auth));
  credcycle_authenticator_info_free(auth);

  char token[256], token2[256];
  CHECK_RC(login("alice", "wrong password!", token, sizeof token, NULL), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  credcycle_new_session *ns = NULL;
  CHECK_OK(login("alice", "correct horse battery", token, sizeof token, &ns));
  CHECK(strncmp(token, "ccas_", 5) == 0);
  const credcycle_session_info *si = credcycle_new_session_session(ns);
  CHECK(str_has(credcycle_session_info_env_info_json(si), "linux"));
  CHECK(!credcycle_session_info_mfa_required(si));
  CHECK(str_eq(credcycle_session_info_identity_id(si), aid));
  credcycle_new_session_free(ns);
  /* Exactly one method must be given. */
  credcycle_auth_input both = {0};
  both.username = "alice";
  both.password = "x";
  both.ext_jwt = "y";
  CHECK_RC(credcycle_identities_authenticate(ids, &both, NULL, NULL, NULL, 0, &ns), CREDCYCLE_RESULT_INVALID_INPUT);

  CHECK_OK(credcycle_identities_validate_session(ids, token, "orders.read", NULL));
  credcycle_identity_info *me_info = NULL;
  CHECK_OK(credcycle_identities_current_identity(ids, token, &me_info));
  CHECK(str_eq(credcycle_identity_info_id(me_info), aid));
  credcycle_identity_info_free(me_info);
  credcycle_subject me = {token, NULL};
  credcycle_authenticator_info_list *auths = NULL;
  CHECK_OK(credcycle_identities_authenticators(ids, &me, &auths));
  CHECK(credcycle_authenticator_info_list_len(auths) == 1);
  credcycle_authenticator_info_list_free(auths);
  CHECK_OK(credcycle_identities_authenticator(ids, &me, auth_id, &auth));
  credcycle_authenticator_info_free(auth);
  credcycle_session_info_list *sessions = NULL;
  CHECK_OK(credcycle_identities_sessions(ids, &me, &sessions));
  CHECK(credcycle_session_info_list_len(sessions) == 1);
  credcycle_session_info_list_free(sessions);
  credcycle_subject neither = {NULL, NULL}, two = {token, aid};
  CHECK_RC(credcycle_identities_sessions(ids, &neither, &sessions), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_identities_sessions(ids, &two, &sessions), CREDCYCLE_RESULT_INVALID_INPUT);

  /* Authenticator changes prove the current password. */
  credcycle_subject admin = {NULL, aid};
  CHECK_RC(credcycle_identities_patch_authenticator(ids, &admin, auth_id, "not it", NULL, "another long passphrase",
                                                    NULL, NULL),
           CREDCYCLE_RESULT_VERIFICATION_FAILED);
  CHECK_OK(credcycle_identities_patch_authenticator(ids, &admin, auth_id, "correct horse battery", NULL,
                                                    "another long passphrase", "null", &auth));
  CHECK(str_eq(credcycle_authenticator_info_tags_json(auth), "{}"));
  credcycle_authenticator_info_free(auth);
  CHECK_RC(login("alice", "correct horse battery", token2, sizeof token2, NULL), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  CHECK_OK(credcycle_identities_update_authenticator(ids, &admin, auth_id, "alice2", "third long passphrase",
                                                     "another long passphrase", "{\"k\":\"v\"}", &auth));
  CHECK(credcycle_authenticator_info_username(auth, &user) && str_eq(user, "alice2"));
  credcycle_authenticator_info_free(auth);
  CHECK_OK(credcycle_identities_mark_password_compromised(ids, auth_id, &auth));
  CHECK(credcycle_authenticator_info_password_change_required(auth));
  credcycle_authenticator_info_free(auth);

  /* Certificate authenticators by fingerprint. */
  char fp[65];
  memset(fp, 'a', 64);
  fp[64] = 0;
  CHECK_OK(credcycle_identities_add_cert_authenticator(ids, aid, fp, &auth));
  CHECK(str_eq(credcycle_authenticator_info_method(auth), "cert"));
  char *cert_id = str_dup(credcycle_authenticator_info_id(auth));
  credcycle_authenticator_info_free(auth);
  CHECK_OK(credcycle_identities_delete_authenticator(ids, cert_id));
  CHECK_RC(credcycle_identities_delete_authenticator(ids, cert_id), CREDCYCLE_RESULT_NOT_FOUND);
  free(cert_id);

  /* An external JWT signer whose keys are the engine's own JWKS. */
  const credcycle_jose *jose = NULL;
  CHECK_OK(credcycle_engine_jose(e, &jose));
  size_t n = 0;
  credcycle_jose_jwks(jose, NULL, 0, &n);
  char *jwks = malloc(n);
  CHECK_OK(credcycle_jose_jwks(jose, jwks, n, &n));
  credcycle_ext_jwt_signer_info *signer = NULL;
  CHECK_OK(credcycle_identities_create_ext_jwt_signer(ids, "idp", "https://idp.example", "shop", jwks, false, NULL,
                                                      "name", &signer));
  CHECK(str_eq(credcycle_ext_jwt_signer_info_claim_match(signer), "name"));
  CHECK(credcycle_ext_jwt_signer_info_enabled(signer));
  char *signer_id = str_dup(credcycle_ext_jwt_signer_info_id(signer));
  credcycle_ext_jwt_signer_info_free(signer);
  CHECK_RC(credcycle_identities_create_ext_jwt_signer(ids, "idp2", "https://idp.example", "shop", jwks, false, NULL,
                                                      "email", NULL),
           CREDCYCLE_RESULT_INVALID_INPUT);
  credcycle_ext_jwt_signer_info_list *signers = NULL;
  CHECK_OK(credcycle_identities_ext_jwt_signers(ids, &signers));
  CHECK(credcycle_ext_jwt_signer_info_list_len(signers) == 1);
  credcycle_ext_jwt_signer_info_list_free(signers);
  char claims[160], jwt[1024];
  snprintf(claims, sizeof claims, "{\"iss\":\"https://idp.example\",\"aud\":\"shop\",\"sub\":\"alice\",\"exp\":%d}",
           T0 + 600);
  CHECK_OK(credcycle_jose_sign_jwt(jose, claims, jwt, sizeof jwt, &n));
  credcycle_auth_input ext = {0};
  ext.ext_jwt = jwt;
  const char *types[] = {"edge", "tunnel"};
  CHECK_OK(credcycle_identities_authenticate(ids, &ext, NULL, "{\"sdk\":\"c\"}", types, 2, &ns));
  si = credcycle_new_session_session(ns);
  CHECK(str_eq(credcycle_session_info_identity_id(si), aid));
  CHECK(str_eq(credcycle_session_info_auth_method(si), "ext-jwt"));
  CHECK(credcycle_session_info_config_type_count(si) == 2 && str_eq(credcycle_session_info_config_type(si, 1), "tunnel"));
  credcycle_new_session_free(ns);
  CHECK_OK(credcycle_identities_delete_ext_jwt_signer(ids, signer_id));
  free(signer_id);
  free(jwks);
  credcycle_jose_free(jose);

  /* Logout; expiry; purge; delete. */
  CHECK_OK(credcycle_identities_logout(ids, token));
  credcycle_session_info *cur = NULL;
  CHECK_RC(credcycle_identities_current_session(ids, token, &cur), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  clock_.now = T0 + 10 * 86400;
  uint32_t purged = 0;
  CHECK_OK(credcycle_identities_purge_expired_sessions(ids, &purged));
  CHECK(purged >= 1);
  CHECK_OK(credcycle_identities_delete(ids, aid));
  CHECK_RC(credcycle_identities_get(ids, aid, &alice), CREDCYCLE_RESULT_NOT_FOUND);
  credcycle_identity_info_list *all = NULL;
  CHECK_OK(credcycle_identities_list(ids, &all));
  CHECK(credcycle_identity_info_list_len(all) == 0);
  credcycle_identity_info_list_free(all);

  memset(token, 0, sizeof token);
  free(aid), free(auth_id);
  credcycle_identities_free(ids);
  credcycle_engine_free(e);
  return finish("test_identities");
}
