//! The wall clock the cache reads, replaceable in tests.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A source of the current wall-clock time.
///
/// The cache compares token expiries, which are wall-clock times, with
/// [`Clock::now`]. Deadlines and backoff use tokio's monotonic timer instead.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Returns the current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock, the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when a test sets or advances it, to pin cache boundaries.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<SystemTime>,
}

impl ManualClock {
    /// Creates a clock stopped at `start`.
    pub fn new(start: SystemTime) -> ManualClock {
        ManualClock {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward by `step`.
    pub fn advance(&self, step: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|poison| poison.into_inner());
        *now += step;
    }

    /// Sets the clock to `time`.
    pub fn set(&self, time: SystemTime) {
        *self.now.lock().unwrap_or_else(|poison| poison.into_inner()) = time;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(|poison| poison.into_inner())
    }
}
