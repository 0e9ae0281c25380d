//! HTML escaping for every string the portal did not write itself: SSIDs from the air, form values, reasons.

use alloc::string::String;

/// Appends `text` to `out` so that it reads as text in an HTML element or a quoted attribute.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters (an SSID is any 32 bytes) would make the page unreadable; show a marker.
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// `text` escaped for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// Appends `text` to `out` as the inside of a JSON string.
pub fn json_string_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // `<` too, so the JSON is safe even if a browser sniffs it as HTML.
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 => {
                let _ = core::fmt::Write::write_fmt(out, format_args!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_become_entities() {
        assert_eq!(escape("<script>alert(1)</script>\"'"), "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;");
        assert_eq!(escape("Tom & Jerry"), "Tom &amp; Jerry");
        assert_eq!(escape("café ☕"), "café ☕");
    }

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(escape("a\u{0}b\nc"), "a\u{fffd}b\u{fffd}c");
    }

    #[test]
    fn json_strings_escape_quotes_backslashes_controls_and_markup() {
        let mut out = String::new();
        json_string_into(&mut out, "a\"b\\c\n</script>");
        assert_eq!(out, "a\\\"b\\\\c\\u000a\\u003c/script>");
    }
}
