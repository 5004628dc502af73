//! Embeds the bundled lessons (`lessons/`) and reference cards (`reference/`) into the binary, so an installed
//! `shelltutor` works from any folder.
//!
//! Writes `$OUT_DIR/embedded_lessons.rs` and `$OUT_DIR/embedded_reference.rs`: sorted lists of (file name, bytes)
//! pairs. Every regular file directly in each folder is embedded, so the bundled sets are loaded by exactly the same
//! code as `--lessons DIR` and `--reference DIR`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    // A position-dependent executable needs no run-time relocation, which saves about 0.8 ms of every start on these
    // machines (measured in docs/sandbox.md): `shelltutor sandbox -c` and `show` are started often.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    let root = Path::new(&manifest_dir);
    embed(&root.join("lessons"), "LESSONS", "lessons", &out_dir);
    embed(
        &root.join("reference"),
        "REFERENCE",
        "reference cards",
        &out_dir,
    );
}

/// Writes `embedded_<folder name>.rs` with a static `name` listing every file of `folder`.
fn embed(folder: &Path, name: &str, what: &str, out_dir: &str) {
    println!("cargo:rerun-if-changed={}", folder.display());
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("the {} folder exists: {error}", folder.display()))
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_file())
        .collect();
    files.sort_by_key(|entry| entry.file_name());

    let mut code = format!("/// The bundled {what}: (file name, contents), sorted by file name.\n");
    code.push_str(&format!("pub static {name}: &[(&str, &[u8])] = &[\n"));
    for entry in files {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        let file_name = entry.file_name().to_string_lossy().into_owned();
        writeln!(
            code,
            "    ({file_name:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    code.push_str("];\n");
    let folder_name = folder
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    std::fs::write(
        Path::new(out_dir).join(format!("embedded_{folder_name}.rs")),
        code,
    )
    .expect("OUT_DIR is writable");
}
