//! `credcycle audit SUBJECT [--verify]`.

use credcycle::ErrorCode;
use credcycle::audit::AuditEvent;
use serde::Serialize;

use super::Ctx;
use crate::args::AuditArgs;
use crate::error::CliError;
use crate::output::{Block, Output, rfc3339};

#[derive(Serialize)]
struct Trail {
    subject: String,
    events: Vec<EventView>,
    chain_valid: bool,
}

#[derive(Serialize)]
struct EventView {
    seq: u64,
    time_unix: i64,
    time: String,
    actor: String,
    action: String,
    subject: String,
    outcome: String,
}

impl From<AuditEvent> for EventView {
    fn from(e: AuditEvent) -> Self {
        EventView {
            seq: e.seq,
            time_unix: e.time.0,
            time: rfc3339(e.time.0),
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            outcome: e.outcome,
        }
    }
}

pub(super) fn run(ctx: &Ctx, args: &AuditArgs) -> Result<Output, CliError> {
    let engine = ctx.engine()?;
    let trail = engine.audit(&ctx.tenant)?.events(&args.subject)?;
    let out = Trail {
        subject: args.subject.clone(),
        events: trail.events.into_iter().map(EventView::from).collect(),
        chain_valid: trail.chain_valid,
    };
    let rows = out
        .events
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                e.time.clone(),
                e.actor.clone(),
                e.action.clone(),
                e.outcome.clone(),
            ]
        })
        .collect();
    let human = vec![
        Block::Fields(vec![
            ("subject", out.subject.clone()),
            ("events", out.events.len().to_string()),
            (
                "chain",
                if out.chain_valid { "valid" } else { "INVALID" }.to_owned(),
            ),
        ]),
        Block::Table {
            headers: vec!["SEQ", "TIME", "ACTOR", "ACTION", "OUTCOME"],
            rows,
        },
    ];
    let mut output = Output::new(&out, human)?;
    if args.verify && !out.chain_valid {
        output.failure = Some(CliError::new(
            ErrorCode::VerificationFailed,
            format!(
                "audit chain of {} does not verify: events were altered, removed or reordered",
                out.subject
            ),
        ));
    }
    Ok(output)
}
