//! The periods a statement compares side by side: the period asked for, then the previous
//! period, the same period a year earlier, each month of the period, or periods chosen one by
//! one. At most [`MAX_COLUMNS`] of them.

use jiff::ToSpan;
use jiff::civil::Date;

/// The most columns one statement shows (two years of months).
pub const MAX_COLUMNS: usize = 24;

/// What the period is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// The period alone.
    None,
    /// The period of the same length just before (whole months when the period is whole months).
    PreviousPeriod,
    /// The same dates a year earlier.
    PreviousYear,
    /// The period split into calendar months, one column each (no column for the whole).
    Months,
}

impl Compare {
    pub const ALL: [Compare; 4] = [
        Compare::None,
        Compare::PreviousPeriod,
        Compare::PreviousYear,
        Compare::Months,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Compare::None => "none",
            Compare::PreviousPeriod => "previous_period",
            Compare::PreviousYear => "previous_year",
            Compare::Months => "months",
        }
    }

    pub fn parse(s: &str) -> Option<Compare> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Why the columns cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ColumnsError {
    #[error("The start of a period must not be after its end.")]
    Order,
    #[error("At most {MAX_COLUMNS} columns can be shown side by side.")]
    TooMany,
    #[error("The comparison period falls outside the calendar.")]
    OutOfRange,
}

/// The columns for `from` … `to` compared as asked.
pub fn periods(from: Date, to: Date, compare: Compare) -> Result<Vec<(Date, Date)>, ColumnsError> {
    if from > to {
        return Err(ColumnsError::Order);
    }
    let out = |r: Result<Date, jiff::Error>| r.map_err(|_| ColumnsError::OutOfRange);
    match compare {
        Compare::None => Ok(vec![(from, to)]),
        Compare::PreviousPeriod => {
            let before = out(from.yesterday())?;
            let start = if from.day() == 1 && to == to.last_of_month() {
                let months = (i32::from(to.year()) * 12 + i32::from(to.month()))
                    - (i32::from(from.year()) * 12 + i32::from(from.month()))
                    + 1;
                out(from.checked_sub(months.months()))?
            } else {
                let days = from.until(to).map_err(|_| ColumnsError::OutOfRange)?.get_days();
                out(before.checked_sub(days.days()))?
            };
            Ok(vec![(from, to), (start, before)])
        }
        Compare::PreviousYear => {
            let start = out(from.checked_sub(1.year()))?;
            let mut end = out(to.checked_sub(1.year()))?;
            if to == to.last_of_month() {
                end = end.last_of_month();
            }
            Ok(vec![(from, to), (start, end)])
        }
        Compare::Months => {
            let mut columns = Vec::new();
            let mut start = from;
            loop {
                let end = start.last_of_month().min(to);
                columns.push((start, end));
                if columns.len() > MAX_COLUMNS {
                    return Err(ColumnsError::TooMany);
                }
                match end.tomorrow() {
                    Ok(next) if next <= to => start = next,
                    _ => break,
                }
            }
            Ok(columns)
        }
    }
}

/// Periods chosen one by one: each in order, at most [`MAX_COLUMNS`].
pub fn chosen(periods: Vec<(Date, Date)>) -> Result<Vec<(Date, Date)>, ColumnsError> {
    if periods.len() > MAX_COLUMNS {
        return Err(ColumnsError::TooMany);
    }
    if periods.iter().any(|(from, to)| from > to) {
        return Err(ColumnsError::Order);
    }
    Ok(periods)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn comparisons() {
        let (from, to) = (date(2026, 1, 1), date(2026, 3, 31));
        assert_eq!(
            periods(from, to, Compare::PreviousPeriod),
            Ok(vec![(from, to), (date(2025, 10, 1), date(2025, 12, 31))])
        );
        assert_eq!(
            periods(date(2026, 1, 10), date(2026, 1, 19), Compare::PreviousPeriod),
            Ok(vec![
                (date(2026, 1, 10), date(2026, 1, 19)),
                (date(2025, 12, 31), date(2026, 1, 9))
            ])
        );
        assert_eq!(
            periods(date(2024, 2, 1), date(2024, 2, 29), Compare::PreviousYear),
            Ok(vec![
                (date(2024, 2, 1), date(2024, 2, 29)),
                (date(2023, 2, 1), date(2023, 2, 28))
            ])
        );
        let months = periods(date(2025, 1, 15), date(2025, 12, 31), Compare::Months).unwrap();
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], (date(2025, 1, 15), date(2025, 1, 31)));
        assert_eq!(months[11], (date(2025, 12, 1), date(2025, 12, 31)));
        assert_eq!(
            periods(date(2020, 1, 1), date(2025, 1, 1), Compare::Months),
            Err(ColumnsError::TooMany)
        );
        assert_eq!(periods(to, from, Compare::None), Err(ColumnsError::Order));
        assert_eq!(chosen(vec![(to, from)]), Err(ColumnsError::Order));
        assert_eq!(chosen(vec![(from, to); MAX_COLUMNS + 1]), Err(ColumnsError::TooMany));
    }
}
