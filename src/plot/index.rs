//! `index.html`: the charts laid out under headings, after the report's
//! text, in one page that opens from disk with no server and no script.

use super::ChartSpec;

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The page: `title`, the report's `text` as preformatted text, then each
/// chart under its heading.
pub fn page(title: &str, text: &str, charts: &[ChartSpec]) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>gossip-lab session: {t}</title>\n\
         <style>body{{font-family:sans-serif;max-width:1040px;margin:2em auto;padding:0 1em}}\
         pre{{background:#f6f6f6;padding:1em;overflow-x:auto}}img{{max-width:100%;border:1px solid #ddd}}</style>\n\
         </head>\n<body>\n<h1>gossip-lab session: {t}</h1>\n<h2>Report</h2>\n<pre>{r}</pre>\n",
        t = escape(title),
        r = escape(text)
    );
    for c in charts {
        html.push_str(&format!(
            "<h2>{h}</h2>\n<img src=\"{f}\" alt=\"{h}\">\n",
            h = escape(c.heading),
            f = escape(c.file)
        ));
    }
    html.push_str("</body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_escapes_the_report_and_links_every_chart() {
        let html = page("a<b", "FAIL x < y & z", &super::super::CHARTS);
        assert!(html.contains("<pre>FAIL x &lt; y &amp; z</pre>"), "{html}");
        assert!(html.contains("session: a&lt;b"));
        for c in &super::super::CHARTS {
            assert!(html.contains(&format!("<img src=\"{}\"", c.file)));
        }
    }
}
