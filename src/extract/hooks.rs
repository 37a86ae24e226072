//! Where extraction hands over to other areas once a file's text is `done`.

use uuid::Uuid;

use crate::app::App;

/// Called after the text of a file dropped in the inbox (`files.inbox = 1`) is `done`: capture
/// reads it into a draft bill or expense for the review queue (issue 18 contract).
pub fn after_extraction(app: &App, tenant: Uuid, file_id: Uuid) {
    crate::capture::after_extraction(app, tenant, file_id);
}
