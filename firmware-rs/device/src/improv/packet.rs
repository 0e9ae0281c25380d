//! Improv serial packets: the frame (`IMPROV`, version, type, length, data, checksum), its encoder, and a byte-stream
//! decoder that finds frames among anything else on the port.
//!
//! The frame, as <https://www.improv-wifi.com/serial/> ("Packet format") lays it out: bytes 1-6 `IMPROV`, byte 7 the
//! version (1), byte 8 the type, byte 9 the data's length, then the data, then a checksum that is the sum of every
//! byte before it, modulo 256. The length is one byte, so the data is at most 255 bytes.

use alloc::vec::Vec;

/// The six bytes every frame starts with.
pub const HEADER: &[u8; 6] = b"IMPROV";
/// The protocol version this device speaks ("CURRENT VERSION = 1").
pub const VERSION: u8 = 1;
/// The most data one frame carries: its length is a single byte.
pub const MAX_DATA: usize = u8::MAX as usize;
/// The longest frame: header, version, type, length, data and checksum.
pub const MAX_FRAME: usize = HEADER.len() + 3 + MAX_DATA + 1;

/// The packet types ("The packet types are").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum PacketType {
    /// `0x01`, device to client: the provisioning state.
    CurrentState = 0x01,
    /// `0x02`, device to client: the error state.
    ErrorState = 0x02,
    /// `0x03`, client to device: an RPC command.
    Rpc = 0x03,
    /// `0x04`, device to client: an RPC's result.
    RpcResult = 0x04,
}

/// The current state ("Packet: Current State"; `0x01` is the BLE page's "Authorization required").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// `0x01`: the device wants a physical confirmation first (this one never does).
    AuthorizationRequired = 0x01,
    /// `0x02`: ready to accept credentials.
    Authorized = 0x02,
    /// `0x03`: credentials received, a join is under way.
    Provisioning = 0x03,
    /// `0x04`: the join succeeded.
    Provisioned = 0x04,
}

/// The error state ("Packet: Error state"; `0x04` is the BLE page's "Not authorized").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ErrorCode {
    /// `0x00`: no current error; sent first for every RPC the device takes.
    None = 0x00,
    /// `0x01`: the RPC packet was malformed or invalid.
    InvalidRpc = 0x01,
    /// `0x02`: the command is unknown.
    UnknownRpc = 0x02,
    /// `0x03`: the credentials were received and the join failed.
    UnableToConnect = 0x03,
    /// `0x04`: the device is not authorized to take the command.
    NotAuthorized = 0x04,
    /// `0x05`: the hostname given is not acceptable.
    BadHostname = 0x05,
    /// `0xFF`: anything else.
    Unknown = 0xFF,
}

/// The RPC commands ("RPC Command: ..." sections).
pub mod command {
    /// `0x01`: send Wi-Fi settings (SSID and password).
    pub const WIFI_SETTINGS: u8 = 0x01;
    /// `0x02`: request the current state.
    pub const CURRENT_STATE: u8 = 0x02;
    /// `0x03`: request device information.
    pub const DEVICE_INFO: u8 = 0x03;
    /// `0x04`: request the scanned Wi-Fi networks.
    pub const SCAN: u8 = 0x04;
    /// `0x05`: get (or set) the hostname.
    pub const HOSTNAME: u8 = 0x05;
    /// `0x06`: get (or set) the device name.
    pub const DEVICE_NAME: u8 = 0x06;
    /// `0x07`: get the network state.
    pub const NETWORK_STATE: u8 = 0x07;
}

/// The sum of `bytes`, modulo 256: the frame's last byte.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |sum, &b| sum.wrapping_add(b))
}

/// Data longer than one frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong;

impl core::fmt::Display for TooLong {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "more than {MAX_DATA} bytes of Improv data")
    }
}

impl core::error::Error for TooLong {}

/// Appends one frame of `kind` carrying `data` to `out`, followed by a newline: clients read the port line by line,
/// so a frame that ends its line is never glued to the next log line (sdk-serial-js ends its own frames so too).
pub fn encode(kind: u8, data: &[u8], out: &mut Vec<u8>) -> Result<(), TooLong> {
    let length = u8::try_from(data.len()).map_err(|_| TooLong)?;
    let start = out.len();
    out.extend_from_slice(HEADER);
    out.extend_from_slice(&[VERSION, kind, length]);
    out.extend_from_slice(data);
    let sum = checksum(&out[start..]);
    out.push(sum);
    out.push(b'\n');
    Ok(())
}

/// Appends an RPC result for `command` carrying `strings` (each a length byte and its bytes, "Packet: RPC Result").
pub fn encode_result<S: AsRef<[u8]>>(command: u8, strings: &[S], out: &mut Vec<u8>) -> Result<(), TooLong> {
    let mut data = alloc::vec![command, 0];
    for string in strings {
        let string = string.as_ref();
        data.push(u8::try_from(string.len()).map_err(|_| TooLong)?);
        data.extend_from_slice(string);
    }
    data[1] = u8::try_from(data.len() - 2).map_err(|_| TooLong)?;
    encode(PacketType::RpcResult as u8, &data, out)
}

/// One thing found in the byte stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A whole frame with a good checksum.
    Frame {
        /// Its type byte.
        kind: u8,
        /// Its data.
        data: Vec<u8>,
    },
    /// A frame whose checksum is wrong: the sum of its bytes was `computed`, it said `sent`.
    BadChecksum {
        /// What the frame carried.
        sent: u8,
        /// What its bytes add up to.
        computed: u8,
    },
    /// A header with a version this device does not speak.
    BadVersion(u8),
}

/// Finds frames in a byte stream, however it is cut into reads.
///
/// Bytes that are not part of a frame (log lines, a terminal's keystrokes, noise) are skipped; a frame can start
/// anywhere, even in the middle of a line. When a frame that looked started turns out bad, the bytes after its first
/// are searched again, so a false `IMPROV` in the noise never swallows a real frame that follows it (the real one is
/// found once as many bytes as the false header claimed have come; clients resend their requests, sdk-serial-js every
/// second while it waits).
///
/// The bytes are held in a buffer of one frame's length inside the decoder, and a search again replays them from an
/// index into it: decoding allocates nothing but the data of the frames it finds.
#[derive(Debug, Clone)]
pub struct Decoder {
    /// The frame under way is `held[start..end]`, from its `I`; nothing is held when they are equal.
    held: [u8; MAX_FRAME],
    start: usize,
    end: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder waiting for a header.
    pub const fn new() -> Self {
        Self { held: [0; MAX_FRAME], start: 0, end: 0 }
    }

    /// Feeds `bytes` and appends what they complete to `found`.
    pub fn feed(&mut self, bytes: &[u8], found: &mut Vec<Decoded>) {
        for &byte in bytes {
            self.push(byte, found);
        }
    }

    fn push(&mut self, byte: u8, found: &mut Vec<Decoded>) {
        if self.end == MAX_FRAME {
            // A frame under way is shorter than MAX_FRAME (one that long is complete, and settled), so moving it to
            // the front makes room.
            self.held.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        self.held[self.end] = byte;
        self.end += 1;
        // Bytes from `start` to `cursor` are the frame so far; those from `cursor` to `end` are still to look at: the
        // new one, and after a failed frame, what it had taken in.
        let mut cursor = self.end - 1;
        while cursor < self.end {
            let byte = self.held[cursor];
            let at = cursor - self.start;
            cursor += 1;
            let failed = if at < HEADER.len() {
                // `IMPROV` repeats no prefix of itself but the `I`, so a mismatch restarts at this byte, or not at all.
                if byte != HEADER[at] {
                    self.start = if byte == HEADER[0] { cursor - 1 } else { cursor };
                }
                None
            } else if at == HEADER.len() && byte != VERSION {
                Some(Decoded::BadVersion(byte))
            } else if at >= HEADER.len() + 2 && at + 1 == HEADER.len() + 3 + usize::from(self.held[self.start + HEADER.len() + 2]) + 1 {
                let frame = &self.held[self.start..cursor];
                let (body, sent) = frame.split_at(frame.len() - 1);
                let (sent, computed) = (sent[0], checksum(body));
                if sent == computed {
                    let kind = frame[HEADER.len() + 1];
                    let data = frame[HEADER.len() + 3..frame.len() - 1].to_vec();
                    self.start = cursor;
                    found.push(Decoded::Frame { kind, data });
                    None
                } else {
                    Some(Decoded::BadChecksum { sent, computed })
                }
            } else {
                None
            };
            if let Some(problem) = failed {
                found.push(problem);
                // Look again from the byte after this frame's `I`, ahead of anything not yet looked at.
                self.start += 1;
                cursor = self.start;
            }
        }
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        }
    }

    /// Whether part of a frame is held, waiting for more bytes.
    pub fn is_mid_frame(&self) -> bool {
        self.start != self.end
    }
}
