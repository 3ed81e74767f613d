//! Bí mật — device ids, device tokens and join codes from the operating system's
//! randomness; tokens and codes kept only as SHA-256 hashes and compared in constant time.

use domain::{DeviceId, JoinCode};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Random bytes from the operating system; `None` if it has none to give (never a
/// weaker fallback).
fn random<const N: usize>() -> Option<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).ok()?;
    Some(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 in hex: how tokens and codes are stored.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// A new device: its id (96 random bits) and its token (256 random bits), `{device}.{secret}`.
pub fn new_device() -> Option<(DeviceId, String)> {
    let device = DeviceId::new(format!("d-{}", hex(&random::<12>()?))).expect("hex is a valid id");
    let token = format!("{device}.{}", hex(&random::<32>()?));
    Some((device, token))
}

/// A new join code, and an id for officers to name it by (not derived from the code).
pub fn new_code() -> Option<(JoinCode, String)> {
    let code = JoinCode::from_random(&random::<32>()?)?;
    Some((code, format!("c-{}", hex(&random::<6>()?))))
}

/// The device a token claims to be, if it has the shape of one.
pub fn token_device(token: &str) -> Option<DeviceId> {
    let (device, secret) = token.rsplit_once('.')?;
    let secret_ok = secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit());
    if secret_ok { DeviceId::new(device).ok() } else { None }
}

/// Whether `token` hashes to `stored`, compared in constant time.
pub fn token_matches(token: &str, stored: &str) -> bool {
    digest(token).as_bytes().ct_eq(stored.as_bytes()).into()
}

/// The QR code of `text` as an SVG document.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color>().min_dimensions(232, 232).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_only_its_own_hash() {
        let (device, token) = new_device().unwrap();
        assert_eq!(token_device(&token), Some(device));
        let stored = digest(&token);
        assert!(token_matches(&token, &stored));
        let (_, other) = new_device().unwrap();
        assert!(!token_matches(&other, &stored));
        assert_eq!(token_device("d-1.short"), None);
        assert_eq!(token_device(&format!("Tổ.{}", "a".repeat(64))), None);
    }

    #[test]
    fn codes_and_ids_are_new_each_time() {
        let (a, id_a) = new_code().unwrap();
        let (b, id_b) = new_code().unwrap();
        assert_ne!((a, id_a), (b, id_b));
        assert!(qr_svg("http://127.0.0.1:8080/#join=ABCD-EFGH-JKMN").unwrap().starts_with("<?xml"));
    }
}
