//! The WebSocket to the host over any async byte stream (an embassy-net `TcpSocket` here): the upgrade, then
//! text frames in and out, with pings answered and the server's close echoed. The codec is `sysboy_device::ws`;
//! this is only the I/O around it, in buffers the caller provides.

use std::fmt;

use embedded_io_async::{Read, Write};
use sysboy_device::ws::{self, Decoder, Event, FrameError, Handshake, HandshakeError};

/// The largest message taken from the host; a welcome with calibration curves fits with room to spare.
pub const MAX_MESSAGE: usize = 2048;
/// Bytes read but not yet decoded: one message plus a frame header.
pub const READ_BUFFER: usize = MAX_MESSAGE + ws::MAX_HEADER;
/// The largest frame sent: a hello or a status plus a frame header.
pub const WRITE_BUFFER: usize = 1024;

/// The buffers one socket works in.
pub struct SocketBuffers {
    message: [u8; MAX_MESSAGE],
    read: [u8; READ_BUFFER],
    write: [u8; WRITE_BUFFER],
}

impl SocketBuffers {
    /// Zeroed buffers.
    pub const fn new() -> Self {
        Self { message: [0; MAX_MESSAGE], read: [0; READ_BUFFER], write: [0; WRITE_BUFFER] }
    }
}

impl Default for SocketBuffers {
    fn default() -> Self {
        Self::new()
    }
}

/// Why the socket ended or could not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketError {
    /// The byte stream failed (reset, aborted, timed out).
    Io(embedded_io_async::ErrorKind),
    /// The stream ended without a close frame.
    Ended,
    /// The upgrade was refused or malformed; `Status(401)` means a wrong token.
    Handshake(HandshakeError),
    /// The host broke RFC 6455; the close frame with the matching code was sent.
    Frame(FrameError),
    /// The host closed the WebSocket with this code and reason.
    Closed {
        /// The close code, absent when the close frame was empty.
        code: Option<u16>,
        /// Why, as the host said it.
        reason: String,
    },
    /// A frame to send does not fit in the write buffer.
    TooLarge,
}

impl fmt::Display for SocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(kind) => write!(f, "connection failed: {kind:?}"),
            Self::Ended => f.write_str("the host ended the connection"),
            Self::Handshake(error) => write!(f, "{error}"),
            Self::Frame(error) => write!(f, "{error}"),
            Self::Closed { code: Some(code), reason } => write!(f, "the host closed the socket ({code} {reason})"),
            Self::Closed { code: None, .. } => f.write_str("the host closed the socket"),
            Self::TooLarge => f.write_str("a frame does not fit in the write buffer"),
        }
    }
}

impl std::error::Error for SocketError {}

fn io_error<E: embedded_io_async::Error>(error: E) -> SocketError {
    SocketError::Io(error.kind())
}

/// An open WebSocket to the host.
pub struct HostSocket<'b, S> {
    stream: S,
    decoder: Decoder<'b>,
    read: &'b mut [u8; READ_BUFFER],
    write: &'b mut [u8; WRITE_BUFFER],
    // Bytes in `read` not yet decoded.
    pending: usize,
}

impl<'b, S: Read + Write> HostSocket<'b, S> {
    /// Upgrades `stream` to a WebSocket at `path`. `host` is the Host header; `key` keys the handshake.
    pub async fn open(
        mut stream: S,
        buffers: &'b mut SocketBuffers,
        host: &str,
        path: &str,
        token: Option<&str>,
        key: [u8; 16],
    ) -> Result<Self, SocketError> {
        let SocketBuffers { message, read, write } = buffers;
        let handshake = Handshake::new(key);
        let len = handshake.write_request(host, path, token, write).map_err(SocketError::Handshake)?;
        stream.write_all(&write[..len]).await.map_err(io_error)?;
        stream.flush().await.map_err(io_error)?;
        let mut received = 0;
        let head = loop {
            if let Some(head) = handshake.read_response(&read[..received], read.len()).map_err(SocketError::Handshake)? {
                break head;
            }
            let n = stream.read(&mut read[received..]).await.map_err(io_error)?;
            if n == 0 {
                return Err(SocketError::Ended);
            }
            received += n;
        };
        read.copy_within(head..received, 0);
        Ok(Self { stream, decoder: Decoder::new(message), read, write, pending: received - head })
    }

    /// Sends one text frame, masked with `mask`.
    pub async fn send_text(&mut self, text: &str, mask: [u8; 4]) -> Result<(), SocketError> {
        let len = ws::encode_text(text, mask, self.write).map_err(|_| SocketError::TooLarge)?;
        self.send(len).await
    }

    /// Sends a close frame with `code`, masked with `mask`, and does not wait for the answer.
    pub async fn close(&mut self, code: u16, reason: &str, mask: [u8; 4]) -> Result<(), SocketError> {
        let len = ws::encode_close(code, reason, mask, self.write).map_err(|_| SocketError::TooLarge)?;
        self.send(len).await
    }

    async fn send(&mut self, len: usize) -> Result<(), SocketError> {
        self.stream.write_all(&self.write[..len]).await.map_err(io_error)?;
        self.stream.flush().await.map_err(io_error)
    }

    /// Waits for the next text message, answering pings and the host's close on the way (with `mask`).
    /// Cancelling it between messages loses nothing: bytes already read stay in the buffer.
    pub async fn receive(&mut self, mask: [u8; 4]) -> Result<String, SocketError> {
        loop {
            if let Some(text) = self.decode_one(mask).await? {
                return Ok(text);
            }
            if self.pending == self.read.len() {
                // The decoder refuses frames longer than its message buffer, so a full buffer cannot happen.
                return Err(SocketError::Frame(FrameError::TooBig));
            }
            let n = self.stream.read(&mut self.read[self.pending..]).await.map_err(io_error)?;
            if n == 0 {
                return Err(SocketError::Ended);
            }
            self.pending += n;
        }
    }

    // Decodes whole frames already buffered; returns a text message, or None when more bytes are needed.
    async fn decode_one(&mut self, mask: [u8; 4]) -> Result<Option<String>, SocketError> {
        loop {
            let (consumed, outcome, reply) = match self.decoder.decode(&self.read[..self.pending]) {
                Ok(decoded) => {
                    let reply = match &decoded.event {
                        Some(event) => event.reply(mask, self.write).map_err(|_| SocketError::TooLarge)?,
                        None => None,
                    };
                    let outcome = match decoded.event {
                        Some(Event::Text(text)) => Some(Ok(text.to_owned())),
                        Some(Event::Close { code, reason }) => Some(Err(SocketError::Closed { code, reason: reason.to_owned() })),
                        Some(Event::Binary(_)) => {
                            log::warn!("host: a binary frame, which the protocol does not use; ignored");
                            None
                        }
                        _ => None,
                    };
                    (decoded.consumed, outcome, reply)
                }
                Err(error) => {
                    let len = error.close_frame(mask, self.write).map_err(|_| SocketError::TooLarge)?;
                    self.send(len).await?;
                    return Err(SocketError::Frame(error));
                }
            };
            if let Some(len) = reply {
                self.send(len).await?;
            }
            if consumed == 0 {
                return Ok(None);
            }
            self.read.copy_within(consumed..self.pending, 0);
            self.pending -= consumed;
            match outcome {
                Some(Ok(text)) => return Ok(Some(text)),
                Some(Err(closed)) => return Err(closed),
                None => {}
            }
        }
    }
}
