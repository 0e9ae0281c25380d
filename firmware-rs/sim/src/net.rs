//! The simulated station network: embassy-net over the TAP device, with a DHCPv4 lease or a fixed address.

use embassy_net::{Config, Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};
use static_cell::StaticCell;
use sysboy_device::net::station::SOCKETS;

use crate::cli::Addressing;
use crate::radio::AirInterface;

/// The stack's configuration for `addressing`.
pub fn config(addressing: Addressing) -> Config {
    match addressing {
        Addressing::Dhcp => Config::dhcpv4(Default::default()),
        Addressing::Static { address, prefix, gateway } => Config::ipv4_static(StaticConfigV4 {
            address: Ipv4Cidr::new(address, prefix),
            gateway,
            dns_servers: Default::default(),
        }),
    }
}

/// Builds the stack over `device`; run the returned runner in its own task.
pub fn start(device: AirInterface, addressing: Addressing, seed: u64) -> (Stack<'static>, Runner<'static, AirInterface>) {
    static RESOURCES: StaticCell<StackResources<SOCKETS>> = StaticCell::new();
    embassy_net::new(device, config(addressing), RESOURCES.init(StackResources::new()), seed)
}

/// Runs the station's stack (in either mode: it is spawned once).
#[embassy_executor::task]
pub async fn run(mut runner: Runner<'static, AirInterface>) -> ! {
    runner.run().await
}
