//! `carrier-sales`: command-line parsing only; the work is in the library.

use carrier_sales::{cli, config::Settings};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "carrier-sales", version, about = "Backend and dashboard for an AI carrier-sales voice agent")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the dashboard (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import loads from a JSON array or CSV file (inserted/updated/rejected per row).
    ImportLoads { file: PathBuf },
    /// Manage stored API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Exit 0 if the local server answers /readyz (for container health checks).
    Healthcheck,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key; prints it once, alone on a stdout line.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["agent", "dashboard", "admin"])]
        scope: String,
    },
    /// List keys (never the keys themselves).
    List,
    /// Revoke a key by id; takes effect at once on running servers.
    Revoke { id: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("carrier-sales: configuration error: {e:#}");
            return ExitCode::from(2);
        }
    };
    cli::init_logging(settings.log.format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => actix_web::rt::System::new().block_on(cli::serve(settings)),
        Command::Migrate => cli::migrate(&settings),
        Command::ImportLoads { file } => match cli::import_loads(&settings, &file) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Command::Keys { command } => match command {
            KeysCommand::Create { name, scope } => cli::keys_create(&settings, &name, &scope),
            KeysCommand::List => cli::keys_list(&settings),
            KeysCommand::Revoke { id } => cli::keys_revoke(&settings, &id),
        },
        Command::Healthcheck => cli::healthcheck(&settings),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("carrier-sales: {e:#}");
            ExitCode::FAILURE
        }
    }
}
