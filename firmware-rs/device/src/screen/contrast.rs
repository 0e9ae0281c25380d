//! A screen's brightness in the config's percent, as the SSD1306's contrast byte (its "set contrast" command,
//! `0x81`, takes 0 to 255; the SH1106 takes the same).

/// The brightness of a screen whose config gives none, percent: the SSD1306's own contrast after reset (`0x7f`)
/// within one step, bright enough indoors and kind to the panel.
pub const DEFAULT_BRIGHTNESS: u8 = 50;

/// The contrast byte for `percent` (0 to 100, more is 100): 0 % is the dimmest the panel goes (it is not off),
/// 100 % is 255, and the steps between are even, as the panel's segment current follows the byte.
pub const fn contrast(percent: u8) -> u8 {
    let percent = if percent > 100 { 100 } else { percent } as u16;
    ((percent * 255 + 50) / 100) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_maps_onto_the_whole_contrast_range_and_the_default_is_the_reset_value() {
        assert_eq!(contrast(0), 0);
        assert_eq!(contrast(100), 255);
        assert_eq!(contrast(200), 255);
        assert_eq!(contrast(DEFAULT_BRIGHTNESS), 0x80);
        assert!((1..=100).all(|p| contrast(p) > contrast(p - 1)), "every percent is brighter than the one below");
    }
}
