//! What the app's views are made of, from the store's records.

use userdesk_model::{PictureView, ProfilePropertyView, PropertyView, SegmentView};

pub(super) fn picture_view((picture, pending): (userdesk_model::Picture, bool)) -> PictureView {
    PictureView {
        profile_id: picture.profile_id,
        data_url: picture.data_url(),
        pending,
    }
}

pub(super) fn property_view(local: crate::store::properties::LocalProperty) -> PropertyView {
    let d = local.definition;
    PropertyView {
        id: d.id,
        name: d.name,
        description: d.description,
        format: d.format,
        choices: d.choices,
        pending: local.pending,
    }
}

pub(super) fn profile_property_view(
    local: crate::store::properties::LocalValue,
) -> ProfilePropertyView {
    let d = local.definition;
    ProfilePropertyView {
        property_id: d.id,
        name: d.name,
        format: d.format,
        choices: d.choices,
        value: local.value,
        pending: local.pending,
    }
}

pub(super) fn segment_view(
    local: crate::store::segments::LocalSegment,
    members: u64,
) -> SegmentView {
    let s = local.segment;
    SegmentView {
        id: s.id,
        name: s.name,
        description: s.description,
        rules: s.rules,
        members,
        pending: local.pending,
    }
}
