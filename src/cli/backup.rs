//! `oasys backup`, `oasys restore` and `oasys verify ARCHIVE`: the command-line side of
//! `crate::backup` (passphrases, progress, messages, exit codes).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::admin;
use crate::backup::restore::{self, RestoreRequest};
use crate::backup::schedule::file_name;
use crate::backup::{self, Destination, Reason, Request};
use crate::config::Config;

/// Arguments shared by the three commands.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PassphraseArgs {
    /// A file whose first line is the passphrase (also: $OASYS_BACKUP_PASSPHRASE). With a
    /// passphrase, `backup` encrypts; `restore` and `verify` need it for an encrypted archive.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// No progress bar or step lines; errors and the summary only.
    #[arg(long, short)]
    pub quiet: bool,
}

fn passphrase(args: &PassphraseArgs, config: &Config) -> anyhow::Result<Option<String>> {
    let file = args.passphrase_file.as_ref().or(config.backup.passphrase_file.as_ref());
    if let Some(path) = file {
        return Ok(Some(backup::read_passphrase(path)?));
    }
    match std::env::var("OASYS_BACKUP_PASSPHRASE") {
        Ok(p) if !p.is_empty() => Ok(Some(p)),
        _ => Ok(None),
    }
}

/// Reports `(done, total, what)`.
type Reporter = Box<dyn Fn(usize, usize, &str)>;

/// A bar on a terminal; plain lines on stderr otherwise (logs, cron mail).
fn progress(quiet: bool) -> Reporter {
    if quiet {
        return Box::new(|_, _, _| {});
    }
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        return Box::new(move |done, total, what| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message(what.to_owned());
            if done == total {
                bar.finish_and_clear();
            }
        });
    }
    Box::new(|done, total, what| eprintln!("[{done}/{total}] {what}"))
}

pub fn backup(config: &Config, dest: &Path, tenant: Option<&str>, args: &PassphraseArgs) -> anyhow::Result<()> {
    let data_dir = config.data_dir();
    let tenant = match tenant {
        Some(raw) => Some(uuid::Uuid::parse_str(raw).with_context(|| format!("{raw:?} is not a firm id"))?),
        None => None,
    };
    let pass = passphrase(args, config)?;
    let dated = || file_name(jiff::Timestamp::now(), Reason::Manual, pass.is_some());
    // A directory (or an s3:// prefix ending in `/`) gets a dated file name inside it.
    let text = dest.to_str().unwrap_or_default();
    let (target, name) = match backup::remote::S3Location::parse(text) {
        Some(loc) => {
            let loc = loc?;
            if text.ends_with('/') || loc.prefix.is_empty() {
                (Destination::S3(loc), dated())
            } else {
                let (prefix, name) = loc.prefix.rsplit_once('/').unwrap_or(("", loc.prefix.as_str()));
                let name = name.to_owned();
                (
                    Destination::S3(backup::remote::S3Location {
                        bucket: loc.bucket.clone(),
                        prefix: prefix.to_owned(),
                    }),
                    name,
                )
            }
        }
        None if dest.is_dir() => (Destination::Dir(dest.to_owned()), dated()),
        None => {
            let dir = dest
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            (Destination::Dir(dir.to_owned()), name)
        }
    };
    let show = progress(args.quiet);
    // On PostgreSQL each firm goes in as an `oasys export` archive; on SQLite the files themselves.
    let store = match config.database_url {
        Some(_) => Some(admin::open(config)?),
        None => None,
    };
    let tenants: Vec<(uuid::Uuid, String)> = match &store {
        Some(store) => store
            .platform_read(crate::store::platform::tenants)?
            .into_iter()
            .filter(|t| tenant.is_none_or(|id| id == t.id))
            .map(|t| (t.id, t.name))
            .collect(),
        None => Vec::new(),
    };
    if store.is_some() && tenant.is_some() && tenants.is_empty() {
        bail!("no firm with that id");
    }
    let export = |id: uuid::Uuid, path: &Path| match &store {
        Some(store) => crate::firm_archive::export_for_backup(config, store, id, path),
        None => Err("no store".to_owned()),
    };
    let source = match store {
        Some(_) => backup::Source::Exports(&tenants, &export),
        None => backup::Source::Files,
    };
    let summary = backup::create_into(
        config,
        &target,
        &data_dir.join("backups-outgoing"),
        &name,
        source,
        &Request {
            data_dir: &data_dir,
            dest: &data_dir,
            tenant,
            passphrase: pass.as_deref(),
            reason: Reason::Manual,
        },
        &*show,
    )?;
    admin::record_backup(config, &summary, Reason::Manual);
    let mb = summary.data_bytes as f64 / 1e6;
    println!(
        "backup written and checked: {} ({:.1} MB from {mb:.1} MB of data; {} firm(s), {} entries, {} lines) in {:.1} s, {:.0} MB/s",
        summary.path.display(),
        summary.archive_bytes as f64 / 1e6,
        summary.tenants,
        summary.entries,
        summary.lines,
        summary.seconds,
        mb / summary.seconds.max(1e-6),
    );
    Ok(())
}

/// A local path for the archive: an `s3://` one is downloaded into `scratch` first.
fn fetch(config: &Config, archive: &Path, scratch: &Path) -> anyhow::Result<PathBuf> {
    let text = archive.to_str().unwrap_or_default();
    let Some(loc) = backup::remote::S3Location::parse(text) else {
        return Ok(archive.to_owned());
    };
    let loc = loc?;
    let Some((prefix, name)) = loc.prefix.rsplit_once('/').or(Some(("", loc.prefix.as_str()))) else {
        bail!("{text}: name the archive, s3://bucket/prefix/oasys-backup-….tar.zst");
    };
    if name.is_empty() {
        bail!("{text}: name the archive, s3://bucket/prefix/oasys-backup-….tar.zst");
    }
    let dir = backup::remote::S3Location {
        bucket: loc.bucket.clone(),
        prefix: prefix.to_owned(),
    };
    crate::config::ensure_private_dir(scratch).with_context(|| format!("{}", scratch.display()))?;
    let local = scratch.join(name);
    let store = backup::remote::open(&dir, &config.backup)?;
    backup::remote::download(&store, &dir, name, &local)?;
    Ok(local)
}

pub fn restore(config: &Config, archive: &Path, force: bool, args: &PassphraseArgs) -> anyhow::Result<()> {
    refuse_if_serving(config)?;
    let data_dir = config.data_dir();
    crate::config::ensure_private_dir(&data_dir).with_context(|| format!("data directory {}", data_dir.display()))?;
    let spool = data_dir.join("backups-incoming");
    let archive = &fetch(config, archive, &spool)?;
    let pass = passphrase(args, config)?;
    let show = progress(args.quiet);
    show(0, 3, "reading the archive and checking its checksums");
    let unpacked = restore::unpack(archive, pass.as_deref(), &data_dir);
    if archive.starts_with(&spool) {
        let _ = std::fs::remove_dir_all(&spool);
    }
    let unpacked = unpacked?;
    show(1, 3, "archive checked");
    if unpacked.is_postgres() {
        // A backup taken on PostgreSQL: one `oasys export` archive per firm, imported into
        // whichever backend this installation runs.
        return import_firms(config, &unpacked, force);
    }
    if config.database_url.is_some() {
        bail!(
            "this backup holds SQLite files: restore it into a SQLite data dir (no database_url), \
             then move each firm to PostgreSQL with `oasys export` / `oasys import`"
        );
    }
    let restored = restore::restore(
        &RestoreRequest {
            unpacked,
            data_dir: &data_dir,
            force,
        },
        &*show,
    )?;
    if let Some(aside) = &restored.moved_aside {
        println!("the data it replaced is in {}", aside.display());
    }
    // Opening the store migrates an older backup forward; then the books are checked.
    let store = admin::open_restored(config)?;
    store.migrate_all().context("migrating the restored data")?;
    let key = crate::app::checkpoint_key(config).context("loading the checkpoint key")?;
    let problems = restore::check_books(&store, &key, &restored.manifest)?;
    show(3, 3, "verified");
    report(&restored.manifest, &problems)?;
    println!("restored into {}", data_dir.display());
    Ok(())
}

pub fn verify_archive(config: &Config, archive: &Path, args: &PassphraseArgs) -> anyhow::Result<()> {
    let pass = passphrase(args, config)?;
    let spool = std::env::temp_dir().join(format!("oasys-verify-{}", std::process::id()));
    let shown = archive;
    let archive = &fetch(config, archive, &spool)?;
    let firms = restore::unpack(archive, pass.as_deref(), &std::env::temp_dir());
    if let Ok(firms) = &firms
        && firms.is_postgres()
    {
        // A PostgreSQL backup: each firm imported into a scratch SQLite installation, where
        // import checks and verifies it; then the scratch installation is deleted.
        let scratch = firms.scratch_dir().join("verify-install");
        let mut scratch_config = Config {
            data_dir: Some(scratch.clone()),
            jwt_secret: Some("scratch installation for oasys verify".into()),
            ..Config::default()
        };
        scratch_config.backup = Default::default();
        let checked = import_firms(&scratch_config, firms, false);
        let _ = std::fs::remove_dir_all(&spool);
        checked?;
        println!("{}: the archive is complete and its books verify", shown.display());
        return Ok(());
    }
    drop(firms);
    // The scratch copy lives in the system's temporary directory and is removed at the end.
    let key = config.checkpoint_key.as_ref().map(|k| k.as_bytes().to_vec());
    let checked = restore::verify_archive(archive, pass.as_deref(), &std::env::temp_dir(), key.as_deref());
    let _ = std::fs::remove_dir_all(&spool);
    let (manifest, problems) = checked?;
    report(&manifest, &problems)?;
    println!("{}: the archive is complete and its books verify", shown.display());
    Ok(())
}

/// Imports each firm of a PostgreSQL backup (unpacked, checked) with `oasys import`, whose own
/// checks and verification run for each; the archive's checkpoint key proves the signatures.
fn import_firms(config: &Config, firms: &restore::Unpacked, force: bool) -> anyhow::Result<()> {
    let key = firms.checkpoint_key();
    for (name, path) in firms.exports() {
        println!("importing firm {name}");
        super::import_archive::run(config, &path, force, key.as_deref())
            .with_context(|| format!("firm {name}: nothing of it was imported"))?;
    }
    println!("restored {} firm(s)", firms.exports().len());
    Ok(())
}

fn report(manifest: &backup::manifest::Manifest, problems: &[String]) -> anyhow::Result<()> {
    for t in &manifest.tenants {
        for c in &t.db.facts.companies {
            println!(
                "firm {} / company {}: {} entries, {} lines, chain head {}, trial balance {} / {}",
                t.name, c.name, c.entries, c.lines, c.chain_seq, c.debit, c.credit
            );
        }
    }
    if !problems.is_empty() {
        for p in problems {
            println!("FAILED: {p}");
        }
        bail!("{} problem(s) found", problems.len());
    }
    Ok(())
}

/// A restore under a running server would be overwritten by it, or corrupt it.
fn refuse_if_serving(config: &Config) -> anyhow::Result<()> {
    use std::net::ToSocketAddrs;
    let addrs = config
        .listen
        .to_socket_addrs()
        .map(Iterator::collect::<Vec<_>>)
        .unwrap_or_default();
    for addr in addrs {
        if std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(300)).is_ok() {
            bail!("a server answers on {addr}: stop it before restoring");
        }
    }
    Ok(())
}
