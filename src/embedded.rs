//! The bundled curriculum, compiled into the binary by `build.rs` from the `lessons/` folder.
include!(concat!(env!("OUT_DIR"), "/embedded_lessons.rs"));
