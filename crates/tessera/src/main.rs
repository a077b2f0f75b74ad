//! The `tessera` command line: serve, migrate, admin and pki subcommands.
fn main() {}
