//! The HTTP server around the router: who the client of a request is.

pub mod client;
