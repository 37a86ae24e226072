//! Login rate limits, checked before any password hashing so that a flood of guesses costs the
//! server nothing: per client IP (all attempts, per minute) and per account (failures, per
//! hour). Both windows slide; nothing locks an account for good.
//!
//! The counters live in memory: with several `oasys serve` instances behind a load balancer,
//! each instance counts on its own, so the effective limit is the per-instance limit times the
//! number of instances.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
/// Past this many tracked keys, stale ones are swept before adding more.
const SWEEP_AT: usize = 10_000;

pub struct LoginLimiter {
    per_ip_per_minute: usize,
    failures_per_account_per_hour: usize,
    ips: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
    accounts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    pub fn new(per_ip_per_minute: usize, failures_per_account_per_hour: usize) -> Self {
        LoginLimiter {
            per_ip_per_minute: per_ip_per_minute.max(1),
            failures_per_account_per_hour: failures_per_account_per_hour.max(1),
            ips: Mutex::new(HashMap::new()),
            accounts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt from `ip` against `account`. `Err(seconds)` means refuse with 429 and
    /// `Retry-After: seconds`; the attempt is then not counted. An allowed attempt counts as a
    /// failure of the account until [`LoginLimiter::succeeded`] says otherwise, so guesses sent
    /// in parallel cannot all pass the check before any of them has failed.
    pub fn check(&self, ip: IpAddr, account: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut accounts = lock(&self.accounts);
        sweep(&mut accounts, now, HOUR);
        let failures = accounts.entry(account.to_owned()).or_default();
        trim(failures, now, HOUR);
        if let Some(wait) = window_full(failures, now, HOUR, self.failures_per_account_per_hour) {
            return Err(wait);
        }
        {
            let mut ips = lock(&self.ips);
            sweep(&mut ips, now, MINUTE);
            let attempts = ips.entry(ip).or_default();
            trim(attempts, now, MINUTE);
            if let Some(wait) = window_full(attempts, now, MINUTE, self.per_ip_per_minute) {
                return Err(wait);
            }
            attempts.push_back(now);
        }
        failures.push_back(now);
        Ok(())
    }

    /// The attempt on `account` succeeded: it no longer counts as a failure.
    pub fn succeeded(&self, account: &str) {
        if let Some(failures) = lock(&self.accounts).get_mut(account) {
            failures.pop_back();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn trim(events: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while events.front().is_some_and(|t| now.duration_since(*t) >= window) {
        events.pop_front();
    }
}

/// Seconds until the oldest event in the window leaves it, when the window holds `limit` events.
fn window_full(events: &VecDeque<Instant>, now: Instant, window: Duration, limit: usize) -> Option<u64> {
    let recent: Vec<&Instant> = events.iter().filter(|t| now.duration_since(**t) < window).collect();
    if recent.len() < limit {
        return None;
    }
    let oldest = recent.first()?;
    let left = window.saturating_sub(now.duration_since(**oldest));
    Some(left.as_secs().max(1))
}

fn sweep<K: std::hash::Hash + Eq + Clone>(map: &mut HashMap<K, VecDeque<Instant>>, now: Instant, window: Duration) {
    if map.len() >= SWEEP_AT {
        map.retain(|_, events| events.back().is_some_and(|t| now.duration_since(*t) < window));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn account_failures_are_capped_per_hour() {
        let limiter = LoginLimiter::new(1000, 3);
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        for _ in 0..3 {
            assert!(limiter.check(ip, "a@b.co").is_ok());
        }
        let wait = limiter.check(ip, "a@b.co").unwrap_err();
        assert!(wait > 3500 && wait <= 3600, "{wait}");
        assert!(limiter.check(ip, "other@b.co").is_ok());
        // A success takes its attempt back: the account is below the limit again.
        limiter.succeeded("other@b.co");
        let limiter = LoginLimiter::new(1000, 1);
        assert!(limiter.check(ip, "c@b.co").is_ok());
        limiter.succeeded("c@b.co");
        assert!(limiter.check(ip, "c@b.co").is_ok());
        assert!(limiter.check(ip, "c@b.co").is_err());
    }

    #[test]
    fn attempts_are_capped_per_ip_per_minute() {
        let limiter = LoginLimiter::new(2, 100);
        let ip = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        assert!(limiter.check(ip, "a").is_ok());
        assert!(limiter.check(ip, "b").is_ok());
        assert!(limiter.check(ip, "c").is_err());
        assert!(limiter.check(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), "c").is_ok());
    }
}
