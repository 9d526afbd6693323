//! HMAC (RFC 2104) over SHA-2's compression functions, with the secret
//! absorbed once.
//!
//! A [`Keyed`] holds the two hash states HMAC starts from: after the block of
//! key XOR ipad (inner) and after key XOR opad (outer). A tag then copies
//! the inner state, compresses the message's whole blocks where they lie,
//! pads the rest on the stack, and runs one more block (two at most) from
//! the outer state: no buffer copies, no hasher objects. The compression
//! functions are the `sha2` crate's (SHA-NI or AVX2 where the CPU has them,
//! chosen at run time); the tests check every tag against aws-lc's `HMAC`.

use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256, Sha384, Sha512};

use aws_lc_sys as lc;

/// A SHA-2 function as HMAC drives it: its compression function over whole
/// blocks, its initial state, and the digest read off a final state.
pub trait Blocks {
    type Word: Copy;
    /// Block size in bytes (64 or 128); the message length is written in the
    /// last `BLOCK / 8` bytes of the padding (64 or 128 bits).
    const BLOCK: usize;
    /// Digest length in bytes (32, 48 or 64).
    const OUT: usize;
    /// The initial hash value (FIPS 180-4, section 5.3).
    const INITIAL: [Self::Word; 8];
    /// Absorbs `blocks`, a whole number of blocks.
    fn compress(state: &mut [Self::Word; 8], blocks: &[u8]);
    /// The first `OUT` bytes of `state`, big-endian.
    fn digest(state: &[Self::Word; 8], out: &mut [u8]);
    /// The digest of `data` (a secret longer than a block is hashed first).
    fn hash(data: &[u8], out: &mut [u8]);
}

/// SHA-256, for HS256.
#[derive(Clone)]
pub struct Sha256Blocks;
/// SHA-384 (SHA-512's compression, its own initial value, 48 bytes out), for HS384.
#[derive(Clone)]
pub struct Sha384Blocks;
/// SHA-512, for HS512.
#[derive(Clone)]
pub struct Sha512Blocks;

impl Blocks for Sha256Blocks {
    type Word = u32;
    const BLOCK: usize = 64;
    const OUT: usize = 32;
    const INITIAL: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    fn compress(state: &mut [u32; 8], blocks: &[u8]) {
        for block in blocks.chunks_exact(64) {
            sha2::compress256(state, std::slice::from_ref(GenericArray::from_slice(block)));
        }
    }
    fn digest(state: &[u32; 8], out: &mut [u8]) {
        for (word, bytes) in state.iter().zip(out.chunks_exact_mut(4)) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
    }
    fn hash(data: &[u8], out: &mut [u8]) {
        out.copy_from_slice(&Sha256::digest(data));
    }
}

impl Blocks for Sha384Blocks {
    type Word = u64;
    const BLOCK: usize = 128;
    const OUT: usize = 48;
    const INITIAL: [u64; 8] = [
        0xcbbb9d5dc1059ed8,
        0x629a292a367cd507,
        0x9159015a3070dd17,
        0x152fecd8f70e5939,
        0x67332667ffc00b31,
        0x8eb44a8768581511,
        0xdb0c2e0d64f98fa7,
        0x47b5481dbefa4fa4,
    ];
    fn compress(state: &mut [u64; 8], blocks: &[u8]) {
        Sha512Blocks::compress(state, blocks);
    }
    fn digest(state: &[u64; 8], out: &mut [u8]) {
        Sha512Blocks::digest(state, out);
    }
    fn hash(data: &[u8], out: &mut [u8]) {
        out.copy_from_slice(&Sha384::digest(data));
    }
}

impl Blocks for Sha512Blocks {
    type Word = u64;
    const BLOCK: usize = 128;
    const OUT: usize = 64;
    const INITIAL: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    fn compress(state: &mut [u64; 8], blocks: &[u8]) {
        for block in blocks.chunks_exact(128) {
            sha2::compress512(state, std::slice::from_ref(GenericArray::from_slice(block)));
        }
    }
    fn digest(state: &[u64; 8], out: &mut [u8]) {
        for (word, bytes) in state.iter().zip(out.chunks_exact_mut(8)) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
    }
    fn hash(data: &[u8], out: &mut [u8]) {
        out.copy_from_slice(&Sha512::digest(data));
    }
}

/// HMAC (RFC 2104) with the secret absorbed once: the hash states after the
/// key XOR ipad block and after the key XOR opad block.
#[derive(Clone)]
pub struct Keyed<H: Blocks> {
    inner: [H::Word; 8],
    outer: [H::Word; 8],
}

impl<H: Blocks> Keyed<H> {
    /// The states for `secret` (hashed first when longer than a block, then
    /// padded with zeros to a block).
    pub fn new(secret: &[u8]) -> Keyed<H> {
        let mut key = [0u8; 128];
        if secret.len() > H::BLOCK {
            H::hash(secret, &mut key[..H::OUT]);
        } else {
            key[..secret.len()].copy_from_slice(secret);
        }
        let mut pad = [0u8; 128];
        let mut keyed = Keyed {
            inner: H::INITIAL,
            outer: H::INITIAL,
        };
        for (p, k) in pad.iter_mut().zip(key.iter()).take(H::BLOCK) {
            *p = k ^ 0x36;
        }
        H::compress(&mut keyed.inner, &pad[..H::BLOCK]);
        for (p, k) in pad.iter_mut().zip(key.iter()).take(H::BLOCK) {
            *p = k ^ 0x5c;
        }
        H::compress(&mut keyed.outer, &pad[..H::BLOCK]);
        // The padded key blocks on the stack are wiped. The states stay (any prepared
        // HMAC key keeps them), and a secret longer than a block is hashed by sha2's
        // own hasher first, which does not wipe its buffer.
        for buffer in [&mut key, &mut pad] {
            // SAFETY: `buffer` is valid for writes of its length.
            unsafe { lc::OPENSSL_cleanse(buffer.as_mut_ptr().cast(), buffer.len()) };
        }
        keyed
    }

    /// `state` after the rest of a message: `tail` (less than a block) and the
    /// padding, for a message of `total` bytes in all (the key block included).
    fn finish(state: &mut [H::Word; 8], tail: &[u8], total: usize) {
        let mut last = [0u8; 256];
        last[..tail.len()].copy_from_slice(tail);
        last[tail.len()] = 0x80;
        let length_bytes = H::BLOCK / 8;
        let blocks = if tail.len() + 1 + length_bytes > H::BLOCK {
            2
        } else {
            1
        };
        let end = blocks * H::BLOCK;
        let bits = (total as u128) * 8;
        last[end - length_bytes..end].copy_from_slice(&bits.to_be_bytes()[16 - length_bytes..]);
        H::compress(state, &last[..end]);
    }

    /// HMAC(secret, message): the inner hash from the inner state, then the
    /// outer hash of its digest from the outer state.
    pub fn tag(&self, message: &[u8]) -> Tag {
        let whole = message.len() - message.len() % H::BLOCK;
        let mut state = self.inner;
        H::compress(&mut state, &message[..whole]);
        Self::finish(&mut state, &message[whole..], H::BLOCK + message.len());
        let mut inner = [0u8; 64];
        H::digest(&state, &mut inner[..H::OUT]);
        let mut state = self.outer;
        Self::finish(&mut state, &inner[..H::OUT], H::BLOCK + H::OUT);
        let mut tag = Tag {
            bytes: [0; 64],
            len: H::OUT,
        };
        H::digest(&state, &mut tag.bytes[..H::OUT]);
        tag
    }
}

/// An HMAC tag (up to SHA-512's 64 bytes), on the stack.
pub struct Tag {
    bytes: [u8; 64],
    len: usize,
}

impl AsRef<[u8]> for Tag {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}
