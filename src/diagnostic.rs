//! Diagnostics and the one registry of their codes.
//!
//! Every finding of the compiler is a [`Diagnostic`] with a stable [`Code`].
//! The codes, their default severities and their one-line summaries live in
//! the `codes!` table below and nowhere else; `docs/diagnostics.md` has a
//! section per code (a test keeps the two in step).

use crate::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $severity:ident; )*) => {
        /// A stable diagnostic code: `callscript::<name>`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in the order of the table in LANGUAGE.md.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The short name, e.g. `dead-end`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The full code, e.g. `callscript::dead-end`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => concat!("callscript::", $name),)* }
            }

            /// The severity the code has unless the check says otherwise
            /// (`role-off-duty`, `missing-contract-field` vary).
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }
        }
    };
}

codes! {
    /// The text does not match the grammar.
    Syntax = "syntax", Error;
    /// A file is not UTF-8.
    InvalidUtf8 = "invalid-utf8", Error;
    /// Two definitions share a name, or a setting is given twice.
    DuplicateName = "duplicate-name", Error;
    /// `start`, `goto` or `->` names no step or terminal.
    UndefinedStep = "undefined-step", Error;
    /// `handoff … to ROLE` names no role.
    UndefinedRole = "undefined-role", Error;
    /// `pass` or `{x}` names a field no `ask` collects.
    UndefinedField = "undefined-field", Error;
    /// A field is used where some path has not collected it.
    FieldNotCollected = "field-not-collected", Error;
    /// A step or terminal cannot be reached from the start.
    Unreachable = "unreachable", Warning;
    /// A step has no exit.
    DeadEnd = "dead-end", Error;
    /// From a step no terminal can be reached.
    NoTerminal = "no-terminal", Error;
    /// A script with a deadline has a cycle with a step without `max`.
    UnboundedLoop = "unbounded-loop", Error;
    /// A script with a deadline reaches a step without a duration.
    MissingDuration = "missing-duration", Error;
    /// The worst-case talk time exceeds the script's deadline.
    DeadlineExceeded = "deadline-exceeded", Error;
    /// A handoff's deadline exceeds the contract's `handoff_sla`.
    SlaExceeded = "sla-exceeded", Error;
    /// A step with `on` answers has no `otherwise`.
    MissingOtherwise = "missing-otherwise", Warning;
    /// A bad duration, time, schedule, time zone, volume or enum word.
    InvalidValue = "invalid-value", Error;
    /// A contract field an annex needs is absent.
    MissingContractField = "missing-contract-field", Warning;
    /// A script has no steps.
    EmptyScript = "empty-script", Error;
    /// Some path never says a mandatory phrase.
    MissingMandatory = "missing-mandatory", Error;
    /// A handoff has no `fallback`.
    MissingFallback = "missing-fallback", Warning;
    /// A `fallback` names no terminal, or fallbacks form a cycle.
    BadFallback = "bad-fallback", Error;
    /// A handoff is reachable while its role is off duty.
    RoleOffDuty = "role-off-duty", Warning;
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location with a message. It may be in another file than the
/// diagnostic's primary span (e.g. the first of two duplicate scripts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// One finding: a code, a severity, a message, where, and what helps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub file: FileId,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, file: FileId, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            file,
            span,
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    /// A label in the diagnostic's own file.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            file: self.file,
            span,
            message: message.into(),
        });
        self
    }

    /// A label in any file of the project.
    pub fn with_label_in(
        mut self,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sort diagnostics by file and position, as every report shows them.
/// The sort is stable: findings at one position keep the order of the
/// checks that made them.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.file, d.span.start, d.span.end));
}
