/* Targets (signed, JWT and JWE payloads) and the engine's JOSE signing,
 * from C, with the receiver-side client helpers checking what the engine
 * produced: webhook signatures (Zitadel scheme, Standard Webhooks), JWT
 * verification against the engine's JWKS, JWE decryption. */
#include "check.h"

#define T0 1700000000
#define HOOK "https://hooks.example.com/in"

/* A throwaway P-256 key pair for the JWE receiver (test only). */
static const char *RECEIVER_PUBLIC =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEDDB/i1mbLsTnQNmp6I0+k/4HX1rd\n"
    "JoV2i5dx8jRkHjlsm3Zr4irYYxGrpZcXfFW1TuJsmiMs85LyLVa/sPRNng==\n"
    "-----END PUBLIC KEY-----\n";
static const char *RECEIVER_PRIVATE =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4xtORvCjOmQFRzm2\n"
    "+1CiYV4QwMv+24Q8GOwZAMvLFAmhRANCAAQMMH+LWZsuxOdA2anojT6T/gdfWt0m\n"
    "hXaLl3HyNGQeOWybdmviKthjEaullxd8VbVO4myaIyzzkvItVr+w9E2e\n"
    "-----END PRIVATE KEY-----\n";

static test_clock clock_ = {T0};

/* The value of header `name` in a signed request (a heap copy), or NULL. */
static char *header_of(const credcycle_signed_request *req, const char *name) {
  for (size_t i = 0; i < credcycle_signed_request_header_count(req); i++) {
    const credcycle_header *h = credcycle_signed_request_header(req, i);
    credcycle_str n = credcycle_header_name(h);
    if (n.len == strlen(name) && strncasecmp(n.data, name, n.len) == 0)
      return str_dup(credcycle_header_value(h));
  }
  return NULL;
}

/* Copies a created target's signing key into buf (size 128). */
static void signing_key_of(const credcycle_created_target *c, char *buf) {
  size_t n = 0;
  CHECK_RC(credcycle_created_target_signing_key(c, buf, 4, &n), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  CHECK(n > 6 && n <= 128);
  CHECK_OK(credcycle_created_target_signing_key(c, buf, 128, &n));
  CHECK(strncmp(buf, "whsec_", 6) == 0 && strlen(buf) + 1 == n);
}

static void test_zitadel_target(const credcycle_targets *t) {
  credcycle_created_target *c = NULL;
  CHECK_OK(credcycle_targets_create(t, "orders", HOOK, NULL, &c));
  const credcycle_target_info *info = credcycle_created_target_target(c);
  CHECK(str_eq(credcycle_target_info_target_type(info), "REST_WEBHOOK"));
  CHECK(str_eq(credcycle_target_info_payload_type(info), "JSON"));
  CHECK(str_eq(credcycle_target_info_scheme(info), "ZITADEL"));
  CHECK(credcycle_target_info_timeout_ms(info) == 10000);
  CHECK(credcycle_target_info_signing_key_count(info) == 1);
  CHECK(credcycle_signing_key_info_number(credcycle_target_info_signing_key(info, 0)) == 1);
  CHECK(credcycle_target_info_signing_key(info, 1) == NULL);
  char key[128];
  signing_key_of(c, key);
  char *id = str_dup(credcycle_target_info_id(info));

  credcycle_target_info *got = NULL;
  CHECK_OK(credcycle_targets_get(t, id, &got));
  CHECK(str_eq(credcycle_target_info_name(got), "orders"));
  CHECK(str_eq(credcycle_target_info_endpoint(got), HOOK));
  credcycle_target_info_free(got);
  got = NULL;
  CHECK_RC(credcycle_targets_get(t, "nope", &got), CREDCYCLE_RESULT_NOT_FOUND);
  CHECK(got == NULL); /* outputs are written only on success */

  const char *body = "{\"order\":42}";
  credcycle_signed_request *req = NULL;
  CHECK_OK(credcycle_targets_sign(t, id, (const uint8_t *)body, strlen(body), &req));
  credcycle_bytes b = credcycle_signed_request_body(req);
  CHECK(b.len == strlen(body) && memcmp(b.data, body, b.len) == 0);
  char *sig = header_of(req, "ZITADEL-Signature");
  CHECK(sig != NULL);
  credcycle_signed_request_free(req);

  /* The receiver verifies once; a replay, a changed body and a late
   * delivery are refused with their own codes. */
  const char *keys[] = {key};
  const credcycle_replay_guard *guard = NULL;
  CHECK_OK(credcycle_replay_guard_memory(&guard));
  int64_t now = T0, late = T0 + 301;
  credcycle_verified_webhook *v = NULL;
  CHECK_OK(credcycle_verify_webhook_zitadel(sig, (const uint8_t *)body, strlen(body), keys, 1, NULL, &now, guard, &v));
  CHECK(credcycle_verified_webhook_timestamp(v) == T0);
  credcycle_verified_webhook_free(v);
  CHECK_RC(credcycle_verify_webhook_zitadel(sig, (const uint8_t *)body, strlen(body), keys, 1, NULL, &now, guard, NULL),
           CREDCYCLE_RESULT_WEBHOOK_REPLAY);
  CHECK_RC(credcycle_verify_webhook_zitadel(sig, (const uint8_t *)"{}", 2, keys, 1, NULL, &now, NULL, NULL),
           CREDCYCLE_RESULT_VERIFICATION_FAILED);
  CHECK_RC(credcycle_verify_webhook_zitadel(sig, (const uint8_t *)body, strlen(body), keys, 1, NULL, &late, NULL, NULL),
           CREDCYCLE_RESULT_WEBHOOK_TIMESTAMP);
  CHECK_RC(credcycle_verify_webhook_zitadel(sig, (const uint8_t *)body, strlen(body), keys, 0, NULL, &now, NULL, NULL),
           CREDCYCLE_RESULT_INVALID_INPUT);
  credcycle_replay_guard_free(guard);
  free(sig);

  /* A new signing key with a grace period: the old one keeps signing. */
  credcycle_update_target_options up = {0};
  up.name = "orders-v2";
  up.new_signing_key = true;
  up.expiration_signing_key_secs = 3600;
  credcycle_target_update *u = NULL;
  CHECK_OK(credcycle_targets_update(t, id, &up, &u));
  char key2[128];
  size_t n = 0;
  CHECK_OK(credcycle_target_update_signing_key(u, key2, sizeof key2, &n));
  CHECK(strcmp(key, key2) != 0);
  credcycle_target_update_free(u);
  CHECK_OK(credcycle_targets_sign_at(t, id, (const uint8_t *)body, strlen(body), T0 + 10, &req));
  sig = header_of(req, "ZITADEL-Signature");
  now = T0 + 10;
  const char *both[] = {key2};
  CHECK_OK(credcycle_verify_webhook_zitadel(sig, (const uint8_t *)body, strlen(body), both, 1, NULL, &now, NULL, NULL));
  CHECK_OK(credcycle_verify_webhook_zitadel(sig, (const uint8_t *)body, strlen(body), keys, 1, NULL, &now, NULL, NULL));
  free(sig);
  credcycle_signed_request_free(req);
  /* Without a new key, the update result carries none. */
  credcycle_update_target_options rename = {0};
  rename.timeout_ms = 2000;
  CHECK_OK(credcycle_targets_update(t, id, &rename, &u));
  CHECK_RC(credcycle_target_update_signing_key(u, key2, sizeof key2, &n), CREDCYCLE_RESULT_NOT_FOUND);
  credcycle_target_update_free(u);
  rename.timeout_ms = 0;
  rename.interrupt_on_error = 7; /* not a tristate */
  CHECK_RC(credcycle_targets_update(t, id, &rename, &u), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_targets_update(t, id, NULL, &u), CREDCYCLE_RESULT_NULL_PARAMETER);

  credcycle_target_info_list *list = NULL;
  CHECK_OK(credcycle_targets_list(t, &list));
  CHECK(credcycle_target_info_list_len(list) == 1);
  CHECK(str_eq(credcycle_target_info_name(credcycle_target_info_list_get(list, 0)), "orders-v2"));
  CHECK(credcycle_target_info_timeout_ms(credcycle_target_info_list_get(list, 0)) == 2000);
  CHECK(credcycle_target_info_list_get(list, 1) == NULL);
  credcycle_target_info_list_free(list);

  CHECK_OK(credcycle_targets_delete(t, id));
  CHECK_RC(credcycle_targets_delete(t, id), CREDCYCLE_RESULT_NOT_FOUND);
  free(id);
  credcycle_created_target_free(c);
}

static void test_standard_webhooks(const credcycle_targets *t) {
  credcycle_create_target_options o = {0};
  o.scheme = "STANDARD_WEBHOOKS";
  o.target_type = "REST_CALL";
  o.interrupt_on_error = CREDCYCLE_TRISTATE_TRUE;
  o.timeout_ms = 1500;
  credcycle_created_target *c = NULL;
  CHECK_OK(credcycle_targets_create(t, "std", HOOK, &o, &c));
  const credcycle_target_info *info = credcycle_created_target_target(c);
  CHECK(credcycle_target_info_interrupt_on_error(info));
  CHECK(credcycle_target_info_timeout_ms(info) == 1500);
  char key[128];
  signing_key_of(c, key);
  const char *body = "{\"a\":1}";
  credcycle_signed_request *req = NULL;
  char *id = str_dup(credcycle_target_info_id(info));
  CHECK_OK(credcycle_targets_sign(t, id, (const uint8_t *)body, strlen(body), &req));
  char *wid = header_of(req, "webhook-id"), *wts = header_of(req, "webhook-timestamp"),
       *wsig = header_of(req, "webhook-signature");
  CHECK(wid && wts && wsig);
  credcycle_header_pair hs[] = {{"Webhook-Id", wid}, {"webhook-timestamp", wts}, {"webhook-signature", wsig}};
  const char *keys[] = {key};
  int64_t now = T0;
  credcycle_verified_webhook *v = NULL;
  CHECK_OK(credcycle_verify_webhook_standard(hs, 3, (const uint8_t *)body, strlen(body), keys, 1, NULL, &now, NULL, &v));
  CHECK(str_eq(credcycle_verified_webhook_message_id(v), wid));
  credcycle_verified_webhook_free(v);
  /* A missing header is invalid input (it names the header). */
  CHECK_RC(credcycle_verify_webhook_standard(hs, 2, (const uint8_t *)body, strlen(body), keys, 1, NULL, &now, NULL, NULL),
           CREDCYCLE_RESULT_INVALID_INPUT);
  /* The sender-side helper makes the same signature. */
  char own[256];
  size_t n = 0;
  CHECK_OK(credcycle_sign_webhook_standard(keys, 1, wid, T0, (const uint8_t *)body, strlen(body), own, sizeof own, &n));
  CHECK(strcmp(own, wsig) == 0);
  free(wid), free(wts), free(wsig), free(id);
  credcycle_signed_request_free(req);
  credcycle_created_target_free(c);

  /* REST_ASYNC has no interrupt_on_error; bad names are refused. */
  o.target_type = "REST_ASYNC";
  CHECK_RC(credcycle_targets_create(t, "async", HOOK, &o, &c), CREDCYCLE_RESULT_INVALID_INPUT);
  o.target_type = "REST_CALL";
  o.scheme = "BOGUS";
  CHECK_RC(credcycle_targets_create(t, "bogus", HOOK, &o, &c), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_targets_create(t, "rel", "/relative", NULL, &c), CREDCYCLE_RESULT_INVALID_INPUT);
}

static void test_jose_and_jwt_jwe(const credcycle_engine *e, const credcycle_targets *t) {
  const credcycle_jose *jose = NULL;
  CHECK_OK(credcycle_engine_jose(e, &jose));
  credcycle_token_signing_key *k = NULL;
  CHECK_OK(credcycle_jose_current_key(jose, &k));
  CHECK(credcycle_token_signing_key_kid(k).len > 0);
  uint32_t v1 = credcycle_token_signing_key_kms_version(k);
  credcycle_token_signing_key_free(k);

  /* JWKS through the size query, then the real call. */
  size_t n = 0;
  CHECK_RC(credcycle_jose_jwks(jose, NULL, 0, &n), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  char *jwks = malloc(n);
  CHECK_OK(credcycle_jose_jwks(jose, jwks, n, &n));
  CHECK(strstr(jwks, "\"keys\"") != NULL && strlen(jwks) + 1 == n);

  /* A JWT target body verifies against the JWKS with the receiver's
   * checks; a wrong audience is a detail-free failure. */
  credcycle_create_target_options o = {0};
  o.payload_type = "JWT";
  credcycle_created_target *c = NULL;
  CHECK_OK(credcycle_targets_create(t, "jwt", HOOK, &o, &c));
  char *id = str_dup(credcycle_target_info_id(credcycle_created_target_target(c)));
  const char *payload = "{\"event\":\"paid\"}";
  credcycle_signed_request *req = NULL;
  CHECK_OK(credcycle_targets_sign(t, id, (const uint8_t *)payload, strlen(payload), &req));
  credcycle_bytes body = credcycle_signed_request_body(req);
  credcycle_jwt_validation val = {0};
  val.audience = HOOK;
  val.issuer = "credcycle";
  int64_t now = T0;
  credcycle_verified_jwt *vj = NULL;
  CHECK_OK(credcycle_verify_jwt(body.data, body.len, jwks, &val, &now, &vj));
  CHECK(str_eq(credcycle_verified_jwt_algorithm(vj), "ES256"));
  CHECK(str_has(credcycle_verified_jwt_claims_json(vj), "\"event\":\"paid\""));
  credcycle_str kid;
  CHECK(credcycle_verified_jwt_kid(vj, &kid) && kid.len > 0);
  credcycle_verified_jwt_free(vj);
  val.audience = "https://elsewhere.example/";
  vj = NULL;
  CHECK_RC(credcycle_verify_jwt(body.data, body.len, jwks, &val, &now, &vj), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  CHECK(vj == NULL);
  val.audience = HOOK;
  const char *algs[] = {"RS256"};
  val.algorithms = algs;
  val.algorithms_len = 1;
  CHECK_RC(credcycle_verify_jwt(body.data, body.len, jwks, &val, &now, &vj), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  val.algorithms_len = 0;
  CHECK_RC(credcycle_verify_jwt(body.data, body.len, "not json", &val, &now, &vj), CREDCYCLE_RESULT_INVALID_INPUT);
  credcycle_signed_request_free(req);
  credcycle_created_target_free(c);
  free(id);

  /* sign_jwt: the same length every call, verifiable with the JWKS. */
  char claims[96];
  snprintf(claims, sizeof claims, "{\"sub\":\"x\",\"exp\":%d}", T0 + 60);
  CHECK_RC(credcycle_jose_sign_jwt(jose, claims, NULL, 0, &n), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  char *jwt = malloc(n);
  CHECK_OK(credcycle_jose_sign_jwt(jose, claims, jwt, n, &n));
  credcycle_jwt_validation plain = {0};
  CHECK_OK(credcycle_verify_jwt((const uint8_t *)jwt, strlen(jwt), jwks, &plain, &now, &vj));
  credcycle_verified_jwt_free(vj);
  free(jwt);
  CHECK_RC(credcycle_jose_sign_jwt(jose, "[1]", NULL, 0, &n), CREDCYCLE_RESULT_INVALID_INPUT);
  char jws[512];
  CHECK_OK(credcycle_jose_sign_jws(jose, NULL, (const uint8_t *)"hi", 2, jws, sizeof jws, &n));
  CHECK(strlen(jws) + 1 == n);

  /* JWE: encrypted to the receiver's P-256 key, decrypted with its
   * private key, inner JWT checked against the sender's JWKS. */
  o.payload_type = "JWE";
  o.encryption_key_pem = RECEIVER_PUBLIC;
  CHECK_OK(credcycle_targets_create(t, "jwe", HOOK, &o, &c));
  const credcycle_target_info *ti = credcycle_created_target_target(c);
  CHECK(credcycle_target_info_encryption_key_count(ti) == 1);
  const credcycle_encryption_key_info *ek = credcycle_target_info_encryption_key(ti, 0);
  CHECK(credcycle_encryption_key_info_active(ek) && str_eq(credcycle_encryption_key_info_kind(ek), "EC-P256"));
  CHECK(!credcycle_encryption_key_info_expire_time(ek, NULL));
  id = str_dup(credcycle_target_info_id(ti));
  char *fp = str_dup(credcycle_encryption_key_info_fingerprint(ek));
  const char *secret = "{\"secret\":\"s3\"}";
  CHECK_OK(credcycle_targets_sign(t, id, (const uint8_t *)secret, strlen(secret), &req));
  body = credcycle_signed_request_body(req);
  int dots = 0;
  for (size_t i = 0; i < body.len; i++) dots += body.data[i] == '.';
  CHECK(dots == 4); /* compact JWE */
  CHECK_OK(credcycle_decrypt_jwe(body.data, body.len, RECEIVER_PRIVATE, jwks, &val, NULL, 0, &now, &vj));
  CHECK(str_has(credcycle_verified_jwt_claims_json(vj), "\"secret\":\"s3\""));
  credcycle_verified_jwt_free(vj);
  const char *only_rsa[] = {"RSA-OAEP-256"};
  CHECK_RC(credcycle_decrypt_jwe(body.data, body.len, RECEIVER_PRIVATE, jwks, &val, only_rsa, 1, &now, &vj),
           CREDCYCLE_RESULT_VERIFICATION_FAILED);
  credcycle_signed_request_free(req);

  /* Encryption keys: list, a second one (inactive), activate, remove. */
  credcycle_encryption_key_info_list *keys = NULL;
  CHECK_OK(credcycle_targets_list_encryption_keys(t, id, &keys));
  CHECK(credcycle_encryption_key_info_list_len(keys) == 1);
  credcycle_encryption_key_info_list_free(keys);
  CHECK_RC(credcycle_targets_add_encryption_key(t, id, RECEIVER_PUBLIC, NULL, NULL), CREDCYCLE_RESULT_ALREADY_EXISTS);
  CHECK_RC(credcycle_targets_add_encryption_key(t, id, "not a key", NULL, NULL), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_targets_remove_encryption_key(t, id, fp), CREDCYCLE_RESULT_INVALID_STATE);
  CHECK_OK(credcycle_targets_activate_encryption_key(t, id, fp));
  CHECK_RC(credcycle_targets_activate_encryption_key(t, id, "SHA256:nope"), CREDCYCLE_RESULT_NOT_FOUND);
  free(fp);
  free(id);
  credcycle_created_target_free(c);

  /* Rotation keeps the old version in the JWKS. */
  CHECK_OK(credcycle_jose_rotate_signing_key(jose, &k));
  CHECK(credcycle_token_signing_key_kms_version(k) == v1 + 1);
  credcycle_token_signing_key_free(k);
  size_t n2 = 0;
  CHECK_RC(credcycle_jose_jwks(jose, NULL, 0, &n2), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  CHECK(n2 > n);
  free(jwks);
  credcycle_jose_free(jose);
}

int main(void) {
  const credcycle_engine *e = clocked_engine(&clock_);
  CHECK(e != NULL);
  CHECK(credcycle_engine_now(e) == T0);
  const credcycle_targets *t = NULL;
  CHECK_OK(credcycle_engine_targets(e, "shop", &t));
  CHECK_RC(credcycle_engine_targets(e, "bad tenant!", &t), CREDCYCLE_RESULT_INVALID_INPUT);
  test_zitadel_target(t);
  test_standard_webhooks(t);
  test_jose_and_jwt_jwe(e, t);
  credcycle_targets_free(t);
  credcycle_targets_free(NULL);
  credcycle_engine_free(e);
  return finish("test_targets");
}
