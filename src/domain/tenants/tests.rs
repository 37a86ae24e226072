//! The firm-level operations over an in-memory store: who sees what, who may change what, and
//! what each change records.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;

use jiff::Timestamp;
use uuid::Uuid;

use super::companies::{self, CompanyChanges, CompanyStore};
use super::firm::{self, FirmStore, TenantChanges};
use super::users::{self, ProfileChanges, UserChanges, UserStore};
use super::{Company, Event, EventLog, Plan, Profile, Refusal, Tenant, TenantError, User};
use crate::domain::Change;
use crate::domain::roles::Role;

/// Firms, companies and users in memory, with the events recorded and the sessions ended.
#[derive(Default)]
struct Memory {
    tenants: Vec<Tenant>,
    companies: Vec<Company>,
    with_entries: Vec<Uuid>,
    users: Vec<User>,
    events: Vec<Event>,
    ended: Vec<Uuid>,
}

impl EventLog for Memory {
    type Error = Infallible;

    fn record_event(&mut self, event: &Event) -> Result<(), Infallible> {
        self.events.push(event.clone());
        Ok(())
    }
}

impl FirmStore for Memory {
    fn tenant(&mut self, id: Uuid) -> Result<Option<Tenant>, Infallible> {
        Ok(self.tenants.iter().find(|t| t.id == id).cloned())
    }

    fn update_tenant(&mut self, tenant: &Tenant) -> Result<(), Infallible> {
        self.tenants.retain(|t| t.id != tenant.id);
        self.tenants.push(tenant.clone());
        Ok(())
    }
}

impl CompanyStore for Memory {
    fn company(&mut self, id: Uuid) -> Result<Option<Company>, Infallible> {
        Ok(self.companies.iter().find(|c| c.id == id).cloned())
    }

    fn has_entries(&mut self, id: Uuid) -> Result<bool, Infallible> {
        Ok(self.with_entries.contains(&id))
    }

    fn update_company(&mut self, company: &Company) -> Result<(), Infallible> {
        self.companies.retain(|c| c.id != company.id);
        self.companies.push(company.clone());
        Ok(())
    }
}

impl UserStore for Memory {
    fn user(&mut self, id: Uuid) -> Result<Option<User>, Infallible> {
        Ok(self.users.iter().find(|u| u.id == id).cloned())
    }

    fn locked_user(&mut self, id: Uuid) -> Result<Option<User>, Infallible> {
        self.user(id)
    }

    fn update_user(&mut self, user: &User) -> Result<(), Infallible> {
        self.users.retain(|u| u.id != user.id);
        self.users.push(user.clone());
        Ok(())
    }

    fn end_sessions(&mut self, id: Uuid, _: Timestamp) -> Result<(), Infallible> {
        self.ended.push(id);
        Ok(())
    }
}

type Outcome<T> = Result<T, TenantError<Infallible>>;

fn now() -> Timestamp {
    Timestamp::from_second(1_780_000_000).unwrap()
}

fn tenant(name: &str) -> Tenant {
    Tenant {
        id: Uuid::now_v7(),
        name: name.into(),
        domain: None,
        plan: Plan::Basic,
        is_active: true,
        created_at: now(),
        updated_at: now(),
    }
}

fn company(name: &str, currency: &str) -> Company {
    Company {
        id: Uuid::now_v7(),
        name: name.into(),
        tax_id: String::new(),
        address: String::new(),
        phone: String::new(),
        email: String::new(),
        currency: currency.into(),
        timezone: "UTC".into(),
        is_active: true,
        created_at: now(),
        updated_at: now(),
    }
}

fn user(firm: &Tenant, email: &str, role: Role, companies: &[Uuid]) -> User {
    User {
        id: Uuid::now_v7(),
        tenant_id: Some(firm.id),
        email: email.into(),
        first_name: String::new(),
        last_name: String::new(),
        role,
        permissions: Vec::new(),
        is_active: true,
        default_company_id: companies.first().copied(),
        all_companies: companies.is_empty(),
        companies: companies.to_vec(),
        token_version: 0,
        last_login: None,
        profile: Profile {
            timezone: "UTC".into(),
            language: "en".into(),
            date_format: "YYYY-MM-DD".into(),
            negative_style: "minus".into(),
            ..Profile::default()
        },
        created_at: now(),
        updated_at: now(),
    }
}

/// A firm with two companies, its administrator, and a firm administrator limited to the first
/// company.
struct World {
    store: Memory,
    firm: Tenant,
    first: Company,
    second: Company,
    admin: User,
    limited: User,
}

fn world() -> World {
    let firm = tenant("Acme");
    let (first, second) = (company("First", "USD"), company("Second", "EUR"));
    let admin = user(&firm, "admin@acme.test", Role::TenantAdmin, &[]);
    let limited = user(&firm, "limited@acme.test", Role::FirmAdmin, &[first.id]);
    let store = Memory {
        tenants: vec![firm.clone()],
        companies: vec![first.clone(), second.clone()],
        users: vec![admin.clone(), limited.clone()],
        ..Memory::default()
    };
    World {
        store,
        firm,
        first,
        second,
        admin,
        limited,
    }
}

fn fields<T: std::fmt::Debug>(r: Outcome<T>) -> Vec<String> {
    match r {
        Err(TenantError::Invalid(e)) => e.0.into_keys().collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_firm_is_renamed_by_its_own_people_and_its_plan_only_by_the_platform() {
    let mut w = world();
    let other = tenant("Other");
    w.store.tenants.push(other.clone());
    assert!(matches!(
        firm::find(&mut w.store, &w.admin, other.id),
        Err(TenantError::NotFound)
    ));

    let found = firm::find(&mut w.store, &w.admin, w.firm.id).unwrap();
    let rename = TenantChanges {
        name: Some("  Acme Ltd ".into()),
        ..TenantChanges::default()
    };
    let renamed = firm::update(&mut w.store, &w.admin, found.clone(), rename, now()).unwrap();
    assert_eq!(renamed.name, "Acme Ltd");
    assert_eq!(
        w.store.events.last().map(|e| (e.action, e.object_type)),
        Some(("update", "tenant"))
    );

    let plan = TenantChanges {
        plan: Some("enterprise".into()),
        ..TenantChanges::default()
    };
    let r: Outcome<_> = firm::update(&mut w.store, &w.admin, found.clone(), plan.clone(), now());
    assert!(matches!(r, Err(TenantError::Forbidden)));
    let mut operator = w.admin.clone();
    (operator.role, operator.tenant_id) = (Role::PlatformAdmin, None);
    assert!(firm::find(&mut w.store, &operator, other.id).is_ok());
    assert_eq!(
        firm::update(&mut w.store, &operator, found.clone(), plan, now())
            .unwrap()
            .plan,
        Plan::Enterprise
    );
    let blank = TenantChanges {
        name: Some(" ".into()),
        ..TenantChanges::default()
    };
    assert_eq!(
        fields(firm::update(&mut w.store, &w.admin, found, blank, now())),
        ["name"]
    );
}

#[test]
fn a_company_keeps_its_currency_once_it_has_entries() {
    let mut w = world();
    let to_jpy = || CompanyChanges {
        currency: Some("JPY".into()),
        ..CompanyChanges::default()
    };
    w.store.with_entries.push(w.first.id);
    let r = companies::update(&mut w.store, &w.admin, w.first.clone(), Change::Update, to_jpy(), now());
    assert_eq!(fields(r), ["currency"]);
    assert_eq!(w.store.company(w.first.id).unwrap().unwrap().currency, "USD");
    let changed = companies::update(
        &mut w.store,
        &w.admin,
        w.second.clone(),
        Change::Update,
        to_jpy(),
        now(),
    )
    .unwrap();
    assert_eq!((changed.currency.as_str(), changed.name.as_str()), ("JPY", "Second"));
    assert_eq!(w.store.events.last().map(|e| e.label.as_str()), Some("Second"));
}

#[test]
fn a_company_put_needs_a_name_and_a_hidden_company_is_absent() {
    let mut w = world();
    let r = companies::update(
        &mut w.store,
        &w.admin,
        w.first.clone(),
        Change::Replace,
        CompanyChanges::default(),
        now(),
    );
    assert_eq!(fields(r), ["name"]);
    let put = CompanyChanges {
        name: Some("First Ltd".into()),
        ..CompanyChanges::default()
    };
    let replaced = companies::update(&mut w.store, &w.admin, w.first.clone(), Change::Replace, put, now()).unwrap();
    assert_eq!(replaced.name, "First Ltd");
    assert!(companies::find(&mut w.store, &w.limited, w.first.id).is_ok());
    assert!(matches!(
        companies::find(&mut w.store, &w.limited, w.second.id),
        Err(TenantError::NotFound)
    ));
    assert!(companies::new_details(CompanyChanges::default()).is_err());
    let details = companies::new_details(CompanyChanges {
        name: Some("New".into()),
        ..CompanyChanges::default()
    })
    .unwrap();
    assert_eq!((details.currency.as_str(), details.timezone.as_str()), ("USD", "UTC"));
}

#[test]
fn invitations_never_grant_above_the_inviter() {
    let w = world();
    let invite = |actor: &User, changes: UserChanges| {
        users::invite(actor, changes, &[w.first.id, w.second.id], "temporary-secret".into())
    };
    let base = || UserChanges {
        email: Some("new@acme.test".into()),
        ..UserChanges::default()
    };
    let new = invite(&w.admin, base()).unwrap();
    assert_eq!(
        (new.role, new.all_companies, new.enforce_policy),
        (Role::Staff, true, false)
    );
    assert_eq!(new.password, "temporary-secret");
    let chosen = UserChanges {
        password: Some("a chosen password".into()),
        ..base()
    };
    assert!(invite(&w.admin, chosen).unwrap().enforce_policy);

    let above = UserChanges {
        role: Some("tenant_admin".into()),
        ..base()
    };
    assert_eq!(invite(&w.limited, above).unwrap_err(), Refusal::Forbidden);
    let grant = UserChanges {
        permissions: Some(vec!["firm.manage".into()]),
        ..base()
    };
    assert_eq!(invite(&w.limited, grant).unwrap_err(), Refusal::Forbidden);
    let hidden = UserChanges {
        companies: Some(vec![w.second.id]),
        ..base()
    };
    assert!(matches!(invite(&w.limited, hidden), Err(Refusal::Invalid(e)) if e.0.contains_key("companies")));
    // A company-limited administrator cannot give every company.
    let everything = UserChanges {
        all_companies: Some(true),
        companies: Some(vec![w.first.id]),
        ..base()
    };
    let limited_new = invite(&w.limited, everything).unwrap();
    assert_eq!(
        (limited_new.all_companies, limited_new.companies),
        (false, vec![w.first.id])
    );
    let no_email = UserChanges::default();
    assert!(matches!(invite(&w.admin, no_email), Err(Refusal::Invalid(e)) if e.0.contains_key("email")));
}

#[test]
fn changes_reach_only_the_users_within_the_actors_reach() {
    let mut w = world();
    let other_firm = tenant("Other");
    let stranger = user(&other_firm, "x@other.test", Role::Staff, &[]);
    let second_only = user(&w.firm, "b@acme.test", Role::Accountant, &[w.second.id]);
    w.store.users.extend([stranger.clone(), second_only.clone()]);
    let noop = |_: &mut User| Ok::<_, TenantError<Infallible>>(());
    let r = users::change(&mut w.store, &w.admin, stranger.id, "update", now(), noop);
    assert!(matches!(r, Err(TenantError::NotFound)));
    let r = users::change(&mut w.store, &w.limited, second_only.id, "update", now(), noop);
    assert!(
        matches!(r, Err(TenantError::NotFound)),
        "out of the limited admin's reach"
    );
    let r = users::change(&mut w.store, &w.limited, w.admin.id, "update", now(), noop);
    assert!(matches!(r, Err(TenantError::NotFound | TenantError::Forbidden)));
    let boss = user(&w.firm, "boss@acme.test", Role::TenantAdmin, &[w.first.id]);
    w.store.users.push(boss.clone());
    let mut fa = w.limited.clone();
    (fa.all_companies, fa.companies) = (true, Vec::new());
    let r = users::change(&mut w.store, &fa, boss.id, "update", now(), noop);
    assert!(
        matches!(r, Err(TenantError::Forbidden)),
        "nobody manages someone above them"
    );

    // Deactivation ends the sessions and is recorded.
    let admin = w.admin.clone();
    let off = users::change(&mut w.store, &admin, second_only.id, "deactivate", now(), |u| {
        users::set_active(&admin, u, false).map_err(TenantError::<Infallible>::from)
    })
    .unwrap();
    assert!(!off.is_active);
    assert_eq!(w.store.ended, vec![second_only.id]);
    assert_eq!(w.store.events.last().map(|e| e.action), Some("deactivate"));
    let mut me = w.admin.clone();
    assert!(
        users::set_active(&admin, &mut me, false).is_err(),
        "nobody deactivates themselves"
    );
}

#[test]
fn a_put_of_a_user_needs_their_own_email_and_nobody_raises_themselves() {
    let w = world();
    let known = [w.first.id, w.second.id];
    let mut target = user(&w.firm, "clerk@acme.test", Role::Staff, &[]);
    let apply = |actor: &User, target: &mut User, changes: UserChanges, how| {
        users::apply_changes(actor, target, changes, &known, how)
    };
    let role = |r: &str| UserChanges {
        role: Some(r.into()),
        ..UserChanges::default()
    };
    assert!(
        matches!(apply(&w.admin, &mut target, role("cfo"), Change::Replace), Err(Refusal::Invalid(e)) if e.0.contains_key("email"))
    );
    let other_email = UserChanges {
        email: Some("else@acme.test".into()),
        ..role("cfo")
    };
    assert!(
        matches!(apply(&w.admin, &mut target, other_email, Change::Replace), Err(Refusal::Invalid(e)) if e.0.contains_key("non_field_errors"))
    );
    let same_email = UserChanges {
        email: Some(" Clerk@ACME.test".into()),
        ..role("cfo")
    };
    apply(&w.admin, &mut target, same_email, Change::Replace).unwrap();
    assert_eq!(target.role, Role::Cfo);
    let mut admin = w.admin.clone();
    let actor = w.admin.clone();
    assert_eq!(
        apply(&actor, &mut admin, role("staff"), Change::Update).unwrap_err(),
        Refusal::Forbidden,
        "nobody changes their own role"
    );
}

#[test]
fn a_profile_names_only_a_company_the_user_sees() {
    let mut w = world();
    let known = [w.first.id, w.second.id];
    let limited = w.limited.clone();
    let to = |c: Uuid| ProfileChanges {
        default_company: Some(c),
        language: Some("fr".into()),
        ..ProfileChanges::default()
    };
    let r = users::update_profile(&mut w.store, &limited, to(w.second.id), &known, now());
    assert_eq!(fields(r), ["default_company"]);
    let r = users::update_profile(&mut w.store, &limited, to(Uuid::now_v7()), &known, now());
    assert_eq!(fields(r), ["default_company"]);
    let me = users::update_profile(&mut w.store, &limited, to(w.first.id), &known, now()).unwrap();
    assert_eq!(
        (me.default_company_id, me.profile.language.as_str()),
        (Some(w.first.id), "fr")
    );
    let bad = ProfileChanges {
        date_format: Some("someday".into()),
        ..ProfileChanges::default()
    };
    assert_eq!(
        fields(users::update_profile(&mut w.store, &limited, bad, &known, now())),
        ["date_format"]
    );
}
