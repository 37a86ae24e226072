//! Getting documents to customers: the company's own template and logo
//! (`/api/invoicing/template/`, `/api/invoicing/logo/`, both checked by the PDF renderer before
//! they are stored) and e-mail ([`send`]: `…/{id}/send/`, `…/{id}/deliveries/`).

mod send;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

pub use send::{DeliveryDto, SendBody, deliveries, send};

use super::company::{Idempotency, InCompany, JsonBody, perm};
use super::error::{ApiError, Reply};
use crate::pdf;
use crate::store::delivery::{self as store, Logo};

/// Larger than any sensible template (the default is 2 KB), small enough to keep out of the way.
const MAX_TEMPLATE_BYTES: usize = 64 * 1024;
/// A logo is drawn at most 150 × 56 pt: a megabyte is plenty. Also the logo route's body limit.
pub const MAX_LOGO_BYTES: usize = 1024 * 1024;

/// The body of `PUT /api/invoicing/template/`. Optional in the type, so that a missing key is a
/// 400 that names it.
#[derive(Deserialize, ToSchema)]
#[schema(as = TemplateInput)]
pub struct TemplateBody {
    /// The template as TOML (see `GET`'s `default`).
    #[schema(value_type = String, required = true)]
    template: Option<String>,
}

/// The company's document template.
#[derive(Serialize, ToSchema)]
#[schema(as = Template)]
pub struct TemplateDto {
    /// The TOML in use: the company's own, or the default.
    pub template: String,
    /// Whether the company has none of its own.
    pub is_default: bool,
    /// The embedded default, to start from.
    pub default: &'static str,
}

impl TemplateDto {
    fn of(own: Option<String>) -> TemplateDto {
        TemplateDto {
            is_default: own.is_none(),
            template: own.unwrap_or_else(|| pdf::DEFAULT_TOML.to_owned()),
            default: pdf::DEFAULT_TOML,
        }
    }
}

fn image_types() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["image/png", "image/jpeg"]))
        .build()
}

/// The logo as stored.
#[derive(Serialize, ToSchema)]
#[schema(as = LogoInfo)]
pub struct LogoInfo {
    #[schema(schema_with = image_types)]
    pub content_type: String,
    /// Bytes.
    pub size: usize,
}

/// `GET /api/invoicing/template/`: the company's template TOML, or the embedded default.
pub async fn get_template(c: InCompany<perm::ViewDocuments>) -> Reply<Json<TemplateDto>> {
    let own = c.read(|tx, ctx| Ok(store::template(tx, ctx.company.id)?)).await?;
    Ok(Json(TemplateDto::of(own)))
}

/// `PUT /api/invoicing/template/`: checked with the renderer's own parser before it is stored, so a
/// saved template always renders; a bad one answers 400 on `template` with the parser's message
/// (once the company is known to be the caller's: 404 first).
pub async fn put_template(c: InCompany<perm::IssueDocuments>, mut body: JsonBody<TemplateBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let text = checked_template(body.parse()?)?;
        store::set_template(tx, ctx.company.id, &text, ctx.actor, ctx.now)?;
        Ok(TemplateDto::of(Some(text)))
    })
    .await
}

fn checked_template(body: TemplateBody) -> Result<String, ApiError> {
    let Some(text) = body.template else {
        return Err(ApiError::field("template", "This field is required."));
    };
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(ApiError::field(
            "template",
            format!("Ensure the template has no more than {MAX_TEMPLATE_BYTES} bytes."),
        ));
    }
    pdf::Template::from_toml(&text).map_err(|e| ApiError::field("template", e.to_string()))?;
    Ok(text)
}

/// `DELETE /api/invoicing/template/`: back to the embedded default look (the logo stays).
pub async fn delete_template(c: InCompany<perm::IssueDocuments>, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::NO_CONTENT, |tx, ctx| {
        Ok(store::clear_template(tx, ctx.company.id, ctx.actor, ctx.now)?)
    })
    .await
}

/// `GET /api/invoicing/logo/`: the stored image as uploaded.
pub async fn get_logo(c: InCompany<perm::ViewDocuments>) -> Reply {
    let logo = c
        .read(|tx, ctx| store::logo(tx, ctx.company.id)?.ok_or(ApiError::NotFound))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, logo.content_type),
            (header::CACHE_CONTROL, "private, no-cache".to_owned()),
        ],
        logo.bytes,
    )
        .into_response())
}

/// `PUT /api/invoicing/logo/`: the raw image as the body. In the order of their cost: the
/// permission (403, before a byte of the body is read); the declared type, PNG or JPEG (else
/// 415); at most 1 MiB (else 413, the route's body limit); the bytes of that type, with a size
/// a logo needs, from the header alone (else 400 on `logo`); the company (404); then the whole
/// image decoded and drawn once, on a blocking thread with no transaction open (else 400); and
/// only then stored.
pub async fn put_logo(
    c: InCompany<perm::IssueDocuments>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply<Json<LogoInfo>> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest("Could not read the request body.".into())
        }
    })?;
    let logo = screened_logo(&headers, body)?;
    c.clone().read(|_, _| Ok(())).await?;
    let logo = decoded_logo(&c, logo).await?;
    let info = LogoInfo {
        content_type: logo.content_type.clone(),
        size: logo.bytes.len(),
    };
    c.change(move |tx, ctx| Ok(store::set_logo(tx, ctx.company.id, Some(&logo), ctx.actor, ctx.now)?))
        .await?;
    Ok(Json(info))
}

/// The upload, if its declared type, size, signature and header (read without decoding) are
/// those of a logo.
fn screened_logo(headers: &HeaderMap, body: Bytes) -> Reply<Logo> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let essence = declared.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let (signature, name): (&[u8], &str) = match essence.as_str() {
        "image/png" => (b"\x89PNG\r\n\x1a\n", "PNG"),
        "image/jpeg" => (&[0xFF, 0xD8, 0xFF], "JPEG"),
        _ => return Err(ApiError::UnsupportedMediaType(declared)),
    };
    if body.len() > MAX_LOGO_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if !body.starts_with(signature) {
        return Err(ApiError::field("logo", format!("The file is not a {name} image.")));
    }
    pdf::check_logo_header(&body).map_err(|e| ApiError::field("logo", e.to_string()))?;
    Ok(Logo {
        content_type: essence,
        bytes: body.to_vec(),
    })
}

/// The logo, once it has decoded completely and been drawn (on a blocking thread: it takes time).
async fn decoded_logo<P>(c: &InCompany<P>, logo: Logo) -> Reply<Logo> {
    let checked = c
        .app()
        .blocking(move |_| Ok(pdf::check_logo(&logo.bytes).map(|()| logo).map_err(|e| e.to_string())))
        .await?;
    checked.map_err(|message| ApiError::field("logo", message))
}

/// `DELETE /api/invoicing/logo/`: documents go back to having no logo.
pub async fn delete_logo(c: InCompany<perm::IssueDocuments>, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::NO_CONTENT, |tx, ctx| {
        Ok(store::set_logo(tx, ctx.company.id, None, ctx.actor, ctx.now)?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
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

    /// A few hundred bytes can declare a canvas that takes gigabytes to decode: refused by size.
    #[test]
    fn a_logo_declaring_a_huge_canvas_is_refused() {
        let mut png = include_bytes!("../../pdf/testdata/logo.png").to_vec();
        assert!(pdf::check_logo(&png).is_ok());
        // IHDR: length (8..12), type (12..16), width (16..20), height (20..24), …, CRC (29..33).
        png[16..20].copy_from_slice(&40_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&40_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = pdf::check_logo(&png).unwrap_err().to_string();
        assert!(err.contains("40000 × 40000 pixels"), "{err}");
    }
}
