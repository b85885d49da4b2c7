//! The certificate authority and server certificate generated at each start.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Names that the server certificate is valid for, whatever the bind address.
const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// How far back certificates are valid from, to tolerate clock skew between processes.
const BACKDATE: Duration = Duration::from_secs(24 * 60 * 60);

/// How long certificates stay valid after start, which is longer than any test or demo
/// run is expected to last.
const VALIDITY: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The CA certificate to hand to clients and the rustls configuration that serves the
/// server certificate it signed.
pub(crate) struct TlsMaterial {
    pub(crate) ca_pem: String,
    pub(crate) server_config: Arc<ServerConfig>,
}

/// Generates a fresh CA (ECDSA P-256) and a server certificate for `localhost`,
/// `127.0.0.1`, `::1` and, when it is a specific address, `bind`.
///
/// Both carry the extensions that strict verifiers check, such as OpenSSL with
/// `X509_V_FLAG_X509_STRICT`: a critical basicConstraints and keyUsage on the CA,
/// authority and subject key identifiers, and serverAuth on the leaf.
/// The server offers HTTP/2 and HTTP/1.1 through ALPN.
pub(crate) fn generate(bind: IpAddr) -> io::Result<TlsMaterial> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(io::Error::other)?;
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    let not_before = epoch + now.saturating_sub(BACKDATE);
    let not_after = epoch + now + VALIDITY;

    let ca_key = KeyPair::generate().map_err(io::Error::other)?;
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = distinguished_name("sethealth-emulator local CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params.not_before = not_before;
    ca_params.not_after = not_after;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(io::Error::other)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().map_err(io::Error::other)?;
    let mut server_params = CertificateParams::new(server_names(bind)).map_err(io::Error::other)?;
    server_params.distinguished_name = distinguished_name("localhost");
    server_params.is_ca = IsCa::ExplicitNoCa;
    server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server_params.use_authority_key_identifier_extension = true;
    server_params.not_before = not_before;
    server_params.not_after = not_after;
    let server_cert = server_params
        .signed_by(&server_key, &issuer)
        .map_err(io::Error::other)?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone()];
    let private_key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let mut server_config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(chain, private_key)
        .map_err(io::Error::other)?;
    server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];

    Ok(TlsMaterial {
        ca_pem: ca_cert.pem(),
        server_config: Arc::new(server_config),
    })
}

fn distinguished_name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name.push(DnType::OrganizationName, "sethealth-emulator");
    name
}

/// Lists the subject alternative names of the server certificate.
fn server_names(bind: IpAddr) -> Vec<String> {
    let mut names: Vec<String> = SERVER_NAMES.iter().map(|name| name.to_string()).collect();
    if !bind.is_loopback() && !bind.is_unspecified() {
        names.push(bind.to_string());
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_add_specific_bind_address() {
        let loopback = server_names("127.0.0.1".parse().unwrap());
        assert_eq!(loopback.len(), 3);

        let unspecified = server_names("0.0.0.0".parse().unwrap());
        assert_eq!(unspecified.len(), 3);

        let specific = server_names("192.0.2.7".parse().unwrap());
        assert!(specific.contains(&"192.0.2.7".to_string()), "{specific:?}");
    }

    #[test]
    fn generate_returns_pem_ca() {
        let material = generate("127.0.0.1".parse().unwrap()).unwrap();
        assert!(material.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(
            material.server_config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }
}
