/* Certificate checks from C: enrollment_verify_certificate against the
 * tenant's CAs (internal; an external one only once verified; purpose and
 * time), client verify_chain against given roots, pki_renew (same key, key
 * roll, a foreign certificate refused), and reading and verifying an
 * enrollment JWT on the client side. */
#include "check.h"

#define T0 1700000000
static test_clock clock_ = {T0};

static char *new_csr(const char *cn) {
  credcycle_client_key_info *k = NULL;
  CHECK_OK(credcycle_generate_key_and_csr("p256", cn, NULL, 0, NULL, 0, &k));
  char *csr = str_dup(credcycle_client_key_info_csr_pem(k));
  credcycle_client_key_info_free(k);
  return csr;
}

int main(void) {
  const credcycle_engine *e = clocked_engine(&clock_);
  const credcycle_pki *pki = NULL, *other = NULL;
  const credcycle_enrollment *en = NULL;
  CHECK_OK(credcycle_engine_pki(e, "shop", &pki));
  CHECK_OK(credcycle_engine_pki(e, "other", &other));
  CHECK_OK(credcycle_engine_enrollment(e, "shop", &en));
  credcycle_ca_info *ca = NULL, *oca = NULL;
  CHECK_OK(credcycle_pki_create_ca(pki, "shop root", "shop.example", NULL, &ca));
  CHECK_OK(credcycle_pki_create_ca(other, "other root", "other.example", NULL, &oca));
  char *roots = str_dup(credcycle_ca_info_chain_pem(ca));
  char *other_roots = str_dup(credcycle_ca_info_chain_pem(oca));
  char *other_ca_pem = str_dup(credcycle_certificate_info_pem(credcycle_ca_info_certificate(oca)));
  char *ca_fp = str_dup(credcycle_certificate_info_fingerprint(credcycle_ca_info_certificate(ca)));
  credcycle_ca_info_free(ca);
  credcycle_ca_info_free(oca);

  /* A client certificate of the shop CA, enrolled by nobody. */
  char *csr = new_csr("device");
  credcycle_issue_profile prof = {0};
  prof.identity_id = "id-1";
  credcycle_issued_cert_info *cert = NULL;
  CHECK_OK(credcycle_pki_issue(pki, csr, &prof, &cert));
  char *chain = str_dup(credcycle_issued_cert_info_chain_pem(cert));
  char *pem = str_dup(credcycle_issued_cert_info_pem(cert));
  char *fp = str_dup(credcycle_issued_cert_info_fingerprint(cert));
  char *serial = str_dup(credcycle_issued_cert_info_serial_hex(cert));
  int64_t not_after = credcycle_issued_cert_info_not_after(cert);
  credcycle_issued_cert_info_free(cert);

  /* enrollment.verify_certificate: internal CA, depth 1, path to the CA. */
  credcycle_cert_verification_info *cv = NULL;
  CHECK_OK(credcycle_enrollment_verify_certificate(en, chain, NULL, NULL, &cv));
  CHECK(str_eq(credcycle_cert_verification_info_anchor(cv), "internal"));
  CHECK(!credcycle_cert_verification_info_ca_id(cv, NULL));
  CHECK(credcycle_cert_verification_info_depth(cv) == 1);
  CHECK(str_eq(credcycle_cert_verification_info_fingerprint(cv), fp));
  CHECK(credcycle_cert_verification_info_path_fingerprint_count(cv) == 2);
  CHECK(str_eq(credcycle_cert_verification_info_path_fingerprint(cv, 1), ca_fp));
  CHECK(credcycle_cert_verification_info_path_fingerprint(cv, 2).len == 0);
  credcycle_str cn = {0};
  CHECK(credcycle_cert_verification_info_common_name(cv, &cn) && str_eq(cn, "id-1"));
  CHECK(credcycle_cert_verification_info_not_after(cv) == not_after);
  CHECK(credcycle_cert_verification_info_not_before(cv) <= T0);
  credcycle_cert_verification_info_free(cv);
  cv = NULL;
  /* Purpose, time, input. */
  CHECK_RC(credcycle_enrollment_verify_certificate(en, pem, NULL, "server", &cv),
           CREDCYCLE_RESULT_CERTIFICATE_REJECTED);
  CHECK_OK(credcycle_enrollment_verify_certificate(en, pem, NULL, "any", &cv));
  credcycle_cert_verification_info_free(cv);
  CHECK_RC(credcycle_enrollment_verify_certificate(en, pem, NULL, "email", &cv), CREDCYCLE_RESULT_INVALID_INPUT);
  int64_t late = not_after + 1;
  CHECK_RC(credcycle_enrollment_verify_certificate(en, pem, &late, NULL, &cv), CREDCYCLE_RESULT_CERTIFICATE_REJECTED);
  clock_.now = late;
  CHECK_RC(credcycle_enrollment_verify_certificate(en, pem, NULL, NULL, &cv), CREDCYCLE_RESULT_CERTIFICATE_REJECTED);
  int64_t t0 = T0;
  CHECK_OK(credcycle_enrollment_verify_certificate(en, pem, &t0, NULL, &cv));
  credcycle_cert_verification_info_free(cv);
  clock_.now = T0;
  CHECK_RC(credcycle_enrollment_verify_certificate(en, "junk", NULL, NULL, &cv), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_enrollment_verify_certificate(en, pem, NULL, NULL, NULL), CREDCYCLE_RESULT_NULL_PARAMETER);

  /* The other tenant's certificate: refused until its CA is registered and
   * verified as an external CA of the shop. */
  credcycle_issued_cert_info *foreign = NULL;
  CHECK_OK(credcycle_pki_issue(other, csr, &prof, &foreign));
  char *foreign_pem = str_dup(credcycle_issued_cert_info_pem(foreign));
  credcycle_issued_cert_info_free(foreign);
  CHECK_RC(credcycle_enrollment_verify_certificate(en, foreign_pem, NULL, NULL, &cv),
           CREDCYCLE_RESULT_CERTIFICATE_REJECTED);
  credcycle_external_ca_options opts = {0};
  opts.name = "partner";
  credcycle_external_ca_info *xca = NULL;
  CHECK_OK(credcycle_enrollment_register_ca(en, other_ca_pem, &opts, &xca));
  char *xid = str_dup(credcycle_external_ca_info_id(xca));
  credcycle_str tok = {0};
  CHECK(credcycle_external_ca_info_verification_token(xca, &tok));
  char *token = str_dup(tok);
  credcycle_external_ca_info_free(xca);
  CHECK_RC(credcycle_enrollment_verify_certificate(en, foreign_pem, NULL, NULL, &cv),
           CREDCYCLE_RESULT_CERTIFICATE_REJECTED);
  credcycle_issue_profile proof = {0};
  proof.identity_id = token;
  credcycle_issued_cert_info *pc = NULL;
  CHECK_OK(credcycle_pki_issue(other, csr, &proof, &pc));
  char *proof_pem = str_dup(credcycle_issued_cert_info_pem(pc));
  credcycle_issued_cert_info_free(pc);
  CHECK_OK(credcycle_enrollment_verify_ca(en, xid, proof_pem, &xca));
  credcycle_external_ca_info_free(xca);
  CHECK_OK(credcycle_enrollment_verify_certificate(en, foreign_pem, NULL, NULL, &cv));
  CHECK(str_eq(credcycle_cert_verification_info_anchor(cv), "external"));
  credcycle_str id = {0};
  CHECK(credcycle_cert_verification_info_ca_id(cv, &id) && str_eq(id, xid));
  credcycle_cert_verification_info_free(cv);

  /* client.verify_chain: given roots, no engine. */
  credcycle_verified_chain_info *v = NULL;
  CHECK_OK(credcycle_verify_chain(roots, pem, &t0, "client", &v));
  CHECK(str_eq(credcycle_certificate_info_fingerprint(credcycle_verified_chain_info_leaf(v)), fp));
  CHECK(credcycle_verified_chain_info_path_fingerprint_count(v) == 2);
  credcycle_verified_chain_info_free(v);
  CHECK_RC(credcycle_verify_chain(other_roots, pem, &t0, NULL, &v), CREDCYCLE_RESULT_CERTIFICATE_REJECTED);
  CHECK_RC(credcycle_verify_chain(roots, pem, &late, NULL, &v), CREDCYCLE_RESULT_CERTIFICATE_REJECTED);
  CHECK_RC(credcycle_verify_chain(roots, pem, &t0, "server", &v), CREDCYCLE_RESULT_CERTIFICATE_REJECTED);
  CHECK_RC(credcycle_verify_chain("junk", pem, &t0, NULL, &v), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_verify_chain(NULL, pem, &t0, NULL, &v), CREDCYCLE_RESULT_NULL_PARAMETER);

  /* pki.renew: same key, then a key roll; a foreign certificate refused. */
  clock_.now = T0 + 3600;
  CHECK_OK(credcycle_pki_renew(pki, chain, NULL, &prof, &cert));
  CHECK(!str_eq(credcycle_issued_cert_info_serial_hex(cert), serial));
  CHECK(credcycle_issued_cert_info_not_before(cert) > T0 - 300 && credcycle_issued_cert_info_not_after(cert) > not_after);
  credcycle_issued_cert_info_free(cert);
  char *csr2 = new_csr("device");
  CHECK_OK(credcycle_pki_renew(pki, pem, csr2, &prof, &cert));
  CHECK(str_eq(credcycle_issued_cert_info_spiffe_id(cert), "spiffe://shop.example/identity/id-1"));
  credcycle_issued_cert_info_free(cert);
  CHECK_RC(credcycle_pki_renew(pki, foreign_pem, NULL, &prof, &cert), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_pki_renew(pki, pem, "junk", &prof, &cert), CREDCYCLE_RESULT_INVALID_INPUT);
  clock_.now = T0;

  /* Enrollment JWTs on the client side. */
  const credcycle_identities *ids = NULL;
  CHECK_OK(credcycle_engine_identities(e, "shop", &ids));
  credcycle_identity_info *alice = NULL;
  CHECK_OK(credcycle_identities_create(ids, "alice", NULL, &alice));
  char *aid = str_dup(credcycle_identity_info_id(alice));
  credcycle_identity_info_free(alice);
  credcycle_enrollment_spec spec = {0};
  spec.method = "ott";
  credcycle_new_enrollment_info *ne = NULL;
  CHECK_OK(credcycle_enrollment_create(en, aid, &spec, &ne));
  char jwt[4096];
  size_t n = 0;
  CHECK_OK(credcycle_new_enrollment_info_jwt(ne, jwt, sizeof jwt, &n));
  credcycle_new_enrollment_info_free(ne);
  credcycle_enrollment_claims_info *c = NULL;
  CHECK_OK(credcycle_parse_enrollment_jwt(jwt, &c));
  CHECK(str_eq(credcycle_enrollment_claims_info_method(c), "ott"));
  CHECK(str_eq(credcycle_enrollment_claims_info_sub(c), aid));
  CHECK(str_eq(credcycle_enrollment_claims_info_iss(c), "credcycle"));
  int64_t iat = 0;
  CHECK(credcycle_enrollment_claims_info_iat(c, &iat) && iat == T0);
  int64_t exp = credcycle_enrollment_claims_info_exp(c);
  CHECK(exp > T0);
  char jti[256];
  CHECK_RC(credcycle_enrollment_claims_info_jti(c, jti, 4, &n), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  CHECK_OK(credcycle_enrollment_claims_info_jti(c, jti, sizeof jti, &n));
  CHECK(strncmp(jti, "ccen_", 5) == 0);
  memset(jti, 0, sizeof jti);
  char *kid = str_dup(credcycle_enrollment_claims_info_kid(c));
  credcycle_enrollment_claims_info_free(c);
  c = NULL;
  CHECK_RC(credcycle_parse_enrollment_jwt("not.a.jwt", &c), CREDCYCLE_RESULT_INVALID_INPUT);
  char jwks[8192];
  CHECK_OK(credcycle_enrollment_jwks(en, jwks, sizeof jwks, &n));
  CHECK_OK(credcycle_verify_enrollment_jwt(jwt, jwks, "credcycle", &t0, &c));
  CHECK(str_eq(credcycle_enrollment_claims_info_kid(c), kid));
  credcycle_enrollment_claims_info_free(c);
  CHECK_RC(credcycle_verify_enrollment_jwt(jwt, jwks, "someone", &t0, &c), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  CHECK_RC(credcycle_verify_enrollment_jwt(jwt, jwks, "credcycle", &exp, &c), CREDCYCLE_RESULT_INVALID_STATE);
  CHECK_RC(credcycle_verify_enrollment_jwt(jwt, "{", "credcycle", NULL, &c), CREDCYCLE_RESULT_INVALID_INPUT);
  memset(jwt, 0, sizeof jwt);

  free(kid);
  free(aid);
  free(csr2);
  free(proof_pem);
  free(token);
  free(xid);
  free(foreign_pem);
  free(serial);
  free(fp);
  free(pem);
  free(chain);
  free(csr);
  free(ca_fp);
  free(other_ca_pem);
  free(other_roots);
  free(roots);
  credcycle_identities_free(ids);
  credcycle_enrollment_free(en);
  credcycle_pki_free(other);
  credcycle_pki_free(pki);
  credcycle_engine_free(e);
  return finish("test_cert_verify");
}
