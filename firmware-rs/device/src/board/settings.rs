//! The settings read at boot: defaults wherever the store has nothing usable, each problem logged the same way
//! on every board.

use embedded_storage_async::nor_flash::NorFlash;

use crate::settings::{Loaded, SettingsStore};

/// Reads the settings from `store` into `buffer` (which must hold
/// [`BUFFER_LEN`](crate::settings::BUFFER_LEN) bytes), logging each problem; the problems stay in the result for
/// a board that reports them.
pub async fn load_settings<S: NorFlash>(store: &mut SettingsStore<S>, buffer: &mut [u8]) -> Loaded {
    let loaded = store.load(buffer).await;
    for problem in &loaded.problems {
        log::warn!("settings: {problem}");
    }
    loaded
}
