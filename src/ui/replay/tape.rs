//! What a replay needs of a recorded session, as a trait: the dashboard
//! can then be driven, and tested, by any source of frames, and the
//! engine's recording is one of them.

use crate::observe::Snapshot;
use crate::observe::action::Mark;
use crate::observe::recording::Recording;
use crate::protocol::Time;

/// A recorded session, as a replay sees it: how long, which actions when,
/// and the dashboard's snapshot at any time.
pub trait Tape {
    /// The last time stamp of the recording.
    fn end(&self) -> Time;
    /// Every action of the recording, in time order.
    fn marks(&self) -> &[Mark];
    /// The snapshot the live dashboard showed (or would have) at `t`.
    fn frame(&mut self, t: Time) -> Snapshot;
}

/// The engine's recording: frames from the same fold and snapshot code as
/// the live dashboard's, with checkpoints for seeking.
impl Tape for Recording {
    fn end(&self) -> Time {
        Recording::end(self)
    }

    fn marks(&self) -> &[Mark] {
        Recording::marks(self)
    }

    fn frame(&mut self, t: Time) -> Snapshot {
        Recording::frame(self, t)
    }
}
