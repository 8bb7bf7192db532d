//! Public keys from outside: PEM (`PUBLIC KEY`) and DER SubjectPublicKeyInfo
//! (RFC 5280 §4.1.2.7) for RSA (RFC 3279), EC P-256/P-384/P-521 (RFC 5480)
//! and Ed25519 (RFC 8410). A small strict DER reader: definite lengths in
//! minimal form only, no trailing bytes, never panics on any input.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use crate::crypto::hazmat;
use crate::error::{Error, Result};

/// Largest PEM or DER public key accepted (an RSA-16384 SPKI is ~2.1 KiB).
pub const MAX_PUBLIC_KEY_BYTES: usize = 16 * 1024;

const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// A NIST curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// P-256 (secp256r1).
    P256,
    /// P-384 (secp384r1).
    P384,
    /// P-521 (secp521r1).
    P521,
}

impl Curve {
    /// The JWK `crv` name (`P-256`, …).
    pub fn jwk_name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    /// Bytes of one coordinate.
    pub fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    fn oid(self) -> &'static [u8] {
        match self {
            Curve::P256 => OID_P256,
            Curve::P384 => OID_P384,
            Curve::P521 => OID_P521,
        }
    }

    pub(crate) fn from_jwk_name(s: &str) -> Option<Self> {
        match s {
            "P-256" => Some(Curve::P256),
            "P-384" => Some(Curve::P384),
            "P-521" => Some(Curve::P521),
            _ => None,
        }
    }
}

/// A parsed public key.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA: big-endian modulus and exponent without leading zeros.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
    /// EC: the uncompressed point `04 || x || y`.
    Ec {
        /// The curve.
        curve: Curve,
        /// The uncompressed point.
        point: Vec<u8>,
    },
    /// Ed25519: the 32-byte key.
    Ed25519(Vec<u8>),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublicKey::Rsa { .. } => write!(f, "PublicKey::Rsa({} bits)", self.rsa_bits()),
            PublicKey::Ec { curve, .. } => write!(f, "PublicKey::Ec({})", curve.jwk_name()),
            PublicKey::Ed25519(_) => f.write_str("PublicKey::Ed25519"),
        }
    }
}

impl PublicKey {
    /// The RSA modulus size in bits (0 for other keys).
    pub fn rsa_bits(&self) -> usize {
        match self {
            PublicKey::Rsa { n, .. } => match n.first() {
                Some(&b) => n.len() * 8 - b.leading_zeros() as usize,
                None => 0,
            },
            _ => 0,
        }
    }

    /// The DER SubjectPublicKeyInfo of the key.
    pub fn to_spki_der(&self) -> Vec<u8> {
        match self {
            PublicKey::Rsa { n, e } => {
                let rsa = der_seq(&[der_uint(n), der_uint(e)]);
                der_seq(&[
                    der_seq(&[der_tlv(0x06, OID_RSA), der_tlv(0x05, &[])]),
                    der_bit_string(&rsa),
                ])
            }
            PublicKey::Ec { curve, point } => der_seq(&[
                der_seq(&[der_tlv(0x06, OID_EC), der_tlv(0x06, curve.oid())]),
                der_bit_string(point),
            ]),
            PublicKey::Ed25519(x) => {
                der_seq(&[der_seq(&[der_tlv(0x06, OID_ED25519)]), der_bit_string(x)])
            }
        }
    }

    /// Parses a DER SubjectPublicKeyInfo.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `public_key` for malformed DER, an
    /// unsupported algorithm or curve, or an invalid key.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        parse_spki(der).map_err(|why| Error::invalid("public_key", why))
    }

    /// Parses a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `public_key` when the text is not one
    /// `PUBLIC KEY` PEM block or the key inside is refused.
    pub fn from_pem(pem: &str) -> Result<Self> {
        Self::from_spki_der(&pem_to_der(pem)?)
    }

    /// `SHA256:` + unpadded base64 of the SHA-256 of the DER
    /// SubjectPublicKeyInfo (the OpenSSH fingerprint style).
    pub fn fingerprint(&self) -> String {
        fingerprint_der(&self.to_spki_der())
    }
}

/// `SHA256:` + unpadded base64 of SHA-256(`der`).
pub fn fingerprint_der(der: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(hazmat::sha256(der)))
}

/// The DER inside one `-----BEGIN PUBLIC KEY-----` block.
///
/// # Errors
/// [`Error::InvalidInput`] naming `public_key`.
pub fn pem_to_der(pem: &str) -> Result<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
    const END: &str = "-----END PUBLIC KEY-----";
    let bad = |why: &str| Error::invalid("public_key", why.to_owned());
    if pem.len() > MAX_PUBLIC_KEY_BYTES {
        return Err(bad("PEM must be at most 16384 bytes"));
    }
    let text = pem.trim();
    let body = text
        .strip_prefix(BEGIN)
        .and_then(|r| r.strip_suffix(END))
        .ok_or_else(|| {
            bad("must be one PEM block '-----BEGIN PUBLIC KEY-----' (SubjectPublicKeyInfo)")
        })?;
    if body.contains("-----") {
        return Err(bad("must hold exactly one PEM block"));
    }
    let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD
        .decode(b64.as_bytes())
        .map_err(|_| bad("PEM body is not valid base64"))
}

fn parse_spki(der: &[u8]) -> std::result::Result<PublicKey, &'static str> {
    if der.len() > MAX_PUBLIC_KEY_BYTES {
        return Err("DER must be at most 16384 bytes");
    }
    let mut top = Der::new(der);
    let spki = top.expect(0x30)?;
    top.end()?;
    let mut s = Der::new(spki);
    let alg = s.expect(0x30)?;
    let bits = s.expect(0x03)?;
    s.end()?;
    let Some((0, key)) = bits.split_first() else {
        return Err("malformed public key bit string");
    };
    let mut a = Der::new(alg);
    let oid = a.expect(0x06)?;
    if oid == OID_RSA {
        // Parameters must be NULL (or absent, which some encoders emit).
        if !a.is_empty() && !a.expect(0x05)?.is_empty() {
            return Err("RSA parameters must be NULL");
        }
        a.end()?;
        let mut r = Der::new(key);
        let seq = r.expect(0x30)?;
        r.end()?;
        let mut k = Der::new(seq);
        let n = positive_int(k.expect(0x02)?)?;
        let e = positive_int(k.expect(0x02)?)?;
        k.end()?;
        Ok(PublicKey::Rsa { n, e })
    } else if oid == OID_EC {
        let curve_oid = a.expect(0x06)?;
        a.end()?;
        let curve = [Curve::P256, Curve::P384, Curve::P521]
            .into_iter()
            .find(|c| c.oid() == curve_oid)
            .ok_or("only the EC curves P-256, P-384 and P-521 are supported")?;
        if key.len() != 1 + 2 * curve.coordinate_len() || key[0] != 4 {
            return Err("EC public key must be an uncompressed point");
        }
        Ok(PublicKey::Ec {
            curve,
            point: key.to_vec(),
        })
    } else if oid == OID_ED25519 {
        a.end()?;
        if key.len() != 32 {
            return Err("Ed25519 public key must be 32 bytes");
        }
        Ok(PublicKey::Ed25519(key.to_vec()))
    } else {
        Err("unsupported key algorithm (RSA, EC or Ed25519 expected)")
    }
}

/// A DER INTEGER as a positive big-endian number without leading zeros.
fn positive_int(bytes: &[u8]) -> std::result::Result<Vec<u8>, &'static str> {
    match bytes {
        [] => Err("empty INTEGER"),
        [b, ..] if b & 0x80 != 0 => Err("negative INTEGER"),
        [0, next, ..] if next & 0x80 == 0 => Err("non-minimal INTEGER"),
        [0, rest @ ..] if !rest.is_empty() => Ok(rest.to_vec()),
        [0] => Err("zero INTEGER"),
        other => Ok(other.to_vec()),
    }
}

/// A minimal strict DER reader over one level of a structure.
struct Der<'a> {
    buf: &'a [u8],
}

impl<'a> Der<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Der { buf }
    }

    fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    fn end(&self) -> std::result::Result<(), &'static str> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err("trailing bytes in DER")
        }
    }

    /// The content of the next element, which must have `tag`.
    fn expect(&mut self, tag: u8) -> std::result::Result<&'a [u8], &'static str> {
        let (&t, rest) = self.buf.split_first().ok_or("truncated DER")?;
        if t != tag {
            return Err("unexpected DER tag");
        }
        let (&l, mut rest) = rest.split_first().ok_or("truncated DER")?;
        let len = if l < 0x80 {
            usize::from(l)
        } else {
            let n = usize::from(l & 0x7f);
            if n == 0 || n > 3 {
                return Err("unsupported DER length");
            }
            let (bytes, r) = rest.split_at_checked(n).ok_or("truncated DER")?;
            rest = r;
            if bytes[0] == 0 {
                return Err("non-minimal DER length");
            }
            let len = bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if len < 0x80 {
                return Err("non-minimal DER length");
            }
            len
        };
        let (content, rest) = rest.split_at_checked(len).ok_or("truncated DER")?;
        self.buf = rest;
        Ok(content)
    }
}

fn der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    der_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

fn der_seq(parts: &[Vec<u8>]) -> Vec<u8> {
    der_tlv(0x30, &parts.concat())
}

fn der_uint(n: &[u8]) -> Vec<u8> {
    let trimmed: &[u8] = {
        let skip = n.iter().take_while(|b| **b == 0).count();
        &n[skip.min(n.len().saturating_sub(1))..]
    };
    if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        der_tlv(0x02, &[&[0u8][..], trimmed].concat())
    } else {
        der_tlv(0x02, trimmed)
    }
}

fn der_bit_string(bits: &[u8]) -> Vec<u8> {
    der_tlv(0x03, &[&[0u8][..], bits].concat())
}

/// Whether an RSA modulus has the fingerprint of keys made by the
/// Infineon library broken by ROCA (CVE-2017-15361): for every small prime
/// `p` below, `n mod p` lies in the subgroup generated by 65537 mod `p`.
pub(crate) fn rsa_modulus_is_roca(n: &[u8]) -> bool {
    const PRIMES: [u32; 38] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    ];
    if n.is_empty() {
        return false;
    }
    PRIMES.iter().all(|&p| {
        let r = n
            .iter()
            .fold(0u32, |acc, b| (acc * 256 + u32::from(*b)) % p);
        let g = 65537 % p;
        let mut x = 1u32;
        for _ in 0..p {
            if x == r {
                return true;
            }
            x = x * g % p;
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9
q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==
-----END PUBLIC KEY-----
";

    #[test]
    fn ec_pem_round_trips_and_fingerprints() {
        let k = PublicKey::from_pem(EC_PEM).expect("parses");
        assert!(matches!(
            k,
            PublicKey::Ec {
                curve: Curve::P256,
                ..
            }
        ));
        let der = pem_to_der(EC_PEM).expect("der");
        assert_eq!(k.to_spki_der(), der);
        assert!(k.fingerprint().starts_with("SHA256:"));
        assert_eq!(k.fingerprint().len(), 7 + 43);
    }

    #[test]
    fn garbage_is_refused_without_panic() {
        for bad in [
            &b""[..],
            b"\x30",
            b"\x30\x80\x00\x00",
            b"\x30\x81\x05abcde",
            b"\x30\x03\x30\x01\x06",
            b"\x30\x84\xff\xff\xff\xff",
        ] {
            assert!(PublicKey::from_spki_der(bad).is_err());
        }
        assert!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----")
                .is_err()
        );
        assert!(PublicKey::from_pem("hello").is_err());
    }

    #[test]
    fn der_uint_is_minimal() {
        assert_eq!(der_uint(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(der_uint(&[0x00, 0x01]), vec![0x02, 0x01, 0x01]);
        assert_eq!(positive_int(&[0x00, 0x80]).expect("ok"), vec![0x80]);
        assert!(positive_int(&[0x00, 0x01]).is_err());
    }

    #[test]
    fn roca_check_spares_ordinary_moduli() {
        assert!(!rsa_modulus_is_roca(&[0xff; 256]));
    }
}
