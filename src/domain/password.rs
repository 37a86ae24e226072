//! The password policy: at least 8 characters, up to 128 accepted, and not guessable
//! (zxcvbn, a maintained strength estimator, scores it; the names and e-mail of the user count
//! as guessable words).

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

/// Returns the reasons a password is refused, empty when it is acceptable.
pub fn check(password: &str, user_inputs: &[&str]) -> Vec<String> {
    let len = password.chars().count();
    if len < MIN_LENGTH {
        return vec![format!(
            "This password is too short. It must contain at least {MIN_LENGTH} characters."
        )];
    }
    if len > MAX_LENGTH {
        return vec![format!(
            "This password is too long. It may contain at most {MAX_LENGTH} characters."
        )];
    }
    let entropy = zxcvbn::zxcvbn(password, user_inputs);
    if entropy.score() < zxcvbn::Score::Three {
        let mut reasons = vec!["This password is too common or too easy to guess.".to_owned()];
        if let Some(feedback) = entropy.feedback() {
            if let Some(w) = feedback.warning() {
                reasons.push(w.to_string());
            }
            reasons.extend(feedback.suggestions().iter().map(ToString::to_string));
        }
        return reasons;
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_common_and_personal_passwords() {
        assert!(!check("short", &[]).is_empty());
        assert!(!check("password123", &[]).is_empty());
        assert!(!check("admin123", &[]).is_empty());
        assert!(!check("lovelace-ada", &["ada", "lovelace"]).is_empty());
        assert!(!check(&"x".repeat(129), &[]).is_empty());
    }

    #[test]
    fn accepts_long_passphrases() {
        assert!(check("correct horse battery staple", &[]).is_empty());
        assert!(check(&"quiet-ledger-river-".repeat(4), &[]).is_empty());
        assert_eq!(check("Tq8#vL2!pZ9@", &[]), Vec::<String>::new());
    }
}
