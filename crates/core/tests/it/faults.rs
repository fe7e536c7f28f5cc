//! Managers' apps syncing at random through a proxy on loopback that drops their requests, cuts
//! them short, sends them twice, replays them late, delays them and loses or cuts the server's
//! answers, while another manager edits and deletes customers on the server: every app ends
//! equal to the server, with every edit processed exactly once and in order.
//!
//! One seed, printed at the start, chooses every edit, sync and fault; `USERDESK_FAULT_SEED=<seed>`
//! makes the same choices again. The managers and the server still interleave as the scheduler
//! lets them, so a replay follows the same choices, not always the same timing.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::platform::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use userdesk_core::{CoreError, SyncOptions};
use userdesk_demo::Rng;
use userdesk_model::sync::{ClientId, Op, PushRequest, PushResponse};
use userdesk_model::{ErrorCode, Profile, ProfileId, ProfilePatch};
use userdesk_server::managers::hash_token;

/// Managers with an app of their own.
const MANAGERS: usize = 3;
/// Customers every manager (and the one on the server) edits, some of them deleted on the way.
const SHARED: usize = 6;
/// Customers whose last name only one manager edits, `DEDICATED` of them per manager.
const DEDICATED: usize = 2;
/// Random steps each manager takes.
const STEPS: usize = 80;
/// Most customers the manager on the server deletes.
const MAX_DELETES: usize = 2;

fn seed() -> u64 {
    match std::env::var("USERDESK_FAULT_SEED") {
        Ok(text) => {
            let text = text.trim();
            match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            }
            .unwrap_or_else(|_| panic!("USERDESK_FAULT_SEED={text:?} is not a number"))
        }
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    }
}

/// What the proxy does with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Fault {
    /// Forwards it and passes the answer back.
    Pass,
    /// As `Pass`, waiting a few milliseconds before forwarding and before answering.
    Delay,
    /// Hangs up without forwarding it.
    Drop,
    /// Forwards only its start, then hangs up on both sides.
    CutRequest,
    /// Forwards it, lets the server answer in full, and hangs up without passing the answer.
    LoseAnswer,
    /// Forwards it and passes only the start of the answer back.
    CutAnswer,
    /// Sends it to the server twice at once and passes one of the answers back.
    Duplicate,
    /// Forwards it, passes the answer back, and sends it again a little later.
    ReplayLate,
}

impl Fault {
    const ALL: [Fault; 8] = [
        Fault::Pass,
        Fault::Delay,
        Fault::Drop,
        Fault::CutRequest,
        Fault::LoseAnswer,
        Fault::CutAnswer,
        Fault::Duplicate,
        Fault::ReplayLate,
    ];

    /// How often each fault happens, relative to the others.
    fn weight(self) -> usize {
        match self {
            Fault::Pass => 0,
            Fault::Delay => 16,
            Fault::Drop => 12,
            Fault::CutRequest => 12,
            Fault::LoseAnswer => 16,
            Fault::CutAnswer => 12,
            Fault::Duplicate => 16,
            Fault::ReplayLate => 16,
        }
    }

    /// A fault with the chance given in percent, else `Pass`.
    fn pick(rng: &mut Rng, chance: usize) -> Fault {
        if !rng.chance(chance as u64) {
            return Fault::Pass;
        }
        let mut roll = rng.index(Self::ALL.iter().map(|f| f.weight()).sum());
        for fault in Self::ALL {
            if roll < fault.weight() {
                return fault;
            }
            roll -= fault.weight();
        }
        Fault::Pass
    }
}

/// Everything decided about one request before it is handled.
struct Plan {
    fault: Fault,
    /// Milliseconds to wait, before forwarding and before answering (or replaying).
    waits: (u64, u64),
    /// Where to cut, as a fraction of the length in thousandths.
    cut: usize,
    /// Which of two answers to pass back.
    second: bool,
}

/// The faults one proxy injected, by kind and endpoint.
type Counts = BTreeMap<(Fault, String), u64>;

/// A TCP proxy on 127.0.0.1:0 in front of the server, injecting faults chosen by its generator.
struct FaultyProxy {
    url: String,
    counts: Arc<Mutex<Counts>>,
    /// Requests sent again later, still on their way.
    late: Arc<Mutex<Vec<JoinHandle<()>>>>,
    /// The chance of a fault per request, in percent: the network's weather.
    chance: Arc<AtomicUsize>,
}

impl FaultyProxy {
    async fn start(target: SocketAddr, rng: Rng) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let rng = Arc::new(Mutex::new(rng));
        let counts = Arc::new(Mutex::new(Counts::new()));
        let late = Arc::new(Mutex::new(Vec::new()));
        let chance = Arc::new(AtomicUsize::new(0));
        let proxy = Self {
            url,
            counts: counts.clone(),
            late: late.clone(),
            chance: chance.clone(),
        };
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let shared = (rng.clone(), counts.clone(), late.clone(), chance.clone());
                tokio::spawn(serve_connection(client, target, shared));
            }
        });
        proxy
    }

    /// Waits for the requests sent again later to be answered.
    async fn settle(&self) {
        let late: Vec<JoinHandle<()>> = std::mem::take(&mut *self.late.lock().unwrap());
        for task in late {
            task.await.unwrap();
        }
    }
}

/// What a proxy's connections share: its generator, counts, late requests and weather.
type Shared = (
    Arc<Mutex<Rng>>,
    Arc<Mutex<Counts>>,
    Arc<Mutex<Vec<JoinHandle<()>>>>,
    Arc<AtomicUsize>,
);

/// Handles the requests of one client connection, one after the other, until it closes or a
/// fault hangs up on it.
async fn serve_connection(mut client: TcpStream, target: SocketAddr, shared: Shared) {
    let (rng, counts, late, chance) = shared;
    while let Some(request) = read_one_request(&mut client).await {
        let plan = {
            let mut rng = rng.lock().unwrap();
            Plan {
                fault: Fault::pick(&mut rng, chance.load(Ordering::Relaxed)),
                waits: (rng.between(1, 8) as u64, rng.between(1, 15) as u64),
                cut: rng.between(1, 999),
                second: rng.chance(50),
            }
        };
        *counts
            .lock()
            .unwrap()
            .entry((plan.fault, endpoint(&request)))
            .or_default() += 1;
        let request = closing(&request);
        let answer = match plan.fault {
            Fault::Pass => exchange(target, &request).await,
            Fault::Delay => {
                sleep_ms(plan.waits.0).await;
                let answer = exchange(target, &request).await;
                sleep_ms(plan.waits.1).await;
                answer
            }
            Fault::Drop => return,
            Fault::CutRequest => {
                // Inside the body when there is one, else inside the headers.
                let head = header_end(&request).unwrap() + 4;
                let cut = if request.len() > head {
                    head + (request.len() - head) * plan.cut / 1000
                } else {
                    request.len() * plan.cut / 1000
                };
                if let Ok(mut server) = TcpStream::connect(target).await {
                    let _ = server.write_all(&request[..cut]).await;
                }
                return;
            }
            Fault::LoseAnswer => {
                let _ = exchange(target, &request).await;
                return;
            }
            Fault::CutAnswer => {
                if let Some(answer) = exchange(target, &request).await {
                    let cut = (answer.len() * plan.cut / 1000).max(1);
                    let _ = client.write_all(&answer[..cut]).await;
                }
                return;
            }
            Fault::Duplicate => {
                let (first, second) =
                    tokio::join!(exchange(target, &request), exchange(target, &request));
                if plan.second {
                    second
                } else {
                    first
                }
            }
            Fault::ReplayLate => {
                let answer = exchange(target, &request).await;
                let wait = plan.waits.1;
                let again = request.clone();
                late.lock().unwrap().push(tokio::spawn(async move {
                    sleep_ms(wait).await;
                    let _ = exchange(target, &again).await;
                }));
                answer
            }
        };
        let Some(answer) = answer else { return };
        if client.write_all(&answer).await.is_err() {
            return;
        }
    }
}

async fn sleep_ms(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

fn header_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Reads one HTTP request (headers and a Content-Length body); `None` once the client hangs up.
async fn read_one_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = header_end(&buffer) {
            let headers = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = headers
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                assert_eq!(buffer.len(), end + 4 + length, "a pipelined request");
                return Some(buffer);
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
        }
    }
}

/// The request's path, such as `/v1/push`.
fn endpoint(request: &[u8]) -> String {
    let line = request.split(|b| *b == b'\r').next().unwrap_or_default();
    String::from_utf8_lossy(line)
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

/// The request with `Connection: close`, so the server's answer ends where its connection does.
fn closing(request: &[u8]) -> Vec<u8> {
    let end = header_end(request).unwrap();
    let head = String::from_utf8_lossy(&request[..end]);
    let mut out = String::new();
    for line in head.split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&request[end + 4..]);
    bytes
}

/// Sends the request on a fresh connection to the server and reads the whole answer.
async fn exchange(target: SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(target).await.ok()?;
    server.write_all(request).await.ok()?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await.ok()?;
    (!answer.is_empty()).then_some(answer)
}

/// A field the test edits (the email is left alone: the server keeps addresses unique).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Field {
    FirstName,
    LastName,
    Location,
}

impl Field {
    fn patch(self, value: &str) -> ProfilePatch {
        let value = Some(value.to_string());
        match self {
            Field::FirstName => ProfilePatch {
                first_name: value,
                ..Default::default()
            },
            Field::LastName => ProfilePatch {
                last_name: value,
                ..Default::default()
            },
            Field::Location => ProfilePatch {
                location: value,
                ..Default::default()
            },
        }
    }
}

/// Customer `i`'s id.
fn customer(platform: &Platform, i: usize) -> ProfileId {
    platform.profiles[i].id
}

/// The customers whose last name only manager `m` edits.
fn dedicated(platform: &Platform, m: usize) -> Vec<ProfileId> {
    (0..DEDICATED)
        .map(|k| customer(platform, SHARED + m * DEDICATED + k))
        .collect()
}

/// One manager's app, its proxy and what it edited.
struct Manager {
    index: usize,
    client: Client,
    proxy: FaultyProxy,
    rng: Rng,
    /// Every edit that queued a mutation, in the order of the mutation numbers 1, 2, 3…
    mutations: Vec<Op>,
    /// Edits that found the customer already deleted locally.
    refused_locally: u64,
    /// Edits made while one of its syncs ran.
    edits_while_syncing: u64,
    /// Pull pages of the syncs that went through.
    pages: u64,
    syncs: u64,
    failed_syncs: u64,
}

/// One edit to make: which customer and field.
fn plan_edit(platform: &Platform, m: usize, rng: &mut Rng) -> (ProfileId, Field) {
    if rng.chance(30) {
        let id = dedicated(platform, m)[rng.index(DEDICATED)];
        return (id, Field::LastName);
    }
    // Any customer, any field but a dedicated customer's last name.
    let i = rng.index(SHARED + MANAGERS * DEDICATED);
    let field = match rng.index(if i < SHARED { 3 } else { 2 }) {
        0 => Field::FirstName,
        1 => Field::Location,
        _ => Field::LastName,
    };
    (customer(platform, i), field)
}

/// Makes the edits in order, each with a value no one else ever writes.
async fn make_edits(
    client: &Client,
    m: usize,
    edits: &[(ProfileId, Field)],
    pause: bool,
    mutations: &mut Vec<Op>,
    refused_locally: &mut u64,
) {
    for (id, field) in edits {
        if pause {
            sleep_ms(1).await;
        }
        let value = format!("M{m} E{}", mutations.len() + 1);
        let patch = field.patch(&value);
        match client.app.patch_profile(*id, patch.clone()).await {
            Ok(details) => {
                let saved = &details.profile;
                assert!([&saved.first_name, &saved.last_name, &saved.location].contains(&&value));
                mutations.push(Op::ProfilePatch {
                    profile_id: *id,
                    patch,
                    base: None,
                });
            }
            // Deleted on the server, and the deletion already pulled.
            Err(CoreError::ProfileNotFound(_)) => *refused_locally += 1,
            Err(e) => panic!("manager {m} could not edit: {e}"),
        }
    }
}

impl Manager {
    /// The last name this manager last wrote to a customer of its own, if any.
    fn last_written(&self, id: ProfileId) -> Option<String> {
        self.mutations.iter().rev().find_map(|op| match op {
            Op::ProfilePatch {
                profile_id, patch, ..
            } if *profile_id == id => patch.last_name.clone(),
            _ => None,
        })
    }

    /// Whatever a sync did, and however far it got, the manager's own customers show the last
    /// name the manager last wrote: no one else writes it, so neither a pulled page nor a
    /// confirmation may take it back.
    async fn assert_own_last_names_shown(&self, platform: &Platform) {
        for id in dedicated(platform, self.index) {
            let Some(written) = self.last_written(id) else {
                continue;
            };
            let shown = self.client.profile(id).await.unwrap().last_name;
            assert_eq!(
                shown, written,
                "manager {}'s customer {id} after sync {}",
                self.index, self.syncs
            );
        }
    }

    async fn run(mut self, platform: Arc<Platform>) -> Self {
        let m = self.index;
        for _ in 0..STEPS {
            let roll = self.rng.index(100);
            if roll < 55 {
                let count = if roll < 35 { 1 } else { self.rng.between(2, 5) };
                let edits: Vec<_> = (0..count)
                    .map(|_| plan_edit(&platform, m, &mut self.rng))
                    .collect();
                make_edits(
                    &self.client,
                    m,
                    &edits,
                    false,
                    &mut self.mutations,
                    &mut self.refused_locally,
                )
                .await;
            } else if roll < 92 {
                let options = SyncOptions {
                    pull_limit: self.rng.between(1, 4) as u32,
                    push_batch: self.rng.between(1, 4),
                };
                // Calm, unsettled or stormy.
                let chance = [3, 12, 40][self.rng.index(3)];
                self.proxy.chance.store(chance, Ordering::Relaxed);
                // Sometimes the manager keeps editing while the sync runs.
                let during = if self.rng.chance(35) {
                    self.rng.between(1, 4)
                } else {
                    0
                };
                let edits: Vec<_> = (0..during)
                    .map(|_| plan_edit(&platform, m, &mut self.rng))
                    .collect();
                let sync = self
                    .client
                    .app
                    .sync_with(&self.proxy.url, &platform.token, options);
                let editing = make_edits(
                    &self.client,
                    m,
                    &edits,
                    true,
                    &mut self.mutations,
                    &mut self.refused_locally,
                );
                let (result, ()) = tokio::join!(sync, editing);
                self.syncs += 1;
                self.edits_while_syncing += during as u64;
                match result {
                    Ok(report) => self.pages += report.pages,
                    // What losing the connection looks like; the next sync picks up from there.
                    Err(CoreError::Offline(_)) => self.failed_syncs += 1,
                    Err(e) => panic!("manager {m}'s sync failed other than offline: {e:?}"),
                }
                self.assert_own_last_names_shown(&platform).await;
            } else {
                sleep_ms(self.rng.between(1, 5) as u64).await;
            }
        }
        self
    }
}

/// A manager working on the server directly: edits the shared customers and deletes a few.
struct Elsewhere {
    client_id: ClientId,
    mutations: Vec<Op>,
}

impl Elsewhere {
    async fn run(mut self, platform: Arc<Platform>, mut rng: Rng, stop: Arc<AtomicBool>) -> Self {
        let mut deletes = 0;
        while !stop.load(Ordering::Relaxed) {
            sleep_ms(rng.between(2, 12) as u64).await;
            let count = rng.between(1, 3);
            let mut ops = Vec::new();
            for _ in 0..count {
                let id = customer(&platform, rng.index(SHARED));
                if deletes < MAX_DELETES && rng.chance(4) {
                    deletes += 1;
                    ops.push(Op::ProfileDelete { profile_id: id });
                } else {
                    let field = [Field::FirstName, Field::LastName, Field::Location][rng.index(3)];
                    let value = format!("Elsewhere E{}", self.mutations.len() + ops.len() + 1);
                    ops.push(Op::ProfilePatch {
                        profile_id: id,
                        patch: field.patch(&value),
                        base: None,
                    });
                }
            }
            let first = self.mutations.len() as u64 + 1;
            let request = PushRequest {
                client_id: self.client_id,
                mutations: ops
                    .iter()
                    .enumerate()
                    .map(|(i, op)| op.to_mutation(first + i as u64))
                    .collect(),
            };
            let answer: PushResponse = platform.post("/v1/push", &request).await;
            assert_eq!(
                answer.applied as usize + answer.rejections.len(),
                ops.len(),
                "{answer:?}"
            );
            self.mutations.extend(ops);
        }
        self
    }
}

/// One processed mutation as the server recorded it.
#[derive(Debug, sqlx::FromRow)]
struct Processed {
    client_id: ClientId,
    mutation_id: i64,
    version: i64,
    rejection_code: Option<String>,
}

/// The server's record of every processed mutation, in the order it processed them.
async fn server_mutation_log(platform: &Platform) -> Vec<Processed> {
    let path = platform.dir.path().join("server.sqlite3");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    let log = sqlx::query_as(
        "SELECT client_id, mutation_id, version, rejection_code FROM mutations ORDER BY version",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    log
}

fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managers_syncing_through_a_faulty_network_end_equal_to_the_server_with_every_edit_once() {
    let seed = seed();
    println!("fault seed {seed:#x}: replay with USERDESK_FAULT_SEED={seed:#x}");
    let mut rng = Rng::new(seed);
    let platform = Arc::new(Platform::start(SHARED + MANAGERS * DEDICATED).await);
    let principal = platform
        .storage
        .authenticate(&hash_token(&platform.token))
        .await
        .unwrap()
        .unwrap();

    let mut managers = Vec::new();
    for index in 0..MANAGERS {
        let proxy = FaultyProxy::start(platform.addr(), rng.fork()).await;
        managers.push(Manager {
            index,
            client: Client::synced(&platform).await,
            proxy,
            rng: rng.fork(),
            mutations: Vec::new(),
            refused_locally: 0,
            edits_while_syncing: 0,
            pages: 0,
            syncs: 0,
            failed_syncs: 0,
        });
    }
    let stop = Arc::new(AtomicBool::new(false));
    let elsewhere = tokio::spawn(
        Elsewhere {
            client_id: ClientId::new(),
            mutations: Vec::new(),
        }
        .run(platform.clone(), rng.fork(), stop.clone()),
    );
    let running: Vec<_> = managers
        .into_iter()
        .map(|manager| tokio::spawn(manager.run(platform.clone())))
        .collect();
    let mut managers = Vec::new();
    for task in running {
        managers.push(task.await.unwrap());
    }
    stop.store(true, Ordering::Relaxed);
    let elsewhere = elsewhere.await.unwrap();
    for manager in &managers {
        manager.proxy.settle().await;
    }

    // The network heals: every app syncs directly until its outbox is empty, then once more
    // to bring the others' last edits.
    for manager in &managers {
        for attempt in 0.. {
            let report = manager.client.sync(&platform).await;
            if report.pending == 0 {
                break;
            }
            assert!(
                attempt < 3,
                "manager {} still has {report:?}",
                manager.index
            );
        }
    }
    for manager in &managers {
        manager.client.sync(&platform).await;
    }

    let mut counts = Counts::new();
    for manager in &managers {
        for (key, n) in manager.proxy.counts.lock().unwrap().iter() {
            *counts.entry(key.clone()).or_default() += n;
        }
    }
    println!("faults injected (kind, endpoint: requests): {counts:?}");
    for manager in &managers {
        println!(
            "manager {}: {} mutations ({} made during a sync), {} edits of customers already \
             deleted, {} of {} syncs failed, {} pages pulled by the syncs that went through",
            manager.index,
            manager.mutations.len(),
            manager.edits_while_syncing,
            manager.refused_locally,
            manager.failed_syncs,
            manager.syncs,
            manager.pages
        );
    }
    println!(
        "elsewhere: {} mutations pushed directly",
        elsewhere.mutations.len()
    );
    for fault in Fault::ALL {
        let n: u64 = counts
            .iter()
            .filter(|((f, _), _)| *f == fault)
            .map(|(_, n)| n)
            .sum();
        assert!(n > 0, "the proxy never injected {fault:?}: {counts:?}");
    }

    // Every app holds exactly the server's customers, with nothing left to push.
    for manager in &managers {
        manager.client.assert_same_as(&platform).await;
        let status = manager.client.app.sync_status().await.unwrap();
        assert_eq!(status.pending, 0, "manager {}", manager.index);
        assert!(status.last_error.is_none(), "manager {}", manager.index);
        assert!(manager
            .client
            .app
            .store()
            .outbox()
            .await
            .unwrap()
            .is_empty());
    }

    // The server processed each app's mutations 1, 2, 3… each exactly once, in order.
    let log = server_mutation_log(&platform).await;
    let mut by_client: HashMap<ClientId, Vec<&Processed>> = HashMap::new();
    for processed in &log {
        by_client
            .entry(processed.client_id)
            .or_default()
            .push(processed);
    }
    let mut writers: Vec<(ClientId, &[Op], String)> = vec![(
        elsewhere.client_id,
        elsewhere.mutations.as_slice(),
        "elsewhere".to_string(),
    )];
    for manager in &managers {
        let client_id = manager.client.app.store().client_id().await.unwrap();
        writers.push((
            client_id,
            manager.mutations.as_slice(),
            format!("manager {}", manager.index),
        ));
    }
    let mut ops: HashMap<(ClientId, i64), &Op> = HashMap::new();
    for (client_id, mutations, who) in &writers {
        let numbers: Vec<i64> = by_client
            .get(client_id)
            .map(|l| l.iter().map(|p| p.mutation_id).collect())
            .unwrap_or_default();
        let expected: Vec<i64> = (1..=mutations.len() as i64).collect();
        assert_eq!(
            numbers, expected,
            "{who}'s mutations as the server processed them"
        );
        let last = platform
            .storage
            .client_last_mutation(&principal, *client_id)
            .await
            .unwrap();
        assert_eq!(last, mutations.len() as u64, "{who}'s last mutation");
        for (i, op) in mutations.iter().enumerate() {
            ops.insert((*client_id, i as i64 + 1), op);
        }
    }
    assert_eq!(
        log.len(),
        ops.len(),
        "the server processed mutations no one sent"
    );
    let versions: Vec<i64> = log.iter().map(|p| p.version).collect();
    let mut distinct = versions.clone();
    distinct.dedup();
    assert_eq!(distinct, versions, "two mutations share a version");

    // Replaying every mutation once, in the server's order, on the customers as they started
    // gives exactly what the server holds; a mutation is refused exactly when its customer is
    // already gone.
    let mut model: HashMap<ProfileId, Profile> = platform
        .profiles
        .iter()
        .map(|p| (p.id, p.clone()))
        .collect();
    let not_found = code_name(ErrorCode::NotFound);
    for processed in &log {
        let op = ops[&(processed.client_id, processed.mutation_id)];
        let (id, patch) = match op {
            Op::ProfilePatch {
                profile_id, patch, ..
            } => (profile_id, Some(patch)),
            Op::ProfileDelete { profile_id } => (profile_id, None),
            other => panic!("unexpected {other:?}"),
        };
        let expected_code = if model.contains_key(id) {
            None
        } else {
            Some(not_found.clone())
        };
        assert_eq!(
            processed.rejection_code, expected_code,
            "mutation {} of {} on {id}",
            processed.mutation_id, processed.client_id
        );
        match patch {
            Some(patch) => {
                if let Some(profile) = model.get_mut(id) {
                    apply(profile, patch);
                }
            }
            None => {
                model.remove(id);
            }
        }
    }
    let server = platform.server_profiles().await;
    assert_eq!(server.len(), model.len());
    for (id, profile) in &server {
        assert_eq!(Some(profile), model.get(id), "customer {id}");
    }

    // Each manager saw each of its refused edits once, exactly those the server refused.
    for (manager, (client_id, _, who)) in managers.iter().zip(&writers[1..]) {
        let refused: Vec<u64> = manager
            .client
            .app
            .rejections()
            .await
            .unwrap()
            .iter()
            // Edits applied but replaced by a colleague's later one are listed too; the server
            // refused none of them.
            .filter(|r| r.code != userdesk_model::ErrorCode::Overwritten)
            .map(|r| r.mutation_id)
            .collect();
        let on_server: Vec<u64> = by_client
            .get(client_id)
            .map(|l| {
                l.iter()
                    .filter(|p| p.rejection_code.is_some())
                    .map(|p| p.mutation_id as u64)
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(refused, on_server, "{who}'s refused edits");
    }

    // The last name of a manager's own customers is the last one that manager wrote.
    for manager in &managers {
        for id in dedicated(&platform, manager.index) {
            let expected = manager
                .last_written(id)
                .unwrap_or_else(|| model[&id].last_name.clone());
            assert_eq!(server[&id].last_name, expected, "manager {}", manager.index);
        }
    }
}

/// The profile with the patch's fields set, as the server applies it.
fn apply(profile: &mut Profile, patch: &ProfilePatch) {
    if let Some(v) = &patch.first_name {
        profile.first_name = v.clone();
    }
    if let Some(v) = &patch.last_name {
        profile.last_name = v.clone();
    }
    if let Some(v) = &patch.location {
        profile.location = v.clone();
    }
}
