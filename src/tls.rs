//! The one TLS crypto provider: rustls' `ring`, installed process-wide before any TLS client is
//! built. lettre (SMTP over TLS) uses it by its `ring` feature; reqwest (object_store's S3 over
//! https) is built with `rustls-no-provider` and takes the process default, so aws-lc is not
//! linked. PostgreSQL connections are plain (`NoTls`).

/// Installs rustls' ring provider as the process default; a no-op once one is installed.
pub fn install_provider() {
    // Err means a provider is already installed (this one, by an earlier call): nothing to do.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
