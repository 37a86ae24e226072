//! Scheduled backups (`backup.schedule`, `backup.dir`, `backup.keep`): when the next one is due,
//! what it is called, and which old ones to delete. The server's timer lives in
//! `crate::scheduler`; this file holds the rules, so they are tested without waiting.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{Timestamp, ToSpan, Zoned};

use super::{BackupError, Reason, io_at};
pub use crate::config::Schedule;

impl Schedule {
    /// The first run strictly after `now`.
    pub fn next_after(&self, now: &Zoned) -> Result<Zoned, jiff::Error> {
        match self {
            Schedule::Hourly => {
                let top = now.with().minute(0).second(0).subsec_nanosecond(0).build()?;
                top.checked_add(1.hour())
            }
            Schedule::Daily(at) => {
                let today = now.with().time(*at).build()?;
                if today > *now {
                    Ok(today)
                } else {
                    today.checked_add(1.day())
                }
            }
            Schedule::Every(every) => {
                let midnight = now.start_of_day()?;
                let step = i64::try_from(every.as_secs()).unwrap_or(i64::MAX).max(1);
                let since = now.timestamp().as_second() - midnight.timestamp().as_second();
                let next = (since / step + 1) * step;
                if next >= 86_400 {
                    now.tomorrow()?.start_of_day()
                } else {
                    midnight.checked_add(next.seconds())
                }
            }
        }
    }
}

/// `oasys-backup-20261126T021500Z-scheduled.tar.zst` (`.enc` appended when encrypted): sorts by
/// time, says why it was taken.
pub fn file_name(at: Timestamp, reason: Reason, encrypted: bool) -> String {
    format!(
        "oasys-backup-{}-{}.tar.zst{}",
        at.strftime("%Y%m%dT%H%M%SZ"),
        reason.as_str(),
        if encrypted { ".enc" } else { "" }
    )
}

/// Deletes the oldest scheduled backups in `dir` beyond the newest `keep`, and temporary files
/// of backups that died more than a day ago. Backups taken by hand or before an upgrade are
/// never deleted here. Returns the deleted paths.
pub fn prune(dir: &Path, keep: usize) -> Result<Vec<PathBuf>, BackupError> {
    let mut scheduled = Vec::new();
    let mut deleted = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_at(dir))? {
        let entry = entry.map_err(io_at(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("oasys-backup-") {
            continue;
        }
        if name.contains(".tmp-") {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > Duration::from_secs(86_400));
            if stale {
                fs::remove_file(entry.path()).map_err(io_at(&entry.path()))?;
                deleted.push(entry.path());
            }
            continue;
        }
        if name.contains("-scheduled.tar.zst") {
            scheduled.push((name, entry.path()));
        }
    }
    scheduled.sort();
    let excess = scheduled.len().saturating_sub(keep.max(1));
    for (_, path) in scheduled.into_iter().take(excess) {
        fs::remove_file(&path).map_err(io_at(&path))?;
        deleted.push(path);
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Time;

    fn at(s: &str) -> Zoned {
        s.parse().unwrap()
    }

    #[test]
    fn schedules_parse_and_say_what_is_accepted() {
        assert_eq!(Schedule::parse("hourly"), Ok(Schedule::Hourly));
        assert_eq!(
            Schedule::parse(" Daily 02:30 "),
            Ok(Schedule::Daily(Time::constant(2, 30, 0, 0)))
        );
        assert_eq!(
            Schedule::parse("every 6h"),
            Ok(Schedule::Every(Duration::from_secs(6 * 3600)))
        );
        assert_eq!(
            Schedule::parse("every 30m"),
            Ok(Schedule::Every(Duration::from_secs(1800)))
        );
        for bad in [
            "",
            "weekly",
            "daily 25:00",
            "daily 2",
            "every 1m",
            "every 9 days",
            "every h",
        ] {
            let e = Schedule::parse(bad).unwrap_err();
            assert!(e.contains("backup.schedule"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_next_run_is_strictly_later() {
        let now = at("2026-11-26T10:15:00[UTC]");
        let daily = Schedule::Daily(Time::constant(2, 0, 0, 0));
        assert_eq!(daily.next_after(&now).unwrap(), at("2026-11-27T02:00:00[UTC]"));
        let daily = Schedule::Daily(Time::constant(10, 15, 0, 0));
        assert_eq!(daily.next_after(&now).unwrap(), at("2026-11-27T10:15:00[UTC]"));
        assert_eq!(
            Schedule::Hourly.next_after(&now).unwrap(),
            at("2026-11-26T11:00:00[UTC]")
        );
        let six = Schedule::Every(Duration::from_secs(6 * 3600));
        assert_eq!(six.next_after(&now).unwrap(), at("2026-11-26T12:00:00[UTC]"));
        let late = at("2026-11-26T23:59:00[UTC]");
        assert_eq!(six.next_after(&late).unwrap(), at("2026-11-27T00:00:00[UTC]"));
    }

    #[test]
    fn pruning_keeps_the_newest_scheduled_and_every_manual_backup() {
        let dir = tempfile::tempdir().unwrap();
        let t0: Timestamp = "2026-11-20T02:00:00Z".parse().unwrap();
        let mut names = Vec::new();
        for day in 0..5 {
            let t = t0.checked_add(jiff::SignedDuration::from_hours(24 * day)).unwrap();
            names.push(file_name(t, Reason::Scheduled, day % 2 == 0));
        }
        names.push(file_name(t0, Reason::Manual, false));
        names.push(file_name(t0, Reason::PreUpgrade, false));
        for n in &names {
            fs::write(dir.path().join(n), b"x").unwrap();
        }
        fs::write(dir.path().join("unrelated.txt"), b"x").unwrap();
        let deleted = prune(dir.path(), 2).unwrap();
        assert_eq!(deleted.len(), 3);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut want = vec![
            names[3].clone(),
            names[4].clone(),
            names[5].clone(),
            names[6].clone(),
            "unrelated.txt".to_owned(),
        ];
        want.sort();
        assert_eq!(left, want);
    }
}
