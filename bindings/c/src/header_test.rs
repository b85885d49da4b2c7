//! Keeps `include/sethealth.h` in sync with the exported items.

use std::path::{Path, PathBuf};

/// The environment variable that makes `header_is_up_to_date` rewrite the
/// checked-in header instead of failing; `make header` sets it.
const UPDATE_ENV: &str = "SETHEALTH_UPDATE_HEADER";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate() -> String {
    let crate_dir = crate_dir();
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen parses the crate");
    let mut header = Vec::new();
    bindings.write(&mut header);
    String::from_utf8(header).expect("the header is UTF-8")
}

fn header_path() -> PathBuf {
    crate_dir().join("../../include/sethealth.h")
}

#[test]
fn header_is_up_to_date() {
    let generated = generate();
    let path = header_path();
    if std::env::var_os(UPDATE_ENV).is_some_and(|value| value == "1") {
        std::fs::write(&path, &generated).expect("include/sethealth.h is writable");
        return;
    }

    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} differs from what cbindgen generates now; run `make header` and commit the result",
        display(&path)
    );
}

fn display(path: &Path) -> String {
    path.canonicalize()
        .unwrap_or_else(|_| path.to_owned())
        .display()
        .to_string()
}
