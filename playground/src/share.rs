//! Shareable state in a URL: a session's script (seed and brokers in its header), the time
//! shown and the view, in the fragment `#s=<script>&t=<ms>&view=<view>`, the script raw-deflated
//! (`miniz_oxide`) and base64url-encoded without padding. Pure code, tested natively.

use miniz_oxide::deflate::compress_to_vec;
use miniz_oxide::inflate::decompress_to_vec_with_limit;

/// The largest script a link may inflate to (a link is not a way to exhaust memory).
pub const SCRIPT_LEN_MAX: usize = 4 << 20;

/// What a shared link holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    /// The scenario script: header (seed, brokers, …) and every command, with `advance`s.
    pub script: String,
    /// Milliseconds since the session's start to show (the rest of the script stays ahead).
    pub time_ms: Option<i64>,
    /// The view to open.
    pub view: Option<String>,
}

/// Why a link's `s=` parameter cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// Not base64url.
    Base64(usize),
    /// Not a raw deflate stream (or larger than [`SCRIPT_LEN_MAX`]).
    Inflate,
    /// The script is not UTF-8.
    Utf8,
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Base64(at) => write!(
                f,
                "the link's script is damaged: character {at} is not base64url"
            ),
            Self::Inflate => write!(f, "the link's script is damaged: it does not inflate"),
            Self::Utf8 => write!(f, "the link's script is damaged: it is not UTF-8 text"),
        }
    }
}

impl std::error::Error for ShareError {}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5).
pub fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

/// Decodes base64url with or without padding (standard `+` `/` also accepted).
///
/// # Errors
/// [`ShareError::Base64`] with the position of the first character that is not base64.
pub fn from_base64url(text: &str) -> Result<Vec<u8>, ShareError> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for (at, c) in text.bytes().enumerate() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return Err(ShareError::Base64(at)),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        // A lone trailing character carries no whole byte.
        return Err(ShareError::Base64(text.len() - 1));
    }
    Ok(out)
}

/// The script compressed for a link.
pub fn encode_script(script: &str) -> String {
    base64url(&compress_to_vec(script.as_bytes(), 9))
}

/// The script from a link's `s=` value.
///
/// # Errors
/// [`ShareError`] when it is damaged.
pub fn decode_script(encoded: &str) -> Result<String, ShareError> {
    let bytes = from_base64url(encoded)?;
    let inflated =
        decompress_to_vec_with_limit(&bytes, SCRIPT_LEN_MAX).map_err(|_| ShareError::Inflate)?;
    String::from_utf8(inflated).map_err(|_| ShareError::Utf8)
}

/// The fragment (without `#`) of a link to `shared`.
pub fn fragment(shared: &Shared) -> String {
    let mut out = format!("s={}", encode_script(&shared.script));
    if let Some(t) = shared.time_ms {
        out.push_str(&format!("&t={t}"));
    }
    if let Some(view) = &shared.view {
        out.push_str(&format!("&view={view}"));
    }
    out
}

/// A URL parameter from a query or fragment string (`?a=1&b=2`, `#s=…`), percent-decoded.
pub fn param(part: &str, name: &str) -> Option<String> {
    part.trim_start_matches(['?', '#'])
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| percent_decode(v))
}

/// Decodes `%XX` escapes and `+` (as a space) in a URL parameter; a malformed escape stays as
/// it is.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads a link's fragment: `None` when it has no `s=`.
///
/// # Errors
/// [`ShareError`] when `s=` is damaged.
pub fn read_fragment(fragment: &str) -> Option<Result<Shared, ShareError>> {
    let encoded = param(fragment, "s")?;
    Some(decode_script(&encoded).map(|script| Shared {
        script,
        time_ms: param(fragment, "t").and_then(|t| t.parse().ok()),
        view: param(fragment, "view"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = base64url(&bytes);
            assert!(!text.contains(['+', '/', '=']));
            assert_eq!(from_base64url(&text), Ok(bytes));
        }
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
    }

    #[test]
    fn damaged_base64_names_the_position() {
        assert_eq!(from_base64url("ab*d"), Err(ShareError::Base64(2)));
        assert_eq!(from_base64url("abcde"), Err(ShareError::Base64(4)));
    }

    #[test]
    fn a_link_round_trips_script_time_and_view() {
        let shared = Shared {
            script: "seed 7\nbrokers 3\n\nkafka-topics --create --topic orders --partitions 3 \
                     --replication-factor 3\nadvance 10s\n# 한국어 comment\n"
                .to_owned(),
            time_ms: Some(1234),
            view: Some("events".to_owned()),
        };
        let fragment = fragment(&shared);
        assert!(fragment.starts_with("s="));
        assert_eq!(read_fragment(&fragment), Some(Ok(shared.clone())));
        assert_eq!(read_fragment(&format!("#{fragment}")), Some(Ok(shared)));
    }

    #[test]
    fn a_damaged_link_is_an_error_not_a_panic() {
        assert_eq!(read_fragment("view=log"), None);
        assert_eq!(read_fragment("s=AAAA"), Some(Err(ShareError::Inflate)));
        let not_utf8 = base64url(&compress_to_vec(&[0xff, 0xfe], 9));
        assert_eq!(decode_script(&not_utf8), Err(ShareError::Utf8));
    }

    #[test]
    fn params_are_percent_decoded() {
        assert_eq!(
            param("?scenario=a%20b.rill&view=log", "scenario").as_deref(),
            Some("a b.rill")
        );
        assert_eq!(param("?autoplay&x=1", "autoplay").as_deref(), Some(""));
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
