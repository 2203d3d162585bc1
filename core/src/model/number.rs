//! DynamoDB numbers: up to 38 significant digits, magnitude between 1E-130 and 9.99…E+125,
//! kept as exact decimals and rendered the way DynamoDB returns them.
//!
//! Written by hand over `bigdecimal` because no crate enforces DynamoDB's precision and range
//! rules or its normalization (rust_decimal cannot hold the range).

use bigdecimal::{BigDecimal, Zero};
use std::cmp::Ordering;
use std::str::FromStr;

/// An exact DynamoDB number in normalized text form (no exponent, no trailing fractional zeros,
/// no leading zeros, `0` for every zero).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number(String);

/// Why a number was rejected; `message()` is DynamoDB's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// Not a number at all.
    NotNumeric,
    /// More than 38 significant digits.
    TooPrecise,
    /// Magnitude above 9.9999999999999999999999999999999999999E+125.
    Overflow,
    /// Non-zero magnitude below 1E-130.
    Underflow,
}

impl NumberError {
    /// DynamoDB's message for this failure.
    pub fn message(&self) -> &'static str {
        match self {
            NumberError::NotNumeric => "The parameter cannot be converted to a numeric value",
            NumberError::TooPrecise => {
                "Attempting to store more than 38 significant digits in a Number"
            }
            NumberError::Overflow => "Number overflow. Attempting to store a number with magnitude larger than supported range",
            NumberError::Underflow => "Number underflow. Attempting to store a number with magnitude smaller than supported range",
        }
    }
}

impl Number {
    /// Parses and validates a number as DynamoDB does, normalizing its text.
    /// Surrounding whitespace is not numeric: DynamoDB rejects `" 1"` and `"1 "`.
    pub fn parse(text: &str) -> Result<Number, NumberError> {
        let t = text;
        if t.is_empty()
            || !t
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        {
            return Err(NumberError::NotNumeric);
        }
        let d = BigDecimal::from_str(t).map_err(|_| NumberError::NotNumeric)?;
        Number::from_decimal(&d)
    }

    /// Builds a number from an exact decimal, checking precision and range.
    pub fn from_decimal(d: &BigDecimal) -> Result<Number, NumberError> {
        let d = d.normalized();
        if d.is_zero() {
            return Ok(Number("0".to_string()));
        }
        let (digits, scale) = d.as_bigint_and_exponent();
        let digit_str = digits.magnitude().to_string();
        // value = digits * 10^-scale; decimal exponent of the leading digit. Range is checked
        // before precision, so a sum past the range reports overflow, as DynamoDB does.
        let exp = digit_str.len() as i64 - 1 - scale;
        if exp > 125 {
            return Err(NumberError::Overflow);
        }
        if exp < -130 {
            return Err(NumberError::Underflow);
        }
        if digit_str.len() > 38 {
            return Err(NumberError::TooPrecise);
        }
        Ok(Number(render_plain(
            digits.sign() == bigdecimal::num_bigint::Sign::Minus,
            &digit_str,
            scale,
        )))
    }

    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The exact decimal value.
    pub fn to_decimal(&self) -> BigDecimal {
        BigDecimal::from_str(&self.0).unwrap_or_default()
    }

    /// Exact sum, checked against DynamoDB's precision and range (UpdateExpression `+`, ADD).
    pub fn add(&self, other: &Number) -> Result<Number, NumberError> {
        arithmetic_result(&(self.to_decimal() + other.to_decimal()))
    }

    /// Exact difference, checked against DynamoDB's precision and range (UpdateExpression `-`).
    pub fn sub(&self, other: &Number) -> Result<Number, NumberError> {
        arithmetic_result(&(self.to_decimal() - other.to_decimal()))
    }

    /// Numeric comparison.
    pub fn cmp_value(&self, other: &Number) -> Ordering {
        self.to_decimal().cmp(&other.to_decimal())
    }
}

/// The checked result of an addition or subtraction. DynamoDB reports a result that needs
/// more than 38 significant digits (`1E+50 + 1`) as an overflow, not with the "more than 38
/// significant digits" text it uses for numbers given in a request.
fn arithmetic_result(d: &BigDecimal) -> Result<Number, NumberError> {
    Number::from_decimal(d).map_err(|e| match e {
        NumberError::TooPrecise => NumberError::Overflow,
        other => other,
    })
}

/// Renders `±digits × 10^-scale` without an exponent.
fn render_plain(negative: bool, digits: &str, scale: i64) -> String {
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if scale <= 0 {
        out.push_str(digits);
        for _ in 0..(-scale) {
            out.push('0');
        }
    } else {
        let scale = scale as usize;
        if digits.len() > scale {
            let (int, frac) = digits.split_at(digits.len() - scale);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        } else {
            out.push_str("0.");
            for _ in 0..(scale - digits.len()) {
                out.push('0');
            }
            out.push_str(digits);
        }
    }
    out
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        for (i, o) in [
            ("1.50", "1.5"),
            ("-0", "0"),
            ("00012", "12"),
            ("1e3", "1000"),
            ("1E-3", "0.001"),
            ("+5", "5"),
            ("-12.340", "-12.34"),
        ] {
            assert_eq!(Number::parse(i).unwrap().as_str(), o, "{i}");
        }
    }

    #[test]
    fn rejects() {
        assert_eq!(Number::parse("abc"), Err(NumberError::NotNumeric));
        assert_eq!(Number::parse(""), Err(NumberError::NotNumeric));
        for spaced in [" 1", "1 ", "\t1", " "] {
            assert_eq!(
                Number::parse(spaced),
                Err(NumberError::NotNumeric),
                "{spaced:?}"
            );
        }
        assert_eq!(Number::parse("1e126"), Err(NumberError::Overflow));
        assert_eq!(Number::parse("1e-131"), Err(NumberError::Underflow));
        assert_eq!(
            Number::parse("123456789012345678901234567890123456789"),
            Err(NumberError::TooPrecise)
        );
        assert!(Number::parse("12345678901234567890123456789012345678").is_ok());
        assert!(Number::parse("9.9999999999999999999999999999999999999E+125").is_ok());
        assert!(Number::parse("1E-130").is_ok());
        // Range is checked before precision, as DynamoDB does.
        assert_eq!(
            Number::parse("1234567890123456789012345678901234567890e200"),
            Err(NumberError::Overflow)
        );
    }

    #[test]
    fn exact_arithmetic_with_range_checks() {
        let n = |s: &str| Number::parse(s).unwrap();
        assert_eq!(n("0.1").add(&n("0.2")).unwrap().as_str(), "0.3");
        assert_eq!(n("5").sub(&n("7.5")).unwrap().as_str(), "-2.5");
        assert_eq!(n("-3").add(&n("3")).unwrap().as_str(), "0");
        let big = n("9.9999999999999999999999999999999999999E+125");
        assert_eq!(big.add(&big), Err(NumberError::Overflow));
        assert_eq!(n("1E+100").add(&n("1")), Err(NumberError::Overflow));
        assert_eq!(n("1E+50").sub(&n("1")), Err(NumberError::Overflow));
        assert_eq!(Number::parse("1E+50").unwrap().as_str().len(), 51);
    }
}
