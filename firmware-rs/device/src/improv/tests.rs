use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use proptest::prelude::*;

use super::packet::{checksum, command, encode, encode_result, Decoded, Decoder, ErrorCode, PacketType, State, MAX_DATA};
use super::service::{next_url, network_from, DeviceInfo, Heard, ImprovService, Kept, Network, Refusal};
use crate::portal::state::Progress;
use crate::radio::{JoinError, ScanEntry, Security};
use crate::settings::Country;

fn info() -> DeviceInfo {
    DeviceInfo { firmware: "Sysboy".into(), version: "0.1.0".into(), chip: "ESP32-C3".into(), name: "sysboy-0a0b0c0d".into() }
}

fn kept() -> Kept {
    Kept { host: Some("10.0.0.1:8377".into()), token: Some("token-123456".into()), country: Country::from_code("DE").unwrap() }
}

fn networks() -> Vec<ScanEntry> {
    vec![
        ScanEntry { ssid: "HomeNet".into(), rssi: -48, security: Security::Wpa },
        ScanEntry { ssid: "Cafe".into(), rssi: -70, security: Security::Open },
        ScanEntry { ssid: "Office".into(), rssi: -75, security: Security::Enterprise },
    ]
}

fn rpc(command: u8, args: &[u8]) -> Vec<u8> {
    let mut data = vec![command, args.len() as u8];
    data.extend_from_slice(args);
    let mut out = Vec::new();
    encode(PacketType::Rpc as u8, &data, &mut out).unwrap();
    out
}

fn wifi(ssid: &str, password: &str) -> Vec<u8> {
    let mut args = vec![ssid.len() as u8];
    args.extend_from_slice(ssid.as_bytes());
    args.push(password.len() as u8);
    args.extend_from_slice(password.as_bytes());
    rpc(command::WIFI_SETTINGS, &args)
}

fn frames(bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut found = Vec::new();
    Decoder::new().feed(bytes, &mut found);
    found
        .into_iter()
        .map(|d| match d {
            Decoded::Frame { kind, data } => (kind, data),
            other => panic!("the device sent a bad frame: {other:?}"),
        })
        .collect()
}

fn strings(data: &[u8]) -> (u8, Vec<String>) {
    let (command, length, mut rest) = (data[0], data[1] as usize, &data[2..]);
    assert_eq!(length, rest.len(), "the result's length covers its strings");
    let mut out = Vec::new();
    while let Some((&n, tail)) = rest.split_first() {
        out.push(String::from_utf8(tail[..n as usize].to_vec()).unwrap());
        rest = &tail[n as usize..];
    }
    (command, out)
}

fn exchange(service: &mut ImprovService, bytes: &[u8]) -> (Vec<Heard>, Vec<(u8, Vec<u8>)>) {
    let mut out = Vec::new();
    let heard = service.receive(bytes, &networks(), &mut out);
    (heard, frames(&out))
}

const ERROR: u8 = PacketType::ErrorState as u8;
const STATE: u8 = PacketType::CurrentState as u8;
const RESULT: u8 = PacketType::RpcResult as u8;

#[test]
fn a_frame_is_the_header_version_type_length_data_and_the_sum_of_its_bytes() {
    let mut out = Vec::new();
    encode(PacketType::CurrentState as u8, &[State::Provisioned as u8], &mut out).unwrap();
    let mut expected = b"IMPROV".to_vec();
    expected.extend_from_slice(&[1, 0x01, 1, 0x04]);
    expected.push(checksum(&expected));
    expected.push(b'\n');
    assert_eq!(out, expected);
    assert!(encode(RESULT, &[0; MAX_DATA + 1], &mut Vec::new()).is_err());
    assert!(encode_result(command::DEVICE_INFO, &[[b'x'; 254]], &mut Vec::new()).is_err());
}

#[test]
fn the_spec_example_of_wifi_settings_is_read() {
    // "01 1E 0C {MyWirelessAP} 10 {mysecurepassword}"
    let mut data = vec![0x01, 0x1E, 0x0C];
    data.extend_from_slice(b"MyWirelessAP");
    data.push(0x10);
    data.extend_from_slice(b"mysecurepassword");
    let mut packet = Vec::new();
    encode(PacketType::Rpc as u8, &data, &mut packet).unwrap();
    assert_eq!(packet, wifi("MyWirelessAP", "mysecurepassword"));
    let mut service = ImprovService::new(info(), kept());
    let (heard, sent) = exchange(&mut service, &packet);
    let [Heard::Submitted(submission)] = heard.as_slice() else { panic!("{heard:?}") };
    assert_eq!((submission.wifi.ssid.as_str(), submission.wifi.password.as_str()), ("MyWirelessAP", "mysecurepassword"));
    // Improv carries no host, token or country: the saved ones stay.
    assert_eq!((submission.host.clone(), submission.token.clone(), submission.country), (kept().host, kept().token, kept().country));
    assert_eq!(sent, vec![(ERROR, vec![ErrorCode::None as u8]), (STATE, vec![State::Provisioning as u8])]);
    assert_eq!(service.owed(), Some("MyWirelessAP"));
}

#[test]
fn wifi_settings_over_improv_keep_a_credential_saved_after_the_board_started() {
    let mut service = ImprovService::new(info(), kept());
    let (heard, _) = exchange(&mut service, &wifi("HomeNet", "a long passphrase"));
    let [Heard::Submitted(submission)] = heard.as_slice() else { panic!("{heard:?}") };
    // Since the board started (and Improv read the settings), it was paired and stored its own credential.
    let mut saved = crate::settings::Network {
        wifi: Some(crate::settings::WifiCredentials { ssid: "Home".into(), password: "old passphrase".into() }),
        host: Some("10.0.0.5:8377".into()),
        token: Some("issued-since-boot-0123456789".into()),
        ..crate::settings::Network::default()
    };
    submission.apply_to(&mut saved);
    assert_eq!(saved.wifi.as_ref().map(|w| w.ssid.as_str()), Some("HomeNet"));
    assert_eq!(saved.token.as_deref(), Some("issued-since-boot-0123456789"), "the credential is not lost");
    assert_eq!(saved.host.as_deref(), Some("10.0.0.5:8377"));
}

#[test]
fn device_info_gives_firmware_version_chip_and_name() {
    let mut service = ImprovService::new(info(), kept());
    let (heard, sent) = exchange(&mut service, &rpc(command::DEVICE_INFO, &[]));
    assert_eq!(heard, vec![Heard::Answered(command::DEVICE_INFO)]);
    assert_eq!(sent[0], (ERROR, vec![0]));
    assert_eq!(sent[1].0, RESULT);
    assert_eq!(strings(&sent[1].1), (command::DEVICE_INFO, vec!["Sysboy".into(), "0.1.0".into(), "ESP32-C3".into(), "sysboy-0a0b0c0d".into()]));
}

#[test]
fn the_scan_gives_one_result_per_network_then_an_empty_one() {
    let mut service = ImprovService::new(info(), kept());
    let (_, sent) = exchange(&mut service, &rpc(command::SCAN, &[]));
    let results: Vec<(u8, Vec<String>)> = sent.iter().filter(|(kind, _)| *kind == RESULT).map(|(_, data)| strings(data)).collect();
    assert_eq!(
        results,
        vec![
            (command::SCAN, vec!["HomeNet".into(), "-48".into(), "YES".into()]),
            (command::SCAN, vec!["Cafe".into(), "-70".into(), "NO".into()]),
            (command::SCAN, vec!["Office".into(), "-75".into(), "YES".into()]),
            (command::SCAN, vec![]),
        ]
    );
}

#[test]
fn the_current_state_is_ready_then_provisioning_then_provisioned_with_the_url() {
    let mut service = ImprovService::new(info(), kept());
    let (_, sent) = exchange(&mut service, &rpc(command::CURRENT_STATE, &[]));
    assert_eq!(sent, vec![(ERROR, vec![0]), (STATE, vec![State::Authorized as u8])]);

    exchange(&mut service, &wifi("HomeNet", "correct-horse"));
    let mut out = Vec::new();
    // The progress as it was when the settings came is old news; the join of them is news.
    service.network(Network::Offline, &mut out);
    service.network(Network::Joining("HomeNet".into()), &mut out);
    assert!(frames(&out).is_empty());
    let (_, sent) = exchange(&mut service, &rpc(command::CURRENT_STATE, &[]));
    assert_eq!(sent, vec![(ERROR, vec![0]), (STATE, vec![State::Provisioning as u8])]);

    service.network(Network::Online(Some("http://10.0.0.1:8377/".into())), &mut out);
    let sent = frames(&out);
    assert_eq!(sent[0], (STATE, vec![State::Provisioned as u8]));
    assert_eq!(strings(&sent[1].1), (command::WIFI_SETTINGS, vec!["http://10.0.0.1:8377/".into()]));
    assert_eq!(service.owed(), None);

    // Asked again once provisioned: the state, and the same result as the provisioning's, for this command.
    let (_, sent) = exchange(&mut service, &rpc(command::CURRENT_STATE, &[]));
    assert_eq!(sent[1], (STATE, vec![State::Provisioned as u8]));
    assert_eq!(strings(&sent[2].1), (command::CURRENT_STATE, vec!["http://10.0.0.1:8377/".into()]));
}

#[test]
fn a_failed_join_is_unable_to_connect_and_ready_again() {
    let mut service = ImprovService::new(info(), kept());
    let mut out = Vec::new();
    // An earlier join of the same network had failed: that old failure is not this join's answer.
    service.network(Network::Failed("HomeNet".into()), &mut out);
    exchange(&mut service, &wifi("HomeNet", "wrong-password"));
    out.clear();
    service.network(Network::Failed("HomeNet".into()), &mut out);
    assert!(out.is_empty());
    service.network(Network::Joining("HomeNet".into()), &mut out);
    service.network(Network::Failed("HomeNet".into()), &mut out);
    assert_eq!(frames(&out), vec![(ERROR, vec![ErrorCode::UnableToConnect as u8]), (STATE, vec![State::Authorized as u8])]);
    assert_eq!(service.owed(), None);
}

#[test]
fn an_answer_owed_before_a_restart_is_given_once_joined() {
    let mut service = ImprovService::resume(info(), kept(), "HomeNet".into());
    assert_eq!(service.state(), State::Provisioning);
    let mut out = Vec::new();
    service.network(Network::Joining("HomeNet".into()), &mut out);
    assert!(out.is_empty());
    service.network(Network::Online(None), &mut out);
    let sent = frames(&out);
    assert_eq!(sent[0], (STATE, vec![State::Provisioned as u8]));
    // No URL to give: the list is empty ("omit the entry").
    assert_eq!(strings(&sent[1].1), (command::WIFI_SETTINGS, vec![]));
}

#[test]
fn names_can_be_read_not_set_and_the_network_state_has_flags_and_the_url() {
    let mut service = ImprovService::new(info(), kept());
    for command in [command::HOSTNAME, command::DEVICE_NAME] {
        let (_, sent) = exchange(&mut service, &rpc(command, &[]));
        assert_eq!(strings(&sent[1].1), (command, vec!["sysboy-0a0b0c0d".into()]));
        let (heard, sent) = exchange(&mut service, &rpc(command, b"kitchen"));
        assert_eq!(heard, vec![Heard::Refused(Refusal::NotSettable(command))]);
        assert_eq!(sent, vec![(ERROR, vec![ErrorCode::UnknownRpc as u8])]);
    }
    let (_, sent) = exchange(&mut service, &rpc(command::NETWORK_STATE, &[]));
    assert_eq!(strings(&sent[1].1), (command::NETWORK_STATE, vec!["2".into()]));
    service.network(Network::Online(Some("http://10.0.0.7/".into())), &mut Vec::new());
    let (_, sent) = exchange(&mut service, &rpc(command::NETWORK_STATE, &[]));
    assert_eq!(strings(&sent[1].1), (command::NETWORK_STATE, vec!["3".into(), "http://10.0.0.7/".into()]));
}

/// Every refusal: its error state, and nothing handed on to be saved.
#[test]
fn bad_packets_get_the_error_answer_and_nothing_is_submitted() {
    let mut bad_checksum = wifi("HomeNet", "correct-horse");
    let at = bad_checksum.len() - 2;
    bad_checksum[at] ^= 0x55;
    let mut version_two = wifi("HomeNet", "correct-horse");
    version_two[6] = 2;
    let mut state_packet = Vec::new();
    encode(PacketType::CurrentState as u8, &[2], &mut state_packet).unwrap();
    let overlong_ssid = {
        // The SSID's length runs past the packet's end.
        let mut args = vec![40u8];
        args.extend_from_slice(b"HomeNet");
        rpc(command::WIFI_SETTINGS, &args)
    };
    let mut rpc_length_lies = rpc(command::DEVICE_INFO, &[]);
    rpc_length_lies[10] = 3;
    let fix = |mut packet: Vec<u8>| {
        let end = packet.len() - 2;
        packet[end] = checksum(&packet[..end]);
        packet
    };
    let cases: Vec<(&str, Vec<u8>, Refusal, ErrorCode)> = vec![
        ("bad checksum", bad_checksum, Refusal::Checksum { sent: 0, computed: 0 }, ErrorCode::InvalidRpc),
        ("version 2", version_two, Refusal::Version(2), ErrorCode::InvalidRpc),
        ("not an RPC", state_packet, Refusal::NotRpc(1), ErrorCode::InvalidRpc),
        ("overlong SSID", overlong_ssid, Refusal::Malformed, ErrorCode::InvalidRpc),
        ("RPC length disagrees", fix(rpc_length_lies), Refusal::Malformed, ErrorCode::InvalidRpc),
        ("trailing bytes", rpc(command::WIFI_SETTINGS, &[1, b'a', 0, 9]), Refusal::Malformed, ErrorCode::InvalidRpc),
        ("unknown RPC", rpc(0x42, &[]), Refusal::UnknownCommand(0x42), ErrorCode::UnknownRpc),
        ("empty RPC", {
            let mut p = Vec::new();
            encode(PacketType::Rpc as u8, &[], &mut p).unwrap();
            p
        }, Refusal::Malformed, ErrorCode::InvalidRpc),
        ("SSID too long", wifi(&"x".repeat(33), "correct-horse"), Refusal::Settings(""), ErrorCode::InvalidRpc),
        ("empty SSID", wifi("", "correct-horse"), Refusal::Settings(""), ErrorCode::InvalidRpc),
        ("short WPA password", wifi("HomeNet", "short"), Refusal::Settings(""), ErrorCode::InvalidRpc),
        ("password for an open network", wifi("Cafe", "correct-horse"), Refusal::Settings(""), ErrorCode::InvalidRpc),
        ("enterprise network", wifi("Office", "correct-horse"), Refusal::Settings(""), ErrorCode::InvalidRpc),
        ("SSID not UTF-8", rpc(command::WIFI_SETTINGS, &[2, 0xff, 0xfe, 0]), Refusal::Settings(""), ErrorCode::InvalidRpc),
    ];
    for (what, packet, expected, error) in cases {
        let mut service = ImprovService::new(info(), kept());
        let (heard, sent) = exchange(&mut service, &packet);
        let [Heard::Refused(refusal)] = heard.as_slice() else { panic!("{what}: {heard:?}") };
        assert_eq!(core::mem::discriminant(refusal), core::mem::discriminant(&expected), "{what}: {refusal}");
        assert_eq!(sent, vec![(ERROR, vec![error as u8])], "{what}");
        assert_eq!((service.owed(), service.state()), (None, State::Authorized), "{what}");
    }
}

#[test]
fn log_lines_around_and_between_packets_are_skipped() {
    let mut stream = b"I (312) boot: ESP-IDF v5.1 IMPRO\r\nINFO - sysboy 0.1.0 on ESP32-C3\n".to_vec();
    stream.extend(rpc(command::DEVICE_INFO, &[]));
    stream.extend_from_slice(b"WARN - IMPROVE the antenna\n");
    stream.extend(rpc(command::CURRENT_STATE, &[]));
    let mut service = ImprovService::new(info(), kept());
    let (heard, _) = exchange(&mut service, &stream);
    // "IMPROVE" is a header with version 'E': refused, and the packet after it still found.
    assert_eq!(heard, vec![Heard::Answered(command::DEVICE_INFO), Heard::Refused(Refusal::Version(b'E')), Heard::Answered(command::CURRENT_STATE)]);
}

#[test]
fn a_false_header_does_not_swallow_the_packet_after_it() {
    // A header whose length byte claims 200 bytes, then a real packet within them.
    let mut stream = b"IMPROV\x01\x03\xc8".to_vec();
    stream.extend(rpc(command::DEVICE_INFO, &[]));
    stream.extend(vec![0u8; 200]);
    let mut found = Vec::new();
    Decoder::new().feed(&stream, &mut found);
    assert!(matches!(found[0], Decoded::BadChecksum { .. }), "{found:?}");
    assert_eq!(found[1], Decoded::Frame { kind: PacketType::Rpc as u8, data: vec![command::DEVICE_INFO, 0] });
}

#[test]
fn the_url_is_the_hosts_dashboard_when_known_else_the_boards_address() {
    let address = Some(core::net::Ipv4Addr::new(10, 0, 0, 7));
    assert_eq!(next_url(Some("10.0.0.1:8077"), address).as_deref(), Some("http://10.0.0.1:8077/"));
    assert_eq!(next_url(Some("desk-pc.local"), address).as_deref(), Some("http://desk-pc.local:8377/"));
    assert_eq!(next_url(None, address).as_deref(), Some("http://10.0.0.7/"));
    assert_eq!(next_url(None, None), None);
    let joined = Progress::Joined { ssid: "HomeNet".into() };
    assert_eq!(network_from(&joined, None), Network::Joining("HomeNet".into()));
    assert_eq!(network_from(&joined, Some("u".into())), Network::Online(Some("u".into())));
    let failed = Progress::Failed { ssid: "HomeNet".into(), error: JoinError::WrongPassword };
    assert_eq!(network_from(&failed, None), Network::Failed("HomeNet".into()));
    assert_eq!(network_from(&Progress::Idle, None), Network::Offline);
}

fn decode_all(chunks: &[&[u8]]) -> Vec<Decoded> {
    let mut decoder = Decoder::new();
    let mut found = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk, &mut found);
    }
    found
}

proptest! {
    #[test]
    fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut service = ImprovService::new(info(), kept());
        let mut out = Vec::new();
        let heard = service.receive(&bytes, &networks(), &mut out);
        // Every answer the device writes is a good frame.
        prop_assert!(frames(&out).len() >= heard.len());
    }

    #[test]
    fn any_bytes_after_a_header_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut bytes = b"IMPROV\x01\x03".to_vec();
        bytes.extend(tail);
        let mut service = ImprovService::new(info(), kept());
        service.receive(&bytes, &networks(), &mut Vec::new());
    }

    #[test]
    fn encode_then_decode_round_trips(kind in any::<u8>(), data in proptest::collection::vec(any::<u8>(), 0..=MAX_DATA)) {
        let mut bytes = Vec::new();
        encode(kind, &data, &mut bytes).unwrap();
        prop_assert_eq!(decode_all(&[&bytes]), vec![Decoded::Frame { kind, data }]);
    }

    #[test]
    fn a_packet_cut_anywhere_decodes_the_same(data in proptest::collection::vec(any::<u8>(), 0..=MAX_DATA), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
        let mut bytes = Vec::new();
        encode(PacketType::Rpc as u8, &data, &mut bytes).unwrap();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let mut chunks: Vec<&[u8]> = Vec::new();
        let mut start = 0;
        for cut in cuts {
            chunks.push(&bytes[start..cut]);
            start = cut;
        }
        chunks.push(&bytes[start..]);
        prop_assert_eq!(decode_all(&chunks), decode_all(&[&bytes]));
        prop_assert_eq!(decode_all(&chunks), vec![Decoded::Frame { kind: PacketType::Rpc as u8, data }]);
    }

    #[test]
    fn garbage_before_and_after_is_skipped(
        before in proptest::collection::vec(any::<u8>(), 0..300),
        after in proptest::collection::vec(any::<u8>(), 0..300),
        data in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        // Noise that holds no header of its own (a log line never says IMPROV and a version byte).
        prop_assume!(!before.windows(6).any(|w| w == b"IMPROV") && !after.windows(6).any(|w| w == b"IMPROV"));
        let mut packet = Vec::new();
        encode(PacketType::Rpc as u8, &data, &mut packet).unwrap();
        let mut stream = before.clone();
        stream.extend(&packet);
        stream.extend(&after);
        let frames: Vec<Decoded> = decode_all(&[&stream]).into_iter().filter(|d| matches!(d, Decoded::Frame { .. })).collect();
        prop_assert_eq!(frames, vec![Decoded::Frame { kind: PacketType::Rpc as u8, data }]);
    }
}
