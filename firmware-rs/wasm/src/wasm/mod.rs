//! The module's exports, for `wasm32-unknown-unknown` only: the scene calls ([`scenes`]) and the meter calls
//! ([`meters`]), each a thin edge over state in static memory, with the allocator and the panic handler a module
//! without std needs.

mod meters;
mod scenes;

use core::cell::UnsafeCell;

/// Static storage for a module that runs on one thread: `wasm32-unknown-unknown` without the atomics feature
/// has no threads, and no export calls another, so at most one reference to each value is live at a time.
struct Static<T>(UnsafeCell<T>);

// SAFETY: see the type's documentation; the module is single-threaded and its exports do not nest.
unsafe impl<T> Sync for Static<T> {}

impl<T> Static<T> {
    const fn new(value: T) -> Self {
        Self(UnsafeCell::new(value))
    }

    /// The value, for the length of one export call.
    ///
    /// # Safety
    /// No other reference to the value may be live: each export takes it once and drops it before returning.
    #[allow(clippy::mut_from_ref)]
    unsafe fn get(&self) -> &mut T {
        // SAFETY: the caller holds no other reference, and the module is single-threaded.
        unsafe { &mut *self.0.get() }
    }
}

// sysboy-device allocates (calibration points, unknown-figure reasons). The scene calls never do.
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
