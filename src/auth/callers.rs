//! A short-lived memory of who a token's user is ([`Caller`]), so that a burst of requests does
//! not re-read the user, their companies and their firm from the platform database each time.
//!
//! An entry serves a request only while all of these hold:
//! - it was loaded less than `auth.caller_cache_seconds` ago;
//! - no platform write transaction has committed on this server since it was loaded: every
//!   [`Store::platform_write`](crate::store::Store::platform_write) raises the store's
//!   generation, so a deactivation, a role or access change, a firm's deactivation, a password
//!   change or "log out everywhere" made through this server is seen by the very next request;
//! - the token carries the user's current token version and firm.
//!
//! A change made elsewhere (another server on the same PostgreSQL database, `oasys user …` on
//! the same data dir) is seen within the time to live. Refusals are never remembered: a
//! refused token is re-read each time.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::jwt::Claims;
use super::scope::Caller;

/// Entries kept at most; past it, expired ones are dropped, and if none had, all of them.
const CAPACITY: usize = 10_000;

pub struct Callers {
    ttl: Duration,
    entries: Mutex<HashMap<Uuid, Entry>>,
}

struct Entry {
    caller: Caller,
    generation: u64,
    loaded: Instant,
}

impl Callers {
    /// A cache whose entries live `ttl`; a zero `ttl` keeps nothing.
    pub fn new(ttl: Duration) -> Callers {
        Callers {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<Uuid, Entry>> {
        // A panic while holding the lock cannot leave a half-written entry: insert and remove
        // are whole. The map is still sound.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The caller behind `claims`, if it was loaded recently, at the platform's current
    /// `generation`, with the token's version and firm.
    pub fn get(&self, claims: &Claims, generation: u64) -> Option<Caller> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries();
        let entry = entries.get(&claims.user_id)?;
        let user = &entry.caller.user;
        let fresh = entry.generation == generation
            && entry.loaded.elapsed() < self.ttl
            && user.token_version == claims.ver
            && user.tenant_id == claims.tenant_id;
        fresh.then(|| entry.caller.clone())
    }

    /// Remembers a caller read from the database at `generation`, the store's generation taken
    /// *before* the read began (so a write committed during the read makes the entry stale), and
    /// `loaded`, also taken before the read.
    pub fn put(&self, caller: &Caller, generation: u64, loaded: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if entries.len() >= CAPACITY && !entries.contains_key(&caller.user.id) {
            let ttl = self.ttl;
            entries.retain(|_, e| e.loaded.elapsed() < ttl);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            caller.user.id,
            Entry {
                caller: caller.clone(),
                generation,
                loaded,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::jwt::TokenType;
    use crate::auth::scope::TenantScope;
    use crate::domain::roles::Role;
    use crate::domain::tenants::User;

    fn caller(ver: i64) -> Caller {
        let now = jiff::Timestamp::now();
        let tenant = Uuid::now_v7();
        let user = User {
            id: Uuid::now_v7(),
            tenant_id: Some(tenant),
            email: "a@example.com".into(),
            first_name: String::new(),
            last_name: String::new(),
            role: Role::Accountant,
            permissions: Vec::new(),
            is_active: true,
            default_company_id: None,
            all_companies: true,
            companies: Vec::new(),
            token_version: ver,
            last_login: None,
            profile: Default::default(),
            created_at: now,
            updated_at: now,
        };
        Caller::new(user, Some(TenantScope::operator(tenant)))
    }

    fn claims(c: &Caller, ver: i64) -> Claims {
        Claims {
            exp: 0,
            iat: 0,
            jti: String::new(),
            token_type: TokenType::Access,
            user_id: c.user.id,
            tenant_id: c.user.tenant_id,
            ver,
            fam: None,
        }
    }

    #[test]
    fn an_entry_serves_only_its_generation_version_and_firm() {
        let cache = Callers::new(Duration::from_secs(60));
        let c = caller(3);
        assert!(cache.get(&claims(&c, 3), 7).is_none(), "nothing before a put");
        cache.put(&c, 7, Instant::now());
        assert_eq!(cache.get(&claims(&c, 3), 7).map(|c| c.user.id), Some(c.user.id));
        assert!(cache.get(&claims(&c, 3), 8).is_none(), "a platform write since");
        assert!(cache.get(&claims(&c, 2), 7).is_none(), "an older token version");
        let mut other_firm = claims(&c, 3);
        other_firm.tenant_id = Some(Uuid::now_v7());
        assert!(cache.get(&other_firm, 7).is_none(), "another firm in the token");
    }

    #[test]
    fn entries_expire_and_a_zero_ttl_keeps_nothing() {
        let c = caller(1);
        let cache = Callers::new(Duration::from_secs(5));
        let long_ago = Instant::now().checked_sub(Duration::from_secs(6));
        if let Some(loaded) = long_ago {
            cache.put(&c, 1, loaded);
            assert!(cache.get(&claims(&c, 1), 1).is_none(), "loaded past its time to live");
        }
        let off = Callers::new(Duration::ZERO);
        off.put(&c, 1, Instant::now());
        assert!(off.get(&claims(&c, 1), 1).is_none());
    }
}
