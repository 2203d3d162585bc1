//! HMAC-SHA256 with the key's padded blocks hashed once: a `KeyedMac` holds the SHA-256 states
//! after `key ⊕ ipad` and `key ⊕ opad` (RFC 2104), so each MAC it computes costs the message's
//! blocks plus one, not two more for the key. The states are as secret as the key (anyone
//! holding them can make MACs) and are zeroized on drop, as is every per-MAC copy.
//!
//! Written by hand because the `hmac` crate keeps these states internally but neither exposes
//! them nor zeroizes them; the SHA-256 compression itself is `sha2`'s (`compress256`, on the
//! CPU's SHA extensions where there are some). Tests check every message length around the
//! block boundaries against `hmac`.

use sha2::digest::generic_array::GenericArray;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
/// SHA-256's block size.
const BLOCK: usize = 64;

/// The HMAC-SHA256 states of one 32-byte key: inner and outer, each after its padded key block.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct KeyedMac {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl KeyedMac {
    /// The states of `key` (at most one block long, as every SigV4 signing key is).
    pub(crate) fn new(key: &[u8; 32]) -> KeyedMac {
        let pad = |byte: u8| {
            let mut block = [byte; BLOCK];
            for (b, k) in block.iter_mut().zip(key) {
                *b ^= k;
            }
            let mut state = H0;
            compress(&mut state, &block);
            block.zeroize();
            state
        };
        KeyedMac {
            inner: pad(0x36),
            outer: pad(0x5c),
        }
    }

    /// The MAC of the concatenation of `pieces`.
    pub(crate) fn mac<'p>(&self, pieces: impl IntoIterator<Item = &'p [u8]>) -> [u8; 32] {
        let mut inner = Stream::after_key(self.inner);
        for p in pieces {
            inner.update(p);
        }
        let mut inner_hash = inner.finish();
        let mut outer = Stream::after_key(self.outer);
        outer.update(&inner_hash);
        inner_hash.zeroize();
        outer.finish()
    }
}

fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
    sha2::compress256(
        state,
        std::slice::from_ref(GenericArray::from_slice(&block[..])),
    );
}

/// A SHA-256 in progress that has already absorbed one (key) block.
#[derive(Zeroize, ZeroizeOnDrop)]
struct Stream {
    state: [u32; 8],
    buf: [u8; BLOCK],
    /// Bytes waiting in `buf`.
    pending: usize,
    /// Bytes absorbed in all, the key block included.
    total: u64,
}

impl Stream {
    fn after_key(state: [u32; 8]) -> Stream {
        Stream {
            state,
            buf: [0; BLOCK],
            pending: 0,
            total: BLOCK as u64,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.total += data.len() as u64;
        if self.pending > 0 {
            let take = (BLOCK - self.pending).min(data.len());
            self.buf[self.pending..self.pending + take].copy_from_slice(&data[..take]);
            self.pending += take;
            data = &data[take..];
            if self.pending < BLOCK {
                return;
            }
            compress(&mut self.state, &self.buf);
            self.pending = 0;
        }
        let mut blocks = data.chunks_exact(BLOCK);
        for block in &mut blocks {
            if let Ok(block) = <&[u8; BLOCK]>::try_from(block) {
                compress(&mut self.state, block);
            }
        }
        let rest = blocks.remainder();
        self.buf[..rest.len()].copy_from_slice(rest);
        self.pending = rest.len();
    }

    /// Pads (a one bit, zeros, the length in bits) and answers the digest.
    fn finish(&mut self) -> [u8; 32] {
        let bits = self.total.wrapping_mul(8);
        self.buf[self.pending] = 0x80;
        self.buf[self.pending + 1..].fill(0);
        if self.pending + 1 > BLOCK - 8 {
            compress(&mut self.state, &self.buf);
            self.buf.fill(0);
        }
        self.buf[BLOCK - 8..].copy_from_slice(&bits.to_be_bytes());
        compress(&mut self.state, &self.buf);
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use proptest::prelude::*;

    fn oracle(key: &[u8; 32], pieces: &[&[u8]]) -> [u8; 32] {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        for p in pieces {
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }

    #[test]
    fn every_length_around_the_block_boundaries_is_hmac() {
        let key: [u8; 32] = std::array::from_fn(|i| (i * 7 + 3) as u8);
        let m = KeyedMac::new(&key);
        let msg: Vec<u8> = (0..300u32).map(|i| (i * 31 % 251) as u8).collect();
        for len in 0..=msg.len() {
            let whole = &msg[..len];
            assert_eq!(m.mac([whole]), oracle(&key, &[whole]), "length {len}");
            let (a, b) = whole.split_at(len / 3);
            assert_eq!(m.mac([a, b, b""]), oracle(&key, &[whole]), "split {len}");
        }
    }

    #[test]
    fn rfc4231_case_2_with_its_key_zero_padded() {
        // RFC 4231 test case 2 ("Jefe"): HMAC pads a short key with zeros to the block, so the
        // same key zero-padded to 32 bytes gives the RFC's MAC.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            hex::encode(KeyedMac::new(&key).mac([&b"what do ya want "[..], b"for nothing?"])),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    proptest! {
        #[test]
        fn any_key_and_pieces_give_hmac(
            key in any::<[u8; 32]>(),
            pieces in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..150), 0..6),
        ) {
            let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
            prop_assert_eq!(KeyedMac::new(&key).mac(refs.iter().copied()), oracle(&key, &refs));
        }
    }
}
