//! One metric a screen shows, as the frames left it: the last reading with its amount, when it came, and the
//! history its graphs draw. A reading older than the stale timeout is never given out as live.

use alloc::string::String;

use sysboy_protocol::{HistoryBurst, NamedMetric};
use sysboy_scenes::state::{Amount, History, Missing, Reading};

/// A host reason starting with this says the host's own reading is stale (`stale: the newest reading is ...`).
const STALE_REASON: &str = "stale";

/// One metric's figure.
#[derive(Debug, Clone)]
pub(super) struct Figure {
    pub(super) metric: String,
    pub(super) history: History,
    /// The last frame's value, percent; `None` when the host could not read it.
    value: Option<f32>,
    /// The last frame said its value is stale.
    stale: bool,
    unit: Option<String>,
    raw: Option<f64>,
    used: Option<u64>,
    total: Option<u64>,
    /// When the last frame came.
    at_ms: Option<u64>,
    /// Whether the last frame is within the stale timeout, as of the last [`Figure::refresh`].
    fresh: bool,
}

impl Figure {
    /// A figure with no frame yet.
    pub(super) fn new(metric: String) -> Self {
        Self { metric, history: History::new(), value: None, stale: false, unit: None, raw: None, used: None, total: None, at_ms: None, fresh: false }
    }

    /// Takes a frame of this metric: the reading, and one more sample of history (a gap when it has no value).
    pub(super) fn frame(&mut self, frame: &NamedMetric, now_ms: u64) {
        self.value = frame.value.map(|value| value as f32);
        self.stale = frame.value.is_none() && frame.reason.as_deref().is_some_and(|reason| reason.starts_with(STALE_REASON));
        // Units rarely change: the text is copied only when it does.
        if self.unit.as_deref() != frame.unit.as_deref() {
            self.unit = frame.unit.clone();
        }
        (self.raw, self.used, self.total) = (frame.raw, frame.used, frame.total);
        self.at_ms = Some(now_ms);
        self.fresh = true;
        self.history.push(self.value);
    }

    /// Puts the burst's values in place of the history, so a graph starts full.
    pub(super) fn history(&mut self, burst: &HistoryBurst) {
        self.history.clear();
        for value in &burst.values {
            self.history.push(value.map(|value| value as f32));
        }
    }

    /// Ages the reading to `now_ms`; says whether it just went stale.
    pub(super) fn refresh(&mut self, now_ms: u64, stale_after_ms: u32) -> bool {
        let fresh = self.at_ms.is_some_and(|at| now_ms.saturating_sub(at) < u64::from(stale_after_ms));
        let changed = fresh != self.fresh;
        self.fresh = fresh;
        changed
    }

    /// Forgets the reading and the history (the link is down): the next session's burst fills the graph again,
    /// with what the host holds, so the device's graph is the one the host draws for it.
    pub(super) fn forget(&mut self) {
        self.at_ms = None;
        self.fresh = false;
        self.history.clear();
    }

    /// Whether a frame came within the stale timeout.
    pub(super) fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// The value, percent, when it is fresh and the host could read it.
    pub(super) fn live_percent(&self) -> Option<f32> {
        self.value.filter(|_| self.fresh)
    }

    /// The reading a scene shows.
    pub(super) fn reading(&self) -> Reading<'_> {
        match (self.fresh, self.value) {
            (false, _) => Reading::Missing(Missing::NoData),
            (true, None) if self.stale => Reading::Missing(Missing::Stale),
            (true, None) => Reading::Missing(Missing::Unreadable),
            (true, Some(percent)) => {
                Reading::Live { percent, amount: Amount::from_frame(self.unit.as_deref(), self.raw, self.used, self.total) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;

    fn frame(value: Option<f64>, reason: Option<&str>) -> NamedMetric {
        NamedMetric {
            name: "ram".into(),
            value,
            reason: reason.map(Into::into),
            used: Some(8 << 30),
            total: Some(16 << 30),
            raw: None,
            unit: Some("B".into()),
            source: None,
            gpu: None,
            seq: None,
            ts: None,
        }
    }

    #[test]
    fn a_frame_is_live_with_its_amount_until_the_stale_timeout() {
        let mut figure = Figure::new("ram".into());
        assert_eq!(figure.reading(), Reading::Missing(Missing::NoData), "nothing came yet");
        figure.frame(&frame(Some(50.0), None), 1_000);
        let live = Reading::Live { percent: 50.0, amount: Amount::Bytes { used: 8 << 30, total: Some(16 << 30) } };
        assert_eq!(figure.reading(), live);
        assert!(!figure.refresh(5_999, 5_000));
        assert_eq!(figure.live_percent(), Some(50.0));
        assert!(figure.refresh(6_000, 5_000), "5 s without a frame is stale");
        assert_eq!(figure.reading(), Reading::Missing(Missing::NoData));
        assert_eq!(figure.live_percent(), None);
    }

    #[test]
    fn a_null_value_is_unreadable_or_stale_as_the_host_says_and_leaves_a_gap() {
        let mut figure = Figure::new("ram".into());
        figure.frame(&frame(Some(40.0), None), 0);
        figure.frame(&frame(None, Some("NVML not found")), 100);
        assert_eq!(figure.reading(), Reading::Missing(Missing::Unreadable));
        figure.frame(&frame(None, Some("stale: the newest reading is 15.3 s old")), 200);
        assert_eq!(figure.reading(), Reading::Missing(Missing::Stale));
        assert_eq!(figure.history.iter().collect::<Vec<_>>(), [Some(40), None, None]);
    }

    #[test]
    fn a_burst_replaces_the_history_and_is_no_reading() {
        let mut figure = Figure::new("ram".into());
        figure.frame(&frame(Some(10.0), None), 0);
        figure.forget();
        assert!(figure.history.is_empty(), "a session's history goes with it");
        let burst = HistoryBurst { name: "ram".into(), interval_ms: 500, values: alloc::vec![Some(1.0), None, Some(99.6)], ts: None };
        figure.history(&burst);
        assert_eq!(figure.history.iter().collect::<Vec<_>>(), [Some(1), None, Some(100)]);
        assert!(!figure.is_fresh());
        assert_eq!(figure.reading(), Reading::Missing(Missing::NoData));
    }
}
