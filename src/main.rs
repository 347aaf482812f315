//! `carrier-sales`: command-line parsing only; the work is in the library.

use carrier_sales::simulate::population::{self, PopulationOptions, Target};
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
    /// The voice platform (HappyRobot).
    Happyrobot {
        #[command(subcommand)]
        command: HappyrobotCommand,
    },
    /// Play N realistic carrier calls through the HTTP API (also a smoke test: exit 1 on
    /// any 5xx, transport error or unexpected refusal); prints latency per tool, outcomes
    /// and `booked=N lost=N avg_premium_pct=X`, the same for the same seed. With
    /// `--population repeat`: repeat callers haggling over price, pricing memory on against
    /// off (two in-process servers, or the one at --base-url), as a table.
    Simulate {
        /// The service, e.g. http://127.0.0.1:8080 (optional with --population repeat)
        #[arg(long)]
        base_url: Option<String>,
        /// An agent-scope API key (with --base-url).
        #[arg(long)]
        api_key: Option<String>,
        /// How many calls (mixed population).
        #[arg(long)]
        calls: Option<usize>,
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Seed of the simulated carriers (default: from the clock, printed).
        #[arg(long)]
        seed: Option<u64>,
        /// `mixed`: one-off callers of every kind; `repeat`: the same carriers calling
        /// again and again, each needing its own premium over posted (SPEC §14).
        #[arg(long, default_value = "mixed", value_parser = ["mixed", "repeat"])]
        population: String,
        /// Repeat population against --base-url: a dashboard- or admin-scope key to read
        /// the policy and the loads' max_rate (default: --api-key).
        #[arg(long)]
        dashboard_key: Option<String>,
        /// Repeat population: how many carriers (at most the snapshot's 23 eligible MCs).
        #[arg(long, default_value_t = 23)]
        carriers: usize,
        /// Repeat population: how many calls each carrier makes.
        #[arg(long, default_value_t = 15)]
        calls_per_carrier: usize,
    },
    /// Fill the database (DATABASE_URL) with D days of simulated calls, made through the API
    /// of an in-process server and then moved back to their days.
    DemoData {
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Average calls on a weekday-weighted day (default 12).
        #[arg(long)]
        calls_per_day: Option<u32>,
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Write this API's OpenAPI document (what GET /api/v1/openapi.json serves) without
    /// serving; the dashboard's types are generated from it (`make openapi`).
    Openapi {
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum HappyrobotCommand {
    /// Write the workflow kit (tools, webhooks, voice agent settings, keyterms, prompt) for
    /// this deployment's URL.
    Kit {
        /// The service's public HTTPS address, e.g. https://carrier-sales.example.com
        #[arg(long)]
        base_url: String,
        /// Where to write the files.
        #[arg(long, default_value = "happyrobot-kit")]
        out: PathBuf,
        /// Fill the agent key in from this environment variable (else a placeholder).
        #[arg(long)]
        api_key_env: Option<String>,
        /// Keyterms from this load file (JSON or CSV, as import-loads reads) instead of the
        /// bundled board.
        #[arg(long)]
        loads: Option<PathBuf>,
    },
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
    // Needs no configuration: it only describes the API.
    if let Some(Command::Openapi { out }) = &cli.command {
        return exit_code(cli::openapi(out.as_deref()));
    }
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
        Command::Happyrobot { command: HappyrobotCommand::Kit { base_url, out, api_key_env, loads } } => {
            carrier_sales::kit::command(&base_url, &out, api_key_env.as_deref(), loads.as_deref())
        }
        Command::Simulate {
            base_url,
            api_key,
            calls,
            concurrency,
            seed,
            population,
            dashboard_key,
            carriers,
            calls_per_carrier,
        } => {
            let seed = seed.unwrap_or_else(carrier_sales::simulate::clock_seed);
            let run = if population == "repeat" {
                let target = match (base_url, api_key) {
                    (Some(base_url), Some(agent_key)) => {
                        let dashboard_key = dashboard_key.unwrap_or_else(|| agent_key.clone());
                        Some(Target { base_url, agent_key, dashboard_key })
                    }
                    (None, None) => None,
                    _ => return usage("--base-url and --api-key go together"),
                };
                let opts = PopulationOptions::new(carriers, calls_per_carrier, seed);
                actix_web::rt::System::new().block_on(population::command(settings, target, opts))
            } else {
                let (Some(base_url), Some(api_key), Some(calls)) = (base_url, api_key, calls) else {
                    return usage("--base-url, --api-key and --calls are required (unless --population repeat)");
                };
                let run = carrier_sales::simulate::command(base_url, api_key, calls, concurrency, Some(seed));
                actix_web::rt::System::new().block_on(run)
            };
            match run {
                Ok(true) => Ok(()),
                Ok(false) => return ExitCode::from(1),
                Err(e) => Err(e),
            }
        }
        Command::DemoData { days, calls_per_day, seed } => actix_web::rt::System::new()
            .block_on(carrier_sales::simulate::demo::command(settings, days, calls_per_day, seed)),
        Command::Openapi { out } => cli::openapi(out.as_deref()),
    };
    exit_code(result)
}

/// A command line clap accepts but that does not make sense: exit 2, as clap does.
fn usage(message: &str) -> ExitCode {
    eprintln!("carrier-sales: {message}");
    ExitCode::from(2)
}

fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("carrier-sales: {e:#}");
            ExitCode::FAILURE
        }
    }
}
