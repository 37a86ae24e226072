//! Request bodies read field by field, as DRF does: a value of the wrong type is reported under
//! its field's name, every bad field at once, instead of one parse error for the whole body.
//!
//! A body is declared once with [`fields_body!`]: its fields, their JSON types and how each is
//! read. That one list gives the struct the handler fills, its OpenAPI schema
//! (`#[derive(ToSchema)]`) and the reading through [`Fields`].

use serde_json::{Map, Value};
use uuid::Uuid;

use super::error::ApiError;
use crate::domain::FieldErrors;

/// A JSON object body, read one field at a time. Each reader answers `None` when the field is
/// absent (a `PATCH` keeps the stored value) and records an error under the field's name when
/// its value has the wrong type, so one response lists every bad field.
pub struct Fields {
    map: Map<String, Value>,
    errors: FieldErrors,
}

/// A body [`Fields`] can fill; made by [`fields_body!`].
pub trait FromFields: Sized {
    fn from_fields(fields: &mut Fields) -> Self;

    /// Reads `body` (a JSON object, else a 400 under `non_field_errors`) into `Self`, with the
    /// errors found on the way, by field.
    fn read(body: Value) -> Result<(Self, FieldErrors), ApiError> {
        let mut fields = Fields::new(body)?;
        let read = Self::from_fields(&mut fields);
        Ok((read, fields.errors))
    }
}

impl Fields {
    pub fn new(body: Value) -> Result<Fields, ApiError> {
        match body {
            Value::Object(map) => Ok(Fields {
                map,
                errors: FieldErrors::default(),
            }),
            other => Err(ApiError::field(
                "non_field_errors",
                format!("Invalid data. Expected a dictionary, but got {}.", type_name(&other)),
            )),
        }
    }

    /// The value, `None` when absent; `null` is refused unless `nullable`.
    fn get(&mut self, field: &str, nullable: bool) -> Option<Value> {
        match self.map.remove(field) {
            None => None,
            Some(Value::Null) if !nullable => {
                self.errors.add(field, "This field may not be null.");
                None
            }
            Some(v) => Some(v),
        }
    }

    /// The value `pick` reads from the field, `None` when absent or refused; a refusal's
    /// message is recorded under the field.
    fn take<T>(&mut self, field: &str, nullable: bool, pick: impl FnOnce(Value) -> Result<T, String>) -> Option<T> {
        match pick(self.get(field, nullable)?) {
            Ok(v) => Some(v),
            Err(message) => {
                self.errors.add(field, message);
                None
            }
        }
    }

    pub fn text(&mut self, field: &str) -> Option<String> {
        self.take(field, false, |v| string(v).ok_or_else(|| "Not a valid string.".into()))
    }

    /// A text field that may be `null` (cleared).
    pub fn opt_text(&mut self, field: &str) -> Option<Option<String>> {
        self.take(field, true, |v| match v {
            Value::Null => Ok(None),
            v => string(v).map(Some).ok_or_else(|| "Not a valid string.".into()),
        })
    }

    pub fn boolean(&mut self, field: &str) -> Option<bool> {
        self.take(field, false, |v| {
            v.as_bool().ok_or_else(|| "Must be a valid boolean.".into())
        })
    }

    pub fn int(&mut self, field: &str) -> Option<i64> {
        self.take(field, false, |v| {
            let parsed = match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            parsed.ok_or_else(|| "A valid integer is required.".into())
        })
    }

    /// A reference to another record: an id, or `null`/`""` for none.
    pub fn id(&mut self, field: &str) -> Option<Option<Uuid>> {
        self.take(field, true, |v| match v {
            Value::Null => Ok(None),
            Value::String(s) if s.is_empty() => Ok(None),
            Value::String(s) => Uuid::parse_str(&s)
                .map(Some)
                .map_err(|_| format!("\"{s}\" is not a valid UUID.")),
            _ => Err("Not a valid UUID.".into()),
        })
    }

    pub fn text_list(&mut self, field: &str) -> Option<Vec<String>> {
        self.take(field, false, |v| match v {
            Value::Array(items) => items
                .into_iter()
                .map(string)
                .collect::<Option<Vec<String>>>()
                .ok_or_else(|| "Each element must be a string.".into()),
            other => Err(format!(
                "Expected a list of items but got type \"{}\".",
                type_name(&other)
            )),
        })
    }

    /// An exact decimal (an amount, a percentage) as text. Whole JSON numbers are exact and
    /// accepted; fractional ones are refused, since JSON parsers read them as floats.
    pub fn decimal(&mut self, field: &str) -> Option<String> {
        self.take(field, false, |v| match v {
            Value::String(s) => Ok(s),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
            _ => Err("Send a decimal as a string, such as \"7.50\": a JSON number may lose precision.".into()),
        })
    }
}

fn string(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Declares a request body read by [`Fields`]: a struct of optional fields (`None`: not sent)
/// with its OpenAPI schema, and its conversion into the domain's changes (`into ThingChanges`,
/// a struct with the same fields). Each field is `name: JsonType = reader`, the reader being a
/// method of [`Fields`]. Fields under `nullable` may be `null` (their reader answers
/// `Option<Option<T>>`, `Some(None)` for `null`); the others refuse it.
///
/// ```ignore
/// fields_body! {
///     #[schema(as = ThingInput)]
///     pub struct ThingBody into ThingChanges {
///         name: String = text,
///     }
///     nullable {
///         account: Uuid = id,
///     }
/// }
/// ```
macro_rules! fields_body {
    (
        $(#[$meta:meta])*
        pub struct $name:ident into $changes:ident {
            $($(#[$doc:meta])* $field:ident: $ty:ty = $reader:ident,)*
        }
        nullable {
            $($(#[$ndoc:meta])* $nfield:ident: $nty:ty = $nreader:ident,)*
        }
    ) => {
        #[derive(::utoipa::ToSchema)]
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[$doc])*
                #[schema(nullable = false)]
                pub $field: Option<$ty>,
            )*
            $(
                $(#[$ndoc])*
                pub $nfield: Option<Option<$nty>>,
            )*
        }

        impl From<$name> for $changes {
            fn from(body: $name) -> Self {
                $changes {
                    $($field: body.$field,)*
                    $($nfield: body.$nfield,)*
                }
            }
        }

        impl $crate::http::resource::Form<$changes> for $name {
            type Raw = ::serde_json::Value;
            fn changes(
                raw: ::serde_json::Value,
            ) -> Result<($changes, $crate::domain::FieldErrors), $crate::http::error::ApiError> {
                let (body, errors) = <$name as $crate::http::fields::FromFields>::read(raw)?;
                Ok((body.into(), errors))
            }
        }

        impl $crate::http::fields::FromFields for $name {
            fn from_fields(fields: &mut $crate::http::fields::Fields) -> Self {
                $name {
                    $($field: fields.$reader(stringify!($field)),)*
                    $($nfield: fields.$nreader(stringify!($nfield)),)*
                }
            }
        }
    };
}
pub(crate) use fields_body;
