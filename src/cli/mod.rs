//! The command line: `oasys [serve]`, `migrate`, `tenant`, `company`, `user`, `verify`, `backup`,
//! `restore`, `export`, `import`, `report`, `config`, `doctor`.

mod admin;
mod backup;
mod doctor;
mod export;
mod import;
mod import_archive;
mod import_budget;
mod import_rates;
mod import_statement;
mod report;
mod revalue;
mod serve;
mod verify;

use std::collections::HashMap;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Flags, LogFormat};

#[derive(Debug, Parser)]
#[command(name = "oasys", version, about = "Books, invoicing, banking and stock for small firms", long_about = None)]
pub struct Cli {
    /// Configuration file (default: $OASYS_CONFIG, else ~/.config/oasys/oasys.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (default: $OASYS_DATA_DIR, else ~/.local/share/oasys).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Log as human-readable lines or as JSON.
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and the API (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations to the platform and every firm.
    Migrate,
    /// Manage firms.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage companies of a firm.
    #[command(subcommand)]
    Company(CompanyCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the ledgers: balanced entries, maintained balances, gap-free numbers, closed
    /// periods, the hash chain and its signed checkpoints, and the database files. Exits
    /// non-zero, naming the first bad entry, when anything is wrong.
    ///
    /// With ARCHIVE: checks a backup offline instead, without restoring it (checksums, rows,
    /// then the same ledger checks on a scratch copy).
    Verify {
        /// Firm id (default: every firm).
        #[arg(long, conflicts_with = "archive")]
        tenant: Option<String>,
        /// A backup archive to check instead of the live data.
        archive: Option<PathBuf>,
        #[command(flatten)]
        passphrase: backup::PassphraseArgs,
    },
    /// Write an online, consistent backup of every firm (or one) into one archive, then read it
    /// back and check it. Safe while the server is serving writes.
    Backup {
        /// The archive to write, or a directory to write a dated archive into.
        dest: PathBuf,
        /// One firm only: its database and files, without the platform database.
        #[arg(long)]
        tenant: Option<String>,
        #[command(flatten)]
        passphrase: backup::PassphraseArgs,
    },
    /// Restore a backup into the data dir: checks every checksum first, migrates an older
    /// schema forward, and verifies the books at the end. Stop the server first.
    Restore {
        archive: PathBuf,
        /// Replace the data dir's data (moved aside to `replaced-<time>/`, never deleted).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        passphrase: backup::PassphraseArgs,
    },
    /// Write one firm to a portable archive (.tar.zst) that `oasys import` loads on either
    /// backend (docs/export-format.md).
    Export {
        /// Firm id.
        #[arg(long)]
        tenant: String,
        /// The archive to write (written aside, then renamed: never a partial file).
        dest: PathBuf,
    },
    /// Import a firm archive written by `oasys export` (`oasys import ARCHIVE`), or journal
    /// entries from a file (`oasys import journal FILE`).
    Import(ImportArgs),
    /// Print a report of a company's books.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Recurring invoices.
    #[command(subcommand)]
    Recurring(RecurringCommand),
    /// Revalue a company's foreign-currency receivables, payables and bank balances as of a
    /// date: the unrealised gain or loss posted on the date and reversed the next day (as the
    /// API's `POST /api/accounting/revaluations/`). `--preview` prints what would be posted.
    Revalue {
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// A closing rate replacing the company's stored one, `CURRENCY=RATE` (repeatable).
        #[arg(long = "rate")]
        rates: Vec<String>,
        /// Firm id (default: the only firm).
        #[arg(long)]
        tenant: Option<String>,
        /// Company id (default: the firm's first company).
        #[arg(long)]
        company: Option<String>,
        /// Print the revaluation, write nothing.
        #[arg(long)]
        preview: bool,
    },
    /// Check the installation: configuration, data dir and secrets, disk space, databases and
    /// pending migrations, the listen port or the running server, e-mail. Prints ok/warn/FAIL
    /// with what to do; exits non-zero on any FAIL.
    Doctor(doctor::DoctorArgs),
    /// Reads one uploaded file's text (the server's child process; src/extract/worker.rs).
    #[command(hide = true)]
    ExtractWorker(crate::extract::worker::WorkerArgs),
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The VAT/GST/sales-tax return of a period: the layout's boxes and the figures per tax
    /// rate, as the API's `/api/reports/tax-return/` computes them. Writes nothing.
    TaxReturn {
        /// First day of the period (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// Last day of the period (YYYY-MM-DD).
        #[arg(long)]
        to: String,
        /// A layout's name (default: the company's), e.g. `uk-vat-9-box`.
        #[arg(long)]
        layout: Option<String>,
        /// `text` (default), `csv` or `json`.
        #[arg(long, default_value = "text")]
        format: String,
        /// Firm id (default: the only firm).
        #[arg(long)]
        tenant: Option<String>,
        /// Company id (default: the firm's first company).
        #[arg(long)]
        company: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RecurringCommand {
    /// Make the due invoices of every schedule now (the server does this every few minutes).
    Run {
        /// Firm id (default: every firm).
        #[arg(long)]
        tenant: Option<String>,
        /// Run as of this date (YYYY-MM-DD) instead of each company's today.
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8000).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Create, once, a demo firm with admin@oasys.com / admin123 and a sample chart.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a firm with its default company.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        domain: Option<String>,
        #[arg(long, default_value = "basic")]
        plan: String,
        /// Name of the default company (default: the firm's name).
        #[arg(long)]
        company: Option<String>,
        #[arg(long, default_value = "USD")]
        currency: String,
        #[arg(long, default_value = "UTC")]
        timezone: String,
        /// Chart of accounts template.
        #[arg(long, default_value = "general")]
        chart: String,
    },
    /// List firms.
    List,
}

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    /// Create a company in a firm, with a chart of accounts from a template.
    Create {
        /// Firm id.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "USD")]
        currency: String,
        #[arg(long, default_value = "UTC")]
        timezone: String,
        #[arg(long, default_value = "general")]
        chart: String,
    },
    /// List the companies of a firm.
    List {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (a platform administrator when no --tenant is given).
    Create {
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long)]
        email: String,
        /// platform_admin, tenant_admin, firm_admin, cfo, accountant or staff.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        first_name: String,
        #[arg(long, default_value = "")]
        last_name: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// List users, of one firm or all.
    List {
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Set a user's password; their existing sessions end.
    SetPassword {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
}

#[derive(Debug, Args)]
pub struct PasswordArgs {
    /// The password (visible to other local users in the process list: prefer --password-stdin).
    #[arg(long, conflicts_with = "password_stdin")]
    pub password: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ImportArgs {
    /// A firm archive written by `oasys export`. Checked whole before anything is written.
    #[arg(required = true)]
    pub archive: Option<PathBuf>,
    /// Replace the firm if it exists here (its storage is removed first: stop the server).
    #[arg(long)]
    pub force: bool,
    /// The source installation's checkpoint key file: the archive's checkpoint signatures are
    /// then verified with it before they are signed again with this installation's key.
    #[arg(long, value_name = "FILE")]
    pub source_checkpoint_key: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<ImportCommand>,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Post journal entries from a CSV or JSON file (see README, "Importing a journal"), in
    /// batches of one transaction each. Exits non-zero, naming the entry and row, on the first
    /// refused entry; its batch is rolled back, the batches before it stay posted.
    Journal {
        /// The file to import.
        file: PathBuf,
        /// Firm id (default: the only firm).
        #[arg(long)]
        tenant: Option<String>,
        /// Company id (default: the firm's first company).
        #[arg(long)]
        company: Option<String>,
        /// File format (default: from the file's extension).
        #[arg(long, value_enum)]
        format: Option<ImportFormat>,
        /// Entries per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
    },
    /// Import a bank statement into a bank account, in one transaction; lines already imported
    /// are counted, never added twice. `--preview` reads and checks it, and writes nothing.
    Statement {
        /// The statement file.
        file: PathBuf,
        /// The bank account: its id or its IBAN.
        #[arg(long)]
        account: String,
        /// Firm id (default: the only firm).
        #[arg(long)]
        tenant: Option<String>,
        /// Company id (default: the firm's first company).
        #[arg(long)]
        company: Option<String>,
        /// Read and check the file, write nothing.
        #[arg(long)]
        preview: bool,
    },
    /// Import exchange rates: the ECB's euro reference rates (`eurofxref-hist.csv`) or a
    /// `date,currency,rate` CSV (units of the company currency per unit), in one transaction.
    /// Rates the company has with the same value are left alone: importing again adds nothing.
    Rates {
        /// The rates file.
        file: PathBuf,
        /// `ecb` or `csv` (default: from the file's header).
        #[arg(long)]
        format: Option<String>,
        /// Firm id (default: the only firm).
        #[arg(long)]
        tenant: Option<String>,
        /// Company id (default: the firm's first company).
        #[arg(long)]
        company: Option<String>,
        /// Read and check the file, write nothing.
        #[arg(long)]
        preview: bool,
    },
    /// Import a budget's lines: per line an account code and twelve monthly amounts (month 1 =
    /// the budget's first month), optionally their total; comma-, semicolon- or tab-separated,
    /// a header line skipped. The accounts in the file get these twelve months; the others keep
    /// theirs. Any bad line refuses the whole file, naming every line, and nothing is written.
    Budget {
        /// The text or CSV file.
        file: PathBuf,
        /// The budget's id (`GET /api/accounting/budgets/`).
        #[arg(long)]
        budget: String,
        /// Firm id (default: the only firm).
        #[arg(long)]
        tenant: Option<String>,
        /// Company id (default: the firm's first company).
        #[arg(long)]
        company: Option<String>,
        /// Read and check the file, write nothing.
        #[arg(long)]
        preview: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ImportFormat {
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration, secrets masked.
    Show,
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::ExtractWorker(args)) = &cli.command {
        // The child of one extraction: no configuration, no log, no store.
        return Ok(crate::extract::worker::main(args)?);
    }
    crate::tls::install_provider();
    let listen = match &cli.command {
        Some(Command::Serve(args)) => args.listen.clone(),
        _ => None,
    };
    let flags = Flags {
        config_file: cli.config.clone(),
        data_dir: cli.data_dir.clone(),
        listen,
        log_format: cli.log_format,
    };
    let env: HashMap<String, String> = std::env::vars().collect();
    if let Some(Command::Doctor(args)) = &cli.command {
        // The doctor reports a configuration that does not load instead of stopping at it.
        return doctor::run(Config::load(&flags, &env), &flags, &env, args);
    }
    let config = Config::load(&flags, &env)?;
    match cli.command {
        None => serve::run(config, &ServeArgs::default()),
        Some(Command::Serve(args)) => serve::run(config, &args),
        Some(Command::Migrate) => admin::migrate(config),
        Some(Command::Tenant(c)) => admin::tenant(config, c),
        Some(Command::Company(c)) => admin::company(config, c),
        Some(Command::User(c)) => admin::user(config, c),
        Some(Command::Verify {
            archive: Some(archive),
            passphrase,
            ..
        }) => backup::verify_archive(&config, &archive, &passphrase),
        Some(Command::Verify { tenant, .. }) => verify::run(&config, tenant.as_deref()),
        Some(Command::Backup {
            dest,
            tenant,
            passphrase,
        }) => backup::backup(&config, &dest, tenant.as_deref(), &passphrase),
        Some(Command::Restore {
            archive,
            force,
            passphrase,
        }) => backup::restore(&config, &archive, force, &passphrase),
        Some(Command::Export { tenant, dest }) => export::run(&config, &tenant, &dest),
        Some(Command::Import(ImportArgs { command: Some(c), .. })) => import::run(&config, c),
        Some(Command::Import(args)) => match &args.archive {
            Some(archive) => import_archive::run(&config, archive, args.force, args.source_checkpoint_key.as_deref()),
            None => anyhow::bail!("give an archive to import, or `oasys import journal FILE`"),
        },
        Some(Command::Revalue {
            date,
            rates,
            tenant,
            company,
            preview,
        }) => revalue::run(&config, &date, &rates, tenant.as_deref(), company.as_deref(), preview),
        Some(Command::Recurring(RecurringCommand::Run { tenant, date })) => {
            admin::recurring_run(config, tenant.as_deref(), date.as_deref())
        }
        Some(Command::Doctor(args)) => doctor::run(Ok(config), &flags, &env, &args),
        Some(Command::ExtractWorker(args)) => Ok(crate::extract::worker::main(&args)?),
        Some(Command::Report(c)) => report::run(&config, c),
        Some(Command::Config(ConfigCommand::Show)) => {
            print!("{}", config.to_masked_toml());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
