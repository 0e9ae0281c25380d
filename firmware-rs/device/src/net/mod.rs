//! The network edges every wiring shares: thin async tasks around the sans-IO cores, so the ESP32 binary and the
//! simulator run the same portal servers, host discovery, station loop and provisioning driver.
//!
//! # Overview
//! [`supervision`] (always built) decides what to do when the joined network goes away, [`session_config`]
//! applies the host's config to a meter, and [`settings_keeper`] saves settings changes and erases them, for
//! whichever task owns the flash. With the `embassy-net`
//! feature the async edges are built too, over embassy-net sockets and embassy-time:
//! - [`portal`]: the access point's DHCP, DNS and HTTP servers;
//! - [`discovery`]: the mDNS search for the host;
//! - [`station`]: find the host, open TCP, run [`crate::io::run_session`], back off, for ever;
//! - [`provisioning`]: [`crate::provisioning::Provisioning`] carried out over a [`crate::radio::Radio`], the
//!   settings store and the portal, and [`supervision`] once joined.
//!
//! The functions never return and are not generic-free, so each binary wraps them in its own
//! `#[embassy_executor::task]` (embassy tasks cannot be generic); the wiring reports through small traits.
//!
//! # Example
//! ```text
//! #[embassy_executor::task]
//! async fn dns(stack: Stack<'static>) -> ! { sysboy_device::net::portal::dns(stack, AP_ADDRESS).await }
//! ```

pub mod session_config;
pub mod settings_keeper;
pub mod supervision;

#[cfg(feature = "embassy-net")]
pub mod discovery;
#[cfg(feature = "embassy-net")]
pub mod portal;
#[cfg(feature = "embassy-net")]
pub mod provisioning;
#[cfg(feature = "embassy-net")]
pub mod station;
