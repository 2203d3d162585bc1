//! Feeds arbitrary text to the PartiQL parser as a statement, then runs every compile step
//! that needs no table (WHERE as a condition, key extraction for a hash+range schema, INSERT
//! items, UPDATE actions) and evaluates or applies what compiles against a sample item, with a
//! fixed set of parameters. Any panic is a bug, and so is an InternalServerError: malformed
//! statements must become ValidationExceptions.
#![no_main]

use extenddb_core::error::ApiError;
use extenddb_core::model::table::{KeyAttribute, KeySchema, ScalarType};
use extenddb_core::ops::partiql::ast::Statement;
use extenddb_core::ops::partiql::{condition, keys, parser, update, values};
use extenddb_core::{AttributeValue, Item};
use libfuzzer_sys::fuzz_target;

fn params() -> Vec<AttributeValue> {
    serde_json::from_str(
        r#"[{"S":"x"},{"N":"1.5"},{"B":"AAE="},{"L":[{"N":"1"}]},{"M":{"k":{"S":"v"}}},
            {"SS":["p","q"]},{"BOOL":true},{"NULL":true}]"#,
    )
    .unwrap_or_default()
}

fn item() -> Item {
    serde_json::from_str(
        r#"{"pk":{"S":"k"},"sk":{"N":"2"},"a":{"S":"xyz"},"b":{"N":"-3"},
            "c":{"L":[{"N":"1"},{"M":{"d":{"S":"e"}}}]},"s":{"SS":["p"]},"n":{"NS":["1"]}}"#,
    )
    .unwrap_or_default()
}

fn no_internal(r: Result<(), ApiError>) {
    if let Err(ApiError::Internal(m)) = r {
        panic!("internal error: {m}");
    }
}

fn schema() -> KeySchema {
    KeySchema {
        hash: KeyAttribute { name: "pk".into(), attr_type: ScalarType::S },
        range: Some(KeyAttribute { name: "sk".into(), attr_type: ScalarType::N }),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = match parser::parse(text) {
        Ok(p) => p,
        Err(e) => return no_internal(Err(e)),
    };
    let all = params();
    let params = &all[..parsed.parameters.min(all.len())];
    let item = item();
    let schema = schema();
    let filter = match &parsed.statement {
        Statement::Select(s) | Statement::Exists(s) => s.filter.as_ref(),
        Statement::Update(u) => u.filter.as_ref(),
        Statement::Delete(d) => d.filter.as_ref(),
        Statement::Insert(_) => None,
    };
    if let Some(f) = filter {
        match condition::condition(f, params) {
            Ok(c) => {
                let _ = c.evaluate(&item);
                no_internal(keys::access(&schema.hash, schema.range.as_ref(), Some(&c)).map(|_| ()));
                no_internal(keys::single_item(&schema, Some(c)).map(|_| ()));
            }
            Err(e) => no_internal(Err(e)),
        }
    }
    match &parsed.statement {
        Statement::Insert(i) => no_internal(values::item(&i.value, params).map(|_| ())),
        Statement::Update(u) => match update::update(&u.actions, params) {
            Ok(up) => no_internal(up.apply(&item).map(|_| ())),
            Err(e) => no_internal(Err(e)),
        },
        _ => {}
    }
});
