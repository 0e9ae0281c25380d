//! Wi-Fi through esp-radio: the board's own access point (where the captive portal will live) and the
//! embassy-net stack on it.

use core::net::Ipv4Addr;

use embassy_executor::Spawner;
use embassy_net::{Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};
use embassy_time::{Duration, Timer};
use esp_hal::{peripherals::WIFI, rng::Rng};
use esp_radio::wifi::{
    Config, ControllerConfig, Interface, WifiController, WifiError,
    ap::{AccessPointConfig, EventInfo},
};
use static_cell::StaticCell;

/// The board's address on its own access point.
pub const AP_ADDRESS: Ipv4Addr = Ipv4Addr::new(192, 168, 4, 1);
/// The access point's name before the board has joined a home network.
pub const AP_SSID: &str = "Sysboy";

/// Sockets the stack can hold: DHCP, DNS and HTTP for the portal, mDNS and the WebSocket later.
const SOCKETS: usize = 6;

static RESOURCES: StaticCell<StackResources<SOCKETS>> = StaticCell::new();

/// Starts the radio as an access point and the network stack on it; returns the stack.
pub fn start_access_point(spawner: &Spawner, wifi: WIFI<'static>) -> Result<Stack<'static>, WifiError> {
    let ssid = AP_SSID.try_into().expect("the AP name fits in 32 bytes");
    let config = Config::AccessPoint(AccessPointConfig::default().with_ssid(ssid));
    let controller = WifiController::new(wifi, ControllerConfig::default().with_initial_config(config))?;
    let net_config = embassy_net::Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(AP_ADDRESS, 24),
        gateway: Some(AP_ADDRESS),
        dns_servers: Default::default(),
    });
    let rng = Rng::new();
    let seed = (u64::from(rng.random()) << 32) | u64::from(rng.random());
    let (stack, runner) =
        embassy_net::new(Interface::access_point(), net_config, RESOURCES.init(StackResources::new()), seed);
    spawner.spawn(access_point_events(controller).expect("the AP task is spawned once"));
    spawner.spawn(net(runner).expect("the network task is spawned once"));
    log::info!("radio: access point \"{AP_SSID}\" at {AP_ADDRESS}");
    Ok(stack)
}

#[embassy_executor::task]
async fn access_point_events(controller: WifiController<'static>) {
    loop {
        match controller.wait_for_access_point_connected_event_async().await {
            Ok(EventInfo::Connected(info)) => log::info!("radio: a client joined: {info:?}"),
            Ok(EventInfo::Disconnected(info)) => log::info!("radio: a client left: {info:?}"),
            Err(error) => {
                log::warn!("radio: access point event failed: {error:?}");
                Timer::after(Duration::from_secs(1)).await;
            }
        }
    }
}

#[embassy_executor::task]
async fn net(mut runner: Runner<'static, Interface>) {
    runner.run().await
}
