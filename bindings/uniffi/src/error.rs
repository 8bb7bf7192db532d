//! The one error type of the Kotlin/Swift bindings and the one conversion
//! from the facade's `{code, kind, message}` error.
//!
//! The text field is called `reason`, not `message`: a field named
//! `message` does not compile in uniffi's Kotlin output (it clashes with
//! `Throwable.message`, uniffi-rs issue 1434). In Kotlin, `e.message` reads
//! `code=…, reason=…`.

use credcycle_facade::error::binding_codes;

/// An engine or binding failure: one variant per error family, each with
/// the stable numeric `code` (the engine's `ErrorCode` table, or 9001..9099
/// for binding-only failures) and a `reason` that never contains secrets.
/// Kotlin sees a sealed `CredcycleException` hierarchy, Swift an `Error` enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CredcycleError {
    /// Something named does not exist (`NOT_FOUND`, `KEY_NOT_FOUND`).
    #[error("{reason} (code {code})")]
    NotFound {
        /// The code.
        code: u32,
        /// What failed.
        reason: String,
    },
    /// A race was lost or a uniqueness rule was hit (`CONFLICT`,
    /// `ALREADY_EXISTS`, `IDEMPOTENCY_MISMATCH`, …).
    #[error("{reason} (code {code})")]
    Conflict {
        /// The code.
        code: u32,
        /// What failed.
        reason: String,
    },
    /// Bad input; the reason names the field and the limit.
    #[error("{reason} (code {code})")]
    InvalidInput {
        /// The code.
        code: u32,
        /// What failed.
        reason: String,
    },
    /// Refused by policy.
    #[error("{reason} (code {code})")]
    Policy {
        /// The code.
        code: u32,
        /// What failed.
        reason: String,
    },
    /// A verification failed (no detail on purpose).
    #[error("{reason} (code {code})")]
    VerificationFailed {
        /// The code.
        code: u32,
        /// What failed.
        reason: String,
    },
    /// The record's state forbids the operation.
    #[error("{reason} (code {code})")]
    State {
        /// The code.
        code: u32,
        /// What failed.
        reason: String,
    },
    /// The store failed (also: a host `Store` threw).
    #[error("{reason} (code {code})")]
    Store {
        /// The code.
        code: u32,
        /// What failed.
        reason: String,
    },
    /// The key manager failed (also: a host `KeyManager` threw).
    #[error("{reason} (code {code})")]
    KeyManager {
        /// The code.
        code: u32,
        /// What failed.
        reason: String,
    },
    /// An internal error (a bug; please report).
    #[error("{reason} (code {code})")]
    Internal {
        /// The code.
        code: u32,
        /// What failed.
        reason: String,
    },
    /// A failure at the binding boundary (a host callback that broke its
    /// contract, …).
    #[error("{reason} (code {code})")]
    Binding {
        /// The code.
        code: u32,
        /// What failed.
        reason: String,
    },
}

impl CredcycleError {
    /// The stable numeric code.
    pub fn code(&self) -> u32 {
        self.parts().0
    }

    /// The secret-free reason.
    pub fn reason(&self) -> &str {
        self.parts().1
    }

    fn parts(&self) -> (u32, &str) {
        match self {
            CredcycleError::NotFound { code, reason }
            | CredcycleError::Conflict { code, reason }
            | CredcycleError::InvalidInput { code, reason }
            | CredcycleError::Policy { code, reason }
            | CredcycleError::VerificationFailed { code, reason }
            | CredcycleError::State { code, reason }
            | CredcycleError::Store { code, reason }
            | CredcycleError::KeyManager { code, reason }
            | CredcycleError::Internal { code, reason }
            | CredcycleError::Binding { code, reason } => (*code, reason),
        }
    }

    /// The facade's error form (used when a host callback's error goes back
    /// into the engine).
    pub(crate) fn into_foreign(self) -> credcycle_facade::ForeignError {
        let (code, reason) = self.parts();
        credcycle_facade::ForeignError::new(code, reason)
    }
}

/// The one mapping: the facade's kind picks the variant; the code and the
/// message are kept as they are.
impl From<credcycle_facade::Error> for CredcycleError {
    fn from(e: credcycle_facade::Error) -> Self {
        let credcycle_facade::Error {
            code,
            kind,
            message: reason,
        } = e;
        match kind.as_str() {
            "not_found" => CredcycleError::NotFound { code, reason },
            "conflict" => CredcycleError::Conflict { code, reason },
            "invalid_input" => CredcycleError::InvalidInput { code, reason },
            "policy" => CredcycleError::Policy { code, reason },
            "verification_failed" => CredcycleError::VerificationFailed { code, reason },
            "state" => CredcycleError::State { code, reason },
            "store" => CredcycleError::Store { code, reason },
            "key_manager" => CredcycleError::KeyManager { code, reason },
            "binding" => CredcycleError::Binding { code, reason },
            // "internal", and any family a later engine adds before this
            // enum learns it: the code still tells callers what happened.
            _ => CredcycleError::Internal { code, reason },
        }
    }
}

/// A host callback that threw something other than a `CredcycleError`
/// (a Kotlin `RuntimeException`, a Swift error of another type). The code
/// is not one of the engine's, so the facade's adapters turn it into a
/// store or key manager backend failure that keeps the text.
impl From<uniffi::UnexpectedUniFFICallbackError> for CredcycleError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        CredcycleError::Binding {
            code: binding_codes::CALLBACK_CONTRACT,
            reason: format!("host callback failed: {}", e.reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_maps_to_its_variant_keeping_code_and_message() {
        type Is = fn(&CredcycleError) -> bool;
        let cases: [(&str, Is); 10] = [
            ("not_found", |e| {
                matches!(e, CredcycleError::NotFound { .. })
            }),
            ("conflict", |e| matches!(e, CredcycleError::Conflict { .. })),
            ("invalid_input", |e| {
                matches!(e, CredcycleError::InvalidInput { .. })
            }),
            ("policy", |e| matches!(e, CredcycleError::Policy { .. })),
            ("verification_failed", |e| {
                matches!(e, CredcycleError::VerificationFailed { .. })
            }),
            ("state", |e| matches!(e, CredcycleError::State { .. })),
            ("store", |e| matches!(e, CredcycleError::Store { .. })),
            ("key_manager", |e| {
                matches!(e, CredcycleError::KeyManager { .. })
            }),
            ("internal", |e| matches!(e, CredcycleError::Internal { .. })),
            ("binding", |e| matches!(e, CredcycleError::Binding { .. })),
        ];
        for (i, (kind, is)) in cases.iter().enumerate() {
            let code = 1000 + i as u32;
            let e = CredcycleError::from(credcycle_facade::Error {
                code,
                kind: (*kind).to_owned(),
                message: format!("m{i}"),
            });
            assert!(is(&e), "{kind} -> {e:?}");
            assert_eq!((e.code(), e.reason()), (code, format!("m{i}").as_str()));
        }
        let unknown = CredcycleError::from(credcycle_facade::Error {
            code: 4242,
            kind: "brand_new".to_owned(),
            message: "x".to_owned(),
        });
        assert_eq!(
            unknown,
            CredcycleError::Internal {
                code: 4242,
                reason: "x".to_owned()
            }
        );
    }

    #[test]
    fn an_unexpected_host_exception_becomes_a_backend_failure_with_its_text() {
        let e = CredcycleError::from(uniffi::UnexpectedUniFFICallbackError {
            reason: "disk full".to_owned(),
        });
        let f = e.into_foreign();
        let store = credcycle_facade::Error::from(credcycle::Error::from(
            credcycle::StoreError::from(f.clone()),
        ));
        assert_eq!((store.code, store.kind.as_str()), (1101, "store"));
        assert!(store.message.contains("disk full"), "{store:?}");
        let kms =
            credcycle_facade::Error::from(credcycle::Error::from(credcycle::KmsError::from(f)));
        assert_eq!(kms.kind, "key_manager");
        assert!(kms.message.contains("disk full"), "{kms:?}");
    }
}
