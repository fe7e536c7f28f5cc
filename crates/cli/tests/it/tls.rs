//! A self-hosted server whose certificate a company's own CA signed: `userdesk-cli` (the app's
//! sync, in a process of its own) trusts it once the operating system trusts the CA, and refuses
//! it before. The server sits behind a TLS-terminating proxy on loopback, as its README says to
//! run it; the CA, the certificate and the proxy are made by the test.
//!
//! The operating system's trust store is read as the app reads it everywhere on Linux (through
//! rustls-native-certs, as OpenSSL does): `SSL_CERT_FILE` names the bundle. The test points it
//! at a bundle holding the company's CA, in the child process alone, instead of installing the CA
//! into the machine's own bundle, which the test must not change.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use crate::platform::*;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};

/// A CA of the company's own, and a certificate it signed for `localhost`.
struct CompanyCa {
    ca_pem: String,
    leaf: CertificateDer<'static>,
    leaf_key: PrivateKeyDer<'static>,
}

fn company_ca() -> CompanyCa {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Acme Internal Root CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf_params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key).unwrap();
    CompanyCa {
        ca_pem: ca.pem(),
        leaf: leaf.der().clone(),
        leaf_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    }
}

/// A TLS-terminating proxy on loopback in front of `backend` (host:port); its port.
async fn tls_proxy(ca: &CompanyCa, backend: String) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![ca.leaf.clone()], ca.leaf_key.clone_key())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, backend) = (acceptor.clone(), backend.clone());
            tokio::spawn(async move {
                // A client refusing the certificate ends the handshake: nothing to forward.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(&backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

fn sync(data: &Path, url: &str, token: &str, cert_file: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_userdesk-cli"))
        .arg("--data-dir")
        .arg(data)
        .args(["sync", "--server", url])
        .env("USERDESK_TOKEN", token)
        .env("SSL_CERT_FILE", cert_file)
        .env_remove("SSL_CERT_DIR")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_certified_by_a_company_ca_is_trusted_once_the_system_trusts_the_ca() {
    let platform = Platform::start(7).await;
    let ca = company_ca();
    let backend = platform.url.trim_start_matches("http://").to_string();
    let port = tls_proxy(&ca, backend).await;
    let url = format!("https://localhost:{port}");
    let data = tempfile::tempdir().unwrap();
    let bundles = tempfile::tempdir().unwrap();

    // The system's bundle without the company's CA (another CA in it): the certificate is
    // refused and nothing is synced.
    let stranger = bundles.path().join("without.pem");
    let other_key = rcgen::KeyPair::generate().unwrap();
    let mut other = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    other.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    std::fs::write(&stranger, other.self_signed(&other_key).unwrap().pem()).unwrap();
    let refused = sync(data.path(), &url, &platform.token, &stranger);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success(),
        "synced with an untrusted certificate"
    );
    assert!(
        said.contains("certificate is not one this computer trusts"),
        "{said}"
    );
    assert!(
        said.contains("UnknownIssuer"),
        "the reason underneath: {said}"
    );

    // The company's CA in the system's bundle: the same server is trusted.
    let trusted = bundles.path().join("with.pem");
    std::fs::write(&trusted, &ca.ca_pem).unwrap();
    let synced = sync(data.path(), &url, &platform.token, &trusted);
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    let app = userdesk_core::AppCore::open(
        &data.path().join("userdesk.sqlite3"),
        userdesk_core::OpenOptions {
            sqlite_search_only: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(app.store().profile_total().await.unwrap(), 7);
}
