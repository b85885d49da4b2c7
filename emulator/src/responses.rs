//! Response bodies and builders shared by the token and admin routes.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use tokio::sync::Notify;

/// Body type of every response the emulator sends.
pub(crate) type ResponseBody = BoxBody<Bytes, Infallible>;

pub(crate) const JSON: &str = "application/json";

/// Closes one connection when notified: the connection task drops the socket without
/// sending anything more. Faults use it to cut a connection below HTTP.
#[derive(Clone, Default)]
pub(crate) struct ConnectionKill(Arc<Notify>);

impl ConnectionKill {
    /// Asks the connection task to drop the connection. The request stays pending until
    /// then, even when the connection task is not waiting yet.
    pub(crate) fn close_connection(&self) {
        self.0.notify_one();
    }

    /// Waits until [`ConnectionKill::close_connection`] is called.
    pub(crate) async fn closed(&self) {
        self.0.notified().await;
    }
}

pub(crate) fn full_body(bytes: impl Into<Bytes>) -> ResponseBody {
    Full::new(bytes.into()).boxed()
}

/// Builds a response with a body and its `Content-Type`.
pub(crate) fn with_body(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<ResponseBody> {
    let mut response = Response::new(full_body(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Builds a JSON response from a serializable value.
pub(crate) fn json(status: StatusCode, value: &impl serde::Serialize) -> Response<ResponseBody> {
    let body = serde_json::to_vec(value).expect("response values serialize to JSON");
    with_body(status, JSON, body)
}

/// Builds an error response with the body `{"error": code, "message": message}`, plus
/// `"member"` when the error is about one member of the request body.
pub(crate) fn error(
    status: StatusCode,
    code: &str,
    message: &str,
    member: Option<&str>,
) -> Response<ResponseBody> {
    let mut body = serde_json::json!({ "error": code, "message": message });
    if let Some(member) = member {
        body["member"] = serde_json::Value::from(member);
    }
    json(status, &body)
}

/// Body that sends one chunk, then closes the connection although its size hint
/// promised `declared_len` bytes. The size hint becomes the `Content-Length`.
pub(crate) struct TruncatedBody {
    chunk: Option<Bytes>,
    declared_len: u64,
    kill: ConnectionKill,
}

impl TruncatedBody {
    pub(crate) fn new(chunk: Bytes, declared_len: u64, kill: ConnectionKill) -> TruncatedBody {
        debug_assert!((chunk.len() as u64) < declared_len);
        TruncatedBody {
            chunk: Some(chunk),
            declared_len,
            kill,
        }
    }
}

impl Body for TruncatedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.chunk.take() {
            Some(chunk) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
            None => {
                // hyper polls the body again right after taking the chunk and flushes
                // what it buffered when the body is pending, so the chunk reaches the
                // socket before the connection task drops the connection. The waker is
                // not stored because the connection is gone before anyone could use it.
                self.kill.close_connection();
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        false
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.declared_len)
    }
}
