//! Improv Wi-Fi over a serial port: a new board takes its home network's name and password over the USB port it was
//! just flashed through (ESP Web Tools and other Improv clients), beside the captive portal.
//!
//! # Overview
//! The protocol is the one at <https://www.improv-wifi.com/serial/> (the `improv-wifi/website` repository's
//! `src/serial.md`), with the state and error values the BLE page (<https://www.improv-wifi.com/ble/>) adds:
//! - [`packet`]: the frame (`IMPROV`, version 1, type, length, data, checksum = the sum of the bytes before it modulo
//!   256), its encoder, and a [`packet::Decoder`] that finds frames among log lines and noise on the same port and
//!   in reads cut anywhere;
//! - [`service`]: the [`ImprovService`] state machine. Every RPC that is taken is first answered with the error
//!   state "no error", as the spec asks. Wi-Fi settings (`0x01`) are checked by the portal form's rules
//!   ([`crate::portal::form::check_ssid`], [`crate::portal::form::check_password`]) and handed on as the same
//!   [`crate::portal::form::Submission`] a form makes, so the provisioning driver saves them (atomically, before the
//!   join) and joins exactly as after the portal; the state goes to provisioning, then to provisioned with the RPC
//!   result that carries the URL to open ([`service::next_url`]: the host's dashboard when known, else the board's
//!   address), or to the error "unable to connect". The current state (`0x02`, with the URL result when provisioned),
//!   the device information (`0x03`: firmware name, version, chip, device name), the scan (`0x04`: one result of
//!   SSID, RSSI and `YES`/`NO` for a password per network, then an empty one), the hostname and device name (`0x05`,
//!   `0x06`: read only; a set is an unknown RPC) and the network state (`0x07`) are answered from what the service
//!   knows. A bad checksum, another version, a packet that is not an RPC, lengths that disagree or overrun, or
//!   settings the rules refuse get the error "invalid RPC packet"; an unknown command "unknown RPC"; nothing is
//!   handed on for any of them.
//! - with the `embassy-net` feature, `io`: the task both binaries run over their serial port.
//!
//! # Configuration
//! [`service::DeviceInfo`] names the firmware and the board; [`service::Kept`] is what a Wi-Fi change over Improv
//! keeps of the saved settings (host, token, country), since Improv carries only the SSID and the password.
//!
//! # Example
//! ```
//! use sysboy_device::improv::packet::{command, encode, PacketType};
//! use sysboy_device::improv::service::{DeviceInfo, Heard, ImprovService, Kept};
//! let info = DeviceInfo { firmware: "Sysboy".into(), version: "0.1.0".into(), chip: "sim".into(), name: "sim-1".into() };
//! let mut improv = ImprovService::new(info, Kept::default());
//! let (mut request, mut answer) = (Vec::new(), Vec::new());
//! encode(PacketType::Rpc as u8, &[command::DEVICE_INFO, 0], &mut request).unwrap();
//! let heard = improv.receive(&request, &[], &mut answer);
//! assert_eq!(heard, vec![Heard::Answered(command::DEVICE_INFO)]);
//! assert!(answer.windows(6).any(|w| w == b"Sysboy"));
//! ```

#[cfg(feature = "embassy-net")]
pub mod io;
pub mod packet;
pub mod service;
#[cfg(test)]
mod tests;

pub use service::{DeviceInfo, Heard, ImprovService, Kept, Network, Refusal};

/// The firmware name every Sysboy board gives in its device information.
pub const FIRMWARE: &str = "Sysboy";
