//! Splitting a script's command lines into tokens, as a shell would (roughly).
//!
//! * Tokens are separated by spaces and tabs.
//! * `'…'` is taken literally; `"…"` understands `\\`, `\"`, `\n`, `\t`, `\r`; quoted and bare
//!   pieces with nothing between them make one token (`k="a b"` is `k=a b`). A quote left open
//!   at the end of a line continues on the next line (a newline is part of the token).
//! * `[` at the start of a token opens a list that ends at `]`: items separated by commas,
//!   spaces around them ignored, each bare or quoted (`[0, 1, "a b"]`).
//! * `#` at the start of a token starts a comment to the end of the line.

/// Why a script does not parse: where, what was expected there, and what was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What would have been understood there.
    pub expected: String,
    /// What was there.
    pub found: String,
}

impl ParseError {
    pub(crate) fn new(line: usize, column: usize, expected: &str, found: &str) -> Self {
        Self {
            line,
            column,
            expected: expected.to_owned(),
            found: found.to_owned(),
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: expected {}, found {}",
            self.line, self.column, self.expected, self.found
        )
    }
}

impl std::error::Error for ParseError {}

/// One token: a word or a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// 1-based line the token starts on.
    pub line: usize,
    /// 1-based column (in characters) it starts at.
    pub column: usize,
    /// What it is.
    pub kind: TokenKind,
}

/// A word or a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A word; `quoted` when any piece of it was quoted (then commas in it never split it).
    Word {
        /// The text, quotes removed.
        text: String,
        /// Whether a piece was quoted.
        quoted: bool,
    },
    /// `[a, b]`.
    List(Vec<String>),
}

impl Token {
    /// The word's text, if it is a word.
    pub(crate) fn word(&self) -> Option<&str> {
        match &self.kind {
            TokenKind::Word { text, .. } => Some(text),
            TokenKind::List(_) => None,
        }
    }

    /// How the token reads in an error message.
    pub(crate) fn describe(&self) -> String {
        match &self.kind {
            TokenKind::Word { text, .. } => format!("{text:?}"),
            TokenKind::List(items) => format!("the list [{}]", items.join(", ")),
        }
    }
}

/// Tokenizes the command starting at `lines[start]` (0-based). Returns its tokens and how many
/// lines it took (more than one when a quote spans lines).
pub(crate) fn tokenize(lines: &[&str], start: usize) -> Result<(Vec<Token>, usize), ParseError> {
    let mut lexer = Lexer {
        lines,
        line: start,
        chars: lines[start].chars().collect(),
        pos: 0,
    };
    let mut tokens = Vec::new();
    loop {
        lexer.skip_blanks();
        let Some(c) = lexer.peek() else {
            break;
        };
        if c == '#' {
            break;
        }
        let (line, column) = (lexer.line + 1, lexer.pos + 1);
        let kind = if c == '[' {
            lexer.pos += 1;
            TokenKind::List(lexer.list(line, column)?)
        } else {
            let (text, quoted) = lexer.word(false)?;
            TokenKind::Word { text, quoted }
        };
        tokens.push(Token { line, column, kind });
    }
    Ok((tokens, lexer.line - start + 1))
}

struct Lexer<'a> {
    lines: &'a [&'a str],
    /// 0-based line being read.
    line: usize,
    chars: Vec<char>,
    pos: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(|c| c == ' ' || c == '\t') {
            self.pos += 1;
        }
    }

    fn error(&self, expected: &str, found: &str) -> ParseError {
        ParseError::new(self.line + 1, self.pos + 1, expected, found)
    }

    /// Moves to the next line inside an open quote; false at the end of the script.
    fn next_line(&mut self) -> bool {
        if self.line + 1 >= self.lines.len() {
            return false;
        }
        self.line += 1;
        self.chars = self.lines[self.line].chars().collect();
        self.pos = 0;
        true
    }

    /// Reads a word: bare and quoted pieces until a blank, the end of the line, or (inside a
    /// list) a comma or `]`.
    fn word(&mut self, in_list: bool) -> Result<(String, bool), ParseError> {
        let mut text = String::new();
        let mut quoted = false;
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' => break,
                ',' | ']' if in_list => break,
                '\'' => {
                    quoted = true;
                    self.pos += 1;
                    self.single_quoted(&mut text)?;
                }
                '"' => {
                    quoted = true;
                    self.pos += 1;
                    self.double_quoted(&mut text)?;
                }
                _ => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
        Ok((text, quoted))
    }

    fn single_quoted(&mut self, text: &mut String) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Some('\'') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(c) => {
                    text.push(c);
                    self.pos += 1;
                }
                None => {
                    if !self.next_line() {
                        return Err(self.error("a closing '", "the end of the script"));
                    }
                    text.push('\n');
                }
            }
        }
    }

    fn double_quoted(&mut self, text: &mut String) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Some('"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some('\\') => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        Some('n') => '\n',
                        Some('t') => '\t',
                        Some('r') => '\r',
                        Some(c @ ('\\' | '"')) => c,
                        Some(c) => {
                            // Point at the backslash.
                            return Err(ParseError::new(
                                self.line + 1,
                                self.pos,
                                "an escape: \\\\, \\\", \\n, \\t or \\r",
                                &format!("\\{c}"),
                            ));
                        }
                        None => {
                            return Err(self.error("an escaped character", "the end of the line"));
                        }
                    };
                    text.push(escaped);
                    self.pos += 1;
                }
                Some(c) => {
                    text.push(c);
                    self.pos += 1;
                }
                None => {
                    if !self.next_line() {
                        return Err(self.error("a closing \"", "the end of the script"));
                    }
                    text.push('\n');
                }
            }
        }
    }

    /// Reads list items after `[` up to `]`.
    fn list(&mut self, line: usize, column: usize) -> Result<Vec<String>, ParseError> {
        let mut items = Vec::new();
        loop {
            self.skip_blanks();
            match self.peek() {
                Some(']') if items.is_empty() => {
                    self.pos += 1;
                    return Ok(items);
                }
                None => {
                    return Err(ParseError::new(
                        line,
                        column,
                        "a list closed by ] on the same line",
                        "the end of the line",
                    ));
                }
                Some(',' | ']') => return Err(self.error("a list item", "a missing item")),
                Some(_) => {
                    let (item, _) = self.word(true)?;
                    items.push(item);
                }
            }
            self.skip_blanks();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {
                    self.pos += 1;
                    return Ok(items);
                }
                Some(c) => return Err(self.error(", or ]", &format!("{c:?}"))),
                None => {
                    return Err(ParseError::new(
                        line,
                        column,
                        "a list closed by ] on the same line",
                        "the end of the line",
                    ));
                }
            }
        }
    }
}

/// Writes `text` as one token: bare when it reads back the same, else double-quoted.
pub(crate) fn quote(text: &str) -> String {
    let bare = !text.is_empty()
        && !text.starts_with(['#', '['])
        && text
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '\\' | ',' | ']'));
    if bare {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `items` as a list token.
pub(crate) fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| quote(item)).collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn words(line: &str) -> Vec<TokenKind> {
        tokenize(&[line], 0)
            .expect("valid")
            .0
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    fn w(text: &str, quoted: bool) -> TokenKind {
        TokenKind::Word {
            text: text.to_owned(),
            quoted,
        }
    }

    #[test]
    fn words_quotes_lists_and_comments() {
        assert_eq!(
            words(r#"a  'b c' k="x \"y\"" [0, 1 ,"a b"] # comment"#),
            vec![
                w("a", false),
                w("b c", true),
                w("k=x \"y\"", true),
                TokenKind::List(vec!["0".into(), "1".into(), "a b".into()]),
            ]
        );
        assert_eq!(words("[]"), vec![TokenKind::List(vec![])]);
        assert_eq!(words("a#b"), vec![w("a#b", false)]);
    }

    #[test]
    fn a_quote_spans_lines() {
        let lines = ["x '{", "  \"a\": 1", "}' y"];
        let (tokens, used) = tokenize(&lines, 0).expect("valid");
        assert_eq!(used, 3);
        assert_eq!(tokens[1].kind, w("{\n  \"a\": 1\n}", true));
        assert_eq!(tokens[2].kind, w("y", false));
    }

    #[test]
    fn errors_name_line_and_column() {
        let error = tokenize(&["a \"b"], 0).expect_err("open quote");
        assert_eq!((error.line, error.column), (1, 5));
        assert_eq!(error.expected, "a closing \"");
        let error = tokenize(&["a [1, 2"], 0).expect_err("open list");
        assert_eq!((error.line, error.column), (1, 3));
        let error = tokenize(&["[1,,2]"], 0).expect_err("missing item");
        assert_eq!(error.expected, "a list item");
        let error = tokenize(&["\"\\q\""], 0).expect_err("bad escape");
        assert!(error.expected.starts_with("an escape"));
    }

    #[test]
    fn quote_reads_back() {
        for text in [
            "plain",
            "",
            "a b",
            "x\"y",
            "#c",
            "[l",
            "a,b",
            "tab\there",
            "new\nline",
        ] {
            let token = quote(text);
            let read = words(&token);
            assert_eq!(read.len(), 1, "{token}");
            let TokenKind::Word { text: back, .. } = &read[0] else {
                panic!("a word");
            };
            assert_eq!(back, text);
        }
    }
}
