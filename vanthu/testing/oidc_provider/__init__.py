"""A small OpenID Connect provider (django-oauth-toolkit) that the single sign-on tests start as
a real process on the loopback: the city's directory, as far as VanThu can tell.

    cd STATE_DIR && DJANGO_SETTINGS_MODULE=vanthu.testing.oidc_provider.settings \
        python -m vanthu.testing.oidc_provider setup '{"users": [...], "client": {...}}'
    … python -m django runserver 127.0.0.1:PORT --noreload (in the same directory)

It imports nothing of VanThu.
"""
