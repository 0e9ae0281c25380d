//! The button's gestures passed on: the pin sampled at [`BUTTON_TICK_MS`](super::BUTTON_TICK_MS) through the
//! [`Button`] debouncer, a long press raised for whichever task owns the flash (it erases the settings, session or
//! not), and every gesture queued for the host session, which takes it as a press of [`BUTTON_ID`]: a short press
//! steps the screens' scenes on a board with screens, and asks the host for the meter's next metric on one without.

use alloc::string::String;

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_time::{Duration, Ticker};

use super::BUTTON_ID;
use crate::button::{Button, ButtonConfig, Gesture};
use crate::net::provisioning::ResetSignal;

/// Gestures waiting for the host session; a full queue (no session) drops new ones.
pub type Gestures = Channel<CriticalSectionRawMutex, Gesture, 4>;

/// Passes `gesture` on: a long press raises `reset`, and every gesture is queued on `gestures` for the session.
pub fn dispatch(gesture: Gesture, reset: &ResetSignal, gestures: &Gestures) {
    match gesture {
        // With a screen the session steps its scenes; without one it asks the host for the meter's next metric.
        Gesture::NextMetric => log::info!("button: short press"),
        Gesture::ResetSettings => {
            log::warn!("button: long press, forgetting the settings");
            reset.signal(());
        }
    }
    // A full queue means nobody is taking gestures (no session); the press then does nothing more.
    let _ = gestures.try_send(gesture);
}

/// The next gesture queued for the session, as a press of the board's button.
pub fn take_gesture(gestures: &Gestures) -> Option<(String, Gesture)> {
    gestures.try_receive().ok().map(|gesture| (BUTTON_ID.into(), gesture))
}

/// Samples `pressed` every tick of `config` for ever and [`dispatch`]es each gesture.
pub async fn watch_button(config: ButtonConfig, mut pressed: impl FnMut() -> bool, reset: &ResetSignal, gestures: &Gestures) -> ! {
    let mut button = Button::new(config);
    let mut ticker = Ticker::every(Duration::from_millis(u64::from(config.tick_ms())));
    loop {
        ticker.next().await;
        if let Some(gesture) = button.sample(pressed()) {
            dispatch(gesture, reset, gestures);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_press_goes_to_the_session_only() {
        let (reset, gestures) = (ResetSignal::new(), Gestures::new());
        dispatch(Gesture::NextMetric, &reset, &gestures);
        assert!(!reset.signaled());
        assert_eq!(take_gesture(&gestures), Some(("select".into(), Gesture::NextMetric)));
        assert_eq!(take_gesture(&gestures), None);
    }

    #[test]
    fn a_long_press_raises_the_reset_and_reaches_the_session() {
        let (reset, gestures) = (ResetSignal::new(), Gestures::new());
        dispatch(Gesture::ResetSettings, &reset, &gestures);
        assert!(reset.signaled());
        assert_eq!(take_gesture(&gestures), Some(("select".into(), Gesture::ResetSettings)));
    }

    #[test]
    fn presses_with_no_session_to_take_them_are_dropped_but_a_reset_is_not() {
        let (reset, gestures) = (ResetSignal::new(), Gestures::new());
        for _ in 0..4 {
            dispatch(Gesture::NextMetric, &reset, &gestures);
        }
        dispatch(Gesture::ResetSettings, &reset, &gestures);
        assert!(reset.signaled(), "the long press still erases");
        let queued: alloc::vec::Vec<_> = core::iter::from_fn(|| take_gesture(&gestures)).collect();
        assert_eq!(queued.len(), 4);
        assert!(queued.iter().all(|(_, gesture)| *gesture == Gesture::NextMetric));
    }
}
