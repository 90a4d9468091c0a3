"""Signing with a key that never leaves a PKCS#11 token (SoftHSM2, as `.ci/run` installs it).

This test does not skip: without SoftHSM2 it fails, saying what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from vanthu.documents import actions as doc_actions
from vanthu.documents.models import Document
from vanthu.documents.storage import read_blob
from vanthu.signatures import actions, ca
from vanthu.signatures.models import KeyStorage
from vanthu.signatures.verify import verify_pdf
from vanthu.testing import factories as f

from . import pki

MODULE_CANDIDATES = [
    os.environ.get("VANTHU_PKCS11_MODULE", ""),
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
]


def _module() -> str:
    for path in MODULE_CANDIDATES:
        if path and Path(path).is_file():
            return path
    pytest.fail("SoftHSM2 is not installed: `apt-get install softhsm2` (the CI script does this).")


@pytest.fixture
def softhsm_token(tmp_path, monkeypatch):
    """A fresh SoftHSM2 token in a temporary directory, with an RSA key imported under a label."""
    module = _module()
    util = shutil.which("softhsm2-util")
    assert util, "softhsm2-util missing: `apt-get install softhsm2`"
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    monkeypatch.setenv("VANTHU_TEST_TOKEN_PIN", "246810")
    subprocess.run([util, "--init-token", "--free", "--label", "vanthu-test", "--pin", "246810", "--so-pin", "135790"],
                   check=True, capture_output=True)
    key = ca.new_key("rsa")
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    subprocess.run([util, "--import", str(key_file), "--token", "vanthu-test", "--label", "leader-key", "--id", "01",
                    "--pin", "246810"], check=True, capture_output=True)
    key_file.unlink()  # the key now lives only on the token
    return module, key


def test_the_leader_signs_with_a_key_on_a_softhsm_token(world, softhsm_token):
    module, key = softhsm_token
    auth = ca.make_root("Token Root", kind="ec")
    ca.ensure_trust_root(auth.certificate, "Token Root")
    a = world.a
    cert = ca.build_certificate(
        subject=pki.name(a.leader.get_full_name(), a.org.name), public_key=key.public_key(),
        issuer=auth.certificate.subject, issuer_key=auth.key, issuer_cert=auth.certificate,
        not_before=auth.certificate.not_valid_before_utc, not_after=auth.certificate.not_valid_after_utc.replace(year=auth.certificate.not_valid_after_utc.year - 1),
    )
    admin = f.make_installation_admin(world.bloc)
    row = actions.register_token_certificate(
        user=admin, certificate=cert.public_bytes(serialization.Encoding.PEM), module=module, key_label="leader-key",
        token_label="vanthu-test", pin_env="VANTHU_TEST_TOKEN_PIN",
        chain=auth.certificate.public_bytes(serialization.Encoding.PEM), owner_user=a.leader, owner_org=a.org,
    )
    assert row.key_storage == KeyStorage.PKCS11 and not row.encrypted_key

    doc = f.draft(a.org, a.specialist, [world.b.org])
    doc_actions.submit_document(doc, user=a.specialist)
    doc_actions.approve_document(doc, user=a.leader)
    doc = Document.objects.get(pk=doc.pk)
    assert doc.authoritative_file_id, "the approval produced a signed version"
    report = verify_pdf(read_blob(doc.authoritative_file.file_id))
    assert report.status == "valid", [s.reasons for s in report.signatures]
    assert report.signatures[0].signer == a.leader.get_full_name()
