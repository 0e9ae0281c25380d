//! First boot in the simulator: the settings in the flash file decide between the portal and the home network,
//! and `sysboy_device::provisioning` drives the simulated radio, the settings store, the portal and, once the
//! radio has joined, the station (the host link over the station TAP). A restart re-executes the simulator, as
//! the ESP32 resets, so a fresh boot takes up what was saved.

use core::cell::RefCell;
use std::net::SocketAddrV4;
use std::os::unix::process::CommandExt;

use embassy_executor::Spawner;
use embassy_futures::block_on;
use embassy_futures::select::{select3, Either3};
use embassy_net::Runner;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Instant, Timer};
use serde_json::json;
use sysboy_device::portal::server::PortalServer;
use sysboy_device::provisioning::{Command, Phase, Provisioning, ProvisioningConfig};
use sysboy_device::radio::{AccessPointConfig, Radio};
use sysboy_device::settings::{Settings, SettingsStore};

use crate::access_point::{AP_ADDRESS, AP_SSID};
use crate::flash::{FileFlash, SECTOR};
use crate::now_ms;
use crate::panel::Panel;
use crate::portal_io::Submissions;
use crate::radio::SimRadio;
use crate::station::Station;
use crate::tap::TapDevice;

/// The port of a saved host given without one: the sysboy host's default.
const DEFAULT_HOST_PORT: u16 = 8077;
/// Room for the largest settings record.
const RECORD_BUFFER: usize = 1024;
/// Retries come quickly in the simulator so tests see the fallback within seconds.
const CONFIG: ProvisioningConfig = ProvisioningConfig::new().with_retry_ms(1_500).with_fallback_after(3).with_restart_after_ms(2_500);

/// The long press, raised by the button task.
pub static RESET: Signal<CriticalSectionRawMutex, ()> = Signal::new();

/// The settings store over the simulated flash.
pub type Store = SettingsStore<FileFlash>;

/// Opens the settings in `flash` and reads them; anything unreadable (a corrupt file) gives defaults.
pub fn load(flash: FileFlash, sectors: usize) -> Result<(Store, Settings), String> {
    let mut store = SettingsStore::new(flash, 0..(sectors * SECTOR) as u32).map_err(|e| e.to_string())?;
    let mut buffer = [0u8; RECORD_BUFFER];
    let loaded = block_on(store.load(&mut buffer));
    for problem in &loaded.problems {
        log::warn!("settings: {problem}");
    }
    Ok((store, loaded.settings))
}

/// The saved host as an address the station can use (`a.b.c.d[:port]`); names need DNS, which the simulated
/// station does not have, so they are logged and left to discovery.
pub fn saved_host(settings: &Settings) -> Option<SocketAddrV4> {
    let host = settings.network.host.as_deref()?;
    let parsed = host.parse::<SocketAddrV4>().ok().or_else(|| host.parse().ok().map(|ip| SocketAddrV4::new(ip, DEFAULT_HOST_PORT)));
    if parsed.is_none() {
        log::warn!("settings: host '{host}' is a name; the simulator can only reach addresses");
    }
    parsed
}

/// The station's network and task, started once the radio has joined.
pub struct StationStart {
    /// The station stack's runner.
    pub runner: Runner<'static, TapDevice>,
    /// The host link.
    pub station: Station,
}

/// Everything the provisioning task drives.
pub struct Provisioner {
    /// The radio.
    pub radio: SimRadio,
    /// The settings store.
    pub store: Store,
    /// What was loaded at boot.
    pub settings: Settings,
    /// The portal the HTTP workers serve.
    pub portal: &'static RefCell<PortalServer>,
    /// Forms accepted by the portal.
    pub submissions: &'static Submissions,
    /// Events go to the panel's report.
    pub panel: &'static RefCell<Panel>,
    /// The station, until it is started.
    pub station: Option<StationStart>,
}

/// Runs provisioning for ever (until a restart).
#[embassy_executor::task]
pub async fn run(mut provisioner: Provisioner, spawner: Spawner) -> ! {
    let mut machine = Provisioning::new(CONFIG);
    let mut pending = machine.boot(provisioner.settings.network.wifi.clone());
    loop {
        while !pending.is_empty() {
            let command = pending.remove(0);
            let more = provisioner.carry_out(&mut machine, command, spawner).await;
            pending.extend(more);
            // The page shows each step as it happens (the join's result before the restart's wait).
            let mut portal = provisioner.portal.borrow_mut();
            portal.state.progress = machine.progress();
            portal.state.provisioned = machine.phase() == Phase::Joined;
        }
        let retry = machine.next_retry_ms().map_or(Instant::MAX, Instant::from_millis);
        pending = match select3(provisioner.submissions.receive(), RESET.wait(), Timer::at(retry)).await {
            Either3::First(submission) => machine.submitted(submission),
            Either3::Second(()) => {
                provisioner.event("reset_pressed", json!({}));
                machine.reset()
            }
            Either3::Third(()) => machine.poll(now_ms()),
        };
    }
}

impl Provisioner {
    fn event(&self, name: &str, detail: serde_json::Value) {
        self.panel.borrow_mut().event(now_ms(), name, detail);
    }

    async fn carry_out(&mut self, machine: &mut Provisioning, command: Command, spawner: Spawner) -> Vec<Command> {
        match command {
            Command::StartAccessPoint => {
                if self.radio.start_access_point(&AccessPointConfig::new(AP_SSID)).await.is_err() {
                    log::error!("radio: the access point did not start");
                }
                let networks = self.radio.scan().await.unwrap_or_default();
                let count = networks.len();
                self.portal.borrow_mut().state.networks = networks;
                self.event("access_point", json!({ "ssid": AP_SSID, "ip": AP_ADDRESS.to_string(), "networks": count }));
            }
            Command::StopAccessPoint => {
                let _ = self.radio.stop_access_point().await;
                self.event("access_point_off", json!({}));
            }
            Command::Save(submission) => {
                self.settings.network.wifi = Some(submission.wifi.clone());
                self.settings.network.host = submission.host.clone();
                self.settings.network.token = submission.token.clone();
                let mut buffer = [0u8; RECORD_BUFFER];
                match self.store.save(&self.settings, &mut buffer).await {
                    Ok(()) => self.event("settings_saved", json!({ "ssid": submission.wifi.ssid, "host": submission.host })),
                    Err(error) => self.event("settings_not_saved", json!({ "reason": error.to_string() })),
                }
            }
            Command::Join(credentials) => {
                self.event("joining", json!({ "ssid": credentials.ssid }));
                self.portal.borrow_mut().state.progress = sysboy_device::portal::state::Progress::Joining { ssid: credentials.ssid.clone() };
                let result = self.radio.join(&credentials).await;
                match result {
                    Ok(()) => self.event("joined", json!({ "ssid": credentials.ssid })),
                    Err(error) => {
                        let reason = serde_json::to_value(error).unwrap_or_default();
                        self.event("join_failed", json!({ "ssid": credentials.ssid, "reason": reason, "message": error.to_string() }));
                    }
                }
                let more = machine.join_finished(result, now_ms());
                if machine.phase() == Phase::Joined {
                    self.start_station(spawner);
                }
                return more;
            }
            Command::Erase => {
                let erased = self.store.reset().await;
                self.event("settings_erased", json!({ "ok": erased.is_ok() }));
            }
            Command::Restart { after_ms } => {
                Timer::after(Duration::from_millis(u64::from(after_ms))).await;
                self.event("restarting", json!({}));
                restart();
            }
        }
        Vec::new()
    }

    fn start_station(&mut self, spawner: Spawner) {
        let Some(StationStart { runner, station }) = self.station.take() else { return };
        // Spawning fails only when a task is spawned twice; the station is taken once.
        spawner.spawn(station_network(runner).expect("the station network task is spawned once"));
        spawner.spawn(crate::station::run(station).expect("the station task is spawned once"));
    }
}

#[embassy_executor::task]
async fn station_network(mut runner: Runner<'static, TapDevice>) -> ! {
    runner.run().await
}

/// Restarts the simulator in place (same process id, same arguments), as the board resets.
fn restart() -> ! {
    let mut args = std::env::args_os();
    let program = std::env::current_exe().ok().map(Into::into).or_else(|| args.next()).unwrap_or_default();
    let error = std::process::Command::new(program).args(std::env::args_os().skip(1)).exec();
    eprintln!("sysboy-sim: cannot restart: {error}");
    std::process::exit(1);
}

/// A device that provisions itself, ready to run: its settings, its radio and its access point's stack.
pub struct FirstBoot {
    store: Store,
    settings: Settings,
    radio: SimRadio,
    access_point: (embassy_net::Stack<'static>, Runner<'static, crate::radio::AccessPointInterface>),
}

impl FirstBoot {
    /// Reads the settings from `flash`, opens the access point's TAP (off the air until provisioning says),
    /// and lets saved host and token stand in where the command line gave none.
    pub fn prepare(options: &mut crate::cli::Options, flash: FileFlash, sectors: usize, ap_tap: &str, ap_mac: [u8; 6], seed: u64) -> Result<Self, String> {
        static GATE: crate::radio::AirGate = crate::radio::AirGate::new();
        let (store, settings) = load(flash, sectors)?;
        options.host = options.host.or_else(|| saved_host(&settings));
        options.token = options.token.take().or_else(|| settings.network.token.clone());
        let tap = TapDevice::open(ap_tap, ap_mac)
            .map_err(|error| format!("cannot attach to the access point's TAP '{ap_tap}': {error} (create it with `ip tuntap add {ap_tap} mode tap`)"))?;
        let radio = SimRadio::new(options.scan_list.clone(), options.station_networks.clone(), &GATE);
        Ok(Self { store, settings, radio, access_point: crate::access_point::start(tap, &GATE, seed) })
    }

    /// Spawns the access point's servers and the provisioning task, which starts `station` once joined.
    pub fn spawn(self, spawner: Spawner, panel: &'static RefCell<Panel>, station: StationStart) {
        static PORTAL: static_cell::StaticCell<RefCell<PortalServer>> = static_cell::StaticCell::new();
        static SUBMISSIONS: static_cell::StaticCell<Submissions> = static_cell::StaticCell::new();
        let portal: &'static RefCell<PortalServer> = PORTAL.init(RefCell::new(PortalServer::new(AP_ADDRESS)));
        let submissions: &'static Submissions = SUBMISSIONS.init(Submissions::new());
        let (stack, runner) = self.access_point;
        // Spawning fails only when a task is spawned more often than its pool; each is spawned once here.
        spawner.spawn(crate::access_point::network(runner).expect("the access point's network task is spawned once"));
        spawner.spawn(crate::access_point::dhcp(stack).expect("the DHCP task is spawned once"));
        spawner.spawn(crate::access_point::dns(stack).expect("the DNS task is spawned once"));
        for _ in 0..crate::portal_io::WORKERS {
            spawner.spawn(crate::portal_io::serve(stack, portal, submissions).expect("HTTP workers fit their pool"));
        }
        let provisioner = Provisioner { radio: self.radio, store: self.store, settings: self.settings, portal, submissions, panel, station: Some(station) };
        spawner.spawn(run(provisioner, spawner).expect("the provisioning task is spawned once"));
    }
}
