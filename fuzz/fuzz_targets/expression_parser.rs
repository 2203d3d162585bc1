//! Feeds arbitrary text to every expression parser (condition, key condition, update,
//! projection) with a fixed set of placeholders, then evaluates or applies whatever compiles
//! against a sample item. Any panic is a bug: malformed expressions must become
//! ValidationExceptions.
#![no_main]

use extenddb_core::expr::{self, ExpressionAttributes, ExpressionKind};
use extenddb_core::model::table::{KeyAttribute, ScalarType};
use extenddb_core::{AttributeValue, Item};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fn sample() -> (HashMap<String, String>, HashMap<String, AttributeValue>, Item) {
    let names: HashMap<String, String> = [("#a", "a"), ("#b", "b"), ("#s", "status")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let values: HashMap<String, AttributeValue> = serde_json::from_str(
        r#"{":s":{"S":"x"},":n":{"N":"1.5"},":b":{"B":"AAE="},":l":{"L":[{"N":"1"}]},
            ":m":{"M":{"k":{"S":"v"}}},":ss":{"SS":["p","q"]},":t":{"BOOL":true}}"#,
    )
    .unwrap_or_default();
    let item: Item = serde_json::from_str(
        r#"{"a":{"S":"xyz"},"b":{"N":"-3"},"c":{"L":[{"N":"1"},{"M":{"d":{"S":"e"}}}]},
            "m":{"M":{"k":{"SS":["p"]}}},"status":{"BOOL":false}}"#,
    )
    .unwrap_or_default();
    (names, values, item)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (names, values, item) = sample();
    for kind in [ExpressionKind::Condition, ExpressionKind::KeyCondition] {
        let mut attrs = ExpressionAttributes::new(Some(&names), Some(&values));
        if let Ok(c) = expr::parse_condition(text, kind, &mut attrs) {
            let _ = c.evaluate(&item);
            let _ = attrs.check_unused();
            let pk = KeyAttribute { name: "a".into(), attr_type: ScalarType::S };
            let sk = KeyAttribute { name: "b".into(), attr_type: ScalarType::N };
            let _ = expr::key_condition(&c, &pk, Some(&sk));
        }
    }
    let mut attrs = ExpressionAttributes::new(Some(&names), Some(&values));
    if let Ok(u) = expr::parse_update(text, &mut attrs) {
        let _ = u.apply(&item);
    }
    let mut attrs = ExpressionAttributes::new(Some(&names), Some(&values));
    if let Ok(p) = expr::parse_projection(text, &mut attrs) {
        let _ = p.apply(&item);
    }
});
