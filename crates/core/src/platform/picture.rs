//! A customer's picture: the file the manager picked, decoded whatever its format, cropped to a
//! centred square and scaled to 256×256 PNG. Anything that is not a readable image of a sensible
//! size is refused with the reason, before anything is stored (`store::pictures` keeps it).

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

/// Largest file accepted, in bytes (20 MB).
pub const MAX_PICTURE_BYTES: usize = 20 * 1024 * 1024;
/// The stored picture's side, in pixels.
pub const PICTURE_SIDE: u32 = 256;
/// Largest width or height decoded: a small file announcing a huge image is refused rather
/// than allowed to take gigabytes of memory.
const MAX_SIDE: u32 = 12_000;
/// Most memory the decoder may take for one picture.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Why a picture was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PictureError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; a picture may be at most 20 MB")]
    TooLarge { size: usize },
    #[error("the file is not an image Userdesk can read (use PNG, JPEG, GIF, WebP or BMP)")]
    NotAnImage,
    #[error("the {format} image is damaged and cannot be read: {reason}")]
    Corrupt {
        format: &'static str,
        reason: String,
    },
    #[error("the image is {width}×{height} pixels; at most {MAX_SIDE}×{MAX_SIDE} is accepted")]
    TooManyPixels { width: u32, height: u32 },
    #[error("the picture could not be encoded: {0}")]
    Encode(String),
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Gif => "GIF",
        ImageFormat::WebP => "WebP",
        ImageFormat::Bmp => "BMP",
        _ => "image",
    }
}

/// The picture as stored: the centred square of `file`, scaled to 256×256, as PNG bytes.
pub fn prepare_picture(file: &[u8]) -> Result<Vec<u8>, PictureError> {
    if file.is_empty() {
        return Err(PictureError::Empty);
    }
    if file.len() > MAX_PICTURE_BYTES {
        return Err(PictureError::TooLarge { size: file.len() });
    }
    let format = image::guess_format(file).map_err(|_| PictureError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::Gif
            | ImageFormat::WebP
            | ImageFormat::Bmp
    ) {
        return Err(PictureError::NotAnImage);
    }
    let corrupt = |reason: String| PictureError::Corrupt {
        format: format_name(format),
        reason,
    };
    let mut reader = ImageReader::with_format(Cursor::new(file), format);
    let (width, height) = ImageReader::with_format(Cursor::new(file), format)
        .into_dimensions()
        .map_err(|e| corrupt(e.to_string()))?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(PictureError::TooManyPixels { width, height });
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| corrupt(e.to_string()))?;
    if decoded.width() == 0 || decoded.height() == 0 {
        return Err(corrupt("it has no pixels".to_string()));
    }
    let square = centred_square(&decoded);
    let scaled = square.resize_exact(PICTURE_SIDE, PICTURE_SIDE, FilterType::Lanczos3);
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(scaled.to_rgba8())
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|e| PictureError::Encode(e.to_string()))?;
    Ok(png)
}

/// The largest square in the middle of the image.
fn centred_square(image: &DynamicImage) -> DynamicImage {
    let side = image.width().min(image.height());
    let x = (image.width() - side) / 2;
    let y = (image.height() - side) / 2;
    image.crop_imm(x, y, side, side)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgba, RgbaImage};

    fn encoded(image: &RgbaImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        let image = match format {
            // JPEG has no alpha channel.
            ImageFormat::Jpeg => {
                DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(image.clone()).to_rgb8())
            }
            _ => DynamicImage::ImageRgba8(image.clone()),
        };
        image
            .write_to(&mut Cursor::new(&mut bytes), format)
            .unwrap();
        bytes
    }

    /// A wide image: a red band left, green in the middle third, blue right.
    fn bands(width: u32, height: u32) -> RgbaImage {
        RgbaImage::from_fn(width, height, |x, _| {
            if x < width / 3 {
                Rgba([255, 0, 0, 255])
            } else if x < 2 * width / 3 {
                Rgba([0, 255, 0, 255])
            } else {
                Rgba([0, 0, 255, 255])
            }
        })
    }

    fn decode(png: &[u8]) -> RgbaImage {
        image::load_from_memory_with_format(png, ImageFormat::Png)
            .unwrap()
            .to_rgba8()
    }

    #[test]
    fn a_wide_picture_keeps_its_middle_square_at_256_pixels() {
        for format in [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::Bmp,
            ImageFormat::Gif,
        ] {
            let stored = prepare_picture(&encoded(&bands(900, 300), format)).unwrap();
            let picture = decode(&stored);
            assert_eq!(picture.dimensions(), (256, 256), "{format:?}");
            // The middle third of a 900-wide picture is exactly its central 300×300 square:
            // green edge to edge.
            for (x, y) in [(2, 128), (128, 128), (253, 128), (128, 3)] {
                let [r, g, b, _] = picture.get_pixel(x, y).0;
                assert!(
                    g > 200 && r < 60 && b < 60,
                    "{format:?} at {x},{y}: {r},{g},{b}"
                );
            }
        }
    }

    #[test]
    fn a_tall_small_picture_is_scaled_up_to_256() {
        let stored = prepare_picture(&encoded(&bands(30, 90), ImageFormat::Png)).unwrap();
        assert_eq!(decode(&stored).dimensions(), (256, 256));
    }

    #[test]
    fn a_file_that_is_not_an_image_is_refused_with_the_reason() {
        assert_eq!(
            prepare_picture(b"name,email\nAda,ada@example.com\n"),
            Err(PictureError::NotAnImage)
        );
        assert_eq!(prepare_picture(b""), Err(PictureError::Empty));
        // A format the library knows but a picture should not be (TIFF header).
        assert_eq!(
            prepare_picture(b"II*\0\x08\0\0\0"),
            Err(PictureError::NotAnImage)
        );
    }

    #[test]
    fn a_damaged_image_is_refused_naming_its_format() {
        let png = encoded(&bands(120, 80), ImageFormat::Png);
        let cut = &png[..png.len() / 2];
        let err = prepare_picture(cut).unwrap_err();
        assert!(
            matches!(err, PictureError::Corrupt { format: "PNG", .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().starts_with("the PNG image is damaged"),
            "{err}"
        );
        let mut jpeg = encoded(&bands(120, 80), ImageFormat::Jpeg);
        jpeg.truncate(40);
        let err = prepare_picture(&jpeg).unwrap_err();
        assert!(
            matches!(err, PictureError::Corrupt { format: "JPEG", .. }),
            "{err:?}"
        );
    }

    #[test]
    fn a_file_over_20_mb_is_refused_before_it_is_read() {
        let mut big = encoded(&bands(10, 10), ImageFormat::Png);
        big.resize(MAX_PICTURE_BYTES + 1, 0);
        let err = prepare_picture(&big).unwrap_err();
        assert_eq!(
            err,
            PictureError::TooLarge {
                size: MAX_PICTURE_BYTES + 1
            }
        );
        assert!(err.to_string().contains("at most 20 MB"));
    }

    #[test]
    fn a_small_file_announcing_a_huge_image_is_refused() {
        // A valid PNG header claiming 100,000 × 100,000 pixels, with no pixel data behind it.
        let mut png = encoded(&bands(4, 4), ImageFormat::Png);
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        // The IHDR chunk's checksum covers its type and data (bytes 12..29).
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = prepare_picture(&png).unwrap_err();
        assert_eq!(
            err,
            PictureError::TooManyPixels {
                width: 100_000,
                height: 100_000
            }
        );
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
