//! A PostgreSQL server of the test's own: `initdb` on a private temporary data directory,
//! `postgres` on a free loopback port (its socket directory inside the temporary one), stopped
//! and removed when dropped. As root, both run as the `postgres` user (or `nobody`): the server
//! refuses to run as root.

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server with trust authentication for the `postgres` role on 127.0.0.1.
pub struct Server {
    child: Child,
    dir: PathBuf,
    /// `host=127.0.0.1 port=<port> user=postgres dbname=postgres`.
    pub params: String,
    /// `postgresql://postgres@127.0.0.1:<port>/postgres`.
    pub url: String,
}

/// The directory of `initdb` and `postgres`: `HOOTSUITE_EVENTS_PG_BIN`, else the `PATH`'s,
/// else Debian's newest `/usr/lib/postgresql/<version>/bin`.
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("HOOTSUITE_EVENTS_PG_BIN") {
        return PathBuf::from(dir);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if let Ok(real) = dir.join("initdb").canonicalize() {
                if let Some(parent) = real.parent() {
                    return parent.to_path_buf();
                }
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b).unwrap_or_else(|| {
        panic!("PostgreSQL's initdb was not found: run `make postgresql` (Debian's postgresql package) or set HOOTSUITE_EVENTS_PG_BIN")
    })
}

/// The uid and gid to run the server as when this process is root.
fn unprivileged() -> Option<(u32, u32)> {
    let me = std::fs::read_to_string("/proc/self/status").ok()?;
    let root = me
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2))
        == Some("0");
    if !root {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    ["postgres", "nobody"].iter().find_map(|name| {
        passwd.lines().find_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            (f.len() > 3 && f[0] == *name)
                .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
        })
    })
}

fn command(bin: &Path, name: &str, dir: &Path, user: Option<(u32, u32)>) -> Command {
    let mut c = Command::new(bin.join(name));
    // The server's user may not enter the caller's directory (a home of mode 700).
    c.current_dir(dir);
    if let Some((uid, gid)) = user {
        c.uid(uid).gid(gid);
    }
    c
}

impl Server {
    /// Starts one; panics with what to do when PostgreSQL is not installed.
    pub fn start() -> Server {
        let bin = bin_dir();
        let user = unprivileged();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let dir =
            std::env::temp_dir().join(format!("hootsuite-events-pg-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .expect("chown the scratch directory");
        }
        let data = dir.join("data");
        let out = command(&bin, "initdb", &dir, user)
            .arg("-D")
            .arg(&data)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .stdout(Stdio::null())
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {}/initdb ({e}): run `make postgresql`",
                    bin.display()
                )
            });
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let child = command(&bin, "postgres", &dir, user)
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&dir)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            // Test settings: no fsync (nothing here survives a machine crash anyway), enough
            // connections for the concurrent cases, no log noise.
            .args([
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=60",
            ])
            .args(["-c", "log_min_messages=fatal"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}/postgres: {e}", bin.display()));
        let params =
            format!("host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=5");
        let url = format!("postgresql://postgres@127.0.0.1:{port}/postgres");
        let mut server = Server {
            child,
            dir,
            params,
            url,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if postgres::Client::connect(&self.params, postgres::NoTls).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("postgres exited before answering: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "postgres did not answer on {} within 30 s",
                self.url
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A new connection.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.params, postgres::NoTls)
            .expect("a connection to the test's postgres")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's fast shutdown: its backends go with it; SIGKILL past 10 s.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
