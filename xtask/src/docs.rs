//! Builds the documentation site (`/docs/` of the served site) from `docs/book/{en,ko}`: each
//! chapter's Markdown rendered by `pulldown-cmark`, in the order and with the titles of the
//! book's mdBook-format `SUMMARY.md`, a sidebar, a language switch (the same file in the other
//! language), and each `{{#rill-demo scenarios/docs/<name>.rill view=<view>}}` line replaced by
//! a live `<rill-demo>` of that scenario (copied to `docs/scenarios/`). `<!-- EMBED-SNIPPET -->`
//! becomes the embed snippet of `docs/site/embed-snippet.html` (also in the README).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// The Content-Security-Policy of every page the site serves, sent as a header with every HTML
/// file and also carried by each page's `<meta http-equiv>` (a test checks they agree), so a
/// page keeps it wherever it is hosted. Scripts come only from this origin: no inline script,
/// no `eval`; `'wasm-unsafe-eval'` lets the page compile its wasm. Stylesheets come only from
/// this origin; `style` attributes are allowed (`style-src-attr`) because Yew sets them through
/// `setAttribute`, which CSP treats as inline markup (the key colours of the record boxes).
/// No `frame-ancestors`: a `<meta>` policy cannot carry it, and the docs embed pages in frames.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
    script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; style-src-attr 'unsafe-inline'; \
    object-src 'none'; base-uri 'none'; form-action 'self'";

/// The languages of the course: (directory, name shown in the switch).
pub(crate) const LANGS: [(&str, &str); 2] = [("en", "English"), ("ko", "한국어")];

/// One entry of a `SUMMARY.md`: title and Markdown file, or a separator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    /// A chapter.
    Chapter {
        /// Its title.
        title: String,
        /// Its file, relative to the book's directory.
        file: String,
        /// Its number (numbered chapters only).
        number: Option<u32>,
    },
    /// `---`.
    Separator,
}

/// Reads mdBook's `SUMMARY.md` format: `[Title](file.md)` prefix/suffix chapters, `- [Title](file.md)`
/// numbered chapters, `---` separators; the `# Summary` heading and blank lines are skipped.
pub(crate) fn parse_summary(text: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut number = 0;
    for line in text.lines() {
        let line = line.trim();
        if line == "---" {
            items.push(Item::Separator);
            continue;
        }
        let (numbered, rest) = match line.strip_prefix("- ") {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        let Some(rest) = rest.strip_prefix('[') else {
            continue;
        };
        let Some((title, rest)) = rest.split_once("](") else {
            continue;
        };
        let Some((file, _)) = rest.split_once(')') else {
            continue;
        };
        if numbered {
            number += 1;
        }
        items.push(Item::Chapter {
            title: title.to_owned(),
            file: file.to_owned(),
            number: numbered.then_some(number),
        });
    }
    items
}

/// HTML-escapes text for element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A `{{#rill-demo <path> view=<view>}}` line: (scenario file name, view).
fn demo_directive(line: &str) -> Option<(String, String)> {
    let inner = line
        .trim()
        .strip_prefix("{{#rill-demo ")?
        .strip_suffix("}}")?;
    let mut words = inner.split_whitespace();
    let path = words.next()?;
    let name = Path::new(path).file_name()?.to_str()?.to_owned();
    let view = words
        .find_map(|w| w.strip_prefix("view="))
        .unwrap_or("replication")
        .to_owned();
    Some((name, view))
}

/// The `<rill-demo>` a directive becomes, in a page of language `lang` (pages sit in
/// `docs/<lang>/`, scenarios in `docs/scenarios/`).
pub(crate) fn demo_html(name: &str, view: &str, lang: &str) -> String {
    format!(
        "<rill-demo scenario=\"../scenarios/{}\" view=\"{}\" lang=\"{}\" autoplay speed=\"2\" height=\"460\"></rill-demo>",
        escape(name),
        escape(view),
        escape(lang)
    )
}

/// Expands the book's directives in `markdown`: demo lines outside code fences become
/// `<rill-demo>` HTML blocks (their scenario names are collected into `demos`), `\{{#` is
/// printed as `{{#`, and the snippet marker becomes `snippet`.
pub(crate) fn expand(markdown: &str, lang: &str, snippet: &str, demos: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut fence: Option<String> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if let Some(open) = &fence {
            if trimmed.starts_with(open.as_str()) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let marker: String = trimmed
                .chars()
                .take_while(|c| *c == '`' || *c == '~')
                .collect();
            fence = Some(marker);
        } else if let Some((name, view)) = demo_directive(line) {
            demos.push(name.clone());
            let _ = write!(out, "\n{}\n\n", demo_html(&name, &view, lang));
            continue;
        } else if trimmed == "<!-- EMBED-SNIPPET -->" {
            out.push_str(snippet);
            out.push('\n');
            continue;
        }
        out.push_str(&line.replace("\\{{#", "{{#"));
        out.push('\n');
    }
    out
}

/// Renders Markdown to HTML; links to `.md` files become links to the built `.html` pages.
pub(crate) fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let parser = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: md_to_html(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

fn md_to_html(url: CowStr<'_>) -> CowStr<'_> {
    if url.contains("://") {
        return url;
    }
    let (path, anchor) = match url.split_once('#') {
        Some((path, anchor)) => (path.to_owned(), format!("#{anchor}")),
        None => (url.to_string(), String::new()),
    };
    match path.strip_suffix(".md") {
        Some(stem) => CowStr::from(format!("{stem}.html{anchor}")),
        None => url,
    }
}

/// The embed snippet as the docs show it: the custom element and the iframe, in code blocks.
fn snippet_markdown(root: &Path) -> Result<String, String> {
    let read = |name: &str| {
        let path = root.join("docs/site").join(name);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    Ok(format!(
        "```html\n{}```\n\n```html\n{}```\n",
        read("embed-snippet.html")?,
        read("iframe-snippet.html")?
    ))
}

/// The HTML page of one chapter.
#[allow(clippy::too_many_arguments)]
fn page(
    lang: &str,
    title: &str,
    book_title: &str,
    nav: &str,
    body: &str,
    file_html: &str,
    prev: Option<(&str, &str)>,
    next: Option<(&str, &str)>,
) -> String {
    let csp = CONTENT_SECURITY_POLICY;
    let switch: String = LANGS
        .iter()
        .map(|(code, name)| {
            if *code == lang {
                format!("<a class=\"lang\" aria-current=\"true\" lang=\"{code}\">{name}</a>")
            } else {
                format!(
                    "<a class=\"lang\" href=\"../{code}/{file_html}\" hreflang=\"{code}\" lang=\"{code}\">{name}</a>"
                )
            }
        })
        .collect();
    let pager = |link: Option<(&str, &str)>, class: &str, arrow: &str| match link {
        Some((href, text)) => format!(
            "<a class=\"{class}\" href=\"{href}\">{arrow} {}</a>",
            escape(text)
        ),
        None => String::new(),
    };
    let playground = if lang == "ko" {
        "플레이그라운드"
    } else {
        "Playground"
    };
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="{csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} — {book_title}</title>
  <link rel="icon" href="../../favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="../docs.css">
  <script type="module" src="../../rill-demo.js"></script>
</head>
<body>
  <header class="top">
    <a class="brand" href="index.html"><span class="logo" aria-hidden="true">≋</span> rill</a>
    <span class="book">{book_title}</span>
    <nav class="langs" aria-label="Language">{switch}</nav>
    <a class="to-playground" href="../../index.html?lang={lang}">{playground}</a>
  </header>
  <div class="docs">
    <nav class="toc" aria-label="Chapters">{nav}</nav>
    <main class="chapter">
{body}
      <nav class="pager">{prev}{next}</nav>
    </main>
  </div>
</body>
</html>
"#,
        title = escape(title),
        book_title = escape(book_title),
        prev = pager(prev, "prev", "←"),
        next = pager(next, "next", "→"),
    )
}

/// The sidebar of a book, with `current` marked.
fn nav_html(items: &[Item], current: &str) -> String {
    let mut out = String::from("<ol>");
    for item in items {
        match item {
            Item::Separator => out.push_str("<li class=\"sep\" role=\"separator\"></li>"),
            Item::Chapter {
                title,
                file,
                number,
            } => {
                let href = md_to_html(CowStr::from(file.as_str())).to_string();
                let number = number.map(|n| format!("{n}. ")).unwrap_or_default();
                let current_attr = if file == current {
                    " aria-current=\"page\""
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "<li><a href=\"{href}\"{current_attr}>{number}{}</a></li>",
                    escape(title)
                );
            }
        }
    }
    out.push_str("</ol>");
    out
}

/// Builds `site/docs/`: every chapter of both languages, the scenarios, the stylesheet and the
/// language redirect. Returns the pages written.
pub(crate) fn build_docs(site: &Path) -> Result<Vec<PathBuf>, String> {
    let root = crate::root();
    let book = root.join("docs/book");
    let out = site.join("docs");
    std::fs::create_dir_all(out.join("scenarios"))
        .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let snippet = snippet_markdown(&root)?;
    let mut written = Vec::new();
    let mut demos = Vec::new();
    for (lang, _) in LANGS {
        let dir = book.join(lang);
        let summary = std::fs::read_to_string(dir.join("SUMMARY.md"))
            .map_err(|e| format!("cannot read {}/SUMMARY.md: {e}", dir.display()))?;
        let items = parse_summary(&summary);
        let chapters: Vec<(&str, &str)> = items
            .iter()
            .filter_map(|i| match i {
                Item::Chapter { title, file, .. } => Some((title.as_str(), file.as_str())),
                Item::Separator => None,
            })
            .collect();
        let book_title = chapters.first().map_or("rill", |(t, _)| *t);
        std::fs::create_dir_all(out.join(lang))
            .map_err(|e| format!("cannot create {}: {e}", out.join(lang).display()))?;
        for (index, (title, file)) in chapters.iter().enumerate() {
            let path = dir.join(file);
            let markdown = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let body = render(&expand(&markdown, lang, &snippet, &mut demos));
            let file_html = md_to_html(CowStr::from(*file)).to_string();
            let link = |i: usize| {
                chapters
                    .get(i)
                    .map(|(t, f)| (md_to_html(CowStr::from(*f)).to_string(), (*t).to_owned()))
            };
            let prev = index.checked_sub(1).and_then(link);
            let next = link(index + 1);
            let html = page(
                lang,
                title,
                book_title,
                &nav_html(&items, file),
                &body,
                &file_html,
                prev.as_ref().map(|(h, t)| (h.as_str(), t.as_str())),
                next.as_ref().map(|(h, t)| (h.as_str(), t.as_str())),
            );
            let target = out.join(lang).join(&file_html);
            std::fs::write(&target, html)
                .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
            written.push(target);
        }
    }
    demos.sort();
    demos.dedup();
    for name in &demos {
        let from = root.join("scenarios/docs").join(name);
        std::fs::copy(&from, out.join("scenarios").join(name))
            .map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
    }
    for name in ["docs.css", "lang.js"] {
        let from = root.join("docs/site").join(name);
        std::fs::copy(&from, out.join(name))
            .map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
    }
    let csp = CONTENT_SECURITY_POLICY;
    let index = format!(
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="{csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>rill — Kafka, live</title>
  <link rel="icon" href="../favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="docs.css">
  <script type="module" src="lang.js"></script>
</head>
<body>
  <main class="chapter">
    <h1>rill — Kafka, live</h1>
    <p><a href="en/index.html" hreflang="en">English</a> · <a href="ko/index.html" hreflang="ko" lang="ko">한국어</a></p>
  </main>
</body>
</html>
"#
    );
    std::fs::write(out.join("index.html"), index)
        .map_err(|e| format!("cannot write {}/index.html: {e}", out.display()))?;
    println!(
        "==> docs: {} pages, {} demo scenarios in {}",
        written.len(),
        demos.len(),
        out.display()
    );
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_gives_order_titles_and_numbers() {
        let items = parse_summary(
            "# Summary\n\n[Kafka, live](index.md)\n\n- [Topics](topics.md)\n- [Keys](keys.md)\n\n---\n\n[Embedding](embedding.md)\n",
        );
        assert_eq!(items.len(), 5);
        assert_eq!(
            items[1],
            Item::Chapter {
                title: "Topics".into(),
                file: "topics.md".into(),
                number: Some(1)
            }
        );
        assert_eq!(items[3], Item::Separator);
        assert!(matches!(&items[4], Item::Chapter { number: None, .. }));
    }

    #[test]
    fn directives_become_demos_outside_fences_only() {
        let md = "Intro\n\n{{#rill-demo scenarios/docs/acks.rill view=replication}}\n\n```text\n\\{{#rill-demo scenarios/docs/x.rill view=log}}\n{{#rill-demo scenarios/docs/y.rill view=log}}\n```\n\n<!-- EMBED-SNIPPET -->\n";
        let mut demos = Vec::new();
        let out = expand(md, "ko", "SNIPPET", &mut demos);
        assert_eq!(demos, vec!["acks.rill".to_owned()]);
        assert!(out.contains(
            "<rill-demo scenario=\"../scenarios/acks.rill\" view=\"replication\" lang=\"ko\""
        ));
        assert!(out.contains("\n{{#rill-demo scenarios/docs/x.rill view=log}}\n"));
        assert!(out.contains("\n{{#rill-demo scenarios/docs/y.rill view=log}}\n"));
        assert!(out.contains("SNIPPET"));
        let html = render(&out);
        assert!(html.contains("<rill-demo scenario="), "{html}");
    }

    #[test]
    fn links_to_chapters_point_at_pages() {
        let html = render("[a](../ko/embedding.md) [b](x.md#part) [c](https://e.org/a.md)");
        assert!(html.contains("href=\"../ko/embedding.html\""));
        assert!(html.contains("href=\"x.html#part\""));
        assert!(html.contains("href=\"https://e.org/a.md\""));
    }

    #[test]
    fn every_chapter_demo_names_a_scenario_in_the_repo() {
        let root = crate::root();
        for (lang, _) in LANGS {
            let dir = root.join("docs/book").join(lang);
            let summary = std::fs::read_to_string(dir.join("SUMMARY.md")).expect("SUMMARY.md");
            for item in parse_summary(&summary) {
                if let Item::Chapter { file, .. } = item {
                    let md = std::fs::read_to_string(dir.join(&file)).expect("chapter");
                    let mut demos = Vec::new();
                    expand(&md, lang, "", &mut demos);
                    for name in demos {
                        assert!(
                            root.join("scenarios/docs").join(&name).is_file(),
                            "{lang}/{file}: {name}"
                        );
                    }
                }
            }
        }
    }

    /// The text of rendered HTML outside `<pre>`/`<code>` (tags dropped).
    fn prose_text(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        let mut code_depth = 0usize;
        while let Some(open) = rest.find('<') {
            if code_depth == 0 {
                out.push_str(&rest[..open]);
            }
            let Some(close) = rest[open..].find('>') else {
                break;
            };
            let tag = &rest[open + 1..open + close];
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            if name == "pre" || name == "code" {
                if tag.starts_with('/') {
                    code_depth = code_depth.saturating_sub(1);
                } else {
                    code_depth += 1;
                }
            }
            rest = &rest[open + close + 1..];
        }
        if code_depth == 0 {
            out.push_str(rest);
        }
        out
    }

    #[test]
    fn prose_text_skips_code() {
        let html = render("**bold** and `a**b` and\n\n```\nx ** y\n```\n");
        let text = prose_text(&html);
        assert!(text.contains("bold and"), "{text}");
        assert!(!text.contains("**"), "{text}");
        assert!(prose_text(&render("**ISR(in-sync replicas)**은")).contains("**"));
    }

    #[test]
    fn no_page_shows_literal_emphasis_markers() {
        let root = crate::root();
        let mut bad = Vec::new();
        for (lang, _) in LANGS {
            let dir = root.join("docs/book").join(lang);
            let summary = std::fs::read_to_string(dir.join("SUMMARY.md")).expect("SUMMARY.md");
            for item in parse_summary(&summary) {
                if let Item::Chapter { file, .. } = item {
                    let md = std::fs::read_to_string(dir.join(&file)).expect("chapter");
                    let html = render(&expand(&md, lang, "", &mut Vec::new()));
                    let text = prose_text(&html);
                    for line in text.lines().filter(|l| l.contains("**")) {
                        bad.push(format!("{lang}/{file}: {line}"));
                    }
                }
            }
        }
        assert!(
            bad.is_empty(),
            "literal ** in rendered text:\n{}",
            bad.join("\n")
        );
    }

    #[test]
    fn the_readme_carries_the_documented_snippet() {
        let root = crate::root();
        let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
        for name in ["embed-snippet.html", "iframe-snippet.html"] {
            let snippet =
                std::fs::read_to_string(root.join("docs/site").join(name)).expect("snippet");
            assert!(
                readme.contains(snippet.trim()),
                "README.md must carry docs/site/{name} verbatim"
            );
        }
    }
}
