//! The update's IO beside a session: a second connection to the host that fetches the image's ranges over plain
//! HTTP/1.1 into the caller's [`FETCH_BUFFER`], its bytes handed to the link's [`Updater`](crate::ota::Updater)
//! and the erases and writes it asks for to the board's [`UpdateSlots`](crate::ota::UpdateSlots), straight from
//! that buffer, and the status for every progress report.

use core::fmt;

use embassy_futures::select::{select, Either};
use embedded_io_async::{Read, Write};

use super::{Board, LiveSession, SessionEnd};
use crate::link::LinkState;
use crate::ota::http::{parse_head, write_request, MAX_HEAD};
use crate::ota::{Steps, UpdateStep};

/// The fetch's read buffer ([`Buffers::fetch`](super::Buffers::fetch)): bytes read from the fetch connection at a
/// time; the response head must fit it too.
pub const FETCH_BUFFER: usize = MAX_HEAD + 512;
/// A connection to the host that takes longer than this to open has failed.
pub const FETCH_CONNECT_TIMEOUT_MS: u64 = 5_000;

/// Why the fetch connection could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchError {
    /// The wiring gives the session no second connection.
    Unavailable,
    /// The host did not accept the connection.
    Refused,
    /// The connection was not up within [`FETCH_CONNECT_TIMEOUT_MS`].
    Timeout,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unavailable => "this board opens no second connection to the host",
            Self::Refused => "the host refused the connection for the image",
            Self::Timeout => "the connection for the image did not open in time",
        })
    }
}

impl core::error::Error for FetchError {}

/// A second connection to the host the session talks to (the same address and port), for the image's ranges:
/// one request per connection. The station wires it to an embassy-net `TcpSocket` with its own buffers.
#[allow(async_fn_in_trait)]
pub trait Fetch: Read + Write {
    /// Opens the connection, closing the last one first.
    async fn connect(&mut self) -> Result<(), FetchError>;
    /// Closes the connection (its response was read, or is given up).
    async fn close(&mut self);
}

/// The fetch of a wiring without one: every update fails at its first range.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFetch;

impl embedded_io_async::ErrorType for NoFetch {
    type Error = core::convert::Infallible;
}

impl Read for NoFetch {
    async fn read(&mut self, _buf: &mut [u8]) -> Result<usize, Self::Error> {
        Ok(0)
    }
}

impl Write for NoFetch {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Ok(buf.len())
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl Fetch for NoFetch {
    async fn connect(&mut self) -> Result<(), FetchError> {
        Err(FetchError::Unavailable)
    }
    async fn close(&mut self) {}
}

/// The fetch's read buffer, and the range's response being read into it.
pub(super) struct Download<'a> {
    buf: &'a mut [u8],
    /// Whether a range's connection is open.
    open: bool,
    /// Head bytes gathered in `buf` until the head has ended.
    len: usize,
    head_read: bool,
}

impl<'a> Download<'a> {
    /// No download yet, reading into `buf` when there is one.
    pub(super) fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, open: false, len: 0, head_read: false }
    }

    /// Whether a range's connection is open.
    pub(super) fn is_open(&self) -> bool {
        self.open
    }

    /// Where the next read goes, while a range's connection is open.
    pub(super) fn space(&mut self) -> Option<&mut [u8]> {
        match (self.open, self.head_read) {
            (false, _) => None,
            (true, true) => Some(&mut self.buf[..]),
            (true, false) => Some(&mut self.buf[self.len..]),
        }
    }

    fn start(&mut self) {
        (self.open, self.len, self.head_read) = (true, 0, false);
    }
}

/// After anything the session did: confirms the running image once the host welcomed it, sends the update's
/// progress reports, and opens the next range's connection when the download wants one.
pub(super) async fn drive<S: Write, F: Fetch, B: Board>(
    session: &mut LiveSession<'_, S, B>,
    fetch: &mut F,
    download: &mut Download<'_>,
) -> Result<(), SessionEnd> {
    let (link, board) = (&mut *session.link, &mut *session.board);
    if link.updater().take_confirm() {
        // A board that cannot confirm logs it in its own `mark_valid`; the session goes on either way.
        if let Some(slots) = board.update_slots() {
            let _ = slots.mark_valid();
        }
    }
    if download.open && link.updater().pending_range().is_none() {
        // The range is in, or the update ended: this connection is done.
        download.open = false;
        fetch.close().await;
    }
    if !download.open {
        if let Some(range) = link.updater().next_fetch(board.now_ms()) {
            let opened = if download.buf.len() < FETCH_BUFFER {
                Err(alloc::format!("the session has {} bytes to read the image into, not {FETCH_BUFFER}", download.buf.len()))
            } else {
                // The request presents the token the hello presents (the issued credential once paired).
                let token = link.token().or(session.target.token).map(alloc::string::String::from);
                open(fetch, board, session.target.host, link.updater().path().unwrap_or("/"), token.as_deref(), range).await
            };
            match opened {
                Ok(()) => download.start(),
                Err(reason) => {
                    fetch.close().await;
                    link.updater().fail(board.now_ms(), &reason);
                }
            }
        }
    }
    send_reports(session).await
}

/// Opens the connection and writes the request for `range`.
async fn open<F: Fetch, B: Board>(
    fetch: &mut F,
    board: &mut B,
    host: &str,
    path: &str,
    token: Option<&str>,
    range: crate::ota::http::ByteRange,
) -> Result<(), alloc::string::String> {
    let deadline = board.now_ms() + FETCH_CONNECT_TIMEOUT_MS;
    let connected = match select(fetch.connect(), board.sleep_until(deadline)).await {
        Either::First(connected) => connected,
        Either::Second(()) => Err(FetchError::Timeout),
    };
    connected.map_err(|error| alloc::format!("{error}"))?;
    let mut request = [0u8; 512];
    let n = write_request(host, path, token, range, &mut request).map_err(|error| alloc::format!("{error}"))?;
    fetch.write_all(&request[..n]).await.map_err(|_| alloc::string::String::from("the request for the image could not be sent"))?;
    Ok(())
}

/// What a read from the fetch connection gave: `read` bytes into [`Download::space`], or the end (0 or an error).
pub(super) async fn received<S: Write, F: Fetch, B: Board>(
    session: &mut LiveSession<'_, S, B>,
    fetch: &mut F,
    download: &mut Download<'_>,
    read: Option<usize>,
) -> Result<(), SessionEnd> {
    let now = session.board.now_ms();
    if !download.open {
        return Ok(());
    }
    let updater = session.link.updater();
    match read {
        None | Some(0) => {
            let why = if read.is_none() { "the connection failed" } else { "the host closed the connection" };
            updater.ended(now, why);
            download.open = false;
            fetch.close().await;
        }
        Some(read) if download.head_read => {
            let steps = updater.body(now, &download.buf[..read]);
            return carry_out_steps(session, steps).await;
        }
        Some(read) => {
            download.len += read;
            let len = download.len;
            match parse_head(&download.buf[..len]) {
                Ok(None) if len == download.buf.len() => updater.fail(now, "the response head is too long"),
                Ok(None) => {}
                Ok(Some((head, used))) => {
                    download.head_read = true;
                    updater.response(now, &head);
                    if len > used && updater.pending_range().is_some() {
                        let steps = updater.body(now, &download.buf[used..len]);
                        return carry_out_steps(session, steps).await;
                    }
                }
                Err(error) => updater.fail(now, &alloc::format!("{error}")),
            }
        }
    }
    Ok(())
}

/// Erases and writes the slot as the steps say and, at the end, activates it, reports restarting and restarts the
/// board.
async fn carry_out_steps<S: Write, B: Board>(session: &mut LiveSession<'_, S, B>, mut steps: Steps<'_>) -> Result<(), SessionEnd> {
    while let Some(step) = steps.next_step() {
        let done = match (step, session.board.update_slots()) {
            (_, None) => Err(alloc::string::String::from("this board has no OTA slot")),
            (UpdateStep::Erase { offset }, Some(slots)) => {
                slots.erase(offset).map_err(|error| alloc::format!("erasing the slot at 0x{offset:x}: {error}"))
            }
            (UpdateStep::Write { offset, data }, Some(slots)) => {
                slots.write(offset, data).map_err(|error| alloc::format!("writing the slot at 0x{offset:x}: {error}"))
            }
            (UpdateStep::Activate { size }, Some(slots)) => slots.activate(size).map_err(|error| alloc::format!("activating the slot: {error}")),
        };
        let now = session.board.now_ms();
        if let Err(reason) = done {
            session.link.updater().fail(now, &reason);
            return send_reports(session).await;
        }
        if matches!(step, UpdateStep::Activate { .. }) {
            session.link.updater().activated(now);
            send_reports(session).await?;
            let _ = session.socket.flush().await;
            session.board.restart();
            return Err(SessionEnd::Restarted);
        }
    }
    send_reports(session).await
}

/// Sends a status for each progress report queued, while the session is live.
async fn send_reports<S: Write, B: Board>(session: &mut LiveSession<'_, S, B>) -> Result<(), SessionEnd> {
    if session.link.state() != LinkState::Live {
        return Ok(());
    }
    while let Some(progress) = session.link.updater().take_report() {
        session.board.update_reported(&progress);
        let message = session.status(Some(progress));
        session.send(&message).await?;
    }
    Ok(())
}
