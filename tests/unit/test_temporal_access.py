"""Reaching a production Temporal cluster or Temporal Cloud: TLS, mTLS and API-key settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from temporalio.service import TLSConfig

from minsheng.settings import Settings


def test_the_dev_server_is_reached_in_plain_text() -> None:
    access = Settings().temporal_access
    assert access.tls_config() is False and access.api_key is None


def test_an_api_key_goes_over_tls_with_the_system_roots() -> None:
    access = Settings(temporal_address="ns.acct.tmprl.cloud:7233", temporal_api_key="secret").temporal_access
    assert access.api_key == "secret"
    assert access.tls_config() == TLSConfig()


def test_mtls_reads_the_certificates_given(tmp_path: Path) -> None:
    ca, cert, key = (tmp_path / name for name in ("ca.pem", "client.pem", "client.key"))
    for path in (ca, cert, key):
        path.write_bytes(f"-----{path.name}-----".encode())
    settings = Settings(
        temporal_tls_server_ca=ca,
        temporal_tls_server_name="temporal.city.internal",
        temporal_tls_client_cert=cert,
        temporal_tls_client_key=key,
    )
    assert settings.temporal_access.tls_config() == TLSConfig(
        server_root_ca_cert=b"-----ca.pem-----",
        domain="temporal.city.internal",
        client_cert=b"-----client.pem-----",
        client_private_key=b"-----client.key-----",
    )


def test_a_half_configured_mtls_is_refused_with_its_name(tmp_path: Path) -> None:
    cert = tmp_path / "client.pem"
    cert.write_text("x")
    with pytest.raises(ValidationError, match="temporal_tls_client_key go together"):
        Settings(temporal_tls_client_cert=cert)
    with pytest.raises(ValidationError, match="temporal_tls_server_ca: no file at"):
        Settings(temporal_tls_server_ca=tmp_path / "missing.pem")
