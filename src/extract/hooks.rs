//! Where extraction hands over to other areas once a file's text is `done`.

use uuid::Uuid;

use crate::app::App;

/// Called after the text of a file dropped in the inbox (`files.inbox = 1`) is `done`.
// LEAD: wire capture here at merge: `crate::capture::after_extraction(app, tenant, file_id)`
// (issue 18 contract); until `capture` is merged this does nothing.
pub fn after_extraction(app: &App, tenant: Uuid, file_id: Uuid) {
    let _ = (app, tenant, file_id);
}
