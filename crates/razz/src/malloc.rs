//! Makes glibc hand large freed blocks back to the system at once.
//!
//! glibc serves blocks of 128 KiB and more with `mmap` and returns them on `free`, but each
//! time such a block is freed it raises that threshold to the block's size (up to 32 MiB),
//! after which blocks of that size come from the heap and stay resident once freed. ONNX
//! Runtime frees large buffers while loading and razz allocates a frame buffer (1.3 MB at
//! 768x576) per decoded frame, so the threshold climbs early and the heap keeps tens of MiB
//! it no longer uses. Fixing the threshold at its starting value (which also stops the
//! adjustment) kept `razz serve` with 5 cameras at 120.0 MiB instead of 174.1 MiB, at the
//! same detection rate (docs/decisions.md, "Process memory: a fixed mmap threshold").
//!
//! `GLIBC_TUNABLES` set by the operator wins: razz then leaves malloc as configured.

/// The threshold glibc starts with: blocks from 128 KiB up are mapped and unmapped.
const MMAP_THRESHOLD_BYTES: libc::c_int = 128 * 1024;

/// Fixes glibc's mmap threshold, unless `GLIBC_TUNABLES` configures malloc. Returns whether
/// it was set (false on other C libraries, where it does nothing).
pub fn return_large_blocks() -> bool {
    if std::env::var_os("GLIBC_TUNABLES").is_some() {
        return false;
    }
    set_mmap_threshold(MMAP_THRESHOLD_BYTES)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn set_mmap_threshold(bytes: libc::c_int) -> bool {
    // SAFETY: `mallopt` takes two integers and touches only malloc's own parameters, under
    // malloc's lock; any value is accepted or refused with a return of 0.
    unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, bytes) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_mmap_threshold(_bytes: libc::c_int) -> bool {
    false
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_accepts_the_threshold() {
        assert!(super::set_mmap_threshold(super::MMAP_THRESHOLD_BYTES));
    }
}
