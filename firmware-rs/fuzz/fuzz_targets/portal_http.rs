//! The portal's HTTP request parser and its answers over any bytes a phone sends: a whole request stays inside the
//! limits and is waited for at every shorter prefix; every reply head fits the portal's buffer; and only a join or
//! a rescan changes what the portal shows.
#![no_main]

use std::net::Ipv4Addr;

use libfuzzer_sys::fuzz_target;
use sysboy_device::portal::http::{self, Limits, Parsed};
use sysboy_device::portal::server::{PortalRequest, PortalServer, Reply};
use sysboy_device::radio::{ScanEntry, Security};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::PORTAL;
    let mut portal = PortalServer::new(Ipv4Addr::new(192, 168, 4, 1));
    portal.state.networks = vec![
        ScanEntry { ssid: "HomeNet".into(), rssi: -40, security: Security::Wpa },
        ScanEntry { ssid: "Cafe Guest".into(), rssi: -70, security: Security::Open },
    ];
    let before = portal.state.clone();
    let reply = match http::parse(data, limits) {
        Ok(Parsed::Complete(request, used)) => {
            assert!(used <= data.len() && used <= limits.head + limits.body);
            assert!(request.body.len() <= limits.body);
            assert_eq!(&data[used - request.body.len()..used], request.body);
            for cut in [used - 1, used / 2, used.saturating_sub(request.body.len() + 1)] {
                assert_eq!(http::parse(&data[..cut], limits), Ok(Parsed::Partial), "a prefix of {cut} bytes");
            }
            let (reply, wish) = portal.respond(&request);
            let changes_state = matches!(wish, Some(PortalRequest::Join(_) | PortalRequest::Rescan)) || reply.status == 422;
            if !changes_state {
                assert_eq!(portal.state, before, "a {} answer changed the portal", reply.status);
            }
            reply
        }
        Ok(Parsed::Partial) => {
            assert!(data.len() < limits.head + limits.body);
            return;
        }
        Err(error) => Reply::refused(error),
    };
    let mut head = [0u8; 512];
    let written = http::write_head(&mut head, reply.status, reply.content_type, reply.body.len(), reply.location.as_deref());
    assert!(written.is_ok(), "the head of a {} reply fits", reply.status);
});
