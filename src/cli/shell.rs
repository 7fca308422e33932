//! `gossip-lab completions SHELL` and `gossip-lab man`: the shell's view of
//! the command line. Both are generated from the one clap table
//! ([`crate::cli::Cli`]) by `clap_complete` and `clap_mangen`, so a flag
//! added there is completed and documented with no second list to keep.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// The binary's name, as completions register it and man pages title it.
const BIN: &str = "gossip-lab";

/// Writes the completion script for `shell` to `out`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut script);
    if shell == Shell::Bash {
        // clap_complete spells a hyphenated binary's state two ways in bash
        // (clap-rs/clap#6421, open): the loop sets `gossip__lab__subcmd__run`
        // but the case arm reads `gossip__subcmd__lab__subcmd__run`, so no
        // subcommand's flags would ever complete. Spell the arms as the loop
        // does; once clap fixes it this replaces nothing.
        let text = String::from_utf8_lossy(&script).replace("gossip__subcmd__lab", "gossip__lab");
        return out.write_all(text.as_bytes());
    }
    out.write_all(&script)
}

/// Writes the top-level man page (gossip-lab(1)) to `out`.
pub fn man(out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
}

/// Writes gossip-lab.1 and one page per subcommand (gossip-lab-run.1 and
/// so on) into `dir`, creating it; returns the files written, in name
/// order.
pub fn man_pages(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    // Subcommand pages are named gossip-lab-run.1 and so on, as `man gossip-lab-run` finds them.
    clap_mangen::generate_to(Cli::command(), dir)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "1")
                && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(BIN))
        })
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(shell: Shell) -> String {
        let mut out = Vec::new();
        completions(shell, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// What bash offers for `words` (the last one is being completed), by
    /// sourcing the script and calling its function as `complete -F` would.
    fn bash_offers(words: &[&str]) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("gossip-lab.bash");
        std::fs::write(&file, script(Shell::Bash)).unwrap();
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let (cur, prev) = (words[words.len() - 1], words[words.len() - 2]);
        let program = format!(
            "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; \
             _gossip__lab gossip-lab '{cur}' '{prev}'; echo \"${{COMPREPLY[*]}}\"",
            file.display(),
            quoted.join(" "),
            words.len() - 1,
            words.join(" "),
        );
        let out = std::process::Command::new("bash").arg("-c").arg(program).output().ok()?;
        Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    #[test]
    fn bash_completes_a_subcommands_flags() {
        let Some(top) = bash_offers(&["gossip-lab", "re"]) else {
            eprintln!("no bash on this machine; skipped");
            return;
        };
        assert_eq!(top, "report replay");
        let run = bash_offers(&["gossip-lab", "run", "--s"]).unwrap();
        assert!(run.contains("--sim") && run.contains("--seed"), "run's flags: {run:?}");
        let report = bash_offers(&["gossip-lab", "report", "x.jsonl", "--f"]).unwrap();
        assert!(report.contains("--format"), "report's flags: {report:?}");
    }

    #[test]
    fn completions_offer_every_subcommand_and_flag_of_the_table() {
        let command = Cli::command();
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let text = script(shell);
            for sub in command.get_subcommands() {
                assert!(text.contains(sub.get_name()), "{shell}: no {}", sub.get_name());
            }
            for flag in ["--profile", "--nodes", "--seed", "--export", "--sim", "--format", "--fps"] {
                assert!(text.contains(flag.trim_start_matches('-')), "{shell}: no {flag}");
            }
        }
        assert!(script(Shell::Bash).contains("complete -F"), "bash registers a function");
    }

    #[test]
    fn the_man_page_is_roff_with_every_subcommand() {
        let mut out = Vec::new();
        man(&mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(page.starts_with(".ie") || page.contains(".TH gossip-lab 1"), "{}", &page[..200.min(page.len())]);
        for sub in ["run", "report", "replay", "plot", "completions", "man"] {
            assert!(page.contains(&format!("gossip\\-lab\\-{sub}(1)")), "the page lists {sub}");
        }
    }

    #[test]
    fn man_pages_go_one_per_subcommand_into_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let files = man_pages(&dir.path().join("man1")).unwrap();
        let names: Vec<String> = files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert!(names.contains(&"gossip-lab.1".to_owned()), "{names:?}");
        assert!(names.contains(&"gossip-lab-run.1".to_owned()), "{names:?}");
        let run = std::fs::read_to_string(dir.path().join("man1/gossip-lab-run.1")).unwrap();
        assert!(run.contains("\\-\\-sim"), "the run page documents --sim");
    }
}
