//! `recover`: after an outage, list what Cloud Elements queued for the receiver and release
//! it (the redelivery `PUT`, which also re-enables the deactivated subscriptions).

use std::process::ExitCode;

use hootsuite_events::deliveries::{Delivery, DeliveryQuery};
use hootsuite_events_client::Client;

use crate::account::AccountArgs;
use crate::Failure;

#[derive(clap::Args)]
pub(crate) struct RecoverArgs {
    #[command(flatten)]
    account: AccountArgs,
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
    /// Print {"queued": N, "redelivered": N, "dry_run": bool, "truncated": bool,
    /// "deliveries": [...], "released": [...]} as JSON (each delivery: id, instance_id,
    /// notification_id, status, url, attempts).
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
    let (_, config) = a.account.config()?;
    let client = Client::new(config);
    let mut query = DeliveryQuery::queued();
    query.url = a.url;
    query.instance_id = a.instance;
    let listed = client
        .all_deliveries(&query, a.max_pages.max(1))
        .map_err(Failure::client)?;
    // The redelivery PUT releases every queued delivery, listed or not: say when the list stopped.
    let truncated = listed.next_page.is_some();
    let queued = listed.deliveries;
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
                "truncated": truncated,
                "deliveries": queued.iter().map(summary).collect::<Vec<_>>(),
                "released": redelivered.iter().map(summary).collect::<Vec<_>>(),
            })
        );
        return Ok(ExitCode::SUCCESS);
    }
    if truncated {
        println!(
            "{} queued in the first {} pages (more are queued: raise --max-pages to list them)",
            queued.len(),
            a.max_pages.max(1)
        );
    } else {
        println!("{} queued", queued.len());
    }
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
    } else if redelivered.is_empty() {
        println!("nothing to redeliver");
    } else {
        println!(
            "{} redelivered; their subscriptions are active again",
            redelivered.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
