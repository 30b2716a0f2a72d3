import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports.pdfs.seal import SIGNER_NAME

KEY_FILE = "seal-key.pem"
CERT_FILE = "seal-cert.pem"


def make_throwaway_pair(folder: Path, *, days: int = 365) -> tuple[Path, Path]:
    """Write a new private key and a self-signed certificate for it (PEM) into ``folder``:
    for development and tests only, since nobody else trusts a self-signed certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, SIGNER_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Throwaway certificate, not for use"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        # pyHanko's validator expects a signing certificate to allow non-repudiation.
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class Command(BaseCommand):
    help = (
        "Write a throwaway private key and self-signed certificate for sealing PDFs, for "
        "development and tests (readers' PDF software will not trust it), and print the "
        "settings that use them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--folder",
            default=str(settings.BASE_DIR / "var" / "seal"),
            help="where to write the key and certificate (default: var/seal/)",
        )
        parser.add_argument("--days", type=int, default=365, help="how long it is valid")
        parser.add_argument("--force", action="store_true", help="replace an existing pair")

    def handle(self, *args, folder, days, force, **options):
        folder = Path(folder)
        existing = [folder / name for name in (KEY_FILE, CERT_FILE) if (folder / name).exists()]
        if existing and not force:
            raise CommandError(
                f"{existing[0]} exists already: nothing was written. Use --force to replace it."
            )
        key_path, cert_path = make_throwaway_pair(folder, days=days)
        self.stdout.write(
            f"Wrote a throwaway key and self-signed certificate to {folder}/. To seal PDFs "
            "with them, set:\n"
            f"PDF_SEAL_KEY={key_path.resolve()}\n"
            f"PDF_SEAL_CERT={cert_path.resolve()}"
        )
