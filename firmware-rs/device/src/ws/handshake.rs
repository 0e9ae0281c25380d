//! The client side of the HTTP/1.1 upgrade to WebSocket (RFC 6455 §4.1): write the request, check the answer.

use core::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest, Sha1};

/// The GUID RFC 6455 appends to the key before hashing it.
const ACCEPT_GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Why the upgrade failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeError {
    /// The request does not fit in the caller's buffer.
    BufferTooSmall,
    /// A host, path or token with a character that would break the request (a control character or space).
    BadField(&'static str),
    /// The response head is not HTTP/1.1 with a status line and headers.
    Malformed,
    /// The response head is longer than the caller's buffer; the server is not a sysboy host.
    HeadTooLong,
    /// The server answered with this status instead of 101; 401 means the token was refused.
    Status(u16),
    /// The 101 response lacks `Upgrade: websocket` or `Connection: Upgrade`.
    NotUpgraded,
    /// `Sec-WebSocket-Accept` is missing or does not match our key.
    BadAccept,
}

impl HandshakeError {
    /// Whether the server refused our credentials (HTTP 401 or 403).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Status(401 | 403))
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall => f.write_str("the upgrade request does not fit in the buffer"),
            Self::BadField(field) => write!(f, "the {field} holds a character not allowed in an HTTP request"),
            Self::Malformed => f.write_str("the upgrade response is not HTTP/1.1"),
            Self::HeadTooLong => f.write_str("the upgrade response head is too long"),
            Self::Status(status) => write!(f, "the server answered the upgrade with HTTP {status}"),
            Self::NotUpgraded => f.write_str("the server did not switch to WebSocket"),
            Self::BadAccept => f.write_str("Sec-WebSocket-Accept does not match the key"),
        }
    }
}

impl core::error::Error for HandshakeError {}

/// One upgrade attempt: its key, and the accept value the server must send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    key: [u8; 24],
    accept: [u8; 28],
}

impl Handshake {
    /// A handshake keyed by 16 random bytes from the caller.
    pub fn new(random: [u8; 16]) -> Self {
        let mut key = [0u8; 24];
        let written = STANDARD.encode_slice(random, &mut key);
        debug_assert_eq!(written, Ok(24));
        Self { accept: accept_for(&key), key }
    }

    /// The `Sec-WebSocket-Key` value.
    pub fn key(&self) -> &str {
        core::str::from_utf8(&self.key).unwrap_or_default()
    }

    /// The `Sec-WebSocket-Accept` value the server must answer with.
    pub fn expected_accept(&self) -> &str {
        core::str::from_utf8(&self.accept).unwrap_or_default()
    }

    /// Writes the upgrade request into `buf` and returns its length. `host` is the Host header (with the port
    /// when it is not 80); `token`, when given, goes as `Authorization: Bearer`.
    pub fn write_request(&self, host: &str, path: &str, token: Option<&str>, buf: &mut [u8]) -> Result<usize, HandshakeError> {
        check_field(host, "host")?;
        check_field(path, "path")?;
        if !path.starts_with('/') {
            return Err(HandshakeError::BadField("path"));
        }
        let mut out = Writer { buf, len: 0 };
        out.put("GET ")?;
        out.put(path)?;
        out.put(" HTTP/1.1\r\nHost: ")?;
        out.put(host)?;
        out.put("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ")?;
        out.put(self.key())?;
        out.put("\r\nSec-WebSocket-Version: 13\r\n")?;
        if let Some(token) = token {
            check_field(token, "token")?;
            out.put("Authorization: Bearer ")?;
            out.put(token)?;
            out.put("\r\n")?;
        }
        out.put("\r\n")?;
        Ok(out.len)
    }

    /// Reads the response head from the bytes received so far. `Ok(None)` asks for more bytes; `Ok(Some(n))`
    /// means the upgrade succeeded and the first `n` bytes were the head (anything after is WebSocket frames).
    pub fn read_response(&self, received: &[u8], capacity: usize) -> Result<Option<usize>, HandshakeError> {
        let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") else {
            return if received.len() >= capacity { Err(HandshakeError::HeadTooLong) } else { Ok(None) };
        };
        let head = core::str::from_utf8(&received[..end]).map_err(|_| HandshakeError::Malformed)?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().ok_or(HandshakeError::Malformed)?;
        let mut parts = status_line.splitn(3, ' ');
        if parts.next() != Some("HTTP/1.1") {
            return Err(HandshakeError::Malformed);
        }
        let status: u16 = parts.next().and_then(|s| s.parse().ok()).ok_or(HandshakeError::Malformed)?;
        if status != 101 {
            return Err(HandshakeError::Status(status));
        }
        let (mut upgrade, mut connection, mut accept) = (false, false, false);
        for line in lines {
            let (name, value) = line.split_once(':').ok_or(HandshakeError::Malformed)?;
            let value = value.trim();
            if name.eq_ignore_ascii_case("upgrade") {
                upgrade = value.eq_ignore_ascii_case("websocket");
            } else if name.eq_ignore_ascii_case("connection") {
                connection = value.split(',').any(|token| token.trim().eq_ignore_ascii_case("upgrade"));
            } else if name.eq_ignore_ascii_case("sec-websocket-accept") {
                accept = value == self.expected_accept();
            }
        }
        if !(upgrade && connection) {
            return Err(HandshakeError::NotUpgraded);
        }
        if !accept {
            return Err(HandshakeError::BadAccept);
        }
        Ok(Some(end + 4))
    }
}

/// base64(SHA-1(key ‖ GUID)), as RFC 6455 §4.2.2 defines it.
fn accept_for(key: &[u8]) -> [u8; 28] {
    let mut hasher = Sha1::new();
    hasher.update(key);
    hasher.update(ACCEPT_GUID);
    let digest = hasher.finalize();
    let mut accept = [0u8; 28];
    let written = STANDARD.encode_slice(digest, &mut accept);
    debug_assert_eq!(written, Ok(28));
    accept
}

fn check_field(value: &str, field: &'static str) -> Result<(), HandshakeError> {
    if value.is_empty() || value.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(HandshakeError::BadField(field));
    }
    Ok(())
}

struct Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn put(&mut self, text: &str) -> Result<(), HandshakeError> {
        let end = self.len + text.len();
        self.buf.get_mut(self.len..end).ok_or(HandshakeError::BufferTooSmall)?.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The nonce of RFC 6455 §1.3, "the sample nonce".
    const SAMPLE_NONCE: [u8; 16] = *b"the sample nonce";

    fn ok_response(accept: &str) -> alloc::string::String {
        alloc::format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n")
    }

    #[test]
    fn key_and_accept_match_the_rfc_example() {
        let handshake = Handshake::new(SAMPLE_NONCE);
        assert_eq!(handshake.key(), "dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(handshake.expected_accept(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn writes_the_upgrade_request_with_the_bearer_token() {
        let mut buf = [0u8; 256];
        let n = Handshake::new(SAMPLE_NONCE).write_request("192.168.1.5:7777", "/ws", Some("tok_123456"), &mut buf).unwrap();
        assert_eq!(
            core::str::from_utf8(&buf[..n]).unwrap(),
            "GET /ws HTTP/1.1\r\nHost: 192.168.1.5:7777\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Authorization: Bearer tok_123456\r\n\r\n"
        );
    }

    #[test]
    fn refuses_a_small_buffer_and_header_injection() {
        let handshake = Handshake::new(SAMPLE_NONCE);
        assert_eq!(handshake.write_request("h", "/ws", None, &mut [0u8; 40]), Err(HandshakeError::BufferTooSmall));
        assert_eq!(handshake.write_request("h\r\nX: y", "/ws", None, &mut [0u8; 256]), Err(HandshakeError::BadField("host")));
        assert_eq!(handshake.write_request("h", "/ws", Some("a b"), &mut [0u8; 256]), Err(HandshakeError::BadField("token")));
        assert_eq!(handshake.write_request("h", "ws", None, &mut [0u8; 256]), Err(HandshakeError::BadField("path")));
    }

    #[test]
    fn accepts_the_right_answer_and_keeps_frames_after_the_head() {
        let handshake = Handshake::new(SAMPLE_NONCE);
        let mut response = ok_response("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=").into_bytes();
        let head = response.len();
        response.extend_from_slice(&[0x81, 0x00]);
        assert_eq!(handshake.read_response(&response, 1024), Ok(Some(head)));
    }

    #[test]
    fn asks_for_more_until_the_head_is_complete() {
        let handshake = Handshake::new(SAMPLE_NONCE);
        let response = ok_response("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(handshake.read_response(&response.as_bytes()[..30], 1024), Ok(None));
        assert_eq!(handshake.read_response(&response.as_bytes()[..30], 30), Err(HandshakeError::HeadTooLong));
    }

    #[test]
    fn refuses_a_wrong_accept_a_refusal_and_a_non_upgrade() {
        let handshake = Handshake::new(SAMPLE_NONCE);
        assert_eq!(handshake.read_response(ok_response("AAAA").as_bytes(), 1024), Err(HandshakeError::BadAccept));
        let refused = handshake.read_response(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 1024);
        assert_eq!(refused, Err(HandshakeError::Status(401)));
        assert!(refused.unwrap_err().is_unauthorized());
        let plain = b"HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
        assert_eq!(handshake.read_response(plain, 1024), Err(HandshakeError::NotUpgraded));
        assert_eq!(handshake.read_response(b"SSH-2.0-OpenSSH\r\n\r\n", 1024), Err(HandshakeError::Malformed));
    }
}
