//! Where the Cloud Elements API lives and who is calling it.
//!
//! Cloud Elements authorizes every call with one `Authorization` header built from up to three
//! secrets: `User <user secret>, Organization <organization secret>` for platform calls, and
//! `User <user secret>, Element <instance token>` for calls made as one instance. The types here
//! hold those secrets so that they never print: their `Debug` shows `********`.

use std::fmt;

use crate::error::Error;
use crate::url::parse_http_url;

/// A secret string: a user or organization secret, an instance token, a client secret, an OAuth
/// code or a signature key.
///
/// Its `Debug` output is `Secret(********)` and it has no `Display`, so that neither a log line
/// nor an error message can show it; call [`Secret::expose`] where the value is really needed.
/// The memory that held it is overwritten with zeros when it is dropped (`zeroize`).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty or only white space.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(********)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_string())
    }
}

/// The base URL of a Cloud Elements API, such as
/// `https://api.cloud-elements.com/elements/api-v2`; every path of the protocol is relative to it.
///
/// Presets cover the documented environments; [`BaseUrl::parse`] takes any other absolute
/// `http(s)` URL (a local emulator, a proxy).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// US production, the default.
    pub const US: &'static str = "https://api.cloud-elements.com/elements/api-v2";
    /// US production under its older host name.
    pub const US_LEGACY: &'static str = "https://console.cloud-elements.com/elements/api-v2";
    /// US staging.
    pub const US_STAGING: &'static str = "https://staging.cloud-elements.com/elements/api-v2";
    /// EU production.
    pub const EU: &'static str = "https://api.cloud-elements.co.uk/elements/api-v2";
    /// EU production under its console host name.
    pub const EU_CONSOLE: &'static str = "https://console.cloud-elements.co.uk/elements/api-v2";
    /// SAP Open Connectors (Cloud Elements' successor), the US2 region its Hootsuite page uses.
    pub const SAP_US2: &'static str =
        "https://api.openconnectors.us2.ext.hana.ondemand.com/elements/api-v2";
    /// SAP Open Connectors trial, US10.
    pub const SAP_TRIAL_US10: &'static str =
        "https://api.openconnectors.trial.us10.ext.hana.ondemand.com/elements/api-v2";
    /// SAP Open Connectors trial, EU10.
    pub const SAP_TRIAL_EU10: &'static str =
        "https://api.openconnectors.trial.eu10.ext.hana.ondemand.com/elements/api-v2";

    /// Every preset as (name, base URL), in the order a menu shows them: the names
    /// [`BaseUrl::parse`] takes, the CLI's `--region` and the browser form's select.
    pub const PRESETS: &'static [(&'static str, &'static str)] = &[
        ("us", Self::US),
        ("us-legacy", Self::US_LEGACY),
        ("us-staging", Self::US_STAGING),
        ("eu", Self::EU),
        ("eu-console", Self::EU_CONSOLE),
        ("sap-us2", Self::SAP_US2),
        ("sap-trial-us10", Self::SAP_TRIAL_US10),
        ("sap-trial-eu10", Self::SAP_TRIAL_EU10),
    ];

    /// The base URL of a preset name (`us`, `eu`, `sap-us2`, … see [`BaseUrl::PRESETS`]).
    pub fn preset(name: &str) -> Option<Self> {
        Self::PRESETS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, url)| BaseUrl((*url).to_string()))
    }

    /// US production (the default).
    pub fn us() -> Self {
        BaseUrl(Self::US.to_string())
    }

    /// US staging.
    pub fn us_staging() -> Self {
        BaseUrl(Self::US_STAGING.to_string())
    }

    /// EU production.
    pub fn eu() -> Self {
        BaseUrl(Self::EU.to_string())
    }

    /// Reads a base URL: one of the preset names of [`BaseUrl::PRESETS`], or an
    /// absolute `https` URL without query or fragment. One trailing `/` is dropped so that
    /// paths join cleanly. `http://` is accepted only for loopback hosts (`localhost`,
    /// `127.0.0.0/8`, `[::1]`: a local emulator or proxy), since the user and organization
    /// secrets travel in every request; [`BaseUrl::parse_insecure`] accepts it for any host.
    /// User information (`https://user:password@host`) is refused, and the URL is then not
    /// echoed, since it may be a secret.
    ///
    /// ```
    /// use hootsuite_events::BaseUrl;
    /// assert_eq!(BaseUrl::parse("eu")?.as_str(), BaseUrl::EU);
    /// assert_eq!(BaseUrl::parse("sap-us2")?.as_str(), BaseUrl::SAP_US2);
    /// assert_eq!(BaseUrl::parse("http://127.0.0.1:8080/elements/api-v2/")?.as_str(),
    ///            "http://127.0.0.1:8080/elements/api-v2");
    /// assert!(BaseUrl::parse("https;//api.cloud-elements.com").is_err());
    /// assert_eq!(BaseUrl::parse("http://ce.example/elements/api-v2").unwrap_err().code(),
    ///            "invalid_argument");
    /// assert!(!BaseUrl::parse("https://u:pw@ce.example").unwrap_err().to_string().contains("pw"));
    /// # Ok::<(), hootsuite_events::Error>(())
    /// ```
    pub fn parse(input: &str) -> Result<Self, Error> {
        Self::parse_with(input, false)
    }

    /// As [`BaseUrl::parse`], but also accepts `http://` to any host: for a network you trust
    /// (a TLS-terminating proxy on the same host or cluster). Anyone on the path reads the
    /// user and organization secrets.
    pub fn parse_insecure(input: &str) -> Result<Self, Error> {
        Self::parse_with(input, true)
    }

    fn parse_with(input: &str, allow_cleartext: bool) -> Result<Self, Error> {
        if let Some(url) = Self::preset(input) {
            return Ok(url);
        }
        // Without `://` the authority cannot be told apart: any `@` may be user information.
        let authority = match crate::search::find(input, "://") {
            Some(at) => {
                let rest = &input[at + 3..];
                &rest[..crate::search::find_any(rest, b"/?#").unwrap_or(rest.len())]
            }
            None => input,
        };
        if crate::search::find_byte(authority, b'@').is_some() {
            return Err(Error::InvalidArgument {
                field: "base_url".into(),
                reason: "has user information (`user:password@` before the host), which is not \
                         sent and may be a secret (the URL is not shown); expected \
                         `https://host/elements/api-v2`, with the secrets given to the Config"
                    .into(),
            });
        }
        let url = parse_http_url(input).map_err(|problem| Error::InvalidArgument {
            field: "base_url".into(),
            reason: crate::url::describe(input, &problem),
        })?;
        if !url.secure && !allow_cleartext && !crate::url::is_loopback_host(url.host) {
            return Err(Error::InvalidArgument {
                field: "base_url".into(),
                reason: crate::text::fill(
                    "{} is cleartext http:// to a host that is not loopback: the user and \
                     organization secrets would travel unencrypted; expected https:// (or \
                     http:// to localhost, 127.0.0.1 or [::1]; BaseUrl::parse_insecure for a \
                     network you trust)",
                    &[&crate::redact::quote_url(input)],
                ),
            });
        }
        if crate::search::find_any(url.rest, b"?#").is_some() {
            return Err(Error::InvalidArgument {
                field: "base_url".into(),
                reason: crate::text::fill(
                    "{} has a query or fragment (not shown: it may carry a secret); expected a \
                     base URL such as `{}`",
                    &[&crate::redact::quote_url(input), Self::US],
                ),
            });
        }
        Ok(BaseUrl(
            input.strip_suffix("/").unwrap_or(input).to_string(),
        ))
    }

    /// The URL as a string, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `self` followed by `path` (which starts with `/`).
    pub(crate) fn join(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.0.len() + path.len());
        url.push_str(&self.0);
        url.push_str(path);
        url
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        Self::us()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for BaseUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// An element instance's token, returned when the instance is created. It authorizes calls
/// made as that instance (`User <user secret>, Element <token>`).
#[derive(Clone, PartialEq, Eq)]
pub struct InstanceToken(Secret);

impl InstanceToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        InstanceToken(Secret::new(token))
    }

    /// The token itself.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// A form that is safe to show a person: the first four characters and a mask
    /// (`ABC/********`), or only the mask for a short token.
    pub fn masked(&self) -> String {
        let t = self.0.expose();
        if t.chars().count() < 12 {
            "********".to_string()
        } else {
            let head: String = t.chars().take(4).collect();
            format!("{head}********")
        }
    }
}

impl fmt::Debug for InstanceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InstanceToken(********)")
    }
}

/// Where to call and with which account: the base URL, the user secret and the organization
/// secret. Every request builder of the crate takes one.
///
/// ```
/// use hootsuite_events::{BaseUrl, Config};
/// let config = Config::new(BaseUrl::us(), "user-secret", "org-secret")?;
/// assert_eq!(format!("{config:?}").contains("user-secret"), false);
/// # Ok::<(), hootsuite_events::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    base_url: BaseUrl,
    user_secret: Secret,
    organization_secret: Secret,
    /// `User …, Organization …`, made once: every platform request carries it.
    platform_authorization: Secret,
}

impl Config {
    /// Checks that both secrets are present and can stand in an HTTP header.
    pub fn new(
        base_url: BaseUrl,
        user_secret: impl Into<Secret>,
        organization_secret: impl Into<Secret>,
    ) -> Result<Self, Error> {
        let user_secret = user_secret.into();
        let organization_secret = organization_secret.into();
        check_header_secret("user_secret", &user_secret)?;
        check_header_secret("organization_secret", &organization_secret)?;
        if user_secret == organization_secret {
            // One documented example writes `Organization <INSERT_USER_SECRET>`: a typo.
            return Err(Error::InvalidArgument {
                field: "organization_secret".into(),
                reason: "is the same as the user secret; they are two different values in the Cloud Elements console (one documented example writes `Organization <INSERT_USER_SECRET>` by mistake)".into(),
            });
        }
        let platform_authorization = Secret(format!(
            "User {}, Organization {}",
            user_secret.expose(),
            organization_secret.expose()
        ));
        Ok(Config {
            base_url,
            user_secret,
            organization_secret,
            platform_authorization,
        })
    }

    /// `Config::new(base_url, "USER_SECRET", "ORGANIZATION_SECRET")` without its checks, which
    /// these placeholders pass: for a request preview where the real secrets are not at hand
    /// (a browser), masked anyway; the checks' code and messages stay out of the browser build.
    pub fn with_placeholder_secrets(base_url: BaseUrl) -> Self {
        Config {
            base_url,
            user_secret: Secret::new("USER_SECRET"),
            organization_secret: Secret::new("ORGANIZATION_SECRET"),
            platform_authorization: Secret::new(
                "User USER_SECRET, Organization ORGANIZATION_SECRET",
            ),
        }
    }

    /// The base URL.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base_url
    }

    /// `User <user secret>, Organization <organization secret>`: the header value for platform
    /// calls (`/elements/...`, `/instances`).
    pub fn platform_authorization(&self) -> Secret {
        self.platform_authorization.clone()
    }

    /// `User <user secret>, Element <instance token>`: the header value for calls made as one
    /// instance (hub calls such as `/hubs/social/messages`).
    pub fn instance_authorization(&self, token: &InstanceToken) -> Result<Secret, Error> {
        check_header_secret("instance_token", &token.0)?;
        Ok(Secret(format!(
            "User {}, Element {}",
            self.user_secret.expose(),
            token.expose()
        )))
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url.as_str())
            .field("user_secret", &self.user_secret)
            .field("organization_secret", &self.organization_secret)
            .finish()
    }
}

/// A secret that goes into the `Authorization` header must be non-blank, free of control
/// characters (they cannot stand in a header) and of `,` (it separates the header's parts).
fn check_header_secret(field: &str, secret: &Secret) -> Result<(), Error> {
    let reason = if secret.is_blank() {
        "is empty; expected the value shown in the Cloud Elements console"
    } else if secret.expose().chars().any(|c| c.is_control()) {
        "contains a control character (a pasted line break?), which cannot be sent in a header"
    } else if secret.expose().contains(',') {
        "contains `,`, which would split the Authorization header"
    } else if secret.expose() != secret.expose().trim() {
        "starts or ends with white space (a copy-and-paste slip?)"
    } else if secret.expose().starts_with('<') && secret.expose().ends_with('>') {
        "is a placeholder from the documentation (`<...>`); use the value from the Cloud Elements console"
    } else {
        return Ok(());
    };
    Err(Error::InvalidArgument {
        field: field.to_string(),
        reason: reason.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_secrets_are_what_new_makes_of_them() {
        assert_eq!(
            Config::new(BaseUrl::eu(), "USER_SECRET", "ORGANIZATION_SECRET"),
            Ok(Config::with_placeholder_secrets(BaseUrl::eu()))
        );
    }

    #[test]
    fn secrets_never_print() {
        let config = Config::new(BaseUrl::us(), "U-SECRET-1", "O-SECRET-2").expect("valid");
        let shown = format!("{config:?} {:?}", config.platform_authorization());
        assert!(
            !shown.contains("U-SECRET-1") && !shown.contains("O-SECRET-2"),
            "{shown}"
        );
        assert_eq!(
            config.platform_authorization().expose(),
            "User U-SECRET-1, Organization O-SECRET-2"
        );
        let token = InstanceToken::new("ABC/Dxxxxxxxxxxxxxxxxx");
        assert_eq!(format!("{token:?}"), "InstanceToken(********)");
        assert_eq!(token.masked(), "ABC/********");
    }

    #[test]
    fn cleartext_only_to_loopback_and_never_userinfo() {
        for ok in [
            "http://127.0.0.1:8080/elements/api-v2",
            "http://127.8.9.1/x",
            "http://localhost:1/x",
            "http://LOCALHOST/x",
            "http://[::1]:8080/x",
            "https://ce.example/elements/api-v2",
        ] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        for cleartext in [
            "http://ce.example/elements/api-v2",
            "http://10.0.0.1/x",
            "http://[::2]/x",
            "http://localhost.evil.example/x",
            "HTTP://api.cloud-elements.com/elements/api-v2",
        ] {
            let e = BaseUrl::parse(cleartext).expect_err(cleartext);
            assert_eq!(e.to_value()["field"], "base_url");
            assert!(e.to_string().contains("cleartext"), "{e}");
            assert!(BaseUrl::parse_insecure(cleartext).is_ok(), "{cleartext}");
        }
        for userinfo in [
            "https://user:PASSWORD-1@ce.example/elements/api-v2",
            "http://PASSWORD-1@127.0.0.1/x",
            "https://:PASSWORD-1@ce.example",
            "https;//user:PASSWORD-1@ce.example",
        ] {
            for parse in [BaseUrl::parse, BaseUrl::parse_insecure] {
                let e = parse(userinfo).expect_err(userinfo);
                assert_eq!(e.to_value()["field"], "base_url");
                let shown = format!("{e} {e:?}");
                assert!(!shown.contains("PASSWORD-1"), "{shown}");
                assert!(shown.contains("user information"), "{shown}");
            }
        }
    }

    #[test]
    fn bad_secrets_are_named_not_shown() {
        let err = Config::new(BaseUrl::us(), "", "x").expect_err("blank");
        assert!(err.to_string().contains("user_secret"));
        let err = Config::new(BaseUrl::us(), "ok", "line\nbreak-SECRET").expect_err("control");
        assert!(err.to_string().contains("organization_secret"));
        assert!(!err.to_string().contains("SECRET"));
    }
}
