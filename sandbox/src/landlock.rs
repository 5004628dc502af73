//! Landlock, the file-system layer that needs no privilege and holds even where user namespaces are blocked.
//!
//! The ruleset is built in the tutor (reads anywhere, writes only in the sandbox's home and temp folders and a few
//! harmless devices), then finished in the forked child: rules for the per-command `/tmp` and `/dev/shm` can only
//! be added once those are mounted, and the child may not allocate (it was cloned from a possibly multi-threaded
//! process). The `landlock` crate offers no way to hand its file descriptor to such a child, so this module speaks
//! the three system calls directly; the constants are the kernel's UAPI (`linux/landlock.h`).
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

pub(crate) const FS_EXECUTE: u64 = 1 << 0;
pub(crate) const FS_WRITE_FILE: u64 = 1 << 1;
pub(crate) const FS_READ_FILE: u64 = 1 << 2;
pub(crate) const FS_READ_DIR: u64 = 1 << 3;
const FS_MAKE_SYM: u64 = 1 << 12;
const FS_REFER: u64 = 1 << 13; // ABI 2
pub(crate) const FS_TRUNCATE: u64 = 1 << 14; // ABI 3
pub(crate) const FS_IOCTL_DEV: u64 = 1 << 15; // ABI 5
const NET_BIND_TCP: u64 = 1 << 0; // ABI 4
const NET_CONNECT_TCP: u64 = 1 << 1; // ABI 4
const SCOPE_ABSTRACT_UNIX_SOCKET: u64 = 1 << 0; // ABI 6
const SCOPE_SIGNAL: u64 = 1 << 1; // ABI 6
const CREATE_RULESET_VERSION: u32 = 1 << 0;
const RULE_PATH_BENEATH: libc::c_int = 1;

/// Rights that only make sense on files (a rule on a file with directory rights is refused by the kernel).
const FILE_RIGHTS: u64 = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV;

#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
    handled_access_net: u64,
    scoped: u64,
}

#[repr(C, packed)]
struct PathBeneathAttr {
    allowed_access: u64,
    parent_fd: i32,
}

/// The Landlock ABI version the kernel offers, or why there is none.
pub(crate) fn abi_version() -> Result<u32, String> {
    // SAFETY: with a null attribute, size 0 and the VERSION flag the call only returns a number.
    let version = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            CREATE_RULESET_VERSION,
        )
    };
    if version >= 1 {
        return Ok(u32::try_from(version).unwrap_or(1));
    }
    let error = io::Error::last_os_error();
    Err(match error.raw_os_error() {
        Some(libc::ENOSYS) => "the kernel has no Landlock support (needs Linux 5.13+)".to_owned(),
        Some(libc::EOPNOTSUPP) => {
            "Landlock is built in but disabled (add `landlock` to the `lsm=` boot option)"
                .to_owned()
        }
        _ => format!("Landlock is unavailable: {error}"),
    })
}

/// Every file-system right this ABI knows about: all of them are handled, so anything not allowed is denied.
pub(crate) fn handled_fs(abi: u32) -> u64 {
    let mut rights = (FS_MAKE_SYM << 1) - 1;
    if abi >= 2 {
        rights |= FS_REFER;
    }
    if abi >= 3 {
        rights |= FS_TRUNCATE;
    }
    if abi >= 5 {
        rights |= FS_IOCTL_DEV;
    }
    rights
}

/// A created ruleset, ready to be finished and enforced in the child.
#[derive(Debug)]
pub(crate) struct Ruleset {
    fd: OwnedFd,
    pub(crate) handled: u64,
}

impl Ruleset {
    /// Reads and runs anywhere; full access beneath `writable`; read and write (not create) on `devices`.
    /// `block_tcp` denies every TCP bind and connect, and `scope` keeps signals and abstract Unix sockets inside the
    /// Landlock domain (both used when there are no PID and network namespaces).
    pub(crate) fn build(
        abi: u32,
        writable: &[&Path],
        devices: &[&Path],
        block_tcp: bool,
        scope: bool,
    ) -> io::Result<Ruleset> {
        let handled = handled_fs(abi);
        let attr = RulesetAttr {
            handled_access_fs: handled,
            handled_access_net: if block_tcp && abi >= 4 {
                NET_BIND_TCP | NET_CONNECT_TCP
            } else {
                0
            },
            scoped: if scope && abi >= 6 {
                SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
            } else {
                0
            },
        };
        // SAFETY: `attr` is a valid, fully initialised struct of the size passed; the kernel zero-extends or checks
        // the unused tail for older ABIs.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_landlock_create_ruleset,
                &attr as *const RulesetAttr,
                size_of::<RulesetAttr>(),
                0u32,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the call returned a new file descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd as RawFd) };
        let ruleset = Ruleset { fd, handled };
        ruleset.allow(Path::new("/"), FS_EXECUTE | FS_READ_FILE | FS_READ_DIR)?;
        for dir in writable {
            ruleset.allow(dir, handled)?;
        }
        for device in devices {
            if device.exists() {
                ruleset.allow(
                    device,
                    FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE | FS_IOCTL_DEV,
                )?;
            }
        }
        Ok(ruleset)
    }

    fn allow(&self, path: &Path, access: u64) -> io::Result<()> {
        let c_path = CString::new(path.as_os_str().as_bytes())?;
        // SAFETY: `c_path` is a valid NUL-terminated string; O_PATH opens without reading.
        let raw = unsafe { libc::open(c_path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `open` returned a new descriptor that nothing else owns.
        let path_fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let is_dir = path.is_dir();
        let mut access = access & self.handled;
        if !is_dir {
            access &= FILE_RIGHTS;
        }
        if add_rule(self.fd.as_raw_fd(), path_fd.as_raw_fd(), access) < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    pub(crate) fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// Adds a path-beneath rule. Async-signal-safe: used in the forked child.
pub(crate) fn add_rule(ruleset: RawFd, path_fd: RawFd, access: u64) -> libc::c_long {
    let attr = PathBeneathAttr {
        allowed_access: access,
        parent_fd: path_fd,
    };
    // SAFETY: `attr` is a valid struct matching the kernel's `landlock_path_beneath_attr` layout.
    unsafe {
        libc::syscall(
            libc::SYS_landlock_add_rule,
            ruleset,
            RULE_PATH_BENEATH,
            &attr as *const PathBeneathAttr,
            0u32,
        )
    }
}

/// Enforces the ruleset on the calling process and its future children. Async-signal-safe.
pub(crate) fn restrict_self(ruleset: RawFd) -> libc::c_long {
    // SAFETY: plain system call on a descriptor; no memory is passed.
    unsafe { libc::syscall(libc::SYS_landlock_restrict_self, ruleset, 0u32) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handled_rights_grow_with_the_abi() {
        assert_eq!(handled_fs(1), (1 << 13) - 1);
        assert!(handled_fs(2) & FS_REFER != 0);
        assert!(handled_fs(3) & FS_TRUNCATE != 0);
        assert!(handled_fs(4) & FS_IOCTL_DEV == 0);
        assert!(handled_fs(5) & FS_IOCTL_DEV != 0);
    }
}
