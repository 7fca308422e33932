//! The one line of text entry the dashboard has: the filter (`/`), a
//! jump to a node (`:`) and a partition's groups (`P`) are the same prompt
//! with a different question, so typing, Backspace, Enter and Esc behave
//! alike in all three. Also the parsers for what is typed, which the
//! filter shares with `P` ("0-4,9" means the same in both); their
//! inverse is [`crate::scenario::ranges`], which every view and feedback
//! line that lists nodes writes with.

use crate::scenario::{groups as name_groups, ranges};

/// What the prompt asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// The filter over node rows and events; applied as it is typed.
    Filter,
    /// A node number to select.
    Jump,
    /// A partition's groups, e.g. `0-4,9 | 5-8`.
    Groups,
}

impl Ask {
    /// The footer's prompt, before the text.
    pub fn label(self) -> &'static str {
        match self {
            Ask::Filter => "filter:",
            Ask::Jump => "jump to node:",
            Ask::Groups => "partition groups (e.g. 0-4,9 | 5-8):",
        }
    }

    /// The footer's hint, after the text.
    pub fn hint(self) -> &'static str {
        match self {
            Ask::Filter => "Enter keeps it · Esc clears it",
            Ask::Jump => "Enter selects it · Esc cancels",
            Ask::Groups => "Enter splits · Esc cancels · unlisted nodes form one more group",
        }
    }
}

/// A prompt being typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    /// The question.
    pub ask: Ask,
    /// What is typed so far.
    pub text: String,
}

/// A list of node indices and ranges, "12" or "0-4, 9": the inclusive
/// ranges it names, or what is wrong with it.
pub fn node_list(text: &str) -> Result<Vec<(usize, usize)>, String> {
    let items: Vec<&str> = text.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).collect();
    if items.is_empty() {
        return Err("no nodes named".to_owned());
    }
    items
        .into_iter()
        .map(|item| {
            let number =
                |s: &str| s.trim().parse::<usize>().map_err(|_| format!("\"{item}\" is not a node or a range"));
            match item.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (number(a)?, number(b)?);
                    if a > b {
                        return Err(format!("range {a}-{b} runs backwards"));
                    }
                    Ok((a, b))
                }
                None => number(item).map(|a| (a, a)),
            }
        })
        .collect()
}

/// The node typed at a `:` prompt over `n` nodes, or what is wrong.
pub fn node(text: &str, n: usize) -> Result<usize, String> {
    let text = text.trim();
    let i: usize = text.parse().map_err(|_| format!("\"{text}\" is not a node number"))?;
    if i >= n {
        return Err(format!("no node {i}: the nodes are {}", ranges(&(0..n).collect::<Vec<_>>())));
    }
    Ok(i)
}

/// The groups typed at a `P` prompt over `n` nodes, "0-4,9 | 5-8", as
/// node lists; nodes in none of them are left to form one more group (the
/// fault model's rule, `scenario::Groups::Explicit`).
pub fn groups(text: &str, n: usize) -> Result<Vec<Vec<usize>>, String> {
    if text.trim().is_empty() {
        return Err("no groups typed: e.g. 0-4,9 | 5-8".to_owned());
    }
    let mut taken = vec![false; n];
    let mut out = Vec::new();
    for (g, part) in text.split('|').enumerate() {
        let list = node_list(part).map_err(|e| format!("group {}: {e}", g + 1))?;
        let mut group = Vec::new();
        for (a, b) in list {
            for i in a..=b {
                let Some(slot) = taken.get_mut(i) else {
                    return Err(format!("group {}: no node {i} (the nodes are 0-{})", g + 1, n.saturating_sub(1)));
                };
                if std::mem::replace(slot, true) {
                    return Err(format!("node {i} is in two groups"));
                }
                group.push(i);
            }
        }
        out.push(group);
    }
    if out.len() == 1 && taken.iter().all(|&t| t) {
        return Err("one group holds every node: nothing is split".to_owned());
    }
    Ok(out)
}

/// The groups as the status line names them, the implicit rest included:
/// "0-4, 9 | 5-8 | 10-15".
pub fn describe(groups: &[Vec<usize>], n: usize) -> String {
    let listed: Vec<bool> = (0..n).map(|i| groups.iter().any(|g| g.contains(&i))).collect();
    let rest: Vec<usize> = (0..n).filter(|&i| !listed[i]).collect();
    let mut all = groups.to_vec();
    if !rest.is_empty() {
        all.push(rest);
    }
    name_groups(&all)
}

/// `n` nodes split by index into `parts` contiguous groups, the later
/// ones taking the odd ones out (as `Groups::Halves` does).
pub fn split(n: usize, parts: usize) -> Vec<Vec<usize>> {
    (0..parts).map(|k| (k * n / parts..(k + 1) * n / parts).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_groups_and_their_mistakes() {
        assert_eq!(node_list("0-4, 9"), Ok(vec![(0, 4), (9, 9)]));
        assert!(node_list("4-2").unwrap_err().contains("backwards"));
        assert_eq!(groups("0-2,5 | 3-4", 8), Ok(vec![vec![0, 1, 2, 5], vec![3, 4]]));
        assert_eq!(describe(&[vec![0, 1, 2, 5], vec![3, 4]], 8), "0-2, 5 | 3-4 | 6-7");
        assert_eq!(groups("0-1 | 1-2", 8).unwrap_err(), "node 1 is in two groups");
        assert_eq!(groups("0-3 | 9", 8).unwrap_err(), "group 2: no node 9 (the nodes are 0-7)");
        assert_eq!(groups("0-3 | ", 8).unwrap_err(), "group 2: no nodes named");
        assert!(groups("0-7", 8).unwrap_err().contains("every node"));
        assert_eq!(groups("0-3", 8), Ok(vec![vec![0, 1, 2, 3]]), "the rest is the other group");
        assert_eq!(node("12", 16), Ok(12));
        assert_eq!(node("999", 16).unwrap_err(), "no node 999: the nodes are 0-15");
        assert_eq!(split(16, 3), [(0..5).collect::<Vec<_>>(), (5..10).collect(), (10..16).collect()]);
    }
}
