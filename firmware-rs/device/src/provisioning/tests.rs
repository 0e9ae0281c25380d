//! Tests of the provisioning state machine: save before join, retries, fallback, restart and reset.

use alloc::vec;

use super::*;
use crate::portal::form::Submission;
use crate::portal::state::Progress;
use crate::radio::JoinError;
use crate::settings::WifiCredentials;

fn home(password: &str) -> WifiCredentials {
    WifiCredentials { ssid: "Home".into(), password: password.into() }
}

fn submission(password: &str) -> Submission {
    Submission { wifi: home(password), host: Some("10.0.0.1:8077".into()), token: None, country: crate::settings::Country::WORLD, wifi_only: false }
}

fn config() -> ProvisioningConfig {
    ProvisioningConfig::new().with_retry_ms(1_000).with_fallback_after(3).with_restart_after_ms(500)
}

#[test]
fn a_fresh_board_opens_the_portal() {
    let mut provisioning = Provisioning::new(config());
    assert_eq!(provisioning.boot(None), vec![Command::StartAccessPoint]);
    assert_eq!(provisioning.phase(), Phase::AwaitingForm);
    assert_eq!(provisioning.progress(), Progress::Idle);
}

#[test]
fn a_submission_is_saved_before_the_join_and_a_failure_keeps_the_portal_up_and_retries() {
    let mut provisioning = Provisioning::new(config());
    provisioning.boot(None);
    let commands = provisioning.submitted(submission("wrongpass"));
    assert_eq!(commands, vec![Command::Save(submission("wrongpass")), Command::Join(home("wrongpass"))]);
    assert_eq!(provisioning.progress(), Progress::Joining { ssid: "Home".into() });
    assert_eq!(provisioning.join_finished(Err(JoinError::WrongPassword), 10_000), vec![]);
    assert!(provisioning.access_point());
    assert_eq!(provisioning.progress(), Progress::Failed { ssid: "Home".into(), error: JoinError::WrongPassword });
    assert_eq!(provisioning.poll(10_999), vec![]);
    assert_eq!(provisioning.poll(11_000), vec![Command::Join(home("wrongpass"))]);
    // A corrected form starts afresh; its success restarts the device into station mode.
    provisioning.join_finished(Err(JoinError::WrongPassword), 11_100);
    assert_eq!(provisioning.submitted(submission("rightpass")).len(), 2);
    assert_eq!(provisioning.join_finished(Ok(()), 12_000), vec![Command::Restart { after_ms: 500 }]);
    assert_eq!(provisioning.progress(), Progress::Joined { ssid: "Home".into() });
    assert_eq!(provisioning.submitted(submission("again")), vec![], "nothing starts while a restart is coming");
}

#[test]
fn saved_credentials_join_without_the_portal_and_fall_back_after_repeated_failure() {
    let mut provisioning = Provisioning::new(config());
    assert_eq!(provisioning.boot(Some(home("rightpass"))), vec![Command::Join(home("rightpass"))]);
    assert!(!provisioning.access_point());
    let mut now = 0;
    for failure in 1..=3u32 {
        let commands = provisioning.join_finished(Err(JoinError::NotFound), now);
        assert_eq!(provisioning.failures(), failure);
        if failure < 3 {
            assert_eq!(commands, vec![]);
        } else {
            assert_eq!(commands, vec![Command::StartAccessPoint], "the portal returns after the third failure");
        }
        now += 1_000;
        assert_eq!(provisioning.poll(now), vec![Command::Join(home("rightpass"))], "retries go on");
    }
    // The network comes back: the access point goes away (a mode change, so the station is joined again) and no
    // restart is needed.
    assert_eq!(provisioning.join_finished(Ok(()), now), vec![Command::StopAccessPoint, Command::Join(home("rightpass"))]);
    assert_eq!(provisioning.join_finished(Ok(()), now + 400), vec![]);
    assert_eq!(provisioning.phase(), Phase::Joined);
    assert_eq!(provisioning.link(true, now + 500), vec![]);
    assert_eq!(provisioning.poll(now + 100_000), vec![]);
}

#[test]
fn a_first_join_success_needs_nothing_more() {
    let mut provisioning = Provisioning::new(config());
    provisioning.boot(Some(home("rightpass")));
    assert_eq!(provisioning.join_finished(Ok(()), 5), vec![]);
    assert_eq!(provisioning.join_finished(Ok(()), 6), vec![], "a stray result is ignored");
}

#[test]
fn the_long_press_erases_and_restarts() {
    let mut provisioning = Provisioning::new(config());
    provisioning.boot(Some(home("rightpass")));
    provisioning.join_finished(Ok(()), 5);
    assert_eq!(provisioning.reset(), vec![Command::Erase, Command::Restart { after_ms: 0 }]);
    assert_eq!(provisioning.progress(), Progress::Idle);
}

/// A board joined with its saved credentials and a link that came up.
fn joined_board() -> Provisioning {
    let mut provisioning = Provisioning::new(config());
    provisioning.boot(Some(home("rightpass")));
    assert_eq!(provisioning.join_finished(Ok(()), 0), vec![]);
    assert_eq!(provisioning.link(true, 10), vec![]);
    assert_eq!(provisioning.phase(), Phase::Joined);
    provisioning
}

#[test]
fn turning_the_fallback_access_point_off_rejoins_because_the_mode_change_drops_the_station() {
    // A power cut: the router boots slower than the board, so the fallback access point comes up first.
    let mut provisioning = Provisioning::new(config());
    provisioning.boot(Some(home("rightpass")));
    let mut now = 0;
    for _ in 0..3 {
        provisioning.join_finished(Err(JoinError::NotFound), now);
        now += 1_000;
        provisioning.poll(now);
    }
    assert!(provisioning.access_point());
    // The router is up: the join succeeds in AP+STA; taking the AP off is a mode change, so a join follows it
    // at once instead of a wait for a link that the mode change has just taken down.
    assert_eq!(provisioning.join_finished(Ok(()), now), vec![Command::StopAccessPoint, Command::Join(home("rightpass"))]);
    assert_eq!(provisioning.phase(), Phase::Joining);
    assert_eq!(provisioning.link(false, now + 1), vec![], "the drop the mode change caused is expected");
    assert_eq!(provisioning.join_finished(Ok(()), now + 400), vec![]);
    assert_eq!(provisioning.phase(), Phase::Joined);
    assert_eq!(provisioning.link(true, now + 450), vec![]);
    assert!(!provisioning.access_point());
}

#[test]
fn a_link_that_never_comes_up_after_a_join_is_not_waited_for_for_ever() {
    // Today's strand: the driver waited for the link to go up before it watched for down; a link that never
    // came up (the mode change took it) was waited for until a power cycle.
    let mut provisioning = Provisioning::new(config());
    provisioning.boot(Some(home("rightpass")));
    assert_eq!(provisioning.join_finished(Ok(()), 1_000), vec![]);
    let due = provisioning.next_deadline_ms().expect("a deadline for the link");
    assert_eq!(due, 1_000 + u64::from(ProvisioningConfig::new().link_up_ms));
    assert_eq!(provisioning.link(false, 2_000), vec![], "down before the first up is no loss");
    assert_eq!(provisioning.poll(due - 1), vec![]);
    assert_eq!(provisioning.poll(due), vec![]);
    assert_eq!(provisioning.phase(), Phase::Retrying { until_ms: due + 1_000 });
    assert_eq!(provisioning.poll(due + 1_000), vec![Command::Join(home("rightpass"))]);
}

#[test]
fn a_drop_missed_while_the_board_was_saving_is_acted_on_when_the_level_is_read() {
    let mut provisioning = joined_board();
    // The link went down and came back while a flash save held the driver: no edge was seen, and the level is up
    // again, so nothing is owed.
    assert_eq!(provisioning.link(true, 500), vec![]);
    // The link went down during the save and is still down when the driver reads it: that is a loss.
    assert_eq!(provisioning.link(false, 600), vec![Command::LinkLost, Command::Join(home("rightpass"))]);
    assert_eq!(provisioning.join_finished(Ok(()), 1_000), vec![]);
    assert_eq!(provisioning.link(true, 1_100), vec![Command::LinkBack]);
    assert_eq!(provisioning.phase(), Phase::Joined);
}

#[test]
fn a_lost_network_is_rejoined_then_the_radio_restarted_then_the_board() {
    let mut provisioning = Provisioning::new(
        config().with_supervision(crate::net::supervision::SupervisionConfig::new().with_rejoins_per_restart(2).with_radio_restarts(1).with_retry_ms(700)),
    );
    provisioning.boot(Some(home("rightpass")));
    provisioning.join_finished(Ok(()), 0);
    provisioning.link(true, 1);
    assert_eq!(provisioning.link(false, 100), vec![Command::LinkLost, Command::Join(home("rightpass"))]);
    assert_eq!(provisioning.join_finished(Err(JoinError::NotFound), 500), vec![]);
    assert_eq!(provisioning.next_deadline_ms(), Some(1_200));
    assert_eq!(provisioning.poll(1_200), vec![Command::Join(home("rightpass"))]);
    assert_eq!(
        provisioning.join_finished(Err(JoinError::NotFound), 1_600),
        vec![Command::RestartRadio, Command::Join(home("rightpass"))],
        "a radio restart stops Wi-Fi, so a join always follows it"
    );
    assert_eq!(provisioning.join_finished(Err(JoinError::NotFound), 2_000), vec![]);
    assert_eq!(provisioning.poll(2_700), vec![Command::Join(home("rightpass"))]);
    assert_eq!(provisioning.join_finished(Err(JoinError::NotFound), 3_100), vec![Command::Restart { after_ms: 0 }]);
    assert!(!provisioning.access_point(), "recovery does not count towards the boot's fallback");
}

#[test]
fn a_rescan_is_asked_for_only_while_the_portal_is_open() {
    let mut provisioning = joined_board();
    assert_eq!(provisioning.rescan(), vec![]);
    let mut portal = Provisioning::new(config());
    portal.boot(None);
    assert_eq!(portal.rescan(), vec![Command::Scan]);
}
