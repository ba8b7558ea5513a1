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
