//! `recover`: after an outage, list what Cloud Elements queued for the receiver and release
//! it (the redelivery `PUT`, which also re-enables the deactivated subscriptions).

use std::process::ExitCode;

use hootsuite_events::deliveries::{Delivery, DeliveryQuery};
use hootsuite_events::{BaseUrl, Config};
use hootsuite_events_client::Client;

use crate::{secrets, Failure};

#[derive(clap::Args)]
pub(crate) struct RecoverArgs {
    /// Base URL or preset (see --region).
    #[arg(long, env = "HOOTSUITE_EVENTS_BASE_URL", default_value = "us")]
    base_url: String,
    /// A region preset by name; takes the place of --base-url.
    #[arg(long, value_parser = crate::region_names(), conflicts_with = "base_url")]
    region: Option<String>,
    /// Cloud Elements user secret (prefer the variable or --user-secret-file).
    #[arg(long, env = "HOOTSUITE_EVENTS_USER_SECRET", hide_env_values = true)]
    user_secret: Option<String>,
    /// A file holding the user secret (- for standard input).
    #[arg(long, value_name = "PATH")]
    user_secret_file: Option<String>,
    /// Cloud Elements organization secret (prefer the variable or --organization-secret-file).
    #[arg(
        long,
        env = "HOOTSUITE_EVENTS_ORGANIZATION_SECRET",
        hide_env_values = true
    )]
    organization_secret: Option<String>,
    /// A file holding the organization secret (- for standard input).
    #[arg(long, value_name = "PATH")]
    organization_secret_file: Option<String>,
    /// Only the deliveries of this instance's events.
    #[arg(long, value_name = "ID")]
    instance: Option<u64>,
    /// Only the deliveries to this callback URL.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// List what is queued without redelivering it.
    #[arg(long)]
    dry_run: bool,
    /// Read at most this many pages of the queue.
    #[arg(long, default_value_t = 100)]
    max_pages: usize,
    /// Accept an http:// base URL to a host that is not loopback (the secrets then travel in
    /// clear: only for a network you trust).
    #[arg(long)]
    allow_insecure_http: bool,
    /// Print {"queued": N, "redelivered": N, "deliveries": [...]} as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

fn summary(d: &Delivery) -> serde_json::Value {
    serde_json::json!({
        "id": d.id,
        "instance_id": d.instance_id,
        "notification_id": d.notification_id,
        "status": d.status.as_str(),
        "url": d.url,
        "attempts": d.attempts,
    })
}

pub(crate) fn recover(a: RecoverArgs) -> Result<ExitCode, Failure> {
    let parse = if a.allow_insecure_http {
        BaseUrl::parse_insecure
    } else {
        BaseUrl::parse
    };
    let base = parse(a.region.as_deref().unwrap_or(&a.base_url))?;
    let user_secret = secrets::resolve(
        &secrets::SecretSpec {
            flag: "user-secret",
            env: "HOOTSUITE_EVENTS_USER_SECRET",
            what: "Cloud Elements user secret",
        },
        a.user_secret,
        a.user_secret_file.as_deref(),
        true,
    )?
    .unwrap_or_default();
    let organization_secret = secrets::resolve(
        &secrets::SecretSpec {
            flag: "organization-secret",
            env: "HOOTSUITE_EVENTS_ORGANIZATION_SECRET",
            what: "Cloud Elements organization secret",
        },
        a.organization_secret,
        a.organization_secret_file.as_deref(),
        true,
    )?
    .unwrap_or_default();
    let client = Client::new(Config::new(
        base,
        user_secret.as_str(),
        organization_secret.as_str(),
    )?);
    let mut query = DeliveryQuery::queued();
    query.url = a.url;
    query.instance_id = a.instance;
    let queued = client
        .all_deliveries(&query, a.max_pages.max(1))
        .map_err(Failure::client)?;
    let redelivered = if a.dry_run {
        Vec::new()
    } else {
        client.redeliver(&query).map_err(Failure::client)?
    };
    if a.json {
        println!(
            "{}",
            serde_json::json!({
                "queued": queued.len(),
                "redelivered": redelivered.len(),
                "dry_run": a.dry_run,
                "deliveries": queued.iter().map(summary).collect::<Vec<_>>(),
                "released": redelivered.iter().map(summary).collect::<Vec<_>>(),
            })
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} queued", queued.len());
    for d in &queued {
        println!(
            "  delivery {} instance {} notification {} to {}",
            d.id.as_deref().unwrap_or("?"),
            d.instance_id.map_or("?".into(), |i| i.to_string()),
            d.notification_id,
            d.url.as_deref().unwrap_or("?")
        );
    }
    if a.dry_run {
        println!("dry run: nothing redelivered");
    } else {
        println!(
            "{} redelivered; their subscriptions are active again",
            redelivered.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
