//! Which way to find the host next: the saved address, or an mDNS search.
//!
//! A saved address comes first. When it has refused or ignored [`SEARCH_AFTER_FAILURES`] connects in a row — the
//! PC got a new address from DHCP, say — the next attempt searches by mDNS instead, and a failed search falls back
//! to the saved address, so a board never stays stuck on a stale address while the host is on the LAN.

/// Failed connects to the saved address before the device searches by mDNS instead.
pub const SEARCH_AFTER_FAILURES: u8 = 3;

/// How the next host is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostSource {
    /// Connect to the saved address.
    Saved,
    /// Search by mDNS (falling back to the saved address, if any, when the search finds nothing).
    Search,
}

/// Counts failed connects to the saved address and says when to search instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostPreference {
    saved_failures: u8,
}

impl HostPreference {
    /// No failures yet.
    pub const fn new() -> Self {
        Self { saved_failures: 0 }
    }

    /// How to find the host now, given whether an address is saved.
    pub const fn next(&self, has_saved: bool) -> HostSource {
        if has_saved && self.saved_failures < SEARCH_AFTER_FAILURES {
            HostSource::Saved
        } else {
            HostSource::Search
        }
    }

    /// A connect to the saved address failed (refused, or no answer).
    pub fn saved_failed(&mut self) {
        self.saved_failures = self.saved_failures.saturating_add(1);
    }

    /// A connection was made: the saved address is trusted again (or the search was; either way, start over).
    pub fn connected(&mut self) {
        self.saved_failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_address_is_tried_first() {
        assert_eq!(HostPreference::new().next(true), HostSource::Saved);
    }

    #[test]
    fn without_a_saved_address_the_host_is_searched_for() {
        assert_eq!(HostPreference::new().next(false), HostSource::Search);
    }

    #[test]
    fn a_saved_address_that_keeps_failing_gives_way_to_a_search() {
        let mut preference = HostPreference::new();
        for _ in 1..SEARCH_AFTER_FAILURES {
            preference.saved_failed();
            assert_eq!(preference.next(true), HostSource::Saved);
        }
        preference.saved_failed();
        assert_eq!(preference.next(true), HostSource::Search);
        for _ in 0..300 {
            preference.saved_failed();
        }
        assert_eq!(preference.next(true), HostSource::Search);
    }

    #[test]
    fn a_connection_trusts_the_saved_address_again() {
        let mut preference = HostPreference::new();
        for _ in 0..SEARCH_AFTER_FAILURES {
            preference.saved_failed();
        }
        preference.connected();
        assert_eq!(preference.next(true), HostSource::Saved);
    }
}
