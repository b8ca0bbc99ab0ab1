"""/pomoc/jak-usunac-konto-uzytkownika: the seed's help article, adapted to the real flow."""

import reflex as rx

from fakturowo_ui.components.layout import page
from fakturowo_ui.i18n import t
from fakturowo_ui.settings import get_settings
from fakturowo_ui.state.account import deletion_link_window


def help_delete_account() -> rx.Component:
    """The help article: how to delete an account and what happens then."""
    settings = get_settings()
    within = deletion_link_window(settings.deletion_link_ttl_seconds)
    paragraphs = [
        "Użytkownik może w dowolnym momencie samodzielnie usunąć swoje konto (oraz wszystkie dane) "
        "z naszego serwisu. Aby usunąć konto, należy zalogować się (na to konto, które chcemy "
        "usunąć), następnie na samym dole strony Konto, w części „Usunięcie konta użytkownika”, "
        "potwierdzić usunięcie konta poprzez zaznaczenie opcji, a następnie kliknąć przycisk "
        "„Usuń konto”.",
        "Po kliknięciu przycisku na adres email użytkownika wysyłana jest wiadomość z linkiem, "
        f"który należy otworzyć {within}. Link prowadzi do strony potwierdzenia: widać na niej "
        "numer ID konta, adres email oraz liczbę dokumentów, klientów i produktów, które zostaną "
        "usunięte. Po wpisaniu hasła i kliknięciu „Usuń konto bezpowrotnie” konto oraz wszystkie "
        "dane użytkownika zostaną usunięte, pojawi się również komunikat potwierdzający wykonaną "
        "operację, a na adres email przyjdzie wiadomość „Twoje konto zostało usunięte”.",
        "Samo otwarcie linku niczego nie usuwa, więc programy sprawdzające pocztę nie usuną konta "
        "za Ciebie. Po usunięciu konta adres email zostaje zablokowany i nie ma możliwości "
        "ponownej rejestracji konta z tym samym adresem.",
        "Faktury zwykle trzeba przechowywać przez 5 lat od końca roku podatkowego, dlatego przed "
        "usunięciem konta warto pobrać kopię danych.",
        "Przypominamy, że użytkownicy, którzy nie chcą korzystać z naszego serwisu, nie muszą "
        "usuwać swoich kont, ponieważ rejestracja konta w serwisie jest bezpłatna i do niczego nie "
        "zobowiązuje: nie są pobierane żadne opłaty za użytkowanie konta. Po zarejestrowaniu konta "
        f"oferujemy {settings.trial_days} dni darmowego testowania naszego serwisu. Jeśli po "
        "okresie testowym użytkownik nie wykupi abonamentu, może nadal bezpłatnie korzystać z "
        "serwisu, jednakże dostęp do części funkcji jest ograniczony: możliwe jest wystawienie "
        f"{settings.free_documents_per_month} dokumentów miesięcznie, a bez ograniczeń można "
        "pobierać dokumenty wystawione wcześniej.",
    ]
    return page(
        rx.el.article(*[rx.el.p(text) for text in paragraphs], class_name="card article"),
        title=t("help.title"),
    )
