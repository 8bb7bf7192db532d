//! PEM (RFC 7468) encoding and a lenient block reader: text outside the
//! `-----BEGIN …-----`/`-----END …-----` lines is ignored, headers inside a
//! block are refused.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::{Error, Result};

/// Encodes `der` as one PEM block with 64-character lines.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// Every PEM block of `text` as `(label, der)`, in order.
///
/// # Errors
/// [`Error::InvalidInput`] naming `field` when a block has no END line, its
/// END label differs, it carries headers, or its body is not base64.
pub(crate) fn decode_all(field: &'static str, text: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let mut body = String::new();
        let mut ended = false;
        for inner in lines.by_ref() {
            let inner = inner.trim();
            if let Some(end) = inner
                .strip_prefix("-----END ")
                .and_then(|l| l.strip_suffix("-----"))
            {
                if end != label {
                    return Err(Error::invalid(
                        field,
                        format!("PEM block BEGIN {label} ends with END {end}"),
                    ));
                }
                ended = true;
                break;
            }
            if inner.contains(':') {
                return Err(Error::invalid(
                    field,
                    "PEM headers (Proc-Type, DEK-Info) are not supported",
                ));
            }
            body.push_str(inner);
        }
        if !ended {
            return Err(Error::invalid(
                field,
                format!("PEM block {label} has no END line"),
            ));
        }
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|_| Error::invalid(field, format!("PEM block {label} is not valid base64")))?;
        out.push((label.to_owned(), der));
    }
    Ok(out)
}

/// Whether `data` looks like PEM text rather than DER.
pub(crate) fn looks_like_pem(data: &[u8]) -> bool {
    data.windows(11).any(|w| w == b"-----BEGIN ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_skips_text_between_blocks() {
        let a = encode("CERTIFICATE", &[1, 2, 3]);
        let b = encode("CERTIFICATE", &[9u8; 100]);
        let text = format!("garbage\n{a}more garbage\n{b}trailer");
        let blocks = decode_all("chain", &text).expect("decode");
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].1, vec![1, 2, 3]);
        assert_eq!(blocks[1].1, vec![9u8; 100]);
    }

    #[test]
    fn refuses_unterminated_mismatched_and_bad_base64() {
        for bad in [
            "-----BEGIN CERTIFICATE-----\nAAAA\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n",
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END CERTIFICATE-----\n",
        ] {
            let e = decode_all("chain", bad).expect_err(bad);
            assert!(e.to_string().contains("chain"), "{e}");
        }
    }
}
