//! Cost of DynamoDB expressions: parse + compile (+ evaluate or apply) for typical
//! expressions, against a typical item. Figures go to docs/performance.md ("Expression cost").
//!
//! Run: `cargo bench -p extenddb-core --bench expressions`

use divan::{black_box, Bencher};
use extenddb_core::expr::{self, ExpressionAttributes, ExpressionKind};
use extenddb_core::model::table::{KeyAttribute, ScalarType};
use extenddb_core::{AttributeValue, Item};
use std::collections::HashMap;

fn main() {
    divan::main();
}

fn names() -> HashMap<String, String> {
    [("#st", "status"), ("#n", "name")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn values() -> HashMap<String, AttributeValue> {
    serde_json::from_str(
        r#"{":pk":{"S":"customer#42"},":lo":{"S":"order#2024-01"},":hi":{"S":"order#2024-12"},
            ":st":{"S":"SHIPPED"},":min":{"N":"10"},":max":{"N":"500.25"},":one":{"N":"1"},
            ":tags":{"L":[{"S":"gift"}]},":now":{"S":"2024-06-01T12:00:00Z"}}"#,
    )
    .unwrap()
}

fn item() -> Item {
    serde_json::from_str(
        r#"{"pk":{"S":"customer#42"},"sk":{"S":"order#2024-06-01"},"status":{"S":"SHIPPED"},
            "price":{"N":"123.45"},"version":{"N":"7"},"name":{"S":"Ada Lovelace"},
            "tags":{"L":[{"S":"express"}]},"address":{"M":{"city":{"S":"London"},"zip":{"S":"N1"}}},
            "orders":{"L":[{"M":{"sku":{"S":"A-1"},"qty":{"N":"2"}}},{"M":{"sku":{"S":"B-7"},"qty":{"N":"1"}}}]}}"#,
    )
    .unwrap()
}

const CONDITIONS: &[(&str, &str)] = &[
    ("put_if_absent", "attribute_not_exists(pk)"),
    (
        "filter_3_terms",
        "#st = :st AND price BETWEEN :min AND :max AND NOT contains(tags, :now)",
    ),
    (
        "nested_functions",
        "begins_with(sk, :lo) AND (size(orders) > :one OR address.city = :st)",
    ),
];

/// Parse + compile + evaluate a condition, as one ConditionExpression/FilterExpression costs.
#[divan::bench(args = CONDITIONS)]
fn condition_parse_and_evaluate(bencher: Bencher, case: &(&str, &str)) {
    let (names, values, item) = (names(), values(), item());
    bencher.bench(|| {
        let mut attrs = ExpressionAttributes::new(Some(&names), Some(&values));
        // A ConditionExpression need not use every placeholder of this shared set.
        let c =
            expr::parse_condition(black_box(case.1), ExpressionKind::Filter, &mut attrs).unwrap();
        black_box(c.evaluate(black_box(&item)))
    });
}

/// Evaluation alone (per item of a Query/Scan page, after one parse).
#[divan::bench(args = CONDITIONS)]
fn condition_evaluate_only(bencher: Bencher, case: &(&str, &str)) {
    let (names, values, item) = (names(), values(), item());
    let mut attrs = ExpressionAttributes::new(Some(&names), Some(&values));
    let c = expr::parse_condition(case.1, ExpressionKind::Filter, &mut attrs).unwrap();
    bencher.bench(|| black_box(c.evaluate(black_box(&item))));
}

/// A Query's KeyConditionExpression: parse, compile and split against the key schema.
#[divan::bench]
fn key_condition_parse(bencher: Bencher) {
    let values = values();
    let pk = KeyAttribute {
        name: "pk".into(),
        attr_type: ScalarType::S,
    };
    let sk = KeyAttribute {
        name: "sk".into(),
        attr_type: ScalarType::S,
    };
    bencher.bench(|| {
        let mut attrs = ExpressionAttributes::new(None, Some(&values));
        let c = expr::parse_condition(
            black_box("pk = :pk AND sk BETWEEN :lo AND :hi"),
            ExpressionKind::KeyCondition,
            &mut attrs,
        )
        .unwrap();
        black_box(expr::key_condition(&c, &pk, Some(&sk)).unwrap())
    });
}

/// An UpdateExpression: parse, compile and apply to the item.
#[divan::bench]
fn update_parse_and_apply(bencher: Bencher) {
    let (names, values, item) = (names(), values(), item());
    bencher.bench(|| {
        let mut attrs = ExpressionAttributes::new(Some(&names), Some(&values));
        let u = expr::parse_update(
            black_box(
                "SET version = version + :one, tags = list_append(tags, :tags), #st = :st REMOVE address.zip",
            ),
            &mut attrs,
        )
        .unwrap();
        black_box(u.apply(black_box(&item)).unwrap())
    });
}

/// A ProjectionExpression: parse, compile and project the item.
#[divan::bench]
fn projection_parse_and_apply(bencher: Bencher) {
    let (names, item) = (names(), item());
    bencher.bench(|| {
        let mut attrs = ExpressionAttributes::new(Some(&names), None);
        let p =
            expr::parse_projection(black_box("pk, #n, address.city, orders[0].sku"), &mut attrs)
                .unwrap();
        black_box(p.apply(black_box(&item)))
    });
}
