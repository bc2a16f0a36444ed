//! The little JSON the Kafka tools take (reassignment plans, delete-records offsets, election
//! partitions): a strict RFC 8259 reader into [`Json`], and helpers to pick fields.

use std::collections::BTreeMap;

/// A JSON value. Numbers keep their text (Kafka's fields are integers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(BTreeMap<String, Json>),
}

/// Where a JSON text is malformed: the 0-based character offset and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsonError {
    pub offset: usize,
    pub expected: &'static str,
}

/// The most nesting a document may have.
const DEPTH_MAX: usize = 32;

/// Reads one JSON document (surrounding whitespace allowed).
pub(crate) fn parse(text: &str) -> Result<Json, JsonError> {
    let chars: Vec<char> = text.chars().collect();
    let mut reader = Reader { chars, pos: 0 };
    reader.blanks();
    let value = reader.value(0)?;
    reader.blanks();
    if reader.pos != reader.chars.len() {
        return Err(reader.error("the end of the JSON"));
    }
    Ok(value)
}

struct Reader {
    chars: Vec<char>,
    pos: usize,
}

impl Reader {
    fn error(&self, expected: &'static str) -> JsonError {
        JsonError {
            offset: self.pos,
            expected,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn blanks(&mut self) {
        while self
            .peek()
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: char, expected: &'static str) -> Result<(), JsonError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, JsonError> {
        for c in word.chars() {
            self.eat(c, "a JSON value")?;
        }
        Ok(value)
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > DEPTH_MAX {
            return Err(self.error("less nesting"));
        }
        match self.peek() {
            Some('{') => self.object(depth),
            Some('[') => self.array(depth),
            Some('"') => Ok(Json::String(self.string()?)),
            Some('t') => self.literal("true", Json::Bool(true)),
            Some('f') => self.literal("false", Json::Bool(false)),
            Some('n') => self.literal("null", Json::Null),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            _ => Err(self.error("a JSON value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1;
        let mut fields = BTreeMap::new();
        self.blanks();
        if self.peek() == Some('}') {
            self.pos += 1;
            return Ok(Json::Object(fields));
        }
        loop {
            self.blanks();
            if self.peek() != Some('"') {
                return Err(self.error("a field name in double quotes"));
            }
            let name = self.string()?;
            self.blanks();
            self.eat(':', ":")?;
            self.blanks();
            let value = self.value(depth + 1)?;
            fields.insert(name, value);
            self.blanks();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {
                    self.pos += 1;
                    return Ok(Json::Object(fields));
                }
                _ => return Err(self.error(", or }")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.blanks();
        if self.peek() == Some(']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.blanks();
            items.push(self.value(depth + 1)?);
            self.blanks();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error(", or ]")),
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("a closing \"")),
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('\\') => {
                    self.pos += 1;
                    let c = match self.peek() {
                        Some('"') => '"',
                        Some('\\') => '\\',
                        Some('/') => '/',
                        Some('b') => '\u{8}',
                        Some('f') => '\u{c}',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('t') => '\t',
                        Some('u') => {
                            let hex: String =
                                self.chars.iter().skip(self.pos + 1).take(4).collect();
                            let code = u32::from_str_radix(&hex, 16)
                                .ok()
                                .filter(|_| hex.len() == 4)
                                .ok_or_else(|| self.error("four hex digits after \\u"))?;
                            self.pos += 4;
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => return Err(self.error("a JSON escape")),
                    };
                    out.push(c);
                    self.pos += 1;
                }
                Some(c) if (c as u32) < 0x20 => return Err(self.error("no control character")),
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        let digits = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        {
            self.pos += 1;
        }
        if self.pos == digits {
            return Err(self.error("a digit"));
        }
        Ok(Json::Number(self.chars[start..self.pos].iter().collect()))
    }
}

impl Json {
    /// The field `name` of an object.
    pub(crate) fn field(&self, name: &str) -> Option<&Json> {
        match self {
            Self::Object(fields) => fields.get(name),
            _ => None,
        }
    }

    /// The items of an array.
    pub(crate) fn items(&self) -> Option<&[Json]> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A string's text.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Self::String(text) => Some(text),
            _ => None,
        }
    }

    /// An integer number.
    pub(crate) fn integer(&self) -> Option<i64> {
        match self {
            Self::Number(text) => text.parse().ok(),
            _ => None,
        }
    }
}

/// Writes `text` as a JSON string.
pub(crate) fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `kafka-delete-records.sh`'s `--offset-json-file` document.
pub(crate) fn delete_records_document(
    partitions: &[(crate::group::TopicPartition, i64)],
) -> String {
    let entries: Vec<String> = partitions
        .iter()
        .map(|(tp, offset)| {
            format!(
                "{{\"topic\":{},\"partition\":{},\"offset\":{offset}}}",
                string(&tp.topic),
                tp.partition
            )
        })
        .collect();
    format!("{{\"partitions\":[{}],\"version\":1}}", entries.join(","))
}

/// `kafka-leader-election.sh`'s `--path-to-json-file` document.
pub(crate) fn election_document(partitions: &[crate::group::TopicPartition]) -> String {
    let entries: Vec<String> = partitions
        .iter()
        .map(|tp| {
            format!(
                "{{\"topic\":{},\"partition\":{}}}",
                string(&tp.topic),
                tp.partition
            )
        })
        .collect();
    format!("{{\"partitions\":[{}]}}", entries.join(","))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn reads_a_reassignment_plan() {
        let json = parse(
            r#" {"version":1,"partitions":[{"topic":"t\u0041","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]} "#,
        )
        .expect("valid");
        let partitions = json
            .field("partitions")
            .and_then(Json::items)
            .expect("array");
        assert_eq!(
            partitions[0].field("topic").and_then(Json::text),
            Some("tA")
        );
        assert_eq!(
            partitions[0].field("partition").and_then(Json::integer),
            Some(0)
        );
        assert_eq!(json.field("version").and_then(Json::integer), Some(1));
    }

    #[test]
    fn malformed_json_says_where() {
        assert_eq!(
            parse("{\"a\" 1}"),
            Err(JsonError {
                offset: 5,
                expected: ":"
            })
        );
        assert_eq!(parse("[1,]").map_err(|e| e.expected), Err("a JSON value"));
        assert_eq!(
            parse("{} x").map_err(|e| e.expected),
            Err("the end of the JSON")
        );
        assert_eq!(parse("\"abc").map_err(|e| e.expected), Err("a closing \""));
        let deep = "[".repeat(40) + &"]".repeat(40);
        assert_eq!(parse(&deep).map_err(|e| e.expected), Err("less nesting"));
    }

    #[test]
    fn strings_round_trip() {
        for text in ["plain", "q\"uote", "back\\slash", "new\nline", "\u{1}"] {
            assert_eq!(parse(&string(text)), Ok(Json::String(text.to_owned())));
        }
    }
}
