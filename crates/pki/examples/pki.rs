//! Stand-alone `pki` command (the same subcommands `tessera pki …` embeds), for trying the
//! verifier before the `tessera` binary wires it: `cargo run -p tessera-pki --example pki --
//! init-test --out /tmp/pki`.

use clap::Parser;
use tessera_pki::cli::{PkiCommand, run};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: PkiCommand,
}

fn main() {
    std::process::exit(run(Cli::parse().command));
}
