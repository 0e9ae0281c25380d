//! The portal's tasks on the access point's stack: `sysboy-device`'s DHCP, DNS and HTTP servers, the same code
//! the simulator runs. The stack is quiet while the access point is off the air, so they run from boot.

use core::cell::RefCell;

use embassy_executor::Spawner;
use embassy_net::Stack;
use static_cell::StaticCell;
use sysboy_device::net::portal::{self, AP_ADDRESS, Submissions, WORKERS};
use sysboy_device::portal::server::PortalServer;

/// The portal's page state, shared by the HTTP workers and provisioning.
pub type Portal = RefCell<PortalServer>;

/// Spawns the portal's servers; returns the page state and the channel accepted forms arrive on.
pub fn spawn(spawner: &Spawner, stack: Stack<'static>) -> (&'static Portal, &'static Submissions) {
    static PORTAL: StaticCell<Portal> = StaticCell::new();
    static SUBMISSIONS: StaticCell<Submissions> = StaticCell::new();
    let portal: &'static Portal = PORTAL.init(RefCell::new(PortalServer::new(AP_ADDRESS)));
    let submissions: &'static Submissions = SUBMISSIONS.init(Submissions::new());
    // Spawning fails only when a task is spawned more often than its pool; each is spawned once here.
    spawner.spawn(dhcp(stack).expect("the DHCP task is spawned once"));
    spawner.spawn(dns(stack).expect("the DNS task is spawned once"));
    for _ in 0..WORKERS {
        spawner.spawn(http(stack, portal, submissions).expect("HTTP workers fit their pool"));
    }
    (portal, submissions)
}

#[embassy_executor::task]
async fn dhcp(stack: Stack<'static>) -> ! {
    portal::dhcp(stack, AP_ADDRESS).await
}

#[embassy_executor::task]
async fn dns(stack: Stack<'static>) -> ! {
    portal::dns(stack, AP_ADDRESS).await
}

#[embassy_executor::task(pool_size = WORKERS)]
async fn http(stack: Stack<'static>, portal: &'static Portal, submissions: &'static Submissions) -> ! {
    portal::http_worker(stack, portal, submissions).await
}
