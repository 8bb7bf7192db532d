/* PKI and enrollment from C: a key and CSR made by the library, the tenant
 * CA (create, bundle, issue, verify; a foreign chain is
 * CERTIFICATE_REJECTED), an ott enrollment (a reused token is
 * ENROLLMENT_TOKEN_USED), certificate authentication, extension with a new
 * key, the challenge checked on the client side, and external CAs. */
#include "check.h"

#define T0 1700000000
static test_clock clock_ = {T0};

/* Copies kept until str_dup_tmp_free (for arguments built inline). */
static char *tmps[16];
static int ntmps = 0;

static char *str_dup_tmp(credcycle_str s) {
  if (ntmps == 16) abort();
  return tmps[ntmps++] = str_dup(s);
}

static void str_dup_tmp_free(void) {
  while (ntmps > 0) free(tmps[--ntmps]);
}

/* The PEM CSR and key of a new P-256 key; returns the object (free it). */
static credcycle_client_key_info *new_key(const char *cn) {
  credcycle_client_key_info *k = NULL;
  CHECK_OK(credcycle_generate_key_and_csr("p256", cn, NULL, 0, NULL, 0, &k));
  return k;
}

int main(void) {
  const credcycle_engine *e = clocked_engine(&clock_);
  char buf[8192];
  size_t n = 0;

  /* Client helper: keys and CSRs; the key is a secret copied out. */
  credcycle_client_key_info *k = NULL;
  const char *dns[] = {"r1.example.com"};
  const char *ips[] = {"10.0.0.1"};
  CHECK_OK(credcycle_generate_key_and_csr("ed25519", "router-1", dns, 1, ips, 1, &k));
  CHECK(str_has(credcycle_client_key_info_csr_pem(k), "BEGIN CERTIFICATE REQUEST"));
  CHECK_RC(credcycle_client_key_info_key_pkcs8_pem(k, buf, 4, &n), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  CHECK_OK(credcycle_client_key_info_key_pkcs8_pem(k, buf, sizeof buf, &n));
  CHECK(strncmp(buf, "-----BEGIN PRIVATE KEY-----", 27) == 0);
  memset(buf, 0, sizeof buf);
  credcycle_client_key_info_free(k);
  CHECK_RC(credcycle_generate_key_and_csr("rsa", "x", NULL, 0, NULL, 0, &k), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_generate_key_and_csr("p256", "x", NULL, 0, ips, 1, NULL), CREDCYCLE_RESULT_NULL_PARAMETER);

  /* The tenant CA. */
  const credcycle_pki *pki = NULL, *other = NULL;
  CHECK_OK(credcycle_engine_pki(e, "shop", &pki));
  CHECK_OK(credcycle_engine_pki(e, "other", &other));
  credcycle_ca_info *ca = NULL;
  CHECK_RC(credcycle_pki_ca(pki, &ca), CREDCYCLE_RESULT_NOT_FOUND);
  credcycle_create_ca_options bad = {0};
  bad.algorithm = "dsa";
  CHECK_RC(credcycle_pki_create_ca(pki, "root", "shop.example", &bad, &ca), CREDCYCLE_RESULT_INVALID_INPUT);
  credcycle_create_ca_options p384 = {0};
  p384.algorithm = "p384";
  CHECK_OK(credcycle_pki_create_ca(pki, "shop root", "shop.example", &p384, &ca));
  CHECK(str_eq(credcycle_ca_info_key_type(ca), "EC P-384"));
  CHECK(credcycle_certificate_info_is_ca(credcycle_ca_info_certificate(ca)));
  CHECK_OK(credcycle_pki_bundle_pem(pki, buf, sizeof buf, &n));
  CHECK(str_eq(credcycle_ca_info_chain_pem(ca), buf));
  credcycle_ca_info_free(ca);
  CHECK_RC(credcycle_pki_create_ca(pki, "again", "shop.example", NULL, &ca), CREDCYCLE_RESULT_ALREADY_EXISTS);
  CHECK_OK(credcycle_pki_bundle_pkcs7_base64(pki, buf, sizeof buf, &n));
  CHECK(n > 100);
  CHECK_OK(credcycle_pki_create_ca(other, "other root", "other.example", NULL, &ca));
  credcycle_ca_info_free(ca);

  k = new_key("device-1");
  char *csr = str_dup(credcycle_client_key_info_csr_pem(k));
  credcycle_client_key_info_free(k);
  credcycle_issue_profile prof = {0};
  prof.identity_id = "id-1";
  credcycle_issued_cert_info *cert = NULL, *foreign = NULL;
  CHECK_OK(credcycle_pki_issue(pki, csr, &prof, &cert));
  CHECK(str_eq(credcycle_issued_cert_info_spiffe_id(cert), "spiffe://shop.example/identity/id-1"));
  char *chain = str_dup(credcycle_issued_cert_info_chain_pem(cert));
  credcycle_verified_chain_info *v = NULL;
  CHECK_OK(credcycle_pki_verify_client_chain(pki, chain, &v));
  CHECK(credcycle_verified_chain_info_path_fingerprint_count(v) == 2);
  const credcycle_certificate_info *leaf = credcycle_verified_chain_info_leaf(v);
  CHECK(credcycle_certificate_info_uri_count(leaf) == 1);
  CHECK(str_eq(credcycle_certificate_info_uri(leaf, 0), "spiffe://shop.example/identity/id-1"));
  credcycle_verified_chain_info_free(v);
  free(chain);
  credcycle_issued_cert_info_free(cert);
  prof.kind = "router_server";
  prof.dns_names = dns;
  prof.dns_names_count = 1;
  CHECK_OK(credcycle_pki_issue(pki, csr, &prof, &cert));
  credcycle_issued_cert_info_free(cert);
  cert = NULL;
  prof.kind = "server";
  CHECK_RC(credcycle_pki_issue(pki, csr, &prof, &cert), CREDCYCLE_RESULT_INVALID_INPUT);
  prof.kind = NULL; /* a client certificate: no names */
  prof.dns_names = NULL;
  prof.dns_names_count = 0;
  CHECK_OK(credcycle_pki_issue(other, csr, &prof, &foreign));
  chain = str_dup(credcycle_issued_cert_info_chain_pem(foreign));
  CHECK_RC(credcycle_pki_verify_client_chain(pki, chain, &v), CREDCYCLE_RESULT_CERTIFICATE_REJECTED);
  free(chain);
  free(csr);

  /* An ott enrollment with a library-made CSR. */
  const credcycle_identities *ids = NULL;
  const credcycle_enrollment *en = NULL;
  CHECK_OK(credcycle_engine_identities(e, "shop", &ids));
  CHECK_OK(credcycle_engine_enrollment(e, "shop", &en));
  credcycle_identity_info *alice = NULL;
  CHECK_OK(credcycle_identities_create(ids, "alice", NULL, &alice));
  char *aid = str_dup(credcycle_identity_info_id(alice));
  credcycle_identity_info_free(alice);
  credcycle_enrollment_spec spec = {0};
  spec.method = "ott";
  spec.dns_names = dns;
  spec.dns_names_count = 1;
  credcycle_new_enrollment_info *ne = NULL;
  CHECK_RC(credcycle_enrollment_create(en, aid, &spec, &ne), CREDCYCLE_RESULT_INVALID_INPUT);
  spec.dns_names = NULL;
  spec.dns_names_count = 0;
  CHECK_OK(credcycle_enrollment_create(en, aid, &spec, &ne));
  CHECK(str_eq(credcycle_enrollment_info_state(credcycle_new_enrollment_info_enrollment(ne)), "PENDING"));
  char jwt[4096];
  CHECK_OK(credcycle_new_enrollment_info_jwt(ne, jwt, sizeof jwt, &n));
  credcycle_new_enrollment_info_free(ne);
  CHECK_RC(credcycle_enrollment_create(en, aid, &spec, &ne), CREDCYCLE_RESULT_ALREADY_EXISTS);

  k = new_key("alice-laptop");
  csr = str_dup(credcycle_client_key_info_csr_pem(k));
  credcycle_client_key_info_free(k);
  credcycle_enrolled_cert_info *ec = NULL;
  CHECK_RC(credcycle_enrollment_enroll_ott(en, jwt, "not a csr", &ec), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_OK(credcycle_enrollment_enroll_ott(en, jwt, csr, &ec));
  CHECK(str_eq(credcycle_enrolled_cert_info_identity_id(ec), aid));
  CHECK_RC(credcycle_enrollment_enroll_ott(en, jwt, csr, NULL), CREDCYCLE_RESULT_NULL_PARAMETER);
  credcycle_enrolled_cert_info *again = NULL;
  CHECK_RC(credcycle_enrollment_enroll_ott(en, jwt, csr, &again), CREDCYCLE_RESULT_ENROLLMENT_TOKEN_USED);
  memset(jwt, 0, sizeof jwt);
  free(csr);
  credcycle_enrollment_info_list *list = NULL;
  CHECK_OK(credcycle_enrollment_list(en, aid, &list));
  CHECK(credcycle_enrollment_info_list_len(list) == 1);
  CHECK(str_eq(credcycle_enrollment_info_state(credcycle_enrollment_info_list_get(list, 0)), "USED"));
  credcycle_enrollment_info_list_free(list);

  char *auth_id = str_dup(credcycle_enrolled_cert_info_authenticator_id(ec));
  char *ec_chain = str_dup(credcycle_enrolled_cert_info_chain_pem(ec));
  char *ec_cert = str_dup(credcycle_enrolled_cert_info_certificate_pem(ec));
  credcycle_enrolled_cert_info_free(ec);
  credcycle_cert_principal_info *who = NULL;
  CHECK_OK(credcycle_enrollment_authorize_chain(en, ec_chain, &who));
  credcycle_str s;
  CHECK(credcycle_cert_principal_info_authenticator_id(who, &s) && str_eq(s, auth_id));
  CHECK(!credcycle_cert_principal_info_session_id(who, NULL));
  credcycle_cert_principal_info_free(who);
  chain = str_dup(credcycle_issued_cert_info_chain_pem(foreign));
  CHECK_RC(credcycle_enrollment_authorize_chain(en, chain, &who), CREDCYCLE_RESULT_CERTIFICATE_REJECTED);
  free(chain);
  credcycle_issued_cert_info_free(foreign);

  /* Extension with a new key, as the identity. */
  credcycle_subject me = {0};
  me.identity_id = aid;
  credcycle_cert_status_info *st = NULL;
  CHECK_OK(credcycle_enrollment_request_key_roll(en, auth_id, &st));
  CHECK(credcycle_cert_status_info_request_key_roll(st));
  credcycle_cert_status_info_free(st);
  clock_.now += 3600;
  k = new_key("alice-laptop");
  csr = str_dup(credcycle_client_key_info_csr_pem(k));
  credcycle_client_key_info_free(k);
  CHECK_OK(credcycle_enrollment_extend(en, &me, auth_id, ec_cert, csr, &ec));
  free(csr);
  CHECK_OK(credcycle_enrollment_cert_status(en, &me, auth_id, &st));
  CHECK(credcycle_cert_status_info_pending_fingerprint(st, &s) &&
        str_eq(s, str_dup_tmp(credcycle_enrolled_cert_info_fingerprint(ec))));
  credcycle_cert_status_info_free(st);
  char *new_cert = str_dup(credcycle_enrolled_cert_info_certificate_pem(ec));
  credcycle_enrolled_cert_info_free(ec);
  CHECK_RC(credcycle_enrollment_extend_verify(en, &me, auth_id, ec_cert, &st), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  CHECK_OK(credcycle_enrollment_extend_verify(en, &me, auth_id, new_cert, &st));
  bool changed = false;
  CHECK(credcycle_cert_status_info_last_extend_key_changed(st, &changed) && changed);
  CHECK(!credcycle_cert_status_info_request_key_roll(st));
  credcycle_cert_status_info_free(st);
  CHECK_RC(credcycle_enrollment_authorize_chain(en, ec_chain, &who), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  CHECK_OK(credcycle_enrollment_cert_owner(en, new_cert, &who));
  credcycle_cert_principal_info_free(who);
  free(new_cert);
  free(ec_cert);
  free(ec_chain);
  free(auth_id);
  CHECK_OK(credcycle_enrollment_delete(en, aid, "ott"));
  credcycle_enrollment_info *ei = NULL;
  CHECK_RC(credcycle_enrollment_get(en, aid, "ott", &ei), CREDCYCLE_RESULT_NOT_FOUND);

  /* reissue, updb, router (+ extension), administrator requests. */
  credcycle_identity_info *bob = NULL, *router = NULL;
  CHECK_OK(credcycle_identities_create(ids, "bob", NULL, &bob));
  char *bid = str_dup(credcycle_identity_info_id(bob));
  credcycle_identity_info_free(bob);
  credcycle_enrollment_spec updb = {0};
  updb.method = "updb";
  CHECK_RC(credcycle_enrollment_create(en, bid, &updb, &ne), CREDCYCLE_RESULT_INVALID_INPUT);
  updb.username = "bobby";
  CHECK_OK(credcycle_enrollment_create(en, bid, &updb, &ne));
  char old_jwt[4096];
  CHECK_OK(credcycle_new_enrollment_info_jwt(ne, old_jwt, sizeof old_jwt, &n));
  credcycle_new_enrollment_info_free(ne);
  CHECK_OK(credcycle_enrollment_reissue(en, bid, "updb", &ne));
  CHECK_OK(credcycle_new_enrollment_info_jwt(ne, jwt, sizeof jwt, &n));
  CHECK(strcmp(jwt, old_jwt) != 0);
  credcycle_new_enrollment_info_free(ne);
  credcycle_authenticator_info *pw = NULL;
  CHECK_RC(credcycle_enrollment_enroll_updb(en, old_jwt, "bobby", "correct horse battery", &pw),
           CREDCYCLE_RESULT_VERIFICATION_FAILED);
  CHECK_OK(credcycle_enrollment_enroll_updb(en, jwt, "bobby", "correct horse battery", &pw));
  CHECK(str_eq(credcycle_authenticator_info_method(pw), "updb"));
  credcycle_authenticator_info_free(pw);
  CHECK_RC(credcycle_enrollment_enroll_updb(en, jwt, "bobby", "correct horse battery", &pw),
           CREDCYCLE_RESULT_ENROLLMENT_TOKEN_USED);

  CHECK_OK(credcycle_identities_create(ids, "router-1", NULL, &router));
  char *rid = str_dup(credcycle_identity_info_id(router));
  credcycle_identity_info_free(router);
  credcycle_enrollment_spec rspec = {0};
  rspec.method = "router";
  rspec.dns_names = dns;
  rspec.dns_names_count = 1;
  rspec.ip_addresses = ips;
  rspec.ip_addresses_count = 1;
  CHECK_OK(credcycle_enrollment_create(en, rid, &rspec, &ne));
  CHECK(str_eq(credcycle_enrollment_info_method(credcycle_new_enrollment_info_enrollment(ne)), "erott"));
  CHECK_OK(credcycle_new_enrollment_info_jwt(ne, jwt, sizeof jwt, &n));
  credcycle_new_enrollment_info_free(ne);
  credcycle_client_key_info *ck = new_key("router-1"), *sk = new_key("router-1");
  char *ccsr = str_dup(credcycle_client_key_info_csr_pem(ck)), *scsr = str_dup(credcycle_client_key_info_csr_pem(sk));
  credcycle_client_key_info_free(ck);
  credcycle_client_key_info_free(sk);
  credcycle_router_certs_info *rc = NULL, *rc2 = NULL;
  CHECK_OK(credcycle_enrollment_enroll_router(en, jwt, ccsr, scsr, &rc));
  const credcycle_enrolled_cert_info *rcl = credcycle_router_certs_info_client(rc);
  CHECK(str_has(credcycle_router_certs_info_server_chain_pem(rc), "BEGIN CERTIFICATE"));
  char *raid = str_dup(credcycle_enrolled_cert_info_authenticator_id(rcl));
  CHECK_OK(credcycle_enrollment_request_extend(en, raid, &st));
  CHECK(credcycle_cert_status_info_request_extend(st));
  credcycle_cert_status_info_free(st);
  credcycle_subject rme = {0};
  rme.identity_id = rid;
  CHECK_OK(credcycle_enrollment_extend_router(en, &rme, raid, str_dup_tmp(credcycle_enrolled_cert_info_certificate_pem(rcl)),
                                              ccsr, scsr, &rc2));
  CHECK(!str_eq(credcycle_enrolled_cert_info_fingerprint(credcycle_router_certs_info_client(rc2)),
                str_dup_tmp(credcycle_enrolled_cert_info_fingerprint(rcl))));
  CHECK_RC(credcycle_enrollment_authorize_chain(en, str_dup_tmp(credcycle_enrolled_cert_info_chain_pem(rcl)), &who),
           CREDCYCLE_RESULT_VERIFICATION_FAILED);
  credcycle_router_certs_info_free(rc2);
  credcycle_router_certs_info_free(rc);
  free(raid);
  free(ccsr);
  free(scsr);
  free(rid);

  /* Session certificates follow their API session. */
  credcycle_auth_input login = {0};
  login.username = "bobby";
  login.password = "correct horse battery";
  credcycle_new_session *sess = NULL;
  CHECK_OK(credcycle_identities_authenticate(ids, &login, NULL, NULL, NULL, 0, &sess));
  char token_buf[512];
  CHECK_OK(credcycle_new_session_token(sess, token_buf, sizeof token_buf, &n));
  credcycle_new_session_free(sess);
  k = new_key("bob-session");
  credcycle_session_cert_info *sc = NULL;
  CHECK_OK(credcycle_enrollment_create_session_cert(en, token_buf, str_dup_tmp(credcycle_client_key_info_csr_pem(k)), &sc));
  credcycle_client_key_info_free(k);
  CHECK(str_eq(credcycle_session_cert_info_identity_id(sc), bid));
  char *scid = str_dup(credcycle_session_cert_info_id(sc));
  CHECK_OK(credcycle_enrollment_authorize_chain(en, str_dup_tmp(credcycle_session_cert_info_chain_pem(sc)), &who));
  CHECK(credcycle_cert_principal_info_session_id(who, NULL));
  credcycle_cert_principal_info_free(who);
  credcycle_session_cert_info_list *scs = NULL;
  CHECK_OK(credcycle_enrollment_list_session_certs(en, token_buf, &scs));
  CHECK(credcycle_session_cert_info_list_len(scs) == 1);
  credcycle_session_cert_info_list_free(scs);
  credcycle_session_cert_info *sc2 = NULL;
  CHECK_OK(credcycle_enrollment_get_session_cert(en, token_buf, scid, &sc2));
  credcycle_session_cert_info_free(sc2);
  CHECK_OK(credcycle_enrollment_delete_session_cert(en, token_buf, scid));
  CHECK_RC(credcycle_enrollment_get_session_cert(en, token_buf, scid, &sc2), CREDCYCLE_RESULT_NOT_FOUND);
  CHECK_RC(credcycle_enrollment_authorize_chain(en, str_dup_tmp(credcycle_session_cert_info_chain_pem(sc)), &who),
           CREDCYCLE_RESULT_VERIFICATION_FAILED);
  credcycle_session_cert_info_free(sc);
  memset(token_buf, 0, sizeof token_buf);
  free(scid);
  str_dup_tmp_free();

  /* The challenge, checked as a client would. */
  char kid[256], jwks[8192];
  CHECK_OK(credcycle_enrollment_current_kid(en, kid, sizeof kid, &n));
  CHECK_OK(credcycle_enrollment_jwks(en, jwks, sizeof jwks, &n));
  const char *nonce = "7d4e2f10-3b6a-4c8d-9e1f-2a3b4c5d6e7f";
  credcycle_challenge_info *ch = NULL;
  CHECK_OK(credcycle_enrollment_challenge(en, kid, nonce, &ch));
  char *alg = str_dup(credcycle_challenge_info_algorithm(ch));
  char *sig = str_dup(credcycle_challenge_info_signature(ch));
  char *pool = str_dup(credcycle_challenge_info_ca_pool(ch));
  credcycle_challenge_info_free(ch);
  CHECK_OK(credcycle_verify_challenge(jwks, nonce, alg, kid, sig, pool));
  CHECK_RC(credcycle_verify_challenge(jwks, nonce, alg, kid, sig, ""), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  CHECK_RC(credcycle_enrollment_challenge(en, kid, "not-a-uuid", &ch), CREDCYCLE_RESULT_INVALID_INPUT);
  free(alg);
  free(sig);
  free(pool);
  char kid2[256];
  CHECK_OK(credcycle_enrollment_rotate_signing_key(en, kid2, sizeof kid2, &n));
  CHECK(strcmp(kid, kid2) != 0);
  CHECK_RC(credcycle_enrollment_challenge(en, kid, nonce, &ch), CREDCYCLE_RESULT_INVALID_STATE);

  /* An external CA: the other tenant's CA, verified by a certificate it
   * issues for the verification token. */
  CHECK_OK(credcycle_pki_ca(other, &ca));
  credcycle_external_ca_options opts = {0};
  opts.name = "partner";
  opts.auth_enabled = true;
  opts.ott_ca_enrollment = true;
  credcycle_external_ca_info *xca = NULL;
  CHECK_OK(credcycle_enrollment_register_ca(en, str_dup_tmp(credcycle_certificate_info_pem(credcycle_ca_info_certificate(ca))), &opts, &xca));
  credcycle_ca_info_free(ca);
  CHECK(!credcycle_external_ca_info_verified(xca));
  CHECK(!credcycle_external_ca_info_auto_enrollment(xca) && credcycle_external_ca_info_ott_ca_enrollment(xca));
  char *xid = str_dup(credcycle_external_ca_info_id(xca));
  CHECK(credcycle_external_ca_info_verification_token(xca, &s));
  char *token = str_dup(s);
  credcycle_external_ca_info_free(xca);
  k = new_key("proof");
  csr = str_dup(credcycle_client_key_info_csr_pem(k));
  credcycle_client_key_info_free(k);
  prof.identity_id = token;
  CHECK_OK(credcycle_pki_issue(other, csr, &prof, &cert));
  free(csr);
  CHECK_OK(credcycle_enrollment_verify_ca(en, xid, str_dup_tmp(credcycle_issued_cert_info_pem(cert)), &xca));
  CHECK(credcycle_external_ca_info_verified(xca));
  credcycle_external_ca_info_free(xca);
  credcycle_issued_cert_info_free(cert);

  /* ottca for bob with a certificate of the partner CA. Auto-enrollment is
   * off for this CA, so it is no anchor for enroll_ca_auto. */
  credcycle_enrollment_spec ottca = {0};
  ottca.method = "ottca";
  ottca.ca_id = xid;
  CHECK_OK(credcycle_enrollment_create(en, bid, &ottca, &ne));
  CHECK_OK(credcycle_new_enrollment_info_jwt(ne, jwt, sizeof jwt, &n));
  credcycle_new_enrollment_info_free(ne);
  k = new_key("bob-partner");
  prof.identity_id = "bob-partner";
  CHECK_OK(credcycle_pki_issue(other, str_dup_tmp(credcycle_client_key_info_csr_pem(k)), &prof, &cert));
  credcycle_client_key_info_free(k);
  CHECK_RC(credcycle_enrollment_enroll_ca_auto(en, str_dup_tmp(credcycle_issued_cert_info_chain_pem(cert)), &ec),
           CREDCYCLE_RESULT_CERTIFICATE_REJECTED);
  CHECK_OK(credcycle_enrollment_enroll_ottca(en, jwt, str_dup_tmp(credcycle_issued_cert_info_chain_pem(cert)), &ec));
  CHECK(str_eq(credcycle_enrolled_cert_info_identity_id(ec), bid));
  credcycle_enrolled_cert_info_free(ec);
  CHECK_OK(credcycle_enrollment_authorize_chain(en, str_dup_tmp(credcycle_issued_cert_info_chain_pem(cert)), &who));
  credcycle_cert_principal_info_free(who);
  credcycle_issued_cert_info_free(cert);

  /* Import the partner CA (and its key) as a third tenant's CA. */
  const credcycle_pki *third = NULL;
  CHECK_OK(credcycle_engine_pki(e, "third", &third));
  CHECK_OK(credcycle_pki_ca(other, &ca));
  credcycle_ca_info *imported = NULL;
  CHECK_RC(credcycle_pki_import_ca(third, "junk", str_dup_tmp(credcycle_ca_info_key_id(ca)), "third.example", &imported),
           CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_OK(credcycle_pki_import_ca(third, str_dup_tmp(credcycle_ca_info_chain_pem(ca)),
                                   str_dup_tmp(credcycle_ca_info_key_id(ca)), "third.example", &imported));
  CHECK(credcycle_ca_info_imported(imported));
  CHECK(str_eq(credcycle_ca_info_trust_domain(imported), "third.example"));
  credcycle_ca_info_free(imported);
  credcycle_ca_info_free(ca);
  credcycle_pki_free(third);
  str_dup_tmp_free();

  credcycle_external_ca_info_list *cas = NULL;
  CHECK_OK(credcycle_enrollment_list_cas(en, &cas));
  CHECK(credcycle_external_ca_info_list_len(cas) == 1);
  credcycle_external_ca_info_list_free(cas);
  CHECK_OK(credcycle_enrollment_delete_ca(en, xid));
  CHECK_RC(credcycle_enrollment_get_ca(en, xid, &xca), CREDCYCLE_RESULT_NOT_FOUND);
  free(token);
  free(xid);
  free(aid);
  free(bid);
  str_dup_tmp_free();

  credcycle_enrollment_free(en);
  credcycle_identities_free(ids);
  credcycle_pki_free(other);
  credcycle_pki_free(pki);
  credcycle_engine_free(e);
  return finish("test_enrollment");
}
