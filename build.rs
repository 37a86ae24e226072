//! Build script: the documentation pages' files, gzipped into `OUT_DIR` for src/http/packed.rs,
//! and the PDF fonts, gzipped for src/pdf/fonts.rs.
//! Swagger UI's come from the zip that `utoipa-swagger-ui-vendored` carries (crates.io, nothing
//! downloaded), keeping only what its `index.html` loads: the ES bundles and the unbundled
//! `swagger-ui.js` (2.3 MB) stay out. Redoc's bundle comes from `assets/redoc/`.

use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

/// The Swagger UI files its `index.html` loads, with their types. `swagger-initializer.js`, which
/// carries the page's settings, is ours (`assets/swagger-initializer.js`).
const SWAGGER: &[(&str, &str)] = &[
    ("index.html", "text/html; charset=utf-8"),
    ("index.css", "text/css; charset=utf-8"),
    ("swagger-ui.css", "text/css; charset=utf-8"),
    ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    ("swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8"),
    ("favicon-32x32.png", "image/png"),
    ("favicon-16x16.png", "image/png"),
];

const REDOC_JS: &str = "assets/redoc/redoc.standalone.js";
/// The PDF renderer's faces (src/pdf/fonts.rs inflates them on first use).
const FONTS: &[&str] = &["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={REDOC_JS}");
    println!("cargo:rerun-if-changed=assets/fonts");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);

    let mut zip = zip::ZipArchive::new(Cursor::new(utoipa_swagger_ui_vendored::SWAGGER_UI_VENDORED))?;
    // The archive holds one folder, `swagger-ui-<version>/`, with the files under `dist/`.
    let index = zip
        .file_names()
        .filter_map(Result::ok)
        .find(|name| name.ends_with("/dist/index.html") && name.matches('/').count() == 2)
        .map(|name| name.into_owned())
        .ok_or("the Swagger UI zip has no <folder>/dist/index.html")?;
    let dist = index.trim_end_matches("index.html").to_owned();

    let mut table = String::from("&[\n");
    for (name, content_type) in SWAGGER {
        let mut entry = zip
            .by_name(&format!("{dist}{name}"))
            .map_err(|e| format!("{dist}{name} in the Swagger UI zip: {e}"))?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        let gz = format!("swagger-{name}.gz");
        gzip(&bytes, &out.join(&gz))?;
        writeln!(
            table,
            "    ({name:?}, {content_type:?}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{gz}\")) as &[u8]),"
        )?;
    }
    table.push(']');
    fs::write(out.join("swagger.rs"), table)?;

    let redoc = fs::read(REDOC_JS).map_err(|e| format!("{REDOC_JS}: {e}"))?;
    gzip(&redoc, &out.join("redoc.standalone.js.gz"))?;
    for font in FONTS {
        let path = format!("assets/fonts/{font}");
        let bytes = fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
        gzip(&bytes, &out.join(format!("{font}.gz")))?;
    }
    Ok(())
}

/// Writes `bytes` gzipped at the best level to `path`.
fn gzip(bytes: &[u8], path: &Path) -> Result<(), Box<dyn Error>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    fs::write(path, encoder.finish()?).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}
