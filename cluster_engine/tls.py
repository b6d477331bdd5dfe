"""The local certificate authority and server certificate for the Kubernetes-compatible API over HTTPS.

kubectl sends a bearer token only over TLS, so `make run` serves the API on https://127.0.0.1:6443 with a
certificate from a CA made on first run. Both live under `var/tls/` (outside git); the CA goes into every
kubeconfig as `certificate-authority-data`. Production serves the API behind the ingress's TLS instead.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

CA_DAYS = 3650
SERVER_DAYS = 825
RENEW_BEFORE = datetime.timedelta(days=30)
DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the PEM files: the CA certificate, the server certificate and the server's private key."""

    ca_cert: Path
    server_cert: Path
    server_key: Path

    def ca_pem(self) -> bytes:
        return self.ca_cert.read_bytes()


def tls_directory() -> Path:
    """The setting `KUBE_API_TLS_DIR` (default `var/tls/` in the project folder, which git ignores)."""
    return Path(settings.KUBE_API_TLS_DIR)


def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write_private(path: Path, data: bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _make_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = _new_key()
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Podlab"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Podlab local CA")])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(directory / "ca.key", _key_pem(key))
    (directory / "ca.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _san(hosts: tuple[str, ...]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def _make_server(directory: Path, ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey,
                 hosts: tuple[str, ...]) -> None:
    key = _new_key()
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "podlab-kube-apiserver")]))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(_san(hosts), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(directory / "server.key", _key_pem(key))
    (directory / "server.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _server_fits(path: Path, ca_cert: x509.Certificate, hosts: tuple[str, ...]) -> bool:
    if not path.exists():
        return False
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    if cert.issuer != ca_cert.subject or cert.not_valid_after_utc - RENEW_BEFORE < _now():
        return False
    try:
        present = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return set(_san(hosts)) <= set(present)


def ensure_certificates(directory: Path | None = None, *, hosts: tuple[str, ...] = ()) -> TlsFiles:
    """The CA and server certificate in `directory` (default `tls_directory()`), made if missing.

    The CA is kept once made (kubeconfigs carry it); the server certificate is renewed when it nears expiry
    or does not name every host in `hosts` (plus localhost, 127.0.0.1 and ::1).
    """
    directory = directory or tls_directory()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    all_hosts = tuple(dict.fromkeys((*DEFAULT_HOSTS, *hosts)))
    ca_path, ca_key_path = directory / "ca.crt", directory / "ca.key"
    if ca_path.exists() and ca_key_path.exists():
        ca_cert = x509.load_pem_x509_certificate(ca_path.read_bytes())
        loaded = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise TypeError(f"{ca_key_path} is not an EC private key")
        ca_key = loaded
    else:
        ca_cert, ca_key = _make_ca(directory)
    files = TlsFiles(ca_path, directory / "server.crt", directory / "server.key")
    if not (_server_fits(files.server_cert, ca_cert, all_hosts) and files.server_key.exists()):
        _make_server(directory, ca_cert, ca_key, all_hosts)
    return files


def daphne_endpoint(files: TlsFiles, *, port: int, interface: str = "127.0.0.1") -> str:
    """A Twisted endpoint string for daphne's `-e`: TLS on `interface:port` with the server certificate."""

    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace(":", "\\:")

    return (f"ssl:{port}:privateKey={escape(str(files.server_key))}:certKey={escape(str(files.server_cert))}"
            f":interface={escape(interface)}")
