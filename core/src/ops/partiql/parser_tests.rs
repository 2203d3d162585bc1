//! The parser: every statement form, and its refusals with DynamoDB's texts (captured from
//! DynamoDB in paritysuite/dynamodb-conformance's PartiQL grammar files).

use super::*;

const ENVELOPE: &str = "Statement wasn't well formed, can't be processed: ";

fn ok(src: &str) -> Statement {
    parse(src)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
        .statement
}

fn err(src: &str) -> String {
    parse(src).unwrap_err().to_string()
}

fn path(names: &[&str]) -> PathExpr {
    PathExpr {
        steps: names.iter().map(|n| Step::Attr(n.to_string())).collect(),
        pos: Pos::default(),
    }
}

#[test]
fn select_forms() {
    let Statement::Select(s) = ok(
        r#"select a, "b".c, d[1] FROM "Music"."idx" WHERE a = ? AND b IN [1, 2] ORDER BY sk DESC, pk"#,
    ) else {
        panic!()
    };
    let p = s.projection.unwrap();
    assert_eq!(p.len(), 3);
    assert_eq!(p[1].steps, path(&["b", "c"]).steps);
    assert_eq!(p[2].steps, vec![Step::Attr("d".into()), Step::Index(1)]);
    assert_eq!(
        s.source,
        Source {
            table: "Music".into(),
            index: Some("idx".into())
        }
    );
    assert!(matches!(s.filter, Some(Expr::And(..))));
    let order: Vec<(&str, bool)> = s
        .order_by
        .iter()
        .map(|(n, d, _)| (n.as_str(), *d))
        .collect();
    assert_eq!(order, [("sk", true), ("pk", false)]);
    let Statement::Select(s) = ok("SELECT * FROM Music") else {
        panic!()
    };
    assert_eq!(s.projection, None);
    assert_eq!(s.filter, None);
    assert_eq!(
        parse("SELECT * FROM t WHERE a = ? OR b = ?")
            .unwrap()
            .parameters,
        2
    );
}

#[test]
fn write_forms() {
    assert!(matches!(
        ok("INSERT INTO t VALUE {'pk': 'a', 'n': -1.5e3, 'l': [1, <<'x'>>]}"),
        Statement::Insert(_)
    ));
    let Statement::Update(u) =
        ok("UPDATE t SET a = a + 1, b = 'x' SET c = list_append(c, [1]) REMOVE d, e[0] WHERE pk = 'k' RETURNING MODIFIED NEW *")
    else {
        panic!()
    };
    assert_eq!(u.actions.len(), 5);
    assert_eq!(u.returning, Some(Returning::ModifiedNew));
    let Statement::Update(u) = ok("from t where pk = 'k' set c = 1 remove a returning all old *")
    else {
        panic!()
    };
    assert_eq!(u.actions.len(), 2);
    assert_eq!(u.returning, Some(Returning::AllOld));
    let Statement::Delete(d) = ok("DELETE FROM \"t\" WHERE pk = ? RETURNING ALL OLD *") else {
        panic!()
    };
    assert_eq!(d.returning, Some(Returning::AllOld));
    assert!(matches!(
        ok("EXISTS(SELECT * FROM t WHERE pk = 'k' AND a > 1)"),
        Statement::Exists(_)
    ));
}

#[test]
fn expressions_and_precedence() {
    let Statement::Select(s) = ok(
        "SELECT * FROM t WHERE NOT a = 1 OR b BETWEEN 1 AND 2 AND c NOT IN ('x', 'y') AND d IS NOT MISSING AND e IS NULL AND begins_with(f, 'p')",
    ) else {
        panic!()
    };
    // OR binds loosest: (NOT a = 1) OR (… AND … AND …).
    let Some(Expr::Or(l, r)) = s.filter else {
        panic!()
    };
    assert!(matches!(*l, Expr::Not(..)));
    assert!(matches!(*r, Expr::And(..)));
}

#[test]
fn comments_and_numbers() {
    assert!(parse("-- a\nSELECT * FROM t /* b */ WHERE pk = .73e1 -- c").is_ok());
    let Statement::Select(s) = ok("SELECT * FROM t WHERE pk = -7.31E+6") else {
        panic!()
    };
    let Some(Expr::Compare(Cmp::Eq, _, v, _)) = s.filter else {
        panic!()
    };
    assert_eq!(
        *v,
        Expr::Lit(
            Lit::Num("-7.31E+6".into()),
            Pos {
                line: 1,
                col: 28,
                len: 1
            }
        )
    );
}

#[test]
fn refusals_with_dynamodb_texts() {
    let leftover = format!("{ENVELOPE}Unexpected token after expression");
    for src in [
        "SELECT * FROM t WHERE pk = 1 foo",
        "SELECT * FROM t WHERE pk = 1 e5",
        "INSERT INTO t VALUE {'pk': 1} foo",
        "UPDATE t SET a = 9 WHERE pk = 1 foo",
        "DELETE FROM t WHERE pk = 1 foo",
        "SELECT * FROM t WHERE pk = 1)",
        "DELETE FROM t WHERE pk = 1 ORDER BY pk",
        "SELECT * FROM t ORDER BY pk WHERE pk = 1",
        "INSERT INTO t x VALUE {'pk': 'x'}",
    ] {
        assert_eq!(err(src), leftover, "{src}");
    }
    for src in [
        "SELECT * FROM t x WHERE pk = 'x'",
        "SELECT * FROM t AS x WHERE pk = 'x'",
        "UPDATE t x SET a = 3 WHERE pk = 'x'",
        "DELETE FROM t x WHERE pk = 'x'",
    ] {
        assert_eq!(err(src), "Aliasing is not supported", "{src}");
    }
    for src in [
        "SELECT * FROM t WHERE pk = 1 # c",
        "SELECT * FROM t WHERE pk = 1 /* c",
        "SELECT * FROM t WHERE pk = 1e2147483648",
    ] {
        assert_eq!(err(src), ENVELOPE, "{src}");
    }
    assert_eq!(
        err("SELECT * FROM t WHERE pk = 'x' AND attribute_exists(m.inner)"),
        format!("{ENVELOPE}Invalid path dot component")
    );
    assert_eq!(
        err("UPSERT INTO t"),
        format!("{ENVELOPE}Expected data manipulation")
    );
    assert_eq!(
        err("UPDATE t SET a = 1"),
        "Where clause does not contain a mandatory equality on all key attributes"
    );
    assert_eq!(
        err("DELETE FROM t"),
        "Where clause does not contain a mandatory equality on all key attributes"
    );
    assert_eq!(
        err("INSERT INTO t VALUE {'pk': 1} RETURNING ALL OLD *"),
        "RETURNING is not supported in INSERT"
    );
    assert_eq!(
        err("INSERT INTO t << {'pk': 1} >>"),
        "Unsupported operation: Inserting multiple items in a single statement is not supported, use \"INSERT INTO tableName VALUE item\" instead"
    );
    assert_eq!(
        err("UPDATE t SET a = 1 WHERE pk = 1 RETURNING ALL NEW a"),
        "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"
    );
    assert_eq!(
        err("SELECT attribute_exists(ss) FROM t WHERE pk = 'x'"),
        "Unexpected path component at 1:8:16"
    );
    assert_eq!(
        err("SELECT a, * FROM t"),
        "Other attributes should not be present in the projection when '*' is used."
    );
    assert_eq!(
        err("SELECT * FROM a.b.c"),
        "A path may contain at most 2 components in the FROM clause"
    );
    assert_eq!(
        err("SELECT * FROM t WHERE a[-1] = 1"),
        "List index is not within the allowable range; index: [-1]"
    );
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let deep = format!(
        "SELECT * FROM t WHERE {}a = 1{}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    assert!(err(&deep).starts_with(ENVELOPE));
    let deep = format!("INSERT INTO t VALUE {}", "[".repeat(5000));
    assert!(err(&deep).starts_with(ENVELOPE));
    let deep = format!("SELECT * FROM t WHERE {}a = 1", "NOT ".repeat(5000));
    assert!(err(&deep).starts_with(ENVELOPE));
}
