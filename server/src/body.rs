//! Reading a request body into one contiguous `Bytes`, refusing bodies over the size limit
//! before (by Content-Length) or while (by counting) they arrive.

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Body;

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// The body is larger than the limit.
    TooLarge,
    /// The connection failed while the body arrived.
    Read(String),
}

/// Reads `body` whole, refusing it when it announces or delivers more than `max` bytes.
pub async fn read_limited<B>(
    body: B,
    content_length: Option<u64>,
    max: usize,
) -> Result<Bytes, BodyError>
where
    B: Body,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    if content_length.is_some_and(|len| len > max as u64) {
        return Err(BodyError::TooLarge);
    }
    match Limited::new(body, max).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(BodyError::TooLarge),
        Err(e) => Err(BodyError::Read(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::Full;
    use hyper::body::Frame;

    #[tokio::test]
    async fn reads_a_body_within_the_limit() {
        let b = read_limited(Full::new(Bytes::from_static(b"abc")), Some(3), 3)
            .await
            .unwrap();
        assert_eq!(&b[..], b"abc");
    }

    #[tokio::test]
    async fn refuses_by_content_length_and_by_count() {
        let r = read_limited(Full::new(Bytes::from_static(b"abcd")), Some(4), 3).await;
        assert!(matches!(r, Err(BodyError::TooLarge)));
        // A body that lies about (or omits) its length is cut off while counting.
        let r = read_limited(Full::new(Bytes::from_static(b"abcd")), None, 3).await;
        assert!(matches!(r, Err(BodyError::TooLarge)));
    }

    #[tokio::test]
    async fn a_broken_body_is_a_read_error_not_too_large() {
        struct Broken;
        impl Body for Broken {
            type Data = Bytes;
            type Error = std::io::Error;
            fn poll_frame(
                self: std::pin::Pin<&mut Self>,
                _: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
                std::task::Poll::Ready(Some(Err(std::io::Error::other("connection reset"))))
            }
        }
        match read_limited(Broken, None, 10).await {
            Err(BodyError::Read(msg)) => assert!(msg.contains("connection reset"), "{msg}"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
