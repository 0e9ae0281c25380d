//! The simulator's command line: which TAP, which flash file, how to reach the host, and how to take an address.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;

use sysboy_protocol::Chip;

/// How the simulated device takes its station address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressing {
    /// A DHCPv4 lease from the network (dnsmasq in the tests).
    Dhcp,
    /// A fixed address, prefix length and optional gateway.
    Static { address: Ipv4Addr, prefix: u8, gateway: Option<Ipv4Addr> },
}

/// Everything the command line sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The TAP interface to attach to.
    pub tap: String,
    /// The file that holds the simulated flash.
    pub flash: PathBuf,
    /// The host to connect to.
    pub host: Option<SocketAddrV4>,
    /// The pairing token.
    pub token: Option<String>,
    /// The device id sent in hello; without it one is made from the MAC address.
    pub device_id: Option<String>,
    /// How to take an address.
    pub addressing: Addressing,
    /// The MAC address; without it one is made from the TAP name.
    pub mac: Option<[u8; 6]>,
    /// How often to print the status line when nothing changes, ms.
    pub report_ms: u64,
    /// The seed of the random numbers (keys, masks, jitter); without it one is drawn from the OS.
    pub seed: Option<u64>,
    /// The longest reconnect wait, ms; without it the link's default.
    pub backoff_max_ms: Option<u32>,
    /// The wait after a refused token, ms; without it the link's default.
    pub auth_backoff_ms: Option<u32>,
    /// How often a live link reports its status to the host, ms; without it the link's default.
    pub status_ms: Option<u32>,
    /// The access point's TAP; with it the device provisions itself (portal, saved Wi-Fi, joins).
    pub ap_tap: Option<String>,
    /// JSON list of the networks a scan hears ({ssid, rssi, security}).
    pub scan_list: Option<PathBuf>,
    /// JSON list of the home networks a join can reach ({ssid, password}).
    pub station_networks: Option<PathBuf>,
    /// The size of the simulated OLED, width and height; without it the device has no OLED.
    pub oled: Option<(u16, u16)>,
    /// The size of the simulated TFT, width and height; without it the device has no TFT and takes no stream.
    pub tft: Option<(u16, u16)>,
    /// Where to link the serial port's terminal (log lines and Improv Wi-Fi); without it the device has none.
    pub serial: Option<PathBuf>,
    /// The chip the device says it is (`sim` unless given); a `sim` board refuses every update.
    pub chip: Chip,
    /// An app image written into ota_0 on a factory flash (ota_0 and otadata erased).
    pub image: Option<PathBuf>,
}

/// A command line that cannot be used, with the one-line reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The text of `sysboy-sim --help`.
pub const USAGE: &str = "sysboy-sim: the Sysboy device logic on Linux, over a TAP device and a file-backed flash

Usage: sysboy-sim --tap NAME --flash FILE [options]

Options:
  --tap NAME              TAP interface to attach to (create it first: ip tuntap add NAME mode tap)
  --flash FILE            file holding the simulated NOR flash (created, all 0xFF, when missing)
  --host ADDR:PORT        sysboy host to connect to (IPv4); saved to the flash. Without it: the saved
                          host, else the host found by mDNS (_sysboy._tcp.local)
  --token TOKEN           pairing token, sent on the upgrade and in hello; saved to the flash. Without
                          it and none saved, the hello asks to pair: the status line's light shows
                          awaiting_approval until the host approves, and the credential it issues
                          (paired) is saved to the flash and presented from then on
  --device-id ID          device id sent in hello (default: sim- and the MAC address)
  --static IP/PREFIX[,GW] fixed address instead of DHCP, e.g. 10.0.0.2/24,10.0.0.1
  --mac XX:XX:XX:XX:XX:XX MAC address (default: made from the TAP name)
  --report-ms N           print the status line at least every N ms (default 250)
  --seed N                seed for keys, masks and jitter (default: from the OS)
  --backoff-max-ms N      longest wait between reconnect attempts (default: the device's, 30000)
  --auth-backoff-ms N     wait after the host refuses the token (default: the device's, 300000)
  --status-ms N           how often to send the host a status (default: the device's, 15000)
  --ap-tap NAME           TAP of the device's own access point (192.168.4.1/24, captive portal); with it
                          the device provisions itself: portal without saved Wi-Fi, else join, then --tap
  --scan-list FILE        JSON list of networks heard: [{\"ssid\",\"rssi\",\"security\":\"open|wep|wpa|enterprise\"}]
  --station-networks FILE JSON list of networks a join reaches: [{\"ssid\",\"password\"}]
  --oled WxH              give the device a monochrome OLED of this size (e.g. 128x64; the height a
                          multiple of 8, at most 256x128), drawn in memory; the hello announces it
  --tft WxH               give the device an RGB565 TFT of this size (240x240, 320x240 or 240x320), drawn
                          in memory, that takes the host's stream: the hello announces it with an 8192-byte
                          stream buffer and the encodings raw565, rle565 and lz4_565 (with or without --oled)
  --chip CHIP             the chip the device says it is: sim (the default, which takes no update),
                          esp32c3 or esp32c6; the app images it boots and takes must be built for it
  --image FILE            an ESP app image (what espflash writes to an app partition) to write into
                          ota_0 of an erased flash file, as a factory flash; the device then reports its
                          version as its firmware. Updates from the host are written to the other slot
  --serial PATH           give the device a USB serial port: a pseudo-terminal linked at PATH that carries
                          the log lines and Improv Wi-Fi serial packets (with --ap-tap, Wi-Fi settings sent
                          over it are saved and joined as the portal's form)
  -h, --help              this text

Status goes to stdout as JSON lines (src/report.rs documents their fields: the meter reads `held`, with the
raw code in `held`, while the host's calibration wizard holds it); stdin takes `press short` (with a screen: the next scene),
`press long` (held 5 s: erases the settings), `screen PATH` or `screen oled PATH` (with --oled: writes the
OLED as PNG), `screen tft PATH` (with --tft: writes the TFT as an RGB PNG) and `quit`.
";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the simulated device.
    Run(Box<Options>),
    /// Print the usage text.
    Help,
}

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, UsageError> {
    let mut args = args.into_iter();
    let (mut tap, mut flash) = (None, None);
    let mut options = Options {
        tap: String::new(),
        flash: PathBuf::new(),
        host: None,
        token: None,
        device_id: None,
        addressing: Addressing::Dhcp,
        mac: None,
        report_ms: 250,
        seed: None,
        backoff_max_ms: None,
        auth_backoff_ms: None,
        status_ms: None,
        ap_tap: None,
        scan_list: None,
        station_networks: None,
        oled: None,
        tft: None,
        serial: None,
        chip: Chip::Sim,
        image: None,
    };
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        let mut value = || args.next().ok_or_else(|| UsageError(format!("{flag} needs a value; see --help")));
        match flag.as_str() {
            "--tap" => tap = Some(value()?),
            "--flash" => flash = Some(PathBuf::from(value()?)),
            "--host" => options.host = Some(parse_host(&value()?)?),
            "--token" => options.token = Some(value()?),
            "--device-id" => options.device_id = Some(value()?),
            "--static" => options.addressing = parse_static(&value()?)?,
            "--mac" => options.mac = Some(parse_mac(&value()?)?),
            "--report-ms" => options.report_ms = parse_number(&flag, &value()?, 10, 60_000)?,
            "--seed" => options.seed = Some(parse_number(&flag, &value()?, 0, u64::MAX)?),
            "--backoff-max-ms" => options.backoff_max_ms = Some(parse_number(&flag, &value()?, 500, 3_600_000)? as u32),
            "--auth-backoff-ms" => options.auth_backoff_ms = Some(parse_number(&flag, &value()?, 1, 3_600_000)? as u32),
            "--status-ms" => options.status_ms = Some(parse_number(&flag, &value()?, 100, 3_600_000)? as u32),
            "--ap-tap" => options.ap_tap = Some(value()?),
            "--scan-list" => options.scan_list = Some(PathBuf::from(value()?)),
            "--station-networks" => options.station_networks = Some(PathBuf::from(value()?)),
            "--oled" => options.oled = Some(parse_oled(&value()?)?),
            "--tft" => options.tft = Some(parse_tft(&value()?)?),
            "--serial" => options.serial = Some(PathBuf::from(value()?)),
            "--chip" => options.chip = parse_chip(&value()?)?,
            "--image" => options.image = Some(PathBuf::from(value()?)),
            other => return Err(UsageError(format!("unknown option '{other}'; see --help"))),
        }
    }
    options.tap = tap.ok_or_else(|| UsageError("--tap NAME is required; see --help".into()))?;
    options.flash = flash.ok_or_else(|| UsageError("--flash FILE is required; see --help".into()))?;
    Ok(Command::Run(Box::new(options)))
}

fn parse_chip(text: &str) -> Result<Chip, UsageError> {
    match text {
        "sim" => Ok(Chip::Sim),
        "esp32c3" => Ok(Chip::Esp32c3),
        "esp32c6" => Ok(Chip::Esp32c6),
        other => Err(UsageError(format!("--chip '{other}' is not sim, esp32c3 or esp32c6"))),
    }
}

fn parse_host(text: &str) -> Result<SocketAddrV4, UsageError> {
    text.parse().map_err(|_| UsageError(format!("--host '{text}' is not an IPv4 ADDR:PORT such as 10.0.0.1:8077")))
}

fn parse_oled(text: &str) -> Result<(u16, u16), UsageError> {
    let bad = || {
        let (width, height) = crate::screen::MAX_OLED;
        UsageError(format!("--oled '{text}' is not WIDTHxHEIGHT such as 128x64 (height a multiple of 8, at most {width}x{height})"))
    };
    let (width, height) = text.split_once('x').ok_or_else(bad)?;
    let (width, height): (u16, u16) = (width.parse().map_err(|_| bad())?, height.parse().map_err(|_| bad())?);
    crate::screen::fits(width, height).then_some((width, height)).ok_or_else(bad)
}

fn parse_tft(text: &str) -> Result<(u16, u16), UsageError> {
    let size = text.split_once('x').and_then(|(width, height)| Some((width.parse().ok()?, height.parse().ok()?)));
    size.filter(|size| crate::tft::SIZES.contains(size))
        .ok_or_else(|| UsageError(format!("--tft '{text}' is not one of the TFT sizes the scenes are laid out for: 240x240, 320x240 or 240x320")))
}

fn parse_static(text: &str) -> Result<Addressing, UsageError> {
    let bad = || UsageError(format!("--static '{text}' is not IP/PREFIX[,GATEWAY] such as 10.0.0.2/24,10.0.0.1"));
    let (cidr, gateway) = match text.split_once(',') {
        Some((cidr, gateway)) => (cidr, Some(gateway.parse().map_err(|_| bad())?)),
        None => (text, None),
    };
    let (address, prefix) = cidr.split_once('/').ok_or_else(bad)?;
    let prefix: u8 = prefix.parse().ok().filter(|p| (1..=32).contains(p)).ok_or_else(bad)?;
    Ok(Addressing::Static { address: address.parse().map_err(|_| bad())?, prefix, gateway })
}

fn parse_mac(text: &str) -> Result<[u8; 6], UsageError> {
    let bad = || UsageError(format!("--mac '{text}' is not six hex bytes such as 02:53:42:00:00:01"));
    let mut mac = [0u8; 6];
    let mut parts = text.split(':');
    for byte in &mut mac {
        let part = parts.next().filter(|p| p.len() == 2).ok_or_else(bad)?;
        *byte = u8::from_str_radix(part, 16).map_err(|_| bad())?;
    }
    if parts.next().is_some() || mac[0] & 1 == 1 {
        return Err(bad());
    }
    Ok(mac)
}

fn parse_number(flag: &str, text: &str, min: u64, max: u64) -> Result<u64, UsageError> {
    text.parse().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| UsageError(format!("{flag} '{text}' is not a whole number from {min} to {max}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Options, UsageError> {
        match parse(args.iter().map(|a| a.to_string()))? {
            Command::Run(options) => Ok(*options),
            Command::Help => panic!("asked for help"),
        }
    }

    #[test]
    fn takes_every_option() {
        let options = run(&[
            "--tap", "sbtap0", "--flash", "/tmp/f", "--host", "10.0.0.1:8077", "--token", "abcdefgh", "--device-id", "desk",
            "--static", "10.0.0.2/24,10.0.0.1", "--mac", "02:00:00:00:00:09", "--report-ms", "100", "--seed", "7",
        ])
        .unwrap();
        assert_eq!(options.tap, "sbtap0");
        assert_eq!(options.host, Some("10.0.0.1:8077".parse().unwrap()));
        assert_eq!(
            options.addressing,
            Addressing::Static { address: Ipv4Addr::new(10, 0, 0, 2), prefix: 24, gateway: Some(Ipv4Addr::new(10, 0, 0, 1)) }
        );
        assert_eq!(options.mac, Some([2, 0, 0, 0, 0, 9]));
        assert_eq!((options.report_ms, options.seed), (100, Some(7)));
    }

    #[test]
    fn serial_takes_the_path_to_link_the_terminal_at() {
        assert_eq!(run(&["--tap", "t", "--flash", "f", "--serial", "/tmp/tty"]).unwrap().serial, Some(PathBuf::from("/tmp/tty")));
        assert_eq!(run(&["--tap", "t", "--flash", "f"]).unwrap().serial, None);
        assert!(run(&["--tap", "t", "--flash", "f", "--serial"]).unwrap_err().0.contains("--serial needs a value"));
    }

    #[test]
    fn dhcp_is_the_default_and_tap_and_flash_are_required() {
        assert_eq!(run(&["--tap", "t", "--flash", "f"]).unwrap().addressing, Addressing::Dhcp);
        assert!(run(&["--flash", "f"]).unwrap_err().0.contains("--tap"));
        assert!(run(&["--tap", "t"]).unwrap_err().0.contains("--flash"));
    }

    #[test]
    fn an_oled_takes_its_size_and_refuses_one_it_cannot_have() {
        assert_eq!(run(&["--tap", "t", "--flash", "f"]).unwrap().oled, None);
        assert_eq!(run(&["--tap", "t", "--flash", "f", "--oled", "128x64"]).unwrap().oled, Some((128, 64)));
        assert_eq!(run(&["--tap", "t", "--flash", "f", "--oled", "128x32"]).unwrap().oled, Some((128, 32)));
        for bad in ["128x60", "128", "0x64", "512x64", "128x256", "axb"] {
            assert!(run(&["--tap", "t", "--flash", "f", "--oled", bad]).unwrap_err().0.contains("WIDTHxHEIGHT"), "{bad}");
        }
    }

    #[test]
    fn a_tft_takes_a_size_the_scenes_are_laid_out_for_beside_an_oled_or_alone() {
        assert_eq!(run(&["--tap", "t", "--flash", "f"]).unwrap().tft, None);
        let both = run(&["--tap", "t", "--flash", "f", "--oled", "128x64", "--tft", "320x240"]).unwrap();
        assert_eq!((both.oled, both.tft), (Some((128, 64)), Some((320, 240))));
        for size in ["240x240", "240x320"] {
            assert!(run(&["--tap", "t", "--flash", "f", "--tft", size]).unwrap().tft.is_some(), "{size}");
        }
        for bad in ["128x64", "320x320", "320", "axb", "320x240x1"] {
            assert!(run(&["--tap", "t", "--flash", "f", "--tft", bad]).unwrap_err().0.contains("240x240, 320x240 or 240x320"), "{bad}");
        }
    }

    #[test]
    fn bad_values_get_one_clear_line() {
        assert!(run(&["--tap", "t", "--flash", "f", "--host", "nohost"]).unwrap_err().0.contains("ADDR:PORT"));
        assert!(run(&["--tap", "t", "--flash", "f", "--static", "10.0.0.2/40"]).unwrap_err().0.contains("IP/PREFIX"));
        assert!(run(&["--tap", "t", "--flash", "f", "--mac", "01:00:00:00:00:00"]).unwrap_err().0.contains("--mac"));
        assert!(run(&["--tap", "t", "--flash", "f", "--bogus"]).unwrap_err().0.contains("unknown option"));
        assert!(run(&["--tap"]).unwrap_err().0.contains("needs a value"));
    }
}
