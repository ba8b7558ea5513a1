//! The emulator on the project's HTTP server ([`crate::serve`]): each request becomes a
//! [`Req`], goes through [`routes::handle`](crate::routes::handle) (injected faults, then the routes), and its [`Resp`]
//! goes back on the wire.

use std::net::TcpListener;
use std::sync::Arc;

use crate::http::{self, Req, Resp};
use crate::serve::{self, Limits, Server};
use crate::state::Shared;

/// Serves the emulated API on `listener` until the returned server stops.
pub(crate) fn start(listener: TcpListener, shared: Arc<Shared>) -> std::io::Result<Server> {
    let limits = Limits {
        max_body: http::MAX_BODY as usize,
        max_connections: shared.config.max_connections.max(1),
        ..Limits::default()
    };
    Server::start(listener, limits, "emulator", move |r: serve::Request| {
        let req: Req = http::request(r.method, &r.target, r.headers, r.body, r.body_too_large);
        let resp: Resp = crate::routes::handle(&req, &shared);
        serve::Response {
            status: resp.status,
            headers: resp.headers,
            body: resp.body,
            truncate: resp.truncate,
            delay: resp.delay,
        }
    })
}
