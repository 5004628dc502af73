//! Reading the files the tutor is handed (lessons, answers, progress, settings) without trusting what they are.
//!
//! Any of them can be a symbolic link, a FIFO (opening it for reading would wait forever for a writer), a device
//! (`/dev/zero` never ends) or simply huge. So every read here checks the kind of file before opening it, opens it
//! with `O_NONBLOCK` (a FIFO swapped in between cannot block) and checks again on the open descriptor, and reads at
//! most the caller's limit. [`read_inside`] also follows no link at all below its root, so a learner's answer
//! folder cannot make the tutor read a file from outside it.

use std::ffi::OsStr;
use std::fs::{File, FileType, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::fd::OwnedFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Component, Path};

use nix::errno::Errno;
use nix::fcntl::{openat, AtFlags, OFlag};
use nix::sys::stat::{fstatat, Mode, SFlag};
use thiserror::Error;

/// Why a file was not read. The messages complete a sentence naming the file ("'x.md' ...").
#[derive(Debug, Error)]
pub enum ReadError {
    #[error("does not exist")]
    NotFound,
    #[error("is {0}, not a regular file")]
    NotRegular(&'static str),
    #[error(
        "has other hard links, so it may be a file from elsewhere; copy it instead of linking it"
    )]
    HardLinked,
    #[error("is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("cannot be read: {0}")]
    Io(#[from] io::Error),
}

impl ReadError {
    /// Whether the file is simply absent (as opposed to present and unusable).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::NotFound)
    }
}

/// Whether a link at the end of the path may be followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Follow it (a lesson folder may link to lessons kept elsewhere), as long as it ends at a regular file.
    Follow,
    /// Refuse it: the file must itself be a regular file.
    Refuse,
}

/// What kind of thing a file type is, for messages ("a FIFO", "a folder").
pub fn describe(file_type: FileType) -> &'static str {
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "an unusual file"
    }
}

/// Reads the regular file at `path`, at most `limit` bytes.
pub fn read(path: &Path, limit: u64, links: Links) -> Result<Vec<u8>, ReadError> {
    let metadata = match links {
        Links::Follow => std::fs::metadata(path),
        Links::Refuse => std::fs::symlink_metadata(path),
    }
    .map_err(from_io)?;
    check(&metadata, limit)?;
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if links == Links::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(from_io)?;
    read_open(file, limit)
}

/// Reads `root/relative`, following no symbolic link below `root` (neither folders nor the file), refusing
/// anything but a regular file with a single hard link, and reading at most `limit` bytes.
pub fn read_inside(root: &Path, relative: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let names: Vec<&OsStr> = relative
        .components()
        .map(|component| match component {
            Component::Normal(name) => Ok(name),
            _ => Err(ReadError::NotRegular("a path that leaves its folder")),
        })
        .collect::<Result<_, _>>()?;
    let Some((file_name, folders)) = names.split_last() else {
        return Err(ReadError::NotRegular("a folder"));
    };
    let mut folder: OwnedFd = File::open(root).map_err(from_io)?.into();
    let folder_flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    for name in folders {
        folder =
            openat(&folder, *name, folder_flags, Mode::empty()).map_err(|errno| match errno {
                // Linux says ENOTDIR for a link opened with O_DIRECTORY | O_NOFOLLOW; look to tell which it is.
                Errno::ELOOP | Errno::ENOTDIR => {
                    let is_link =
                        fstatat(&folder, *name, AtFlags::AT_SYMLINK_NOFOLLOW).is_ok_and(|stat| {
                            SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT
                                == SFlag::S_IFLNK
                        });
                    ReadError::NotRegular(if is_link {
                        "inside a folder that is a symbolic link"
                    } else {
                        "inside something that is not a folder"
                    })
                }
                other => from_io(io::Error::from(other)),
            })?;
    }
    let file_flags = OFlag::O_RDONLY
        | OFlag::O_NOFOLLOW
        | OFlag::O_NONBLOCK
        | OFlag::O_NOCTTY
        | OFlag::O_CLOEXEC;
    let file =
        openat(&folder, *file_name, file_flags, Mode::empty()).map_err(|errno| match errno {
            Errno::ELOOP => ReadError::NotRegular("a symbolic link"),
            other => from_io(io::Error::from(other)),
        })?;
    let file = File::from(file);
    let metadata = file.metadata()?;
    check(&metadata, limit)?;
    if metadata.nlink() > 1 {
        return Err(ReadError::HardLinked);
    }
    read_open(file, limit)
}

/// The checks on an open file's metadata, then the bounded read.
fn read_open(file: File, limit: u64) -> Result<Vec<u8>, ReadError> {
    let metadata = file.metadata()?;
    check(&metadata, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // The file may grow while it is read; never take more than the limit and one byte to notice.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    let size = bytes.len() as u64;
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    Ok(bytes)
}

fn check(metadata: &Metadata, limit: u64) -> Result<(), ReadError> {
    if !metadata.file_type().is_file() {
        return Err(ReadError::NotRegular(describe(metadata.file_type())));
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge {
            size: metadata.len(),
            limit,
        });
    }
    Ok(())
}

fn from_io(error: io::Error) -> ReadError {
    match error.kind() {
        io::ErrorKind::NotFound => ReadError::NotFound,
        _ if error.raw_os_error() == Some(libc::ELOOP) => ReadError::NotRegular("a symbolic link"),
        _ if error.raw_os_error() == Some(libc::ENOTDIR) => {
            ReadError::NotRegular("inside something that is not a folder")
        }
        _ => ReadError::Io(error),
    }
}

/// `1.5 MiB`, `256 KiB`, `300 bytes`: sizes in messages.
pub fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= MIB => format!("{:.1} MiB", b as f64 / MIB as f64),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b if b >= KIB => format!("{:.1} KiB", b as f64 / KIB as f64),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;
    use std::time::{Duration, Instant};

    use super::*;

    fn mkfifo(path: &Path) {
        nix::unistd::mkfifo(path, Mode::from_bits_truncate(0o600)).expect("mkfifo");
    }

    #[test]
    fn a_regular_file_is_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.md");
        std::fs::write(&path, "hello").expect("write");
        assert_eq!(read(&path, 100, Links::Refuse).expect("read"), b"hello");
        assert_eq!(
            read_inside(dir.path(), Path::new("a.md"), 100).expect("read"),
            b"hello"
        );
    }

    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let zero = dir.path().join("zero");
        symlink("/dev/zero", &zero).expect("symlink");
        let started = Instant::now();
        for links in [Links::Follow, Links::Refuse] {
            let error = read(&fifo, 100, links).expect_err("a FIFO");
            assert!(error.to_string().contains("FIFO"), "{error}");
        }
        let error = read(&zero, 100, Links::Follow).expect_err("a device");
        assert!(error.to_string().contains("character device"), "{error}");
        let error = read(&zero, 100, Links::Refuse).expect_err("a link");
        assert!(error.to_string().contains("symbolic link"), "{error}");
        let error = read_inside(dir.path(), Path::new("fifo"), 100).expect_err("a FIFO");
        assert!(error.to_string().contains("FIFO"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn huge_files_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'x'; 101]).expect("write");
        let error = read(&path, 100, Links::Follow).expect_err("too big");
        assert!(
            matches!(
                error,
                ReadError::TooLarge {
                    size: 101,
                    limit: 100
                }
            ),
            "{error}"
        );
        assert!(read(&path, 101, Links::Follow).is_ok());
    }

    #[test]
    fn read_inside_follows_no_link_at_any_depth() {
        let dir = tempfile::tempdir().expect("temp dir");
        let outside = dir.path().join("secret");
        std::fs::write(&outside, "TOPSECRET").expect("write");
        let root = dir.path().join("answers");
        std::fs::create_dir_all(root.join("lesson")).expect("mkdir");
        symlink(&outside, root.join("lesson/linked.sh")).expect("symlink");
        symlink(dir.path(), root.join("linked-folder")).expect("symlink");
        std::fs::hard_link(&outside, root.join("lesson/hard.sh")).expect("hard link");
        std::fs::create_dir(root.join("lesson/folder.sh")).expect("mkdir");
        for (relative, expected) in [
            ("lesson/linked.sh", "symbolic link"),
            ("linked-folder/secret", "symbolic link"),
            ("lesson/hard.sh", "hard links"),
            ("lesson/folder.sh", "a folder"),
            ("../secret", "leaves its folder"),
            ("lesson/missing.sh", "does not exist"),
        ] {
            let error = read_inside(&root, Path::new(relative), 100).expect_err(relative);
            assert!(error.to_string().contains(expected), "{relative}: {error}");
        }
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(300), "300 bytes");
        assert_eq!(human_size(256 * 1024), "256 KiB");
        assert_eq!(human_size(1536 * 1024), "1.5 MiB");
    }
}
