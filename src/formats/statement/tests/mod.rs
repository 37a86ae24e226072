//! Tests of the statement parsers.
