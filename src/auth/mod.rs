//! Authentication and the tenancy boundary: password hashing, tokens, login rate limits, and
//! the scopes through which every handler reaches a firm's data.

pub mod callers;
pub mod jwt;
pub mod password;
pub mod ratelimit;
pub mod scope;

/// Why a request is not authenticated or not allowed. Messages are the ones the API shows.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("Invalid credentials")]
    InvalidCredentials,
    #[error("Authentication credentials were not provided.")]
    MissingCredentials,
    #[error("Given token not valid for any token type")]
    InvalidToken,
    #[error("Token is invalid or expired")]
    InvalidRefreshToken,
    #[error("User is inactive")]
    Inactive,
    #[error("You do not have permission to perform this action.")]
    Forbidden,
    #[error("Too many login attempts. Try again in {retry_after} seconds.")]
    RateLimited { retry_after: u64 },
    /// The company asked for does not exist in the caller's firm, or is not theirs to see.
    #[error("Not found.")]
    NoSuchCompany,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}
