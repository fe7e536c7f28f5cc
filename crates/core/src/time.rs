//! The manager's time zone: parsing its IANA name, formatting times in it, and the Last seen
//! windows, which start at local midnight.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{CoreError, Result};
use userdesk_model::LastSeenWindow;

/// Where the store reads the time of an edit, a note, a request or a job: the system's clock,
/// or one set by hand, so a recorded scenario (and the test double held to it) sees the same
/// times on every run.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    set: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that shows `at` until [`Clock::set`] moves it.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self {
            set: Some(Arc::new(Mutex::new(at))),
        }
    }

    /// Moves a manual clock to `at`; the system's clock cannot be moved and ignores it.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(set) = &self.set {
            *set.lock().unwrap_or_else(|e| e.into_inner()) = at;
        }
    }

    /// The time now, as this clock tells it.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.set {
            Some(set) => *set.lock().unwrap_or_else(|e| e.into_inner()),
            None => Utc::now(),
        }
    }
}

/// Parses an IANA time zone name such as `Europe/Berlin`.
pub fn parse_time_zone(name: &str) -> Result<Tz> {
    name.parse::<Tz>()
        .map_err(|_| CoreError::InvalidTimeZone(name.to_string()))
}

/// The operating system's time zone, or UTC when it cannot be told.
pub fn system_time_zone() -> Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse().ok())
        .unwrap_or(Tz::UTC)
}

/// Every time zone the manager can pick, by IANA name.
pub fn time_zone_names() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

/// A time as the tables and the Details window show it, in the manager's zone.
pub fn format_timestamp(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%b %-d, %Y %H:%M").to_string()
}

/// A day as the Trash names it ("Jan 5, 2027"), in the manager's zone.
pub fn format_date(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%b %-d, %Y").to_string()
}

/// The first instant of the Last seen window, or `None` for any time.
pub fn window_start(window: LastSeenWindow, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
    let days_back = match window {
        LastSeenWindow::Any => return None,
        LastSeenWindow::Today => 0,
        LastSeenWindow::Last7Days => 6,
        LastSeenWindow::Last30Days => 29,
    };
    let first_day = now
        .with_timezone(&tz)
        .date_naive()
        .checked_sub_days(Days::new(days_back))?;
    let midnight = first_day.and_time(NaiveTime::MIN);
    // Where a zone skips midnight (a DST change at 00:00), the day starts at the first hour that
    // exists.
    let start = (0..=3)
        .find_map(|hour| {
            tz.from_local_datetime(&(midnight + chrono::Duration::hours(hour)))
                .earliest()
        })
        .map(|local| local.with_timezone(&Utc));
    start.or(Some(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn times_are_shown_in_the_managers_zone() {
        let at = utc("2026-11-28T14:19:00Z");
        assert_eq!(format_timestamp(at, Tz::UTC), "Nov 28, 2026 14:19");
        assert_eq!(
            format_timestamp(at, parse_time_zone("Asia/Tokyo").unwrap()),
            "Nov 28, 2026 23:19"
        );
        assert_eq!(
            format_timestamp(at, parse_time_zone("America/Los_Angeles").unwrap()),
            "Nov 28, 2026 06:19"
        );
    }

    #[test]
    fn an_unknown_zone_is_refused_by_name() {
        let err = parse_time_zone("Mars/Olympus").unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus"));
    }

    #[test]
    fn today_starts_at_local_midnight() {
        let now = utc("2026-11-28T02:00:00Z");
        let tokyo = parse_time_zone("Asia/Tokyo").unwrap();
        assert_eq!(
            window_start(LastSeenWindow::Today, now, tokyo),
            Some(utc("2026-11-27T15:00:00Z"))
        );
        let la = parse_time_zone("America/Los_Angeles").unwrap();
        assert_eq!(
            window_start(LastSeenWindow::Today, now, la),
            Some(utc("2026-11-27T08:00:00Z"))
        );
        assert_eq!(
            window_start(LastSeenWindow::Last7Days, now, Tz::UTC),
            Some(utc("2026-11-22T00:00:00Z"))
        );
        assert_eq!(
            window_start(LastSeenWindow::Last30Days, now, Tz::UTC),
            Some(utc("2026-10-30T00:00:00Z"))
        );
        assert_eq!(window_start(LastSeenWindow::Any, now, Tz::UTC), None);
    }

    #[test]
    fn a_day_whose_midnight_does_not_exist_starts_at_its_first_hour() {
        // Chile moved its clocks from 00:00 to 01:00 on 2026-09-06.
        let santiago = parse_time_zone("America/Santiago").unwrap();
        let now = utc("2026-09-06T18:00:00Z");
        let start = window_start(LastSeenWindow::Today, now, santiago).unwrap();
        assert_eq!(
            start.with_timezone(&santiago).date_naive().to_string(),
            "2026-09-06"
        );
    }
}
