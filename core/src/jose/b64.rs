//! Strict base64url (RFC 4648 §5, no padding) as JOSE uses it: padding,
//! characters outside the alphabet and non-zero trailing bits are refused,
//! so every byte string has exactly one accepted encoding.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Encodes `data` as unpadded base64url.
pub(crate) fn encode(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// Decodes unpadded base64url, or `None` for anything else.
pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_decoding() {
        assert_eq!(decode(b"Zm9v"), Some(b"foo".to_vec()));
        assert_eq!(decode(b""), Some(Vec::new()));
        for bad in [&b"Zm9v="[..], b"Zm 9v", b"Zm9v?", b"Zm+v", b"AB", b"A"] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
        assert_eq!(decode(b"AA"), Some(vec![0]));
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    }
}
