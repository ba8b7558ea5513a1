//! Every secret, made with a distinctive value, never appears in any `Debug` or `Display`
//! rendering of the values that hold it, nor in the errors they cause.

use hootsuite_events::instance::{self, CreateInstance};
use hootsuite_events::oauth::{self, RedirectUrlParams};
use hootsuite_events::signature::{sign, SignatureKey, Verifier};
use hootsuite_events::{BaseUrl, Config, HttpResponse, InstanceToken, Secret};

const SECRETS: [&str; 6] = [
    "USR-5ecret-1",
    "ORG-5ecret-2",
    "TOK-5ecret-3",
    "API-5ecret-4",
    "CODE-5ecret-5",
    "SIG-5ecret-6",
];

#[test]
fn no_rendering_shows_a_secret() {
    let [user, org, token, api, code, sig] = SECRETS;
    let config = Config::new(BaseUrl::us(), user, org).expect("config");
    let params = RedirectUrlParams::new("client", api, "https://a.example/cb").state("s");
    let redirect = oauth::redirect_url_request(&config, &params).expect("request");
    let redirect_post = oauth::redirect_url_post_request(&config, &params).expect("request");
    let callback = oauth::parse_callback(&format!("?code={code}&state=s"), "s").expect("code");
    let body =
        CreateInstance::builder("n", callback.clone(), "https://a.example/cb", "client", api)
            .events("https://a.example/events")
            .signature_key(sig)
            .build()
            .expect("body");
    let create = instance::create_request(&config, &body);
    let reauth =
        instance::reauthenticate_code_request(&config, 1, &Secret::new(code)).expect("request");
    let response = HttpResponse::new(
        200,
        vec![],
        format!(r#"{{"id": 1, "name": "n", "token": "{token}"}}"#),
    );
    let parsed = instance::parse_instance(&response).expect("instance");
    let key = SignatureKey::new(sig);
    let verifier = Verifier::new(key.clone());
    let token_value = InstanceToken::new(token);

    let mut shown = vec![
        format!("{config:?}"),
        format!("{params:?}"),
        format!("{redirect:?}"),
        format!("{redirect_post:?}"),
        format!("{:?}", redirect.redacted()),
        redirect.redacted().to_curl(),
        create.redacted().to_curl(),
        format!("{callback:?}"),
        format!("{body:?}"),
        format!("{create:?}"),
        format!("{reauth:?}"),
        format!("{response:?}"),
        format!("{parsed:?}"),
        serde_json::to_string(&parsed).expect("serializes"),
        format!("{key:?}"),
        format!("{verifier:?}"),
        format!("{token_value:?}"),
        token_value.masked(),
        format!("{:?}", config.platform_authorization()),
        format!(
            "{:?}",
            config.instance_authorization(&token_value).expect("header")
        ),
    ];
    // Errors caused by secret-bearing input.
    let errors = vec![
        Config::new(BaseUrl::us(), format!("{user}\n"), org).expect_err("control char"),
        Config::new(BaseUrl::us(), user, user).expect_err("same"),
        oauth::parse_callback(&format!("?code={code}&state=evil"), "s").expect_err("mismatch"),
        CreateInstance::builder("", code, "https;//x", "", format!(" {api} "))
            .build()
            .expect_err("invalid"),
        verifier
            .verify(b"body", Some(&sign(&SignatureKey::new("other"), b"body")))
            .expect_err("mismatch"),
        instance::parse_instance(&HttpResponse::new(
            200,
            vec![],
            format!(r#"{{"id": "x", "token": "{token}"}}"#),
        ))
        .expect_err("bad id"),
        instance::parse_instance(&HttpResponse::new(
            200,
            vec![],
            format!(r#"{{"id": 1, "token": "{token}""#),
        ))
        .expect_err("bad json"),
    ];
    for e in &errors {
        shown.push(format!("{e:?}"));
        shown.push(e.to_string());
        shown.push(e.to_value()["display"].to_string());
    }
    let all = shown.join("\n");
    for secret in SECRETS {
        assert!(!all.contains(secret), "{secret} appears in:\n{all}");
    }
    // The values themselves are still there for the one place that sends them.
    assert!(create
        .header("Authorization")
        .is_some_and(|h| h.contains(user)));
    assert!(
        create.body_text().contains(api)
            && create.body_text().contains(code)
            && create.body_text().contains(sig)
    );
    assert_eq!(parsed.token.expose(), token);
}

/// The request token and state of the redirect parameters, an error body holding a token, configuration secrets returned in clear, secret names in any case, and
/// a secret passed where a URL belongs.
#[test]
fn issue_14_renderings_hide_secrets() {
    const REQ_TOKEN: &str = "REQTOK-5ecret-7";
    const STATE: &str = "STATE-5ecret-8";
    const CONF: [&str; 3] = ["CONF-5ecret-9", "CONF-5ecret-10", "CONF-5ecret-11"];
    let config = Config::new(BaseUrl::us(), "u", "o").expect("config");
    let params = RedirectUrlParams::new("client", "api", "https://a.example/cb")
        .state(STATE)
        .request_token(REQ_TOKEN);
    let redirect = oauth::redirect_url_request(&config, &params).expect("request");
    let redirect_post = oauth::redirect_url_post_request(&config, &params).expect("request");

    // An error body that echoes a token, under names in any case.
    let error_body = format!(
        r#"{{"message": "no", "echo": {{"TOKEN": "{}", "Oauth.Api.Secret": "{}", "list": [{{"refresh_token": "{}"}}]}}}}"#,
        CONF[0], CONF[1], CONF[2]
    );
    let api = instance::parse_instance(&HttpResponse::new(400, vec![], error_body.clone()))
        .expect_err("400");
    let hootsuite_events::Error::Api(api_error) = &api else {
        panic!("expected an API error, got {api:?}")
    };
    assert_eq!(api_error.body, error_body, "the raw body stays readable");

    // Configuration secrets in clear, as some elements return them.
    let response = HttpResponse::new(
        200,
        vec![("Set-Cookie".into(), format!("s={}", CONF[0]))],
        format!(
            r#"{{"id": 1, "name": "n", "token": "t", "accessToken": "{}", "configuration": {{"oauth.api.secret": "{}", "OAUTH.USER.TOKEN": "{}", "oauth.user.refresh_token": "{}"}}}}"#,
            CONF[0], CONF[1], CONF[2], CONF[0]
        ),
    );
    let parsed = instance::parse_instance(&response).expect("instance");
    assert_eq!(
        parsed.expose_configuration("oauth.api.secret"),
        Some(CONF[1])
    );
    assert_eq!(
        parsed.expose_configuration("OAUTH.USER.TOKEN"),
        Some(CONF[2])
    );

    // A secret passed in the URL argument of the builder or of the callback update.
    let wrong_arg = CreateInstance::builder("n", "code", CONF[0], "client", "api")
        .build()
        .expect_err("not a URL");
    let wrong_update =
        instance::update_event_callback_request(&config, 1, CONF[1]).expect_err("not a URL");
    let wrong_params = RedirectUrlParams::new("client", "api", CONF[2]).validate();
    // Secret names in another case than the table's.
    let odd_case = CreateInstance::builder("n", "code", "https://a.example/cb", "client", "api")
        .configuration("OAuth.User.Token", CONF[0])
        .configuration("OAUTH.API.SECRET.OLD", CONF[1])
        .build()
        .expect("body");
    let odd_case_request = instance::create_request(&config, &odd_case);

    let shown = [
        format!("{params:?}"),
        format!("{redirect:?}"),
        format!("{redirect_post:?}"),
        redirect.redacted().to_curl(),
        redirect_post.redacted().to_curl(),
        format!("{api:?}"),
        api.to_string(),
        api.to_value().to_string(),
        format!("{api_error:?}"),
        serde_json::to_string(api_error.as_ref()).expect("serializes"),
        format!("{response:?}"),
        format!("{parsed:?}"),
        serde_json::to_string(&parsed).expect("serializes"),
        format!("{wrong_arg:?}"),
        wrong_arg.to_string(),
        wrong_arg.to_value().to_string(),
        format!("{wrong_update:?}"),
        wrong_update.to_string(),
        format!("{wrong_params:?}"),
        wrong_params.to_string(),
        format!("{odd_case:?}"),
        format!("{odd_case_request:?}"),
        odd_case_request.redacted().to_curl(),
    ]
    .join("\n");
    for secret in [REQ_TOKEN, STATE].iter().chain(CONF.iter()) {
        assert!(!shown.contains(secret), "{secret} appears in:\n{shown}");
    }
    // The messages still say what is wrong and which field.
    assert!(
        wrong_update.to_string().contains("14 characters"),
        "{wrong_update}"
    );
    assert!(
        wrong_arg.to_string().contains("oauth.callback.url"),
        "{wrong_arg}"
    );
    // And the request still carries the values it must send.
    assert!(redirect.url.contains(REQ_TOKEN) && redirect.url.contains(STATE));
}

/// A base URL's errors name it through the one redaction rule: never its query, fragment or
/// user information, whatever the parameter is called.
#[test]
fn base_url_errors_show_no_query() {
    for input in [
        "http://ce.example/elements/api-v2?key=QRY-5ecret-7",
        "http://ce.example/elements/api-v2#QRY-5ecret-7",
        "https://ce.example/elements/api-v2?key=QRY-5ecret-7",
        "https://ce.example/elements/api-v2?token=QRY-5ecret-7",
        "https://ce.example/elements/api-v2#access_token=QRY-5ecret-7",
    ] {
        let e = BaseUrl::parse(input).expect_err(input);
        let shown = format!("{e} {e:?} {}", e.to_value());
        assert!(!shown.contains("QRY-5ecret-7"), "{input}: {shown}");
        assert!(
            shown.contains("`http://ce.example/elements/api-v2…`")
                || shown.contains("`https://ce.example/elements/api-v2…`"),
            "the URL without its query is quoted: {shown}"
        );
    }
}
