//! Bounded work on a logo upload (issue 14, item 6): a user without the permission is refused
//! before the body is read, and an image bigger than a logo needs is refused from its header,
//! before a pixel is decoded. Measured on the real binary's own peak memory (VmHWM), not
//! trusted from a status code.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::STRONG_PASSWORD;
use crate::hardening_child::ChildServer as Server;

const MB: u64 = 1_000_000;

/// A PNG of one colour: `width` × `height` pixels, RGBA with `depth` bits per channel. It
/// compresses to a few tens of kilobytes, however many pixels it declares.
fn png(width: u32, height: u32, depth: png::BitDepth) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(depth);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().unwrap();
    let bytes_per_pixel = if depth == png::BitDepth::Sixteen { 8 } else { 4 };
    let pixels = vec![0x5au8; width as usize * height as usize * bytes_per_pixel];
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

/// `POST path` with a JSON body (and a token): the answer, which must be a success.
async fn call(server: &Server, path: &str, token: Option<&str>, body: Value) -> Value {
    let mut req = crate::helpers::http()
        .post(format!("{}{path}", server.base))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

/// `PUT /api/invoicing/logo/` as `token`: the status, the answer, and how much the server's peak
/// memory grew meanwhile.
async fn upload(server: &Server, token: &str, image: &[u8]) -> (StatusCode, String, u64) {
    let before = server.peak_memory();
    let r = crate::helpers::http()
        .put(format!("{}/api/invoicing/logo/", server.base))
        .bearer_auth(token)
        .header("content-type", "image/png")
        .body(image.to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, text, server.peak_memory().saturating_sub(before))
}

/// `PUT /api/invoicing/logo/` over a plain socket, for a body the server refuses unread: it may
/// close the connection while the body is still being written, and the answer must be read anyway.
async fn oversized(server: &Server, token: &str, body: Vec<u8>) -> StatusCode {
    use std::io::{BufRead, BufReader, Write};
    let addr = server.base.trim_start_matches("http://").to_owned();
    let token = token.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        let head = format!(
            "PUT /api/invoicing/logo/ HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let mut writer = stream.try_clone().unwrap();
        let sender = std::thread::spawn(move || {
            let _ = writer.write_all(head.as_bytes()).and_then(|()| writer.write_all(&body));
        });
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let mut status_line = String::new();
        BufReader::new(&mut stream).read_line(&mut status_line).unwrap();
        let _ = sender.join();
        let code: u16 = status_line.split_whitespace().nth(1).unwrap().parse().unwrap();
        StatusCode::from_u16(code).unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_logo_costs_little_before_and_after_the_permission_check() {
    let server = Server::start("").await;
    let owner = call(
        &server,
        "/api/auth/register/",
        None,
        json!({ "email": "owner@logo.test", "password": STRONG_PASSWORD, "first_name": "A",
                "last_name": "B", "firm_name": "Logo Books" }),
    )
    .await;
    let owner = owner["tokens"]["access"].as_str().unwrap().to_owned();
    call(
        &server,
        "/api/tenants/users/",
        Some(&owner),
        json!({ "email": "staff@logo.test", "role": "staff", "password": STRONG_PASSWORD }),
    )
    .await;
    let staff = call(
        &server,
        "/api/auth/login/",
        None,
        json!({ "email": "staff@logo.test", "password": STRONG_PASSWORD }),
    )
    .await;
    let staff = staff["tokens"]["access"].as_str().unwrap().to_owned();

    let huge = png(4096, 4096, png::BitDepth::Eight);
    assert!(huge.len() < 1024 * 1024, "{} bytes", huge.len());
    // 4096 × 4096 RGBA decodes to 64 MiB, and checking it by drawing took about 250 MB.
    let (status, _, grown) = upload(&server, &staff, &huge).await;
    println!(
        "4096 × 4096 PNG from staff: {status}, peak memory +{:.1} MB",
        grown as f64 / 1e6
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(grown < 20 * MB, "the refusal grew the server by {grown} bytes");

    let (status, text, grown) = upload(&server, &owner, &huge).await;
    println!(
        "4096 × 4096 PNG from the owner: {status}, peak memory +{:.1} MB",
        grown as f64 / 1e6
    );
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("4096 × 4096 pixels is more than a logo needs"), "{text}");
    assert!(grown < 20 * MB, "the refusal grew the server by {grown} bytes");

    // Few enough pixels, but 16 bits per channel: 32 MiB decoded, refused from the header too.
    let deep = png(2048, 2048, png::BitDepth::Sixteen);
    let (status, text, grown) = upload(&server, &owner, &deep).await;
    println!(
        "2048 × 2048 16-bit PNG: {status}, peak memory +{:.1} MB",
        grown as f64 / 1e6
    );
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("MiB to draw"), "{text}");
    assert!(grown < 20 * MB, "the refusal grew the server by {grown} bytes");

    // Past the route's 1 MiB: 413, without the rest being read.
    let mut padded = huge.clone();
    padded.resize(8 * 1024 * 1024, 0);
    let before = server.peak_memory();
    let status = oversized(&server, &owner, padded).await;
    let grown = server.peak_memory().saturating_sub(before);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(grown < 20 * MB, "the refusal grew the server by {grown} bytes");

    // The largest logo accepted is decoded and drawn once, within a bounded cost (last: the peak
    // only grows).
    let largest = png(2048, 2048, png::BitDepth::Eight);
    let (status, text, grown) = upload(&server, &owner, &largest).await;
    println!(
        "2048 × 2048 PNG, accepted: {status}, peak memory +{:.1} MB",
        grown as f64 / 1e6
    );
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(grown < 100 * MB, "the largest logo grew the server by {grown} bytes");
}
