//! The async edge: one host-link session over any byte stream (an embassy-net `TcpSocket`, say), driving the
//! sans-IO [`ws`](crate::ws) codec and [`link`](crate::link) state machine.
//!
//! # Overview
//! [`run_session`] takes a connected socket, does the upgrade, sends the hello, then reads frames and runs the
//! link's timers until the session ends, and says why in [`SessionEnd`]. It writes every frame itself (pongs,
//! closes, error frames, heartbeats, button commands) and hands the rest of the link's [`Action`]s to the
//! [`Board`], which owns the meters, the screens, the settings and the clock, and fills in the `status` messages
//! (heap, RSSI, addresses, the status light, the stored curves) the link asks for; the session adds the host,
//! what the screens show and the outputs the link holds, and sends a status as soon as one of those changes (or
//! a curve is undone). A binary frame goes to the link with the board's [`Board::draw_stream`], so a
//! stream's payload is drawn straight from the receive buffer. A host that does not answer the upgrade within [`UPGRADE_TIMEOUT_MS`] ends the
//! session. With [`run_session_with_fetch`] the session also carries out an update over the air the host offers:
//! the link's [`Updater`](crate::ota::Updater) asks for the image's ranges, fetched over a second connection to
//! the same host ([`Fetch`], plain HTTP/1.1 with the session's token) beside the WebSocket into the caller's
//! [`Buffers::fetch`], and written from there, piece by piece as it comes, to the board's
//! [`UpdateSlots`](crate::ota::UpdateSlots), reported in a status at each change of state
//! and every 10 %; a checked image is activated and the board restarted ([`Board::restart`]). The first welcome
//! confirms the running image ([`UpdateSlots::mark_valid`](crate::ota::UpdateSlots::mark_valid)).
//!
//! # Configuration
//! [`Buffers`] are the caller's: `rx` holds one frame header plus the largest message, `message` sets the
//! largest message, and `tx` holds the largest frame the device sends (1 KiB is plenty). A device that takes
//! streams must take a binary frame of its whole stream buffer: `rx` at least the stream buffer plus
//! [`MAX_HEADER`](crate::ws::MAX_HEADER), and `message` at least the stream buffer. `fetch` takes an update's
//! image as it is read ([`FETCH_BUFFER`] bytes; empty when the session fetches nothing).
//!
//! # Example
//! ```text
//! let end = run_session(&mut socket, &mut link, &mut board, &target, buffers).await;
//! ```

use alloc::string::String;
use core::fmt;

use embassy_futures::select::{select, select3, Either, Either3};
use embedded_io_async::{Read, Write};
use sysboy_protocol::{DeviceMessage, ScreenShown, Status, StreamRect, UpdateProgress};

use crate::button::Gesture;
use crate::link::{Action, HostLink, LinkState};
use crate::meter::UndoError;
use crate::stream::StreamError;
use crate::ota::UpdateSlots;
use crate::ws::{close_code, encode_close, encode_text, Decoder, Event, FrameError, Handshake, HandshakeError};

mod update;

pub use update::{Fetch, FetchError, NoFetch, FETCH_BUFFER, FETCH_CONNECT_TIMEOUT_MS};

/// What the wiring provides a session: time, randomness, button gestures, and a place for the link's actions.
#[allow(async_fn_in_trait)]
pub trait Board {
    /// Milliseconds since boot.
    fn now_ms(&self) -> u64;
    /// A random number (for mask keys, the WebSocket key and backoff jitter).
    fn random(&mut self) -> u32;
    /// Waits until `now_ms()` reaches `deadline_ms`.
    async fn sleep_until(&mut self, deadline_ms: u64);
    /// A gesture since the last call, with its button id.
    fn take_gesture(&mut self) -> Option<(String, Gesture)>;
    /// Carries out an action that is not a frame: show a reading, apply a config, log an ack or a refusal.
    fn act(&mut self, action: Action);
    /// How the device is doing now, for the `status` message the link sends after the welcome and periodically;
    /// the session fills in `host`, `screens` and `held` itself. The board fills in its status light's state and
    /// the calibration curves it stores.
    fn status(&mut self) -> Status;
    /// What each screen shows now ([`Screens::shown`](crate::screen::Screens::shown)), for the status; `None` on
    /// a board without screens.
    fn screens_shown(&mut self) -> Option<alloc::vec::Vec<ScreenShown>> {
        None
    }
    /// Whether what a screen shows changed since the last call
    /// ([`Screens::take_shown_changed`](crate::screen::Screens::take_shown_changed)): the session then sends a
    /// status at once. A board without screens never says so.
    fn take_screens_changed(&mut self) -> bool {
        false
    }
    /// The link moved to `state` during the session (for a status light or a log line).
    fn link_changed(&mut self, state: LinkState) {
        let _ = state;
    }
    /// Puts the previous calibration of `output` (an output the hello announced) back in use and saves it, as the
    /// host asked; a refusal goes back to the host as a `bad_config` error. A board without a calibration
    /// history refuses.
    fn undo_calibration(&mut self, output: &str) -> Result<(), UndoError> {
        let _ = output;
        Err(UndoError::Unsupported)
    }
    /// Checks the payload of stream rectangle `rect` (its header already checked by the link) and shows it on the
    /// TFT `rect.stream` names: [`Decoder::check`](crate::stream::Decoder::check) then
    /// [`Screens::show_stream`](crate::screen::Screens::show_stream). A refusal goes back to the host as a
    /// `bad_frame` error naming the rectangle; a display that fails to take the pixels is the board's to log.
    /// Only a board whose hello announces encodings is asked; one that announces them without drawing refuses.
    fn draw_stream(&mut self, rect: &StreamRect, payload: &[u8]) -> Result<(), StreamError> {
        let _ = (rect, payload);
        Err(StreamError::NoScreen { known: alloc::string::String::from("none") })
    }
    /// The board's app slots for an update over the air; `None` (the default) on a board that has none, which
    /// also gives the link no [`Updater`](crate::ota::Updater) slot size, so offers are refused before this.
    fn update_slots(&mut self) -> Option<&mut dyn UpdateSlots> {
        None
    }
    /// The update's progress just sent to the host in a status (each change of state, every 10 %): for a log
    /// line, a screen or the simulator's report.
    fn update_reported(&mut self, progress: &sysboy_protocol::UpdateProgress) {
        let _ = progress;
    }
    /// Restarts the board into the image just activated (the status saying `restarting` has been written). A real
    /// board does not return; when this does, the session ends with [`SessionEnd::Restarted`].
    fn restart(&mut self) {}
}

/// Where to connect.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The Host header: address and port.
    pub host: &'a str,
    /// The WebSocket path, `/ws`.
    pub path: &'a str,
    /// The pairing token, sent as `Authorization: Bearer`.
    pub token: Option<&'a str>,
}

/// The caller's buffers for one session.
pub struct Buffers<'a> {
    /// Bytes received and not yet decoded.
    pub rx: &'a mut [u8],
    /// Frames being written.
    pub tx: &'a mut [u8],
    /// Reassembly of fragmented messages; its length is the largest message taken.
    pub message: &'a mut [u8],
    /// An update's image read from the fetch connection, its response head and body pieces written to the slot
    /// from here: at least [`FETCH_BUFFER`] bytes, or an update fails at its first range (empty for
    /// [`run_session`], which fetches nothing).
    pub fetch: &'a mut [u8],
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The socket failed or the peer closed it.
    Io,
    /// The upgrade failed.
    Handshake(HandshakeError),
    /// The host broke the WebSocket protocol; we closed with its code.
    Protocol(FrameError),
    /// The host closed the session, with its code.
    Closed(Option<u16>),
    /// The link asked to disconnect (a silent host, a refused token).
    Disconnected,
    /// The host did not answer the upgrade within [`UPGRADE_TIMEOUT_MS`].
    UpgradeTimeout,
    /// An update was activated and [`Board::restart`] returned.
    Restarted,
}

impl fmt::Display for SessionEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io => f.write_str("the connection failed or the host closed it"),
            Self::Handshake(error) => write!(f, "{error}"),
            Self::Protocol(error) => write!(f, "the host broke the WebSocket protocol: {error:?}"),
            Self::Closed(Some(code)) => write!(f, "the host closed the session ({code})"),
            Self::Closed(None) => f.write_str("the host closed the session"),
            Self::Disconnected => f.write_str("the device ended the session (silent host or refused token)"),
            Self::UpgradeTimeout => write!(f, "no upgrade answer within {UPGRADE_TIMEOUT_MS} ms"),
            Self::Restarted => f.write_str("the board restarts into the update"),
        }
    }
}

#[cfg(test)]
mod tests;

/// The longest `host` the schema's `Status` takes, in characters.
pub const STATUS_HOST_MAX: usize = 64;

/// How often the link's timers and the button are looked at while no frame arrives.
const POLL_MS: u64 = 50;
/// A host that has not answered the upgrade in this time is not going to.
pub const UPGRADE_TIMEOUT_MS: u64 = 5_000;

/// Runs one session on a connected socket. The link must be in `Connecting`; it ends in a backoff state. An
/// update the host offers fails at its first range: use [`run_session_with_fetch`] to fetch it.
pub async fn run_session<S: Read + Write, B: Board>(
    socket: &mut S,
    link: &mut HostLink,
    board: &mut B,
    target: &Target<'_>,
    buffers: Buffers<'_>,
) -> SessionEnd {
    run_session_with_fetch(socket, &mut NoFetch, link, board, target, buffers).await
}

/// [`run_session`], fetching the image of an update the host offers over `fetch`, a second connection to the
/// same host.
pub async fn run_session_with_fetch<S: Read + Write, F: Fetch, B: Board>(
    socket: &mut S,
    fetch: &mut F,
    link: &mut HostLink,
    board: &mut B,
    target: &Target<'_>,
    buffers: Buffers<'_>,
) -> SessionEnd {
    let Buffers { rx, tx, message, fetch: fetch_buffer } = buffers;
    link.connected();
    board.link_changed(link.state());
    let mut key = [0u8; 16];
    for chunk in key.chunks_mut(4) {
        chunk.copy_from_slice(&board.random().to_le_bytes());
    }
    let deadline = board.now_ms() + UPGRADE_TIMEOUT_MS;
    let upgraded = match select(upgrade(socket, key, target, rx, tx), board.sleep_until(deadline)).await {
        Either::First(upgraded) => upgraded,
        Either::Second(()) => Err(SessionEnd::UpgradeTimeout),
    };
    let end = match upgraded {
        Ok(leftover) => {
            // The range being fetched for an update, if any; its connection ends with the session.
            let mut download = update::Download::new(fetch_buffer);
            let state = link.state();
            let mut session = LiveSession { socket: &mut *socket, link: &mut *link, board: &mut *board, target: *target, tx, state };
            let end = session.run(fetch, &mut download, rx, message, leftover).await;
            if download.is_open() {
                fetch.close().await;
            }
            end
        }
        Err(end) => end,
    };
    let (now, random) = (board.now_ms(), board.random());
    let actions = match end {
        SessionEnd::Handshake(error) => link.upgrade_failed(now, error, random),
        SessionEnd::Disconnected => alloc::vec::Vec::new(),
        _ => link.connection_lost(now, random),
    };
    actions.into_iter().for_each(|action| board.act(action));
    board.link_changed(link.state());
    end
}

/// Writes the upgrade request and reads the answer; returns how many frame bytes followed the head in `rx`.
async fn upgrade<S: Read + Write>(
    socket: &mut S,
    key: [u8; 16],
    target: &Target<'_>,
    rx: &mut [u8],
    tx: &mut [u8],
) -> Result<usize, SessionEnd> {
    let handshake = Handshake::new(key);
    let n = handshake.write_request(target.host, target.path, target.token, tx).map_err(SessionEnd::Handshake)?;
    socket.write_all(&tx[..n]).await.map_err(|_| SessionEnd::Io)?;
    let mut len = 0;
    loop {
        let read = socket.read(&mut rx[len..]).await.map_err(|_| SessionEnd::Io)?;
        if read == 0 {
            return Err(SessionEnd::Io);
        }
        len += read;
        if let Some(head) = handshake.read_response(&rx[..len], rx.len()).map_err(SessionEnd::Handshake)? {
            rx.copy_within(head..len, 0);
            return Ok(len - head);
        }
    }
}

/// A session from the upgrade on: the socket, link and board every frame and status goes out through, and the
/// link state the board last heard of.
struct LiveSession<'a, S, B> {
    socket: &'a mut S,
    link: &'a mut HostLink,
    board: &'a mut B,
    /// Every status names its host; an update's requests present its token until the link holds its own.
    target: Target<'a>,
    /// Frames being written.
    tx: &'a mut [u8],
    state: LinkState,
}

impl<S: Read + Write, B: Board> LiveSession<'_, S, B> {
    /// Sends the hello, then decodes the frames that arrive (`len` bytes of them already in `rx`) and runs the
    /// link's timers, the button and the update until the session ends.
    async fn run<F: Fetch>(
        &mut self,
        fetch: &mut F,
        download: &mut update::Download<'_>,
        rx: &mut [u8],
        message: &mut [u8],
        mut len: usize,
    ) -> SessionEnd {
        let mut decoder = Decoder::new(message);
        let hello = self.link.upgraded(self.board.now_ms());
        self.state = self.link.state();
        self.board.link_changed(self.state);
        if let Err(end) = self.carry_out(hello).await {
            return end;
        }
        loop {
            // Decode every whole frame received so far.
            loop {
                let now = self.board.now_ms();
                let mask = self.board.random().to_le_bytes();
                let (consumed, actions, reply) = match decoder.decode(&rx[..len]) {
                    Err(error) => {
                        if let Ok(n) = error.close_frame(mask, self.tx) {
                            let _ = self.socket.write_all(&self.tx[..n]).await;
                        }
                        return SessionEnd::Protocol(error);
                    }
                    Ok(decoded) if decoded.consumed == 0 => break,
                    Ok(decoded) => {
                        let reply = decoded.event.and_then(|event| event.reply(mask, self.tx).ok().flatten());
                        let actions = match decoded.event {
                            Some(Event::Text(text)) => self.link.received_text(now, text.as_bytes()),
                            Some(Event::Binary(payload)) => self.link.received_binary(now, payload, |rect, payload| self.board.draw_stream(rect, payload)),
                            _ => alloc::vec::Vec::new(),
                        };
                        let closed = match decoded.event {
                            Some(Event::Close { code, .. }) => Some(code),
                            _ => None,
                        };
                        (decoded.consumed, actions, reply.map(|n| (n, closed)))
                    }
                };
                rx.copy_within(consumed..len, 0);
                len -= consumed;
                if let Some((n, closed)) = reply {
                    if self.socket.write_all(&self.tx[..n]).await.is_err() {
                        return SessionEnd::Io;
                    }
                    if let Some(code) = closed {
                        return SessionEnd::Closed(code);
                    }
                }
                if let Err(end) = self.settle(fetch, download, actions).await {
                    return end;
                }
            }
            if len == rx.len() {
                // The decoder refuses frames over its limit, so a full buffer means rx is smaller than a frame.
                return SessionEnd::Protocol(FrameError::TooBig);
            }
            let deadline = self.board.now_ms() + POLL_MS;
            let fetched = async {
                match download.space() {
                    Some(space) => fetch.read(space).await.ok(),
                    None => core::future::pending().await,
                }
            };
            let step = match select3(self.socket.read(&mut rx[len..]), self.board.sleep_until(deadline), fetched).await {
                Either3::First(Ok(0)) | Either3::First(Err(_)) => Err(SessionEnd::Io),
                Either3::First(Ok(read)) => {
                    len += read;
                    Ok(())
                }
                Either3::Third(read) => match update::received(self, fetch, download, read).await {
                    Ok(()) => update::drive(self, fetch, download).await,
                    Err(end) => Err(end),
                },
                Either3::Second(()) => {
                    let (now, random) = (self.board.now_ms(), self.board.random());
                    self.link.updater().poll(now);
                    let mut actions = self.link.poll(now, random);
                    while let Some((button, gesture)) = self.board.take_gesture() {
                        actions.extend(self.link.gesture(now, &button, gesture));
                    }
                    self.settle(fetch, download, actions).await
                }
            };
            if let Err(end) = step {
                return end;
            }
        }
    }
}

impl<S: Write, B: Board> LiveSession<'_, S, B> {
    /// Carries out `actions` and what may follow them: the calibration undos the host asked for, a status when what
    /// the screens show changed, and the update's next step.
    async fn settle<F: Fetch>(
        &mut self,
        fetch: &mut F,
        download: &mut update::Download<'_>,
        actions: alloc::vec::Vec<Action>,
    ) -> Result<(), SessionEnd> {
        // The board hears of a new link state before it fills in a status for these actions (the welcome's status
        // names the light as live, not as the state before).
        self.note_state();
        self.carry_out(actions).await?;
        self.undo_calibrations().await?;
        self.report_screens().await?;
        self.note_state();
        update::drive(self, fetch, download).await
    }

    /// Has the board carry out the calibration undos the host asked for, and sends back the refusals; a curve undone
    /// is reported in a status at once.
    async fn undo_calibrations(&mut self) -> Result<(), SessionEnd> {
        while let Some(output) = self.link.take_calibration_undo() {
            let actions = match self.board.undo_calibration(&output) {
                Ok(()) => self.link.status_changed(self.board.now_ms()),
                Err(error) => alloc::vec![self.link.undo_refused(self.board.now_ms(), &output, error)],
            };
            self.carry_out(actions).await?;
        }
        Ok(())
    }

    /// Sends a status when what a screen shows has changed (a press, the carousel, an alert, the data going stale).
    async fn report_screens(&mut self) -> Result<(), SessionEnd> {
        if !self.board.take_screens_changed() {
            return Ok(());
        }
        let actions = self.link.shown_changed(self.board.now_ms());
        self.carry_out(actions).await
    }

    /// Tells the board when the link has moved on since it last heard.
    fn note_state(&mut self) {
        if self.link.state() != self.state {
            self.state = self.link.state();
            self.board.link_changed(self.state);
        }
    }

    /// Writes the frames among `actions` and hands the others to the board; ends the session on `Disconnect`.
    async fn carry_out(&mut self, actions: alloc::vec::Vec<Action>) -> Result<(), SessionEnd> {
        let mut disconnect = false;
        for action in actions {
            let message = match action {
                Action::Send(message) => message,
                Action::ReportStatus => self.status(self.link.update_progress()),
                Action::Disconnect => {
                    disconnect = true;
                    continue;
                }
                other => {
                    self.board.act(other);
                    continue;
                }
            };
            self.send(&message).await?;
        }
        if !disconnect {
            return Ok(());
        }
        let mask = self.board.random().to_le_bytes();
        if let Ok(n) = encode_close(close_code::NORMAL, "", mask, self.tx) {
            let _ = self.socket.write_all(&self.tx[..n]).await;
        }
        Err(SessionEnd::Disconnected)
    }

    /// The status the board sends: it names the target's host, what the screens show, what the link holds and
    /// `update`, over whatever the board filled in.
    fn status(&mut self, update: Option<UpdateProgress>) -> DeviceMessage {
        let screens = self.board.screens_shown();
        DeviceMessage::Status(Status {
            host: Some(status_host(self.target.host)),
            screens,
            held: Some(self.link.held()),
            update,
            ..self.board.status()
        })
    }

    /// Writes `message` as one masked text frame. One too big for `tx` is a wiring mistake; dropping it keeps the
    /// session going.
    async fn send(&mut self, message: &DeviceMessage) -> Result<(), SessionEnd> {
        let Ok(text) = sysboy_protocol::encode(message) else { return Ok(()) };
        let mask = self.board.random().to_le_bytes();
        let Ok(n) = encode_text(&text, mask, self.tx) else { return Ok(()) };
        self.socket.write_all(&self.tx[..n]).await.map_err(|_| SessionEnd::Io)
    }
}

/// `host` cut to the schema's [`STATUS_HOST_MAX`] characters.
fn status_host(host: &str) -> String {
    host.chars().take(STATUS_HOST_MAX).collect()
}
