//! `oasys serve`: open the store, print the setup link on a fresh install, serve until
//! SIGINT/SIGTERM, then finish the requests in flight.

use std::sync::Arc;

use anyhow::Context;

use super::ServeArgs;
use crate::app::App;
use crate::config::Config;
use crate::domain::tenants::{CompanyDetails, Plan};
use crate::http::setup::setup_token;
use crate::provision::{self, NewFirm, NewUser};
use crate::store::platform;
use crate::telemetry;

pub const DEMO_EMAIL: &str = "admin@oasys.com";
pub const DEMO_PASSWORD: &str = "admin123";

pub fn run(config: Config, args: &ServeArgs) -> anyhow::Result<()> {
    telemetry::init(config.log_format);
    return_large_allocations_to_the_system();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Store work runs here; more threads than connections would only wait on locks.
        .max_blocking_threads(64)
        .build()
        .context("starting the async runtime")?;
    let demo = args.demo;
    runtime.block_on(async move {
        let listen = config.listen.clone();
        let public_url = config.public_url.clone();
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let app = tokio::task::spawn_blocking(move || -> anyhow::Result<App> {
            let app = App::open(config)?;
            if demo {
                create_demo(&app)?;
            }
            Ok(app)
        })
        .await??;
        let app = Arc::new(app);
        let bound = listener.local_addr().map(|a| a.to_string()).unwrap_or(listen);
        let base = public_url.unwrap_or_else(|| format!("http://{bound}"));
        let setup_app = Arc::clone(&app);
        if let Some(token) = tokio::task::spawn_blocking(move || setup_token(&setup_app))
            .await?
            .map_err(|e| anyhow::anyhow!("{e}"))?
        {
            println!("\nOASYS has no firm yet. Open this link once to create yours and its administrator:\n\n    {base}/setup?token={token}\n");
        }
        tracing::info!(backend = app.store.backend_name(), "OASYS {} listening on {base}", env!("CARGO_PKG_VERSION"));
        crate::scheduler::spawn(Arc::clone(&app));
        crate::scheduler::spawn_backups(Arc::clone(&app));
        crate::serve(app, listener, shutdown_signal()).await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// The demo firm, created the first time `--demo` is given (the seed's Postman account).
fn create_demo(app: &App) -> anyhow::Result<()> {
    if app
        .store
        .platform_read(|tx| platform::user_by_email(tx, DEMO_EMAIL))?
        .is_some()
    {
        return Ok(());
    }
    let firm = NewFirm {
        name: "OASYS Demo Firm".into(),
        domain: None,
        plan: Plan::Basic,
        company: CompanyDetails {
            name: "Demo Company".into(),
            currency: "USD".into(),
            timezone: "UTC".into(),
            ..CompanyDetails::default()
        },
        chart: "general".into(),
        // The seed's well-known password: exempt from the policy.
        admin: Some(NewUser {
            enforce_policy: false,
            ..NewUser::administrator(DEMO_EMAIL.into(), DEMO_PASSWORD.into(), "Demo".into(), "Admin".into())
        }),
    };
    provision::create_firm(&app.store, firm, None)?;
    tracing::warn!(
        "created the demo firm: sign in as {DEMO_EMAIL} / {DEMO_PASSWORD} (a well-known password: not for real books)"
    );
    Ok(())
}

/// Each password hash allocates 19 MiB. glibc raises its mmap threshold after the first such
/// block is freed and then keeps later ones in per-thread arenas, so a burst of logins would
/// leave gigabytes resident. A fixed threshold keeps every large block mmapped: freed at once.
/// glibc also opens up to eight arenas per core, one per thread that allocates at once, and
/// memory freed in one is never reused by another: one arena per core (at least two) took the
/// resident memory after a 1M-line import from 139.7 to 132.5 MB (`benches/load_verify.rs`).
fn return_large_allocations_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let arenas = libc::c_int::try_from(cores.max(2)).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only changes allocator tuning; it is called once, before any thread starts.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
