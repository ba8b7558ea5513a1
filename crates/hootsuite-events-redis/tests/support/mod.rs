//! A redis-server of the test's own on a free loopback port, stopped when dropped.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running redis-server (no persistence, in a scratch directory).
pub struct Server {
    child: Child,
    dir: PathBuf,
    port: u16,
    /// `redis://127.0.0.1:<port>/`.
    pub url: String,
}

impl Server {
    /// Starts one; panics with what to do when redis-server is not installed.
    pub fn start() -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let dir = std::env::temp_dir().join(format!(
            "hootsuite-events-redis-{}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let child = spawn(port, &dir);
        let url = format!("redis://127.0.0.1:{port}/");
        let mut server = Server {
            child,
            dir,
            port,
            url,
        };
        server.wait_ready();
        server
    }

    /// Stops the server and starts a new one on the same port (its keys are gone).
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = spawn(self.port, &self.dir);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = redis::Client::open(self.url.as_str())
                .and_then(|c| c.get_connection())
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c));
            if ready.is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer on {} within 20 s",
                self.url
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A new connection.
    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url.as_str())
            .and_then(|c| c.get_connection())
            .expect("a connection to the test's redis-server")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn spawn(port: u16, dir: &std::path::Path) -> Child {
    Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start redis-server ({e}): run `make redis` (Debian's redis-server package) first"))
}

/// A Redis Cluster of three primaries (no replicas) on free loopback ports, each a
/// redis-server of the test's own in cluster mode, joined by `redis-cli --cluster create`.
pub struct Cluster {
    nodes: Vec<(Child, PathBuf)>,
    /// `redis://127.0.0.1:<port>/` of each primary.
    pub urls: Vec<String>,
}

impl Cluster {
    /// Starts one and waits until every slot is served.
    pub fn start() -> Cluster {
        let mut nodes = Vec::new();
        let mut urls = Vec::new();
        let mut addresses = Vec::new();
        // Bus ports picked too (the default, port + 10000, overflows); held at once: distinct.
        let listeners: Vec<TcpListener> = (0..6)
            .map(|_| TcpListener::bind("127.0.0.1:0").expect("a free loopback port"))
            .collect();
        let ports: Vec<u16> = listeners
            .iter()
            .map(|l| l.local_addr().expect("a bound address").port())
            .collect();
        drop(listeners);
        for i in 0..3 {
            let (port, bus_port) = (ports[i], ports[i + 3]);
            let dir = std::env::temp_dir().join(format!(
                "hootsuite-events-redis-cluster-{}-{port}-{i}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).expect("a scratch directory");
            let child = Command::new("redis-server")
                .args([
                    "--port",
                    &port.to_string(),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .args([
                    "--cluster-enabled",
                    "yes",
                    "--cluster-port",
                    &bus_port.to_string(),
                    "--cluster-config-file",
                    "nodes.conf",
                ])
                .arg("--dir")
                .arg(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot start redis-server ({e}): run `make redis` first")
                });
            nodes.push((child, dir));
            urls.push(format!("redis://127.0.0.1:{port}/"));
            addresses.push(format!("127.0.0.1:{port}"));
        }
        let cluster = Cluster { nodes, urls };
        for url in &cluster.urls {
            wait_for(url, |c| redis::cmd("PING").query::<String>(c).is_ok());
        }
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .status()
            .expect("redis-cli (Debian's redis-tools, with redis-server) runs");
        assert!(created.success(), "redis-cli --cluster create failed");
        for url in &cluster.urls {
            wait_for(url, |c| {
                redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query::<String>(c)
                    .is_ok_and(|info| info.contains("cluster_state:ok"))
            });
        }
        cluster
    }
}

/// Waits at most 20 s for `ready` on a new connection to `url`.
fn wait_for(url: &str, ready: impl Fn(&mut redis::Connection) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ok = redis::Client::open(url)
            .and_then(|c| c.get_connection())
            .is_ok_and(|mut c| ready(&mut c));
        if ok {
            return;
        }
        assert!(Instant::now() < deadline, "{url} was not ready within 20 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for (child, dir) in &mut self.nodes {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
