//! The watchdog: timer group 1's MWDT resets the chip when the executor stops running tasks for 10 s.

use embassy_time::{Duration, Ticker};
use esp_hal::{
    peripherals::TIMG1,
    timer::timg::{MwdtStage, Wdt},
};

/// How long the executor may stall before the chip resets.
const TIMEOUT: esp_hal::time::Duration = esp_hal::time::Duration::from_secs(10);

/// Arms the watchdog and feeds it from a task, so a stuck executor is what trips it.
#[embassy_executor::task]
pub async fn feed(mut wdt: Wdt<TIMG1<'static>>) {
    wdt.set_timeout(MwdtStage::Stage0, TIMEOUT);
    wdt.enable();
    let mut ticker = Ticker::every(Duration::from_secs(1));
    loop {
        wdt.feed();
        ticker.next().await;
    }
}
