//! The dashboard (`web/dist`) is embedded with rust-embed, which needs the folder to
//! exist. `make build` builds it first; a bare `cargo build` gets an empty folder and a
//! binary that answers `dashboard_not_built` on `/`.

use std::path::Path;

fn main() {
    let dist = Path::new("web/dist");
    if !dist.exists() {
        std::fs::create_dir_all(dist).expect("create web/dist");
    }
    println!("cargo:rerun-if-changed=web/dist");
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=data");
    // A stamp of the dashboard files so a rebuilt dashboard re-embeds.
    let mut stamp: u64 = 0;
    if let Ok(entries) = walk(dist) {
        for (path, len, modified) in entries {
            for b in path.bytes() {
                stamp = stamp.wrapping_mul(31).wrapping_add(b as u64);
            }
            stamp = stamp.wrapping_mul(31).wrapping_add(len).wrapping_add(modified);
        }
    }
    println!("cargo:rustc-env=WEB_DIST_STAMP={stamp}");
    check_openssl_threads();
}

/// libpq's OpenSSL is used from several pool threads at once: an OpenSSL built without
/// thread support (no locks, shared error queue) corrupts the heap now and then. The
/// `-static` C flag of the release build used to turn threads off silently (see
/// scripts/openssl-configure-perl); refuse such a build rather than ship it.
fn check_openssl_threads() {
    let Some(include) = std::env::var_os("DEP_OPENSSL_INCLUDE") else { return };
    let conf = Path::new(&include).join("openssl/configuration.h");
    let Ok(text) = std::fs::read_to_string(&conf) else { return };
    println!("cargo:rerun-if-changed={}", conf.display());
    if !text.lines().any(|l| l.trim_start_matches(['#', ' ']).starts_with("define OPENSSL_THREADS")) {
        panic!(
            "{} has no OPENSSL_THREADS: OpenSSL was built without thread support and libpq would \
             corrupt memory under concurrent connections. Rebuild it (cargo clean -p openssl-sys) \
             with OPENSSL_SRC_PERL from .cargo/config.toml in effect.",
            conf.display()
        );
    }
}

fn walk(dir: &Path) -> std::io::Result<Vec<(String, u64, u64)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            out.extend(walk(&entry.path())?);
            println!("cargo:rerun-if-changed={}", entry.path().display());
        } else {
            let modified = meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs())
                .unwrap_or(0);
            out.push((entry.path().display().to_string(), meta.len(), modified));
        }
    }
    out.sort();
    Ok(out)
}
