//! [`LocalKeyManager`]: software keys (ring), persisted in the Store sealed
//! under a caller-supplied root key.

/// Placeholder, replaced by the real implementation.
#[derive(Debug)]
pub struct LocalKeyManager;
