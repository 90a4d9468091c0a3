"""Text the programme added to other apps' pages (the evaluation in reports, the nav in web).

Listed here, unused, so that `makemessages` run in this app puts them in this app's catalogue,
which carries their English (the shared catalogue is not edited by each app)."""

from django.utils.translation import gettext_noop

ELSEWHERE = [
    gettext_noop("Xem căn cứ"),
    gettext_noop("Bấm vào từng chỉ số để xem căn cứ."),
    gettext_noop("Điểm theo từng tiêu chí"),
    gettext_noop("ĐÁNH GIÁ ỨNG DỤNG CNTT THEO TIÊU CHÍ"),
    gettext_noop("Chương trình CNTT"),
]
