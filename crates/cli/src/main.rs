//! `userdesk-cli`: Userdesk without a window, over the same local store as the app, so sync can
//! be driven and scripted: sign in, sync, list and edit customers.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use tokio::io::AsyncReadExt;
use userdesk_core::{AppCore, OpenOptions, SyncReport, KEYCHAIN_SERVICE};
use userdesk_model::{
    JobId, LastSeenWindow, ListRequest, ProfileFilter, ProfileId, ProfilePatch, SignIn, SortColumn,
    SortDirection, SortOrder, MAX_PAGE_SIZE,
};

/// Userdesk on the command line.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The folder holding the store (userdesk.sqlite3); the app's own folder by default.
    #[arg(long, global = true, env = "USERDESK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// The token from USERDESK_TOKEN, or else from standard input: never from the command line,
/// which every user of the computer can read.
async fn read_token() -> anyhow::Result<String> {
    if let Ok(token) = std::env::var("USERDESK_TOKEN") {
        return Ok(token);
    }
    let mut token = String::new();
    tokio::io::stdin()
        .read_to_string(&mut token)
        .await
        .context("reading the token from standard input")?;
    Ok(token.trim().to_string())
}

#[derive(Subcommand)]
enum Command {
    /// Signs in to the platform's server; the token is read from standard input (or
    /// USERDESK_TOKEN) and kept in the system keychain.
    SignIn {
        /// The server's address, such as https://users.example.com.
        #[arg(long)]
        server: String,
        /// Drops the edits another manager made here and never sent (the sign-in is refused
        /// without it while there are any).
        #[arg(long)]
        discard_pending: bool,
    },
    /// Forgets the token; pending edits stay and are pushed after the next sign-in.
    SignOut,
    /// Pushes pending edits and pulls the workspace's changes, as the signed-in manager, or with
    /// --server and a token from USERDESK_TOKEN or standard input (nothing is kept; the token's
    /// workspace must be the one the store holds).
    Sync {
        /// Sync with this server, with a token for this sync alone, instead of the signed-in
        /// account. The token is never an argument (other users of the computer see those).
        #[arg(long)]
        server: Option<String>,
        /// Changes asked for per pull page.
        #[arg(long)]
        pull_limit: Option<u32>,
        /// Mutations sent per push.
        #[arg(long)]
        push_batch: Option<usize>,
    },
    /// The account, pending edits, last sync and refused edits.
    Status,
    /// The customers of the All users table.
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// Delayed Active and Archive jobs.
    #[command(subcommand)]
    Jobs(JobsCommand),
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Pending and running jobs, then the last ones done or cancelled, one per line.
    List,
    /// Fires every job whose time has come (and finishes any a crash interrupted), printing
    /// each completed job's notification.
    Run,
    /// Cancels a job that has not fired yet.
    Cancel {
        /// The job's id, as `jobs list` prints it.
        id: JobId,
    },
}

#[derive(Subcommand)]
enum ProfilesCommand {
    /// Lists customers with the table's filters and sort, one per line (tab-separated) or as
    /// JSON lines.
    List(ListArgs),
    /// Edits a customer's user-details fields; only the fields given change.
    Edit(EditArgs),
}

#[derive(Args)]
struct ListArgs {
    /// A full or partial name, email or phone number.
    #[arg(long, default_value = "")]
    search: String,
    /// active, archived or all.
    #[arg(long, default_value = "active")]
    status: String,
    /// registered or anonymous.
    #[arg(long = "type")]
    kind: Option<String>,
    /// desktop, mobileWeb, whatsApp, messenger or telegram.
    #[arg(long)]
    platform: Option<String>,
    /// any, today, last7Days or last30Days (from midnight in the manager's time zone).
    #[arg(long, default_value = "any")]
    last_seen: String,
    /// Only the members of the segment with this id.
    #[arg(long)]
    segment: Option<String>,
    /// Only the customers of the bulk job with this id (as `jobs list` shows).
    #[arg(long)]
    job: Option<String>,
    /// Only the customers who completed the goal with this id.
    #[arg(long)]
    goal: Option<String>,
    /// username, email, phone, location, created, lastSeen, sessions or status.
    #[arg(long, default_value = "username")]
    sort: String,
    /// Sorts in descending order.
    #[arg(long)]
    desc: bool,
    /// Most customers to print.
    #[arg(long, default_value_t = 100)]
    limit: u64,
    /// Prints JSON lines instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct EditArgs {
    /// The customer's id.
    id: ProfileId,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    first_name: Option<String>,
    #[arg(long)]
    last_name: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    location: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let dir = match cli.data_dir {
        Some(dir) => dir,
        None => dirs::data_dir()
            .context("this system has no data folder: pass --data-dir")?
            .join(KEYCHAIN_SERVICE),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("userdesk.sqlite3");
    let options = OpenOptions {
        // A short-lived process: SQLite answers searches, no index is built.
        sqlite_search_only: true,
        ..Default::default()
    };
    let core = AppCore::open(&path, options)
        .await
        .with_context(|| format!("opening the store at {}", path.display()))?;
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::SignIn {
            server,
            discard_pending,
        } => {
            let token = read_token().await?;
            let account = core
                .sign_in(&SignIn {
                    server_url: server,
                    token,
                    discard_pending,
                })
                .await?;
            writeln!(
                out,
                "signed in to {} as {} ({}) at {}",
                account.workspace, account.manager, account.role, account.server_url
            )?;
        }
        Command::SignOut => {
            core.sign_out().await?;
            writeln!(out, "signed out")?;
        }
        Command::Sync {
            server,
            pull_limit,
            push_batch,
        } => {
            let report = match server {
                Some(server) => {
                    let token = read_token().await?;
                    let mut options = userdesk_core::SyncOptions::default();
                    if let Some(limit) = pull_limit {
                        options.pull_limit = limit;
                    }
                    if let Some(batch) = push_batch {
                        options.push_batch = batch;
                    }
                    core.sync_as(&server, &token, options).await?
                }
                None => core.sync_now().await?,
            };
            print_report(&mut out, &report)?;
        }
        Command::Status => {
            let view = core.sync_view().await?;
            match &view.account {
                Some(a) => writeln!(
                    out,
                    "account\t{} as {} at {}",
                    a.workspace, a.manager, a.server_url
                )?,
                None => writeln!(out, "account\tnot signed in")?,
            }
            writeln!(out, "pending\t{}", view.pending)?;
            writeln!(
                out,
                "last sync\t{}",
                view.last_synced.as_deref().unwrap_or("never")
            )?;
            if let Some(error) = &view.error {
                writeln!(out, "last error\t{}", error.message)?;
            }
            for r in &view.rejections {
                writeln!(out, "refused\t#{} {}: {}", r.mutation_id, r.name, r.message)?;
            }
        }
        Command::Jobs(JobsCommand::List) => {
            for job in core.jobs().await? {
                writeln!(
                    out,
                    "{}\t{:?}\t{:?}\t{} of {}\t{}",
                    job.id, job.action, job.state, job.applied, job.total, job.run_at
                )?;
            }
        }
        Command::Jobs(JobsCommand::Run) => {
            let printed = Printed::default();
            core.run_due_jobs(&printed).await?;
            for line in printed.0.into_inner().unwrap_or_else(|e| e.into_inner()) {
                writeln!(out, "{line}")?;
            }
        }
        Command::Jobs(JobsCommand::Cancel { id }) => {
            core.cancel_job(id).await?;
            writeln!(out, "cancelled {id}")?;
        }
        Command::Profiles(ProfilesCommand::List(args)) => list(&core, args, &mut out).await?,
        Command::Profiles(ProfilesCommand::Edit(args)) => {
            let patch = ProfilePatch {
                email: args.email,
                first_name: args.first_name,
                last_name: args.last_name,
                phone: args.phone,
                location: args.location,
            };
            if patch == ProfilePatch::default() {
                bail!("name a field to change: --email, --first-name, --last-name, --phone or --location");
            }
            let details = core.patch_profile(args.id, patch).await?;
            writeln!(out, "{}", serde_json::to_string(&details.profile)?)?;
        }
    }
    Ok(())
}

/// The notifications of the jobs a run completed, for standard output.
#[derive(Default)]
struct Printed(std::sync::Mutex<Vec<String>>);

impl userdesk_core::Notifier for Printed {
    fn job_completed(&self, job: &userdesk_model::JobView) -> Result<(), String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(format!("notified\t{}", job.summary()));
        Ok(())
    }
}

fn print_report(out: &mut impl Write, report: &SyncReport) -> anyhow::Result<()> {
    writeln!(
        out,
        "pushed {} (applied {}, already applied {}, refused {}), pulled {} changes in {} pages{}, {} pending",
        report.pushed,
        report.applied,
        report.skipped,
        report.rejected,
        report.pulled,
        report.pages,
        if report.reset { " after a reset" } else { "" },
        report.pending
    )?;
    Ok(())
}

/// A value of one of the model's enums, by its name in the app's JSON.
fn named<T: serde::de::DeserializeOwned>(
    what: &str,
    value: &str,
    names: &str,
) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(value.to_string()))
        .map_err(|_| anyhow::anyhow!("unknown {what} {value:?}: use one of {names}"))
}

async fn list(core: &AppCore, args: ListArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let status = match args.status.as_str() {
        "all" => None,
        other => Some(named("status", other, "active, archived, all")?),
    };
    let filter = ProfileFilter {
        status,
        kind: args
            .kind
            .map(|k| named("type", &k, "registered, anonymous"))
            .transpose()?,
        platform: args
            .platform
            .map(|p| {
                named(
                    "platform",
                    &p,
                    "desktop, mobileWeb, whatsApp, messenger, telegram",
                )
            })
            .transpose()?,
        last_seen: named::<LastSeenWindow>(
            "last-seen window",
            &args.last_seen,
            "any, today, last7Days, last30Days",
        )?,
        segment: args
            .segment
            .map(|s| {
                s.parse()
                    .map_err(|_| anyhow::anyhow!("{s:?} is not a segment id"))
            })
            .transpose()?,
        job: args
            .job
            .map(|j| {
                j.parse()
                    .map_err(|_| anyhow::anyhow!("{j:?} is not a job id"))
            })
            .transpose()?,
        goal: args
            .goal
            .map(|g| {
                g.parse()
                    .map_err(|_| anyhow::anyhow!("{g:?} is not a goal id"))
            })
            .transpose()?,
        search: args.search,
    };
    let sort = SortOrder {
        column: named::<SortColumn>(
            "sort column",
            &args.sort,
            "username, email, phone, location, created, lastSeen, sessions, status",
        )?,
        direction: if args.desc {
            SortDirection::Desc
        } else {
            SortDirection::Asc
        },
    };
    let mut left = args.limit;
    let mut after = None;
    while left > 0 {
        let request = ListRequest {
            filter: filter.clone(),
            sort,
            after,
            offset: 0,
            limit: u32::try_from(left)
                .unwrap_or(MAX_PAGE_SIZE)
                .min(MAX_PAGE_SIZE),
        };
        let page = core.list_profiles(&request).await?;
        for row in &page.rows {
            if args.json {
                writeln!(out, "{}", serde_json::to_string(row)?)?;
            } else {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:?}",
                    row.id,
                    row.username,
                    row.email,
                    row.phone,
                    row.location,
                    row.created,
                    row.last_seen,
                    row.sessions,
                    row.status
                )?;
            }
        }
        left = left.saturating_sub(page.rows.len() as u64);
        match page.next {
            Some(next) if !page.rows.is_empty() => after = Some(next),
            _ => break,
        }
    }
    Ok(())
}
