//! Runs of bytes found eight bytes at a time, each user with its own set of
//! bytes: the runs a JSON string can copy as they are (the parser's and the
//! writer's), and the words of an `Authorization` header (`py::auth_header`).

/// `0x01` in each byte lane of a word.
pub const ONES: u64 = 0x0101_0101_0101_0101;

/// The lanes of `word` equal to `byte`, as the "has a zero byte" test: a high
/// bit in each such lane (and possibly in lanes above a true one, never
/// below it) once masked with `!word & HIGHS`.
#[inline]
pub fn lanes_equal(word: u64, byte: u8) -> u64 {
    (word ^ (ONES * u64::from(byte))).wrapping_sub(ONES)
}

/// The lanes of `word` below `bound` (< 0x80), in the same form as
/// [`lanes_equal`].
#[inline]
pub fn lanes_below(word: u64, bound: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(bound))
}

/// The end of the run of bytes from `at` that `copied` accepts. `flags` gives,
/// for eight bytes read little-endian, a word whose lowest set high bit (of
/// `0x80` in each lane) marks the first byte `copied` refuses; flags above it
/// may be spurious, none below it. The bytes past the last whole word are
/// read one by one with `copied`.
#[inline]
pub fn run_end(
    bytes: &[u8],
    mut at: usize,
    flags: impl Fn(u64) -> u64,
    copied: impl Fn(u8) -> bool,
) -> usize {
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let flagged = flags(u64::from_le_bytes(word)) & HIGHS;
        if flagged != 0 {
            return at + (flagged.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while bytes.get(at).is_some_and(|&byte| copied(byte)) {
        at += 1;
    }
    at
}
