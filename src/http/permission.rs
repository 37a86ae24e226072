//! The permissions of the role matrix as types (`perm::ManageUsers`), so a handler's signature
//! says what it needs: `InCompany<perm::EditLedger>`, `InFirm<perm::ManageUsers>`.

use crate::domain::roles::Action;

/// A permission of the role matrix, as a type, so a handler's signature says what it needs.
pub trait Permission: Send + Sync + 'static {
    const ACTION: Action;
}

macro_rules! permissions {
    ($($name:ident),* $(,)?) => {
        /// One type per [`Action`], for `InCompany` and `InFirm`.
        pub mod perm {
            $(
                #[doc = concat!("[`Action::", stringify!($name), "`](crate::domain::roles::Action)")]
                pub struct $name;
                impl super::Permission for $name {
                    const ACTION: crate::domain::roles::Action = crate::domain::roles::Action::$name;
                }
            )*
        }
    };
}

permissions!(
    ViewFirm,
    ManageFirm,
    ManageCompanies,
    ViewUsers,
    ManageUsers,
    ViewLedger,
    EditLedger,
    PostEntries,
    ApproveEntries,
    ClosePeriods,
    ViewReports,
    ViewDocuments,
    EditDocuments,
    IssueDocuments,
);
