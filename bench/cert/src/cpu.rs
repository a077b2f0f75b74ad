//! CPU time of a process (user + system, from `/proc/PID/stat`), so a benchmark can report
//! CPU per operation: unlike a rate, it hardly moves when other programs load the machine.
//! Shared with the OIDC benchmark (`#[path]`).

/// Clock ticks per second of `/proc` times (`getconf CLK_TCK`, 100 on Linux).
const TICKS: f64 = 100.0;

/// CPU seconds used so far by process `pid` (`None`: this process), or `None` when
/// `/proc` is not readable.
pub fn cpu_secs(pid: Option<u32>) -> Option<f64> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // The command name may hold spaces: the fields start after its closing parenthesis,
    // with field 3 (state) first, so utime (14) and stime (15) are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / TICKS)
}

/// Microseconds of CPU per operation between two readings.
pub fn micros_per(before: Option<f64>, after: Option<f64>, ops: f64) -> Option<f64> {
    match (before, after) {
        (Some(b), Some(a)) if ops > 0.0 => Some((a - b) * 1e6 / ops),
        _ => None,
    }
}

/// `123 µs` or `n/a`.
pub fn show(us: Option<f64>) -> String {
    us.map_or_else(|| "n/a".to_owned(), |u| format!("{u:.0} µs"))
}
