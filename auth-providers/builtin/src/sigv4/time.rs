//! ISO-8601 basic format (`yyyymmddThhmmssZ`), the form of `X-Amz-Date` and of the times in
//! DynamoDB's clock-skew messages.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;

/// The instant `s` names, if it is `yyyymmddThhmmssZ` with a real date and time.
///
/// The calendar arithmetic is by hand (days from the civil date, proleptic Gregorian, as the
/// `time` crate counts): every signed request is read through here, and building `time`'s
/// checked `Date` and `Time` cost more than the rest of the header parse. A test checks it
/// against `time` on every month's edges and on random dates.
pub fn parse_basic(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    if !b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let (year, month, day) = (num(0..4), num(4..6), num(6..8));
    let (hour, minute, second) = (num(9..11), num(11..13), num(13..15));
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let secs =
        days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    if secs >= 0 {
        Some(UNIX_EPOCH + Duration::from_secs(secs as u64))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))
    }
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// Days in `month` (1–12) of `year`.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the date (years from 0; Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    // Years counted from March, so that the leap day ends one.
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let march_based = i64::from((month + 9) % 12);
    let day_of_year = (153 * march_based + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// `t` as `yyyymmddThhmmssZ` (whole seconds, UTC).
pub fn format_basic(t: SystemTime) -> String {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    let dt = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_impossible_dates() {
        let t = parse_basic("20150830T123600Z").unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_440_938_160
        );
        assert_eq!(format_basic(t), "20150830T123600Z");
        assert!(parse_basic("20240229T235959Z").is_some());
        assert!(parse_basic("20230229T000000Z").is_none());
        assert!(parse_basic("20240229T245959Z").is_none());
        assert!(parse_basic("2024-02-29T23:59:59Z").is_none());
        assert!(parse_basic("20240229T235959").is_none());
        assert!(parse_basic("2024022９T235959Z").is_none());
    }

    /// `parse_basic` as it was, on the `time` crate's calendar.
    fn by_time_crate(s: &str) -> Option<SystemTime> {
        use time::{Date, Month, PrimitiveDateTime, Time};
        let b = s.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return None;
        }
        if !b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit) {
            return None;
        }
        let num = |r: std::ops::Range<usize>| {
            b[r].iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
        };
        let month = Month::try_from(u8::try_from(num(4..6)).ok()?).ok()?;
        let date = Date::from_calendar_date(i32::try_from(num(0..4)).ok()?, month, num(6..8) as u8)
            .ok()?;
        let time = Time::from_hms(num(9..11) as u8, num(11..13) as u8, num(13..15) as u8).ok()?;
        let secs = PrimitiveDateTime::new(date, time)
            .assume_utc()
            .unix_timestamp();
        if secs >= 0 {
            Some(UNIX_EPOCH + Duration::from_secs(secs as u64))
        } else {
            UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))
        }
    }

    #[test]
    fn every_month_edge_agrees_with_the_time_crate() {
        for year in [
            0, 1, 4, 99, 100, 400, 1600, 1900, 1969, 1970, 2000, 2024, 2100, 9999,
        ] {
            for month in 0..=13 {
                for day in [0, 1, 28, 29, 30, 31, 32] {
                    for hms in ["000000", "235959", "240000", "236000", "235960", "123456"] {
                        let s = format!("{year:04}{month:02}{day:02}T{hms}Z");
                        assert_eq!(parse_basic(&s), by_time_crate(&s), "{s}");
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_date_agrees_with_the_time_crate(s in "[0-9]{4}(0[0-9]|1[0-3])[0-3][0-9]T[0-2][0-9][0-6][0-9][0-6][0-9]Z|[0-9]{8}T[0-9]{6}Z|[0-9TZ]{16}") {
            proptest::prop_assert_eq!(parse_basic(&s), by_time_crate(&s));
        }
    }
}
