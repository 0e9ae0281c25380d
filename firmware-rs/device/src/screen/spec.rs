//! What screen a board has: its output id, size and colour depth, as the hello announces it.

use alloc::string::String;

use alloc::vec::Vec;

use sysboy_protocol::{Hello, Output, OutputKind};

/// One screen of a board, as its hello announces it (an output of kind `oled` or `tft`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenSpec {
    /// The output id, as the hello, the config and the status name the screen.
    pub output: String,
    /// Width, pixels.
    pub width: u16,
    /// Height, pixels.
    pub height: u16,
    /// Colour depth, bits a pixel: 1 for a monochrome OLED, 16 for an RGB565 TFT.
    pub depth: u8,
    /// Whether it takes a stream (shows the `stream` scene): a TFT of a device whose hello announces stream
    /// encodings, as [`ScreenSpec::from_hello`] finds.
    pub stream: bool,
}

impl ScreenSpec {
    /// A monochrome OLED called `output`, `width` by `height` pixels.
    pub fn oled(output: &str, width: u16, height: u16) -> Self {
        Self { output: String::from(output), width, height, depth: 1, stream: false }
    }

    /// An RGB565 TFT called `output`, `width` by `height` pixels, that takes no stream.
    pub fn tft(output: &str, width: u16, height: u16) -> Self {
        Self { output: String::from(output), width, height, depth: 16, stream: false }
    }

    /// The screen a hello output announces: one of kind `oled` or `tft` with its size; `None` for a meter output
    /// or a screen without a size.
    pub fn from_output(output: &Output) -> Option<Self> {
        match (output.kind, output.width, output.height) {
            (OutputKind::Oled | OutputKind::Tft, Some(width), Some(height)) => {
                Some(Self { output: output.id.clone(), width, height, depth: output.bits, stream: false })
            }
            _ => None,
        }
    }

    /// The screens `hello` announces, in its order; its TFTs take a stream when it announces encodings. A board
    /// builds its [`Screens`](super::Screens) from these, so they take the same configs as the link.
    pub fn from_hello(hello: &Hello) -> Vec<Self> {
        let streams = hello.encodings.as_ref().is_some_and(|encodings| !encodings.is_empty());
        hello
            .outputs
            .iter()
            .filter_map(|output| {
                let spec = Self::from_output(output)?;
                Some(Self { stream: streams && output.kind == OutputKind::Tft, ..spec })
            })
            .collect()
    }

    /// The hello's output for this screen: kind `oled` at 1 bit, `tft` at any other depth.
    pub fn output(&self) -> Output {
        let kind = if self.depth == 1 { OutputKind::Oled } else { OutputKind::Tft };
        Output { id: self.output.clone(), kind, bits: self.depth, width: Some(self.width), height: Some(self.height) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screen_round_trips_through_the_hello_output_and_a_meter_is_no_screen() {
        let oled = ScreenSpec::oled("oled", 128, 64);
        let output = oled.output();
        assert_eq!((output.kind, output.bits, output.width, output.height), (OutputKind::Oled, 1, Some(128), Some(64)));
        assert_eq!(ScreenSpec::from_output(&output), Some(oled));
        let tft = ScreenSpec::tft("tft", 320, 240);
        assert_eq!((tft.output().kind, tft.output().bits), (OutputKind::Tft, 16));
        let meter = Output { id: "meter".into(), kind: OutputKind::Pwm, bits: 10, width: None, height: None };
        assert_eq!(ScreenSpec::from_output(&meter), None);
        let sizeless = Output { id: "oled".into(), kind: OutputKind::Oled, bits: 1, width: None, height: None };
        assert_eq!(ScreenSpec::from_output(&sizeless), None);
    }

    #[test]
    fn the_tfts_of_a_hello_with_encodings_take_a_stream_and_an_oled_never_does() {
        let outputs = alloc::vec![ScreenSpec::oled("oled", 128, 64).output(), ScreenSpec::tft("tft", 240, 320).output()];
        let mut hello = crate::link::LinkConfig::new("sim-1", "0.1.0", sysboy_protocol::Chip::Sim, outputs).unwrap().hello().clone();
        let takes = |hello: &Hello| ScreenSpec::from_hello(hello).into_iter().map(|spec| (spec.output, spec.stream)).collect::<Vec<_>>();
        assert_eq!(takes(&hello), [("oled".into(), false), ("tft".into(), false)]);
        hello.encodings = Some(crate::stream::ENCODINGS.to_vec());
        assert_eq!(takes(&hello), [("oled".into(), false), ("tft".into(), true)]);
    }
}
