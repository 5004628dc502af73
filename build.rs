//! Embeds the bundled lessons (`lessons/`) into the binary, so an installed `shelltutor` works from any folder.
//!
//! Writes `$OUT_DIR/embedded_lessons.rs`: a sorted list of (file name, bytes) pairs. Every regular file directly in
//! `lessons/` is embedded, so the bundled set is loaded by exactly the same code as `--lessons DIR`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let lessons = Path::new(&manifest_dir).join("lessons");
    println!("cargo:rerun-if-changed={}", lessons.display());
    // A position-dependent executable needs no run-time relocation, which saves about 0.8 ms of every start on these
    // machines (measured in docs/sandbox.md): `shelltutor sandbox -c` and `show` are started often.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }

    let mut files: Vec<_> = std::fs::read_dir(&lessons)
        .expect("the lessons/ folder exists")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_file())
        .collect();
    files.sort_by_key(|entry| entry.file_name());

    let mut code =
        String::from("/// The bundled lessons: (file name, contents), sorted by file name.\n");
    code.push_str("pub static LESSONS: &[(&str, &[u8])] = &[\n");
    for entry in files {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        let name = entry.file_name().to_string_lossy().into_owned();
        writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    code.push_str("];\n");
    std::fs::write(Path::new(&out_dir).join("embedded_lessons.rs"), code)
        .expect("OUT_DIR is writable");
}
