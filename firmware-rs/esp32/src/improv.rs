//! Improv Wi-Fi serial on the C3/C6 USB-Serial-JTAG port, beside the log: ESP Web Tools (or any Improv client) that
//! just flashed the board sends the home network over the same USB cable, and `sysboy-device`'s Improv task hands it
//! to the provisioning driver exactly as the portal's form is handed.
//!
//! The port has one IN endpoint (device to PC) and one OUT endpoint, and esp-println's logger already writes to the
//! IN one (`serial_jtag_printer`, esp-println 0.18 `src/lib.rs:245-361`, the `auto` feature picking it once the PC's
//! SOF frames are seen). The two cannot share the IN side through esp-hal's driver: `UsbSerialJtagTx` and the logger
//! would each fill the 64-byte FIFO and push it out, and a packet could land in the middle of a log line. So:
//! - reading goes through esp-hal 1.2's driver: `UsbSerialJtag::new` (which leaves the peripheral as it is when the
//!   clock is already on: `UsbDevice` is in esp-metadata's `KEEP_ENABLED`, so `new_inner` neither resets it nor
//!   drops the USB connection, `src/usb/usb_serial_jtag.rs:359-375`), `into_async` and the `Rx` half's
//!   `embedded_io_async::Read`, which drains the OUT FIFO and otherwise waits on the `SERIAL_OUT_RECV_PKT` interrupt
//!   (`read_async`, `:873-886`); nothing else reads that endpoint;
//! - writing goes through esp-println's own `Printer::write_bytes`, in the same critical section as every log line
//!   (its `println!` writes a line and its newline in one `with`, `src/lib.rs:40-52`), so a packet is never cut into
//!   a log line or a log line into a packet; the `Tx` half is never used. With no PC reading, esp-println drops the
//!   output after its timeout, packets included, rather than stall the board.
//!
//! The board restarts 10 s after a join from Wi-Fi settings (as after the portal's form); an answer still owed to the
//! client then (no address from DHCP yet) is kept in RTC fast RAM, which a software reset keeps, and given once the
//! board has joined again.
//!
//! The ESP32 classic has no USB-Serial-JTAG (its USB goes through a UART bridge), so this is built for the C3 and C6.

use alloc::string::String;

use embassy_executor::Spawner;
use embassy_net::Stack;
use esp_hal::{Async, peripherals::USB_DEVICE, ram, usb::usb_serial_jtag::{UsbSerialJtag, UsbSerialJtagRx}};
use sysboy_device::{
    improv::{
        DeviceInfo, FIRMWARE, Heard, ImprovService, Kept,
        io::{self as improv_io, ImprovPort, ImprovWiring},
    },
    net::portal::Submissions,
    settings::Settings,
};

use crate::portal::Portal;

/// "IMPV": [`OWED_SSID`] holds the network a client waits for.
const OWED: u32 = 0x494D_5056;
/// Kept across a software reset; after a power-on it holds noise, hence the mark and the reset reason's check.
#[ram(unstable(rtc_fast, persistent))]
static mut OWED_MARK: u32 = 0;
/// The owed network's name: its length, then up to 32 bytes.
#[ram(unstable(rtc_fast, persistent))]
static mut OWED_SSID: [u8; 33] = [0; 33];

/// The network a client was owed an answer for when the board restarted itself, if any; clears the mark.
fn take_owed() -> Option<String> {
    // SAFETY: read once at start, before the Improv task that writes them exists.
    let (mark, ssid) = unsafe { (core::ptr::addr_of_mut!(OWED_MARK).replace(0), core::ptr::addr_of!(OWED_SSID).read()) };
    let software = crate::reset::reason() == Some(sysboy_protocol::ResetReason::Software);
    let length = usize::from(ssid[0]).min(32);
    (mark == OWED && software).then(|| core::str::from_utf8(&ssid[1..=length]).ok().map(String::from)).flatten()
}

fn keep_owed(ssid: Option<&str>) {
    let mut kept = [0u8; 33];
    if let Some(ssid) = ssid.filter(|ssid| ssid.len() <= 32) {
        kept[0] = ssid.len() as u8;
        kept[1..=ssid.len()].copy_from_slice(ssid.as_bytes());
    }
    // SAFETY: only the Improv task writes these, after `take_owed` has read them.
    unsafe {
        core::ptr::addr_of_mut!(OWED_SSID).write_volatile(kept);
        core::ptr::addr_of_mut!(OWED_MARK).write_volatile(if kept[0] > 0 { OWED } else { 0 });
    }
}

/// The USB-Serial-JTAG port: reads through esp-hal's driver, writes through esp-println.
struct JtagPort {
    rx: UsbSerialJtagRx<'static, Async>,
}

impl ImprovPort for JtagPort {
    async fn read(&mut self, buffer: &mut [u8]) -> usize {
        loop {
            // The driver's read waits for at least one byte and has no error to give.
            if let Ok(read @ 1..) = embedded_io_async::Read::read(&mut self.rx, buffer).await {
                return read;
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        esp_println::Printer::write_bytes(bytes);
    }

    fn heard(&mut self, heard: &Heard) {
        match heard {
            Heard::Submitted(submission) => log::info!("improv: Wi-Fi settings for \"{}\"", submission.wifi.ssid),
            Heard::Answered(command) => log::debug!("improv: answered command {command:#04x}"),
            Heard::Refused(refusal) => log::warn!("improv: {refusal}"),
        }
    }

    fn owed(&mut self, ssid: Option<&str>) {
        keep_owed(ssid);
    }
}

/// Starts the Improv task on the USB-Serial-JTAG port. `device_id` and the version name the board in the device
/// information; a Wi-Fi change keeps the host, token and country of `settings`.
pub fn spawn(
    spawner: &Spawner,
    usb: USB_DEVICE<'static>,
    portal: &'static Portal,
    submissions: &'static Submissions,
    station: Stack<'static>,
    settings: &Settings,
    device_id: String,
) {
    let (rx, _tx) = UsbSerialJtag::new(usb).into_async().split();
    let info = DeviceInfo { firmware: FIRMWARE.into(), version: env!("CARGO_PKG_VERSION").into(), chip: crate::board::CHIP.into(), name: device_id };
    let kept = Kept::from_settings(settings);
    let wiring = ImprovWiring { portal, submissions, station, host: kept.host.clone() };
    let service = match take_owed() {
        Some(ssid) => ImprovService::resume(info, kept, ssid),
        None => ImprovService::new(info, kept),
    };
    spawner.spawn(run(JtagPort { rx }, service, wiring).expect("the Improv task is spawned once"));
}

#[embassy_executor::task]
async fn run(port: JtagPort, service: ImprovService, wiring: ImprovWiring<'static>) -> ! {
    improv_io::run(port, service, wiring).await
}
