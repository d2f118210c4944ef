//! The server under test when the load generator starts it: a `weft serve` child on a
//! fresh SQLite database, plus what `/proc` says about it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::client::Endpoint;

/// How long the server may take to open its port.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How much of the server's log an error shows.
const LOG_TAIL_BYTES: u64 = 4096;
/// The unit of utime and stime in `/proc/<pid>/stat`: USER_HZ, which Linux fixes at
/// 100 on every architecture it exposes to user space.
const USER_HZ: f64 = 100.0;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot create a directory for the database{}: {source}", in_dir(.dir))]
    TempDir {
        dir: Option<PathBuf>,
        source: std::io::Error,
    },
    #[error("cannot find a free port: {0}")]
    Port(std::io::Error),
    #[error("cannot create the server log {path}: {source}")]
    Log {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start {exe}: {source}")]
    Spawn {
        exe: PathBuf,
        source: std::io::Error,
    },
    #[error("the server exited ({status}) before it was ready; its output:\n{log}")]
    Exited { status: ExitStatus, log: String },
    #[error(
        "the server did not listen on port {port} within {} s; its output:\n{log}",
        READY_TIMEOUT.as_secs()
    )]
    NotReady { port: u16, log: String },
    #[error("cannot watch the server process: {0}")]
    Wait(std::io::Error),
}

fn in_dir(dir: &Option<PathBuf>) -> String {
    dir.as_ref()
        .map(|d| format!(" in {}", d.display()))
        .unwrap_or_default()
}

/// A `weft serve` child process. Dropping it kills the process and removes its
/// database.
pub struct ServerProcess {
    child: Child,
    endpoint: Endpoint,
    db_path: PathBuf,
    log_path: PathBuf,
    // Declared last so the directory is removed after the process is gone.
    dir: TempDir,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // The server is killed outright: the database is thrown away with the
        // directory, so a clean shutdown would buy nothing.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Starts `weft_exe serve` on a free loopback port with a new database in a fresh
    /// directory (inside `db_dir` when given), and waits until the port accepts
    /// connections.
    pub async fn start(
        weft_exe: &Path,
        db_dir: Option<&Path>,
    ) -> Result<ServerProcess, ServerError> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("weft-bench-");
        let dir = match db_dir {
            Some(d) => builder.tempdir_in(d),
            None => builder.tempdir(),
        }
        .map_err(|source| ServerError::TempDir {
            dir: db_dir.map(Path::to_path_buf),
            source,
        })?;
        let db_path = dir.path().join("bench.db");
        let log_path = dir.path().join("server.log");
        let port = free_port().map_err(ServerError::Port)?;
        let log_error = |source| ServerError::Log {
            path: log_path.clone(),
            source,
        };
        let log = File::create(&log_path).map_err(log_error)?;
        let log_err = log.try_clone().map_err(log_error)?;
        let child = Command::new(weft_exe)
            .arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--db")
            .arg(format!("sqlite:{}", db_path.display()))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|source| ServerError::Spawn {
                exe: weft_exe.to_path_buf(),
                source,
            })?;
        let mut server = ServerProcess {
            child,
            endpoint: Endpoint::local(port),
            db_path,
            log_path,
            dir,
        };
        server.wait_ready(port).await?;
        Ok(server)
    }

    async fn wait_ready(&mut self, port: u16) -> Result<(), ServerError> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().map_err(ServerError::Wait)? {
                return Err(ServerError::Exited {
                    status,
                    log: self.log_tail(),
                });
            }
            if tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
                .await
                .is_ok()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(ServerError::NotReady {
                    port,
                    log: self.log_tail(),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The directory holding the database.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Whether the process has ended (and how), without waiting.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Sizes of the database file and its write-ahead log (0 for a missing file).
    pub fn db_sizes(&self) -> (u64, u64) {
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let mut wal = self.db_path.clone().into_os_string();
        wal.push("-wal");
        (size(&self.db_path), size(Path::new(&wal)))
    }

    pub fn log_tail(&self) -> String {
        read_tail(&self.log_path, LOG_TAIL_BYTES)
            .unwrap_or_else(|e| format!("(cannot read the log: {e})"))
    }
}

fn read_tail(path: &Path, bytes: u64) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(bytes)))?;
    let mut buf = Vec::new();
    file.read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// A loopback port nobody listens on right now. The port is released before the server
/// binds it; another process could take it in between, which the readiness check would
/// then report.
fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// CPU time (user + system) a process has used so far, from `/proc/<pid>/stat`;
/// `None` where there is no `/proc`.
pub fn cpu_time(pid: &str) -> Option<Duration> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_cpu_time(&text)
}

/// Reads utime and stime (fields 14 and 15) of a `/proc/<pid>/stat` line. The command
/// name in field 2 is in parentheses and may itself contain spaces and parentheses, so
/// fields are counted from the last `)`.
fn parse_cpu_time(stat: &str) -> Option<Duration> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace();
    // After the name come field 3 (state) onwards; utime is field 14.
    let utime: u64 = fields.nth(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_secs_f64((utime + stime) as f64 / USER_HZ))
}

/// Peak resident set size in KiB (`VmHWM` of `/proc/<pid>/status`).
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vm_hwm(&text)
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

/// The type of the file system holding `path` (ext4, tmpfs, …), from the longest
/// mount point in `/proc/self/mounts` that contains it. A benchmark on tmpfs measures
/// no real fsync, so the report names it.
pub fn filesystem_of(path: &Path) -> Option<String> {
    let path = path.canonicalize().ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    filesystem_from_mounts(&mounts, &path)
}

fn filesystem_from_mounts(mounts: &str, path: &Path) -> Option<String> {
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _device = fields.next()?;
            // Spaces in mount points are written as \040.
            let mount_point = fields.next()?.replace("\\040", " ");
            let fs_type = fields.next()?;
            path.starts_with(&mount_point)
                .then(|| (mount_point.len(), fs_type.to_string()))
        })
        // Later lines win a tie: they are mounted over the earlier ones.
        .fold(
            None,
            |best: Option<(usize, String)>, candidate| match best {
                Some(b) if b.0 > candidate.0 => Some(b),
                _ => Some(candidate),
            },
        )
        .map(|(_, fs_type)| fs_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_utime_plus_stime_in_clock_ticks() {
        // Fields as proc(5) lists them: pid (comm) state ppid pgrp session tty_nr
        // tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
        let stat =
            "4242 (weft (serve) x) S 1 4242 4242 0 -1 4194560 1200 0 3 0 250 37 9 9 20 0 5 0";
        assert_eq!(parse_cpu_time(stat), Some(Duration::from_millis(2870)));
        assert_eq!(parse_cpu_time("4242 (weft) S 1"), None);
    }

    #[test]
    fn own_cpu_time_is_readable() {
        assert!(cpu_time("self").is_some());
    }

    #[test]
    fn peak_rss_comes_from_vm_hwm() {
        let status =
            "Name:\tweft\nVmPeak:\t  200000 kB\nVmHWM:\t   51234 kB\nVmRSS:\t   50000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(51234));
        assert_eq!(parse_vm_hwm("Name:\tweft\n"), None);
    }

    #[test]
    fn the_longest_mount_point_names_the_file_system() {
        let mounts = "/dev/vda / ext4 rw 0 0\ntmpfs /tmp tmpfs rw 0 0\n/dev/vdb /tmp/big\\040disk xfs rw 0 0\n";
        let fs = |p: &str| filesystem_from_mounts(mounts, Path::new(p));
        assert_eq!(fs("/work/db").as_deref(), Some("ext4"));
        assert_eq!(fs("/tmp/weft-bench-1").as_deref(), Some("tmpfs"));
        assert_eq!(fs("/tmp/big disk/x").as_deref(), Some("xfs"));
        // A path component merely starting like a mount point is not under it.
        assert_eq!(fs("/tmpfoo").as_deref(), Some("ext4"));
    }
}
