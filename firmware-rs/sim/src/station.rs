//! The station task: wait for an address, connect to the host over TCP, upgrade to WebSocket, run the session
//! (frames to the needle, button presses to commands, heartbeats), and reconnect with capped, jittered backoff.

use core::cell::RefCell;
use std::net::SocketAddrV4;

use embassy_futures::select::{select3, Either3};
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpEndpoint, Ipv4Address, Stack};
use embassy_time::{Duration, Instant, Timer};
use serde_json::json;
use static_cell::StaticCell;
use sysboy_device::ws::close_code;
use sysboy_protocol::Press;

use crate::cli::Options;
use crate::console::{Commands, ConsoleCommand};
use crate::flash::FileFlash;
use crate::host_socket::{HostSocket, SocketBuffers, SocketError};
use crate::now_ms;
use crate::panel::{LinkState, Panel};
use crate::random::Random;
use crate::session::{ack_detail, Action, Session};

/// The first retry waits about this long; each failure doubles it up to [`BACKOFF_CAP`].
const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// The longest wait between attempts.
pub const BACKOFF_CAP: Duration = Duration::from_secs(8);
/// After a refused token, wait this long: a wrong token will not get better by hammering.
const AUTH_BACKOFF: Duration = Duration::from_secs(30);
/// A TCP connect or upgrade that takes longer than this has failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The device's own heartbeat period.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// TCP socket buffers: a few frames each way.
const TCP_BUFFER: usize = 4096;

/// Everything the station task needs.
pub struct Station {
    /// The network stack over the TAP.
    pub stack: Stack<'static>,
    /// The meter and the reported figures.
    pub panel: &'static RefCell<Panel>,
    /// Button presses from the console.
    pub commands: &'static Commands,
    /// The settings flash (read once the device crate's settings store lands).
    pub flash: FileFlash,
    /// Keys, masks and jitter.
    pub random: Random,
    /// The command line.
    pub options: Options,
    /// The id sent in hello.
    pub device_id: String,
}

/// The memory one session works in, reused by each session in turn (static, as on the ESP32).
struct LinkBuffers {
    rx: [u8; TCP_BUFFER],
    tx: [u8; TCP_BUFFER],
    ws: SocketBuffers,
}

/// How a session ended, which decides the wait before the next.
enum Ended {
    /// It never opened, or failed: back off.
    Failed(String),
    /// The host refused the token: back off long.
    Unauthorized(String),
    /// It ran (welcomed) and then ended: retry soon.
    Dropped(String),
}

/// Runs the host link for ever.
#[embassy_executor::task]
pub async fn run(mut station: Station) -> ! {
    static BUFFERS: StaticCell<LinkBuffers> = StaticCell::new();
    let buffers = BUFFERS.init(LinkBuffers { rx: [0; TCP_BUFFER], tx: [0; TCP_BUFFER], ws: SocketBuffers::new() });
    let host = station.options.host;
    let mut failures = 0u32;
    loop {
        if !station.stack.is_config_up() {
            station.panel.borrow_mut().set_link(LinkState::NoNetwork);
            station.stack.wait_config_up().await;
            let ip = crate::net::address(station.stack);
            station.panel.borrow_mut().event(now_ms(), "network_up", json!({ "ip": ip }));
        }
        let Some(host) = host else {
            station.panel.borrow_mut().set_link(LinkState::NoHost);
            Timer::after(Duration::from_secs(1)).await;
            continue;
        };
        let wait = match station.session(host, buffers).await {
            Ended::Failed(reason) => {
                failures += 1;
                station.note_end(LinkState::Backoff, "connect_failed", &reason);
                backoff(failures, &mut station.random)
            }
            Ended::Unauthorized(reason) => {
                failures += 1;
                station.panel.borrow_mut().count_auth_failure();
                station.note_end(LinkState::AuthFailed, "auth_failed", &reason);
                jitter(AUTH_BACKOFF, &mut station.random)
            }
            Ended::Dropped(reason) => {
                failures = 1;
                station.note_end(LinkState::Backoff, "disconnected", &reason);
                backoff(failures, &mut station.random)
            }
        };
        Timer::after(wait).await;
    }
}

/// The wait after `failures` failures in a row: doubling from the base to the cap, then 50..100 % of that.
fn backoff(failures: u32, random: &mut Random) -> Duration {
    let doubled = BACKOFF_BASE.as_millis().saturating_mul(1u64 << failures.saturating_sub(1).min(16));
    jitter(Duration::from_millis(doubled.min(BACKOFF_CAP.as_millis())), random)
}

fn jitter(wait: Duration, random: &mut Random) -> Duration {
    let ms = wait.as_millis();
    Duration::from_millis(ms / 2 + u64::from(random.next_u32()) % (ms / 2 + 1))
}

impl Station {
    fn note_end(&mut self, link: LinkState, event: &str, reason: &str) {
        let mut panel = self.panel.borrow_mut();
        panel.set_link(link);
        // Nothing old may pass for live once the session is gone.
        panel.meter().forget();
        panel.event(now_ms(), event, json!({ "reason": reason }));
    }

    async fn session(&mut self, host: SocketAddrV4, buffers: &mut LinkBuffers) -> Ended {
        let LinkBuffers { rx, tx, ws: ws_buffers } = buffers;
        {
            let mut panel = self.panel.borrow_mut();
            panel.set_link(LinkState::Connecting);
            panel.set_host(Some(host.to_string()));
            panel.count_attempt();
        }
        let mut socket = TcpSocket::new(self.stack, rx, tx);
        socket.set_timeout(Some(Duration::from_secs(15)));
        let endpoint = IpEndpoint::new(Ipv4Address::from(*host.ip()).into(), host.port());
        let opened = embassy_time::with_timeout(CONNECT_TIMEOUT, async {
            socket.connect(endpoint).await.map_err(|e| format!("TCP connect to {host} failed: {e:?}"))?;
            let token = self.options.token.as_deref();
            let key = self.random.key();
            HostSocket::open(&mut socket, ws_buffers, &host.to_string(), "/ws", token, key).await.map_err(|e| match e {
                SocketError::Handshake(h) if h.is_unauthorized() => format!("unauthorized: {h}"),
                other => other.to_string(),
            })
        })
        .await;
        let mut ws = match opened {
            Ok(Ok(ws)) => ws,
            Ok(Err(reason)) if reason.starts_with("unauthorized") => return Ended::Unauthorized(reason),
            Ok(Err(reason)) => return Ended::Failed(reason),
            Err(_) => return Ended::Failed(format!("no answer from {host} within {} ms", CONNECT_TIMEOUT.as_millis())),
        };
        let ended = self.converse(&mut ws).await;
        let _ = ws.close(close_code::GOING_AWAY, "", self.random.mask()).await;
        drop(ws);
        socket.abort();
        let _ = embassy_time::with_timeout(Duration::from_millis(200), socket.flush()).await;
        ended
    }

    async fn converse<S: embedded_io_async::Read + embedded_io_async::Write>(&mut self, ws: &mut HostSocket<'_, S>) -> Ended {
        let mut session = Session::default();
        if let Err(error) = ws.send_text(&Session::hello(&self.device_id), self.random.mask()).await {
            return Ended::Failed(error.to_string());
        }
        let mut welcomed = false;
        let mut stale_after = Duration::from_secs(5);
        let mut heard = Instant::now();
        let mut next_heartbeat = Instant::now() + HEARTBEAT;
        let mut heartbeats = 0u32;
        loop {
            // Silence for twice the stale time means the host or the link is gone, even if TCP has not noticed.
            let silent_at = heard + stale_after * 2;
            let deadline = silent_at.min(next_heartbeat);
            let mask = self.random.mask();
            match select3(ws.receive(mask), self.commands.receive(), Timer::at(deadline)).await {
                Either3::First(Ok(text)) => {
                    heard = Instant::now();
                    let now = now_ms();
                    let mut panel = self.panel.borrow_mut();
                    match session.receive(&text) {
                        Action::Welcomed { host, metric, stale_after_ms } => {
                            welcomed = true;
                            stale_after = Duration::from_millis(u64::from(stale_after_ms));
                            let _ = panel.meter().set_stale_after_ms(stale_after_ms);
                            panel.set_link(LinkState::Connected);
                            panel.set_metric(metric.clone());
                            panel.event(now, "connected", json!({ "host": host, "metric": metric }));
                        }
                        Action::Configured { metric, stale_after_ms } => {
                            stale_after = Duration::from_millis(u64::from(stale_after_ms));
                            let _ = panel.meter().set_stale_after_ms(stale_after_ms);
                            panel.set_metric(metric.clone());
                            panel.event(now, "config", json!({ "metric": metric }));
                        }
                        Action::Show(reading) => {
                            if !welcomed {
                                // A bare server that only streams frames: the link is up once frames flow.
                                panel.set_link(LinkState::Connected);
                            }
                            panel.show(now, reading);
                        }
                        Action::Acked { id, ok, metric, reason } => {
                            if ok && metric.is_some() {
                                panel.set_metric(metric.clone());
                            }
                            panel.event(now, "ack", ack_detail(id, ok, &metric, &reason));
                        }
                        Action::Unauthorized(reason) => return Ended::Unauthorized(reason),
                        Action::Error(reason) => panel.event(now, "host_error", json!({ "reason": reason })),
                        Action::Nothing => {}
                    }
                }
                Either3::First(Err(error)) => {
                    let reason = error.to_string();
                    return if welcomed { Ended::Dropped(reason) } else { Ended::Failed(reason) };
                }
                Either3::Second(ConsoleCommand::PressShort) => {
                    let (id, frame) = session.button(Press::Short);
                    self.panel.borrow_mut().event(now_ms(), "button", json!({ "id": id, "press": "short" }));
                    if let Err(error) = ws.send_text(&frame, self.random.mask()).await {
                        return Ended::Dropped(error.to_string());
                    }
                }
                Either3::Second(ConsoleCommand::PressLong) => {
                    // A long press resets the device to its portal; the settings store is not wired yet.
                    self.panel.borrow_mut().event(now_ms(), "button", json!({ "press": "long" }));
                }
                Either3::Second(ConsoleCommand::Quit) => {}
                Either3::Third(()) => {
                    if Instant::now() >= silent_at {
                        let reason = format!("nothing heard for {} ms", (stale_after * 2).as_millis());
                        return if welcomed { Ended::Dropped(reason) } else { Ended::Failed(reason) };
                    }
                    heartbeats += 1;
                    next_heartbeat = Instant::now() + HEARTBEAT;
                    if let Err(error) = ws.send_text(&Session::heartbeat(heartbeats), self.random.mask()).await {
                        return Ended::Dropped(error.to_string());
                    }
                }
            }
        }
    }
}
