//! The audit trail: every mutation appends an event in the same
//! [`Store::commit`](crate::Store::commit) as the change, under the subject's
//! own key prefix, chained per subject by HMAC-SHA256 under a per-tenant key.
//!
//! Layout in [`Table::Audit`]: `<tenant>/<subject>/head` holds the sequence
//! number and MAC of the newest event; `<tenant>/<subject>/e/<seq>` holds each
//! event. Event `n`'s MAC covers event `n-1`'s MAC and event `n`'s fields, so
//! editing, removing or reordering any event — including the newest, which
//! the head pins — makes [`AuditTrail::chain_valid`] false.

use serde::{Deserialize, Serialize};

use crate::codec::{self, bytes::ByteBuf};
use crate::crypto::{SecretBytes, ct_eq, hazmat};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::namespace::TenantId;
use crate::services::UnixTime;
use crate::store::{Op, Table, Version};

/// Largest number of events [`Audit::events`] returns in one call.
pub const MAX_EVENTS_PER_READ: u32 = 10_000;

/// One audit event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// Position in the subject's chain, from 1.
    pub seq: u64,
    /// When it happened.
    pub time: UnixTime,
    /// Who did it (the handle's actor).
    pub actor: String,
    /// What was done (`secret.create`, `secret.put_value`, …).
    pub action: String,
    /// The record it concerns (`secret:<name>`).
    pub subject: String,
    /// `ok`, or what was refused.
    pub outcome: String,
}

/// The events of one subject and whether their chain verifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditTrail {
    /// Events in order.
    pub events: Vec<AuditEvent>,
    /// True when every MAC verifies, the sequence has no gaps, and the last
    /// event is the one the chain head names.
    pub chain_valid: bool,
}

#[derive(Serialize, Deserialize)]
struct EventRecord {
    seq: u64,
    time: i64,
    actor: String,
    action: String,
    subject: String,
    outcome: String,
    mac: ByteBuf,
}

#[derive(Serialize, Deserialize)]
struct HeadRecord {
    seq: u64,
    mac: ByteBuf,
}

/// The data an event's MAC covers.
fn mac_input(prev_mac: &[u8], e: &EventRecord) -> Vec<u8> {
    let mut m = Vec::with_capacity(128);
    m.extend_from_slice(b"credcycle/audit/v1");
    for part in [
        prev_mac,
        &e.seq.to_be_bytes(),
        &e.time.to_be_bytes(),
        e.actor.as_bytes(),
        e.action.as_bytes(),
        e.subject.as_bytes(),
        e.outcome.as_bytes(),
    ] {
        m.extend_from_slice(&(part.len() as u64).to_be_bytes());
        m.extend_from_slice(part);
    }
    m
}

fn head_key(tenant: &TenantId, subject: &str) -> Vec<u8> {
    tenant.key(&[subject, "head"])
}

fn event_key(tenant: &TenantId, subject: &str, seq: u64) -> Vec<u8> {
    tenant.key(&[subject, "e", &format!("{seq:020}")])
}

/// Builds the two operations that append one event to `subject`'s chain —
/// a CAS on the chain head and the new event — for the caller to add to the
/// commit of the change the event records.
pub(crate) fn append(
    engine: &Engine,
    tenant: &TenantId,
    actor: &str,
    subject: &str,
    action: &str,
    outcome: &str,
    time: UnixTime,
) -> Result<Vec<Op>> {
    let key = engine.tenant_mac_key(tenant, b"audit")?;
    let store = &engine.services().store;
    let hk = head_key(tenant, subject);
    let (prev_seq, prev_mac, head_version) = match store.get(Table::Audit, &hk)? {
        Some(r) => {
            let h: HeadRecord = codec::decode(&r.value, "audit head")?;
            (h.seq, h.mac.0, r.version)
        }
        None => (0, Vec::new(), Version::ABSENT),
    };
    let mut ev = EventRecord {
        seq: prev_seq + 1,
        time: time.0,
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        outcome: outcome.to_owned(),
        mac: ByteBuf::default(),
    };
    let mac = hazmat::hmac_sha256(key.expose(), &mac_input(&prev_mac, &ev)).to_vec();
    ev.mac = ByteBuf(mac.clone());
    let head = HeadRecord {
        seq: ev.seq,
        mac: ByteBuf(mac),
    };
    Ok(vec![
        Op::Put {
            table: Table::Audit,
            key: hk,
            value: codec::encode(&head)?,
            expect: head_version,
        },
        Op::Put {
            table: Table::Audit,
            key: event_key(tenant, subject, ev.seq),
            value: codec::encode(&ev)?,
            expect: Version::ABSENT,
        },
    ])
}

/// Reads and verifies audit trails of one tenant. Get one from
/// [`Engine::audit`].
#[derive(Clone, Debug)]
pub struct Audit {
    pub(crate) engine: Engine,
    pub(crate) tenant: TenantId,
}

impl Audit {
    /// The events of `subject` (e.g. `secret:db-password`), oldest first, and
    /// whether the chain verifies.
    ///
    /// # Errors
    /// Store and key manager failures. A damaged event is reported through
    /// `chain_valid = false`, not as an error.
    pub fn events(&self, subject: &str) -> Result<AuditTrail> {
        check_subject(subject)?;
        let store = &self.engine.services().store;
        let head = match store.get(Table::Audit, &head_key(&self.tenant, subject))? {
            Some(r) => Some(codec::decode::<HeadRecord>(&r.value, "audit head")),
            None => None,
        };
        let prefix = self.tenant.prefix(&[subject, "e"]);
        let mut raw = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = store.scan(Table::Audit, &prefix, after.as_deref(), 500)?;
            let done = page.len() < 500;
            after = page.last().map(|(k, _)| k.clone());
            raw.extend(page);
            if done || raw.len() >= MAX_EVENTS_PER_READ as usize {
                break;
            }
        }
        if raw.is_empty() && head.is_none() {
            return Ok(AuditTrail {
                events: Vec::new(),
                chain_valid: true,
            });
        }
        let key: SecretBytes = self.engine.tenant_mac_key(&self.tenant, b"audit")?;
        let mut valid = true;
        let mut prev_mac: Vec<u8> = Vec::new();
        let mut events = Vec::with_capacity(raw.len());
        for (i, (k, r)) in raw.iter().enumerate() {
            let Ok(ev) = codec::decode::<EventRecord>(&r.value, "audit event") else {
                valid = false;
                continue;
            };
            let expected = hazmat::hmac_sha256(key.expose(), &mac_input(&prev_mac, &ev));
            if ev.seq != i as u64 + 1
                || ev.subject != subject
                || *k != event_key(&self.tenant, subject, ev.seq)
                || !ct_eq(&expected, &ev.mac.0)
            {
                valid = false;
            }
            prev_mac = ev.mac.0.clone();
            events.push(AuditEvent {
                seq: ev.seq,
                time: UnixTime(ev.time),
                actor: ev.actor,
                action: ev.action,
                subject: ev.subject,
                outcome: ev.outcome,
            });
        }
        match head {
            Some(Ok(h)) => {
                if h.seq != events.len() as u64 || !ct_eq(&h.mac.0, &prev_mac) {
                    valid = false;
                }
            }
            Some(Err(_)) | None => valid = false,
        }
        Ok(AuditTrail {
            events,
            chain_valid: valid,
        })
    }
}

fn check_subject(subject: &str) -> Result<()> {
    let n = subject.len();
    if n == 0 || n > 200 || subject.contains('/') || subject.chars().any(char::is_control) {
        return Err(Error::invalid(
            "subject",
            "must be 1..=200 bytes without '/' or control characters",
        ));
    }
    Ok(())
}
