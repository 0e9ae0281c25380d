//! The image fetch's HTTP/1.1, sans-IO: the range request the board writes, and the response head it reads back
//! (status, `Content-Length`, `Content-Range`), for the answers the host gives: 206 with the range, 200 with the
//! whole image, 401 for a bad token, 416 for a range past the end.

use core::fmt;
use core::fmt::Write as _;

/// The longest response head taken; the host's are a few hundred bytes.
pub const MAX_HEAD: usize = 1024;

/// Bytes `start..=end` of the image, as `Range: bytes=start-end` asks for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    /// First byte.
    pub start: u32,
    /// Last byte (inclusive).
    pub end: u32,
}

impl ByteRange {
    /// How many bytes.
    pub fn len(&self) -> u32 {
        self.end - self.start + 1
    }

    /// Never: a range holds at least its first byte.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for ByteRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bytes={}-{}", self.start, self.end)
    }
}

/// A `Content-Range: bytes start-end/total` (or `bytes */total`, which a 416 carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    /// The range sent; `None` for `*`.
    pub range: Option<ByteRange>,
    /// The whole image's length; `None` for `*`.
    pub total: Option<u32>,
}

/// What the response head says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseHead {
    /// The status code.
    pub status: u16,
    /// `Content-Length`, if given.
    pub content_length: Option<u32>,
    /// `Content-Range`, if given.
    pub content_range: Option<ContentRange>,
}

/// Why a response head or a request could not be made sense of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpError {
    /// The head is longer than [`MAX_HEAD`] (or the caller's buffer) and has not ended.
    HeadTooLong,
    /// The status line is not `HTTP/1.x NNN ...`.
    BadStatusLine,
    /// A header line has no colon, or the head is not text.
    BadHeader,
    /// `Content-Length` is not a number (or is given twice, differently).
    BadContentLength,
    /// `Content-Range` is not `bytes a-b/n`, `bytes a-b/*` or `bytes */n`.
    BadContentRange,
    /// `Transfer-Encoding` is set: the host sends images with a length, never chunked.
    Chunked,
    /// The request does not fit the buffer.
    RequestTooLong,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::HeadTooLong => "the response head is too long",
            Self::BadStatusLine => "the response has no HTTP/1.x status line",
            Self::BadHeader => "a response header is malformed",
            Self::BadContentLength => "the Content-Length is not a number",
            Self::BadContentRange => "the Content-Range is malformed",
            Self::Chunked => "the response is chunked; an image comes with its length",
            Self::RequestTooLong => "the request does not fit its buffer",
        })
    }
}

impl core::error::Error for HttpError {}

/// Writes `GET path` for `range` of the image on `host` (the `Host` header: address and port) with the board's
/// token; returns the request's length in `out`. One request per connection (`Connection: close`).
pub fn write_request(host: &str, path: &str, token: Option<&str>, range: ByteRange, out: &mut [u8]) -> Result<usize, HttpError> {
    let mut writer = Cursor { out, len: 0 };
    let written = (|| {
        write!(writer, "GET {path} HTTP/1.1\r\nHost: {host}\r\nRange: {range}\r\nConnection: close\r\n")?;
        if let Some(token) = token {
            write!(writer, "Authorization: Bearer {token}\r\n")?;
        }
        writer.write_str("\r\n")
    })();
    written.map_err(|_| HttpError::RequestTooLong)?;
    Ok(writer.len)
}

struct Cursor<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl fmt::Write for Cursor<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let end = self.len.checked_add(text.len()).filter(|&end| end <= self.out.len()).ok_or(fmt::Error)?;
        self.out[self.len..end].copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Reads a response head from the start of `received`: `Ok(None)` while it has not ended, else the head and its
/// length (the body starts there). `received` is what the connection gave so far; a head longer than
/// [`MAX_HEAD`] is refused.
pub fn parse_head(received: &[u8]) -> Result<Option<(ResponseHead, usize)>, HttpError> {
    let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") else {
        return if received.len() >= MAX_HEAD { Err(HttpError::HeadTooLong) } else { Ok(None) };
    };
    let head_len = end + 4;
    if head_len > MAX_HEAD {
        return Err(HttpError::HeadTooLong);
    }
    let text = core::str::from_utf8(&received[..end]).map_err(|_| HttpError::BadHeader)?;
    let mut lines = text.split("\r\n");
    let status = status(lines.next().unwrap_or_default())?;
    let mut head = ResponseHead { status, content_length: None, content_range: None };
    for line in lines {
        let (name, value) = line.split_once(':').ok_or(HttpError::BadHeader)?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            let length = value.parse::<u32>().map_err(|_| HttpError::BadContentLength)?;
            if head.content_length.is_some_and(|known| known != length) {
                return Err(HttpError::BadContentLength);
            }
            head.content_length = Some(length);
        } else if name.eq_ignore_ascii_case("content-range") {
            head.content_range = Some(content_range(value)?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") && !value.eq_ignore_ascii_case("identity") {
            return Err(HttpError::Chunked);
        }
    }
    Ok(Some((head, head_len)))
}

/// `HTTP/1.1 206 Partial Content` → 206.
fn status(line: &str) -> Result<u16, HttpError> {
    let rest = line.strip_prefix("HTTP/1.").ok_or(HttpError::BadStatusLine)?;
    let mut parts = rest.splitn(3, ' ');
    let minor = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    if minor.len() != 1 || !minor.bytes().all(|byte| byte.is_ascii_digit()) || code.len() != 3 {
        return Err(HttpError::BadStatusLine);
    }
    code.parse::<u16>().ok().filter(|code| (100..=599).contains(code)).ok_or(HttpError::BadStatusLine)
}

/// `bytes 0-4095/123456`, `bytes 0-4095/*`, `bytes */123456`.
fn content_range(value: &str) -> Result<ContentRange, HttpError> {
    let spec = value.strip_prefix("bytes ").ok_or(HttpError::BadContentRange)?.trim();
    let (range, total) = spec.split_once('/').ok_or(HttpError::BadContentRange)?;
    let number = |text: &str| -> Result<u32, HttpError> {
        if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(HttpError::BadContentRange);
        }
        text.parse::<u32>().map_err(|_| HttpError::BadContentRange)
    };
    let total = if total == "*" { None } else { Some(number(total)?) };
    let range = if range == "*" {
        None
    } else {
        let (start, end) = range.split_once('-').ok_or(HttpError::BadContentRange)?;
        let (start, end) = (number(start)?, number(end)?);
        if end < start || total.is_some_and(|total| end >= total) {
            return Err(HttpError::BadContentRange);
        }
        Some(ByteRange { start, end })
    };
    if range.is_none() && total.is_none() {
        return Err(HttpError::BadContentRange);
    }
    Ok(ContentRange { range, total })
}
