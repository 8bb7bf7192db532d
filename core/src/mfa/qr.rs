//! QR codes of provisioning URIs: PNG (256 × 256 px, written here without an
//! image library: 1-bit greyscale, stored deflate blocks), SVG and terminal
//! text through the `qrcode` crate.

use qrcode::render::{svg, unicode};
use qrcode::{Color, EcLevel, QrCode};

use crate::error::{Error, Result};

/// Side of the PNG in pixels.
pub const PNG_SIZE: usize = 256;
/// Quiet zone in modules (ISO/IEC 18004 asks for 4).
const QUIET: usize = 4;

/// An image format for [`crate::mfa::Mfa::qr_code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QrFormat {
    /// PNG, 256 × 256 pixels.
    Png,
    /// SVG text (UTF-8), at least 256 × 256 user units.
    Svg,
}

impl QrFormat {
    /// The media type (`image/png`, `image/svg+xml`).
    pub fn media_type(self) -> &'static str {
        match self {
            QrFormat::Png => "image/png",
            QrFormat::Svg => "image/svg+xml",
        }
    }
}

fn code(data: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|_| Error::invalid("uri", "is too long for a QR code"))
}

/// The QR code of `data` in `format`.
///
/// # Errors
/// [`Error::InvalidInput`] naming `uri` when the data does not fit a QR code.
pub fn render(data: &str, format: QrFormat) -> Result<Vec<u8>> {
    match format {
        QrFormat::Png => png(data),
        QrFormat::Svg => Ok(code(data)?
            .render::<svg::Color<'_>>()
            .min_dimensions(PNG_SIZE as u32, PNG_SIZE as u32)
            .build()
            .into_bytes()),
    }
}

/// The QR code of `data` as text for a terminal (two modules per character
/// cell, dark modules drawn dark on a light terminal background).
///
/// # Errors
/// As [`render`].
pub fn terminal(data: &str) -> Result<String> {
    Ok(code(data)?
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Dark)
        .light_color(unicode::Dense1x2::Light)
        .quiet_zone(true)
        .build())
}

/// A 256 × 256 PNG of the QR code of `data`.
fn png(data: &str) -> Result<Vec<u8>> {
    let qr = code(data)?;
    let width = qr.width();
    let colors = qr.to_colors();
    let modules = width + 2 * QUIET;
    let scale = (PNG_SIZE / modules).max(1);
    let offset = PNG_SIZE.saturating_sub(modules * scale) / 2;
    let row_bytes = PNG_SIZE / 8;
    // Raw scanlines: filter byte 0, then 1 bit per pixel (1 = white).
    let mut raw = Vec::with_capacity(PNG_SIZE * (row_bytes + 1));
    for y in 0..PNG_SIZE {
        raw.push(0u8);
        let mut row = vec![0xffu8; row_bytes];
        for x in 0..PNG_SIZE {
            let dark = module_at(x, offset, scale)
                .zip(module_at(y, offset, scale))
                .is_some_and(|(mx, my)| {
                    mx < width && my < width && colors.get(my * width + mx) == Some(&Color::Dark)
                });
            if dark {
                row[x / 8] &= !(0x80 >> (x % 8));
            }
        }
        raw.extend_from_slice(&row);
    }
    let mut out = Vec::with_capacity(raw.len() + 128);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(PNG_SIZE as u32).to_be_bytes());
    ihdr.extend_from_slice(&(PNG_SIZE as u32).to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // depth 1, greyscale, deflate, filter 0, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

/// The QR module (without quiet zone) that pixel coordinate `p` shows.
fn module_at(p: usize, offset: usize, scale: usize) -> Option<usize> {
    let m = p.checked_sub(offset)? / scale;
    m.checked_sub(QUIET)
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored (uncompressed) deflate blocks (RFC 1950/1951).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 65_535 * 5 + 16);
    out.extend_from_slice(&[0x78, 0x01]);
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(c) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = c.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const URI: &str = "otpauth://totp/credcycle:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=credcycle&algorithm=SHA1&digits=6&period=30";

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    /// Decodes our PNG (stored blocks only) and reads the pixels back, so the
    /// image is checked to be the QR code's modules, scaled and centred.
    #[test]
    fn png_is_256px_and_shows_the_modules() {
        let png = render(URI, QrFormat::Png).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 256);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 256);
        assert_eq!(&png[24..26], &[1, 0]);
        // IDAT payload
        let idat_len = u32::from_be_bytes(png[33..37].try_into().unwrap()) as usize;
        assert_eq!(&png[37..41], b"IDAT");
        let z = &png[41..41 + idat_len];
        let crc = u32::from_be_bytes(png[41 + idat_len..45 + idat_len].try_into().unwrap());
        assert_eq!(crc, crc32(&png[37..41 + idat_len]));
        assert_eq!(&z[..2], &[0x78, 0x01]);
        assert_eq!(z[2], 1, "one final stored block");
        let len = u16::from_le_bytes([z[3], z[4]]) as usize;
        let raw = &z[7..7 + len];
        assert_eq!(raw.len(), 256 * 33);
        assert_eq!(
            u32::from_be_bytes(z[7 + len..11 + len].try_into().unwrap()),
            adler32(raw)
        );
        let qr = code(URI).unwrap();
        let w = qr.width();
        let modules = w + 8;
        let scale = 256 / modules;
        let off = (256 - modules * scale) / 2;
        let px = |x: usize, y: usize| raw[y * 33 + 1 + x / 8] & (0x80 >> (x % 8)) == 0;
        let colors = qr.to_colors();
        for my in 0..w {
            for mx in 0..w {
                let x = off + (mx + 4) * scale + scale / 2;
                let y = off + (my + 4) * scale + scale / 2;
                assert_eq!(px(x, y), colors[my * w + mx] == Color::Dark, "({mx},{my})");
            }
        }
        assert!(!px(0, 0) && !px(255, 255), "quiet zone is white");
        assert!(raw.chunks(33).all(|r| r[0] == 0), "filter bytes");
    }

    #[test]
    fn svg_and_terminal_render() {
        let svg = String::from_utf8(render(URI, QrFormat::Svg).unwrap()).unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
        let t = terminal(URI).unwrap();
        assert!(t.lines().count() > 10);
        let e = render(&"x".repeat(5000), QrFormat::Png).unwrap_err();
        assert!(e.to_string().contains("uri"));
    }

    #[test]
    fn empty_zlib_input_is_a_valid_stream() {
        assert_eq!(
            zlib_stored(&[]),
            [0x78, 0x01, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 1]
        );
    }
}
