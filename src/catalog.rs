//! A lesson set: every lesson of a folder (or of the bundled curriculum), in order, with unique ids.
//!
//! Lessons are ordered by file name (`01-whoami.md`, `02-cd.md`, ...). Loading reports every problem of every
//! file at once, so `shelltutor list --lessons DIR` on a broken folder names each one.

use std::path::Path;

use thiserror::Error;

use crate::embedded;
use crate::lesson::parse::{parse_lesson, MAX_LESSON_BYTES};
use crate::lesson::{ErrorKind, Exercise, Lesson, LessonError};
use crate::render::sanitize;
use crate::safe_file::{self, Links, ReadError};

/// The lessons of one set, in order.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub lessons: Vec<Lesson>,
}

/// One lesson file before parsing.
#[derive(Debug)]
pub struct LessonFile {
    /// How messages name the file (`lessons/01-whoami.md`).
    pub display: String,
    pub file_name: String,
    pub bytes: Result<Vec<u8>, String>,
}

/// Why a lesson set could not be loaded.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("cannot read lesson folder '{folder}': {message}; check the path given to --lessons or SHELLTUTOR_LESSONS")]
    Folder { folder: String, message: String },
    #[error("{}", format_problems(.0))]
    Lessons(Vec<LessonError>),
}

fn format_problems(problems: &[LessonError]) -> String {
    let count = problems.len();
    let noun = if count == 1 { "problem" } else { "problems" };
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    format!(
        "{count} {noun} in the lessons (the format is described in docs/lesson-format.md):\n{}",
        lines.join("\n")
    )
}

/// Why an exercise id could not be found in a lesson that exists.
#[derive(Debug, Error)]
#[error("exercise '{id}' not found; the exercises of '{lesson}' are: {}", .known.join(", "))]
pub struct ExerciseNotFound {
    pub id: String,
    pub lesson: String,
    pub known: Vec<String>,
}

/// Why a lesson id could not be found.
#[derive(Debug, Error)]
#[error("lesson '{id}' not found{}; run 'shelltutor list' to see all lessons", suggest(.suggestions))]
pub struct NotFound {
    pub id: String,
    pub suggestions: Vec<String>,
}

fn suggest(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!(" (did you mean '{one}'?)"),
        many => format!(" (did you mean one of: {}?)", many.join(", ")),
    }
}

/// A lesson set loaded leniently: the lessons that parsed, and every problem of the files that did not.
///
/// `list`, `verify` and `grade` refuse a set with problems ([`Loaded::strict`]): a lesson author or an instructor
/// must see every mistake. `show`, the tutor and the progress commands go on with the healthy lessons and warn
/// about the rest ([`Loaded::tolerant`]), so one broken file does not lock a learner out of all the others.
#[derive(Debug)]
pub struct Loaded {
    pub catalog: Catalog,
    /// Problems that kept a file out of the set (or a duplicate id out of it), sorted by file.
    pub problems: Vec<LessonError>,
}

impl Loaded {
    /// The set only if every file loaded.
    pub fn strict(self) -> Result<Catalog, LoadError> {
        if self.problems.is_empty() {
            Ok(self.catalog)
        } else {
            Err(LoadError::Lessons(self.problems))
        }
    }

    /// The healthy lessons, and one warning per problem for the others (already sanitized for a terminal).
    pub fn tolerant(self) -> (Catalog, Vec<String>) {
        let mut warnings: Vec<String> = self
            .problems
            .iter()
            .map(|problem| sanitize::message(&problem.to_string()))
            .collect();
        let mut files: Vec<&str> = self.problems.iter().map(|p| p.file.as_str()).collect();
        files.dedup();
        if !files.is_empty() {
            let noun = if files.len() == 1 {
                "file was"
            } else {
                "files were"
            };
            warnings.push(format!(
                "{} lesson {noun} skipped because of the problems above; the other lessons work ('shelltutor list' shows every problem)",
                files.len()
            ));
        }
        (self.catalog, warnings)
    }
}

impl Catalog {
    /// The curriculum compiled into the binary.
    pub fn bundled() -> Result<Catalog, LoadError> {
        Self::load_bundled().strict()
    }

    /// Every lesson file in `folder` (not its subfolders), or the one lesson file `folder` names; fails if any of
    /// them has a problem.
    pub fn from_folder(folder: &Path) -> Result<Catalog, LoadError> {
        Self::load_folder(folder)?.strict()
    }

    /// The bundled curriculum, leniently.
    pub fn load_bundled() -> Loaded {
        let files = embedded::LESSONS
            .iter()
            .map(|(name, bytes)| LessonFile {
                display: format!("lessons/{name}"),
                file_name: (*name).to_string(),
                bytes: Ok(bytes.to_vec()),
            })
            .collect();
        Self::load_files(files)
    }

    /// The lessons of `folder`, leniently; only a folder that cannot be listed is an error.
    pub fn load_folder(folder: &Path) -> Result<Loaded, LoadError> {
        Ok(Self::load_files(read_folder(folder)?))
    }

    /// Parses files already read; non-Markdown files are problems, `README.md` and hidden files are skipped.
    pub fn load_files(mut files: Vec<LessonFile>) -> Loaded {
        files.sort_by(|a, b| a.file_name.cmp(&b.file_name));
        let mut lessons: Vec<Lesson> = Vec::new();
        let mut problems = Vec::new();
        for file in files.iter().filter(|f| is_lesson_candidate(&f.file_name)) {
            match parse_file(file) {
                Ok(lesson) => match lessons.iter().find(|l| l.id == lesson.id) {
                    // The first of two files with one id wins, so a lenient load keeps a stable set.
                    Some(first) => problems.push(LessonError::new(
                        &lesson.source,
                        1,
                        1,
                        ErrorKind::DuplicateLesson {
                            id: lesson.id.clone(),
                            first: first.source.clone(),
                        },
                    )),
                    None => lessons.push(lesson),
                },
                Err(mut errors) => problems.append(&mut errors),
            }
        }
        Loaded {
            catalog: Catalog { lessons },
            problems,
        }
    }

    /// Whether the set has no exercise at all (nothing to verify, grade or practise).
    pub fn exercise_count(&self) -> usize {
        self.lessons.iter().map(|l| l.exercises.len()).sum()
    }

    pub fn find(&self, id: &str) -> Result<&Lesson, NotFound> {
        self.lessons
            .iter()
            .find(|lesson| lesson.id == id)
            .ok_or_else(|| NotFound {
                id: id.to_string(),
                suggestions: closest(id, self.lessons.iter().map(|l| l.id.as_str())),
            })
    }
}

impl Catalog {
    /// The lesson and exercise of `LESSON/EXERCISE` (the exercise part may be the slug alone).
    pub fn find_exercise(&self, id: &str) -> anyhow::Result<(&Lesson, &Exercise)> {
        let Some((lesson_id, slug)) = id.split_once('/') else {
            anyhow::bail!("'{id}' is not an exercise id; exercise ids look like 'LESSON/EXERCISE' (see 'shelltutor list --json')");
        };
        let lesson = self.find(lesson_id)?;
        let exercise = lesson.exercise(slug).ok_or_else(|| ExerciseNotFound {
            id: id.to_string(),
            lesson: lesson.id.clone(),
            known: lesson.exercises.iter().map(|e| e.id.clone()).collect(),
        })?;
        Ok((lesson, exercise))
    }
}

fn read_folder(folder: &Path) -> Result<Vec<LessonFile>, LoadError> {
    read_set(folder, "lessons").map_err(|error| LoadError::Folder {
        folder: sanitize::message(&folder.display().to_string()),
        message: error.to_string(),
    })
}

/// The files of a set of lessons or cards (`what`): every file directly in the folder `path`, or the one file
/// `path` names (an author verifying the lesson being written). Each is read safely: a link to a file kept
/// elsewhere is fine; a FIFO, a device or a huge file is refused unread, and that is the file's problem.
pub(crate) fn read_set(path: &Path, what: &str) -> std::io::Result<Vec<LessonFile>> {
    let read = |path: &Path, file_name: String| LessonFile {
        // File names can hold control characters; messages must not pass them to a terminal.
        display: sanitize::message(&path.display().to_string()),
        file_name,
        bytes: safe_file::read(path, MAX_LESSON_BYTES, Links::Follow).map_err(
            |error| match error {
                ReadError::TooLarge { size, limit } => format!(
                    "it is {}; {what} are limited to {} each (split it)",
                    safe_file::human_size(size),
                    safe_file::human_size(limit)
                ),
                other => format!("it {other}"),
            },
        ),
    };
    if std::fs::metadata(path).is_ok_and(|meta| meta.is_file()) {
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(vec![read(path, file_name)]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let path = entry.path();
        // Subfolders may hold images or drafts; only files directly inside belong to the set.
        if path.is_dir() {
            continue;
        }
        files.push(read(
            &path,
            entry.file_name().to_string_lossy().into_owned(),
        ));
    }
    Ok(files)
}

/// Hidden files (editor swap files, `.gitkeep`) and a `README.md` for the folder itself are not lessons.
fn is_lesson_candidate(file_name: &str) -> bool {
    !file_name.starts_with('.') && !file_name.eq_ignore_ascii_case("README.md")
}

fn parse_file(file: &LessonFile) -> Result<Lesson, Vec<LessonError>> {
    let at_start = |kind| vec![LessonError::new(&file.display, 1, 1, kind)];
    let bytes = match &file.bytes {
        Ok(bytes) => bytes,
        Err(message) => {
            return Err(at_start(ErrorKind::Unreadable {
                message: message.clone(),
            }))
        }
    };
    if !file.file_name.ends_with(".md") {
        let reason = "its name does not end in '.md'".to_string();
        return Err(at_start(ErrorKind::NotMarkdown { reason }));
    }
    parse_lesson(&file.display, &file.file_name, bytes)
}

/// Up to three candidates closest to `wanted`, best first, among those close enough to be a plausible typo.
pub fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|candidate| (strsim::jaro_winkler(wanted, candidate), candidate))
        .filter(|(score, candidate)| {
            *score >= 0.8 || candidate.contains(wanted) && !wanted.is_empty()
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}
