//! Access and refresh tokens: JWT signed with HS256 only.
//!
//! Every token carries `exp`, `iat`, `jti`, `token_type`, `user_id`, `tenant_id` and `ver`, the
//! user's token version: a password change or "log out everywhere" raises the version, and
//! every older token stops working. Expiry is checked with an explicit leeway of
//! [`EXPIRY_LEEWAY_SECS`] seconds for clock skew between servers.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AuthError;

/// Seconds of clock skew tolerated when checking `exp`.
pub const EXPIRY_LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Access,
    Refresh,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub exp: u64,
    pub iat: u64,
    pub jti: String,
    pub token_type: TokenType,
    pub user_id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub ver: i64,
    /// The refresh-token family (refresh tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<Uuid>,
}

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl_secs: u64,
    pub refresh_ttl_secs: u64,
}

impl Keys {
    pub fn new(secret: &[u8], access_ttl_secs: u64, refresh_ttl_secs: u64) -> Keys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = EXPIRY_LEEWAY_SECS;
        validation.validate_exp = true;
        validation.set_required_spec_claims(&["exp"]);
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl_secs,
            refresh_ttl_secs,
        }
    }

    /// Signs a token of the given type for a user.
    pub fn issue(
        &self,
        token_type: TokenType,
        user_id: Uuid,
        tenant_id: Option<Uuid>,
        ver: i64,
        fam: Option<Uuid>,
    ) -> Result<(String, Claims), AuthError> {
        let now = now_secs();
        let ttl = match token_type {
            TokenType::Access => self.access_ttl_secs,
            TokenType::Refresh => self.refresh_ttl_secs,
        };
        let claims = Claims {
            exp: now + ttl,
            iat: now,
            jti: Uuid::new_v4().simple().to_string(),
            token_type,
            user_id,
            tenant_id,
            ver,
            fam,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| AuthError::InvalidToken)?;
        Ok((token, claims))
    }

    /// Checks signature, algorithm, expiry and type.
    pub fn verify(&self, token: &str, expected: TokenType) -> Result<Claims, AuthError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| AuthError::InvalidToken)?;
        if data.header.alg != Algorithm::HS256 || data.claims.token_type != expected {
            return Err(AuthError::InvalidToken);
        }
        Ok(data.claims)
    }
}

pub fn now_secs() -> u64 {
    jiff::Timestamp::now().as_second().try_into().unwrap_or(0)
}

/// Lower-case hex, for secrets written to files and tokens.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// 32 random bytes as hex: signing secrets and one-time setup tokens.
pub fn random_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_types_do_not_mix() {
        let keys = Keys::new(b"secret", 60, 600);
        let user = Uuid::now_v7();
        let (access, _) = keys.issue(TokenType::Access, user, None, 3, None).unwrap();
        let claims = keys.verify(&access, TokenType::Access).unwrap();
        assert_eq!((claims.user_id, claims.ver), (user, 3));
        assert!(keys.verify(&access, TokenType::Refresh).is_err());
        let other = Keys::new(b"other", 60, 600);
        assert!(other.verify(&access, TokenType::Access).is_err());
    }
}
