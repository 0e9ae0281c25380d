//! The scene exports: a thin edge over one [`Renderer`] and one framebuffer in static memory, so the host (Bun)
//! renders exactly what the board renders. The host writes strings into [`scratch`] and reads pixels from the
//! pointer [`render`] returns. Codes are in [`sysboy_scenes::abi`].

use core::ptr;

use sysboy_scenes::abi::{self, AbiError, FRAMEBUFFER_LEN};
use sysboy_scenes::Renderer;

use super::Static;

static RENDERER: Static<Renderer> = Static::new(Renderer::new());
// Apart from the renderer so that it stays zero-filled and takes no space in the module's data.
static FRAMEBUFFER: Static<[u8; FRAMEBUFFER_LEN]> = Static::new([0; FRAMEBUFFER_LEN]);

fn renderer() -> &'static mut Renderer {
    // SAFETY: each export calls this once (render apart from the framebuffer) and drops it before returning.
    unsafe { RENDERER.get() }
}

fn code(result: Result<(), AbiError>) -> u32 {
    result.map_or_else(AbiError::code, |()| abi::OK)
}

/// The 256-byte buffer the host writes a call's UTF-8 strings into.
#[no_mangle]
pub extern "C" fn scratch() -> *mut u8 {
    renderer().scratch().as_mut_ptr()
}

/// Empties every slot and history, and clears the link state and the alert.
#[no_mangle]
pub extern "C" fn clear() {
    renderer().clear();
}

/// Sets a figure slot; see [`Renderer::set_figure`]. Returns 0, or an [`AbiError`] code.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn set_figure(
    slot: u32,
    metric_len: u32,
    unit_len: u32,
    state: u32,
    percent: f32,
    raw: f64,
    used: f64,
    total: f64,
) -> u32 {
    code(renderer().set_figure(slot, metric_len, unit_len, state, percent, raw, used, total))
}

/// Adds a sample (percent; NaN is a gap) to a slot's history. Returns 0, or an [`AbiError`] code.
#[no_mangle]
pub extern "C" fn push_history(slot: u32, percent: f32) -> u32 {
    code(renderer().push_history(slot, percent))
}

/// Sets the link state; see [`Renderer::set_link`]. Returns 0, or an [`AbiError`] code.
#[no_mangle]
pub extern "C" fn set_link(code_: u32, a_len: u32, b_len: u32) -> u32 {
    code(renderer().set_link(code_, a_len, b_len))
}

/// Raises an alert on a slot past `limit` percent; a negative slot clears it. Returns 0, or an [`AbiError`] code.
#[no_mangle]
pub extern "C" fn set_alert(slot: i32, limit: f32) -> u32 {
    code(renderer().set_alert(slot, limit))
}

/// Renders a scene; see [`Renderer::render`]. Returns the framebuffer, or null for an unknown scene or depth or an
/// unsupported size.
#[no_mangle]
pub extern "C" fn render(scene: u32, figures: u32, width: u32, height: u32, depth: u32) -> *const u8 {
    // SAFETY: as for `renderer`; the framebuffer is only borrowed for this call.
    let framebuffer = unsafe { FRAMEBUFFER.get() };
    match renderer().render(scene, figures, width, height, depth, framebuffer) {
        Ok(_) => framebuffer.as_ptr(),
        Err(_) => ptr::null(),
    }
}

/// The bytes the last successful render wrote.
#[no_mangle]
pub extern "C" fn framebuffer_len() -> u32 {
    renderer().rendered_len() as u32
}
