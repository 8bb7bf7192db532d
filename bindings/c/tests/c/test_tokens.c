/* API tokens from C: create (owner, rotation), authenticate, update, the
 * refresh-token family with reuse detection, revoke; secrets copied out
 * through caller buffers. */
#include "check.h"

#define T0 1700000000
static test_clock clock_ = {T0};

/* Copies a secret accessor's value into a fresh heap string. */
#define COPY_SECRET(fn, obj, out)                                           \
  do {                                                                      \
    size_t n_ = 0;                                                          \
    CHECK_RC(fn(obj, NULL, 0, &n_), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);    \
    out = malloc(n_);                                                       \
    CHECK_OK(fn(obj, out, n_, &n_));                                        \
  } while (0)

int main(void) {
  const credcycle_engine *e = clocked_engine(&clock_);
  const credcycle_tokens *tok = NULL;
  CHECK_OK(credcycle_engine_tokens(e, "shop", &tok));

  credcycle_create_token_options o = {0};
  o.owner_name = "alice";
  o.owner_id = "u1";
  credcycle_created_token *c = NULL;
  CHECK_OK(credcycle_tokens_create(tok, "ci", "PROXY", &o, &c));
  const credcycle_api_token_info *info = credcycle_created_token_token(c);
  CHECK(str_eq(credcycle_api_token_info_state(info), "ACTIVE"));
  CHECK(str_eq(credcycle_api_token_info_token_rotation(info), "ALWAYS"));
  CHECK(str_eq(credcycle_api_token_info_token_type(info), "PROXY"));
  CHECK(credcycle_api_token_info_has_refresh_token(info));
  const credcycle_entity_ref *owner = credcycle_api_token_info_owner(info);
  CHECK(owner != NULL && str_eq(credcycle_entity_ref_name(owner), "alice") &&
        str_eq(credcycle_entity_ref_id(owner), "u1"));
  CHECK(credcycle_api_token_info_org(info) == NULL);
  CHECK(credcycle_api_token_info_expiration_time(info) > T0);
  CHECK(!credcycle_api_token_info_revoke_reason(info, NULL));
  char *id = str_dup(credcycle_api_token_info_id(info));
  char *value, *refresh;
  COPY_SECRET(credcycle_created_token_value, c, value);
  COPY_SECRET(credcycle_created_token_refresh_token, c, refresh);
  credcycle_created_token_free(c);

  credcycle_token_use *use = NULL;
  CHECK_OK(credcycle_tokens_authenticate(tok, value, &use));
  CHECK(str_eq(credcycle_api_token_info_id(credcycle_token_use_token(use)), id));
  credcycle_token_use_free(use);
  use = NULL;
  CHECK_RC(credcycle_tokens_authenticate(tok, "ccat_nope", &use), CREDCYCLE_RESULT_VERIFICATION_FAILED);
  CHECK(use == NULL);

  credcycle_api_token_info *u = NULL;
  CHECK_OK(credcycle_tokens_update(tok, id, "ci-renamed", NULL, &u));
  CHECK(str_eq(credcycle_api_token_info_name(u), "ci-renamed"));
  credcycle_api_token_info_free(u);
  credcycle_update_token_options up = {0};
  up.token_type = "EXTENSION";
  CHECK_RC(credcycle_tokens_update(tok, id, "x", &up, &u), CREDCYCLE_RESULT_INVALID_INPUT);
  up.token_type = NULL;
  up.has_expiration_time = true;
  up.expiration_time = T0 + 3600;
  up.require_rotation = CREDCYCLE_TRISTATE_TRUE;
  CHECK_OK(credcycle_tokens_update(tok, id, "ci-renamed", &up, &u));
  CHECK(credcycle_api_token_info_expiration_time(u) == T0 + 3600);
  bool rr = false;
  CHECK(credcycle_api_token_info_require_rotation(u, &rr) && rr);
  credcycle_api_token_info_free(u);
  CHECK_OK(credcycle_tokens_get(tok, id, &u));
  CHECK(str_eq(credcycle_api_token_info_name(u), "ci-renamed"));
  credcycle_api_token_info_free(u);
  credcycle_api_token_info_list *list = NULL;
  CHECK_OK(credcycle_tokens_list(tok, &list));
  CHECK(credcycle_api_token_info_list_len(list) == 1);
  credcycle_api_token_info_list_free(list);

  /* Owner needs both parts; unknown type refused. */
  credcycle_create_token_options half = {0};
  half.owner_name = "alice";
  CHECK_RC(credcycle_tokens_create(tok, "x", "PROXY", &half, &c), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_tokens_create(tok, "x", "BOGUS", NULL, &c), CREDCYCLE_RESULT_INVALID_INPUT);

  /* Refresh: a new value and a new refresh token; the spent one again
   * revokes the whole family. */
  credcycle_refreshed_token *r = NULL;
  CHECK_OK(credcycle_tokens_refresh(tok, refresh, &r));
  char *value2, *refresh2;
  COPY_SECRET(credcycle_refreshed_token_value, r, value2);
  COPY_SECRET(credcycle_refreshed_token_refresh_token, r, refresh2);
  CHECK(strcmp(value, value2) != 0 && strcmp(refresh, refresh2) != 0);
  credcycle_refreshed_token_free(r);
  /* No place for the result: refused before any work. */
  CHECK_RC(credcycle_tokens_authenticate(tok, value2, NULL), CREDCYCLE_RESULT_NULL_PARAMETER);
  CHECK_OK(credcycle_tokens_authenticate(tok, value2, &use));
  credcycle_token_use_free(use);
  CHECK_RC(credcycle_tokens_refresh(tok, refresh, &r), CREDCYCLE_RESULT_REFRESH_TOKEN_REUSED);
  CHECK_RC(credcycle_tokens_authenticate(tok, value2, &use), CREDCYCLE_RESULT_INVALID_STATE);

  /* No rotation: no refresh token; revoke. */
  credcycle_create_token_options plain = {0};
  plain.token_rotation = "NONE";
  CHECK_OK(credcycle_tokens_create(tok, "plain", "EXTENSION", &plain, &c));
  char buf[8];
  size_t n = 0;
  CHECK_RC(credcycle_created_token_refresh_token(c, buf, sizeof buf, &n), CREDCYCLE_RESULT_NOT_FOUND);
  char *pid = str_dup(credcycle_api_token_info_id(credcycle_created_token_token(c)));
  credcycle_created_token_free(c);
  CHECK_OK(credcycle_tokens_revoke(tok, pid, &u));
  CHECK(str_eq(credcycle_api_token_info_state(u), "REVOKED"));
  credcycle_api_token_info_free(u);
  CHECK_RC(credcycle_tokens_revoke(tok, "not an id", NULL), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_tokens_revoke(NULL, pid, NULL), CREDCYCLE_RESULT_NULL_PARAMETER);

  free(pid), free(id), free(value), free(refresh), free(value2), free(refresh2);
  credcycle_tokens_free(tok);
  credcycle_engine_free(e);
  return finish("test_tokens");
}
