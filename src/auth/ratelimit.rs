//! Sign-in throttling, checked before any password hashing so that a flood of guesses costs the
//! server nothing. A soft lock-out (OWASP ASVS 2.2.1): nothing ever refuses the right password
//! for more than `auth.login_max_delay_seconds`.
//!
//! - **Per client and account.** After `login_failures_before_delay` failures, each further
//!   attempt from that client on that account must wait 1 s, then 2, 4, 8… up to the maximum
//!   (30 s by default), counted from the end of the previous failure; earlier, it gets 429 with
//!   `Retry-After`. A success starts again from zero.
//! - **Per account, over all clients**, the same with ten times as many free failures. One
//!   client contributes at most its own free failures, so no single client can slow down the
//!   account for anyone else; it takes many clients guessing together.
//! - **Per client, over all accounts**: `login_attempts_per_ip_per_minute` failures in a sliding
//!   minute (password spraying), after which that client waits; other clients are not affected.
//!
//! An attempt counts as a failure from the moment it is allowed until it [`Attempt::succeeded`],
//! so guesses sent in parallel cannot all pass before any of them has failed. Failures are
//! forgotten an hour after the last one. The counters live in memory: several servers behind a
//! load balancer each count on their own.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

const MINUTE: Duration = Duration::from_secs(60);
/// Failures older than this (with none since) are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(3600);
/// An account over all clients gets this many times the free failures of one client.
const ACCOUNT_FACTOR: u32 = 10;
/// Past this many tracked keys, stale ones are swept before adding more; past twice as many,
/// the ones still below their free failures are dropped too (they hold no delay).
const SWEEP_AT: usize = 50_000;

/// What the limiter allows: the `[auth]` settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub free_failures: u32,
    pub max_delay: Duration,
    pub per_ip_per_minute: usize,
}

pub struct LoginLimiter {
    limits: Limits,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    pairs: HashMap<(IpAddr, String), Record>,
    accounts: HashMap<String, Record>,
    ips: HashMap<IpAddr, VecDeque<Instant>>,
}

/// Failures of one key, and attempts on it still being checked.
#[derive(Default)]
struct Record {
    failures: u32,
    last: Option<Instant>,
    in_flight: u32,
}

/// An allowed attempt: a failure unless [`Attempt::succeeded`] is called before it is dropped.
pub struct Attempt {
    state: Arc<Mutex<State>>,
    ip: IpAddr,
    account: String,
    /// Whether this attempt also counts against the account over all clients.
    on_account: bool,
    at: Instant,
    succeeded: bool,
}

impl LoginLimiter {
    pub fn new(limits: Limits) -> Self {
        LoginLimiter {
            limits: Limits {
                free_failures: limits.free_failures,
                max_delay: limits.max_delay.max(Duration::from_secs(1)),
                per_ip_per_minute: limits.per_ip_per_minute.max(1),
            },
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// An attempt from `ip` on `account` (a normalised e-mail address). `Err(seconds)` means
    /// refuse with 429 and `Retry-After: seconds`; nothing is counted then.
    pub fn check(&self, ip: IpAddr, account: &str) -> Result<Attempt, u64> {
        self.check_at(ip, account, Instant::now())
    }

    fn check_at(&self, ip: IpAddr, account: &str, now: Instant) -> Result<Attempt, u64> {
        let limits = self.limits;
        let mut state = lock(&self.state);
        state.sweep(now);
        let State { pairs, accounts, ips } = &mut *state;
        let pair = pairs.entry((ip, account.to_owned())).or_default();
        pair.forget_if_stale(now);
        let whole = accounts.entry(account.to_owned()).or_default();
        whole.forget_if_stale(now);
        let recent = ips.entry(ip).or_default();
        while recent.front().is_some_and(|t| now.duration_since(*t) >= MINUTE) {
            recent.pop_front();
        }
        let per_ip = match recent.front() {
            Some(oldest) if recent.len() >= limits.per_ip_per_minute => {
                MINUTE.saturating_sub(now.duration_since(*oldest))
            }
            _ => Duration::ZERO,
        };
        let wait = pair
            .wait(now, limits.free_failures, limits.max_delay)
            .max(whole.wait(
                now,
                limits.free_failures.saturating_mul(ACCOUNT_FACTOR),
                limits.max_delay,
            ))
            .max(per_ip);
        if !wait.is_zero() {
            return Err(seconds(wait));
        }
        let on_account = pair.failures < limits.free_failures;
        pair.begin(now);
        if on_account {
            whole.begin(now);
        }
        recent.push_back(now);
        Ok(Attempt {
            state: Arc::clone(&self.state),
            ip,
            account: account.to_owned(),
            on_account,
            at: now,
            succeeded: false,
        })
    }
}

impl Attempt {
    /// The password was right: this attempt is no failure, and the client's failures on the
    /// account are forgiven.
    pub fn succeeded(mut self) {
        self.succeeded = true;
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        // Never before the attempt began (the unit tests begin attempts in the future).
        let now = Instant::now().max(self.at);
        let mut state = lock(&self.state);
        let State { pairs, accounts, ips } = &mut *state;
        let key = (self.ip, std::mem::take(&mut self.account));
        if self.succeeded {
            pairs.remove(&key);
            if let Some(recent) = ips.get_mut(&self.ip)
                && let Some(i) = recent.iter().rposition(|t| *t == self.at)
            {
                recent.remove(i);
            }
        } else if let Some(pair) = pairs.get_mut(&key) {
            pair.end(now);
        }
        if self.on_account
            && let Some(whole) = accounts.get_mut(&key.1)
        {
            if self.succeeded {
                whole.failures = whole.failures.saturating_sub(1);
                whole.in_flight = whole.in_flight.saturating_sub(1);
            } else {
                whole.end(now);
            }
        }
    }
}

impl Record {
    /// How long the next attempt must wait: nothing below the free failures; then the delay of
    /// the failures so far since the last one ended, or the whole delay while one is checked.
    fn wait(&self, now: Instant, free: u32, max: Duration) -> Duration {
        if self.failures < free {
            return Duration::ZERO;
        }
        let delay = delay(self.failures - free, max);
        if self.in_flight > 0 {
            return delay;
        }
        match self.last {
            Some(last) => delay.saturating_sub(now.duration_since(last)),
            None => Duration::ZERO,
        }
    }

    fn begin(&mut self, now: Instant) {
        self.failures = self.failures.saturating_add(1);
        self.in_flight += 1;
        self.last = Some(now);
    }

    fn end(&mut self, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.last = Some(now);
    }

    fn stale(&self, now: Instant) -> bool {
        self.in_flight == 0 && self.last.is_none_or(|t| now.duration_since(t) >= FORGET_AFTER)
    }

    fn forget_if_stale(&mut self, now: Instant) {
        if self.stale(now) {
            *self = Record::default();
        }
    }
}

impl State {
    fn sweep(&mut self, now: Instant) {
        if self.pairs.len() >= SWEEP_AT {
            self.pairs.retain(|_, r| !r.stale(now));
        }
        if self.accounts.len() >= SWEEP_AT {
            self.accounts.retain(|_, r| !r.stale(now));
        }
        if self.ips.len() >= SWEEP_AT {
            self.ips
                .retain(|_, recent| recent.back().is_some_and(|t| now.duration_since(*t) < MINUTE));
        }
        // Still full of fresh keys (a spray over many accounts): keep only those that delay.
        if self.pairs.len() >= 2 * SWEEP_AT {
            self.pairs.retain(|_, r| r.in_flight > 0 || r.failures > 1);
        }
        if self.accounts.len() >= 2 * SWEEP_AT {
            self.accounts.retain(|_, r| r.in_flight > 0 || r.failures > 1);
        }
    }
}

/// The wait before the `n`-th attempt past the free ones (0-based): 1 s, 2 s, 4 s… up to `max`.
fn delay(n: u32, max: Duration) -> Duration {
    Duration::from_secs(1u64 << n.min(20)).min(max)
}

/// Whole seconds for `Retry-After`, rounded up, at least 1.
fn seconds(d: Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const LIMITS: Limits = Limits {
        free_failures: 5,
        max_delay: Duration::from_secs(30),
        per_ip_per_minute: 1000,
    };

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(203, 0, 113, last))
    }

    fn fail(limiter: &LoginLimiter, ip: IpAddr, account: &str, at: Instant) -> Result<(), u64> {
        // Dropped at once: the attempt failed at `at`.
        limiter.check_at(ip, account, at).map(drop)
    }

    #[test]
    fn failures_past_the_free_ones_wait_longer_each_time_up_to_the_maximum() {
        let limiter = LoginLimiter::new(LIMITS);
        let t0 = Instant::now();
        for _ in 0..5 {
            assert!(fail(&limiter, ip(1), "a@b.co", t0).is_ok());
        }
        let mut waits = Vec::new();
        let mut t = Instant::now();
        for _ in 0..12 {
            let wait = limiter.check_at(ip(1), "a@b.co", t).map(drop).unwrap_err();
            waits.push(wait);
            // After the wait, the attempt is checked (and fails again).
            t += Duration::from_secs(wait) + Duration::from_millis(100);
            assert!(fail(&limiter, ip(1), "a@b.co", t).is_ok());
        }
        assert_eq!(&waits[..6], &[1, 2, 4, 8, 16, 30]);
        assert!(waits.iter().all(|w| *w <= 30), "{waits:?}");
    }

    #[test]
    fn the_right_password_gets_through_after_the_wait_even_after_a_thousand_failures() {
        let limiter = LoginLimiter::new(LIMITS);
        let mut t = Instant::now();
        let mut checked = 0;
        for _ in 0..1000 {
            match limiter.check_at(ip(1), "victim@b.co", t) {
                Ok(a) => {
                    checked += 1;
                    drop(a);
                }
                Err(_) => t += Duration::from_millis(10),
            }
        }
        assert!(checked < 20, "most guesses were refused before hashing: {checked}");
        let wait = limiter.check_at(ip(1), "victim@b.co", t).map(drop).unwrap_err();
        assert!(wait <= 30, "{wait}");
        let later = t + Duration::from_secs(31);
        let attempt = limiter.check_at(ip(1), "victim@b.co", later).unwrap();
        attempt.succeeded();
        assert!(
            limiter.check_at(ip(1), "victim@b.co", later).is_ok(),
            "a success forgives the client's failures"
        );
    }

    #[test]
    fn one_client_cannot_slow_down_an_account_for_the_others() {
        let limiter = LoginLimiter::new(LIMITS);
        let t = Instant::now();
        for i in 0..1000 {
            let _ = fail(&limiter, ip(1), "victim@b.co", t + Duration::from_secs(i));
        }
        assert!(
            limiter.check_at(ip(2), "victim@b.co", t).is_ok(),
            "the owner, elsewhere"
        );
        assert!(
            limiter.check_at(ip(1), "colleague@b.co", t).is_ok(),
            "another account, same client"
        );
    }

    #[test]
    fn many_clients_together_do_slow_down_the_account() {
        let limiter = LoginLimiter::new(LIMITS);
        let t = Instant::now();
        for client in 0..10 {
            for _ in 0..5 {
                assert!(fail(&limiter, ip(client), "victim@b.co", t).is_ok());
            }
        }
        let wait = limiter.check_at(ip(99), "victim@b.co", t).map(drop).unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
    }

    #[test]
    fn parallel_attempts_past_the_free_ones_wait_for_the_one_being_checked() {
        let limiter = LoginLimiter::new(Limits {
            free_failures: 1,
            ..LIMITS
        });
        let t = Instant::now();
        let first = limiter.check_at(ip(1), "a@b.co", t).unwrap();
        assert!(limiter.check_at(ip(1), "a@b.co", t + Duration::from_secs(60)).is_err());
        first.succeeded();
        assert!(limiter.check_at(ip(1), "a@b.co", t).is_ok());
    }

    #[test]
    fn failures_per_client_address_are_capped_per_minute_over_all_accounts() {
        let limiter = LoginLimiter::new(Limits {
            per_ip_per_minute: 2,
            ..LIMITS
        });
        let t = Instant::now();
        assert!(fail(&limiter, ip(1), "a", t).is_ok());
        assert!(fail(&limiter, ip(1), "b", t).is_ok());
        let wait = fail(&limiter, ip(1), "c", t).unwrap_err();
        assert!(wait <= 60, "{wait}");
        assert!(fail(&limiter, ip(2), "c", t).is_ok(), "another client");
        assert!(fail(&limiter, ip(1), "c", t + MINUTE).is_ok(), "a minute later");
        // Successes do not use up the client's allowance.
        let ok = Limits {
            per_ip_per_minute: 1,
            ..LIMITS
        };
        let limiter = LoginLimiter::new(ok);
        for _ in 0..5 {
            limiter.check_at(ip(3), "good@b.co", t).unwrap().succeeded();
        }
    }

    #[test]
    fn failures_are_forgotten_an_hour_after_the_last() {
        let limiter = LoginLimiter::new(LIMITS);
        let t = Instant::now();
        for _ in 0..50 {
            let _ = fail(&limiter, ip(1), "a@b.co", t);
        }
        assert!(limiter.check_at(ip(1), "a@b.co", t).is_err());
        assert!(limiter.check_at(ip(1), "a@b.co", t + FORGET_AFTER + MINUTE).is_ok());
    }
}
