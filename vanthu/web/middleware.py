"""Vietnamese unless the person chose otherwise."""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Pages are in Vietnamese by default; English only by the switch (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a clerk on a
    computer set up in English would get English pages nobody asked for. The API keeps
    Django's negotiation, since programs may ask for a language.
    """

    def process_request(self, request) -> None:
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
