//! Topic names as Kafka's `Topic.validate` accepts them.

/// Longest legal topic name (Kafka's `Topic.MAX_NAME_LENGTH`).
pub const TOPIC_NAME_LENGTH_MAX: usize = 249;

/// Why a topic name is illegal; the messages are Kafka's.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTopicName {
    /// The name is empty.
    #[error("Topic name is illegal, it can't be empty")]
    Empty,
    /// The name is `.` or `..`.
    #[error("Topic name cannot be \".\" or \"..\"")]
    DotOrDotDot,
    /// The name is longer than [`TOPIC_NAME_LENGTH_MAX`].
    #[error(
        "Topic name is illegal, it can't be longer than {TOPIC_NAME_LENGTH_MAX} characters, topic name: {0}"
    )]
    TooLong(String),
    /// The name holds a character outside `[a-zA-Z0-9._-]`.
    #[error(
        "Topic name \"{0}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
    )]
    IllegalCharacter(String),
}

/// Checks `name` against Kafka's rules: 1–249 characters of `[a-zA-Z0-9._-]`, not `.` or `..`.
pub fn validate_topic_name(name: &str) -> Result<(), InvalidTopicName> {
    if name.is_empty() {
        return Err(InvalidTopicName::Empty);
    }
    if name == "." || name == ".." {
        return Err(InvalidTopicName::DotOrDotDot);
    }
    if name.len() > TOPIC_NAME_LENGTH_MAX {
        return Err(InvalidTopicName::TooLong(name.to_owned()));
    }
    let legal = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if !name.chars().all(legal) {
        return Err(InvalidTopicName::IllegalCharacter(name.to_owned()));
    }
    Ok(())
}

/// Whether two topic names collide in Kafka's metric names (`.` and `_` are treated alike).
pub fn names_collide(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes().zip(b.bytes()).all(|(x, y)| {
            let fold = |c: u8| if c == b'.' { b'_' } else { c };
            fold(x) == fold(y)
        })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn kafka_topic_test_valid_names() {
        // From Apache Kafka's TopicTest.shouldAcceptValidTopicNames.
        let max_length = "x".repeat(TOPIC_NAME_LENGTH_MAX);
        for name in [
            "valid",
            "TOPIC",
            "nAmEs",
            "ar6",
            "VaL1d",
            "_0-9_.",
            "...",
            max_length.as_str(),
        ] {
            assert_eq!(validate_topic_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn kafka_topic_test_invalid_names() {
        // From Apache Kafka's TopicTest.shouldThrowOnInvalidTopicNames.
        let too_long = "x".repeat(TOPIC_NAME_LENGTH_MAX + 1);
        let cases = [
            ("", InvalidTopicName::Empty),
            (
                "foo bar",
                InvalidTopicName::IllegalCharacter("foo bar".into()),
            ),
            (".", InvalidTopicName::DotOrDotDot),
            ("..", InvalidTopicName::DotOrDotDot),
            (
                "foo:bar",
                InvalidTopicName::IllegalCharacter("foo:bar".into()),
            ),
            (
                "foo=bar",
                InvalidTopicName::IllegalCharacter("foo=bar".into()),
            ),
            ("ünï", InvalidTopicName::IllegalCharacter("ünï".into())),
            (
                too_long.as_str(),
                InvalidTopicName::TooLong(too_long.clone()),
            ),
        ];
        for (name, expected) in cases {
            assert_eq!(validate_topic_name(name), Err(expected), "{name}");
        }
    }

    #[test]
    fn dot_and_underscore_collide() {
        assert!(names_collide("a.b", "a_b"));
        assert!(names_collide("a_b", "a.b"));
        assert!(!names_collide("a.b", "a-b"));
        assert!(!names_collide("ab", "a.b"));
    }
}
