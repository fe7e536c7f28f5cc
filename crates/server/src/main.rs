//! `userdesk-server`: serve the API, seed demo data, create tokens.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use userdesk_server::http::Limits;
use userdesk_server::mailer::{Mailer, RetryPolicy};
use userdesk_server::managers::{hash_token, new_token, Role};
use userdesk_server::rate_limit::RateLimit;
use userdesk_server::seed::{seed_workspace, SeedOptions};
use userdesk_server::{storage, RunningServer};

/// Userdesk's platform server: the Users and sync API.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The database: sqlite://PATH (created if missing) or postgres://USER:PASSWORD@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "USERDESK_DATABASE_URL",
        default_value = "sqlite://userdesk-server.sqlite3"
    )]
    database: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serves the API until interrupted.
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "USERDESK_LISTEN", default_value = "127.0.0.1:8700")]
        listen: SocketAddr,
        /// Largest request body, in bytes.
        #[arg(long, default_value_t = 4 * 1024 * 1024)]
        body_limit: usize,
        /// Requests a token may make at once before it is slowed down.
        #[arg(long, default_value_t = RateLimit::default().burst)]
        rate_burst: u32,
        /// Requests per second a token may make on average.
        #[arg(long, default_value_t = RateLimit::default().per_second)]
        rate_per_second: f64,
        /// The SMTP relay that export and delete requests are mailed through: smtps://USER:PASS@HOST,
        /// smtp://USER:PASS@HOST:587?tls=required, or smtp://HOST:PORT (unencrypted, same machine).
        /// Without it requests stay queued.
        #[arg(long, env = "USERDESK_SMTP_URL", hide_env_values = true)]
        smtp_url: Option<String>,
        /// The sender of those emails.
        #[arg(
            long,
            env = "USERDESK_MAIL_FROM",
            default_value = "Userdesk <userdesk@localhost>"
        )]
        mail_from: String,
    },
    /// Fills a workspace with deterministic, realistic demo customers and their conversations.
    Seed {
        /// How many customers.
        #[arg(long, default_value_t = 5000)]
        profiles: usize,
        /// The same seed (and anchor) always gives the same data.
        #[arg(long, default_value_t = 20261128)]
        seed: u64,
        /// The workspace to fill; created if missing, refused if it already has customers.
        #[arg(long, default_value = "Demo")]
        workspace: String,
        /// Where export and delete requests are mailed, for a new workspace.
        #[arg(long, default_value = "privacy@example.com")]
        data_protection_email: String,
        /// The day the data is generated around (customers were last seen before it).
        #[arg(long, default_value = "2026-11-28")]
        anchor: chrono::NaiveDate,
        /// Only customers, their properties and segments: no sessions, messages or notes.
        #[arg(long)]
        lean: bool,
    },
    /// Manages bearer tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Forgets a workspace's history older than some days: deletions' tombstones and processed
    /// mutations (each client keeps its latest). An app whose last sync is older downloads the
    /// workspace again at its next sync.
    Prune {
        /// The workspace's name.
        #[arg(long)]
        workspace: String,
        /// History older than this many days goes.
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..))]
        older_than_days: u32,
    },
    /// Writes a workspace's audit log to standard output: every mutation the server applied or
    /// refused, with manager, time, app and the values before and after, oldest first.
    Audit {
        /// The workspace's name.
        #[arg(long)]
        workspace: String,
        /// Only entries from this day (2026-12-01, UTC) or time (RFC 3339) on.
        #[arg(long, value_parser = userdesk_server::audit::parse_since)]
        since: Option<chrono::DateTime<chrono::Utc>>,
        /// Only the entries of the manager with this email.
        #[arg(long)]
        manager: Option<String>,
        /// JSON lines (one entry a line) or CSV (one changed field a row).
        #[arg(long, value_enum, default_value_t = userdesk_server::audit::AuditFormat::Jsonl)]
        format: userdesk_server::audit::AuditFormat,
    },
    /// Writes a consistent copy of the SQLite database into a new file, while the server runs.
    /// (PostgreSQL: pg_dump; see the README.)
    Backup {
        /// The new file; an existing one is never overwritten.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Manages a workspace's managers: their role, and whether they may sign in.
    Manager {
        #[command(subcommand)]
        command: ManagerCommand,
    },
}

/// A manager of a workspace, as the manager commands name them.
#[derive(clap::Args)]
struct ManagerName {
    /// The workspace's name.
    #[arg(long)]
    workspace: String,
    /// The manager's email.
    #[arg(long)]
    manager: String,
}

#[derive(Subcommand)]
enum ManagerCommand {
    /// Gives a manager another role (their tokens keep working, with the new role).
    SetRole {
        #[command(flatten)]
        who: ManagerName,
        #[arg(long, value_enum)]
        role: Role,
    },
    /// Stops a manager from signing in: every token of theirs is refused at once.
    Disable {
        #[command(flatten)]
        who: ManagerName,
    },
    /// Lets a disabled manager sign in again with the tokens they had.
    Enable {
        #[command(flatten)]
        who: ManagerName,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Creates a token for a manager (and the workspace and manager if they are new); prints it once.
    Create {
        /// The workspace's name.
        #[arg(long)]
        workspace: String,
        /// The manager's email.
        #[arg(long)]
        manager: String,
        /// A new manager's role (admin when not given). An existing manager keeps theirs: a
        /// different one here is refused (`manager set-role` changes it).
        #[arg(long, value_enum)]
        role: Option<Role>,
        /// Days until the token stops working; for good when not given.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3650))]
        expires_in_days: Option<u32>,
        /// Where export and delete requests are mailed, for a new workspace.
        #[arg(long, default_value = "privacy@example.com")]
        data_protection_email: String,
        /// The manager's IANA time zone.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
    },
    /// Lists the tokens (never the secrets): id, manager, role, created, expiry, last use, state.
    List {
        /// Only this workspace's tokens.
        #[arg(long)]
        workspace: Option<String>,
        /// As JSON lines, one token a line.
        #[arg(long)]
        json: bool,
    },
    /// Revokes a token by the id `token list` shows: it is refused from the next request on.
    Revoke {
        /// The token's id (its first hex digits; at least 8).
        id: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let storage = storage::open(&cli.database)
        .await
        .with_context(|| format!("opening the database {}", redact(&cli.database)))?;
    match cli.command {
        Command::Serve {
            listen,
            body_limit,
            rate_burst,
            rate_per_second,
            smtp_url,
            mail_from,
        } => {
            let limits = Limits {
                body_bytes: body_limit,
                rate: RateLimit {
                    burst: rate_burst,
                    per_second: rate_per_second,
                },
                ..Limits::default()
            };
            let mail = smtp_url.map(|url| (url, mail_from));
            serve(storage.clone(), listen, limits, mail).await?;
        }
        Command::Seed {
            profiles,
            seed,
            workspace,
            data_protection_email,
            anchor,
            lean,
        } => {
            let workspace_id = storage
                .ensure_workspace(&workspace, &data_protection_email)
                .await?;
            if storage.count_profiles(workspace_id).await? > 0 {
                anyhow::bail!(
                    "workspace {workspace:?} already has customers: seed another with --workspace"
                );
            }
            let options = SeedOptions {
                profiles,
                seed,
                anchor: anchor.and_time(chrono::NaiveTime::MIN).and_utc(),
                conversations: !lean,
                batch: 2000,
            };
            let summary = seed_workspace(storage.as_ref(), workspace_id, &options)
                .await
                .context("seeding (another workspace of this database may hold the same seed: try another --seed)")?;
            println!(
                "Seeded workspace {workspace:?}: {} customers, {} property values, {} bot sessions, \
                 {} messages, {} goal completions, {} notes, {} segment members.",
                summary.profiles,
                summary.property_values,
                summary.sessions,
                summary.messages,
                summary.goal_completions,
                summary.notes,
                summary.segment_members
            );
            println!("Sign in with: userdesk-server token create --workspace {workspace:?} --manager you@example.com");
        }
        Command::Token { command } => token_command(storage.as_ref(), command).await?,
        Command::Prune {
            workspace,
            older_than_days,
        } => {
            let id = storage
                .find_workspace(&workspace)
                .await?
                .with_context(|| format!("no workspace is named {workspace:?}"))?;
            let before = chrono::Utc::now() - chrono::Duration::days(i64::from(older_than_days));
            let pruned = storage.prune_before(id, before).await?;
            println!(
                "Pruned {workspace:?} up to version {}: {} tombstones, {} processed mutations.",
                pruned.version, pruned.tombstones, pruned.mutations
            );
        }
        Command::Audit {
            workspace,
            since,
            manager,
            format,
        } => {
            let id = storage
                .find_workspace(&workspace)
                .await?
                .with_context(|| format!("no workspace is named {workspace:?}"))?;
            export_audit(storage.as_ref(), id, since, manager, format).await?;
        }
        Command::Backup { to } => {
            storage
                .backup(&to)
                .await
                .with_context(|| format!("backing up into {}", to.display()))?;
            eprintln!("Backed up into {}.", to.display());
        }
        Command::Manager { command } => manager_command(storage.as_ref(), command).await?,
    }
    storage.close().await;
    Ok(())
}

/// Writes the workspace's audit log to standard output, a page at a time.
async fn export_audit(
    storage: &dyn storage::Storage,
    workspace: userdesk_server::ids::WorkspaceId,
    since: Option<chrono::DateTime<chrono::Utc>>,
    manager: Option<String>,
    format: userdesk_server::audit::AuditFormat,
) -> anyhow::Result<()> {
    use std::io::Write as _;
    use userdesk_server::audit::{self, AuditFormat};

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if format == AuditFormat::Csv {
        audit::write_csv_header(&mut out)?;
    }
    let mut query = userdesk_model::AuditQuery {
        since,
        manager,
        after: None,
        limit: None,
    };
    loop {
        let page = storage.audit(workspace, &query).await?;
        match format {
            AuditFormat::Jsonl => audit::write_jsonl(&mut out, &page.entries)?,
            AuditFormat::Csv => audit::write_csv(&mut out, &page.entries)?,
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    out.flush()?;
    Ok(())
}

async fn token_command(
    storage: &dyn storage::Storage,
    command: TokenCommand,
) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            workspace,
            manager,
            role,
            expires_in_days,
            data_protection_email,
            time_zone,
        } => {
            time_zone.parse::<chrono_tz::Tz>().map_err(|_| {
                anyhow::anyhow!(
                    "unknown time zone {time_zone:?}: use an IANA name such as Europe/Berlin"
                )
            })?;
            let workspace_id = match storage.find_workspace(&workspace).await? {
                Some(id) => id,
                None => {
                    storage
                        .ensure_workspace(&workspace, &data_protection_email)
                        .await?
                }
            };
            let existing = storage.manager_role(workspace_id, &manager).await?;
            if let (Some(has), Some(asked)) = (existing, role) {
                if has != asked {
                    anyhow::bail!(
                        "{manager} is an {} of {workspace:?}: a token never changes a role; \
                         change it with `userdesk-server manager set-role`",
                        has.as_str()
                    );
                }
            }
            let role = existing.or(role).unwrap_or(Role::Admin);
            let manager_id = storage
                .ensure_manager(workspace_id, &manager, role, &time_zone)
                .await?;
            let token = new_token().context("reading the system's random generator")?;
            let expires_at = expires_in_days
                .map(|days| chrono::Utc::now() + chrono::Duration::days(i64::from(days)));
            storage
                .add_token_until(manager_id, &hash_token(&token), expires_at)
                .await?;
            println!("{token}");
            let until = expires_at.map_or("no expiry".to_string(), |at| {
                format!("expires {}", at.format("%Y-%m-%d %H:%M UTC"))
            });
            eprintln!(
                "Token for {manager} ({}) in workspace {workspace:?}, {until}: shown once, keep it safe.",
                role.as_str()
            );
        }
        TokenCommand::List { workspace, json } => {
            let workspace_id = match workspace {
                Some(name) => Some(
                    storage
                        .find_workspace(&name)
                        .await?
                        .with_context(|| format!("no workspace is named {name:?}"))?,
                ),
                None => None,
            };
            let now = chrono::Utc::now();
            let tokens = storage.tokens(workspace_id).await?;
            if json {
                for token in &tokens {
                    let mut line = serde_json::to_value(token)?;
                    line["valid"] = serde_json::Value::Bool(token.valid_at(now));
                    println!("{line}");
                }
            } else {
                let day = |at: Option<chrono::DateTime<chrono::Utc>>, none: &str| {
                    at.map_or(none.to_string(), |at| {
                        at.format("%Y-%m-%d %H:%M").to_string()
                    })
                };
                println!(
                    "{:<12}  {:<16}  {:<28}  {:<5}  {:<16}  {:<16}  {:<16}  STATE",
                    "ID", "WORKSPACE", "MANAGER", "ROLE", "CREATED", "EXPIRES", "LAST USED"
                );
                for t in &tokens {
                    let state = if t.revoked_at.is_some() {
                        "revoked"
                    } else if t.manager_disabled {
                        "manager disabled"
                    } else if !t.valid_at(now) {
                        "expired"
                    } else {
                        "valid"
                    };
                    println!(
                        "{:<12}  {:<16}  {:<28}  {:<5}  {:<16}  {:<16}  {:<16}  {state}",
                        t.id,
                        t.workspace,
                        t.manager,
                        t.role.as_str(),
                        day(Some(t.created_at), ""),
                        day(t.expires_at, "never"),
                        day(t.last_used_at, "never"),
                    );
                }
            }
        }
        TokenCommand::Revoke { id } => {
            let token = storage.revoke_token(&id).await?;
            eprintln!(
                "Revoked token {} of {} in workspace {:?}: refused from the next request on.",
                token.id, token.manager, token.workspace
            );
        }
    }
    Ok(())
}

async fn manager_command(
    storage: &dyn storage::Storage,
    command: ManagerCommand,
) -> anyhow::Result<()> {
    let (who, done) = match &command {
        ManagerCommand::SetRole { who, role } => (who, format!("is now an {}", role.as_str())),
        ManagerCommand::Disable { who } => (who, "is disabled: their tokens are refused".into()),
        ManagerCommand::Enable { who } => (who, "may sign in again".into()),
    };
    let workspace = storage
        .find_workspace(&who.workspace)
        .await?
        .with_context(|| format!("no workspace is named {:?}", who.workspace))?;
    let found = match &command {
        ManagerCommand::SetRole { who, role } => {
            storage
                .set_manager_role(workspace, &who.manager, *role)
                .await?
        }
        ManagerCommand::Disable { who } => {
            storage
                .set_manager_disabled(workspace, &who.manager, true)
                .await?
        }
        ManagerCommand::Enable { who } => {
            storage
                .set_manager_disabled(workspace, &who.manager, false)
                .await?
        }
    };
    if !found {
        anyhow::bail!("{:?} has no manager {}", who.workspace, who.manager);
    }
    eprintln!("{} in {:?} {done}.", who.manager, who.workspace);
    Ok(())
}

async fn serve(
    storage: Arc<dyn storage::Storage>,
    listen: SocketAddr,
    limits: Limits,
    mail: Option<(String, String)>,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let server = RunningServer::start(listener, storage.clone(), limits)?;
    let storage_for_purge = storage.clone();
    let mailer = match mail {
        Some((url, from)) => {
            let mailer = Mailer::new(storage, &url, &from, RetryPolicy::default())
                .context("setting up the mailer")?;
            let (stop, stopped) = oneshot::channel();
            let task = tokio::spawn(mailer.run(server.mail_wakeup.clone(), stopped));
            Some((stop, task))
        }
        None => {
            tracing::warn!(
                "no --smtp-url: export and delete requests stay queued until one is set"
            );
            None
        }
    };
    let purge = tokio::spawn(purge_trash_hourly(storage_for_purge));
    tracing::info!(addr = %server.addr(), "serving the Userdesk API");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    tracing::info!("stopping");
    purge.abort();
    server.stop().await?;
    if let Some((stop, task)) = mailer {
        let _ = stop.send(());
        task.await.context("stopping the mailer")?;
    }
    Ok(())
}

/// Every hour, deletes forever the customers that have been in the Trash for
/// [`userdesk_model::TRASH_DAYS`] days.
async fn purge_trash_hourly(storage: Arc<dyn storage::Storage>) {
    let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let before = chrono::Utc::now() - chrono::Duration::days(userdesk_model::TRASH_DAYS);
        match storage.purge_trash(before).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(
                purged,
                "customers deleted forever after their days in the Trash"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "purging the Trash failed; trying again in an hour")
            }
        }
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_string(),
    }
}
