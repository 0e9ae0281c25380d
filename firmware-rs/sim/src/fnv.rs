//! FNV-1a, 32 bits: the screens' picture hashes in the status line. Cheap, and stable across builds and runs, so
//! a test can compute the hash of the picture it expects.

const OFFSET: u32 = 0x811c_9dc5;
const PRIME: u32 = 0x0100_0193;

/// An FNV-1a hash fed in pieces. Plain loops: the status line asks for it up to 100 times a second while a
/// stream runs, and the tests run the debug build, where iterator adapters cost tens of nanoseconds a byte.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u32);

impl Fnv1a {
    /// The hash of nothing yet.
    pub const fn new() -> Self {
        Self(OFFSET)
    }

    /// Feeds `bytes`.
    pub fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u32::from(byte)).wrapping_mul(PRIME);
        }
    }

    /// The hash of everything fed.
    pub const fn finish(self) -> u32 {
        self.0
    }
}

/// FNV-1a of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    let mut hash = Fnv1a::new();
    hash.write(bytes);
    hash.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_test_vectors_and_does_not_care_how_it_is_fed() {
        // From the FNV reference test suite (fnv-32a of "", "a" and "foobar").
        assert_eq!(fnv1a(b""), 0x811c_9dc5);
        assert_eq!(fnv1a(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a(b"foobar"), 0xbf9c_f968);
        let mut pieces = Fnv1a::new();
        pieces.write(b"foo");
        pieces.write(b"bar");
        assert_eq!(pieces.finish(), fnv1a(b"foobar"));
    }
}
