//! Stable ids: lesson ids from file names, exercise ids from titles.
//!
//! Progress is keyed by these ids, so they must not change when a title's punctuation or case does.

/// The lesson id a file name implies: the stem without a leading number (`01-whoami.md` -> `whoami`).
pub fn lesson_id_from_file_name(file_name: &str) -> String {
    let stem = file_name.strip_suffix(".md").unwrap_or(file_name);
    let without_number = stem.trim_start_matches(|c: char| c.is_ascii_digit());
    let without_separator = without_number.trim_start_matches(['-', '_', '.', ' ']);
    if without_separator.is_empty() {
        slugify(stem)
    } else {
        slugify(without_separator)
    }
}

/// Lower-case ASCII letters and digits, with runs of anything else turned into single dashes.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// Whether `id` is a valid lesson id: lower-case letters, digits and dashes, starting with a letter or digit.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_number() {
        assert_eq!(lesson_id_from_file_name("01-whoami.md"), "whoami");
        assert_eq!(lesson_id_from_file_name("10_nginx_https.md"), "nginx-https");
        assert_eq!(lesson_id_from_file_name("cd.md"), "cd");
        assert_eq!(lesson_id_from_file_name("42.md"), "42");
    }

    #[test]
    fn titles_become_slugs() {
        assert_eq!(slugify("Print your user name"), "print-your-user-name");
        assert_eq!(slugify("  Go `~` home!  "), "go-home");
        assert_eq!(slugify("Créer un dossier"), "cr-er-un-dossier");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn ids_are_checked() {
        assert!(is_valid_id("mkdir-p"));
        assert!(!is_valid_id("Mkdir"));
        assert!(!is_valid_id("-x"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("a/b"));
    }
}
