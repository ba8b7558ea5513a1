//! Where the CLI takes its secrets from, best first: an environment variable, a `--…-file`
//! (`-` for standard input: a hidden prompt on a terminal, else one line), or, when none is
//! given and standard input is a terminal, a hidden prompt. A secret given as a flag still
//! works, with a warning: flags show in `ps` and in the shell's history.
//!
//! Random values (the OAuth `state`, the quickstart's signature key) come from the operating
//! system's CSPRNG (`getrandom`).

use std::io::{BufRead as _, IsTerminal as _};

/// One secret's names: its flag, its file flag, its environment variable, and what it is.
pub struct SecretSpec {
    /// The flag without dashes, e.g. `user-secret`; the file flag is `<flag>-file`.
    pub flag: &'static str,
    /// The environment variable.
    pub env: &'static str,
    /// What it is, for prompts and errors, e.g. "Cloud Elements user secret".
    pub what: &'static str,
}

/// Whether `--<flag>` was typed on the command line (not filled from the environment by clap).
fn given_as_flag(flag: &str) -> bool {
    let long = format!("--{flag}");
    let with_value = format!("--{flag}=");
    std::env::args()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == long || a.starts_with(&with_value))
}

/// Reads a secret from a file, or from standard input for `-`; one trailing line end is
/// dropped, an empty secret is refused.
fn read_file(spec: &SecretSpec, path: &str) -> Result<String, String> {
    let text = if path == "-" {
        read_stdin(spec)?
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| format!("reading --{}-file {path}: {e}", spec.flag))?
    };
    let text = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(&text)
        .to_string();
    if text.is_empty() {
        return Err(format!(
            "--{}-file {path}: the {} is empty",
            spec.flag, spec.what
        ));
    }
    Ok(text)
}

/// One secret from standard input: a hidden prompt on a terminal, else the next line.
fn read_stdin(spec: &SecretSpec) -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!("{}: ", spec.what))
            .map_err(|e| format!("reading the {} from the terminal: {e}", spec.what));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("reading the {} from standard input: {e}", spec.what))?;
    Ok(line)
}

/// The secret, from the flag (`flag_value`, which clap may have filled from the environment),
/// its file, or a prompt; `None` when it is optional and not given.
pub fn resolve(
    spec: &SecretSpec,
    flag_value: Option<String>,
    file: Option<&str>,
    required: bool,
) -> Result<Option<String>, String> {
    if let Some(path) = file {
        if flag_value.is_some() && given_as_flag(spec.flag) {
            return Err(format!(
                "give the {} once: --{} or --{}-file, not both",
                spec.what, spec.flag, spec.flag
            ));
        }
        return read_file(spec, path).map(Some);
    }
    if let Some(v) = flag_value.or_else(|| std::env::var(spec.env).ok()) {
        if given_as_flag(spec.flag) {
            eprintln!(
                "warning: --{} puts the {} in the process list and the shell history; use {} or --{}-file (- for standard input) instead",
                spec.flag, spec.what, spec.env, spec.flag
            );
        }
        if v.is_empty() {
            return Err(format!("the {} is empty", spec.what));
        }
        return Ok(Some(v));
    }
    if !required {
        return Ok(None);
    }
    if std::io::stdin().is_terminal() {
        return read_stdin(spec).and_then(|v| {
            if v.is_empty() {
                Err(format!("the {} is empty", spec.what))
            } else {
                Ok(Some(v))
            }
        });
    }
    Err(format!(
        "the {} is missing: set {}, or give --{}-file PATH (- for standard input)",
        spec.what, spec.env, spec.flag
    ))
}

/// `bytes` random bytes from the operating system's CSPRNG, as lower-case hex.
pub fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|e| format!("the operating system's random generator failed: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
