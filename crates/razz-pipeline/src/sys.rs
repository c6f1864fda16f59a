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
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_own_memory() {
        let peak = super::peak_rss_bytes().expect("linux /proc");
        let now = super::rss_bytes().expect("linux /proc");
        assert!(peak >= now && now > 0);
    }
}
