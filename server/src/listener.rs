//! The listener: accepts TCP connections up to `max_connections` (refusing the rest, see
//! `connections`), wraps them in TLS when configured, serves HTTP/1.1 and HTTP/2 on each
//! (hyper-util's auto builder), closes connections idle for `idle_timeout`, and shuts down
//! gracefully.

use crate::config::ServerConfig;
use crate::connections::{Activity, Limits};
use crate::deadline::Deadlines;
use crate::dynamodb::Peer;
use crate::error::ServerError;
use crate::health::Health;
use crate::metrics::RequestMetrics;
use crate::routing;
use crate::services::{AppState, SettingsHook};
use crate::tls;
use extenddb_core::Services;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit};
use tokio_rustls::TlsAcceptor;

/// How long a client may take to finish the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a failed accept (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// A server bound to its address and ready to run.
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    tls: Option<TlsAcceptor>,
    state: Arc<AppState>,
    shutdown_grace: Duration,
    idle_timeout: Duration,
    header_read_timeout: Duration,
}

impl Server {
    /// Prepares TLS (if configured) and binds the address. Port 0 binds a free port.
    pub async fn bind(config: ServerConfig, services: Services) -> Result<Server, ServerError> {
        Server::bind_shared(config, Arc::new(services)).await
    }

    /// `bind` with services the caller keeps a handle on (tests step its clock, read its
    /// metrics).
    pub async fn bind_shared(
        config: ServerConfig,
        services: Arc<Services>,
    ) -> Result<Server, ServerError> {
        let tls = match &config.tls {
            Some(source) => Some(TlsAcceptor::from(tls::server_config(source, &config.bind)?)),
            None => None,
        };
        let bind_err = |source| ServerError::Bind {
            addr: config.bind,
            source,
        };
        let listener = TcpListener::bind(config.bind).await.map_err(bind_err)?;
        let local_addr = listener.local_addr().map_err(bind_err)?;
        let limits = Arc::new(Limits::new(config.max_connections));
        let health = Arc::new(Health::new());
        Ok(Server {
            listener,
            local_addr,
            tls,
            state: Arc::new(AppState {
                metrics: RequestMetrics::new(services.clone(), limits.clone(), health.clone()),
                services,
                max_body_bytes: config.max_body_bytes,
                settings_poll: config.settings_poll,
                settings_hook: None,
                limits,
                health,
                body_read_timeout: config.body_read_timeout,
                request_timeout: config.request_timeout,
                health_interval: config.health_interval,
                management: None,
                console: crate::console::Console::new(config.console_session_idle),
            }),
            shutdown_grace: config.shutdown_grace,
            idle_timeout: config.idle_timeout,
            header_read_timeout: config.header_read_timeout,
        })
    }

    /// Calls `hook` with the runtime settings each poll finds changed (and once at startup
    /// with every setting).
    pub fn with_settings_hook(mut self, hook: SettingsHook) -> Server {
        if let Some(state) = Arc::get_mut(&mut self.state) {
            state.settings_hook = Some(hook);
        }
        self
    }

    /// Serves the management API (`/management/*`) with `m` (the IAM store and data key of the
    /// builtin auth provider); without it those paths answer 503 ManagementDisabled.
    pub fn with_management(mut self, m: crate::management::Management) -> Server {
        if let Some(state) = Arc::get_mut(&mut self.state) {
            let api = crate::management::ManagementApi::new(state.services.clone(), m);
            state.management = Some(api);
        }
        self
    }

    /// The address actually bound (the chosen port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// True when connections are served over TLS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Serves until `shutdown` completes, then stops accepting and waits up to the grace
    /// period for requests in flight.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), ServerError> {
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout);
        builder.http2().timer(TokioTimer::new());
        let builder = Arc::new(builder);
        // Each connection holds a receiver: a send asks them to finish, and the channel's
        // closing tells when the last one has.
        let (stop_tx, stop_rx) = watch::channel(false);
        let workers = [
            crate::health::spawn(self.state.clone()),
            crate::settings_poller::spawn(self.state.clone()),
            crate::workers::spawn(self.state.clone()),
            crate::token_sweeper::spawn(self.state.clone()),
            crate::ttl_sweeper::spawn(self.state.clone()),
            crate::table_reaper::spawn(self.state.clone()),
            crate::stream_worker::spawn(self.state.clone()),
        ];
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let Some(permit) = self.state.limits.admit() else {
                            self.state.limits.refuse(stream, self.tls.is_some());
                            continue;
                        };
                        let conn = Connection {
                            builder: builder.clone(),
                            state: self.state.clone(),
                            stop: stop_rx.clone(),
                            peer: Peer { addr: Some(peer), tls: self.tls.is_some() },
                            idle_timeout: self.idle_timeout,
                            _permit: permit,
                        };
                        tokio::spawn(conn.run(stream, peer, self.tls.clone()));
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                },
                () = &mut shutdown => break,
            }
        }
        drop(self.listener);
        drop(stop_rx);
        for worker in workers {
            worker.abort();
        }
        tracing::info!(
            connections = stop_tx.receiver_count(),
            "shutting down; finishing requests in flight"
        );
        let _ = stop_tx.send(true);
        tokio::select! {
            () = stop_tx.closed() => tracing::info!("all connections closed"),
            () = tokio::time::sleep(self.shutdown_grace) => {
                tracing::warn!("shutdown grace period elapsed; dropping open connections");
            }
        }
        Ok(())
    }
}

/// What the requests of one connection share.
struct PerConnection {
    state: Arc<AppState>,
    /// The timers lent to its requests.
    deadlines: Deadlines,
}

/// One accepted connection and what serving it needs.
struct Connection {
    builder: Arc<auto::Builder<TokioExecutor>>,
    state: Arc<AppState>,
    /// Becomes true when the server shuts down.
    stop: watch::Receiver<bool>,
    peer: Peer,
    idle_timeout: Duration,
    /// Its place under `max_connections`, given back when the connection ends.
    _permit: OwnedSemaphorePermit,
}

impl Connection {
    async fn run(self, stream: TcpStream, peer: SocketAddr, tls: Option<TlsAcceptor>) {
        // Small request/response pairs: don't let Nagle hold back the answer.
        let _ = stream.set_nodelay(true);
        match tls {
            None => self.serve(stream, peer).await,
            Some(acceptor) => {
                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls_stream)) => self.serve(tls_stream, peer).await,
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                }
            }
        }
    }

    /// Serves the connection until the client closes it, it has been idle for
    /// `idle_timeout`, or the server shuts down (the last two finish the request in flight
    /// first: HTTP/1 closes after it, HTTP/2 sends GOAWAY).
    async fn serve<S>(self, io: S, peer: SocketAddr)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            builder,
            state,
            mut stop,
            peer: from,
            idle_timeout,
            _permit,
        } = self;
        let activity = Activity::new();
        let requests = activity.clone();
        // What every request of this connection shares, behind one reference count of its
        // own: cloning the server-wide state per request wrote a count that every worker
        // thread writes.
        let shared = Arc::new(PerConnection {
            state,
            deadlines: Deadlines::default(),
        });
        let service = service_fn(move |req: Request<Incoming>| {
            let shared = shared.clone();
            let in_flight = requests.begin();
            async move {
                let resp = routing::route(&shared.state, &shared.deadlines, req, from).await;
                drop(in_flight);
                Ok::<_, Infallible>(resp)
            }
        });
        let conn = builder.serve_connection(TokioIo::new(io), service);
        tokio::pin!(conn);
        let idle = activity.idle(idle_timeout);
        tokio::pin!(idle);
        let mut closing = false;
        let stopping = async {
            // An error means the server is gone: stop too.
            let _ = stop.wait_for(|stop| *stop).await;
        };
        tokio::pin!(stopping);
        loop {
            tokio::select! {
                ended = conn.as_mut() => {
                    if let Err(e) = ended {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                    return;
                }
                () = &mut idle, if !closing => {
                    tracing::debug!(%peer, "closing an idle connection");
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
                () = &mut stopping, if !closing => {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}
