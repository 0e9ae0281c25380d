//! The portal's HTTP workers in the simulator: `sysboy_device::net::portal::http_worker` on the access point's
//! stack, as the ESP32 runs them.

use core::cell::RefCell;

use embassy_net::Stack;
use sysboy_device::net::portal;
use sysboy_device::portal::server::PortalServer;

pub use sysboy_device::net::portal::{Submissions, WORKERS};

/// One HTTP worker.
#[embassy_executor::task(pool_size = WORKERS)]
pub async fn serve(stack: Stack<'static>, portal: &'static RefCell<PortalServer>, submissions: &'static Submissions) -> ! {
    portal::http_worker(stack, portal, submissions).await
}
