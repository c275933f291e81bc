//! The front end: source text to AST, with syntax diagnostics.

pub mod ast;
pub mod dump;
mod errors;
mod fast;
pub mod lexer;
mod parser;

pub use parser::{
    CallscriptParser, ITEM_KEYWORDS, MEMBER_KEYWORDS, Rule, parse, parse_with, parse_with_fast_path,
};
