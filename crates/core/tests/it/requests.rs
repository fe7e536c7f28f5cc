//! "Request to Export User" and "Request to Delete User": queued offline, synced to the real
//! server on loopback (which mails them), and listed on the customer with their state.

use crate::platform::*;
use userdesk_model::{ApiError, DataRequestKind, DataRequestState, ErrorCode};

#[tokio::test]
async fn a_request_is_queued_at_once_and_listed_with_its_state_once_synced() {
    let platform = Platform::start(3).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let id = platform.profiles[1].id;
    assert!(ann.app.data_requests(id).await.unwrap().is_empty());

    let export = ann
        .app
        .request_data(id, DataRequestKind::Export)
        .await
        .unwrap();
    assert!(export.pending);
    assert_eq!(export.state, DataRequestState::Queued);
    assert_eq!(export.requested_by, "You");
    let erase = ann
        .app
        .request_data(id, DataRequestKind::Delete)
        .await
        .unwrap();
    let listed = ann.app.data_requests(id).await.unwrap();
    assert_eq!(
        listed.iter().map(|r| r.kind).collect::<Vec<_>>(),
        [DataRequestKind::Delete, DataRequestKind::Export],
        "the latest first"
    );
    assert_eq!(ann.app.sync_status().await.unwrap().pending, 2);
    // Another customer has none.
    let other = platform.profiles[0].id;
    assert!(ann.app.data_requests(other).await.unwrap().is_empty());

    ann.sync(&platform).await;
    let synced = ann.app.data_requests(id).await.unwrap();
    assert_eq!(synced.len(), 2);
    for request in &synced {
        assert!(!request.pending, "{request:?}");
        assert_eq!(request.requested_by, "admin@example.com");
    }
    assert_eq!(
        synced.iter().map(|r| r.id).collect::<Vec<_>>(),
        [erase.id, export.id]
    );
    // A colleague sees them too.
    bob.sync(&platform).await;
    assert_eq!(bob.app.data_requests(id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_request_about_an_unknown_customer_is_refused_and_queues_nothing() {
    let platform = Platform::start(1).await;
    let ann = Client::synced(&platform).await;
    let missing = userdesk_model::ProfileId::new();
    let err = ann
        .app
        .request_data(missing, DataRequestKind::Export)
        .await
        .unwrap_err();
    assert_eq!(ApiError::from(err).code, ErrorCode::NotFound);
    assert_eq!(ann.app.sync_status().await.unwrap().pending, 0);
}
