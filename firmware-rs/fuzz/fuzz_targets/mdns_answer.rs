//! The host finder over any sequence of mDNS packets heard on the LAN: a refused packet changes nothing, and a host
//! found names the Sysboy service, an absolute printable path, and an address one of the packets gave.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sysboy_device::discovery::{HostFinder, Subnet, SERVICE};
use sysboy_fuzz::messages;

fuzz_target!(|data: &[u8]| {
    let mut finder = HostFinder::on_subnet(Subnet { address: [192, 168, 1, 20], prefix_len: 24 });
    for packet in messages(data) {
        let before = format!("{finder:?}");
        match finder.receive(packet) {
            Ok(Some(host)) => {
                assert!(host.instance.ends_with(SERVICE) && host.instance.len() > SERVICE.len(), "{}", host.instance);
                assert!(host.path.starts_with('/') && host.path.len() <= 64 && host.path.bytes().all(|b| b.is_ascii_graphic()));
                assert!(data.windows(4).any(|w| w == host.address), "an address no packet gave");
            }
            Ok(None) => {}
            Err(error) => {
                assert_eq!(format!("{finder:?}"), before, "a refused packet ({error}) changed the finder");
            }
        }
    }
});
