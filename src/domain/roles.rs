//! Roles and the one permission matrix: which role may do what. The README's roles table is
//! generated from the same list (see `tests/api/roles.rs`).

use std::fmt;
use std::str::FromStr;

/// The seed's roles, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    PlatformAdmin,
    TenantAdmin,
    FirmAdmin,
    Cfo,
    Accountant,
    Staff,
}

/// Everything a user can be allowed to do. Extra actions can be granted to one user through
/// their `permissions` list, by the action's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the firm's name, plan and settings.
    ViewFirm,
    /// Rename the firm, change its settings.
    ManageFirm,
    /// Create companies and change their details.
    ManageCompanies,
    /// See the firm's users.
    ViewUsers,
    /// Invite users, change roles and company access, deactivate.
    ManageUsers,
    /// Read the chart of accounts, journal and ledger.
    ViewLedger,
    /// Create and edit accounts and draft entries.
    EditLedger,
    /// Post and reverse journal entries.
    PostEntries,
    /// Approve entries that need approval.
    ApproveEntries,
    /// Close and reopen periods.
    ClosePeriods,
    /// Read reports (trial balance, ledgers, ageing).
    ViewReports,
    /// Read customers, vendors, items, tax rates, invoices, bills and payments.
    ViewDocuments,
    /// Create and edit customers, vendors, items and draft invoices and bills.
    EditDocuments,
    /// Issue, void and credit invoices and bills, record payments, set tax rates: what posts to
    /// the ledger.
    IssueDocuments,
}

pub const ALL_ROLES: [Role; 6] = [
    Role::PlatformAdmin,
    Role::TenantAdmin,
    Role::FirmAdmin,
    Role::Cfo,
    Role::Accountant,
    Role::Staff,
];

pub const ALL_ACTIONS: [Action; 14] = [
    Action::ViewFirm,
    Action::ManageFirm,
    Action::ManageCompanies,
    Action::ViewUsers,
    Action::ManageUsers,
    Action::ViewLedger,
    Action::EditLedger,
    Action::PostEntries,
    Action::ApproveEntries,
    Action::ClosePeriods,
    Action::ViewReports,
    Action::ViewDocuments,
    Action::EditDocuments,
    Action::IssueDocuments,
];

/// The permission matrix. Read a row as "this action is allowed to these roles".
pub fn allowed_roles(action: Action) -> &'static [Role] {
    use Role::*;
    match action {
        Action::ViewFirm => &[PlatformAdmin, TenantAdmin, FirmAdmin, Cfo, Accountant, Staff],
        Action::ManageFirm => &[PlatformAdmin, TenantAdmin],
        Action::ManageCompanies => &[PlatformAdmin, TenantAdmin, FirmAdmin],
        Action::ViewUsers => &[PlatformAdmin, TenantAdmin, FirmAdmin, Cfo],
        Action::ManageUsers => &[PlatformAdmin, TenantAdmin, FirmAdmin],
        Action::ViewLedger => &[PlatformAdmin, TenantAdmin, FirmAdmin, Cfo, Accountant, Staff],
        Action::EditLedger => &[PlatformAdmin, TenantAdmin, FirmAdmin, Cfo, Accountant, Staff],
        Action::PostEntries => &[PlatformAdmin, TenantAdmin, FirmAdmin, Cfo, Accountant],
        Action::ApproveEntries => &[PlatformAdmin, TenantAdmin, FirmAdmin, Cfo],
        Action::ClosePeriods => &[PlatformAdmin, TenantAdmin, FirmAdmin, Cfo],
        Action::ViewReports => &[PlatformAdmin, TenantAdmin, FirmAdmin, Cfo, Accountant],
        Action::ViewDocuments => &[PlatformAdmin, TenantAdmin, FirmAdmin, Cfo, Accountant, Staff],
        Action::EditDocuments => &[PlatformAdmin, TenantAdmin, FirmAdmin, Cfo, Accountant, Staff],
        Action::IssueDocuments => &[PlatformAdmin, TenantAdmin, FirmAdmin, Cfo, Accountant],
    }
}

/// May a user with `role` and these extra `permissions` do `action`?
pub fn can(role: Role, permissions: &[String], action: Action) -> bool {
    allowed_roles(action).contains(&role) || permissions.iter().any(|p| p == action.as_str())
}

/// Roles `assigner` may give to others: never above their own, and `platform_admin` only
/// from the CLI.
pub fn can_assign(assigner: Role, role: Role) -> bool {
    role != Role::PlatformAdmin && role >= assigner
}

/// Roles that always see every company of their firm, whatever their company list says.
pub fn sees_all_companies(role: Role) -> bool {
    matches!(role, Role::PlatformAdmin | Role::TenantAdmin)
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::TenantAdmin => "tenant_admin",
            Role::FirmAdmin => "firm_admin",
            Role::Cfo => "cfo",
            Role::Accountant => "accountant",
            Role::Staff => "staff",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL_ROLES
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("\"{s}\" is not a valid choice."))
    }
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ViewFirm => "firm.view",
            Action::ManageFirm => "firm.manage",
            Action::ManageCompanies => "companies.manage",
            Action::ViewUsers => "users.view",
            Action::ManageUsers => "users.manage",
            Action::ViewLedger => "ledger.view",
            Action::EditLedger => "ledger.edit",
            Action::PostEntries => "entries.post",
            Action::ApproveEntries => "entries.approve",
            Action::ClosePeriods => "periods.close",
            Action::ViewReports => "reports.view",
            Action::ViewDocuments => "documents.view",
            Action::EditDocuments => "documents.edit",
            Action::IssueDocuments => "documents.issue",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        ALL_ACTIONS.into_iter().find(|a| a.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for r in ALL_ROLES {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn higher_roles_can_do_at_least_what_lower_roles_can() {
        for a in ALL_ACTIONS {
            for (i, hi) in ALL_ROLES.iter().enumerate() {
                for lo in &ALL_ROLES[i..] {
                    if can(*lo, &[], a) {
                        assert!(can(*hi, &[], a), "{hi} cannot {a:?} but {lo} can");
                    }
                }
            }
        }
    }

    #[test]
    fn extra_permissions_grant_single_actions() {
        assert!(!can(Role::Staff, &[], Action::PostEntries));
        assert!(can(Role::Staff, &["entries.post".into()], Action::PostEntries));
        assert!(!can(Role::Staff, &["entries.post".into()], Action::ManageUsers));
    }

    #[test]
    fn nobody_assigns_above_themselves() {
        assert!(can_assign(Role::TenantAdmin, Role::TenantAdmin));
        assert!(!can_assign(Role::FirmAdmin, Role::TenantAdmin));
        assert!(!can_assign(Role::TenantAdmin, Role::PlatformAdmin));
        assert!(can_assign(Role::FirmAdmin, Role::Staff));
    }
}
