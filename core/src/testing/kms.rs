//! `kms_conformance!`: the KeyManager contract, run against every KeyManager.
