/* MFA from C: enrollment (provisioning URI, PNG/SVG QR codes, recovery
 * codes shown once), confirmation with a code computed by the client TOTP
 * helper from the URI, sessions owing a second factor, recovery codes
 * used once, regeneration/viewing, disable and administrator removal. */
#include "check.h"

#define T0 1700000000
static test_clock clock_ = {T0};
static const credcycle_identities *ids;

static credcycle_result login(char *token, size_t len) {
  credcycle_auth_input in = {0};
  in.username = "alice";
  in.password = "correct horse battery";
  credcycle_new_session *s = NULL;
  credcycle_result rc = credcycle_identities_authenticate(ids, &in, NULL, NULL, NULL, 0, &s);
  if (rc != CREDCYCLE_RESULT_OK) return rc;
  size_t n = 0;
  rc = credcycle_new_session_token(s, token, len, &n);
  credcycle_new_session_free(s);
  return rc;
}

/* The TOTP code of `totp` at `t`. */
static void code_at(const credcycle_totp *totp, int64_t t, char code[16]) {
  size_t n = 0;
  CHECK_OK(credcycle_totp_code_at(totp, &t, code, 16, &n));
}

int main(void) {
  const credcycle_engine *e = clocked_engine(&clock_);
  const credcycle_mfa *mfa = NULL;
  CHECK_OK(credcycle_engine_identities(e, "shop", &ids));
  CHECK_OK(credcycle_engine_mfa(e, "shop", &mfa));
  credcycle_identity_info *alice = NULL;
  CHECK_OK(credcycle_identities_create(ids, "alice", NULL, &alice));
  char *aid = str_dup(credcycle_identity_info_id(alice));
  credcycle_identity_info_free(alice);
  CHECK_OK(credcycle_identities_set_password(ids, aid, "alice", "correct horse battery", NULL));
  char token[256];
  CHECK_OK(login(token, sizeof token));
  credcycle_subject me = {token, NULL}, admin = {NULL, aid};

  credcycle_mfa_state *st = NULL;
  CHECK_OK(credcycle_mfa_status(mfa, &me, &st));
  CHECK(!credcycle_mfa_state_enrolled(st));
  CHECK(!credcycle_mfa_state_digits(st, NULL));
  credcycle_mfa_state_free(st);

  credcycle_mfa_enrollment *en = NULL;
  CHECK_OK(credcycle_mfa_enroll(mfa, &me, &en));
  credcycle_bytes png = credcycle_mfa_enrollment_qr_png(en);
  CHECK(png.len > 8 && memcmp(png.data, "\x89PNG", 4) == 0);
  CHECK(credcycle_mfa_enrollment_recovery_code_count(en) == 10);
  char uri[512], recovery[64];
  size_t n = 0;
  CHECK_OK(credcycle_mfa_enrollment_provisioning_uri(en, uri, sizeof uri, &n));
  CHECK(strncmp(uri, "otpauth://totp/", 15) == 0);
  CHECK_OK(credcycle_mfa_enrollment_recovery_code(en, 0, recovery, sizeof recovery, &n));
  CHECK_RC(credcycle_mfa_enrollment_recovery_code(en, 10, recovery, sizeof recovery, &n), CREDCYCLE_RESULT_NOT_FOUND);
  credcycle_mfa_enrollment_free(en);
  CHECK_RC(credcycle_mfa_enroll(mfa, &me, &en), CREDCYCLE_RESULT_ALREADY_EXISTS);

  const credcycle_totp *totp = NULL;
  CHECK_OK(credcycle_totp_from_uri(uri, &totp));
  memset(uri, 0, sizeof uri);
  CHECK(str_eq(credcycle_totp_algorithm(totp), "SHA1"));
  CHECK(credcycle_totp_digits(totp) == 6 && credcycle_totp_period(totp) == 30);
  uint8_t svg[65536];
  CHECK_RC(credcycle_mfa_qr_code(mfa, &me, "svg", svg, 8, &n), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  CHECK(n > 8 && n <= sizeof svg);
  CHECK_OK(credcycle_mfa_qr_code(mfa, &me, "svg", svg, sizeof svg, &n));
  CHECK(memcmp(svg, "<?xml", 5) == 0 || memcmp(svg, "<svg", 4) == 0);
  CHECK_RC(credcycle_mfa_qr_code(mfa, &me, "gif", svg, sizeof svg, &n), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_mfa_verify(mfa, &me, "000000"), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  char code[16];
  code_at(totp, T0, code);
  CHECK_OK(credcycle_mfa_verify(mfa, &me, code));
  CHECK_OK(credcycle_mfa_status(mfa, &me, &st));
  uint32_t digits = 0;
  CHECK(credcycle_mfa_state_enrolled(st) && credcycle_mfa_state_verified(st));
  CHECK(credcycle_mfa_state_digits(st, &digits) && digits == 6);
  CHECK(credcycle_mfa_state_recovery_codes_remaining(st) == 10);
  CHECK_RC(credcycle_mfa_state_provisioning_uri(st, uri, sizeof uri, &n), CREDCYCLE_RESULT_NOT_FOUND);
  credcycle_mfa_state_free(st);
  CHECK_RC(credcycle_mfa_qr_code(mfa, &me, "png", svg, sizeof svg, &n), CREDCYCLE_RESULT_NOT_FOUND);

  /* A new login owes the second factor. */
  clock_.now = T0 + 60;
  char t2[256];
  CHECK_OK(login(t2, sizeof t2));
  CHECK_RC(credcycle_identities_validate_session(ids, t2, "orders.read", NULL), CREDCYCLE_RESULT_MFA_REQUIRED);
  code_at(totp, T0 + 60, code);
  credcycle_session_info *done = NULL;
  CHECK_OK(credcycle_mfa_authenticate_mfa(mfa, t2, code, &done));
  CHECK(credcycle_session_info_mfa_complete(done));
  credcycle_session_info_free(done);
  CHECK_OK(credcycle_identities_validate_session(ids, t2, "orders.read", NULL));

  /* A recovery code works once. */
  clock_.now = T0 + 120;
  CHECK_OK(login(t2, sizeof t2));
  CHECK_OK(credcycle_mfa_authenticate_mfa(mfa, t2, recovery, NULL));
  CHECK_OK(login(t2, sizeof t2));
  CHECK_RC(credcycle_mfa_authenticate_mfa(mfa, t2, recovery, NULL), CREDCYCLE_RESULT_VERIFICATION_FAILED);

  /* Regenerate (shown once), then view. */
  clock_.now = T0 + 180;
  code_at(totp, T0 + 180, code);
  credcycle_recovery_codes *codes = NULL;
  CHECK_OK(credcycle_mfa_regenerate_recovery_codes(mfa, &admin, code, &codes));
  CHECK(credcycle_recovery_codes_code_count(codes) == 10 && credcycle_recovery_codes_remaining(codes) == 10);
  CHECK_OK(credcycle_recovery_codes_code(codes, 9, recovery, sizeof recovery, &n));
  credcycle_recovery_codes_free(codes);
  clock_.now = T0 + 210;
  code_at(totp, T0 + 210, code);
  CHECK_OK(credcycle_mfa_view_recovery_codes(mfa, &admin, code, &codes));
  CHECK(credcycle_recovery_codes_remaining(codes) == 10);
  credcycle_recovery_codes_free(codes);
  CHECK_RC(credcycle_mfa_view_recovery_codes(mfa, &admin, "123456", &codes), CREDCYCLE_RESULT_VERIFICATION_FAILED);

  /* Disable with a code; re-enroll; administrator reset without one. */
  clock_.now = T0 + 240;
  code_at(totp, T0 + 240, code);
  CHECK_OK(credcycle_mfa_disable(mfa, &admin, code));
  CHECK_OK(credcycle_mfa_status(mfa, &admin, &st));
  CHECK(!credcycle_mfa_state_enrolled(st));
  credcycle_mfa_state_free(st);
  CHECK_OK(credcycle_mfa_enroll(mfa, &admin, &en));
  credcycle_mfa_enrollment_free(en);
  CHECK_OK(credcycle_mfa_remove(mfa, aid));
  CHECK_RC(credcycle_mfa_remove(mfa, aid), CREDCYCLE_RESULT_NOT_FOUND);

  memset(recovery, 0, sizeof recovery);
  credcycle_totp_free(totp);
  free(aid);
  credcycle_mfa_free(mfa);
  credcycle_identities_free(ids);
  credcycle_engine_free(e);
  return finish("test_mfa");
}
