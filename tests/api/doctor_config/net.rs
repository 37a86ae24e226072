//! `oasys doctor` on what lies outside the data dir: the mail server as configured, whatever
//! answers on the listen port (an OASYS in trouble or of another version, another program,
//! something that is not HTTP), a listen address of another machine, a `--url` it cannot ask,
//! and the OCR programs on `PATH`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;

use super::{Install, has, lacks};
use crate::helpers::Backend;

#[test]
fn the_mail_server_is_checked_as_configured() {
    let install = Install::new(&Backend::Sqlite);
    let from = "[smtp]\nfrom = \"billing@firm.example\"\n";
    let sink = install.path("outbox");
    std::fs::create_dir(&sink).unwrap();
    install.configure(&format!("{from}file_dir = \"{}\"\n", sink.display()));
    let (ok, text) = install.doctor(&[]);
    assert!(ok, "{text}");
    has(
        &text,
        &format!(
            "warn  smtp: smtp.file_dir = {}: messages are written there as .eml files, not sent",
            sink.display()
        ),
    );
    let gone = install.path("no-outbox");
    install.configure(&format!("{from}file_dir = \"{}\"\n", gone.display()));
    let (ok, text) = install.doctor(&[]);
    assert!(!ok, "{text}");
    has(&text, &format!("FAIL  smtp: {} does not exist", gone.display()));
    has(&text, &format!("fix: install -d -m 700 {}", gone.display()));

    // A relay on this machine that accepts connections, without a password: nothing to warn.
    let relay = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = relay.local_addr().unwrap().port();
    install.configure(&format!("{from}url = \"smtp://127.0.0.1:{port}\"\n"));
    let (ok, text) = install.doctor(&[]);
    assert!(ok, "{text}");
    has(
        &text,
        &format!("ok    smtp: 127.0.0.1:{port} accepts connections; documents are sent as billing@firm.example"),
    );
    drop(relay);
    let (ok, text) = install.doctor(&[]);
    assert!(ok, "an unreachable mail server is a warning:\n{text}");
    has(&text, &format!("warn  smtp: cannot reach 127.0.0.1:{port}: "));

    // A password to another machine in clear (a documentation address: nothing answers).
    install.configure(&format!("{from}url = \"smtp://books:secret@192.0.2.1:2525\"\n"));
    let text = install.doctor(&[]).1;
    has(
        &text,
        "warn  smtp: smtp.url sends the password to 192.0.2.1 without TLS",
    );
    has(&text, "fix: use smtps://… (port 465) or add ?tls=required");
    has(&text, "warn  smtp: cannot reach 192.0.2.1:2525: ");
    // With TLS no warning; the port is the scheme's when none is given.
    for (url, port) in [
        ("smtps://books:secret@127.0.0.1", 465),
        ("smtp://books:secret@127.0.0.1?tls=required", 587),
        ("smtp://127.0.0.1", 25),
    ] {
        install.configure(&format!("{from}url = \"{url}\"\n"));
        let text = install.doctor(&[]).1;
        lacks(&text, "without TLS");
        let asked = [
            format!("ok    smtp: 127.0.0.1:{port} accepts"),
            format!("warn  smtp: cannot reach 127.0.0.1:{port}: "),
        ];
        assert!(
            text.lines().any(|l| asked.iter().any(|a| l.starts_with(a.as_str()))),
            "{url}: port {port} not asked:\n{text}"
        );
    }
}

/// A listener that answers one request with `answer` and hangs up: another program on the
/// listen port, or an OASYS in trouble.
fn answering(answer: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0_u8; 1024];
        let _ = stream.read(&mut request);
        let _ = stream.write_all(answer.as_bytes());
    });
    addr
}

#[test]
fn whatever_answers_on_the_listen_port_is_named() {
    let install = Install::new(&Backend::Sqlite);
    let old = r#"{"status":"ok","version":"0.0.1","database":{"backend":"sqlite"}}"#;
    let not_http = "SSH-2.0-OpenSSH_9.6\r\n";
    let cases = [
        (
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".to_owned(),
            ": the server answers, its database does not",
        ),
        (
            "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found".to_owned(),
            " answered 404: another program holds this address",
        ),
        (not_http.to_owned(), ": not an HTTP answer"),
        (
            format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{old}"),
            ": OASYS 0.0.1 answers, sqlite reachable",
        ),
    ];
    let mut said = Vec::new();
    for (answer, line) in cases {
        let addr = answering(answer);
        install.configure(&format!("listen = \"{addr}\""));
        let (ok, text) = install.doctor(&[]);
        let verdict = if ok { "ok  " } else { "FAIL" };
        has(&text, &format!("{verdict}  server: http://{addr}/api/health/{line}"));
        said.push((ok, text));
    }
    let passed: Vec<bool> = said.iter().map(|(ok, _)| *ok).collect();
    assert_eq!(passed, [false, false, false, true], "only an OASYS that answers passes");
    has(&said[0].1, "fix: see the database lines above and the server's log");
    has(
        &said[1].1,
        "fix: stop it, or set listen (and --url) to the address OASYS serves on",
    );
    has(&said[2].1, "fix: the port is taken but nothing answers HTTP there");
    has(
        &said[3].1,
        &format!(
            "warn  server: the server runs 0.0.1, this binary is {}",
            env!("CARGO_PKG_VERSION")
        ),
    );

    // An address of another machine cannot be listened on.
    install.configure("listen = \"192.0.2.1:8000\"");
    let (ok, text) = install.doctor(&[]);
    assert!(!ok, "{text}");
    has(&text, "FAIL  server: cannot listen on 192.0.2.1:8000: ");
    has(&text, "fix: set listen to an address of this machine");
    // Only plain http:// can be asked.
    let (ok, text) = install.doctor(&["--health", "--url", "https://books.example.com"]);
    assert!(!ok, "{text}");
    has(
        &text,
        "FAIL  server: https://books.example.com: only http:// URLs can be asked",
    );
    has(&text, "fix: give --url http://HOST:PORT");
}

/// OCR is optional: without pdftoppm scanned PDFs are not read, without tesseract no image is;
/// each is a warning naming the package to install (here a `PATH` holding only a stand-in
/// tesseract, then nothing at all).
#[test]
fn missing_ocr_programs_are_named_with_what_to_install() {
    let install = Install::new(&Backend::Sqlite);
    let bin = install.path("bin");
    std::fs::create_dir(&bin).unwrap();
    let tesseract = bin.join("tesseract");
    std::fs::write(
        &tesseract,
        "#!/bin/sh\ncase \"$1\" in\n--version) echo 'tesseract 9.9.9-standin' ;;\n\
         --list-langs) printf 'List of available languages (2):\\ndeu\\neng\\n' ;;\nesac\n",
    )
    .unwrap();
    std::fs::set_permissions(&tesseract, std::fs::Permissions::from_mode(0o755)).unwrap();
    let doctor = |path: &std::path::Path| {
        let mut cmd = crate::helpers::oasys_command(&install.path("oasys.toml"), &install.data_dir());
        let out = cmd.env("PATH", path).arg("doctor").output().unwrap();
        (out.status.success(), crate::helpers::output_text(&out))
    };
    let (ok, text) = doctor(&bin);
    assert!(ok, "a warning:\n{text}");
    has(
        &text,
        "warn  ocr: tesseract 9.9.9-standin (eng+deu); scanned PDFs are not read: install poppler-utils for pdftoppm",
    );
    has(&text, "fix: apt-get install poppler-utils");
    std::fs::remove_file(&tesseract).unwrap();
    let (ok, text) = doctor(&bin);
    assert!(ok, "a warning:\n{text}");
    has(
        &text,
        "warn  ocr: tesseract not found: uploaded images and scanned PDFs get no text",
    );
    has(
        &text,
        "fix: apt-get install tesseract-ocr tesseract-ocr-eng poppler-utils",
    );
}
