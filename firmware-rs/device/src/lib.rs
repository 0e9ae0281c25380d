//! Sysboy device logic that names no chip: the WebSocket codec, the host link, mDNS discovery of the host, the
//! meter, the screens and the TFT's stream, the button, the settings store and updates over the air ([`ota`]). The pure parts are sans-IO (the caller brings bytes, buffers, the
//! clock and random numbers), so the ESP32 binary and the simulated device wire the same code, and it is tested
//! on the host. [`board`] is what every board has (its output and button, hello, status and meter drive), so the
//! two binaries only wire hardware. With the `embassy-net` feature, [`net`] adds the async network edges (portal
//! servers, discovery, the station and the provisioning driver) that both binaries run.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

pub mod board;
pub mod button;
pub mod discovery;
pub mod improv;
pub mod io;
pub mod link;
pub mod meter;
pub mod net;
pub mod ota;
pub mod portal;
pub mod provisioning;
pub mod radio;
pub mod screen;
pub mod settings;
pub mod status_light;
pub mod stream;
pub mod ws;
