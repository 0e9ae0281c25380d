//! The simulated hardware random-number generator: xorshift64* seeded once from the OS (or `--seed`), for
//! WebSocket keys and masks, the network stack's seed and reconnect jitter.

use std::fs::File;
use std::io::Read;

/// A small fast generator; not for secrets, as the ESP32's own RNG would be.
#[derive(Debug, Clone)]
pub struct Random {
    state: u64,
}

impl Random {
    /// A generator from `seed`, or from /dev/urandom when there is none.
    pub fn new(seed: Option<u64>) -> Self {
        let seed = seed.unwrap_or_else(|| {
            let mut bytes = [0u8; 8];
            let drawn = File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
            if drawn.is_err() {
                // Without /dev/urandom the time still differs from run to run.
                let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(1);
                bytes = (nanos as u64).to_le_bytes();
            }
            u64::from_le_bytes(bytes)
        });
        // xorshift must not start at zero.
        Self { state: seed | 1 }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_repeats_and_different_seeds_differ() {
        let (mut a, mut b, mut c) = (Random::new(Some(5)), Random::new(Some(5)), Random::new(Some(6)));
        let first: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        assert_eq!(first, (0..4).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(first, (0..4).map(|_| c.next_u64()).collect::<Vec<_>>());
    }

    #[test]
    fn a_zero_seed_still_moves() {
        let mut random = Random::new(Some(0));
        assert_ne!(random.next_u64(), random.next_u64());
    }
}
