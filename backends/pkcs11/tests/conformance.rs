//! The `KeyManager` conformance suite on a PKCS#11 token (SoftHSM2 under
//! `./scripts/services.sh`): every test gets a manager in a namespace of
//! its own on the token of `CREDCYCLE_TEST_PKCS11`.
//!
//! Without that variable (and without `CREDCYCLE_REQUIRE_SERVICES=1`) the
//! test process ends successfully after a notice.

use std::sync::Arc;

use credcycle::KeyManager;
use credcycle_pkcs11::testing::{fresh_manager, test_config_or_exit};

credcycle::kms_conformance!(softhsm, || -> Arc<dyn KeyManager> {
    Arc::new(fresh_manager(&test_config_or_exit(), "conf"))
});
