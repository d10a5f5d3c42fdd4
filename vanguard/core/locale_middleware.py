"""Chinese unless the user chose otherwise. Django's LocaleMiddleware follows the
browser's Accept-Language, so an English browser on a hall PC would switch the
interface; here only the language the user picked (the cookie set by
/i18n/setlang/) or the URL's choice counts, else LANGUAGE_CODE (zh-hans)."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
