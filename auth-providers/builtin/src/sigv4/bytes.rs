//! Byte-level helpers of the signature check's hot path: lower-case hex, and whether a header
//! value holds a blank. Written by hand: `hex::encode` allocates and builds its string a
//! character at a time, and a byte-by-byte search costs several instructions a byte where the
//! word trick below costs one or two.

/// A `u64` with every byte `b`.
const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// Whether some byte of `x` is zero (exact: the classic "has a zero byte" word trick).
fn has_zero_byte(x: u64) -> bool {
    x.wrapping_sub(splat(0x01)) & !x & splat(0x80) != 0
}

/// Whether `value` holds a space or a tab, eight bytes at a time.
pub(crate) fn has_blank(value: &[u8]) -> bool {
    let mut chunks = value.chunks_exact(8);
    for chunk in &mut chunks {
        let x = u64::from_ne_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
        if has_zero_byte(x ^ splat(b' ')) | has_zero_byte(x ^ splat(b'\t')) {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| b == b' ' || b == b'\t')
}

/// The two lower-case hex digits of every byte value.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [DIGITS[i >> 4], DIGITS[i & 0xf]];
        i += 1;
    }
    table
};

/// `bytes` as lower-case hex digits, written into `buf`.
pub(crate) fn hex_into(bytes: &[u8; 32], buf: &mut [u8; 64]) {
    for (pair, b) in buf.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(*b)]);
    }
}

/// `bytes` as lower-case hex, written into `buf` (no allocation; `hex::encode` builds its
/// string a character at a time).
pub fn lower_hex<'b>(bytes: &[u8; 32], buf: &'b mut [u8; 64]) -> &'b str {
    hex_into(bytes, buf);
    // Only ASCII digits were written.
    std::str::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lower_hex_is_hex_encode() {
        let bytes: [u8; 32] = std::array::from_fn(|i| (i * 37 + 11) as u8);
        assert_eq!(lower_hex(&bytes, &mut [0; 64]), hex::encode(bytes));
        for start in (0..=255u8).step_by(32) {
            let every: [u8; 32] = std::array::from_fn(|i| start.wrapping_add(i as u8));
            assert_eq!(lower_hex(&every, &mut [0; 64]), hex::encode(every));
        }
    }

    #[test]
    fn a_blank_at_any_position_is_found() {
        for len in 0..40 {
            let plain = vec![b'x'; len];
            assert!(!has_blank(&plain), "{len}");
            for at in 0..len {
                for blank in [b' ', b'\t'] {
                    let mut v = plain.clone();
                    v[at] = blank;
                    assert!(has_blank(&v), "{len} {at}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn has_blank_is_a_byte_search(value in proptest::collection::vec(any::<u8>(), 0..48)) {
            prop_assert_eq!(has_blank(&value), value.iter().any(|&b| b == b' ' || b == b'\t'));
        }
    }
}
