//! A small HTTP/1.x request parser with hard size limits, and the response head writer, for the portal.
//!
//! The parser is sans-IO: the caller keeps reading into its own buffer and calls [`parse`] on what it has. It
//! answers [`Parsed::Partial`] until a whole request (head and `Content-Length` body) is there, and refuses
//! anything larger than the [`Limits`] before it is read in full, so a client cannot make the device buffer more.

use core::fmt;

/// How large a request may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Request line and headers, bytes, including the blank line.
    pub head: usize,
    /// Body, bytes.
    pub body: usize,
    /// Number of header lines.
    pub headers: usize,
}

impl Limits {
    /// The portal's limits: enough for a browser's headers and the form, nothing more.
    pub const PORTAL: Limits = Limits { head: 2048, body: 1024, headers: 32 };
}

/// The request methods the portal serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// HEAD: GET without the body.
    Head,
    /// POST.
    Post,
    /// Anything else, answered 405.
    Other,
}

/// One complete request, borrowing the caller's buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    /// The method.
    pub method: Method,
    /// The path, without the query.
    pub path: &'a str,
    /// The query after `?`, if any.
    pub query: Option<&'a str>,
    /// The `Host` header, if any.
    pub host: Option<&'a str>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The body (`Content-Length` bytes).
    pub body: &'a [u8],
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpError {
    /// Larger than the limits: answered 413.
    TooLarge,
    /// Not HTTP/1.x as the portal reads it: answered 400.
    Malformed,
}

impl HttpError {
    /// The status code that answers it.
    pub const fn status(self) -> u16 {
        match self {
            Self::TooLarge => 413,
            Self::Malformed => 400,
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooLarge => "the request is larger than the portal accepts",
            Self::Malformed => "the request is not HTTP/1.x as the portal reads it",
        })
    }
}

impl core::error::Error for HttpError {}

/// What the bytes so far amount to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<'a> {
    /// Not a whole request yet; read more (the limits are not exceeded).
    Partial,
    /// A whole request and how many bytes of the buffer it used.
    Complete(Request<'a>, usize),
}

/// Parses the request at the start of `bytes`.
pub fn parse(bytes: &[u8], limits: Limits) -> Result<Parsed<'_>, HttpError> {
    let Some(head_end) = find(bytes, b"\r\n\r\n") else {
        if bytes.len() >= limits.head {
            return Err(HttpError::TooLarge);
        }
        // A line that already cannot be HTTP need not wait for the rest.
        return match bytes.iter().position(|&b| b == b'\n') {
            Some(end) => request_line(trim_cr(&bytes[..end])).map(|_| Parsed::Partial),
            None => Ok(Parsed::Partial),
        };
    };
    let head_len = head_end + 4;
    if head_len > limits.head {
        return Err(HttpError::TooLarge);
    }
    let head = core::str::from_utf8(&bytes[..head_end]).map_err(|_| HttpError::Malformed)?;
    let mut lines = head.split("\r\n");
    let (method, target) = request_line(lines.next().unwrap_or_default().as_bytes())?;
    let (mut host, mut content_type, mut length) = (None, None, None);
    for (count, line) in lines.enumerate() {
        if count >= limits.headers {
            return Err(HttpError::TooLarge);
        }
        let (name, value) = line.split_once(':').ok_or(HttpError::Malformed)?;
        if name.is_empty() || !name.bytes().all(is_token) {
            return Err(HttpError::Malformed);
        }
        let value = value.trim_matches([' ', '\t']);
        if name.eq_ignore_ascii_case("host") {
            host = Some(value);
        } else if name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value);
        } else if name.eq_ignore_ascii_case("content-length") {
            let parsed: usize = value.parse().map_err(|_| HttpError::Malformed)?;
            if length.is_some_and(|known| known != parsed) {
                return Err(HttpError::Malformed);
            }
            length = Some(parsed);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // A form is a few hundred bytes; chunked bodies are not worth the code.
            return Err(HttpError::Malformed);
        }
    }
    let length = length.unwrap_or(0);
    if length > limits.body {
        return Err(HttpError::TooLarge);
    }
    let Some(body) = bytes.get(head_len..head_len + length) else { return Ok(Parsed::Partial) };
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    Ok(Parsed::Complete(Request { method, path, query, host, content_type, body }, head_len + length))
}

fn request_line(line: &[u8]) -> Result<(Method, &str), HttpError> {
    let line = core::str::from_utf8(line).map_err(|_| HttpError::Malformed)?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(HttpError::Malformed);
    };
    if method.is_empty() || !method.bytes().all(is_token) || !(version == "HTTP/1.1" || version == "HTTP/1.0") {
        return Err(HttpError::Malformed);
    }
    // The whole target, the absolute form's authority included, is visible ASCII: a control byte there is no
    // request, whether the line arrives at once or in pieces.
    if !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(HttpError::Malformed);
    }
    // Origin form, or the absolute form a proxy-minded client may send.
    let target = match target.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |at| &rest[at..]),
        None => target,
    };
    if !target.starts_with('/') {
        return Err(HttpError::Malformed);
    }
    let method = match method {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        _ => Method::Other,
    };
    Ok((method, target))
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// The reason phrase for the statuses the portal sends.
pub const fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        302 => "Found",
        303 => "See Other",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        _ => "Error",
    }
}

/// The response head did not fit the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadTooLong;

/// Writes a response head into `out`: status, content type and length, an optional `Location`, no caching,
/// and `Connection: close` (one request per connection keeps the device's sockets free).
pub fn write_head(out: &mut [u8], status: u16, content_type: &str, length: usize, location: Option<&str>) -> Result<usize, HeadTooLong> {
    let mut cursor = Cursor { out, at: 0 };
    let written = (|| -> fmt::Result {
        use fmt::Write;
        write!(cursor, "HTTP/1.1 {status} {}\r\n", reason(status))?;
        if !content_type.is_empty() {
            write!(cursor, "Content-Type: {content_type}\r\n")?;
        }
        write!(cursor, "Content-Length: {length}\r\n")?;
        if let Some(location) = location {
            write!(cursor, "Location: {location}\r\n")?;
        }
        cursor.write_str("Cache-Control: no-store\r\nConnection: close\r\n\r\n")
    })();
    written.map(|()| cursor.at).map_err(|_| HeadTooLong)
}

struct Cursor<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.at.checked_add(s.len()).filter(|&end| end <= self.out.len()).ok_or(fmt::Error)?;
        self.out[self.at..end].copy_from_slice(s.as_bytes());
        self.at = end;
        Ok(())
    }
}
