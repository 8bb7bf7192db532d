/* Client helpers from C, without an engine: TOTP/HOTP against the RFC 6238
 * and RFC 4226 test values (copied from tests/data/rfc6238_totp.json and
 * rfc4226_hotp.json, RFC text, IETF Trust), provisioning URI round trip,
 * webhook signing/verification, client IP resolution, and the buffer and
 * NULL contracts of the API. */
#include "check.h"

/* RFC 6238 Appendix A seeds (ASCII) for SHA1/SHA256/SHA512. */
static const char *SEED20 = "12345678901234567890";
static const char *SEED32 = "12345678901234567890123456789012";
static const char *SEED64 =
    "1234567890123456789012345678901234567890123456789012345678901234";

static const struct {
  int64_t time;
  const char *alg;
  const char *code;
} TOTP[] = {
    {59, "SHA1", "94287082"},          {59, "SHA256", "46119246"},          {59, "SHA512", "90693936"},
    {1111111109, "SHA1", "07081804"},  {1111111109, "SHA256", "68084774"},  {1111111109, "SHA512", "25091201"},
    {1111111111, "SHA1", "14050471"},  {1111111111, "SHA256", "67062674"},  {1111111111, "SHA512", "99943326"},
    {1234567890, "SHA1", "89005924"},  {1234567890, "SHA256", "91819424"},  {1234567890, "SHA512", "93441116"},
    {2000000000, "SHA1", "69279037"},  {2000000000, "SHA256", "90698825"},  {2000000000, "SHA512", "38618901"},
    {20000000000, "SHA1", "65353130"}, {20000000000, "SHA256", "77737706"}, {20000000000, "SHA512", "47863826"},
};

static const char *HOTP[] = {"755224", "287082", "359152", "969429", "338314",
                             "254676", "287922", "162583", "399871", "520489"};

static void test_totp_vectors(void) {
  const credcycle_totp *keys[3] = {NULL, NULL, NULL};
  CHECK_OK(credcycle_totp_new((const uint8_t *)SEED20, 20, "SHA1", 8, 30, &keys[0]));
  CHECK_OK(credcycle_totp_new((const uint8_t *)SEED32, 32, "SHA256", 8, 30, &keys[1]));
  CHECK_OK(credcycle_totp_new((const uint8_t *)SEED64, 64, "SHA512", 8, 30, &keys[2]));
  int generated = 0, verified = 0;
  for (size_t i = 0; i < sizeof TOTP / sizeof TOTP[0]; i++) {
    const credcycle_totp *k = keys[i % 3];
    CHECK(str_eq(credcycle_totp_algorithm(k), TOTP[i].alg));
    char code[16];
    size_t n = 0;
    if (credcycle_totp_code_at(k, &TOTP[i].time, code, sizeof code, &n) == CREDCYCLE_RESULT_OK &&
        strcmp(code, TOTP[i].code) == 0 && n == 9)
      generated++;
    int64_t step = 0;
    if (credcycle_totp_verify(k, TOTP[i].code, &TOTP[i].time, 0, &step) == CREDCYCLE_RESULT_OK &&
        step == TOTP[i].time / 30)
      verified++;
    /* One step later, the code fails without a window and passes with 1. */
    int64_t later = TOTP[i].time + 30;
    CHECK_RC(credcycle_totp_verify(k, TOTP[i].code, &later, 0, NULL), CREDCYCLE_RESULT_VERIFICATION_FAILED);
    CHECK_OK(credcycle_totp_verify(k, TOTP[i].code, &later, 1, NULL));
  }
  CHECK(generated == 18 && verified == 18);
  printf("RFC 6238: %d/18 generated, %d/18 verified\n", generated, verified);
  int64_t t = 59;
  CHECK_RC(credcycle_totp_verify(keys[0], "94287082", &t, 11, NULL), CREDCYCLE_RESULT_INVALID_INPUT);
  char small[4];
  size_t n = 0;
  CHECK_RC(credcycle_totp_code_at(keys[0], &t, small, sizeof small, &n), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  CHECK(n == 9);
  for (int i = 0; i < 3; i++) credcycle_totp_free(keys[i]);

  /* RFC 4226 HOTP, 6 digits. */
  const credcycle_totp *h = NULL;
  CHECK_OK(credcycle_totp_new((const uint8_t *)SEED20, 20, "SHA1", 6, 30, &h));
  int hotp_ok = 0;
  for (uint64_t c = 0; c < 10; c++) {
    char code[16];
    if (credcycle_totp_hotp(h, c, code, sizeof code, &n) == CREDCYCLE_RESULT_OK && strcmp(code, HOTP[c]) == 0)
      hotp_ok++;
  }
  CHECK(hotp_ok == 10);
  printf("RFC 4226: %d/10 HOTP values\n", hotp_ok);

  /* Provisioning URI round trip keeps the parameters. */
  char uri[512];
  CHECK_OK(credcycle_totp_provisioning_uri(h, "ACME Co", "alice@example.com", uri, sizeof uri, &n));
  CHECK(strncmp(uri, "otpauth://totp/", 15) == 0);
  const credcycle_totp *back = NULL;
  CHECK_OK(credcycle_totp_from_uri(uri, &back));
  CHECK(str_eq(credcycle_totp_issuer(back), "ACME Co"));
  CHECK(str_eq(credcycle_totp_account(back), "alice@example.com"));
  CHECK(credcycle_totp_digits(back) == 6);
  char a[16], b[16];
  t = 1234567890;
  CHECK_OK(credcycle_totp_code_at(h, &t, a, sizeof a, &n));
  CHECK_OK(credcycle_totp_code_at(back, &t, b, sizeof b, &n));
  CHECK(strcmp(a, b) == 0);
  memset(uri, 0, sizeof uri);
  credcycle_totp_free(back);
  credcycle_totp_free(h);

  /* Bad keys are refused naming the field; nothing is written. */
  const credcycle_totp *bad = NULL;
  CHECK_RC(credcycle_totp_new((const uint8_t *)SEED20, 10, "SHA1", 6, 30, &bad), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_totp_new((const uint8_t *)SEED20, 20, "MD5", 6, 30, &bad), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_totp_new((const uint8_t *)SEED20, 20, "SHA1", 9, 30, &bad), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_totp_from_uri("https://example.com", &bad), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK(bad == NULL);
  CHECK(credcycle_totp_digits(NULL) == 0 && credcycle_totp_algorithm(NULL).len == 0);
}

static void test_webhooks(void) {
  const char *key = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const char *keys[] = {key};
  const char *body = "{\"event\":\"x\"}";
  char header[256];
  size_t n = 0;
  CHECK_OK(credcycle_sign_webhook_zitadel(keys, 1, 1700000000, (const uint8_t *)body, strlen(body), header,
                                         sizeof header, &n));
  CHECK(strncmp(header, "t=1700000000,v1=", 16) == 0);
  int64_t now = 1700000000;
  CHECK_OK(credcycle_verify_webhook_zitadel(header, (const uint8_t *)body, strlen(body), keys, 1, NULL, &now, NULL,
                                            NULL));
  int64_t tol = 10, later = now + 11;
  CHECK_RC(credcycle_verify_webhook_zitadel(header, (const uint8_t *)body, strlen(body), keys, 1, &tol, &later, NULL,
                                            NULL),
           CREDCYCLE_RESULT_WEBHOOK_TIMESTAMP);
  const char *bad_keys[] = {"not-a-key"};
  CHECK_RC(credcycle_sign_webhook_zitadel(bad_keys, 1, now, (const uint8_t *)body, strlen(body), header,
                                          sizeof header, &n),
           CREDCYCLE_RESULT_INVALID_INPUT);
  /* A replay guard shared by two verifications. */
  const credcycle_replay_guard *g = NULL;
  CHECK_OK(credcycle_replay_guard_memory(&g));
  char sig[256];
  CHECK_OK(credcycle_sign_webhook_standard(keys, 1, "msg_1", now, (const uint8_t *)body, strlen(body), sig,
                                          sizeof sig, &n));
  char ts[32];
  snprintf(ts, sizeof ts, "%lld", (long long)now);
  credcycle_header_pair hs[] = {{"webhook-id", "msg_1"}, {"webhook-timestamp", ts}, {"webhook-signature", sig}};
  credcycle_verified_webhook *v = NULL;
  CHECK_OK(credcycle_verify_webhook_standard(hs, 3, (const uint8_t *)body, strlen(body), keys, 1, NULL, &now, g, &v));
  CHECK(str_eq(credcycle_verified_webhook_message_id(v), "msg_1"));
  credcycle_verified_webhook_free(v);
  CHECK_RC(credcycle_verify_webhook_standard(hs, 3, (const uint8_t *)body, strlen(body), keys, 1, NULL, &now, g, NULL),
           CREDCYCLE_RESULT_WEBHOOK_REPLAY);
  credcycle_replay_guard_free(g);
}

static void test_client_ip(void) {
  const char *hops[] = {"203.0.113.7", "10.0.0.2"};
  const char *proxies[] = {"10.0.0.0/8"};
  char ip[64];
  size_t n = 0;
  CHECK_OK(credcycle_resolve_client_ip("10.0.0.1", hops, 2, proxies, 1, ip, sizeof ip, &n));
  CHECK(strcmp(ip, "203.0.113.7") == 0 && n == strlen(ip) + 1);
  /* An untrusted peer is the client; forwarded headers are ignored. */
  CHECK_OK(credcycle_resolve_client_ip("198.51.100.9", hops, 2, proxies, 1, ip, sizeof ip, &n));
  CHECK(strcmp(ip, "198.51.100.9") == 0);
  CHECK_RC(credcycle_resolve_client_ip("nope", hops, 2, proxies, 1, ip, sizeof ip, &n), CREDCYCLE_RESULT_INVALID_INPUT);
  const char *bad[] = {"10.0.0.0/99"};
  CHECK_RC(credcycle_resolve_client_ip("10.0.0.1", hops, 2, bad, 1, ip, sizeof ip, &n), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_resolve_client_ip("10.0.0.1", NULL, 2, proxies, 1, ip, sizeof ip, &n),
           CREDCYCLE_RESULT_NULL_PARAMETER);
}

static void test_contracts(void) {
  /* Version macros and string agree. */
  credcycle_str v = credcycle_version();
  CHECK(str_eq(v, CREDCYCLE_VERSION_STRING));
  /* Every _free accepts NULL. */
  credcycle_totp_free(NULL);
  credcycle_replay_guard_free(NULL);
  credcycle_verified_webhook_free(NULL);
  credcycle_verified_jwt_free(NULL);
  credcycle_targets_free(NULL);
  credcycle_tokens_free(NULL);
  credcycle_machine_auth_free(NULL);
  credcycle_identities_free(NULL);
  credcycle_mfa_free(NULL);
  credcycle_jose_free(NULL);
  credcycle_mfa_state_free(NULL);
  credcycle_recovery_codes_free(NULL);
  credcycle_created_token_free(NULL);
  credcycle_signed_request_free(NULL);
  /* Accessors of NULL give their documented defaults. */
  CHECK(credcycle_signed_request_body(NULL).len == 0);
  CHECK(credcycle_signed_request_header(NULL, 0) == NULL);
  CHECK(credcycle_target_info_name(NULL).len == 0);
  CHECK(!credcycle_mfa_state_create_time(NULL, NULL));
  char buf[8];
  size_t n = 0;
  CHECK_RC(credcycle_created_token_value(NULL, buf, sizeof buf, &n), CREDCYCLE_RESULT_NULL_PARAMETER);
  /* Invalid UTF-8 in a string argument. */
  const credcycle_totp *t = NULL;
  CHECK_RC(credcycle_totp_from_uri("otpauth://\xff", &t), CREDCYCLE_RESULT_INVALID_UTF8);
  /* Messages and kinds of the new codes. */
  char msg[128];
  CHECK_OK(credcycle_result_message(CREDCYCLE_RESULT_WEBHOOK_REPLAY, msg, sizeof msg, &n));
  CHECK(n > 1);
  CHECK(credcycle_result_kind(CREDCYCLE_RESULT_REFRESH_TOKEN_REUSED).len > 0);
}

int main(void) {
  test_totp_vectors();
  test_webhooks();
  test_client_ip();
  test_contracts();
  return finish("test_client");
}
