//! WHERE clauses as core conditions: what each form means on items, and the refusals.

use super::*;
use crate::model::Item;
use crate::ops::partiql::ast::Statement;
use crate::ops::partiql::parser::parse;

fn compile(where_: &str, params: &[AttributeValue]) -> Result<Condition, ApiError> {
    let Statement::Select(s) = parse(&format!("SELECT * FROM t WHERE {where_}"))?.statement else {
        panic!()
    };
    condition(&s.filter.unwrap(), params)
}

fn item() -> Item {
    serde_json::from_str(
        r#"{"pk":{"S":"k"},"ss":{"SS":["a","b","c"]},"s":{"S":"str"},"n":{"N":"5"},
            "m":{"M":{"sub":{"S":"x"}}},"nul":{"NULL":true},"flag":{"BOOL":true},
            "l":{"L":[{"N":"1"},{"S":"two"}]}}"#,
    )
    .unwrap()
}

fn holds(where_: &str) -> bool {
    compile(where_, &[]).unwrap().evaluate(&item())
}

fn refused(where_: &str) -> String {
    compile(where_, &[]).unwrap_err().to_string()
}

#[test]
fn forms_evaluate_as_dynamodb_does() {
    for (cond, want) in [
        ("n = 5", true),
        ("n <> 5", false),
        ("n != 4", true),
        ("n > 4 AND n <= 5", true),
        ("n BETWEEN 1 AND 4", false),
        ("n NOT BETWEEN 1 AND 4", true),
        ("s IN ['a', 'str']", true),
        ("s IN ('a', 'b')", false),
        ("s NOT IN ['a']", true),
        ("attribute_exists(ss)", true),
        ("ATTRIBUTE_EXISTS(nope)", false),
        ("attribute_not_exists(nope)", true),
        ("attribute_exists(m.sub)", true),
        ("attribute_exists(\"ss\")", true),
        ("attribute_exists(ss) = true", true),
        ("attribute_exists(ss) = false", false),
        ("begins_with(s, 'st')", true),
        ("NOT begins_with(s, 'x')", true),
        ("contains(ss, 'b')", true),
        ("contains(s, 'tr')", true),
        ("size(s) = 3", true),
        ("size(l) > 1", true),
        ("attribute_type(ss, 'SS')", true),
        ("attribute_type(ss, 'S')", false),
        ("s IS MISSING", false),
        ("nope IS MISSING", true),
        ("s IS NOT MISSING", true),
        ("nul IS NULL", true),
        ("s IS NULL", false),
        ("s IS NOT NULL", true),
        ("nul IS NOT NULL", false),
        ("flag IS BOOL", true),
        ("s IS STRING", true),
        ("n IS NUMERIC", true),
        ("m IS STRUCT", true),
        ("l IS LIST", true),
        ("s IS BOOL", false),
        ("ss = <<'c', 'a', 'b'>>", true),
        ("m = {'sub': 'x'}", true),
        ("l = [1, 'two']", true),
        ("l[1] = 'two'", true),
        ("(n = 1 OR n = 5) AND s = 'str'", true),
    ] {
        assert_eq!(holds(cond), want, "{cond}");
    }
}

#[test]
fn parameters_stand_for_values() {
    let c = compile(
        "s = ? AND n > ?",
        &[
            AttributeValue::S("str".into()),
            AttributeValue::N(crate::model::Number::parse("1").unwrap()),
        ],
    )
    .unwrap();
    assert!(c.evaluate(&item()));
    assert_eq!(
        compile("s = ?", &[]).unwrap_err().to_string(),
        "Number of parameters in request and statement don't match."
    );
}

#[test]
fn refusals() {
    // Columns: "SELECT * FROM t WHERE " is 22 characters.
    assert_eq!(
        refused("EXISTS(ss)"),
        "Unrecognized function: exists at 1:23:6"
    );
    assert_eq!(
        refused("set_add(ss, <<'x'>>) = ss"),
        "Unrecognized function: set_add at 1:23:7"
    );
    assert_eq!(
        refused("attribute_exists('ss')"),
        "Operator or function requires a document path; operator or function: attribute_exists"
    );
    assert_eq!(
        refused("attribute_exists()"),
        "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 0"
    );
    assert_eq!(
        refused("attribute_exists(ss, ns)"),
        "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"
    );
    for op in ["<", "<=", ">", ">="] {
        assert_eq!(
            refused(&format!("n {op} TRUE")),
            format!("Incorrect operand type for operator or function; operator or function: {op}, operand type: BOOL")
        );
    }
    assert!(refused("n BETWEEN TRUE AND FALSE").contains("operator or function: BETWEEN"));
    assert_eq!(
        refused("n = MISSING"),
        "MISSING must be compared using IS operator"
    );
    assert_eq!(
        refused("n IS INT"),
        "Unsupported data type for IS operator: INT. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
    );
    assert_eq!(
        refused("n IN 5"),
        "IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member"
    );
    assert_eq!(
        refused("n"),
        "WHERE clause must contain an expression that resolves to a boolean"
    );
    assert_eq!(
        refused("pk = 1e126"),
        "Number overflow. Attempting to store a number with magnitude larger than supported range under root"
    );
    assert_eq!(
        refused("pk = 123456789012345678901234567890123456789"),
        "Attempting to store more than 38 significant digits in a Number under root"
    );
}
