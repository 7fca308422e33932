//! How a number looks in a table cell, the same in every table.

/// A number for a table cell: "–" when absent.
pub fn cell(x: Option<f64>) -> String {
    x.map_or("–".into(), fmt_num)
}

/// Three significant figures or so, whatever the magnitude.
pub fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else if x.abs() >= 0.01 {
        format!("{x:.3}")
    } else {
        format!("{x:.2e}")
    }
}

/// Bytes as whole MiB.
pub fn mib(bytes: Option<f64>) -> String {
    bytes.map_or("–".into(), |b| format!("{:.0}", b / f64::from(1 << 20)))
}

/// Bytes as whole KiB.
pub fn kib(bytes: Option<f64>) -> String {
    bytes.map_or("–".into(), |b| format!("{:.0}", b / 1024.0))
}

/// `a ÷ b` to two decimals, "–" when either is missing or `b` is not positive.
pub fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "–".into(),
    }
}
