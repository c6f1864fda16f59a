//! Process facts read from `/proc`: peak and current resident memory.

/// Peak resident set size of this process in bytes (`VmHWM`), if the platform tells.
pub fn peak_rss_bytes() -> Option<u64> {
    status_kib("VmHWM:").map(|k| k * 1024)
}

/// Current resident set size of this process in bytes (`VmRSS`).
pub fn rss_bytes() -> Option<u64> {
    status_kib("VmRSS:").map(|k| k * 1024)
}

fn status_kib(key: &str) -> Option<u64> {
    field_kib(&std::fs::read_to_string("/proc/self/status").ok()?, key)
}

fn field_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_own_memory() {
        assert!(super::peak_rss_bytes().is_some_and(|b| b > 0));
        assert!(super::rss_bytes().is_some_and(|b| b > 0));
        // One snapshot: read separately, RSS can grow between the two reads (other test
        // threads allocate), and the peak is only raised lazily by the kernel.
        let s = std::fs::read_to_string("/proc/self/status").expect("linux /proc");
        let peak = super::field_kib(&s, "VmHWM:").expect("VmHWM");
        let now = super::field_kib(&s, "VmRSS:").expect("VmRSS");
        assert!(peak >= now && now > 0, "VmHWM {peak} kB < VmRSS {now} kB");
    }

    #[test]
    fn parses_kib_fields() {
        let s = "Name:\trazz\nVmHWM:\t  130684 kB\nVmRSS:\t   98304 kB\n";
        assert_eq!(super::field_kib(s, "VmHWM:"), Some(130_684));
        assert_eq!(super::field_kib(s, "VmRSS:"), Some(98_304));
        assert_eq!(super::field_kib(s, "VmSwap:"), None);
    }
}
