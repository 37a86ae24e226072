//! Operator commands that work on the data directly, without a running server: migrate, and
//! creating or listing firms, companies and users (for scripted installs).

use std::io::BufRead;

use anyhow::{Context, bail};
use uuid::Uuid;

use super::{CompanyCommand, PasswordArgs, TenantCommand, UserCommand};
use crate::auth::scope::TenantScope;
use crate::config::{Config, ensure_private_dir};
use crate::domain::roles::Role;
use crate::domain::tenants::{CompanyDetails, Plan, normalize_email};
use crate::provision::{self, NewFirm, NewUser};
use crate::store::{Store, companies, platform};

/// Opens the store. The data dir is made on every backend: it also holds the signing secret and
/// the checkpoint key, which PostgreSQL installs need too.
pub(super) fn open(config: &Config) -> anyhow::Result<Store> {
    let dir = config.data_dir();
    ensure_private_dir(&dir).with_context(|| format!("data directory {}", dir.display()))?;
    let before = crate::backup::before_upgrade(config).context("taking the backup before migrating the data dir")?;
    let store = Store::open(&config.store()).context("opening the database")?;
    if let Some(summary) = before {
        eprintln!(
            "the data dir was backed up before migrating: {}",
            summary.path.display()
        );
        crate::backup::record(&store, &summary, crate::backup::Reason::PreUpgrade)?;
    }
    crate::backup::upgrade_done(&store)?;
    Ok(store)
}

/// Opens the store without the pre-upgrade backup: for a data dir just restored from one.
pub(super) fn open_restored(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.store()).context("opening the restored database")
}

pub(super) fn tenant_id(store: &Store, raw: &str) -> anyhow::Result<Uuid> {
    let id = Uuid::parse_str(raw).with_context(|| format!("{raw:?} is not a firm id (see `oasys tenant list`)"))?;
    if store.platform_read(|tx| platform::tenant(tx, id))?.is_none() {
        bail!("no firm with id {id}");
    }
    Ok(id)
}

fn read_password(args: &PasswordArgs) -> anyhow::Result<String> {
    if let Some(p) = &args.password {
        return Ok(p.clone());
    }
    if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    bail!("give the password with --password-stdin (or --password)")
}

pub fn migrate(config: Config) -> anyhow::Result<()> {
    let store = open(&config)?;
    let report = store.migrate_all()?;
    println!("platform schema at version {}", report.platform_version);
    for (id, version) in report.tenants {
        println!("firm {id} at version {version}");
    }
    Ok(())
}

/// `oasys recurring run`: one pass of the recurring-invoice scheduler.
pub fn recurring_run(config: Config, tenant: Option<&str>, date: Option<&str>) -> anyhow::Result<()> {
    let date = date
        .map(|d| {
            d.parse::<jiff::civil::Date>()
                .with_context(|| format!("{d:?} is not a date (YYYY-MM-DD)"))
        })
        .transpose()?;
    let app = crate::app::App::open(config)?;
    let pass = match tenant {
        Some(t) => {
            let id = uuid::Uuid::parse_str(t).with_context(|| format!("{t:?} is not a firm id"))?;
            crate::scheduler::run_tenant(&app, id, date)?
        }
        None => crate::scheduler::run_all(&app, date)?,
    };
    println!(
        "{} invoice(s) made, {} schedule(s) failed (see the log)",
        pass.invoices, pass.failures
    );
    if pass.failures > 0 {
        anyhow::bail!("{} recurring schedule(s) could not make their invoices", pass.failures);
    }
    Ok(())
}

pub fn tenant(config: Config, command: TenantCommand) -> anyhow::Result<()> {
    let store = open(&config)?;
    match command {
        TenantCommand::Create {
            name,
            domain,
            plan,
            company,
            currency,
            timezone,
            chart,
        } => {
            let plan = Plan::parse(&plan)
                .with_context(|| format!("unknown plan {plan:?}: basic, professional or enterprise"))?;
            let firm = NewFirm {
                company: CompanyDetails {
                    name: company.unwrap_or_else(|| name.clone()),
                    currency,
                    timezone,
                    ..CompanyDetails::default()
                },
                name,
                domain,
                plan,
                chart,
                admin: None,
            };
            let created = provision::create_firm(&store, firm, None)?;
            println!("created firm {} ({})", created.tenant.id, created.tenant.name);
            println!("created company {} ({})", created.company.id, created.company.name);
        }
        TenantCommand::List => {
            for t in store.platform_read(platform::tenants)? {
                let state = if t.is_active { "active" } else { "inactive" };
                println!("{}\t{}\t{}\t{state}", t.id, t.name, t.plan.as_str());
            }
        }
    }
    Ok(())
}

pub fn company(config: Config, command: CompanyCommand) -> anyhow::Result<()> {
    let store = open(&config)?;
    match command {
        CompanyCommand::Create {
            tenant,
            name,
            currency,
            timezone,
            chart,
        } => {
            let scope = TenantScope::operator(tenant_id(&store, &tenant)?);
            let details = CompanyDetails {
                name,
                currency,
                timezone,
                ..CompanyDetails::default()
            };
            let company = provision::create_company(&store, &scope, &details, &chart, None)?;
            println!("created company {} ({})", company.id, company.name);
        }
        CompanyCommand::List { tenant } => {
            let scope = TenantScope::operator(tenant_id(&store, &tenant)?);
            for c in store.tenant_read(&scope, companies::all)? {
                println!("{}\t{}\t{}", c.id, c.name, c.currency);
            }
        }
    }
    Ok(())
}

pub fn user(config: Config, command: UserCommand) -> anyhow::Result<()> {
    let store = open(&config)?;
    match command {
        UserCommand::Create {
            tenant,
            email,
            role,
            first_name,
            last_name,
            password,
        } => {
            let role: Role = role.parse().map_err(|e: String| anyhow::anyhow!("--role: {e}"))?;
            let tenant = match tenant {
                Some(t) => Some(tenant_id(&store, &t)?),
                None if role == Role::PlatformAdmin => None,
                None => bail!("--tenant is required for role {role}"),
            };
            let default_company = match tenant {
                Some(t) => store
                    .tenant_read(&TenantScope::operator(t), companies::all)?
                    .first()
                    .map(|c| c.id),
                None => None,
            };
            let new = NewUser {
                email,
                password: read_password(&password)?,
                first_name,
                last_name,
                role,
                permissions: Vec::new(),
                all_companies: true,
                companies: Vec::new(),
                default_company_id: default_company,
                enforce_policy: true,
            };
            let user = provision::create_user(&store, tenant, &new, None)?;
            println!("created user {} ({}, {})", user.id, user.email, user.role);
        }
        UserCommand::List { tenant } => {
            let tenant = tenant.map(|t| tenant_id(&store, &t)).transpose()?;
            for u in store.platform_read(|tx| platform::users(tx, tenant))? {
                let state = if u.is_active { "active" } else { "inactive" };
                let firm = u.tenant_id.map(|t| t.to_string()).unwrap_or_else(|| "-".into());
                println!("{}\t{}\t{}\t{firm}\t{state}", u.id, u.email, u.role);
            }
        }
        UserCommand::SetPassword { email, password } => {
            let email = normalize_email(&email);
            let (user, _) = store
                .platform_read(|tx| platform::user_by_email(tx, &email))?
                .with_context(|| format!("no user with e-mail {email}"))?;
            provision::set_password(&store, &user, &read_password(&password)?, true, None)?;
            println!("password of {email} changed; their sessions have ended");
        }
    }
    Ok(())
}

/// Records a finished backup in the platform database (for `oasys doctor` and the metrics).
/// A failure here does not undo the backup: it is reported and the command still succeeds.
pub(super) fn record_backup(config: &Config, summary: &crate::backup::Summary, reason: crate::backup::Reason) {
    let recorded =
        open(config).and_then(|store| crate::backup::record(&store, summary, reason).map_err(anyhow::Error::from));
    if let Err(e) = recorded {
        eprintln!("warning: the backup is good but was not recorded in the platform database: {e:#}");
    }
}
