//! `weft serve`: the Step Functions API over HTTP, with executions kept in a store.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use clap::Args;
use weft_engine::arn::Scope;
use weft_engine::durable::{Engine, EngineConfig};
use weft_engine::mock_config::MockConfig;

use crate::run::{ACCOUNT, REGION};

#[derive(Args)]
pub struct ServeArgs {
    /// The address to listen on (Step Functions Local's port by default).
    #[arg(long, default_value = "127.0.0.1:8083")]
    listen: String,
    /// Where executions are kept: sqlite:PATH (created when missing).
    #[arg(long, default_value = "sqlite:weft.db")]
    db: String,
    /// An AWS Step Functions Local mock configuration file; executions choose a test
    /// case with StartExecution(stateMachineArn="<arn>#<TestCase>").
    #[arg(long)]
    mock_config: Option<PathBuf>,
    /// The account id in every ARN.
    #[arg(long, default_value = ACCOUNT)]
    account: String,
    /// The region in every ARN.
    #[arg(long, default_value = REGION)]
    region: String,
}

pub fn main(args: ServeArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("weft: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("weft: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mock_config = match &args.mock_config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let config =
                MockConfig::from_json(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
            Some(Arc::new(config))
        }
        None => None,
    };
    let store = weft_store::open(&args.db)
        .await
        .with_context(|| format!("cannot open the store {}", args.db))?;
    let engine = Engine::open(
        store,
        EngineConfig {
            scope: Scope::new(&args.region, &args.account),
            mock_config,
        },
    )
    .await
    .context("cannot start the engine")?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    eprintln!(
        "weft: serving the Step Functions API on http://{address} (store {}, {} running executions recovered)",
        args.db,
        engine.running_count()
    );
    // Ctrl-C or SIGTERM: finish the requests in flight, then exit. Nothing else needs
    // doing: every answered request is already durable.
    let shutdown = async {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate => {}
        }
    };
    weft_server::serve(listener, engine, shutdown)
        .await
        .context("the server stopped")?;
    Ok(())
}
