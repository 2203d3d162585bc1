//! Condition values parsed for their operator's family — `IpAddress` ranges and addresses,
//! `Numeric` numbers, `Date` instants, `Bool` values — once, when the policy is parsed, so
//! that evaluating a request compares instead of parsing (condition.rs).

use super::condition::Family;
use super::pattern::has_variable;
use std::net::IpAddr;

/// A policy value parsed for its family when the policy is, not per request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Parsed {
    /// Kept as text: a family compared as text, or a value with a variable (its value depends
    /// on the request).
    Text,
    /// Not of the family's type: the condition's values match nothing.
    Invalid,
    /// An address range (`IpAddress`).
    Net(ipnet::IpNet),
    /// One address (`IpAddress`).
    Ip(IpAddr),
    /// A number (`Numeric`) or a date as epoch seconds (`Date`).
    Number(f64),
    /// A boolean (`Bool`).
    Bool(bool),
}

impl Parsed {
    /// `value` parsed as `family` reads it (`Text` when it may hold a variable: `${` in it).
    pub(super) fn of(family: Family, value: &str) -> Parsed {
        if has_variable(value) {
            return Parsed::Text;
        }
        let or_invalid = |p: Option<Parsed>| p.unwrap_or(Parsed::Invalid);
        match family {
            Family::IpAddress => match value.parse::<ipnet::IpNet>() {
                Ok(n) => Parsed::Net(n),
                Err(_) => or_invalid(value.parse::<IpAddr>().ok().map(Parsed::Ip)),
            },
            Family::Numeric(_) => or_invalid(value.trim().parse::<f64>().ok().map(Parsed::Number)),
            Family::Date(_) => or_invalid(date(value).map(Parsed::Number)),
            Family::Bool => or_invalid(parse_bool(value).map(Parsed::Bool)),
            _ => Parsed::Text,
        }
    }
}

/// `true` or `false` in any case.
pub(super) fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// A date as seconds since the epoch (fractions kept): ISO 8601 (`2024-01-02T03:04:05Z`, with
/// fractions or an offset, or a bare `2024-01-02`) or epoch seconds.
pub(super) fn date(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<f64>() {
        return Some(n);
    }
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp_nanos() as f64 / 1e9);
    }
    let d = s.as_bytes();
    if d.len() == 10 && d[4] == b'-' && d[7] == b'-' {
        let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
        let month = time::Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
        let day =
            time::Date::from_calendar_date(num(0..4)? as i32, month, num(8..10)? as u8).ok()?;
        return Some(day.midnight().assume_utc().unix_timestamp() as f64);
    }
    None
}
