//! Export and delete requests become emails to the workspace's data-protection address, sent
//! through a real SMTP conversation with a sink on a loopback port.

use std::time::Duration;

use crate::common::smtp::SmtpSink;
use crate::common::{Backend, TestServer};
use chrono::{TimeZone, Utc};
use tokio::sync::oneshot;
use userdesk_model::sync::{ClientId, Entity, Op, PatchOp};
use userdesk_model::{DataRequestState, RequestId};
use userdesk_server::mailer::{Mailer, RetryPolicy};

fn policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        first_delay: Duration::from_secs(60),
        max_delay: Duration::from_secs(3600),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requested_export_is_mailed_to_the_data_protection_address() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut sink = SmtpSink::start().await;
    let mailer = Mailer::new(
        server.storage.clone(),
        &sink.url(),
        "Userdesk <userdesk@example.com>",
        policy(3),
    )
    .unwrap();
    let (stop, stopped) = oneshot::channel();
    let wakeup = server.server.as_ref().unwrap().mail_wakeup.clone();
    let running = tokio::spawn(mailer.run(wakeup, stopped));

    let request = RequestId::new();
    let client = ClientId::new();
    let profile = server.a.profiles[3];
    server
        .push(
            &server.a.agent,
            client,
            1,
            &[Op::RequestExport {
                request_id: request,
                profile_id: profile,
            }],
        )
        .await;
    let message = sink.next_message().await;
    assert_eq!(message.from, "userdesk@example.com");
    assert_eq!(message.to, vec!["privacy@example.com".to_string()]);
    assert!(
        message
            .data
            .contains("Subject: Request to export a customer's data"),
        "{}",
        message.data
    );
    assert!(message.data.contains("First3 Last3"), "{}", message.data);
    assert!(
        message.data.contains("customer3@example.com"),
        "{}",
        message.data
    );
    assert!(
        message.data.contains("agent@example.com"),
        "{}",
        message.data
    );
    assert!(
        message.data.contains(&request.to_string()),
        "{}",
        message.data
    );

    // Stopping waits for the round in progress, so its outcome is recorded by then.
    stop.send(()).unwrap();
    running.await.unwrap();
    let (patch, _, _) = server.pull_all(&server.a.agent, client, None, 1000).await;
    let state = patch.iter().find_map(|op| match op {
        PatchOp::Put(Entity::Request(r)) if r.id == request => Some(r.clone()),
        _ => None,
    });
    let state = state.expect("the request is pulled");
    assert_eq!(state.state, DataRequestState::Sent);
    assert_eq!(state.attempts, 1);
    assert!(state.sent_at.is_some());
    assert!(sink.try_message().is_none(), "mailed once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_email_is_failed_with_its_reason_and_sent_on_a_later_attempt() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut sink = SmtpSink::start().await;
    let mailer = Mailer::new(
        server.storage.clone(),
        &sink.url(),
        "userdesk@example.com",
        policy(3),
    )
    .unwrap();
    let request = RequestId::new();
    server
        .push(
            &server.a.admin,
            ClientId::new(),
            1,
            &[Op::RequestDelete {
                request_id: request,
                profile_id: server.a.profiles[0],
            }],
        )
        .await;
    sink.refuse_next(1);
    // Times are stored to the millisecond.
    let now = Utc
        .timestamp_millis_opt(Utc::now().timestamp_millis())
        .unwrap();
    let round = mailer.deliver_due(now).await.unwrap();
    assert_eq!((round.sent, round.failed), (0, 1));
    let failed = server
        .storage
        .data_request(server.a.id, request)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.state, DataRequestState::Failed);
    // The relay's own words ("451 4.3.0 mailbox busy, try again later") stay in the log.
    assert!(
        failed.reason.contains("Userdesk tries again later"),
        "{}",
        failed.reason
    );
    assert!(
        !failed.reason.contains("451") && !failed.reason.contains("mailbox busy"),
        "{}",
        failed.reason
    );
    assert_eq!(failed.attempts, 1);
    let retry_at = failed.next_attempt_at.expect("a retry is planned");
    assert_eq!((retry_at - now).num_seconds(), 60);

    let round = mailer
        .deliver_due(now + chrono::Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(
        (round.sent, round.failed),
        (0, 0),
        "not due before its retry time"
    );
    let round = mailer.deliver_due(retry_at).await.unwrap();
    assert_eq!((round.sent, round.failed), (1, 0));
    let message = sink.next_message().await;
    assert!(
        message
            .data
            .contains("Subject: Request to delete a customer's data"),
        "{}",
        message.data
    );
    let sent = server
        .storage
        .data_request(server.a.id, request)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.state, DataRequestState::Sent);
    assert_eq!(sent.reason, "");
    assert_eq!(sent.attempts, 2);
    assert_eq!(sent.next_attempt_at, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_relay_is_given_up_after_the_last_attempt() {
    let server = TestServer::start(Backend::Sqlite).await;
    // A port that was free a moment ago: nothing answers there.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let mailer = Mailer::new(
        server.storage.clone(),
        &format!("smtp://{closed}"),
        "userdesk@example.com",
        policy(2),
    )
    .unwrap();
    let request = RequestId::new();
    server
        .push(
            &server.a.admin,
            ClientId::new(),
            1,
            &[Op::RequestExport {
                request_id: request,
                profile_id: server.a.profiles[0],
            }],
        )
        .await;
    let now = Utc::now();
    assert_eq!(mailer.deliver_due(now).await.unwrap().failed, 1);
    let first = server
        .storage
        .data_request(server.a.id, request)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.state, DataRequestState::Failed);
    assert!(!first.reason.is_empty());
    let retry_at = first.next_attempt_at.unwrap();
    assert_eq!(mailer.deliver_due(retry_at).await.unwrap().failed, 1);
    let last = server
        .storage
        .data_request(server.a.id, request)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.state, DataRequestState::Failed);
    assert_eq!(last.attempts, 2);
    assert_eq!(
        last.next_attempt_at, None,
        "given up after the last attempt"
    );
    let later = retry_at + chrono::Duration::days(1);
    assert_eq!(mailer.deliver_due(later).await.unwrap(), Default::default());
}
