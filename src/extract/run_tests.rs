//! How the parent reports a worker that ended without an answer, with stand-in workers: small
//! shell scripts run in place of `oasys extract-worker` that die the ways a real reader can (a
//! panic, an allocation failure, a signal, an exit code) or answer nonsense.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::extract_in_child;
use crate::extract::{ExtractError, Extracted, Format, Limits, Method, Tools};

/// A worker that runs `body` (sh), with core dumps off so that a crash costs no time.
fn worker(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\nulimit -c 0\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn limits() -> Limits {
    Limits {
        timeout: Duration::from_secs(20),
        max_text_bytes: 1_000,
        max_memory: 256 << 20,
        ..Limits::default()
    }
}

/// What the parent makes of `exe`'s run. A script written a moment ago can still be open for
/// writing in a child another test is forking (ETXTBSY): starting it again then succeeds.
fn run(exe: &Path, dir: &Path, limits: &Limits) -> Result<Extracted, ExtractError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for _ in 0..50 {
        let got = runtime.block_on(extract_in_child(
            exe,
            Format::Text,
            &dir.join("input"),
            dir,
            limits,
            &Tools::default(),
        ));
        match got {
            Err(ExtractError::Io(m)) if m.contains("Text file busy") => std::thread::sleep(Duration::from_millis(20)),
            other => return other,
        }
    }
    panic!("{} never started", exe.display());
}

fn crashed(body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let exe = worker(dir.path(), "worker", body);
    match run(&exe, dir.path(), &limits()) {
        Err(ExtractError::Crashed(why)) => why,
        other => panic!("{body:?}: expected a crash, got {other:?}"),
    }
}

#[test]
fn a_worker_that_dies_is_described_in_words_for_the_user() {
    let cases = [
        (
            "echo \"thread 'main' panicked at src/extract/sheet.rs:10:5:\" >&2\n\
             echo 'index out of bounds: the len is 3 but the index is 7' >&2\nexit 101",
            "the reader could not make sense of this file (index out of bounds: the len is 3 but the index is 7)",
        ),
        (
            "echo 'memory allocation of 1073741824 bytes failed' >&2\nkill -ABRT $$",
            "the file needs more than the 256 MiB of memory a reader may use",
        ),
        (
            "echo 'fatal runtime error: out of memory' >&2\nexit 1",
            "the file needs more than the 256 MiB of memory a reader may use",
        ),
        ("kill -KILL $$", "the reader was stopped (killed)"),
        ("kill -ABRT $$", "the reader aborted on this file"),
        ("kill -SEGV $$", "the reader crashed on this file"),
        ("kill -BUS $$", "the reader crashed on this file"),
        ("kill -TERM $$", "the reader stopped on signal 15"),
        ("exit 3", "the reader exited with status 3"),
    ];
    for (body, expected) in cases {
        assert_eq!(crashed(body), expected, "{body:?}");
    }
}

#[test]
fn an_answer_the_parent_cannot_read_is_a_failed_extraction() {
    for body in ["exit 0", "echo 'hello'", "printf 'ok nonsense -\\ntext'"] {
        assert_eq!(crashed(body), "the worker's answer was not understood", "{body:?}");
    }
}

#[test]
fn a_worker_that_starts_nothing_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let got = run(&dir.path().join("no-such-worker"), dir.path(), &limits());
    match got {
        Err(ExtractError::Io(m)) => assert!(m.starts_with("the extraction worker did not start"), "{m}"),
        other => panic!("expected an I/O failure, got {other:?}"),
    }
}

#[test]
fn a_worker_that_writes_past_the_cap_is_stopped_and_its_text_kept_up_to_the_cap() {
    // The answer's header, then text without end: the parent stops listening at the cap and
    // kills the worker, long before the time limit.
    let dir = tempfile::tempdir().unwrap();
    let exe = worker(dir.path(), "worker", "printf 'ok text -\\n'\nexec yes abcdefghi");
    let limits = limits();
    let started = Instant::now();
    let got = run(&exe, dir.path(), &limits).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped only after {:?}",
        started.elapsed()
    );
    assert_eq!(got.method, Method::Text);
    assert_eq!(got.pages, None);
    assert_eq!(got.text.len(), limits.max_text_bytes);
    assert!(
        got.text.starts_with("abcdefghi\nabcdefghi\n"),
        "{:?}",
        got.text.get(..40)
    );
}
