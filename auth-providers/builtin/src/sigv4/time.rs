//! ISO-8601 basic format (`yyyymmddThhmmssZ`), the form of `X-Amz-Date` and of the times in
//! DynamoDB's clock-skew messages.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// The instant `s` names, if it is `yyyymmddThhmmssZ` with a real date and time.
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
    let month = Month::try_from(u8::try_from(num(4..6)).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::try_from(num(0..4)).ok()?, month, num(6..8) as u8).ok()?;
    let time = Time::from_hms(num(9..11) as u8, num(11..13) as u8, num(13..15) as u8).ok()?;
    let at = PrimitiveDateTime::new(date, time).assume_utc();
    let secs = at.unix_timestamp();
    if secs >= 0 {
        Some(UNIX_EPOCH + Duration::from_secs(secs as u64))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))
    }
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
}
