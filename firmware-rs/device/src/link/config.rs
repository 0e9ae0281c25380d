//! Settings for the host link: who the device is, and its timers.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use sysboy_protocol::{Button, Chip, Hello, Output, Validate, PROTOCOL_VERSION};

use crate::screen::ScreenSpec;

/// Why link settings were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkConfigError {
    /// The hello these settings make breaks the schema (a bad device id, no outputs, a short token...).
    BadHello(&'static str),
    /// A timer of 0 ms, or a backoff whose floor is above its ceiling.
    BadTimer(&'static str),
}

impl fmt::Display for LinkConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadHello(field) => write!(f, "the hello would be refused: bad {field}"),
            Self::BadTimer(timer) => write!(f, "the {timer} timer is unusable"),
        }
    }
}

impl core::error::Error for LinkConfigError {}

/// Who the device is, and how the link times things.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkConfig {
    pub(super) hello: Hello,
    pub(super) heartbeat_ms: u32,
    pub(super) status_ms: u32,
    pub(super) silence_ms: u32,
    pub(super) welcome_timeout_ms: u32,
    pub(super) backoff_min_ms: u32,
    pub(super) backoff_max_ms: u32,
    pub(super) auth_backoff_ms: u32,
}

impl LinkConfig {
    /// A device with this id, firmware version, chip and outputs; no buttons and no token yet.
    pub fn new(device: &str, firmware: &str, chip: Chip, outputs: Vec<Output>) -> Result<Self, LinkConfigError> {
        Self {
            hello: Hello {
                protocol: PROTOCOL_VERSION,
                device: String::from(device),
                firmware: String::from(firmware),
                chip,
                outputs,
                buttons: Vec::new(),
                token: None,
                stream_buffer: None,
                encodings: None,
                flow_control: Some(true),
            },
            heartbeat_ms: 10_000,
            status_ms: 15_000,
            silence_ms: 30_000,
            welcome_timeout_ms: 5_000,
            backoff_min_ms: 500,
            backoff_max_ms: 30_000,
            auth_backoff_ms: 300_000,
        }
        .checked()
    }

    /// Sets the buttons announced in the hello.
    pub fn with_buttons(mut self, buttons: Vec<Button>) -> Self {
        self.hello.buttons = buttons;
        self
    }

    /// Adds the board's screens to the outputs the hello announces (kind `oled` or `tft`, with their size).
    pub fn with_screens(mut self, screens: &[ScreenSpec]) -> Self {
        self.hello.outputs.extend(screens.iter().map(ScreenSpec::output));
        self
    }

    /// Announces that the device takes streams on its TFTs: binary frames up to `stream_buffer` bytes (1024 to
    /// 65536; the board's receive and LZ4 buffers must hold that much) in every encoding of
    /// [`ENCODINGS`](crate::stream::ENCODINGS). Without it the device takes no stream and refuses binary frames.
    pub fn with_stream_buffer(mut self, stream_buffer: usize) -> Self {
        // A size past u32 is past the schema's bound too: `checked` refuses it.
        self.hello.stream_buffer = Some(u32::try_from(stream_buffer).unwrap_or(u32::MAX));
        self.hello.encodings = Some(crate::stream::ENCODINGS.to_vec());
        self
    }

    /// Sets the pairing token presented in the hello.
    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.hello.token = token;
        self
    }

    /// Sets how often an idle live link sends a heartbeat.
    pub fn with_heartbeat_ms(mut self, heartbeat_ms: u32) -> Self {
        self.heartbeat_ms = heartbeat_ms;
        self
    }

    /// Sets how often a live link reports its status (heap, RSSI, addresses) to the host.
    pub fn with_status_ms(mut self, status_ms: u32) -> Self {
        self.status_ms = status_ms;
        self
    }

    /// Sets how long the host may stay silent before the link is dropped and retried.
    pub fn with_silence_ms(mut self, silence_ms: u32) -> Self {
        self.silence_ms = silence_ms;
        self
    }

    /// Sets the first and the largest reconnect delay.
    pub fn with_backoff_ms(mut self, min: u32, max: u32) -> Self {
        self.backoff_min_ms = min;
        self.backoff_max_ms = max;
        self
    }

    /// Sets the wait after the host refuses the token, long so a wrong token never hammers the host.
    pub fn with_auth_backoff_ms(mut self, auth_backoff_ms: u32) -> Self {
        self.auth_backoff_ms = auth_backoff_ms;
        self
    }

    /// The hello this device sends.
    pub fn hello(&self) -> &Hello {
        &self.hello
    }

    /// Returns the settings if the hello is valid and the timers usable.
    pub fn checked(self) -> Result<Self, LinkConfigError> {
        if let Err(error) = self.hello.validate() {
            return Err(LinkConfigError::BadHello(error.field));
        }
        for (value, name) in [
            (self.heartbeat_ms, "heartbeat"),
            (self.status_ms, "status"),
            (self.silence_ms, "silence"),
            (self.welcome_timeout_ms, "welcome"),
            (self.backoff_min_ms, "backoff"),
            (self.auth_backoff_ms, "auth backoff"),
        ] {
            if value == 0 {
                return Err(LinkConfigError::BadTimer(name));
            }
        }
        if self.backoff_min_ms > self.backoff_max_ms {
            return Err(LinkConfigError::BadTimer("backoff"));
        }
        Ok(self)
    }
}
