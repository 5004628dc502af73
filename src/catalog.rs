//! A lesson set: every lesson of a folder (or of the bundled curriculum), in order, with unique ids.
//!
//! Lessons are ordered by file name (`01-whoami.md`, `02-cd.md`, ...). Loading reports every problem of every
//! file at once, so `shelltutor list --lessons DIR` on a broken folder names each one.

use std::path::Path;

use thiserror::Error;

use crate::embedded;
use crate::lesson::parse::parse_lesson;
use crate::lesson::{ErrorKind, Exercise, Lesson, LessonError};

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

impl Catalog {
    /// The curriculum compiled into the binary.
    pub fn bundled() -> Result<Catalog, LoadError> {
        let files = embedded::LESSONS
            .iter()
            .map(|(name, bytes)| LessonFile {
                display: format!("lessons/{name}"),
                file_name: (*name).to_string(),
                bytes: Ok(bytes.to_vec()),
            })
            .collect();
        Self::from_files(files)
    }

    /// Every lesson file in `folder` (not its subfolders).
    pub fn from_folder(folder: &Path) -> Result<Catalog, LoadError> {
        Self::from_files(read_folder(folder)?)
    }

    /// Parses files already read; non-Markdown files are reported, `README.md` and hidden files are skipped.
    pub fn from_files(mut files: Vec<LessonFile>) -> Result<Catalog, LoadError> {
        files.sort_by(|a, b| a.file_name.cmp(&b.file_name));
        let mut lessons: Vec<Lesson> = Vec::new();
        let mut problems = Vec::new();
        for file in files.iter().filter(|f| is_lesson_candidate(&f.file_name)) {
            match parse_file(file) {
                Ok(lesson) => lessons.push(lesson),
                Err(mut errors) => problems.append(&mut errors),
            }
        }
        problems.extend(duplicate_ids(&lessons));
        if problems.is_empty() {
            Ok(Catalog { lessons })
        } else {
            Err(LoadError::Lessons(problems))
        }
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
    let folder_error = |error: std::io::Error| LoadError::Folder {
        folder: folder.display().to_string(),
        message: error.to_string(),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(folder_error)? {
        let entry = entry.map_err(folder_error)?;
        let path = entry.path();
        // Subfolders may hold images or drafts; only files directly inside are lessons.
        if path.is_dir() {
            continue;
        }
        files.push(LessonFile {
            display: path.display().to_string(),
            file_name: entry.file_name().to_string_lossy().into_owned(),
            bytes: std::fs::read(&path).map_err(|e| e.to_string()),
        });
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

fn duplicate_ids(lessons: &[Lesson]) -> Vec<LessonError> {
    let mut problems = Vec::new();
    for (index, lesson) in lessons.iter().enumerate() {
        if let Some(first) = lessons[..index].iter().find(|l| l.id == lesson.id) {
            let kind = ErrorKind::DuplicateLesson {
                id: lesson.id.clone(),
                first: first.source.clone(),
            };
            problems.push(LessonError::new(&lesson.source, 1, 1, kind));
        }
    }
    problems
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
