//! A customer's picture: the picked file decoded, cropped to its middle square and scaled to
//! 256×256 here, kept at once, synced through the real server on loopback to every app; a file
//! that is not a readable image is refused and changes nothing.

use std::io::Cursor;

use crate::platform::*;
use base64::Engine as _;
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use userdesk_core::{CoreError, MAX_PICTURE_BYTES};
use userdesk_model::sync::Op;
use userdesk_model::{ApiError, ErrorCode, PictureView, ProfileId};

fn code(err: CoreError) -> ErrorCode {
    ApiError::from(err).code
}

fn encode(image: RgbaImage, format: ImageFormat) -> Vec<u8> {
    let image = match format {
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(image).to_rgb8()),
        _ => DynamicImage::ImageRgba8(image),
    };
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

/// A wide photo: red left third, green middle third, blue right third.
fn wide_bands() -> Vec<u8> {
    let image = RgbaImage::from_fn(600, 200, |x, _| match x {
        0..200 => Rgba([220, 20, 20, 255]),
        200..400 => Rgba([20, 200, 20, 255]),
        _ => Rgba([20, 20, 220, 255]),
    });
    encode(image, ImageFormat::Jpeg)
}

/// Noise compresses badly: its picture is near the largest a picture can be.
fn noise(seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let image = RgbaImage::from_fn(256, 256, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [r, g, b, _] = state.to_le_bytes();
        Rgba([r, g, b, 255])
    });
    encode(image, ImageFormat::Png)
}

/// The PNG behind a picture's data address.
fn decoded(view: &PictureView) -> RgbaImage {
    let base64 = view
        .data_url
        .strip_prefix("data:image/png;base64,")
        .expect("a PNG data address");
    let png = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap();
    image::load_from_memory_with_format(&png, ImageFormat::Png)
        .unwrap()
        .to_rgba8()
}

async fn picture_of(client: &Client, id: ProfileId) -> Option<PictureView> {
    client.app.profile_details(id).await.unwrap().picture
}

#[tokio::test]
async fn a_picked_picture_is_squared_kept_and_synced() {
    let platform = Platform::start(2).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let id = platform.profiles[0].id;
    assert_eq!(picture_of(&ann, id).await, None);

    let details = ann.app.set_profile_picture(id, wide_bands()).await.unwrap();
    let picture = details.picture.expect("the new picture");
    assert!(picture.pending);
    let image = decoded(&picture);
    assert_eq!(image.dimensions(), (256, 256));
    // The middle square of the wide photo: green, edge to edge.
    for x in [2, 128, 253] {
        let Rgba([r, g, b, _]) = *image.get_pixel(x, 128);
        assert!(g > 150 && r < 80 && b < 80, "({r}, {g}, {b}) at x = {x}");
    }
    assert_eq!(ann.app.sync_status().await.unwrap().pending, 1);

    ann.sync(&platform).await;
    let synced = picture_of(&ann, id).await.unwrap();
    assert!(!synced.pending);
    assert_eq!(synced.data_url, picture.data_url);

    // A colleague's app shows it, in Details and in the table.
    bob.sync(&platform).await;
    assert_eq!(
        picture_of(&bob, id).await.unwrap().data_url,
        picture.data_url
    );
    let other = platform.profiles[1].id;
    let listed = bob.app.profile_pictures(&[other, id]).await.unwrap();
    assert_eq!(listed.len(), 1, "only the customer with a picture");
    assert_eq!(listed[0].profile_id, id);

    // Removed here, removed there.
    let removed = ann.app.remove_profile_picture(id).await.unwrap();
    assert_eq!(removed.picture, None);
    ann.sync(&platform).await;
    bob.sync(&platform).await;
    assert_eq!(picture_of(&bob, id).await, None);
    // Removing what is not there queues nothing.
    ann.app.remove_profile_picture(id).await.unwrap();
    assert_eq!(ann.app.sync_status().await.unwrap().pending, 0);
}

#[tokio::test]
async fn a_file_that_is_not_a_picture_is_refused_and_changes_nothing() {
    let platform = Platform::start(1).await;
    let ann = Client::synced(&platform).await;
    let id = platform.profiles[0].id;
    ann.app.set_profile_picture(id, noise(1)).await.unwrap();
    let before = picture_of(&ann, id).await.unwrap();
    let queued = ann.app.sync_status().await.unwrap().pending;

    let mut truncated = noise(2);
    truncated.truncate(truncated.len() / 2);
    let mut oversized = noise(3);
    oversized.resize(MAX_PICTURE_BYTES + 1, 0);
    let refused: [(&str, Vec<u8>, &str); 4] = [
        ("text", b"Dear customer, ...".to_vec(), "not an image"),
        ("empty", Vec::new(), "empty"),
        ("damaged", truncated, "damaged"),
        ("oversized", oversized, "at most 20 MB"),
    ];
    for (what, file, reason) in refused {
        let err = ann.app.set_profile_picture(id, file).await.unwrap_err();
        let api = ApiError::from(err);
        assert_eq!(api.code, ErrorCode::InvalidPicture, "{what}");
        assert!(api.message.contains(reason), "{what}: {}", api.message);
    }
    assert_eq!(picture_of(&ann, id).await.unwrap(), before);
    assert_eq!(ann.app.sync_status().await.unwrap().pending, queued);
    assert_eq!(
        code(
            ann.app
                .set_profile_picture(ProfileId::new(), noise(4))
                .await
                .unwrap_err()
        ),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn twenty_large_pictures_reach_the_server_in_pushes_it_accepts() {
    let platform = Platform::start(20).await;
    let ann = Client::synced(&platform).await;
    for (i, profile) in platform.profiles.iter().enumerate() {
        ann.app
            .set_profile_picture(profile.id, noise(i as u32))
            .await
            .unwrap();
    }
    // About 5 MB of pictures: more than one request body may carry.
    let report = ann.sync(&platform).await;
    assert_eq!(report.pushed, 20);
    assert_eq!(ann.app.sync_status().await.unwrap().pending, 0);
    // Pulled by another manager, they come in pages the server cut at its byte budget (4 MiB),
    // however many changes a page may hold: no answer holds them all.
    let fresh = Client::open().await;
    let pulled = fresh.sync(&platform).await;
    assert!(pulled.pages >= 2, "{pulled:?}");
    let ids: Vec<ProfileId> = platform.profiles.iter().map(|p| p.id).collect();
    let pictures = fresh.app.profile_pictures(&ids).await.unwrap();
    assert_eq!(pictures.len(), 20);
    assert!(pictures.iter().all(|p| !p.pending));
}

#[tokio::test]
async fn the_server_keeps_only_256_pixel_pngs() {
    let platform = Platform::start(1).await;
    let id = platform.profiles[0].id;
    let base64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let small_png = encode(RgbaImage::new(16, 16), ImageFormat::Png);
    let jpeg = encode(RgbaImage::new(256, 256), ImageFormat::Jpeg);
    let refused = [
        "not base64 at all".to_string(),
        base64(&small_png),
        base64(&jpeg),
        base64(&vec![0; 400 * 1024]),
    ];
    let ops: Vec<Op> = refused
        .into_iter()
        .map(|png| Op::ProfileSetPicture {
            profile_id: id,
            png: Some(png),
        })
        .collect();
    let answer = platform.push_from_elsewhere(&ops).await;
    assert_eq!(answer.rejections.len(), 4, "{answer:?}");
    assert!(answer
        .rejections
        .iter()
        .all(|r| r.code == ErrorCode::Validation || r.code == ErrorCode::InvalidRequest));
    let ann = Client::synced(&platform).await;
    assert_eq!(picture_of(&ann, id).await, None);
}
