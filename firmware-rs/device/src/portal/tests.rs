//! Tests of the portal's sans-IO parts: DHCP bytes, DNS answers, HTTP limits, the form, escaping and routing.

extern crate std;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use proptest::prelude::*;

use super::dhcp::PortalDhcp;
use super::dns;
use super::form::{self, check_host, check_password, check_ssid};
use super::http::{self, HttpError, Limits, Method, Parsed};
use super::server::{PortalRequest, PortalServer};
use super::state::Progress;
use crate::radio::{JoinError, ScanEntry, Security};

const AP: Ipv4Addr = Ipv4Addr::new(192, 168, 4, 1);
const URL: &str = "http://192.168.4.1/";

/// A BOOTP/DHCP request as a client writes it, by hand: header, magic cookie, options, end.
fn dhcp_request(message_type: u8, mac: [u8; 6], extra: &[u8]) -> Vec<u8> {
    let mut packet = vec![0u8; 236];
    packet[0] = 1; // BOOTREQUEST
    packet[1] = 1; // Ethernet
    packet[2] = 6;
    packet[4..8].copy_from_slice(&0x1234_5678u32.to_be_bytes());
    packet[10] = 0x80; // broadcast flag
    packet[28..34].copy_from_slice(&mac);
    packet.extend_from_slice(&[99, 130, 83, 99, 53, 1, message_type]);
    packet.extend_from_slice(extra);
    packet.push(255);
    packet
}

/// The options of a DHCP reply, walked by hand: (code, value) pairs.
fn dhcp_options(reply: &[u8]) -> Vec<(u8, Vec<u8>)> {
    assert_eq!(&reply[236..240], &[99, 130, 83, 99], "magic cookie");
    let mut options = Vec::new();
    let mut at = 240;
    while at < reply.len() && reply[at] != 255 {
        if reply[at] == 0 {
            at += 1;
            continue;
        }
        let length = usize::from(reply[at + 1]);
        options.push((reply[at], reply[at + 2..at + 2 + length].to_vec()));
        at += 2 + length;
    }
    options
}

fn option(options: &[(u8, Vec<u8>)], code: u8) -> Option<Vec<u8>> {
    options.iter().find(|(c, _)| *c == code).map(|(_, v)| v.clone())
}

#[test]
fn dhcp_offer_names_the_access_point_as_router_and_dns_and_carries_the_portal_url() {
    let mut server = PortalDhcp::new(AP, URL);
    let mac = [2, 0, 0, 0, 0, 7];
    // Parameter request list: subnet, router, DNS, captive portal.
    let discover = dhcp_request(1, mac, &[55, 4, 1, 3, 6, 114]);
    let mut out = [0u8; 576];
    let reply = server.answer(&discover, 100, &mut out).expect("an offer").to_vec();
    assert_eq!(reply[0], 2, "BOOTREPLY");
    assert_eq!(&reply[4..8], &0x1234_5678u32.to_be_bytes(), "same xid");
    assert_eq!(&reply[28..34], &mac);
    let offered = Ipv4Addr::new(reply[16], reply[17], reply[18], reply[19]);
    assert_eq!(&offered.octets()[..3], &[192, 168, 4]);
    assert_ne!(offered, AP);
    let options = dhcp_options(&reply);
    assert_eq!(option(&options, 53), Some(vec![2]), "DHCPOFFER");
    assert_eq!(option(&options, 54), Some(AP.octets().to_vec()), "server id");
    assert_eq!(option(&options, 3), Some(AP.octets().to_vec()), "router");
    assert_eq!(option(&options, 6), Some(AP.octets().to_vec()), "DNS");
    assert_eq!(option(&options, 1), Some(vec![255, 255, 255, 0]), "subnet");
    assert_eq!(option(&options, 114), Some(URL.as_bytes().to_vec()), "RFC 8910 captive portal URI");
    // The raw bytes, as a client's parser meets them.
    let mut raw = vec![114, URL.len() as u8];
    raw.extend_from_slice(URL.as_bytes());
    assert!(reply.windows(raw.len()).any(|w| w == raw.as_slice()));

    let mut request_options = vec![50, 4];
    request_options.extend_from_slice(&offered.octets());
    request_options.extend_from_slice(&[54, 4, 192, 168, 4, 1, 55, 3, 3, 6, 114]);
    let request = dhcp_request(3, mac, &request_options);
    let ack = server.answer(&request, 101, &mut out).expect("an ack").to_vec();
    let options = dhcp_options(&ack);
    assert_eq!(option(&options, 53), Some(vec![5]), "DHCPACK");
    assert_eq!(&ack[16..20], &offered.octets());
    assert_eq!(option(&options, 114), Some(URL.as_bytes().to_vec()));
}

#[test]
fn dhcp_ignores_garbage_replies_and_other_servers() {
    let mut server = PortalDhcp::new(AP, URL);
    let mut out = [0u8; 576];
    assert!(server.answer(b"not dhcp", 0, &mut out).is_none());
    let mut other = dhcp_request(3, [2, 0, 0, 0, 0, 8], &[54, 4, 10, 0, 0, 1, 50, 4, 10, 0, 0, 9]);
    assert!(server.answer(&other, 0, &mut out).is_none(), "a request for another server is not ours");
    other[0] = 2;
    assert!(server.answer(&other, 0, &mut out).is_none(), "a reply is never answered");
}

fn dns_query(name: &str, qtype: u16) -> Vec<u8> {
    let mut query = vec![0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.') {
        query.push(label.len() as u8);
        query.extend_from_slice(label.as_bytes());
    }
    query.push(0);
    query.extend_from_slice(&qtype.to_be_bytes());
    query.extend_from_slice(&1u16.to_be_bytes());
    query
}

#[test]
fn dns_answers_any_a_query_with_the_access_point() {
    let query = dns_query("connectivitycheck.gstatic.com", 1);
    let mut out = [0u8; 512];
    let length = dns::answer(&query, AP.octets(), &mut out).unwrap();
    let reply = &out[..length];
    assert_eq!(&reply[..2], &[0xab, 0xcd]);
    assert_eq!(reply[2] & 0x80, 0x80, "QR");
    assert_eq!(reply[2] & 0x04, 0x04, "AA");
    assert_eq!(reply[2] & 0x01, 0x01, "RD copied");
    assert_eq!(reply[3] & 0x0f, 0, "NOERROR");
    assert_eq!(&reply[4..8], &[0, 1, 0, 1], "one question, one answer");
    assert_eq!(&reply[12..query.len()], &query[12..], "question echoed");
    let answer = &reply[query.len()..];
    assert_eq!(answer, &[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 168, 4, 1]);
    let mut name = [0u8; 256];
    assert_eq!(dns::question_name(&query, &mut name), Some("connectivitycheck.gstatic.com"));
}

#[test]
fn dns_gives_aaaa_an_empty_answer_and_refuses_what_it_cannot_read() {
    let mut out = [0u8; 512];
    let query = dns_query("example.org", 28);
    let length = dns::answer(&query, AP.octets(), &mut out).unwrap();
    assert_eq!(length, query.len());
    assert_eq!(&out[4..8], &[0, 1, 0, 0]);
    assert_eq!(out[3] & 0x0f, 0);

    let mut update = dns_query("example.org", 1);
    update[2] = 5 << 3; // opcode UPDATE
    assert_eq!(dns::answer(&update, AP.octets(), &mut out), Ok(12));
    assert_eq!(out[3] & 0x0f, 4, "NOTIMP");

    let truncated = &dns_query("example.org", 1)[..15];
    assert_eq!(dns::answer(truncated, AP.octets(), &mut out), Ok(12));
    assert_eq!(out[3] & 0x0f, 1, "FORMERR");

    let mut reply = dns_query("example.org", 1);
    reply[2] |= 0x80;
    assert_eq!(dns::answer(&reply, AP.octets(), &mut out), Err(dns::DnsError::NotAQuery));
    assert_eq!(dns::answer(&[1, 2, 3], AP.octets(), &mut out), Err(dns::DnsError::NotAQuery));
    assert_eq!(dns::answer(&query, AP.octets(), &mut [0u8; 20]), Err(dns::DnsError::BufferTooSmall));
}

fn complete(bytes: &[u8]) -> http::Request<'_> {
    match http::parse(bytes, Limits::PORTAL) {
        Ok(Parsed::Complete(request, used)) => {
            assert_eq!(used, bytes.len());
            request
        }
        other => panic!("not a complete request: {other:?}"),
    }
}

#[test]
fn http_reads_a_form_post_across_partial_reads() {
    let bytes = b"POST /join?x=1 HTTP/1.1\r\nHost: 192.168.4.1\r\ncontent-type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\nssid=home";
    for cut in 0..bytes.len() {
        assert_eq!(http::parse(&bytes[..cut], Limits::PORTAL), Ok(Parsed::Partial), "cut at {cut}");
    }
    let request = complete(bytes);
    assert_eq!(request.method, Method::Post);
    assert_eq!((request.path, request.query), ("/join", Some("x=1")));
    assert_eq!(request.host, Some("192.168.4.1"));
    assert_eq!(request.content_type, Some("application/x-www-form-urlencoded"));
    assert_eq!(request.body, b"ssid=home");
}

#[test]
fn http_refuses_oversized_heads_and_bodies_before_reading_them() {
    let mut head = b"GET / HTTP/1.1\r\nX-Pad: ".to_vec();
    head.resize(Limits::PORTAL.head, b'a');
    assert_eq!(http::parse(&head, Limits::PORTAL), Err(HttpError::TooLarge), "no end of head within the limit");
    let big = b"POST /join HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n";
    assert_eq!(http::parse(big, Limits::PORTAL), Err(HttpError::TooLarge), "refused on the header alone");
    let mut many = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..40 {
        many.extend_from_slice(alloc::format!("X-{i}: 1\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_eq!(http::parse(&many, Limits::PORTAL), Err(HttpError::TooLarge));
    assert_eq!(HttpError::TooLarge.status(), 413);
}

#[test]
fn http_refuses_malformed_requests() {
    for bad in [
        &b"HELLO\r\n\r\n"[..],
        b"GET / HTTP/2\r\n\r\n",
        b"GET nopath HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"GET /\xff HTTP/1.1\r\n\r\n",
    ] {
        assert_eq!(http::parse(bad, Limits::PORTAL), Err(HttpError::Malformed), "{:?}", String::from_utf8_lossy(bad));
    }
    // A first line that cannot be HTTP is refused without waiting for the rest.
    assert_eq!(http::parse(b"\x16\x03\x01 junk\r\n", Limits::PORTAL), Err(HttpError::Malformed));
    assert_eq!(HttpError::Malformed.status(), 400);
}

/// Found by `npm run fuzz` (portal_http): an absolute-form target's authority went unchecked, so a request line
/// with a line feed in it was taken whole but refused when its first part arrived alone.
#[test]
fn http_refuses_control_bytes_in_an_absolute_target_whole_or_in_pieces() {
    let request = b"POST http://?j{6'{@\x1b\nhin HTTP/1.1\r\n\r\n.168.POST /j%n*/EE\0\0t\x95ken-$2";
    assert_eq!(http::parse(request, Limits::PORTAL), Err(HttpError::Malformed));
    assert_eq!(http::parse(&request[..36], Limits::PORTAL), Err(HttpError::Malformed));
    assert_eq!(http::parse(b"GET http://a\tb/ HTTP/1.1\r\n\r\n", Limits::PORTAL), Err(HttpError::Malformed));
}

#[test]
fn http_head_is_written_into_the_callers_buffer() {
    let mut out = [0u8; 256];
    let length = http::write_head(&mut out, 302, "text/plain", 0, Some(URL)).unwrap();
    let head = core::str::from_utf8(&out[..length]).unwrap();
    assert!(head.starts_with("HTTP/1.1 302 Found\r\n"));
    assert!(head.contains("Location: http://192.168.4.1/\r\n"));
    assert!(head.ends_with("Connection: close\r\n\r\n"));
    assert!(http::write_head(&mut [0u8; 10], 200, "text/html", 5, None).is_err());
}

fn networks() -> Vec<ScanEntry> {
    vec![
        ScanEntry { ssid: "Home".into(), rssi: -48, security: Security::Wpa },
        ScanEntry { ssid: "Cafe".into(), rssi: -80, security: Security::Open },
        ScanEntry { ssid: "Office".into(), rssi: -60, security: Security::Enterprise },
    ]
}

#[test]
fn form_is_decoded_and_checked_field_by_field() {
    let submission = form::read(b"ssid=Home&password=correct+horse%21&host=desk-pc.local%3A8077&token=abc_1234", &networks()).unwrap();
    assert_eq!(submission.wifi.ssid, "Home");
    assert_eq!(submission.wifi.password, "correct horse!");
    assert_eq!(submission.host.as_deref(), Some("desk-pc.local:8077"));
    assert_eq!(submission.token.as_deref(), Some("abc_1234"));

    let open = form::read(b"ssid=Cafe&password=&host=", &networks()).unwrap();
    assert_eq!((open.wifi.password.as_str(), open.host), ("", None));

    let refused = form::read(b"ssid=Home&password=short&host=bad_host!&token=a%20b", &networks()).unwrap_err();
    assert_eq!(refused.values.ssid, "Home");
    assert!(refused.errors.ssid.is_none());
    assert!(refused.errors.password.unwrap().contains("at least 8"));
    assert!(refused.errors.host.unwrap().contains("name"));
    assert!(refused.errors.token.unwrap().contains("spaces"));

    let broken = form::read(b"ssid=%zz&password=%", &networks()).unwrap_err();
    assert!(broken.errors.ssid.unwrap().contains("readable"));
}

#[test]
fn ssid_password_and_host_rules() {
    assert!(check_ssid("", None).is_some());
    assert!(check_ssid(&"x".repeat(32), None).is_none());
    assert!(check_ssid(&"x".repeat(33), None).is_some());
    assert!(check_ssid("é".repeat(17).as_str(), None).is_some(), "32 bytes, not characters");
    assert!(check_ssid("Office", Some(Security::Enterprise)).is_some());

    assert!(check_password("", Some(Security::Open)).is_none());
    assert!(check_password("something", Some(Security::Open)).is_some());
    assert!(check_password("", Some(Security::Wpa)).is_some());
    assert!(check_password("", None).is_none(), "a hidden network may be open");
    assert!(check_password("1234567", None).is_some());
    assert!(check_password("12345678", Some(Security::Wpa)).is_none());
    assert!(check_password(&"p".repeat(63), Some(Security::Wpa)).is_none());
    assert!(check_password(&"p".repeat(64), Some(Security::Wpa)).is_some());

    for good in ["192.168.1.20", "192.168.1.20:8077", "desk-pc", "desk-pc.local", "desk-pc.local.:1"] {
        assert_eq!(check_host(good), None, "{good}");
    }
    for bad in ["192.168.1.300", "1.2.3", "pc:0", "pc:65536", "pc:", "-pc", "pc-", "a b", "pc:80x", ":80"] {
        assert!(check_host(bad).is_some(), "{bad}");
    }
}

fn get(portal: &mut PortalServer, bytes: &[u8]) -> super::server::Reply {
    let request = complete(bytes);
    portal.respond(&request).0
}

#[test]
fn os_probes_redirect_to_the_portal_while_unprovisioned_and_pass_once_provisioned() {
    let mut portal = PortalServer::new(AP);
    let probes = [
        ("connectivitycheck.gstatic.com", "/generate_204", 204, ""),
        ("captive.apple.com", "/hotspot-detect.html", 200, "Success"),
        ("www.msftconnecttest.com", "/connecttest.txt", 200, "Microsoft Connect Test"),
        ("www.msftncsi.com", "/ncsi.txt", 200, "Microsoft NCSI"),
        ("detectportal.firefox.com", "/success.txt", 200, "success"),
    ];
    for (host, path, _, _) in probes {
        let request = alloc::format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
        let reply = get(&mut portal, request.as_bytes());
        assert_eq!((reply.status, reply.location.as_deref()), (302, Some(URL)), "{path}");
    }
    portal.state.provisioned = true;
    for (host, path, status, body) in probes {
        let request = alloc::format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
        let reply = get(&mut portal, request.as_bytes());
        assert_eq!(reply.status, status, "{path}");
        assert!(reply.body.contains(body), "{path}");
    }
}

#[test]
fn other_sites_redirect_and_the_portal_serves_its_page_status_and_errors() {
    let mut portal = PortalServer::new(AP);
    portal.state.networks = networks();
    let elsewhere = get(&mut portal, b"GET /news HTTP/1.1\r\nHost: example.org\r\n\r\n");
    assert_eq!((elsewhere.status, elsewhere.location.as_deref()), (302, Some(URL)));
    let page = get(&mut portal, b"GET / HTTP/1.1\r\nHost: 192.168.4.1\r\n\r\n");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Home") && page.body.contains("▂▄▆█") && page.body.contains("WPA"));
    assert_eq!(get(&mut portal, b"GET /nothing HTTP/1.1\r\nHost: 192.168.4.1\r\n\r\n").status, 404);
    assert_eq!(get(&mut portal, b"DELETE / HTTP/1.1\r\nHost: 192.168.4.1\r\n\r\n").status, 405);
    assert_eq!(get(&mut portal, b"GET /status HTTP/1.1\r\n\r\n").body, "{\"state\":\"idle\",\"scanning\":false,\"scans\":0}");
}

#[test]
fn a_good_form_is_handed_back_and_a_bad_one_is_shown_with_reasons() {
    let mut portal = PortalServer::new(AP);
    portal.state.networks = networks();
    let bad = b"POST /join HTTP/1.1\r\nHost: 192.168.4.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 27\r\n\r\nssid=Home&password=&host=%3C";
    let request = complete(&bad[..bad.len() - 1]);
    let (reply, submission) = portal.respond(&request);
    assert!(submission.is_none());
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("id=password-reason>this network needs a password"));
    assert!(reply.body.contains("id=host-reason"));

    let good = b"POST /join HTTP/1.1\r\nHost: 192.168.4.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 31\r\n\r\nssid=Home&password=hunter2hunter";
    let request = complete(&good[..good.len() - 1]);
    let (reply, submission) = portal.respond(&request);
    assert_eq!((reply.status, reply.location.as_deref()), (303, Some("/")));
    let Some(PortalRequest::Join(submission)) = submission else { panic!("a join request, not {submission:?}") };
    assert_eq!(submission.wifi.password, "hunter2hunte");
    assert_eq!(portal.state.progress, Progress::Joining { ssid: "Home".into() });
    let page = get(&mut portal, b"GET / HTTP/1.1\r\n\r\n");
    assert!(page.body.contains("http-equiv=refresh"), "the page refreshes while joining");
}

#[test]
fn a_failed_join_is_shown_beside_its_field() {
    let mut portal = PortalServer::new(AP);
    portal.state.progress = Progress::Failed { ssid: "Home".into(), error: JoinError::WrongPassword };
    let page = get(&mut portal, b"GET / HTTP/1.1\r\n\r\n").body;
    assert!(page.contains("id=password-reason>the network refused this password"));
    assert!(page.contains("data-state=failed"));
    let status = get(&mut portal, b"GET /status HTTP/1.1\r\n\r\n").body;
    assert!(status.contains("\"reason\":\"wrong_password\""));
    portal.state.progress = Progress::Failed { ssid: "Gone".into(), error: JoinError::NotFound };
    assert!(get(&mut portal, b"GET / HTTP/1.1\r\n\r\n").body.contains("id=ssid-reason>no network of this name"));
}

#[test]
fn status_gives_each_join_failure_by_its_serde_name() {
    let mut portal = PortalServer::new(AP);
    for error in [JoinError::WrongPassword, JoinError::NotFound, JoinError::Timeout] {
        let name = serde_json::to_string(&error).unwrap();
        portal.state.progress = Progress::Failed { ssid: "Home".into(), error };
        let status = get(&mut portal, b"GET /status HTTP/1.1\r\n\r\n").body;
        assert!(status.contains(&alloc::format!("\"reason\":{name}")), "{status}");
    }
}

#[test]
fn hostile_ssids_and_values_are_escaped_everywhere() {
    let evil = "<script>alert(1)</script>\"'";
    let mut portal = PortalServer::new(AP);
    portal.state.networks = vec![ScanEntry { ssid: evil.into(), rssi: -50, security: Security::Open }];
    portal.state.values.host = evil.into();
    portal.state.progress = Progress::Failed { ssid: evil.into(), error: JoinError::NotFound };
    let page = get(&mut portal, b"GET / HTTP/1.1\r\n\r\n").body;
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("\"'"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"));
    // The page's own script is its only one.
    assert_eq!(page.matches("<script>").count(), 1);
    let status = get(&mut portal, b"GET /status HTTP/1.1\r\n\r\n").body;
    assert!(status.contains("\\u003cscript>alert(1)\\u003c/script>\\\"'"), "{status}");
}

proptest! {
    #[test]
    fn the_http_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let _ = http::parse(&bytes, Limits::PORTAL);
    }

    #[test]
    fn the_http_parser_never_panics_on_near_http(
        method in "(GET|POST|HEAD|PUT|)", path in "[ -~]{0,40}", headers in proptest::collection::vec("[ -~]{0,60}", 0..40),
        body in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        let mut bytes = alloc::format!("{method} {path} HTTP/1.1\r\n").into_bytes();
        for header in headers {
            bytes.extend_from_slice(header.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(&body);
        if let Ok(Parsed::Complete(request, used)) = http::parse(&bytes, Limits::PORTAL) {
            prop_assert!(used <= bytes.len());
            let mut portal = PortalServer::new(AP);
            let _ = portal.respond(&request);
        }
    }

    #[test]
    fn the_dns_responder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut out = [0u8; 512];
        let _ = dns::answer(&bytes, AP.octets(), &mut out);
        let mut name = [0u8; 64];
        let _ = dns::question_name(&bytes, &mut name);
    }

    #[test]
    fn the_dns_responder_never_panics_on_near_queries(mut query in proptest::collection::vec(any::<u8>(), 12..300), qd in 0u8..3) {
        query[2] &= 0x7f;
        query[5] = qd;
        let mut out = [0u8; 512];
        let _ = dns::answer(&query, AP.octets(), &mut out);
    }

    #[test]
    fn the_form_reader_never_panics(body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = form::read(&body, &networks());
    }

    #[test]
    fn the_dhcp_server_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut server = PortalDhcp::new(AP, URL);
        let mut out = [0u8; 576];
        let _ = server.answer(&bytes, 0, &mut out);
    }

    #[test]
    fn escaped_text_never_holds_markup(text in any::<String>()) {
        let escaped = super::escape::escape(&text);
        prop_assert!(!escaped.contains(['<', '>', '"', '\'']));
    }
}

#[test]
fn the_wifi_country_is_world_safe_unless_chosen_and_an_unknown_one_is_refused_beside_its_field() {
    let nets = networks();
    let world = form::read(b"ssid=Home&password=hunter2hunter", &nets).expect("a good form");
    assert_eq!(world.country, crate::settings::Country::WORLD);
    let germany = form::read(b"ssid=Home&password=hunter2hunter&country=de", &nets).expect("a good form");
    assert_eq!(germany.country.as_str(), "DE");
    let refused = form::read(b"ssid=Home&password=hunter2hunter&country=ZZ", &nets).expect_err("no such country");
    assert_eq!(refused.errors.country, Some("choose a country from the list, or World if yours is not there"));
    assert_eq!(refused.values.country, "ZZ");
    let mut portal = PortalServer::new(AP);
    portal.state.values = refused.values;
    portal.state.errors = refused.errors;
    let page = get(&mut portal, b"GET / HTTP/1.1\r\n\r\n").body;
    assert!(page.contains("id=country-reason>choose a country"));
    assert!(page.contains("<option value=01 selected>World"), "an unknown code shows world-safe chosen");
    portal.state.values.country = "JP".into();
    let page = get(&mut portal, b"GET / HTTP/1.1\r\n\r\n").body;
    assert!(page.contains("<option value=JP selected>Japan</option>"));
    assert_eq!(page.matches(" selected>").count(), 1);
}
