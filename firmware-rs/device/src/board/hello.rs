//! The host-link settings every board starts from: its hello names the one output ([`OUTPUT_ID`]) with its kind
//! and resolution, the one button ([`BUTTON_ID`]) and the pairing token. A board with an OLED adds [`oled`] with
//! [`LinkConfig::with_screens`]; one with a TFT adds [`tft`] and announces its stream with
//! [`LinkConfig::with_stream_buffer`]`(`[`STREAM_BUFFER`]`)`. Either drives
//! [`Screens`](crate::screen::Screens) of the specs [`ScreenSpec::from_hello`] finds in that hello, so the screens
//! take what the link takes.

use alloc::string::String;
use alloc::vec;

use sysboy_protocol::{Button, Chip, Output, OutputKind};

use super::{BUTTON_ID, OLED_SIZE, OUTPUT_ID, SCREEN_ID, TFT_ID};
#[cfg(doc)]
use super::STREAM_BUFFER;
use crate::link::{LinkConfig, LinkConfigError};
use crate::screen::ScreenSpec;

/// The board's OLED: [`SCREEN_ID`], [`OLED_SIZE`], one bit a pixel.
pub fn oled() -> ScreenSpec {
    ScreenSpec::oled(SCREEN_ID, OLED_SIZE.0, OLED_SIZE.1)
}

/// The board's TFT: [`TFT_ID`], `width` by `height`, RGB565 (the scenes are laid out for 240x240, 320x240 and
/// 240x320).
pub fn tft(width: u16, height: u16) -> ScreenSpec {
    ScreenSpec::tft(TFT_ID, width, height)
}

/// The link settings of board `device_id` running `firmware` on `chip`, whose output is `output` (kind and bits,
/// as [`AnalogOutput::kind`](super::AnalogOutput::kind) gives them), with the link's default timers; refused
/// when the hello would break the schema.
pub fn link_config(device_id: &str, firmware: &str, chip: Chip, output: (OutputKind, u8), token: Option<String>) -> Result<LinkConfig, LinkConfigError> {
    let (kind, bits) = output;
    let outputs = vec![Output { id: OUTPUT_ID.into(), kind, bits, width: None, height: None }];
    LinkConfig::new(device_id, firmware, chip, outputs)?
        .with_buttons(vec![Button { id: BUTTON_ID.into() }])
        .with_token(token)
        .checked()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hello_names_the_board_s_output_and_button() {
        let link = link_config("sysboy-0a0b0c0d", "0.1.0", Chip::Esp32c3, (OutputKind::Pwm, 11), Some("t".repeat(32))).unwrap();
        let hello = link.hello();
        assert_eq!(hello.device, "sysboy-0a0b0c0d");
        assert_eq!(hello.chip, Chip::Esp32c3);
        assert_eq!(hello.outputs, vec![Output { id: "meter".into(), kind: OutputKind::Pwm, bits: 11, width: None, height: None }]);
        assert_eq!(hello.buttons, vec![Button { id: "select".into() }]);
        assert_eq!(hello.token.as_deref(), Some("t".repeat(32).as_str()));
    }

    #[test]
    fn a_board_with_an_oled_announces_it_beside_the_meter() {
        let link = link_config("sysboy-0a0b0c0d", "0.1.0", Chip::Esp32c3, (OutputKind::I2cDac, 12), None).unwrap().with_screens(&[oled()]).checked().unwrap();
        let screen = Output { id: "oled".into(), kind: OutputKind::Oled, bits: 1, width: Some(128), height: Some(64) };
        assert_eq!(link.hello().outputs.iter().map(|output| output.id.as_str()).collect::<alloc::vec::Vec<_>>(), ["meter", "oled"]);
        assert_eq!(link.hello().outputs[1], screen);
    }

    #[test]
    fn a_board_with_a_tft_announces_it_and_its_stream() {
        let link = link_config("sysboy-0a0b0c0d", "0.1.0", Chip::Esp32c3, (OutputKind::Pwm, 10), None)
            .unwrap()
            .with_screens(&[tft(320, 240)])
            .with_stream_buffer(super::super::STREAM_BUFFER)
            .checked()
            .unwrap();
        let screen = Output { id: "tft".into(), kind: OutputKind::Tft, bits: 16, width: Some(320), height: Some(240) };
        assert_eq!(link.hello().outputs[1], screen);
        assert_eq!(link.hello().stream_buffer, Some(8192));
        assert_eq!(link.hello().encodings.as_deref(), Some(crate::stream::ENCODINGS.as_slice()));
        let specs = ScreenSpec::from_hello(link.hello());
        assert!(specs[0].stream && specs[0].depth == 16, "{specs:?}");
        let encoded = sysboy_protocol::encode(&sysboy_protocol::DeviceMessage::Hello(link.hello().clone())).unwrap();
        assert!(sysboy_protocol::decode_device_message(encoded.as_bytes()).is_ok(), "{encoded}");
    }

    #[test]
    fn a_hello_the_schema_refuses_is_not_made() {
        let refused = link_config("", "0.1.0", Chip::Sim, (OutputKind::Pwm, 10), None);
        assert!(matches!(refused, Err(LinkConfigError::BadHello(_))), "{refused:?}");
    }
}
