//! The one S3 client builder, shared by backups (`backup.dir = "s3://…"`) and documents
//! (`storage.url = "s3://…"`): each section names its own endpoint, region and keys.

use object_store::aws::{AmazonS3, AmazonS3Builder};

/// How to reach an S3-compatible store; unset fields fall back to the `AWS_*` environment.
pub struct S3Access<'a> {
    pub endpoint: Option<&'a str>,
    pub region: Option<&'a str>,
    pub access_key_id: Option<&'a str>,
    pub secret_access_key: Option<&'a str>,
    pub allow_http: bool,
}

/// A client for `bucket`: the `AWS_*` environment first, then the settings given.
pub fn client(bucket: &str, access: &S3Access<'_>) -> Result<AmazonS3, object_store::Error> {
    // reqwest has no TLS provider of its own (Cargo.toml): every caller installs ring's.
    crate::tls::install_provider();
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
    if let Some(v) = access.endpoint {
        builder = builder.with_endpoint(v);
    }
    if let Some(v) = access.region {
        builder = builder.with_region(v);
    }
    if let Some(v) = access.access_key_id {
        builder = builder.with_access_key_id(v);
    }
    if let Some(v) = access.secret_access_key {
        builder = builder.with_secret_access_key(v);
    }
    if access.allow_http {
        builder = builder.with_allow_http(true);
    }
    builder.build()
}
