//! Compressed responses: an answer of at least 4 KB is sent gzip- or deflate- (zlib-) encoded
//! when the request's `Accept-Encoding` prefers one of them, as DynamoDB does. The header is
//! read as DynamoDB reads it: only the first `Accept-Encoding` header counts; entries are
//! `coding;q=v` separated by commas, coding names compared without case and surrounding
//! spaces; the first `q` of an entry counts, a `q` that is not a number counts as 1, and one
//! outside [0, 1] is clamped; `*` stands for gzip (then deflate) when they are not named; the
//! highest quality wins, named codings before `*` and earlier entries before later ones; a
//! quality of 0 refuses. Other codings (br, identity, …) are ignored. The `x-amz-crc32`
//! header covers the body as sent (compressed). Hand-written negotiation because DynamoDB's
//! reading of malformed qualities differs from the HTTP specification that crates follow.

use flate2::write::{GzEncoder, ZlibEncoder};
use flate2::Compression;
use http::HeaderMap;
use std::io::Write;

/// Answers shorter than this are sent as they are.
pub(crate) const THRESHOLD: usize = 4096;

/// A content coding the server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    /// `gzip`.
    Gzip,
    /// `deflate` (zlib format).
    Deflate,
}

impl Coding {
    /// The `Content-Encoding` value.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
        }
    }
}

/// The quality of one entry's parameters: the first `q`, 1 when absent or not a number.
fn quality(params: std::str::Split<'_, char>) -> f64 {
    for p in params {
        if let Some((k, v)) = p.split_once('=') {
            if k.trim() == "q" {
                return v.trim().parse::<f64>().map_or(1.0, |q| q.clamp(0.0, 1.0));
            }
        }
    }
    1.0
}

/// The coding to answer with for an `Accept-Encoding` value, if any.
pub(crate) fn negotiate(accept: &str) -> Option<Coding> {
    // (quality, named explicitly, position) of each coding; the best wins.
    let mut best: Option<(f64, bool, usize, Coding)> = None;
    let mut named = [None::<(f64, usize)>; 2];
    let mut wildcard = None::<(f64, usize)>;
    for (pos, entry) in accept.split(',').enumerate() {
        let mut parts = entry.split(';');
        let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = quality(parts);
        let slot = match name.as_str() {
            "gzip" => &mut named[0],
            "deflate" => &mut named[1],
            "*" => &mut wildcard,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some((q, pos));
        }
    }
    for (i, coding) in [Coding::Gzip, Coding::Deflate].into_iter().enumerate() {
        let candidate = match (named[i], wildcard) {
            (Some((q, pos)), _) => (q, true, pos),
            (None, Some((q, pos))) => (q, false, pos),
            (None, None) => continue,
        };
        if candidate.0 <= 0.0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((bq, bnamed, bpos, _)) => {
                candidate.0 > bq
                    || (candidate.0 == bq && candidate.1 && !bnamed)
                    || (candidate.0 == bq && candidate.1 == bnamed && candidate.2 < bpos)
            }
        };
        if better {
            best = Some((candidate.0, candidate.1, candidate.2, coding));
        }
    }
    best.map(|(_, _, _, c)| c)
}

/// The coding the request accepts, from its first `Accept-Encoding` header.
pub(crate) fn accepted(headers: &HeaderMap) -> Option<Coding> {
    let value = headers.get(http::header::ACCEPT_ENCODING)?.to_str().ok()?;
    negotiate(value)
}

/// `body` encoded with `coding` (default level), or `None` if encoding failed.
pub(crate) fn encode(coding: Coding, body: &[u8]) -> Option<Vec<u8>> {
    let out = Vec::with_capacity(body.len() / 4);
    match coding {
        Coding::Gzip => {
            let mut e = GzEncoder::new(out, Compression::default());
            e.write_all(body).ok()?;
            e.finish().ok()
        }
        Coding::Deflate => {
            let mut e = ZlibEncoder::new(out, Compression::default());
            e.write_all(body).ok()?;
            e.finish().ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn negotiation_follows_dynamodb() {
        let cases: &[(&str, Option<Coding>)] = &[
            ("identity", None),
            ("", None),
            ("br", None),
            ("x-gzip", None),
            ("gzip, deflate", Some(Coding::Gzip)),
            ("br, identity, deflate, gzip", Some(Coding::Deflate)),
            ("GZIP, identity", Some(Coding::Gzip)),
            ("gzip;q=0.8, deflate;q=0.5", Some(Coding::Gzip)),
            (
                "br, gzip;q=0, deflate; q = 0.5 , identity;q=0",
                Some(Coding::Deflate),
            ),
            ("*", Some(Coding::Gzip)),
            ("*, deflate;q=0.5", Some(Coding::Gzip)),
            ("*, deflate", Some(Coding::Deflate)),
            ("*, identity", Some(Coding::Gzip)),
            ("*, gzip;q=0.5", Some(Coding::Deflate)),
            ("gzip ;q=0", None),
            ("*;q=0", None),
            ("*;q=0.5,identity", Some(Coding::Gzip)),
            ("br;q=0.8,identity;q=0.5,*;q=0", None),
            ("\"gzip\"", None),
            ("gzip br", None),
            ("gzip:q=1", None),
            ("deflate;q=0.5, gzip;q=31", Some(Coding::Gzip)),
            ("gzip;q=31,deflate;q=51", Some(Coding::Gzip)),
            ("deflate;q=0.5, gzip;q=1;q=0.2", Some(Coding::Gzip)),
            ("deflate;q=0.5,gzip;q=0.", Some(Coding::Deflate)),
            ("deflate;q=0.5,gzip;q=0.x", Some(Coding::Gzip)),
            ("deflate;q=-0.5,gzip;q=0.2", Some(Coding::Gzip)),
            ("gzip;q= 0;q=1", None),
        ];
        for (header, want) in cases {
            assert_eq!(negotiate(header), *want, "{header:?}");
        }
    }

    #[test]
    fn encodings_round_trip() {
        let body = vec![b'x'; 10_000];
        let gz = encode(Coding::Gzip, &body).unwrap();
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, body);
        let z = encode(Coding::Deflate, &body).unwrap();
        back.clear();
        flate2::read::ZlibDecoder::new(&z[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, body);
        assert!(gz.len() < 200 && z.len() < 200);
    }
}
