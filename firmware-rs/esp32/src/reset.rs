//! Why the chip started, in the protocol's words: logged at boot and sent in every `status`.
//!
//! The cause comes from the chip's reset-cause register through `esp_hal::system::reset_reason` (esp-hal 1.2.2
//! `src/system.rs:404`, which calls the ROM's `rtc_get_reset_reason` in `src/rtc_cntl/mod.rs:724`), decoded as
//! `SocResetReason` (`src/rtc_cntl/rtc/esp32c3.rs:185`, `esp32c6.rs:1077`). The register cannot tell a panic from
//! the watchdog reset that ends it (esp-backtrace 0.20's handler spins with interrupts off, `src/lib.rs:199-226`),
//! so the handler's `custom_pre_backtrace` hook leaves a mark in RTC fast RAM, which a core reset keeps (the
//! `persistent` section, esp-hal-procmacros 0.23 `src/lib.rs:85`).

use embassy_sync::once_lock::OnceLock;
use esp_hal::{ram, rtc_cntl::SocResetReason};
use sysboy_protocol::ResetReason;

/// "PANC": the panic handler ran since the mark was last cleared.
const PANICKED: u32 = 0x5041_4E43;

/// Kept across core resets; after a power-on it holds whatever the RAM powered up with, hence the magic value.
#[ram(unstable(rtc_fast, persistent))]
static mut PANIC_MARK: u32 = 0;

static REASON: OnceLock<ResetReason> = OnceLock::new();

/// Reads why the chip started (and clears the panic mark for the next start); call once at boot.
pub fn at_boot() -> ResetReason {
    // SAFETY: single-threaded at boot, and the panic hook only writes the mark.
    let panicked = unsafe { core::ptr::addr_of_mut!(PANIC_MARK).replace(0) } == PANICKED;
    let reason = match esp_hal::system::reset_reason() {
        // After a power-on the mark is noise; only a reset that keeps RTC RAM can follow a panic.
        Some(SocResetReason::ChipPowerOn) => ResetReason::PowerOn,
        Some(cause) if panicked => {
            log::warn!("reset: the last run panicked ({cause:?})");
            ResetReason::Panic
        }
        Some(cause) => in_words(cause),
        None => ResetReason::Unknown,
    };
    let _ = REASON.init(reason);
    reason
}

/// The reason [`at_boot`] found.
pub fn reason() -> Option<ResetReason> {
    REASON.try_get().copied()
}

/// The register's cause in the protocol's words; glitches and eFuse CRC faults are `unknown` to a user.
fn in_words(cause: SocResetReason) -> ResetReason {
    use SocResetReason::*;
    match cause {
        ChipPowerOn => ResetReason::PowerOn,
        CoreSw | Cpu0Sw => ResetReason::Software,
        CoreDeepSleep => ResetReason::DeepSleep,
        CoreMwdt0 | CoreMwdt1 | CoreRtcWdt | Cpu0Mwdt0 | Cpu0RtcWdt | SysRtcWdt | Cpu0Mwdt1 | SysSuperWdt => {
            ResetReason::Watchdog
        }
        SysBrownOut => ResetReason::Brownout,
        // The USB serial/JTAG's reset, as espflash and the IDE monitors pulse it.
        CoreUsbUart | CoreUsbJtag => ResetReason::External,
        _ => ResetReason::Unknown,
    }
}

/// esp-backtrace's hook, run first in its panic handler: marks the panic for the next boot.
#[unsafe(no_mangle)]
fn custom_pre_backtrace() {
    // SAFETY: a plain store to a static only this hook and `at_boot` touch.
    unsafe { core::ptr::addr_of_mut!(PANIC_MARK).write_volatile(PANICKED) }
}
