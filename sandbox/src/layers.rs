//! Which confinement layers protect the learner's machine here, and why a missing one is missing. `doctor` shows
//! this; a sandbox reports its own layers so the tutor can warn when it runs degraded.

use std::fmt;

/// One confinement layer and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Short name, e.g. "landlock".
    pub name: &'static str,
    /// What the layer protects, for people.
    pub purpose: &'static str,
    /// Whether commands run under it.
    pub active: bool,
    /// Details when active (e.g. the ABI version), the reason when not.
    pub detail: String,
}

/// The state of every layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layers {
    pub layers: Vec<Layer>,
}

impl Layers {
    /// True when at least one layer keeps commands from changing files outside the sandbox.
    pub fn file_system_confined(&self) -> bool {
        self.layers.iter().any(|layer| {
            layer.active && (layer.name == "landlock" || layer.name == "mount-namespace")
        })
    }

    /// The layer called `name`, if listed.
    pub fn get(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|layer| layer.name == name)
    }

    /// Sentences about missing layers, for a warning when the sandbox runs degraded.
    pub fn warnings(&self) -> Vec<String> {
        self.layers
            .iter()
            .filter(|layer| !layer.active)
            .map(|layer| {
                format!(
                    "{} is unavailable ({}): {}",
                    layer.name, layer.purpose, layer.detail
                )
            })
            .collect()
    }
}

impl fmt::Display for Layers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for layer in &self.layers {
            let state = if layer.active {
                "active"
            } else {
                "unavailable"
            };
            writeln!(
                f,
                "{:<18} {:<12} {} — {}",
                layer.name, state, layer.purpose, layer.detail
            )?;
        }
        Ok(())
    }
}

/// Facts gathered while building a sandbox, turned into [`Layers`].
#[derive(Debug, Clone)]
pub(crate) struct LayerFacts {
    pub landlock: Result<u32, String>,
    pub namespaces: Result<(), String>,
    pub root_mapped_to: Option<u32>,
    /// Where the sandbox home appears inside, when it is the learner's real home path.
    pub home_shown_at: Option<std::path::PathBuf>,
}

impl LayerFacts {
    pub(crate) fn layers(&self) -> Layers {
        let namespace_detail = |active: &str| match &self.namespaces {
            Ok(()) => active.to_owned(),
            Err(why) => why.clone(),
        };
        let namespaces_ok = self.namespaces.is_ok();
        let landlock = match &self.landlock {
            Ok(abi) => Layer {
                name: "landlock",
                purpose: "file system: writes only inside the sandbox",
                active: true,
                detail: format!(
                    "ABI {abi}{}",
                    if *abi >= 6 {
                        "; signals and abstract sockets scoped to the sandbox"
                    } else {
                        ""
                    }
                ),
            },
            Err(why) => Layer {
                name: "landlock",
                purpose: "file system: writes only inside the sandbox",
                active: false,
                detail: why.clone(),
            },
        };
        let processes_detail = match (namespaces_ok, self.root_mapped_to) {
            (true, Some(uid)) => format!("RLIMIT_NPROC counted in the sandbox's user namespace (root runs as uid {uid} outside)"),
            (true, None) => "RLIMIT_NPROC counted in the sandbox's user namespace".to_owned(),
            (false, _) => "RLIMIT_NPROC would count the whole account, so processes are bounded by wall time only".to_owned(),
        };
        Layers {
            layers: vec![
                landlock,
                Layer {
                    name: "user-namespace",
                    purpose:
                        "unprivileged namespaces; the learner's uid is mapped, capabilities dropped",
                    active: namespaces_ok,
                    detail: namespace_detail("uid and gid mapped; no capabilities"),
                },
                Layer {
                    name: "mount-namespace",
                    purpose: "read-only view of /, private /tmp, /run hidden, home at its real path",
                    active: namespaces_ok,
                    detail: match (&self.namespaces, &self.home_shown_at) {
                        (Ok(()), Some(home)) => format!(
                            "/ read-only; the sandbox home appears at {} (the real one is hidden); fresh /tmp, /run, /var/log",
                            home.display()
                        ),
                        (Ok(()), None) => "/ read-only; the sandbox home keeps its own path (the real home path is unusable); fresh /tmp, /run, /var/log".to_owned(),
                        (Err(why), _) => format!("{why}; the sandbox home keeps its own path, HOME points there"),
                    },
                },
                Layer {
                    name: "pid-namespace",
                    purpose: "nothing outlives its exercise; the tutor is invisible",
                    active: namespaces_ok,
                    detail: namespace_detail(
                        "one init per exercise; background processes end with the exercise",
                    ),
                },
                Layer {
                    name: "uts-namespace",
                    purpose: "a host name of its own",
                    active: namespaces_ok,
                    detail: namespace_detail("host name 'sandbox'"),
                },
                Layer {
                    name: "network-namespace",
                    purpose: "no network but a private loopback",
                    active: namespaces_ok,
                    detail: match (&self.namespaces, &self.landlock) {
                        (Ok(()), _) => "loopback only (ports 80/443 usable inside)".to_owned(),
                        (Err(why), Ok(abi)) if *abi >= 4 => {
                            format!("{why}; Landlock blocks TCP instead (UDP is not blocked)")
                        }
                        (Err(why), _) => why.clone(),
                    },
                },
                Layer {
                    name: "process-limit",
                    purpose: "fork bombs end",
                    active: namespaces_ok,
                    detail: processes_detail,
                },
                Layer {
                    name: "resource-limits",
                    purpose: "CPU, memory, file size, output, disk and wall time bounded",
                    active: true,
                    detail: "rlimits per process; memory in sum, output, disk and time watched by the tutor"
                        .to_owned(),
                },
            ],
        }
    }
}
