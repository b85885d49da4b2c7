//! The accept loop and per-connection serving, over TLS or plain TCP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::rt::{Read, Write};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tracing::{debug, warn};

use crate::responses::ConnectionKill;
use crate::routes;
use crate::state::{Shared, wait_for_shutdown};

/// Time a client has to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Time in-flight requests get to finish once shutdown starts. Stalled requests and
/// delays longer than this are cut off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Time a connection keeps being polled after a fault requests its close. HTTP/2 writes
/// frames from the connection task, so without this the start of a truncated response
/// that the request already queued could be dropped unsent. The first poll normally
/// writes it, so this is an upper bound rather than a delay.
const CLOSE_FLUSH_TIME: Duration = Duration::from_millis(50);

/// Pause after a failed accept, such as when the process is out of file descriptors,
/// so that the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Accepts connections until `shutdown` turns true, then waits for every connection
/// task to finish, which takes at most about [`SHUTDOWN_GRACE`].
pub(crate) async fn run(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(
                        stream,
                        peer,
                        tls.clone(),
                        shared.clone(),
                        shutdown.clone(),
                    ));
                }
                Err(error) => {
                    warn!(%error, "failed to accept a connection");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = wait_for_shutdown(shutdown.clone()) => break,
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) {
    let Some(acceptor) = tls else {
        serve_http(TokioIo::new(stream), peer, shared, shutdown).await;
        return;
    };
    let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
    let stream = tokio::select! {
        result = handshake => match result {
            Ok(Ok(stream)) => stream,
            Ok(Err(error)) => {
                debug!(%peer, %error, "TLS handshake failed");
                return;
            }
            Err(_) => {
                debug!(%peer, "TLS handshake timed out");
                return;
            }
        },
        () = wait_for_shutdown(shutdown.clone()) => return,
    };
    serve_http(TokioIo::new(stream), peer, shared, shutdown).await;
}

/// Serves HTTP/1.1 or HTTP/2 on one connection until the client closes it, a fault
/// closes it, or shutdown ends it.
async fn serve_http<I>(io: I, peer: SocketAddr, shared: Arc<Shared>, shutdown: watch::Receiver<bool>)
where
    I: Read + Write + Unpin + Send + 'static,
{
    let kill = ConnectionKill::default();
    let service = {
        let kill = kill.clone();
        service_fn(move |request| routes::handle(shared.clone(), kill.clone(), request))
    };
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);

    tokio::select! {
        result = connection.as_mut() => {
            if let Err(error) = result {
                debug!(%peer, %error, "connection ended with an error");
            }
        }
        () = kill.closed() => {
            let _ = tokio::time::timeout(CLOSE_FLUSH_TIME, connection.as_mut()).await;
            debug!(%peer, "connection closed by a fault");
        }
        () = wait_for_shutdown(shutdown) => {
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                _ = connection.as_mut() => {}
                () = kill.closed() => {
                    let _ = tokio::time::timeout(CLOSE_FLUSH_TIME, connection.as_mut()).await;
                }
                () = tokio::time::sleep(SHUTDOWN_GRACE) => {
                    debug!(%peer, "connection cut off at shutdown");
                }
            }
        }
    }
}
