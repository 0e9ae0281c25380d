//! The watchdog: timer group 1's MWDT resets the chip when nothing feeds it for 10 s. [`arm`] runs first in `main`,
//! before `ota::at_boot` puts a new image on trial, so a boot that halts (a panic, a driver that never returns)
//! resets instead of hanging, and a new image that does so is rolled back at the next start; once the executor
//! runs, [`feed`] keeps it fed, so a stuck executor is what trips it. Nothing turns it off after [`arm`]: the
//! sources of esp-radio 1.0.0-beta.1, esp-rtos 0.4 and esp-storage 0.10 name no watchdog.
//!
//! `esp_hal::init` disables every watchdog, the RTC WDT and both MWDTs (esp-hal 1.2.2 `src/lib.rs:769-779`), and
//! has no option to keep one, so nothing guards the boot until [`arm`].

use embassy_time::{Duration, Ticker};
use esp_hal::{
    peripherals::TIMG1,
    timer::timg::{MwdtStage, TimerGroup, Wdt},
};

/// How long the chip may go unfed before it resets. A normal boot reaches the first feed in well under this: the
/// settings read and the radio start take a few hundred milliseconds; a sequential-storage repair erases a few
/// 4 KiB sectors at most (tens of ms each).
const TIMEOUT: esp_hal::time::Duration = esp_hal::time::Duration::from_secs(10);

/// The armed watchdog, to be handed to [`feed`].
pub struct Watchdog(Wdt<TIMG1<'static>>);

/// Arms TIMG1's MWDT: stage 0 resets the system after [`TIMEOUT`].
pub fn arm(timg1: TIMG1<'static>) -> Watchdog {
    let mut wdt = TimerGroup::new(timg1).wdt;
    // set_timeout writes stage 0's hold in MWDT clock ticks and latches it (`src/timer/timg.rs:691`); enable sets
    // stage 0's action to ResetSystem and the other stages off (`src/timer/timg.rs:611`, `631-653`).
    wdt.set_timeout(MwdtStage::Stage0, TIMEOUT);
    wdt.enable();
    wdt.feed();
    Watchdog(wdt)
}

/// Feeds the watchdog every second for ever.
#[embassy_executor::task]
pub async fn feed(watchdog: Watchdog) {
    let Watchdog(mut wdt) = watchdog;
    let mut ticker = Ticker::every(Duration::from_secs(1));
    loop {
        wdt.feed();
        ticker.next().await;
    }
}
