//! What the domain says to a person: a Fluent message id and its
//! arguments. The words live in `locales/*/*.ftl`, in both languages; the
//! layer that knows the request's language says them (`i18n::say`), so the
//! rules here stay pure and an English API client gets English.

use std::collections::BTreeMap;
use std::fmt::Display;

/// A message to show, not yet in any language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The Fluent message id.
    pub id: &'static str,
    /// Its arguments, by name.
    pub args: Vec<(&'static str, String)>,
}

impl Message {
    /// The message `id` without arguments.
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    /// The message with one more argument.
    pub fn arg(mut self, name: &'static str, value: impl Display) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

/// Problems with a form's input, one message per field name.
pub type FieldProblems = BTreeMap<&'static str, Message>;
