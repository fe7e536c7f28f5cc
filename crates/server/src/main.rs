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
        #[arg(long, value_enum, default_value = "admin")]
        role: Role,
        /// Where export and delete requests are mailed, for a new workspace.
        #[arg(long, default_value = "privacy@example.com")]
        data_protection_email: String,
        /// The manager's IANA time zone.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
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
        Command::Token {
            command:
                TokenCommand::Create {
                    workspace,
                    manager,
                    role,
                    data_protection_email,
                    time_zone,
                },
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
            let manager_id = storage
                .ensure_manager(workspace_id, &manager, role, &time_zone)
                .await?;
            let token = new_token().context("reading the system's random generator")?;
            storage.add_token(manager_id, &hash_token(&token)).await?;
            println!("{token}");
            eprintln!(
                "Token for {manager} ({}) in workspace {workspace:?}: shown once, keep it safe.",
                role.as_str()
            );
        }
    }
    storage.close().await;
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
    tracing::info!(addr = %server.addr(), "serving the Userdesk API");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    tracing::info!("stopping");
    server.stop().await?;
    if let Some((stop, task)) = mailer {
        let _ = stop.send(());
        task.await.context("stopping the mailer")?;
    }
    Ok(())
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_string(),
    }
}
