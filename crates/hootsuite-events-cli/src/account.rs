//! The Cloud Elements account flags that `connect` and `recover` share, and the [`Config`]
//! they make.

use hootsuite_events::{BaseUrl, Config};

use crate::{secrets, Failure};

#[derive(clap::Args)]
pub(crate) struct AccountArgs {
    /// Base URL or preset (see --region).
    #[arg(
        long,
        env = "HOOTSUITE_EVENTS_BASE_URL",
        hide_env_values = true,
        default_value = "us"
    )]
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
    /// Accept an http:// base URL to a host that is not loopback (the secrets then travel in
    /// clear: only for a network you trust).
    #[arg(long)]
    allow_insecure_http: bool,
}

impl AccountArgs {
    /// The base URL, and the account's configuration with both secrets resolved.
    pub(crate) fn config(self) -> Result<(BaseUrl, Config), Failure> {
        let parse = if self.allow_insecure_http {
            BaseUrl::parse_insecure
        } else {
            BaseUrl::parse
        };
        let base = parse(self.region.as_deref().unwrap_or(&self.base_url))?;
        let user_secret = secrets::resolve(
            &secrets::SecretSpec {
                flag: "user-secret",
                env: "HOOTSUITE_EVENTS_USER_SECRET",
                what: "Cloud Elements user secret",
            },
            self.user_secret,
            self.user_secret_file.as_deref(),
            true,
        )?
        .unwrap_or_default();
        let organization_secret = secrets::resolve(
            &secrets::SecretSpec {
                flag: "organization-secret",
                env: "HOOTSUITE_EVENTS_ORGANIZATION_SECRET",
                what: "Cloud Elements organization secret",
            },
            self.organization_secret,
            self.organization_secret_file.as_deref(),
            true,
        )?
        .unwrap_or_default();
        let config = Config::new(
            base.clone(),
            user_secret.as_str(),
            organization_secret.as_str(),
        )?;
        Ok((base, config))
    }
}
