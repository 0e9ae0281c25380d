//! The simulated access point's network: a second embassy-net stack (as the ESP32's AP interface is) at
//! 192.168.4.1/24 on its own TAP, running the portal's DHCP and DNS servers from `sysboy_device::net::portal`.
//! The kernel side of that TAP plays the user's phone or laptop.

use embassy_net::{Runner, Stack, StackResources};
use static_cell::StaticCell;
use sysboy_device::net::portal::{self, AP_ADDRESS};

use crate::radio::{AirGate, AirInterface, Role};
use crate::tap::TapDevice;

/// Sockets: DHCP, DNS and one per HTTP worker.
const SOCKETS: usize = portal::SOCKETS;

/// Builds the access point's stack over `tap`; it is on the air while `gate` is open.
pub fn start(tap: TapDevice, gate: &'static AirGate, seed: u64) -> (Stack<'static>, Runner<'static, AirInterface>) {
    static RESOURCES: StaticCell<StackResources<SOCKETS>> = StaticCell::new();
    embassy_net::new(AirInterface::new(tap, Some(gate), Role::AccessPoint), portal::access_point_config(), RESOURCES.init(StackResources::new()), seed)
}

/// Runs the access point's stack.
#[embassy_executor::task]
pub async fn network(mut runner: Runner<'static, AirInterface>) -> ! {
    runner.run().await
}

/// The portal's DHCP server: leases on the /24, the access point as router and DNS, the portal URL as option 114.
#[embassy_executor::task]
pub async fn dhcp(stack: Stack<'static>) -> ! {
    portal::dhcp(stack, AP_ADDRESS).await
}

/// The portal's DNS server: every A query is answered with the access point's address.
#[embassy_executor::task]
pub async fn dns(stack: Stack<'static>) -> ! {
    portal::dns(stack, AP_ADDRESS).await
}
