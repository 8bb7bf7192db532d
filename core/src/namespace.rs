//! Record keys: every key the engine writes starts with the tenant id.
