/* The key-manager domain: create, info, list, rotate, states, public key
 * and signatures, and the errors of each. */
#include "check.h"

int main(void) {
  const credcycle_engine *e = memory_engine();
  const credcycle_kms *k = NULL;
  CHECK_OK(credcycle_engine_kms(e, &k));

  credcycle_key_info *info = NULL;
  CHECK_OK(credcycle_kms_create_key(k, "k2", "aes256gcm", &info));
  CHECK(str_eq(credcycle_key_info_id(info), "k2"));
  CHECK(str_eq(credcycle_key_info_purpose(info), "wrap"));
  CHECK(str_eq(credcycle_key_info_algorithm(info), "aes256gcm"));
  CHECK(str_eq(credcycle_key_info_state(info), "ENABLED"));
  CHECK(credcycle_key_info_primary_version(info) == 1);
  CHECK(credcycle_key_info_versions(info) == 1);
  credcycle_key_info_free(info);

  CHECK_RC(credcycle_kms_create_key(k, "k2", "aes256gcm", NULL), CREDCYCLE_RESULT_KEY_EXISTS);
  CHECK_RC(credcycle_kms_create_key(k, "k3", "rsa", NULL), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_kms_create_key(k, "bad id!", "aes256gcm", NULL), CREDCYCLE_RESULT_INVALID_INPUT);
  CHECK_RC(credcycle_kms_create_key(k, NULL, "aes256gcm", NULL), CREDCYCLE_RESULT_NULL_PARAMETER);

  CHECK_OK(credcycle_kms_rotate_key(k, "k2", &info));
  CHECK(credcycle_key_info_primary_version(info) == 2 && credcycle_key_info_versions(info) == 2);
  credcycle_key_info_free(info);
  CHECK_RC(credcycle_kms_rotate_key(k, "nope", NULL), CREDCYCLE_RESULT_KEY_NOT_FOUND);

  CHECK_OK(credcycle_kms_disable_key(k, "k2", &info));
  CHECK(str_eq(credcycle_key_info_state(info), "DISABLED"));
  credcycle_key_info_free(info);
  CHECK_RC(credcycle_kms_rotate_key(k, "k2", NULL), CREDCYCLE_RESULT_KEY_STATE);
  CHECK_OK(credcycle_kms_schedule_key_deletion(k, "k2", &info));
  CHECK(str_eq(credcycle_key_info_state(info), "PENDING_DELETION"));
  credcycle_key_info_free(info);
  CHECK_OK(credcycle_kms_enable_key(k, "k2", NULL));

  /* key_info: NULL result for an unknown key. */
  info = (credcycle_key_info *)1;
  CHECK_OK(credcycle_kms_key_info(k, "missing", &info));
  CHECK(info == NULL);
  CHECK_OK(credcycle_kms_key_info(k, "k2", &info));
  CHECK(str_eq(credcycle_key_info_state(info), "ENABLED"));
  credcycle_key_info_free(info);

  /* Signing keys. */
  CHECK_OK(credcycle_kms_create_key(k, "p", "p256", NULL));
  CHECK_OK(credcycle_kms_create_key(k, "ed", "ed25519", NULL));
  uint8_t spki[128];
  size_t n = 0;
  CHECK_RC(credcycle_kms_public_key(k, "p", spki, 10, &n), CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
  CHECK(n == 91); /* P-256 SubjectPublicKeyInfo */
  CHECK_OK(credcycle_kms_public_key(k, "p", spki, sizeof spki, &n));
  CHECK(n == 91 && spki[0] == 0x30);
  CHECK_OK(credcycle_kms_public_key(k, "ed", spki, sizeof spki, &n));
  CHECK(n == 44);
  uint8_t sig[64];
  CHECK_OK(credcycle_kms_sign(k, "p", (const uint8_t *)"msg", 3, sig, sizeof sig, &n));
  CHECK(n == 64);
  CHECK_OK(credcycle_kms_sign(k, "ed", (const uint8_t *)"msg", 3, sig, sizeof sig, &n));
  CHECK(n == 64);
  CHECK_RC(credcycle_kms_sign(k, "k2", (const uint8_t *)"m", 1, sig, sizeof sig, &n),
           CREDCYCLE_RESULT_KEY_PURPOSE);
  CHECK_RC(credcycle_kms_public_key(k, "k2", spki, sizeof spki, &n), CREDCYCLE_RESULT_KEY_PURPOSE);
  CHECK_RC(credcycle_kms_sign(k, "p", NULL, 3, sig, sizeof sig, &n), CREDCYCLE_RESULT_NULL_PARAMETER);

  /* Listing: ordered by id, including the engine's default key once used. */
  char id[16];
  CHECK_OK(credcycle_engine_ensure_default_key(e, id, sizeof id, &n));
  credcycle_key_info_list *list = NULL;
  CHECK_OK(credcycle_kms_list_keys(k, &list));
  CHECK(credcycle_key_info_list_len(list) == 4);
  const char *want[] = {"default", "ed", "k2", "p"};
  for (size_t i = 0; i < 4; i++)
    CHECK(str_eq(credcycle_key_info_id(credcycle_key_info_list_get(list, i)), want[i]));
  CHECK(credcycle_key_info_list_get(list, 4) == NULL);
  credcycle_key_info_list_free(list);

  credcycle_kms_free(k);
  credcycle_engine_free(e);
  return finish("test_kms");
}
