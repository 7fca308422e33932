//! Node deadlines on one kernel timer per node thread.
//!
//! Why not tokio's `sleep`: its timer wheel files a deadline 64 ms or more
//! ahead in a coarser level, and wakes the thread at the start of that
//! level's slot only to move the deadline down a level; it fires on a
//! second wake-up. A node's next deadline is usually a probe interval
//! ahead, so most of them cost two wake-ups. On an idle 16-node `lan` lab,
//! 62 of the node thread's 107 timed-out waits in 5 s did nothing else
//! (`strace`), and on this machine waking a sleeping thread costs more than
//! the datagrams it handles (BENCHMARKS.md, "Issue 13: the syscall
//! floor"). Here every node of a thread ([`crate::runtime::pool`]) sets an
//! [`Alarm`], and one `timerfd` is armed to the earliest of them: a
//! deadline is one wake-up, and with the lab's timer slack
//! ([`crate::runtime::clock`]) the nodes that share a deadline share it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};
use tokio::io::unix::AsyncFd;
use tokio::runtime::Handle;

/// The kernel timer, as tokio's reactor needs it.
struct Fd(TimerFd);

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_fd().as_raw_fd()
    }
}

/// The alarms of one thread's nodes and the timer that rings them. Cheap
/// to clone; the service task that waits on the timer ends when the
/// runtime it was started on does.
#[derive(Clone)]
pub struct AlarmClock {
    fd: Arc<AsyncFd<Fd>>,
    book: Arc<Mutex<Book>>,
}

impl std::fmt::Debug for AlarmClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlarmClock").finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Book {
    /// One per alarm, reused after it is dropped.
    slots: Vec<Slot>,
    free: Vec<usize>,
    /// Deadlines to ring, earliest first, as (when, slot, the slot's life).
    /// An entry whose slot has moved its deadline since is skipped.
    queue: BinaryHeap<Reverse<(Instant, usize, u64)>>,
    /// What the timer is armed to.
    armed: Option<Instant>,
    /// Times the timer went off (each one wake-up of the thread).
    rings: u64,
}

#[derive(Default)]
struct Slot {
    life: u64,
    deadline: Option<Instant>,
    waker: Option<Waker>,
}

impl Book {
    fn stale(&self, &(at, slot, life): &(Instant, usize, u64)) -> bool {
        let s = &self.slots[slot];
        s.life != life || s.deadline != Some(at)
    }

    /// The earliest live deadline, dropping stale entries before it.
    fn next(&mut self) -> Option<Instant> {
        while let Some(Reverse(entry)) = self.queue.peek() {
            if !self.stale(entry) {
                return Some(entry.0);
            }
            self.queue.pop();
        }
        None
    }

    /// Wakes the alarms due at `now`.
    fn ring(&mut self, now: Instant) {
        while let Some(&Reverse(entry)) = self.queue.peek() {
            if entry.0 > now {
                break;
            }
            self.queue.pop();
            if !self.stale(&entry)
                && let Some(w) = self.slots[entry.1].waker.take()
            {
                w.wake();
            }
        }
    }

    /// Rebuilds the queue from the slots when moved deadlines have left
    /// it mostly stale, so it stays within a small multiple of the alarms.
    fn compact(&mut self) {
        if self.queue.len() > 4 * self.slots.len() + 64 {
            let live = self.slots.iter().enumerate().filter_map(|(i, s)| s.deadline.map(|at| Reverse((at, i, s.life))));
            self.queue = live.collect();
        }
    }
}

impl AlarmClock {
    /// A clock whose timer is registered with, and served on, `runtime`.
    pub fn start(runtime: &Handle) -> io::Result<AlarmClock> {
        let _in = runtime.enter();
        let timer = TimerFd::new(ClockId::CLOCK_MONOTONIC, TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC)?;
        // Deprecated because a type could hand the reactor a descriptor it
        // does not own, closed or reused while registered. `Fd` owns its
        // timer, and the reactor's registration ends when it is dropped.
        #[allow(deprecated)]
        let fd = AsyncFd::new(Fd(timer))?;
        let clock = AlarmClock { fd: Arc::new(fd), book: Arc::default() };
        runtime.spawn(clock.clone().serve());
        Ok(clock)
    }

    /// A new alarm, not set.
    pub fn alarm(&self) -> Alarm {
        let mut book = self.book();
        let slot = match book.free.pop() {
            Some(i) => i,
            None => {
                book.slots.push(Slot::default());
                book.slots.len() - 1
            }
        };
        Alarm { clock: self.clone(), slot }
    }

    /// How many times the timer has gone off so far.
    pub fn rings(&self) -> u64 {
        self.book().rings
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Arms the timer to `book`'s earliest deadline, if that changed.
    fn rearm(&self, book: &mut Book, now: Instant) {
        let next = book.next();
        if next == book.armed {
            return;
        }
        book.armed = next;
        let timer = &self.fd.get_ref().0;
        let armed = match next {
            // Zero would disarm it: a deadline due now is a nanosecond away.
            Some(at) => timer.set(
                Expiration::OneShot(TimeSpec::from_duration(
                    at.saturating_duration_since(now).max(Duration::from_nanos(1)),
                )),
                TimerSetTimeFlags::empty(),
            ),
            None => timer.unset(),
        };
        // Only a bad descriptor fails, and the clock made and owns it.
        debug_assert!(armed.is_ok(), "timerfd_settime: {armed:?}");
    }

    async fn serve(self) {
        loop {
            let Ok(mut ready) = self.fd.readable().await else { return };
            // Reads the expiry count; a timer re-armed since it went off
            // has none, which is fine: the queue is the truth.
            let _ = ready.get_inner().0.wait();
            ready.clear_ready();
            let now = Instant::now();
            let mut book = self.book();
            book.rings += 1;
            book.ring(now);
            book.armed = None;
            self.rearm(&mut book, now);
        }
    }
}

/// One node's deadline. Setting it is cheap when nothing changes, and
/// dropping it (a crashed node's task) forgets it.
#[derive(Debug)]
pub struct Alarm {
    clock: AlarmClock,
    slot: usize,
}

impl Alarm {
    /// Rings at `at` from now on; `None` never.
    pub fn set(&mut self, at: Option<Instant>) {
        let mut book = self.clock.book();
        let slot = &mut book.slots[self.slot];
        if slot.deadline == at {
            return;
        }
        slot.deadline = at;
        let life = slot.life;
        if let Some(at) = at {
            book.queue.push(Reverse((at, self.slot, life)));
            book.compact();
        }
        // Earlier: the timer must go off sooner. Later or none: a timer
        // left on this alarm's old deadline would wake the thread for
        // nothing (`rearm` makes no system call if the earliest is as armed).
        self.clock.rearm(&mut book, Instant::now());
    }

    /// Resolves once the deadline set has passed (never while none is set).
    pub async fn rung(&mut self) {
        poll_fn(|cx| {
            let mut book = self.clock.book();
            let slot = &mut book.slots[self.slot];
            if slot.deadline.is_some_and(|at| at <= Instant::now()) {
                return Poll::Ready(());
            }
            match &slot.waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => slot.waker = Some(cx.waker().clone()),
            }
            Poll::Pending
        })
        .await;
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        let mut book = self.clock.book();
        let slot = &mut book.slots[self.slot];
        slot.life += 1;
        slot.deadline = None;
        slot.waker = None;
        book.free.push(self.slot);
    }
}

#[cfg(test)]
mod tests;
