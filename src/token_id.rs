//! Random token ids: version-4 UUIDs (RFC 9562) from the operating system's
//! generator, as `uuid4().hex` makes them for simplejwt's `jti`.
//!
//! One `getrandom` system call per id costs about 0.5 us on a virtual machine
//! (more than the rest of a new token), so on Linux the OS's bytes are read
//! 255 ids at a time into one page of memory marked `MADV_WIPEONFORK`: the
//! kernel hands a forked child that page zero-filled, which reads as an
//! empty pool, so a child (of `os.fork`, or of a C-level fork such as
//! uWSGI's) never hands out an id its parent has; nothing in this code has
//! to notice the fork. Each id's bytes are zeroed once handed out. Where that
//! page cannot be had (another OS, a kernel before 4.14), or while another
//! thread is drawing from it, the bytes come from aws-lc's generator, which
//! is fork-safe on its own terms (it reseeds from the OS after a fork or VM
//! snapshot it detects, and on every call where it cannot detect them).
//! What the page cannot guard against is a VM snapshot restored more than
//! once: each copy would hand out the page's remaining ids (at most 254), as
//! it would repeat anything else the process holds in memory.

/// A random version-4 UUID (version and variant bits set); None only if no
/// generator could be read.
pub fn uuid4() -> Option<[u8; 16]> {
    let mut id = [0u8; 16];
    if !pool::draw(&mut id) {
        aws_lc_rs::rand::fill(&mut id).ok()?;
    }
    id[6] = (id[6] & 0x0f) | 0x40; // version 4
    id[8] = (id[8] & 0x3f) | 0x80; // variant: RFC 9562 (10xx)
    Some(id)
}

/// [`uuid4`] as 32 lower-case hex digits (`uuid4().hex`).
pub fn uuid4_hex() -> Option<String> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(32);
    for byte in uuid4()? {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    Some(hex)
}

#[cfg(target_os = "linux")]
mod pool {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::OnceLock;

    const PAGE_BYTES: usize = 4096;
    const IDS: u32 = 255;

    /// The page: a forked child sees all of it zero (free, empty).
    #[repr(C)]
    struct Page {
        /// 1 while a thread draws from the page.
        busy: AtomicU32,
        /// Ids not yet handed out (0: refill before drawing).
        left: u32,
        _pad: [u8; 8],
        bytes: [u8; 16 * IDS as usize],
    }

    const _: () = assert!(std::mem::size_of::<Page>() == PAGE_BYTES);

    struct Pool(*mut Page);
    // SAFETY: the page is only read or written by the thread that set `busy`.
    unsafe impl Send for Pool {}
    unsafe impl Sync for Pool {}

    static POOL: OnceLock<Option<Pool>> = OnceLock::new();

    fn map_page() -> Option<Pool> {
        // SAFETY: a fresh private anonymous mapping, unmapped again if the
        // kernel cannot wipe it on fork; nothing else refers to it.
        unsafe {
            let page = libc::mmap(
                std::ptr::null_mut(),
                PAGE_BYTES,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if page == libc::MAP_FAILED {
                return None;
            }
            if libc::madvise(page, PAGE_BYTES, libc::MADV_WIPEONFORK) != 0 {
                libc::munmap(page, PAGE_BYTES);
                return None;
            }
            Some(Pool(page.cast()))
        }
    }

    /// Fills `out` from the OS, retrying after signals.
    fn getrandom(out: &mut [u8]) -> bool {
        let mut filled = 0;
        while filled < out.len() {
            let rest = &mut out[filled..];
            // SAFETY: writes at most `rest.len()` bytes into `rest`.
            let got = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
            if got > 0 {
                filled += got as usize;
            } else if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                return false;
            }
        }
        true
    }

    /// 16 bytes of the OS's randomness into `out`, or false (the caller then
    /// asks aws-lc) without the page, on an OS error or while it is busy.
    pub fn draw(out: &mut [u8; 16]) -> bool {
        let Some(Pool(page)) = POOL.get_or_init(map_page) else {
            return false;
        };
        let page = *page;
        // SAFETY: `busy` is an atomic in the mapped page, valid for the process.
        let busy = unsafe { &(*page).busy };
        if busy
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        // SAFETY: this thread holds `busy`, so nothing else touches the page.
        let (left, bytes) = unsafe { (&mut (*page).left, &mut (*page).bytes) };
        let drawn = (*left > 0 || getrandom(bytes)) && {
            if *left == 0 {
                *left = IDS;
            }
            *left -= 1;
            let at = *left as usize * 16;
            let id = &mut bytes[at..at + 16];
            out.copy_from_slice(id);
            id.fill(0);
            true
        };
        busy.store(0, Ordering::Release);
        drawn
    }
}

#[cfg(not(target_os = "linux"))]
mod pool {
    /// No fork-wiped page on this OS: every id comes from aws-lc.
    pub fn draw(_out: &mut [u8; 16]) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_version_4_rfc_variant_and_distinct() {
        let ids: Vec<[u8; 16]> = (0..1000).map(|_| uuid4().expect("an id")).collect();
        for id in &ids {
            assert_eq!(id[6] >> 4, 4);
            assert_eq!(id[8] >> 6, 0b10);
        }
        let distinct: HashSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
    }

    #[test]
    fn hex_is_32_lower_case_digits_of_the_id() {
        let hex = uuid4_hex().expect("an id");
        assert_eq!(hex.len(), 32);
        assert!(hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(&hex[12..13], "4");
        assert!(matches!(&hex[16..17], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn ids_across_refills_stay_distinct() {
        // More than two pages' worth: the pool is refilled in between.
        let ids: HashSet<[u8; 16]> = (0..600).map(|_| uuid4().expect("an id")).collect();
        assert_eq!(ids.len(), 600);
    }
}
