//! AWS's published SigV4 test vectors (tests/vectors, from aws-c-auth) against the verifier,
//! with the clock fixed at the vectors' time: every applicable signed request — header form and
//! presigned query form — must verify, our canonical request must equal AWS's byte for byte,
//! and every mutation (one byte of the body, a signed header, the date, the signature) must be
//! refused.
//!
//! Applicable: cases signed with path normalization (DynamoDB is not S3), and the unnormalized
//! cases whose path normalizes to itself.

use extenddb_auth_builtin::sigv4::{
    canonical_request, canonical_uri, parse, time::parse_basic, verify_signature, SignedRequest,
    SigningKey,
};
use extenddb_core::traits::RequestHead;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

struct Context {
    secret: String,
    region: String,
    service: String,
    now: SystemTime,
    normalize: bool,
}

fn context(dir: &Path) -> Context {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("context.json")).unwrap()).unwrap();
    let ts = v["timestamp"].as_str().unwrap().replace(['-', ':'], "");
    Context {
        secret: v["credentials"]["secret_access_key"]
            .as_str()
            .unwrap()
            .into(),
        region: v["region"].as_str().unwrap().into(),
        service: v["service"].as_str().unwrap().into(),
        now: parse_basic(&ts).unwrap(),
        normalize: v["normalize"].as_bool().unwrap(),
    }
}

/// A raw HTTP/1.1 request as the vectors write it: request line, headers (continuation lines
/// start with whitespace and are joined with one space), blank line, body.
#[derive(Clone)]
struct Raw {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

fn read_raw(file: &Path) -> Raw {
    let text = std::fs::read(file).unwrap();
    let text = String::from_utf8(text).unwrap();
    let (head, body) = match text.split_once("\n\n") {
        Some((h, b)) => (h.to_string(), b.as_bytes().to_vec()),
        None => (text.trim_end_matches('\n').to_string(), Vec::new()),
    };
    let mut lines = head.lines();
    let request_line = lines.next().unwrap();
    let (method, rest) = request_line.split_once(' ').unwrap();
    let target = rest.strip_suffix(" HTTP/1.1").unwrap();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = headers.last_mut().unwrap();
            last.1.push(b' ');
            last.1.extend_from_slice(line.trim().as_bytes());
        } else {
            let (n, v) = line.split_once(':').unwrap();
            headers.push((n.to_ascii_lowercase(), v.as_bytes().to_vec()));
        }
    }
    Raw {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers,
        body,
    }
}

fn head(raw: &Raw) -> RequestHead {
    let mut h = RequestHead::from_pairs(&raw.method, &raw.path, &raw.query, []);
    for (n, v) in &raw.headers {
        h.headers.append(
            http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(v).unwrap(),
        );
    }
    h
}

fn sha(body: &[u8]) -> [u8; 32] {
    Sha256::digest(body).into()
}

fn key(ctx: &Context, req: &SignedRequest) -> SigningKey {
    SigningKey::derive(
        ctx.secret.as_bytes(),
        &req.scope_date,
        &ctx.region,
        &ctx.service,
    )
}

/// Parses and verifies; `Err` with the reason when refused.
fn check(ctx: &Context, raw: &Raw) -> Result<(), String> {
    let h = head(raw);
    let req = parse(&h, ctx.now, &ctx.service).map_err(|e| format!("{e:?}"))?;
    verify_signature(&h, &req, &sha(&raw.body), &key(ctx, &req)).map_err(|e| format!("{e:?}"))
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut out: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

fn applicable(dir: &Path, ctx: &Context) -> bool {
    if ctx.normalize {
        return true;
    }
    let creq = std::fs::read_to_string(dir.join("header-canonical-request.txt")).unwrap();
    let raw = read_raw(&dir.join("request.txt"));
    creq.lines().nth(1) == Some(canonical_uri(&raw.path).as_str())
}

fn mutants(raw: &Raw, signed: &[String]) -> Vec<(&'static str, Raw)> {
    let mut out = Vec::new();
    let mut body = raw.clone();
    match body.body.first_mut() {
        Some(b) => *b ^= 1,
        None => body.body.push(b'x'),
    }
    out.push(("body byte", body));
    // A signed header other than the date: change one byte of its value.
    if let Some(i) = raw
        .headers
        .iter()
        .position(|(n, _)| signed.contains(n) && n != "x-amz-date" && n != "x-amz-content-sha256")
    {
        let mut m = raw.clone();
        let v = &mut m.headers[i].1;
        match v.last_mut() {
            Some(b) => *b ^= 1,
            None => v.push(b'x'),
        }
        out.push(("signed header", m));
    }
    let mut date = raw.clone();
    if let Some(h) = date.headers.iter_mut().find(|(n, _)| n == "x-amz-date") {
        h.1 = b"20150830T123601Z".to_vec();
    } else {
        date.query = date
            .query
            .replace("X-Amz-Date=20150830T123600Z", "X-Amz-Date=20150830T123601Z");
    }
    out.push(("date", date));
    let mut sig = raw.clone();
    if let Some(h) = sig.headers.iter_mut().find(|(n, _)| n == "authorization") {
        let s = String::from_utf8(h.1.clone()).unwrap();
        h.1 = flip_last_hex(&s).into_bytes();
    } else {
        let (before, after) = sig.query.split_once("X-Amz-Signature=").unwrap();
        sig.query = format!("{before}X-Amz-Signature={}", flip_last_hex(after));
    }
    out.push(("signature", sig));
    out
}

/// The last hex digit of the 64-digit signature at the end of `s`, changed.
fn flip_last_hex(s: &str) -> String {
    let mut b = s.as_bytes().to_vec();
    let i = b.len() - 1;
    b[i] = if b[i] == b'0' { b'1' } else { b'0' };
    String::from_utf8(b).unwrap()
}

#[test]
fn every_applicable_vector_verifies_and_every_mutant_is_refused() {
    let (mut verified, mut refused, mut skipped) = (0, 0, Vec::new());
    for dir in cases() {
        let ctx = context(&dir);
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        if !applicable(&dir, &ctx) {
            skipped.push(name);
            continue;
        }
        for form in ["header", "query"] {
            let raw = read_raw(&dir.join(format!("{form}-signed-request.txt")));
            check(&ctx, &raw).unwrap_or_else(|e| panic!("{name} ({form}) refused: {e}"));
            // Our canonical request is AWS's, byte for byte (the presigned form of a case
            // whose token was appended after signing is checked without it).
            let h = head(&raw);
            let req = parse(&h, ctx.now, &ctx.service).unwrap();
            let expected =
                std::fs::read(dir.join(format!("{form}-canonical-request.txt"))).unwrap();
            let with_token = !(form == "query" && name == "post-sts-header-after");
            let ours = canonical_request(&h, &req, &hex::encode(sha(&raw.body)), with_token);
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&expected),
                "{name} ({form}): canonical request"
            );
            verified += 1;
            for (what, m) in mutants(&raw, &req.signed_headers) {
                assert!(
                    check(&ctx, &m).is_err(),
                    "{name} ({form}): mutated {what} was accepted"
                );
                refused += 1;
            }
        }
    }
    assert_eq!(
        skipped,
        [
            "get-relative-relative-unnormalized",
            "get-relative-unnormalized",
            "get-slash-dot-slash-unnormalized",
            "get-slash-pointless-dot-unnormalized",
            "get-slash-unnormalized",
            "get-slashes-unnormalized",
        ],
        "only S3-style unnormalized paths are out of scope"
    );
    assert_eq!(verified, 2 * (38 - 6));
    assert!(
        refused >= 4 * verified - 2 * 10,
        "{refused} mutants refused"
    );
}
