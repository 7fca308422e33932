use std::time::{Duration, Instant};

use tokio::runtime::Builder;

use super::*;

/// Runs `test` with a clock on a shard-like runtime: one thread, the
/// reactor on.
fn on_a_shard<F: std::future::Future<Output = ()>>(test: impl FnOnce(AlarmClock) -> F) {
    let rt = Builder::new_current_thread().enable_all().build().unwrap();
    let clock = AlarmClock::start(rt.handle()).unwrap();
    rt.block_on(test(clock));
}

/// Generous: a loaded two-core machine may run the thread late.
const LATE: Duration = Duration::from_secs(5);

#[test]
fn an_alarm_rings_at_its_deadline_and_not_before() {
    on_a_shard(|clock| async move {
        let mut alarm = clock.alarm();
        let at = Instant::now() + Duration::from_millis(30);
        alarm.set(Some(at));
        tokio::time::timeout(LATE, alarm.rung()).await.expect("rang");
        assert!(Instant::now() >= at, "rang early");
    });
}

#[test]
fn alarms_sharing_a_deadline_share_one_ring() {
    on_a_shard(|clock| async move {
        let at = Instant::now() + Duration::from_millis(50);
        let waits = (0..16).map(|_| {
            let mut alarm = clock.alarm();
            alarm.set(Some(at));
            tokio::spawn(async move { alarm.rung().await })
        });
        let waits: Vec<_> = waits.collect();
        for w in waits {
            tokio::time::timeout(LATE, w).await.expect("rang").unwrap();
        }
        assert_eq!(clock.rings(), 1, "sixteen alarms at one instant wake the thread once");
    });
}

#[test]
fn moving_a_deadline_earlier_rearms_and_later_does_not_ring_early() {
    on_a_shard(|clock| async move {
        let mut alarm = clock.alarm();
        alarm.set(Some(Instant::now() + Duration::from_secs(3600)));
        let at = Instant::now() + Duration::from_millis(20);
        alarm.set(Some(at));
        tokio::time::timeout(LATE, alarm.rung()).await.expect("the earlier deadline rang");

        // Moved later: the timer armed to the old deadline must not ring
        // it, nor wake the thread for it.
        // Far enough apart that no stall between the two calls lets the
        // first deadline pass.
        let before = clock.rings();
        let early = Instant::now() + Duration::from_millis(500);
        alarm.set(Some(early));
        let late = Instant::now() + Duration::from_millis(800);
        alarm.set(Some(late));
        tokio::time::timeout(LATE, alarm.rung()).await.expect("the later deadline rang");
        assert!(Instant::now() >= late, "rang at the abandoned deadline");
        assert_eq!(clock.rings() - before, 1, "one wake-up, at the deadline kept");
    });
}

#[test]
fn an_unset_alarm_never_rings() {
    on_a_shard(|clock| async move {
        let mut alarm = clock.alarm();
        alarm.set(Some(Instant::now() + Duration::from_millis(10)));
        alarm.set(None);
        let waited = tokio::time::timeout(Duration::from_millis(200), alarm.rung()).await;
        assert!(waited.is_err(), "an alarm with no deadline rang");
    });
}

#[test]
fn a_dropped_alarm_is_forgotten_and_its_slot_reused() {
    on_a_shard(|clock| async move {
        let mut gone = clock.alarm();
        gone.set(Some(Instant::now() + Duration::from_millis(10)));
        drop(gone);
        let mut next = clock.alarm();
        assert_eq!(clock.book().slots.len(), 1, "the dropped alarm's slot is reused");
        let waited = tokio::time::timeout(Duration::from_millis(200), next.rung()).await;
        assert!(waited.is_err(), "the new alarm inherited the dropped one's deadline");
    });
}

#[test]
fn the_queue_stays_bounded_when_deadlines_keep_moving() {
    on_a_shard(|clock| async move {
        let mut alarms: Vec<_> = (0..8).map(|_| clock.alarm()).collect();
        let base = Instant::now() + Duration::from_secs(3600);
        for k in 0..10_000u64 {
            let a = &mut alarms[(k % 8) as usize];
            a.set(Some(base + Duration::from_micros(k)));
        }
        let book = clock.book();
        assert!(book.queue.len() <= 4 * book.slots.len() + 64 + 1, "queue grew to {}", book.queue.len());
    });
}
