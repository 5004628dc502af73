//! Keys and certificates, as checks need to know them: what a PEM file holds, an OpenSSH key's type and whether it
//! has a passphrase, the public key of any key or certificate file, the fields of a certificate, and private key
//! material where it must not be (an `authorized_keys`, a web root).
//!
//! What can be read from the bytes is read here (PEM labels, the OpenSSH key format, `authorized_keys` lines);
//! what needs real cryptography is asked of the tools the lesson uses, inside the sandbox (`openssl`,
//! `ssh-keygen`), through the checker's [`Probe`](super::evaluate::Probe).

use base64::Engine;

/// The labels of the PEM blocks in a file (`CERTIFICATE`, `PRIVATE KEY`, `RSA PRIVATE KEY`, ...).
pub fn pem_labels(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            line.trim()
                .strip_prefix("-----BEGIN ")
                .and_then(|rest| rest.strip_suffix("-----"))
                .map(str::to_string)
        })
        .collect()
}

/// Whether the text holds private key material: a PEM private key or an OpenSSH private key.
pub fn has_private_key(text: &str) -> bool {
    pem_labels(text).iter().any(|label| label.ends_with("PRIVATE KEY"))
        // "openssh-key-v1" in base64, as it starts an OpenSSH private key even without its armour.
        || text.contains("b3BlbnNzaC1rZXktdjE")
}

/// What an OpenSSH private key file says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshPrivateKey {
    /// `ed25519`, `rsa`, `ecdsa`, `dsa`, ...
    pub kind: String,
    pub has_passphrase: bool,
    /// The public key blob (base64), to compare with a `.pub` or an `authorized_keys` line.
    pub public_blob: Option<String>,
}

/// Reads an OpenSSH (`openssh-key-v1`) or PEM private key's type and whether it is encrypted.
pub fn ssh_private_key(text: &str) -> Option<SshPrivateKey> {
    let labels = pem_labels(text);
    if labels.iter().any(|l| l == "OPENSSH PRIVATE KEY") {
        return openssh_private_key(text);
    }
    let label = labels.iter().find(|l| l.ends_with("PRIVATE KEY"))?;
    let kind = match label.as_str() {
        "RSA PRIVATE KEY" => "rsa",
        "EC PRIVATE KEY" => "ecdsa",
        "DSA PRIVATE KEY" => "dsa",
        _ => "unknown",
    };
    Some(SshPrivateKey {
        kind: kind.to_string(),
        has_passphrase: label == "ENCRYPTED PRIVATE KEY" || text.contains("Proc-Type: 4,ENCRYPTED"),
        public_blob: None,
    })
}

fn openssh_private_key(text: &str) -> Option<SshPrivateKey> {
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .map(str::trim)
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    let mut reader = Reader {
        bytes: &bytes,
        at: 0,
    };
    if reader
        .take(15)
        .is_none_or(|magic| magic != b"openssh-key-v1\0")
    {
        return None;
    }
    let cipher = reader.string()?;
    let _kdf = reader.string()?;
    let _kdf_options = reader.string()?;
    let _count = reader.u32()?;
    let public = reader.string()?;
    let kind = Reader {
        bytes: public,
        at: 0,
    }
    .string()?;
    Some(SshPrivateKey {
        kind: key_kind(&String::from_utf8_lossy(kind)),
        has_passphrase: cipher != b"none",
        public_blob: Some(base64::engine::general_purpose::STANDARD.encode(public)),
    })
}

/// `ssh-ed25519` -> `ed25519`, `ecdsa-sha2-nistp256` -> `ecdsa`, `ssh-rsa` -> `rsa`.
pub fn key_kind(algorithm: &str) -> String {
    let short = algorithm.strip_prefix("sk-").unwrap_or(algorithm);
    let short = short.strip_prefix("ssh-").unwrap_or(short);
    short.split(['-', '@']).next().unwrap_or(short).to_string()
}

/// Reads the SSH wire format: big-endian lengths before strings.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(slice)
    }

    fn u32(&mut self) -> Option<u32> {
        let bytes = self.take(4)?;
        Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let length = usize::try_from(self.u32()?).ok()?;
        self.take(length)
    }
}

/// An OpenSSH public key: its algorithm and blob (`ssh-ed25519 AAAA...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub algorithm: String,
    pub blob: String,
}

/// The first OpenSSH public key on a line (an `authorized_keys` line may start with options).
pub fn public_key_in_line(line: &str) -> Option<PublicKey> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    words.windows(2).find_map(|pair| {
        let algorithm = pair[0];
        let known = algorithm.starts_with("ssh-")
            || algorithm.starts_with("ecdsa-sha2-")
            || algorithm.starts_with("sk-");
        let decodes = base64::engine::general_purpose::STANDARD
            .decode(pair[1])
            .is_ok_and(|blob| {
                Reader {
                    bytes: &blob,
                    at: 0,
                }
                .string()
                .is_some_and(|kind| kind == algorithm.as_bytes())
            });
        (known && decodes).then(|| PublicKey {
            algorithm: algorithm.to_string(),
            blob: pair[1].to_string(),
        })
    })
}

/// Every public key an `authorized_keys` file lists.
pub fn authorized_keys(text: &str) -> Vec<PublicKey> {
    text.lines().filter_map(public_key_in_line).collect()
}

/// The fields `openssl x509 -noout -subject -issuer -ext subjectAltName` prints, read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateFields {
    pub subject: String,
    pub issuer: String,
    pub san: String,
}

pub fn certificate_fields(printed: &str) -> CertificateFields {
    let mut fields = CertificateFields::default();
    let mut lines = printed.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(subject) = line.strip_prefix("subject=") {
            fields.subject = subject.trim().to_string();
        } else if let Some(issuer) = line.strip_prefix("issuer=") {
            fields.issuer = issuer.trim().to_string();
        } else if line.contains("Subject Alternative Name") {
            if let Some(next) = lines.peek() {
                fields.san = next.trim().to_string();
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real ed25519 key made with `ssh-keygen -t ed25519 -N '' -C test` (only ever used in this test).
    const ED25519: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACAw/86kY9VPO8rBFCA0K1HnykHRZgxsrr71vFf3tnCnOgAAAIjxp/t78af7
ewAAAAtzc2gtZWQyNTUxOQAAACAw/86kY9VPO8rBFCA0K1HnykHRZgxsrr71vFf3tnCnOg
AAAEDv8v/MNJ+ScBrMMCVUwlIVs3drzYjRBC6OdhqJi8VR7jD/zqRj1U87ysEUIDQrUefK
QdFmDGyuvvW8V/e2cKc6AAAABHRlc3QB
-----END OPENSSH PRIVATE KEY-----
";
    const ED25519_PUB: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDD/zqRj1U87ysEUIDQrUefKQdFmDGyuvvW8V/e2cKc6 test";

    #[test]
    fn an_openssh_key_tells_its_type_passphrase_and_public_half() {
        let key = ssh_private_key(ED25519).expect("a key");
        assert_eq!(key.kind, "ed25519");
        assert!(!key.has_passphrase);
        let public = public_key_in_line(ED25519_PUB).expect("a public key");
        assert_eq!(key.public_blob.as_deref(), Some(public.blob.as_str()));
        assert!(has_private_key(ED25519));
        assert!(!has_private_key(ED25519_PUB));
    }

    #[test]
    fn authorized_keys_lines_may_carry_options() {
        let text = format!("# mine\n\nfrom=\"10.0.0.1\",no-pty {ED25519_PUB}\nnot a key\n");
        let keys = authorized_keys(&text);
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].algorithm, "ssh-ed25519");
        assert_eq!(key_kind("ecdsa-sha2-nistp256"), "ecdsa");
        assert_eq!(key_kind("sk-ssh-ed25519@openssh.com"), "ed25519");
    }

    #[test]
    fn pem_labels_and_certificate_fields() {
        let pem = "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n";
        assert_eq!(pem_labels(pem), ["CERTIFICATE", "PRIVATE KEY"]);
        assert!(has_private_key(pem));
        let fields = certificate_fields(
            "subject=CN = example.test\nissuer=CN = example.test\nX509v3 Subject Alternative Name: \n    DNS:example.test, DNS:www.example.test\n",
        );
        assert_eq!(fields.subject, "CN = example.test");
        assert_eq!(fields.san, "DNS:example.test, DNS:www.example.test");
    }
}
