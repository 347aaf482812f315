//! HTTPS served by the binary itself (rustls): from `TLS_CERT`/`TLS_KEY` (PEM), or a
//! self-signed certificate made at start (`TLS_SELF_SIGNED=true`) for local use. In the
//! cloud, TLS ends at the platform's edge instead (Fly.io).

use crate::config::ServerSettings;
use anyhow::{bail, Context};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

/// Every outgoing HTTPS client starts here: it makes `ring` the process's TLS crypto
/// (the one the server's own HTTPS uses too) before reqwest asks for it. One crypto
/// library in the binary instead of two keeps it smaller and its build shorter.
pub fn client_builder() -> reqwest::ClientBuilder {
    // Err means one is installed already (this same one): nothing to do.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// An outbound request's error with its causes: reqwest's own message is only "error
/// sending request"; the refused connection or the resolver's refusal is further down.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![];
    let mut source = Some(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

pub struct Tls {
    pub config: rustls::ServerConfig,
    /// SHA-256 of the leaf certificate, `AB:CD:...`, for the start-up log.
    pub fingerprint: String,
    /// The certificate in PEM, when we made it (so tests and tools can trust it).
    pub self_signed_pem: Option<String>,
}

fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> anyhow::Result<rustls::ServerConfig> {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the TLS certificate and key do not match")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// `None` when TLS is off.
pub fn load(s: &ServerSettings) -> anyhow::Result<Option<Tls>> {
    match (&s.tls_cert, &s.tls_key, s.tls_self_signed) {
        (Some(cert), Some(key), _) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .with_context(|| format!("reading TLS_CERT {}", cert.display()))?
                .collect::<Result<_, _>>()
                .with_context(|| format!("TLS_CERT {} is not PEM certificates", cert.display()))?;
            if chain.is_empty() {
                bail!("TLS_CERT {} holds no certificate", cert.display());
            }
            let key =
                PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading TLS_KEY {}", key.display()))?;
            let fp = fingerprint(chain[0].as_ref());
            Ok(Some(Tls { config: server_config(chain, key)?, fingerprint: fp, self_signed_pem: None }))
        }
        (Some(_), None, _) | (None, Some(_), _) => bail!("TLS_CERT and TLS_KEY go together"),
        (None, None, true) => {
            let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
            if !["0.0.0.0", "::", "127.0.0.1", "localhost"].contains(&s.host.as_str()) {
                names.push(s.host.clone());
            }
            let made = rcgen::generate_simple_self_signed(names).context("making a self-signed certificate")?;
            let der = made.cert.der().clone();
            let fp = fingerprint(der.as_ref());
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
            Ok(Some(Tls {
                config: server_config(vec![der], key)?,
                fingerprint: fp,
                self_signed_pem: Some(made.cert.pem()),
            }))
        }
        (None, None, false) => Ok(None),
    }
}
