//! Steps 1 and 2 of connecting a Hootsuite account: the redirect URL, and the callback.
//!
//! Step 1 asks Cloud Elements for the Hootsuite consent URL
//! (`GET /elements/hootsuite/oauth/url`); the app sends the user there. Step 2 is the user
//! coming back to `callbackUrl` with `code` and `state` (or `error` when they refuse):
//! [`parse_callback`] reads it and checks `state` in constant time.

use serde::Serialize;
use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::config::{Config, Secret};
use crate::error::{CallbackError, Error};
use crate::fields::ELEMENT_KEY;
use crate::json::read_json;
use crate::json::Limits;
use crate::path::Path;
use crate::redact::{is_secret_name, redact_url, MASK};
use crate::request::{HttpRequest, HttpResponse, Method};
use crate::url::{describe, parse_http_url, with_query};
use crate::validate::ValidationReport;

/// What step 1 needs: the Hootsuite app's client id and secret, the callback URL, and the
/// optional parameters Cloud Elements documents.
///
/// ```
/// use hootsuite_events::{BaseUrl, Config, oauth::{RedirectUrlParams, redirect_url_request}};
/// let config = Config::new(BaseUrl::us(), "user", "org")?;
/// let params = RedirectUrlParams::new("client-id", "client-secret", "https://app.example/cb")
///     .state("csrf token/1");
/// let req = redirect_url_request(&config, &params)?;
/// assert_eq!(req.url, "https://api.cloud-elements.com/elements/api-v2/elements/hootsuite/oauth/url\
///     ?apiKey=client-id&apiSecret=client-secret&callbackUrl=https%3A%2F%2Fapp.example%2Fcb\
///     &state=csrf%20token%2F1");
/// # Ok::<(), hootsuite_events::Error>(())
/// ```
///
/// `Debug` masks the client secret, `state` and `requestToken`.
#[derive(Clone, PartialEq, Eq)]
pub struct RedirectUrlParams {
    api_key: String,
    api_secret: Secret,
    callback_url: String,
    state: Option<String>,
    scope: Option<String>,
    site_address: Option<String>,
    callback_proxy: Option<bool>,
    oauth_proxy_name: Option<String>,
    request_token: Option<Secret>,
    extra: Vec<(String, String)>,
}

impl std::fmt::Debug for RedirectUrlParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let masked = |set: bool| if set { Some(MASK) } else { None };
        f.debug_struct("RedirectUrlParams")
            .field("api_key", &self.api_key)
            .field("api_secret", &self.api_secret)
            .field("callback_url", &redact_url(&self.callback_url))
            .field("state", &masked(self.state.is_some()))
            .field("scope", &self.scope)
            .field("site_address", &self.site_address)
            .field("callback_proxy", &self.callback_proxy)
            .field("oauth_proxy_name", &self.oauth_proxy_name)
            .field("request_token", &masked(self.request_token.is_some()))
            .field(
                "extra",
                &self
                    .extra
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str(),
                            if is_secret_name(k) { MASK } else { v.as_str() },
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The parameters of step 1 the platform reads itself; [`RedirectUrlParams::extra`] may not
/// reuse them, and the platform passes any other one on to the provider's consent URL.
pub const KNOWN_PARAMS: &[&str] = &[
    "apiKey",
    "apiSecret",
    "callbackUrl",
    "state",
    "scope",
    "siteAddress",
    "callbackProxy",
    "isOAuthProxy",
    "oauthProxyName",
    "requestToken",
];

impl RedirectUrlParams {
    /// The required parameters: `apiKey`, `apiSecret`, `callbackUrl`.
    pub fn new(
        api_key: impl Into<String>,
        api_secret: impl Into<Secret>,
        callback_url: impl Into<String>,
    ) -> Self {
        RedirectUrlParams {
            api_key: api_key.into(),
            api_secret: api_secret.into(),
            callback_url: callback_url.into(),
            state: None,
            scope: None,
            site_address: None,
            callback_proxy: None,
            oauth_proxy_name: None,
            request_token: None,
            extra: Vec::new(),
        }
    }
    /// `state`: an unguessable value (a CSRF token) that the callback must bring back.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }
    /// `scope`, such as `offline`.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }
    /// `siteAddress`.
    pub fn site_address(mut self, site: impl Into<String>) -> Self {
        self.site_address = Some(site.into());
        self
    }
    /// Whether the callback goes through an OAuth proxy: `callbackProxy` in the GET query (the
    /// element's docs), `isOAuthProxy` in the POST body (the platform's `OAuthInfo` type).
    pub fn callback_proxy(mut self, proxy: bool) -> Self {
        self.callback_proxy = Some(proxy);
        self
    }
    /// `oauthProxyName`: which OAuth proxy, with [`RedirectUrlParams::callback_proxy`].
    pub fn oauth_proxy_name(mut self, name: impl Into<String>) -> Self {
        self.oauth_proxy_name = Some(name.into());
        self
    }
    /// Any other parameter, passed through unchanged (a string) for the provider's consent
    /// URL. Names the library sets itself are refused by [`RedirectUrlParams::validate`].
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }
    /// `requestToken`.
    pub fn request_token(mut self, token: impl Into<Secret>) -> Self {
        self.request_token = Some(token.into());
        self
    }
    /// The callback URL.
    pub fn callback_url(&self) -> &str {
        &self.callback_url
    }
    /// The state, when set.
    pub fn state_value(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// Checks the parameters; paths are the query parameter names.
    pub fn validate(&self) -> ValidationReport {
        let mut r = ValidationReport::new();
        let root = Path::ROOT;
        if self.api_key.trim().is_empty() {
            r.error(
                root.key("apiKey"),
                "blank",
                Some("REST API Client ID"),
                "`apiKey` must not be blank: the REST API Client ID of your Hootsuite app".into(),
            );
        }
        if self.api_secret.is_blank() {
            r.error(
                root.key("apiSecret"),
                "blank",
                Some("REST API Client Secret"),
                "`apiSecret` must not be blank: the REST API Client Secret of your Hootsuite app"
                    .into(),
            );
        }
        match parse_http_url(&self.callback_url) {
            Ok(u) if !u.secure && !crate::url::is_loopback_host(u.host) => r.warning(root.key("callbackUrl"), "insecure_url", Some("API Callback URL"), "`callbackUrl` uses plain http: the OAuth code would cross the network unencrypted; use https".into()),
            Ok(_) => {}
            Err(problem) => r.error(root.key("callbackUrl"), "invalid_url", Some("API Callback URL"), format!("`callbackUrl` {}", describe(&self.callback_url, &problem))),
        }
        for (name, _) in &self.extra {
            if name.trim().is_empty() {
                r.error(
                    root.key(name),
                    "blank",
                    None,
                    "an extra parameter's name must not be blank".into(),
                );
            } else if KNOWN_PARAMS.contains(&name.as_str()) {
                r.error(root.key(name), "duplicate", None, format!("`{name}` is set by its own builder method; an extra parameter may not repeat it"));
            }
        }
        if self.state.as_deref().is_some_and(|s| s.is_empty()) {
            r.error(
                root.key("state"),
                "blank",
                None,
                "`state` must not be empty; leave it out or use an unguessable value".into(),
            );
        }
        r
    }

    /// The query parameters in order, after [`RedirectUrlParams::validate`] found no error.
    fn checked_pairs(&self) -> Result<Vec<(&str, String)>, Error> {
        let report = self.validate();
        if !report.is_valid() {
            return Err(Error::Invalid(report));
        }
        Ok(self.pairs())
    }

    fn pairs(&self) -> Vec<(&str, String)> {
        let mut q = vec![
            ("apiKey", self.api_key.clone()),
            ("apiSecret", self.api_secret.expose().to_string()),
            ("callbackUrl", self.callback_url.clone()),
        ];
        let optional = [
            ("state", self.state.clone()),
            ("scope", self.scope.clone()),
            ("siteAddress", self.site_address.clone()),
            ("callbackProxy", self.callback_proxy.map(|b| b.to_string())),
            ("oauthProxyName", self.oauth_proxy_name.clone()),
            (
                "requestToken",
                self.request_token.as_ref().map(|t| t.expose().to_string()),
            ),
        ];
        q.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
        q.extend(self.extra.iter().map(|(k, v)| (k.as_str(), v.clone())));
        q
    }
}

/// `GET /elements/hootsuite/oauth/url?apiKey=…&apiSecret=…&callbackUrl=…`, platform
/// authorization. The query carries the client secret, as Cloud Elements documents; the
/// request's `Debug` masks it. [`redirect_url_post_request`] sends it in a body instead.
pub fn redirect_url_request(
    config: &Config,
    params: &RedirectUrlParams,
) -> Result<HttpRequest, Error> {
    let pairs = params.checked_pairs()?;
    let url = with_query(
        config
            .base_url()
            .join(&format!("/elements/{ELEMENT_KEY}/oauth/url")),
        &pairs,
    );
    Ok(HttpRequest::new(
        Method::Get,
        url,
        config.platform_authorization(),
    ))
}

/// `POST /elements/hootsuite/oauth/url` with the same fields as a JSON object, which keeps
/// the client secret out of URLs (and so out of proxy logs).
pub fn redirect_url_post_request(
    config: &Config,
    params: &RedirectUrlParams,
) -> Result<HttpRequest, Error> {
    let pairs = params.checked_pairs()?;
    let mut body = serde_json::Map::new();
    for (k, v) in pairs {
        // The POST body is the platform's `OAuthInfo`, which names the proxy flag
        // `isOAuthProxy` (a boolean) where the GET query says `callbackProxy`.
        let (k, value) = match (k, v.as_str()) {
            ("callbackProxy", "true") => ("isOAuthProxy", Value::Bool(true)),
            ("callbackProxy", "false") => ("isOAuthProxy", Value::Bool(false)),
            _ => (k, Value::String(v)),
        };
        body.insert(k.to_string(), value);
    }
    Ok(HttpRequest::new(
        Method::Post,
        config
            .base_url()
            .join(&format!("/elements/{ELEMENT_KEY}/oauth/url")),
        config.platform_authorization(),
    )
    .with_json(&Value::Object(body)))
}

/// The answer of step 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedirectUrl {
    /// The element key, `hootsuite`.
    pub element: Option<String>,
    /// Where to send the user: Hootsuite's consent page.
    pub oauth_url: String,
}

/// Reads the answer of step 1: `{"element": "hootsuite", "oauthUrl": "https://..."}`.
pub fn parse_redirect_url(response: &HttpResponse) -> Result<RedirectUrl, Error> {
    let (doc, value) = read_json(response, &Limits::default())?;
    let obj = doc.object(&value, Path::ROOT)?;
    let oauth_url = doc.req_str(obj, Path::ROOT, "oauthUrl")?;
    if let Err(problem) = parse_http_url(oauth_url) {
        return Err(doc
            .error(
                crate::error::ParseErrorKind::Value,
                Path::ROOT.key("oauthUrl"),
                format!("`oauthUrl` {problem}"),
            )
            .into());
    }
    Ok(RedirectUrl {
        element: doc.opt_str(obj, Path::ROOT, "element")?.map(str::to_string),
        oauth_url: oauth_url.to_string(),
    })
}

/// The authorization grant code from the callback: single use, secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode(Secret);

impl AuthorizationCode {
    /// The code itself, for the create-instance body.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
    /// The code as a [`Secret`].
    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

impl From<AuthorizationCode> for Secret {
    fn from(code: AuthorizationCode) -> Secret {
        code.0
    }
}

/// Reads step 2: the URL Hootsuite sent the user back to (or only its query, with or without
/// `?`). Checks `state` against the one sent in step 1 (in constant time), then reports a
/// refusal (`error=access_denied`), then returns the URL-decoded `code`.
///
/// ```
/// use hootsuite_events::oauth::parse_callback;
/// let code = parse_callback("https://app.example/cb?code=abc%2F123&state=s1", "s1")?;
/// assert_eq!(code.expose(), "abc/123");
/// let refused = parse_callback("?error=access_denied&state=s1", "s1").unwrap_err();
/// assert_eq!(refused.code(), "callback_refused");
/// assert_eq!(parse_callback("?code=abc&state=evil", "s1").unwrap_err().code(),
///            "callback_state_mismatch");
/// # Ok::<(), hootsuite_events::Error>(())
/// ```
pub fn parse_callback(
    url_or_query: &str,
    expected_state: &str,
) -> Result<AuthorizationCode, Error> {
    if expected_state.is_empty() {
        return Err(Error::InvalidArgument {
            field: "expected_state".into(),
            reason: "is empty; pass the `state` sent in step 1 (an unguessable value)".into(),
        });
    }
    let without_fragment = url_or_query.split('#').next().unwrap_or("");
    let query = match without_fragment.split_once('?') {
        Some((_, q)) => q,
        None if without_fragment.contains("://") => "",
        None => without_fragment,
    };
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        let slot = match k.as_ref() {
            "code" => &mut code,
            "state" => &mut state,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        if slot.is_some() {
            return Err(CallbackError::Malformed {
                reason: format!("the parameter `{k}` appears twice"),
            }
            .into());
        }
        *slot = Some(v.into_owned());
    }
    match state {
        None => return Err(CallbackError::MissingState.into()),
        Some(s) if !bool::from(s.as_bytes().ct_eq(expected_state.as_bytes())) => {
            return Err(CallbackError::StateMismatch.into())
        }
        Some(_) => {}
    }
    if let Some(error) = error {
        return Err(CallbackError::Refused { error, description }.into());
    }
    match code {
        Some(c) if !c.trim().is_empty() => Ok(AuthorizationCode(Secret::new(c))),
        _ => Err(CallbackError::MissingCode.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_is_checked_before_error() {
        let e = parse_callback("?error=access_denied&state=forged", "mine").unwrap_err();
        assert_eq!(e.code(), "callback_state_mismatch");
        let e = parse_callback(
            "?error=access_denied&error_description=User+said+no&state=mine",
            "mine",
        )
        .unwrap_err();
        assert_eq!(
            e,
            Error::Callback(CallbackError::Refused {
                error: "access_denied".into(),
                description: Some("User said no".into())
            })
        );
        assert_eq!(
            parse_callback("code=a&code=b&state=mine", "mine")
                .unwrap_err()
                .code(),
            "callback_malformed"
        );
        assert_eq!(
            parse_callback("https://x/cb?state=mine", "mine")
                .unwrap_err()
                .code(),
            "callback_missing_code"
        );
        assert_eq!(
            parse_callback("https://x/cb", "mine").unwrap_err().code(),
            "callback_missing_state"
        );
    }

    #[test]
    fn code_never_in_debug() {
        let code = parse_callback("?code=TOPSECRET&state=s", "s").expect("ok");
        assert!(!format!("{code:?}").contains("TOPSECRET"));
    }
}
