//! Process CPU time as the benches read it, the same way the peers'
//! harnesses do: `getrusage(RUSAGE_SELF)`, user plus system, every thread
//! of the process. Shared (with `#[path]`) by the runtime bench and the
//! syscall floor, so the lab and the floor are measured alike.

/// Process CPU seconds so far (user + system).
pub fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage");
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(usage.ru_utime) + tv(usage.ru_stime)
}
