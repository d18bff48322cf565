//! "Did you mean ...?": the known name closest to a misspelt one (options, package.json
//! fields, `PREGYP_` variables).

/// The candidate closest to `key` when it is close enough to be a typo of it.
pub fn nearest<'a>(key: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let key = key.replace('-', "_").to_ascii_lowercase();
    candidates
        .map(|c| {
            (
                edit_distance(&key, &c.replace('-', "_").to_ascii_lowercase()),
                c,
            )
        })
        // Close enough: at most a quarter of the name (at least 2 edits), and no more than
        // a third of the shorter name, so that `url` is not taken for `acl` nor `root` for
        // `host`.
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d * 3 <= key.len().min(c.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance with transpositions counted as one edit (`buidl` / `build`).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn typos_and_strangers() {
        let fields = [
            "acl",
            "host",
            "remote_path",
            "napi_versions",
            "checksums",
            "fallback-to-build",
        ];
        let near = |k: &str| nearest(k, fields.iter().copied());
        assert_eq!(near("remote_paht"), Some("remote_path"));
        assert_eq!(near("napi_version"), Some("napi_versions"));
        assert_eq!(near("hosts"), Some("host"));
        assert_eq!(near("acls"), Some("acl"));
        assert_eq!(near("fallback_to_buidl"), Some("fallback-to-build"));
        assert_eq!(near("HOST"), Some("host"));
        for stranger in ["url", "arch", "os", "root", "hosting", "abi"] {
            assert_eq!(near(stranger), None, "{stranger}");
        }
    }
}
