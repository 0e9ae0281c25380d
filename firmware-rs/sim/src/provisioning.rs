//! First boot in the simulator: the settings in the flash file decide between the portal and the home network,
//! and `sysboy_device::net::provisioning` drives the simulated radio, the settings store, the portal and, once the
//! radio has joined, the station (the host link over the station TAP). A restart re-executes the simulator, as
//! the ESP32 resets, so a fresh boot takes up what was saved.

use core::cell::RefCell;

use embassy_executor::Spawner;
use embassy_futures::block_on;
use embassy_net::Runner;
use serde_json::json;
use sysboy_device::net::portal::{ap_ssid, AP_ADDRESS};
use sysboy_device::net::provisioning::{self, Provisioner, ProvisioningBoard, ProvisioningEvent};
use sysboy_device::board::settings::load_settings;
use sysboy_device::net::settings_keeper::{Kept, SettingsChanges, SettingsKeeper, RECORD_BUFFER};
use sysboy_device::net::supervision::SupervisionConfig;
use sysboy_device::portal::server::PortalServer;
use sysboy_device::provisioning::ProvisioningConfig;
use sysboy_device::settings::SettingsStore;
use sysboy_device::status_light::Heard;

use crate::buttons::RESET;
use crate::flash::{FileFlash, SECTOR};
use crate::now_ms;
use crate::panel::Panel;
use crate::portal_io::Submissions;
use crate::radio::SimRadio;
use crate::settings::Opened;
use crate::station::Station;
use crate::tap::TapDevice;

/// Retries come quickly in the simulator so tests see the fallback within seconds.
/// The restart after a portal join waits long enough for a phone dropped by the access point's channel move
/// (`radio::DROP_TIME`) to come back and read the result.
const CONFIG: ProvisioningConfig = ProvisioningConfig::new().with_retry_ms(1_500).with_fallback_after(3).with_restart_after_ms(5_000);

/// Supervision of the joined network, as quick as the retries.
const SUPERVISION: SupervisionConfig = SupervisionConfig::new().with_retry_ms(1_500);

/// Opens the settings in `flash` and reads them; anything unreadable (a corrupt file) gives defaults.
pub fn load(flash: FileFlash, sectors: usize) -> Result<Opened, String> {
    let mut store = SettingsStore::new(flash, 0..(sectors * SECTOR) as u32).map_err(|e| e.to_string())?;
    let mut buffer = [0u8; RECORD_BUFFER];
    let loaded = block_on(load_settings(&mut store, &mut buffer));
    Ok(Opened { store, settings: loaded.settings, problems: loaded.problems, saved: false })
}

/// The station's network and task, started once the radio has joined.
pub struct StationStart {
    /// The station stack's runner.
    pub runner: Runner<'static, crate::radio::AirInterface>,
    /// The host link.
    pub station: Station,
}

/// The simulator as the provisioning driver sees it: events go to the panel's report, the station starts once
/// the radio has joined, and a restart re-executes the simulator.
pub struct SimProvisioning {
    /// Events go to the panel's report.
    pub panel: &'static RefCell<Panel>,
    /// For the station's tasks.
    pub spawner: Spawner,
    /// The station, until it is started.
    pub station: Option<StationStart>,
}

impl SimProvisioning {
    fn event(&self, name: &str, detail: serde_json::Value) {
        self.panel.borrow_mut().event(now_ms(), name, detail);
    }
}

impl ProvisioningBoard for SimProvisioning {
    fn report(&mut self, event: ProvisioningEvent<'_>) {
        if let Some(heard) = Heard::from_provisioning(&event) {
            self.panel.borrow_mut().hear(heard);
        }
        self.panel.borrow_mut().hear_provisioning(&event);
        match event {
            ProvisioningEvent::AccessPoint { ssid, address, networks } => {
                self.event("access_point", json!({ "ssid": ssid, "ip": address.to_string(), "networks": networks }));
            }
            ProvisioningEvent::AccessPointFailed(error) => log::error!("radio: the access point did not start: {error}"),
            ProvisioningEvent::AccessPointOff => self.event("access_point_off", json!({})),
            ProvisioningEvent::Scanned { networks } => self.event("scanned", json!({ "networks": networks })),
            ProvisioningEvent::ScanFailed(error) => self.event("scan_failed", json!({ "reason": error.to_string() })),
            ProvisioningEvent::SettingsSaved { ssid, host } => self.event("settings_saved", json!({ "ssid": ssid, "host": host })),
            ProvisioningEvent::SettingsNotSaved(reason) => self.event("settings_not_saved", json!({ "reason": reason })),
            ProvisioningEvent::Settings(Kept::Saved(change)) => crate::settings::saved_event(self.panel, change, None),
            ProvisioningEvent::Settings(Kept::NotSaved { change, reason }) => crate::settings::saved_event(self.panel, change, Some(reason)),
            ProvisioningEvent::Settings(Kept::Erased(erased)) => self.event("settings_erased", json!({ "ok": erased.is_ok() })),
            ProvisioningEvent::Joining(ssid) => self.event("joining", json!({ "ssid": ssid })),
            ProvisioningEvent::Joined(ssid) => self.event("joined", json!({ "ssid": ssid })),
            ProvisioningEvent::JoinFailed { ssid, error } => {
                let reason = serde_json::to_value(error).unwrap_or_default();
                self.event("join_failed", json!({ "ssid": ssid, "reason": reason, "message": error.to_string() }));
            }
            ProvisioningEvent::ResetPressed => self.event("reset_pressed", json!({})),
            ProvisioningEvent::LinkLost => self.event("link_lost", json!({})),
            ProvisioningEvent::LinkBack => self.event("link_back", json!({})),
            ProvisioningEvent::RadioRestarted(restarted) => self.event("radio_restarted", json!({ "ok": restarted.is_ok() })),
            ProvisioningEvent::Restarting => self.event("restarting", json!({})),
        }
    }

    fn joined(&mut self) {
        let Some(StationStart { runner, station }) = self.station.take() else { return };
        // Spawning fails only when a task is spawned twice; the station is taken once.
        self.spawner.spawn(crate::net::run(runner).expect("the station network task is spawned once"));
        self.spawner.spawn(crate::station::run(station).expect("the station task is spawned once"));
    }

    fn restart(&mut self) -> ! {
        restart()
    }
}

/// Runs provisioning for ever (until a restart).
#[embassy_executor::task]
async fn run(provisioner: Provisioner<'static, SimRadio, FileFlash, SimProvisioning>) -> ! {
    provisioning::run(provisioner, CONFIG, SUPERVISION).await
}

/// Restarts the simulator in place (same process id, same arguments), as the board resets.
fn restart() -> ! {
    crate::reset::restart()
}

/// A device that provisions itself, ready to run: its settings, its radio and its access point's stack.
pub struct FirstBoot {
    opened: Opened,
    radio: SimRadio,
    access_point: (embassy_net::Stack<'static>, Runner<'static, crate::radio::AirInterface>),
    /// The access point's name, from its MAC as on the board.
    ssid: &'static str,
}

impl FirstBoot {
    /// Reads the settings from `flash`, opens the access point's TAP (off the air until provisioning says),
    /// and lets saved host and token stand in where the command line gave none.
    pub fn prepare(
        options: &mut crate::cli::Options,
        flash: FileFlash,
        sectors: usize,
        (ap_tap, ap_mac): (&str, [u8; 6]),
        station_up: Box<dyn Fn() -> bool>,
        seed: u64,
    ) -> Result<Self, String> {
        static GATE: crate::radio::AirGate = crate::radio::AirGate::new();
        let opened = load(flash, sectors)?;
        options.host = options.host.or_else(|| sysboy_device::net::station::saved_host(&opened.settings));
        options.token = options.token.take().or_else(|| opened.settings.network.token.clone());
        let tap = TapDevice::open(ap_tap, ap_mac)
            .map_err(|error| format!("cannot attach to the access point's TAP '{ap_tap}': {error} (create it with `ip tuntap add {ap_tap} mode tap`)"))?;
        let radio = SimRadio::new(options.scan_list.clone(), options.station_networks.clone(), &GATE, tap.carrier(), station_up);
        Ok(Self { opened, radio, access_point: crate::access_point::start(tap, &GATE, seed), ssid: ap_ssid(ap_mac).leak() })
    }

    /// Reports the settings the device boots with, as without an access point.
    pub fn report(&self, panel: &RefCell<Panel>) {
        crate::settings::report(panel, &self.opened);
    }

    /// Spawns the access point's servers and the provisioning task, which starts `station` once joined and
    /// saves the session's `changes`.
    pub fn spawn(self, spawner: Spawner, panel: &'static RefCell<Panel>, changes: &'static SettingsChanges, station: StationStart) {
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
        let station_stack = station.station.stack;
        crate::serial::spawn_improv(spawner, portal, submissions, station_stack, &self.opened.settings, station.station.link.hello(), panel);
        let board = SimProvisioning { panel, spawner, station: Some(station) };
        let mut radio = self.radio;
        radio.report_to(panel);
        let provisioner = Provisioner {
            radio,
            keeper: SettingsKeeper::new(Some(self.opened.store), self.opened.settings),
            portal,
            submissions,
            reset: &RESET,
            changes,
            station: station_stack,
            board,
            access_point: (self.ssid, AP_ADDRESS),
        };
        spawner.spawn(run(provisioner).expect("the provisioning task is spawned once"));
    }
}
