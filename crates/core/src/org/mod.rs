//! Organizations (seed 003 chapter 3 and seed 000 機關端): identifiers, the function
//! permission tree, the certificate flows as a state machine, ROC times and the handler list's
//! paging rules. No IO.

pub mod cards;
pub mod flow;
pub mod ids;
pub mod permissions;
pub mod roc;
pub mod serial;

pub use cards::{OrgCardKind, OrgIds, card_matches};
pub use flow::{FlowKind, ManagerRule, OrgCardRule, ReceiptItem, Step};
pub use ids::{AgencyCode, BusinessId, InstitutionCode, OrgKind, OrganizationOid};
pub use permissions::PermissionTree;
pub use serial::CertSerial;

use crate::{FieldError, Lang};

/// The page sizes the handler list offers (圖3-14: 10 / 25 / 50 顯示筆數).
pub const PAGE_SIZES: [u32; 3] = [10, 25, 50];

/// A requested page of a list: 1-based page number and one of [`PAGE_SIZES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    /// Validates `page` (from 1, default 1) and `per_page` (10, 25 or 50, default 10).
    pub fn parse(page: Option<u32>, per_page: Option<u32>) -> Result<Self, FieldError> {
        let per_page = per_page.unwrap_or(10);
        if !PAGE_SIZES.contains(&per_page) {
            return Err(FieldError::new("per_page", "per_page_invalid"));
        }
        let page = page.unwrap_or(1);
        if page == 0 || page > 1_000_000 {
            return Err(FieldError::new("page", "page_invalid"));
        }
        Ok(PageRequest { page, per_page })
    }

    /// Rows to skip.
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// The 1-based positions shown and the total, as 「顯示第 from 至 to 項結果，共 total 項」
    /// counts them (0 to 0 when nothing is shown).
    pub fn range(self, shown: usize, total: i64) -> (i64, i64) {
        if shown == 0 || total == 0 {
            (0, 0)
        } else {
            (self.offset() + 1, (self.offset() + shown as i64).min(total))
        }
    }
}

/// 「顯示第 1 至 10 項結果，共 N 項」 in the request's language.
pub fn page_summary(lang: Lang, from: i64, to: i64, total: i64) -> String {
    match lang {
        Lang::ZhTw => format!("顯示第 {from} 至 {to} 項結果，共 {total} 項"),
        Lang::En => format!("Showing {from} to {to} of {total} entries"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_the_seed_summary() {
        let p = PageRequest::parse(Some(2), Some(10)).unwrap();
        assert_eq!(p.offset(), 10);
        assert_eq!(p.range(10, 23), (11, 20));
        let last = PageRequest::parse(Some(3), Some(10)).unwrap();
        assert_eq!(last.range(3, 23), (21, 23));
        let empty = PageRequest::parse(None, None).unwrap();
        assert_eq!(
            empty,
            PageRequest {
                page: 1,
                per_page: 10
            }
        );
        assert_eq!(empty.range(0, 0), (0, 0));
        assert_eq!(
            page_summary(Lang::ZhTw, 1, 10, 23),
            "顯示第 1 至 10 項結果，共 23 項"
        );
        assert_eq!(
            page_summary(Lang::ZhTw, 0, 0, 0),
            "顯示第 0 至 0 項結果，共 0 項"
        );
        assert_eq!(
            PageRequest::parse(None, Some(20)).unwrap_err().code,
            "per_page_invalid"
        );
        assert_eq!(
            PageRequest::parse(Some(0), None).unwrap_err().code,
            "page_invalid"
        );
    }
}
