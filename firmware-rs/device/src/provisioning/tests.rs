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
    Submission { wifi: home(password), host: Some("10.0.0.1:8077".into()), token: None }
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
    // The network comes back: the access point goes away and no restart is needed.
    assert_eq!(provisioning.join_finished(Ok(()), now), vec![Command::StopAccessPoint]);
    assert_eq!(provisioning.phase(), Phase::Joined);
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
