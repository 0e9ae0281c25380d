//! The Improv service: RPCs in, answers out, and the Wi-Fi settings handed on as the portal's form would be.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::packet::{command, encode, encode_result, Decoded, Decoder, ErrorCode, PacketType, State};
use crate::portal::form::{check_password, check_ssid, Submission};
use crate::portal::state::Progress;
use crate::radio::{ScanEntry, Security};
use crate::settings::{Country, WifiCredentials};

/// What the device says about itself ("RPC Command: Request device information": firmware name, firmware version,
/// hardware chip/variant, device name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The firmware's name (`Sysboy`).
    pub firmware: String,
    /// Its version.
    pub version: String,
    /// The chip or variant (`ESP32-C3`, `sim`).
    pub chip: String,
    /// The device's name: its id, as its hello gives it.
    pub name: String,
}

impl DeviceInfo {
    /// The information a board's `hello` gives: its firmware version, chip and device id.
    pub fn from_hello(hello: &sysboy_protocol::Hello) -> Self {
        Self { firmware: super::FIRMWARE.into(), version: hello.firmware.clone(), chip: hello.chip.as_str().into(), name: hello.device.clone() }
    }
}

/// What a Wi-Fi change over Improv leaves as it was: Improv carries only the SSID and the password, so the host,
/// the token and the country saved before stay (the portal's form sets them all, Improv has no fields for them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    /// The PC's address, if one is saved.
    pub host: Option<String>,
    /// The pairing token or the board's credential, if one is saved.
    pub token: Option<String>,
    /// The Wi-Fi country.
    pub country: Country,
}

impl Kept {
    /// What `settings` hold of the host, the token and the country.
    pub fn from_settings(settings: &crate::settings::Settings) -> Self {
        let network = &settings.network;
        Self { host: network.host.clone(), token: network.token.clone(), country: network.country }
    }
}

/// The network as the wiring sees it, told to [`ImprovService::network`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Network {
    /// No join asked for, or none under way.
    Offline,
    /// A join of this network is under way.
    Joining(String),
    /// The join of this network failed.
    Failed(String),
    /// Joined, and the URL the user should open is known (`None`: there is none to give).
    Online(Option<String>),
}

/// The network for [`ImprovService::network`] from the portal's join `progress`: once joined, it is online when the
/// URL to give is known ([`next_url`]), and still joining until then.
pub fn network_from(progress: &Progress, url: Option<String>) -> Network {
    match progress {
        Progress::Idle => Network::Offline,
        Progress::Joining { ssid } => Network::Joining(ssid.clone()),
        Progress::Failed { ssid, .. } => Network::Failed(ssid.clone()),
        Progress::Joined { ssid } => match url {
            Some(url) => Network::Online(Some(url)),
            None => Network::Joining(ssid.clone()),
        },
    }
}

/// The URL a user is sent to once the board has joined: the host's dashboard when the host is known (the saved
/// address, on the host's default port when it names none), else the board's own address on the network.
pub fn next_url(host: Option<&str>, address: Option<core::net::Ipv4Addr>) -> Option<String> {
    match (host, address) {
        (Some(host), _) if host.contains(':') => Some(alloc::format!("http://{host}/")),
        (Some(host), _) => Some(alloc::format!("http://{host}:{}/", sysboy_protocol::DEFAULT_PORT)),
        (None, Some(address)) => Some(alloc::format!("http://{address}/")),
        (None, None) => None,
    }
}

/// Why a packet was refused: each is answered with the error state the spec gives it, and nothing is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The checksum did not add up.
    Checksum {
        /// What the frame said.
        sent: u8,
        /// What its bytes add up to.
        computed: u8,
    },
    /// A version other than 1.
    Version(u8),
    /// A packet type a client does not send (only RPCs go to the device).
    NotRpc(u8),
    /// The RPC's own length disagrees with the packet's, or its fields overrun it.
    Malformed,
    /// A command this device does not know.
    UnknownCommand(u8),
    /// A setter this device does not offer (hostname, device name).
    NotSettable(u8),
    /// The Wi-Fi settings break the settings' rules (the portal form's reason).
    Settings(&'static str),
}

impl core::fmt::Display for Refusal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Checksum { sent, computed } => write!(f, "bad checksum ({sent:#04x}, the bytes add up to {computed:#04x})"),
            Self::Version(version) => write!(f, "Improv version {version}, not 1"),
            Self::NotRpc(kind) => write!(f, "packet type {kind:#04x} is not an RPC command"),
            Self::Malformed => f.write_str("the RPC's lengths do not match its bytes"),
            Self::UnknownCommand(command) => write!(f, "unknown RPC command {command:#04x}"),
            Self::NotSettable(command) => write!(f, "RPC command {command:#04x} cannot set anything on this device"),
            Self::Settings(reason) => write!(f, "Wi-Fi settings refused: {reason}"),
        }
    }
}

impl Refusal {
    /// The error state the client is sent.
    pub const fn error(&self) -> ErrorCode {
        match self {
            Self::UnknownCommand(_) | Self::NotSettable(_) => ErrorCode::UnknownRpc,
            _ => ErrorCode::InvalidRpc,
        }
    }
}

/// What a packet came to, for the wiring to carry out or report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// Wi-Fi settings that pass the rules: save and join them exactly as a portal form (host, token and country
    /// as [`Kept`]).
    Submitted(Submission),
    /// An RPC answered from what the service knows (state, information, scan, names).
    Answered(u8),
    /// A packet refused with an error state; nothing was saved.
    Refused(Refusal),
}

/// The Improv service over one serial port.
///
/// Sans-IO: [`ImprovService::receive`] takes the bytes read from the port and [`ImprovService::network`] what the
/// network is doing; both append the bytes to write to `out` and leave every effect to the caller.
#[derive(Debug, Clone)]
pub struct ImprovService {
    decoder: Decoder,
    info: DeviceInfo,
    kept: Kept,
    network: Network,
    /// The network sent over Improv whose join the client waits for.
    awaiting: Option<Awaited>,
    /// The state last sent (or the state at start).
    state: State,
}

impl ImprovService {
    /// A service ready for credentials (the device needs no authorization).
    pub fn new(info: DeviceInfo, kept: Kept) -> Self {
        Self { decoder: Decoder::new(), info, kept, network: Network::Offline, awaiting: None, state: State::Authorized }
    }

    /// A service that still owes a client the answer to Wi-Fi settings for `ssid`, sent before the device restarted:
    /// it is provisioning until that network is joined or fails.
    pub fn resume(info: DeviceInfo, kept: Kept, ssid: String) -> Self {
        Self { awaiting: Some(Awaited { ssid, before: None }), state: State::Provisioning, ..Self::new(info, kept) }
    }

    /// The state a client is told.
    pub const fn state(&self) -> State {
        self.state
    }

    /// The network whose join a client waits for, if any: what a device keeps across a restart.
    pub fn owed(&self) -> Option<&str> {
        self.awaiting.as_ref().map(|awaited| awaited.ssid.as_str())
    }

    /// Keeps `kept` for the next Wi-Fi settings (a token issued since start, say).
    pub fn keep(&mut self, kept: Kept) {
        self.kept = kept;
    }

    /// Takes `bytes` read from the port: answers go to `out`, and what they came to is returned. `networks` is the
    /// last scan (strongest first), for the scan RPC and for whether a network needs a password.
    pub fn receive(&mut self, bytes: &[u8], networks: &[ScanEntry], out: &mut Vec<u8>) -> Vec<Heard> {
        let mut decoded = Vec::new();
        self.decoder.feed(bytes, &mut decoded);
        let mut heard = Vec::new();
        for item in decoded {
            let outcome = match item {
                Decoded::Frame { kind, data } if kind == PacketType::Rpc as u8 => self.rpc(&data, networks, out),
                Decoded::Frame { kind, .. } => Err(Refusal::NotRpc(kind)),
                Decoded::BadChecksum { sent, computed } => Err(Refusal::Checksum { sent, computed }),
                Decoded::BadVersion(version) => Err(Refusal::Version(version)),
            };
            heard.push(outcome.unwrap_or_else(|refusal| {
                send_error(refusal.error(), out);
                Heard::Refused(refusal)
            }));
        }
        heard
    }

    /// Tells the service what the network is doing; a change the client waits for is sent to `out`.
    pub fn network(&mut self, network: Network, out: &mut Vec<u8>) {
        if let Some(awaited) = &mut self.awaiting {
            // What the network did before these settings was about older ones: only a change is news of this join.
            if awaited.before.as_ref().is_some_and(|before| *before != network) {
                awaited.before = None;
            }
        }
        if let Some(Awaited { ssid, before: None }) = self.awaiting.clone() {
            match &network {
                Network::Failed(failed) if *failed == ssid => {
                    self.awaiting = None;
                    send_error(ErrorCode::UnableToConnect, out);
                }
                Network::Online(url) => {
                    self.awaiting = None;
                    self.set_state(State::Provisioned, out);
                    send_result(command::WIFI_SETTINGS, &url_strings(url.as_deref()), out);
                }
                _ => {}
            }
        }
        self.network = network;
        let state = self.current();
        self.set_state(state, out);
    }

    fn current(&self) -> State {
        match (&self.awaiting, &self.network) {
            (Some(_), _) => State::Provisioning,
            (None, Network::Online(_)) => State::Provisioned,
            (None, _) => State::Authorized,
        }
    }

    fn set_state(&mut self, state: State, out: &mut Vec<u8>) {
        if state != self.state {
            self.state = state;
            send_state(state, out);
        }
    }

    fn rpc(&mut self, data: &[u8], networks: &[ScanEntry], out: &mut Vec<u8>) -> Result<Heard, Refusal> {
        // "Byte 1: command, byte 2: data length, 3...X: data": the two lengths must agree.
        let [command, length, args @ ..] = data else { return Err(Refusal::Malformed) };
        if usize::from(*length) != args.len() {
            return Err(Refusal::Malformed);
        }
        let command = *command;
        match command {
            command::WIFI_SETTINGS => {
                let submission = self.wifi_settings(args, networks)?;
                send_error(ErrorCode::None, out);
                self.awaiting = Some(Awaited { ssid: submission.wifi.ssid.clone(), before: Some(self.network.clone()) });
                self.set_state(State::Provisioning, out);
                return Ok(Heard::Submitted(submission));
            }
            command::CURRENT_STATE => {
                send_error(ErrorCode::None, out);
                self.state = self.current();
                send_state(self.state, out);
                // "...and if already provisioned, the same response you would get if device provisioning was
                // successful", answered to this command.
                if let (State::Provisioned, Network::Online(url)) = (self.state, &self.network) {
                    send_result(command, &url_strings(url.as_deref()), out);
                }
            }
            command::DEVICE_INFO => {
                send_error(ErrorCode::None, out);
                let info = &self.info;
                send_result(command, &[info.firmware.as_str(), info.version.as_str(), info.chip.as_str(), info.name.as_str()], out);
            }
            command::SCAN => {
                send_error(ErrorCode::None, out);
                // One result per network (SSID, RSSI, auth required), then one with no strings.
                for network in networks {
                    let rssi = network.rssi.to_string();
                    let auth = if network.security == Security::Open { "NO" } else { "YES" };
                    send_result(command, &[network.ssid.as_str(), rssi.as_str(), auth], out);
                }
                send_result::<&str>(command, &[], out);
            }
            command::HOSTNAME | command::DEVICE_NAME => {
                // The device's name is its id, fixed by its MAC: it can be read, not set.
                if !args.is_empty() {
                    return Err(Refusal::NotSettable(command));
                }
                send_error(ErrorCode::None, out);
                send_result(command, &[self.info.name.as_str()], out);
            }
            command::NETWORK_STATE => {
                send_error(ErrorCode::None, out);
                // Bit 1: Wi-Fi is there; bit 0: online, and then the URLs.
                let online = matches!(self.network, Network::Online(_));
                let flags = (0x02 | u8::from(online)).to_string();
                let mut strings = alloc::vec![flags];
                if let Network::Online(Some(url)) = &self.network {
                    strings.push(url.clone());
                }
                send_result(command, &strings, out);
            }
            other => return Err(Refusal::UnknownCommand(other)),
        }
        Ok(Heard::Answered(command))
    }

    /// Reads "ssid length, ssid bytes, password length, password bytes" and checks them by the portal form's rules.
    fn wifi_settings(&self, args: &[u8], networks: &[ScanEntry]) -> Result<Submission, Refusal> {
        let (ssid, rest) = field(args).ok_or(Refusal::Malformed)?;
        let (password, rest) = field(rest).ok_or(Refusal::Malformed)?;
        if !rest.is_empty() {
            return Err(Refusal::Malformed);
        }
        // "All strings are assumed to be UTF-8 encoded."
        let ssid = core::str::from_utf8(ssid).map_err(|_| Refusal::Settings("the SSID is not UTF-8 text"))?;
        let password = core::str::from_utf8(password).map_err(|_| Refusal::Settings("the password is not UTF-8 text"))?;
        let security = networks.iter().find(|n| n.ssid == ssid).map(|n| n.security);
        if let Some(reason) = check_ssid(ssid, security).or_else(|| check_password(password, security)) {
            return Err(Refusal::Settings(reason));
        }
        Ok(Submission {
            wifi: WifiCredentials { ssid: ssid.into(), password: password.into() },
            host: self.kept.host.clone(),
            token: self.kept.token.clone(),
            country: self.kept.country,
            wifi_only: true,
        })
    }
}

/// A join a client waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Awaited {
    /// The network.
    ssid: String,
    /// The network as it was when the settings came, until it changes.
    before: Option<Network>,
}

/// One length-prefixed field and what follows it.
fn field(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&length, rest) = bytes.split_first()?;
    (rest.len() >= usize::from(length)).then(|| rest.split_at(usize::from(length)))
}

/// "The first entry in the list is an URL to redirect the user to. If there is no URL, omit the entry."
fn url_strings(url: Option<&str>) -> Vec<&str> {
    url.into_iter().collect()
}

fn send_state(state: State, out: &mut Vec<u8>) {
    // One byte always fits.
    let _ = encode(PacketType::CurrentState as u8, &[state as u8], out);
}

fn send_error(error: ErrorCode, out: &mut Vec<u8>) {
    let _ = encode(PacketType::ErrorState as u8, &[error as u8], out);
}

/// Sends a result; one that cannot fit a frame (a URL of over 250 bytes) goes as the unknown error instead.
fn send_result<S: AsRef<[u8]>>(command: u8, strings: &[S], out: &mut Vec<u8>) {
    if encode_result(command, strings, out).is_err() {
        send_error(ErrorCode::Unknown, out);
    }
}
