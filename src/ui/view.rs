//! The dashboard's views as a value. Its own module because the key
//! table, the app state, the layout and the chrome all name views, and
//! none of them should have to depend on another to do so.

/// The views, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum View {
    /// Node table, traffic chart, latest events.
    Overview,
    /// The cluster as a picture: nodes on a ring, datagrams between them.
    Cluster,
    /// Observer × subject membership states.
    Matrix,
    /// Active suspicions and their Lifeguard timers.
    Suspicions,
    /// One node from the inside.
    Detail,
    /// The fault plan and drops.
    Network,
    /// The event log.
    Events,
    /// The latest rumor's spread against the model.
    Rumor,
}

impl View {
    /// Every view, in Tab order (the number keys follow it).
    pub const ALL: [View; 8] = [
        View::Overview,
        View::Cluster,
        View::Matrix,
        View::Suspicions,
        View::Detail,
        View::Network,
        View::Events,
        View::Rumor,
    ];

    /// Its tab title.
    pub fn title(self) -> &'static str {
        match self {
            View::Overview => "Overview",
            View::Cluster => "Cluster",
            View::Matrix => "Matrix",
            View::Suspicions => "Suspicions",
            View::Detail => "Node",
            View::Network => "Network",
            View::Events => "Events",
            View::Rumor => "Rumor",
        }
    }

    /// Its tab's label: the Suspicions tab of labs that all run phi is
    /// their phi view, and is named so.
    pub fn label(self, phi: bool) -> &'static str {
        match self {
            View::Suspicions if phi => "Phi",
            v => v.title(),
        }
    }

    /// Its position in [`View::ALL`].
    pub fn index(self) -> usize {
        View::ALL.iter().position(|v| *v == self).unwrap_or(0)
    }

    /// The view `by` tabs away, wrapping around both ends.
    pub fn step(self, by: isize) -> View {
        let n = View::ALL.len() as isize;
        View::ALL[(self.index() as isize + by).rem_euclid(n) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_cycle_both_ways() {
        assert_eq!(View::Overview.step(-1), View::Rumor);
        assert_eq!(View::Rumor.step(1), View::Overview);
    }
}
