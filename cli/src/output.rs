//! What a command prints: one JSON object with `--json`, or text for people
//! (`key: value` lines, aligned tables, raw bytes for `secret get`); and how
//! errors are reported on stderr.

use std::io::{self, Write};

use credcycle::SecretBytes;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::CliError;

/// The result of a command.
#[derive(Debug)]
pub(crate) struct Output {
    /// The serialized JSON object (printed with `--json`).
    json: String,
    /// The text for people (printed without `--json`).
    human: Vec<Block>,
    /// A failure to report after printing the output (e.g. `audit --verify`
    /// on a broken chain), which also sets the exit code.
    pub(crate) failure: Option<CliError>,
}

/// A piece of human output.
#[derive(Debug)]
pub(crate) enum Block {
    /// `key: value` lines, keys aligned.
    Fields(Vec<(&'static str, String)>),
    /// A table with a header row.
    Table {
        /// Column titles.
        headers: Vec<&'static str>,
        /// Cells, one vector per row.
        rows: Vec<Vec<String>>,
    },
    /// One line of text.
    Line(String),
    /// Raw secret bytes, written as they are.
    Secret(SecretBytes),
}

impl Output {
    /// An output whose JSON form is `value` (an object).
    ///
    /// # Errors
    /// Internal error if `value` does not serialize.
    pub(crate) fn new(value: &impl Serialize, human: Vec<Block>) -> Result<Self, CliError> {
        let json = serde_json::to_string(value).map_err(|e| {
            CliError::new(
                credcycle::ErrorCode::Internal,
                format!("serializing output: {e}"),
            )
        })?;
        Ok(Output {
            json,
            human,
            failure: None,
        })
    }

    /// Prints the output on stdout in the chosen form.
    ///
    /// # Errors
    /// When stdout cannot be written.
    pub(crate) fn print(&self, json: bool) -> io::Result<()> {
        let stdout = io::stdout();
        let mut w = stdout.lock();
        if json {
            writeln!(w, "{}", self.json)?;
        } else {
            let mut first = true;
            for block in &self.human {
                // A blank line between a block of fields and the table after it.
                if !first && matches!(block, Block::Table { .. }) {
                    writeln!(w)?;
                }
                first = false;
                render(&mut w, block)?;
            }
        }
        w.flush()
    }
}

fn render(w: &mut impl Write, block: &Block) -> io::Result<()> {
    match block {
        Block::Fields(fields) => {
            let width = fields.iter().map(|(k, _)| k.len() + 1).max().unwrap_or(0);
            for (k, v) in fields {
                let key = format!("{k}:");
                writeln!(w, "{key:<width$} {v}")?;
            }
        }
        Block::Table { headers, rows } => {
            let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
            for row in rows {
                for (i, cell) in row.iter().enumerate() {
                    if let Some(wd) = widths.get_mut(i) {
                        *wd = (*wd).max(cell.chars().count());
                    }
                }
            }
            let line = |cells: &mut dyn Iterator<Item = &str>| {
                let mut s = String::new();
                for (i, cell) in cells.enumerate() {
                    if i > 0 {
                        s.push_str("  ");
                    }
                    let wd = widths.get(i).copied().unwrap_or(0);
                    s.push_str(&format!("{cell:<wd$}"));
                }
                s.trim_end().to_owned()
            };
            writeln!(w, "{}", line(&mut headers.iter().copied()))?;
            for row in rows {
                writeln!(w, "{}", line(&mut row.iter().map(String::as_str)))?;
            }
        }
        Block::Line(s) => writeln!(w, "{s}")?,
        Block::Secret(bytes) => w.write_all(bytes.expose())?,
    }
    Ok(())
}

/// Reports `err` on stderr: `{"error": {code, kind, message}}` with `--json`,
/// `credcycle: error: <message>` without.
pub(crate) fn print_error(err: &CliError, json: bool) {
    let text = if json {
        serde_json::json!({
            "error": {
                "code": err.code().as_u32(),
                "kind": err.code().kind().as_str(),
                "message": err.message(),
            }
        })
        .to_string()
    } else {
        format!("credcycle: error: {}", err.message())
    };
    // Nothing sensible is left to do if stderr itself is gone.
    let _ = writeln!(io::stderr().lock(), "{text}");
}

/// RFC 3339 (UTC) of a Unix time; the number itself if out of range.
pub(crate) fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// `-` for an absent value in human output.
pub(crate) fn or_dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "-".to_owned())
}
