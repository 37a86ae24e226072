//! `[smtp]`: where e-mailed documents go, who they are from, and how many one firm may send.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Sending documents by e-mail. Unset (no `url` and no `file_dir`): delivery is off and
/// `…/send/` answers 400 saying what to set.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SmtpConfig {
    /// `smtps://user:pass@host` (TLS, port 465), `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// or plain `smtp://host:25` for a relay on a trusted network. The password is masked when shown.
    pub url: Option<String>,
    /// The sender, `billing@firm.example` or `Firm Books <billing@firm.example>`.
    pub from: Option<String>,
    /// Writes each message as an `.eml` file in this directory instead of sending it (a sink for
    /// tests and trials); wins over `url`.
    pub file_dir: Option<PathBuf>,
    /// Messages one firm may start in any sliding hour, over all its companies (then 429 with
    /// `Retry-After`): the server sends from its own address, so a firm cannot use it to flood.
    pub messages_per_firm_per_hour: u32,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            url: None,
            from: None,
            file_dir: None,
            messages_per_firm_per_hour: 200,
        }
    }
}

impl SmtpConfig {
    /// Whether documents can be e-mailed: a sender and somewhere to send to.
    pub fn enabled(&self) -> bool {
        self.from.is_some() && (self.url.is_some() || self.file_dir.is_some())
    }

    /// Checked at start-up, so a typo stops the server instead of the first send. No connection is made.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.messages_per_firm_per_hour == 0 {
            return Err(ConfigError::Invalid(
                "smtp.messages_per_firm_per_hour must be at least 1 (to stop e-mail, unset smtp.url)".into(),
            ));
        }
        if let Some(url) = &self.url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(ConfigError::Invalid(
                "smtp.url must start with smtp:// or smtps://, e.g. smtps://user:password@mail.example.com".into(),
            ));
        }
        match &self.from {
            None if self.url.is_some() || self.file_dir.is_some() => Err(ConfigError::Invalid(
                "smtp.from must be set when smtp.url or smtp.file_dir is: the address documents are sent from".into(),
            )),
            Some(from) if from.parse::<lettre::message::Mailbox>().is_err() => Err(ConfigError::Invalid(format!(
                "smtp.from = {from:?} is not an address such as \"Firm Books <billing@firm.example>\""
            ))),
            _ => Ok(()),
        }
    }
}
