//! Record keys. Every key the engine writes starts with the tenant id and a
//! `/`; ids and names that go into keys never contain `/`, so no spelling of
//! an id can reach another tenant's records.

use crate::error::{Error, Result};

/// Maximum length of a tenant id.
pub(crate) const MAX_TENANT_LEN: usize = 64;

/// A validated tenant id (`[A-Za-z0-9_.-]`, 1..=64 characters).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TenantId(String);

impl TenantId {
    /// Validates a tenant id.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `tenant` and the rule.
    pub(crate) fn new(id: &str) -> Result<Self> {
        check_name("tenant", id, MAX_TENANT_LEN)?;
        Ok(TenantId(id.to_owned()))
    }

    /// The id.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// `<tenant>/<part>/<part>…` as bytes.
    pub(crate) fn key(&self, parts: &[&str]) -> Vec<u8> {
        let mut k = self.0.clone().into_bytes();
        for p in parts {
            k.push(b'/');
            k.extend_from_slice(p.as_bytes());
        }
        k
    }

    /// `<tenant>/<part>/…/` — a scan prefix that matches only children.
    pub(crate) fn prefix(&self, parts: &[&str]) -> Vec<u8> {
        let mut k = self.key(parts);
        k.push(b'/');
        k
    }
}

/// Checks `value` is 1..=`max` characters of `[A-Za-z0-9_.-]`.
pub(crate) fn check_name(field: &'static str, value: &str, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n == 0 || n > max {
        return Err(Error::invalid(
            field,
            format!("must be 1..={max} characters, got {n}"),
        ));
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(Error::invalid(
            field,
            "may contain only letters, digits, '_', '.' and '-'",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_validated() {
        assert!(TenantId::new("proj-1.a_b").is_ok());
        for bad in ["", "a/b", "a b", "ü", &"x".repeat(65)] {
            let e = TenantId::new(bad).expect_err(bad);
            assert!(e.to_string().contains("tenant"), "{e}");
        }
        assert!(TenantId::new(&"x".repeat(64)).is_ok());
    }

    #[test]
    fn keys_of_one_tenant_never_prefix_another() {
        let a = TenantId::new("a").expect("valid");
        let ab = TenantId::new("a.b").expect("valid");
        assert!(!ab.key(&["s", "x"]).starts_with(&a.prefix(&["s"])));
        assert!(a.key(&["s", "x"]).starts_with(&a.prefix(&["s"])));
    }
}
