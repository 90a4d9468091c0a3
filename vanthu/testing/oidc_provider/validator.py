"""The claims the test directory tells about a person."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    def get_additional_claims(self, request):
        user = request.user
        return {"name": user.first_name, "email": user.email, "preferred_username": user.username}
