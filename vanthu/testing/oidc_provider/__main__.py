"""`python -m vanthu.testing.oidc_provider setup JSON`: the schema, the RSA key, people, a client."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def main(argv: list[str]) -> int:
    if argv[:1] != ["setup"] or len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(argv[1])
    state = Path.cwd()
    key = state / "oidc.key"
    if not key.exists():
        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        key.write_bytes(pem)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.testing.oidc_provider.settings")
    import django  # after the settings module is chosen

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    for u in spec.get("users", []):
        user, _ = User.objects.get_or_create(username=u["username"])
        user.first_name, user.email = u.get("name", ""), u.get("email", "")
        user.set_password(u["password"])
        user.save()
    client = spec.get("client")
    if client:
        Application = get_application_model()
        Application.objects.filter(client_id=client["client_id"]).delete()
        Application.objects.create(
            name="VanThu", client_id=client["client_id"], client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]), algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
