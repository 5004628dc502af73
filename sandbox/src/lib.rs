//! The throwaway, confined place where a learner's commands run.
//!
//! This crate knows nothing of lessons: it makes a fresh folder with a home for the learner, runs shell lines in
//! it under every confinement layer the kernel offers, and reports what happened. The tutor, `grade` and `verify`
//! are its callers.
