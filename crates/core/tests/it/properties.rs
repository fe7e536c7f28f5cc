//! Custom properties: definitions created on the spot or in the Properties tab, values checked
//! against their format (a value that does not fit is refused with the reason and nothing is
//! saved), all kept offline and synced through the real server on loopback.

use crate::platform::*;
use userdesk_core::CoreError;
use userdesk_model::{
    ApiError, ErrorCode, ProfileId, ProfilePropertyView, PropertyDraft, PropertyFormat, PropertyId,
    PropertySort, PropertyView, SortDirection,
};

fn code(err: CoreError) -> ErrorCode {
    ApiError::from(err).code
}

fn draft(name: &str, format: PropertyFormat, choices: &[&str]) -> PropertyDraft {
    PropertyDraft {
        name: name.into(),
        description: String::new(),
        format,
        choices: choices.iter().map(|c| c.to_string()).collect(),
    }
}

async fn values(client: &Client, profile: ProfileId) -> Vec<(String, String)> {
    client
        .app
        .profile_properties(profile)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.name, v.value))
        .collect()
}

async fn pending(client: &Client) -> u64 {
    client.app.sync_status().await.unwrap().pending
}

#[tokio::test]
async fn a_property_created_on_the_spot_takes_a_checked_value_and_syncs() {
    let platform = Platform::start(2).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let id = platform.profiles[0].id;
    assert!(values(&ann, id).await.is_empty());

    let plan = ann
        .app
        .create_property(PropertyDraft {
            description: "  What the customer pays for ".into(),
            ..draft(" Plan ", PropertyFormat::Choice, &["Free", " Pro ", ""])
        })
        .await
        .unwrap();
    assert_eq!(plan.name, "Plan", "trimmed");
    assert_eq!(plan.description, "What the customer pays for");
    assert_eq!(plan.choices, ["Free", "Pro"], "trimmed, blanks dropped");
    assert!(plan.pending);

    // A value outside the choices is refused with the reason, and nothing is saved.
    let before = pending(&ann).await;
    let refused = ann
        .app
        .set_profile_property(id, plan.id, Some("Gold"))
        .await
        .unwrap_err();
    let api = ApiError::from(refused);
    assert_eq!(api.code, ErrorCode::Validation);
    assert!(api.message.contains("Plan"), "{}", api.message);
    assert!(api.message.contains("Gold"), "{}", api.message);
    assert!(api.message.contains("choices"), "{}", api.message);
    assert_eq!(pending(&ann).await, before);
    assert!(values(&ann, id).await.is_empty());

    let set = ann
        .app
        .set_profile_property(id, plan.id, Some("Pro"))
        .await
        .unwrap();
    assert_eq!(
        set,
        [ProfilePropertyView {
            property_id: plan.id,
            name: "Plan".into(),
            format: PropertyFormat::Choice,
            choices: vec!["Free".into(), "Pro".into()],
            value: "Pro".into(),
            pending: true,
        }]
    );
    // The same value again queues nothing.
    let queued = pending(&ann).await;
    ann.app
        .set_profile_property(id, plan.id, Some("Pro"))
        .await
        .unwrap();
    assert_eq!(pending(&ann).await, queued);

    ann.sync(&platform).await;
    assert_eq!(pending(&ann).await, 0);
    let synced = ann.app.profile_properties(id).await.unwrap();
    assert_eq!(synced.len(), 1);
    assert!(!synced[0].pending);
    assert_eq!(synced[0].value, "Pro");

    // A colleague's app receives the definition and the value.
    bob.sync(&platform).await;
    assert_eq!(values(&bob, id).await, [("Plan".into(), "Pro".into())]);
    let listed = bob
        .app
        .properties("", PropertySort::Name, SortDirection::Asc)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].description, "What the customer pays for");
    assert!(!listed[0].pending);

    // Blanks remove the value, here and, once synced, there.
    let removed = ann
        .app
        .set_profile_property(id, plan.id, Some("  "))
        .await
        .unwrap();
    assert!(removed.is_empty());
    ann.sync(&platform).await;
    bob.sync(&platform).await;
    assert!(values(&bob, id).await.is_empty());
}

#[tokio::test]
async fn every_format_checks_its_values_and_keeps_them_in_one_spelling() {
    let platform = Platform::start(1).await;
    let ann = Client::synced(&platform).await;
    let id = platform.profiles[0].id;
    let create = |name: &str, format| {
        let app = &ann.app;
        let d = draft(name, format, &[]);
        async move { app.create_property(d).await.unwrap() }
    };
    let seats = create("Seats", PropertyFormat::Number).await;
    let renewal = create("Renewal", PropertyFormat::Date).await;
    let trial = create("Trial", PropertyFormat::Boolean).await;
    let motto = create("Motto", PropertyFormat::Text).await;

    let refused = [
        (&seats, "four"),
        (&seats, "NaN"),
        (&seats, "1e999"),
        (&renewal, "2027-02-30"),
        (&renewal, "31/01/2027"),
        (&trial, "yes"),
    ];
    for (property, value) in refused {
        let err = ann
            .app
            .set_profile_property(id, property.id, Some(value))
            .await
            .unwrap_err();
        assert_eq!(code(err), ErrorCode::Validation, "{value:?}");
    }
    assert!(values(&ann, id).await.is_empty(), "nothing was saved");

    for (property, value) in [
        (&seats, " 12.5 "),
        (&renewal, "2027-01-31"),
        (&trial, "true"),
    ] {
        ann.app
            .set_profile_property(id, property.id, Some(value))
            .await
            .unwrap();
    }
    assert_eq!(
        values(&ann, id).await,
        [
            ("Renewal".into(), "2027-01-31".into()),
            ("Seats".into(), "12.5".into()),
            ("Trial".into(), "true".into()),
        ],
        "by name, numbers trimmed"
    );

    // Text keeps whatever the manager typed, byte for byte, through the server.
    let hostile: Vec<String> =
        serde_json::from_str(include_str!("../data/blns.json")).expect("the hostile strings");
    let picked: Vec<&String> = hostile
        .iter()
        .filter(|s| !s.trim().is_empty())
        .step_by(41)
        .collect();
    for value in &picked {
        let shown = ann
            .app
            .set_profile_property(id, motto.id, Some(value))
            .await
            .unwrap();
        let kept = shown.iter().find(|v| v.name == "Motto").unwrap();
        assert_eq!(&kept.value, *value);
    }
    ann.sync(&platform).await;
    let kept = ann.app.profile_properties(id).await.unwrap();
    let motto_value = kept.iter().find(|v| v.name == "Motto").unwrap();
    assert_eq!(&motto_value.value, *picked.last().unwrap());
    assert!(!motto_value.pending);
}

#[tokio::test]
async fn the_properties_tab_searches_sorts_renames_and_deletes() {
    let platform = Platform::start(1).await;
    let ann = Client::synced(&platform).await;
    let customer = platform.profiles[0].id;
    let tier = ann
        .app
        .create_property(draft("Tier", PropertyFormat::Choice, &["Gold", "Silver"]))
        .await
        .unwrap();
    let age = ann
        .app
        .create_property(PropertyDraft {
            description: "Years as a customer".into(),
            ..draft("account age", PropertyFormat::Number, &[])
        })
        .await
        .unwrap();
    ann.app
        .create_property(draft("Birthday", PropertyFormat::Date, &[]))
        .await
        .unwrap();
    let names = |list: Vec<PropertyView>| list.into_iter().map(|p| p.name).collect::<Vec<_>>();
    let list = |search: &'static str, sort, direction| {
        let app = &ann.app;
        async move { names(app.properties(search, sort, direction).await.unwrap()) }
    };
    assert_eq!(
        list("", PropertySort::Name, SortDirection::Asc).await,
        ["account age", "Birthday", "Tier"],
        "names sort ignoring case"
    );
    assert_eq!(
        list("", PropertySort::Name, SortDirection::Desc).await,
        ["Tier", "Birthday", "account age"]
    );
    assert_eq!(
        list("", PropertySort::Format, SortDirection::Asc).await,
        ["Tier", "Birthday", "account age"],
        "choice, date, number"
    );
    assert_eq!(
        list("YEARS", PropertySort::Name, SortDirection::Asc).await,
        ["account age"],
        "the description is searched too"
    );
    assert!(
        list("nothing like it", PropertySort::Name, SortDirection::Asc)
            .await
            .is_empty()
    );

    // Renamed and described; the same draft again queues nothing.
    let renamed = ann
        .app
        .update_property(
            age.id,
            PropertyDraft {
                description: "Whole years".into(),
                ..draft("Account age", PropertyFormat::Number, &[])
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "Account age");
    let queued = pending(&ann).await;
    ann.app
        .update_property(
            age.id,
            PropertyDraft {
                description: "Whole years".into(),
                ..draft("Account age", PropertyFormat::Number, &[])
            },
        )
        .await
        .unwrap();
    assert_eq!(pending(&ann).await, queued);

    // Refused definitions change nothing.
    let refusals = [
        ann.app
            .create_property(draft("  ", PropertyFormat::Text, &[]))
            .await
            .unwrap_err(),
        ann.app
            .create_property(draft("tier", PropertyFormat::Text, &[]))
            .await
            .unwrap_err(),
        ann.app
            .create_property(draft("Colour", PropertyFormat::Choice, &[" "]))
            .await
            .unwrap_err(),
        ann.app
            .create_property(draft("Size", PropertyFormat::Number, &["S"]))
            .await
            .unwrap_err(),
        ann.app
            .update_property(age.id, draft("Account age", PropertyFormat::Text, &[]))
            .await
            .unwrap_err(),
    ];
    for err in refusals {
        assert_eq!(code(err), ErrorCode::InvalidRequest);
    }
    assert_eq!(pending(&ann).await, queued);
    let unknown = PropertyId::new();
    assert_eq!(
        code(ann.app.delete_property(unknown).await.unwrap_err()),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(
            ann.app
                .set_profile_property(customer, unknown, Some("1"))
                .await
                .unwrap_err()
        ),
        ErrorCode::NotFound
    );

    // Deleting a property takes every customer's value of it, here and on the server.
    ann.app
        .set_profile_property(customer, tier.id, Some("Gold"))
        .await
        .unwrap();
    ann.sync(&platform).await;
    ann.app.delete_property(tier.id).await.unwrap();
    assert!(values(&ann, customer).await.is_empty());
    ann.sync(&platform).await;
    assert!(values(&ann, customer).await.is_empty());
    assert_eq!(
        list("", PropertySort::Name, SortDirection::Asc).await,
        ["Account age", "Birthday"]
    );
    let fresh = Client::synced(&platform).await;
    assert!(values(&fresh, customer).await.is_empty());
    assert_eq!(
        names(
            fresh
                .app
                .properties("", PropertySort::Name, SortDirection::Asc)
                .await
                .unwrap()
        ),
        ["Account age", "Birthday"]
    );
}
