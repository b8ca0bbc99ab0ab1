"""Polish catalogue: the default language of every page and e-mail."""

MESSAGES: dict[str, str] = {
    # Brand and navigation
    "app.name": "Fakturowo",
    "nav.issue": "Wystaw",
    "nav.documents": "Dokumenty",
    "nav.clients": "Klienci",
    "nav.products": "Produkty",
    "nav.account": "Konto",
    "nav.settings": "Ustawienia",
    "nav.help": "Pomoc",
    "nav.logout": "Wyloguj",
    "nav.login": "Zaloguj się",
    "nav.register": "Zarejestruj konto",
    "nav.main": "Menu główne",
    "common.loading": "Wczytywanie…",
    "common.working": "Chwileczkę…",
    "common.save": "Zapisz",
    "common.unexpected": "Coś poszło nie tak. Spróbuj ponownie za chwilę.",
    "common.try_again_at": "Zbyt wiele prób. Spróbuj ponownie o {time} (za {minutes} min).",
    # Start page
    "home.title": "Fakturowo: faktury online",
    "home.lead": (
        "Wystawiaj faktury VAT, prowadź bazę klientów i produktów, a dokumenty pobieraj w PDF. "
        "Po rejestracji masz {trial_days} dni darmowego testowania, potem możesz dalej "
        "bezpłatnie wystawiać {free_documents} dokumentów miesięcznie."
    ),
    "home.register": "Załóż darmowe konto",
    "home.login": "Mam już konto, zaloguj mnie",
    # Form fields
    "field.email": "Adres email",
    "field.password": "Hasło",
    "field.password_repeat": "Powtórz hasło",
    "field.current_password": "Obecne hasło",
    "field.new_password": "Nowe hasło",
    "field.new_password_repeat": "Powtórz nowe hasło",
    # Registration
    "register.title": "Rejestracja konta",
    "register.consent_reminders": "Chcę otrzymywać przypomnienia o końcu abonamentu",
    "register.consent_info": "Chcę otrzymywać wiadomości informacyjne",
    "register.submit": "Zarejestruj konto",
    "register.password_hint": (
        "Hasło musi mieć od 12 do 256 znaków. Najlepiej użyj kilku przypadkowych słów."
    ),
    "register.done": (
        "Konto zostało utworzone. Wysłaliśmy wiadomość na adres {email}: kliknij znajdujący się "
        "w niej link, aby potwierdzić adres email. Link jest ważny 24 godziny."
    ),
    "register.mail_failed": (
        "Konto zostało utworzone, ale nie udało się wysłać wiadomości z linkiem potwierdzającym. "
        "Za kilka minut zaloguj się: będzie można wysłać link ponownie."
    ),
    "register.have_account": "Masz już konto? Zaloguj się",
    "error.form": "{message}",
    "error.email_empty": "Podaj adres email.",
    "error.email_invalid": "Podaj poprawny adres email, np. jan@example.com.",
    "error.email_taken": "Konto z tym adresem email już istnieje. Zaloguj się lub ustaw nowe hasło.",
    "error.email_blocked": (
        "Ten adres email został zablokowany po usunięciu konta i nie można go użyć do ponownej rejestracji."
    ),
    "error.password_empty": "Podaj hasło.",
    "error.password_too_short": "Hasło jest za krótkie: musi mieć co najmniej 12 znaków.",
    "error.password_too_long": "Hasło jest za długie: może mieć najwyżej 256 znaków.",
    "error.password_common": ("To hasło jest zbyt popularne i łatwe do odgadnięcia. Wybierz inne."),
    "error.password_is_email": "Hasło nie może być takie samo jak adres email.",
    "error.password_invalid_chars": "Hasło zawiera niedozwolone znaki sterujące.",
    "error.password_mismatch": "Hasła nie są takie same.",
    "error.password_same_as_current": "Nowe hasło musi być inne niż obecne.",
    "error.mail_failed": ("Nie udało się wysłać wiadomości email. Spróbuj ponownie za kilka minut."),
    # E-mail confirmation
    "confirm.title": "Potwierdzenie adresu email",
    "confirm.lead": "Kliknij przycisk, aby potwierdzić adres email {email} i aktywować konto.",
    "confirm.submit": "Potwierdź adres email",
    "confirm.done": "Adres email został potwierdzony. Możesz się teraz zalogować.",
    "confirm.go_login": "Przejdź do logowania",
    # Login
    "login.title": "Logowanie",
    "login.submit": "Zaloguj",
    "login.forgot": "Nie pamiętasz hasła?",
    "login.no_account": "Nie masz konta? Zarejestruj się",
    "login.failed": "Nieprawidłowy adres email lub hasło.",
    "login.unconfirmed": (
        "Adres email nie został jeszcze potwierdzony. Kliknij link z wiadomości "
        "„Potwierdź adres email” albo wyślij go ponownie."
    ),
    "login.resend": "Wyślij link ponownie",
    "login.resent": "Wysłaliśmy nowy link potwierdzający na adres {email}.",
    "login.required": "Zaloguj się, aby zobaczyć tę stronę.",
    "login.session_ended": "Sesja wygasła lub została zakończona. Zaloguj się ponownie.",
    "login.code_invalid": "Logowanie nie powiodło się: link logowania wygasł. Zaloguj się ponownie.",
    "logout.done": "Wylogowano.",
    # Token links (CONTRACT.md wording)
    "link.used": "Ten link został już użyty.",
    "link.expired": "Ten link wygasł.",
    "link.superseded": "Ten link został zastąpiony nowszym. Użyj linku z najnowszej wiadomości.",
    "link.voided": "Ten link został unieważniony po zbyt wielu próbach z nieprawidłowym hasłem.",
    "link.invalid": "Ten link jest nieprawidłowy.",
    # Account page
    "account.title": "Konto",
    "account.signed_in_as": "Zalogowano jako {email} (ID {user_id})",
    "account.periodic.heading": "Okresowa zmiana hasła",
    "account.periodic.checkbox": "Włącz okresową zmianę hasła",
    "account.consents.heading": "Zgody na otrzymywanie wiadomości",
    "account.consents.reminders": (
        "Na 30 dni oraz na 5 dni przed upływem ważności abonamentu Twojego konta wysyłamy na "
        "Twój adres email dwie wiadomości z przypomnieniem. Zaznacz to pole, jeśli chcesz je "
        "otrzymywać; odznacz, jeśli nie chcesz."
    ),
    "account.consents.info": (
        "Czasami wysyłamy na Twój adres email wiadomości z różnymi informacjami, np. wiadomość o "
        "dokumentach do akceptacji, wiadomość o wykonaniu usługi cyklicznej, prośba o napisanie "
        "opinii o naszej stronie, życzenia świąteczne, itp. Zaznacz to pole, jeśli chcesz je "
        "otrzymywać; odznacz, jeśli nie chcesz."
    ),
    "account.consents.saved": "Zapisano zgody na otrzymywanie wiadomości (godz. {time}).",
    "account.consents.unchanged": "Nic się nie zmieniło: zgody są takie jak wcześniej (sprawdzono o {time}).",
    "account.consents.last_change": "Ostatnia zmiana: {when}",
    "account.consents.never": "Jeszcze nie zmieniano.",
    "account.subscription.heading": "Abonament",
    "account.subscription.trial": "Okres testowy do {date}.",
    "account.subscription.active": "Abonament aktywny do {date}.",
    "account.subscription.free": ("Darmowy plan: możesz wystawić {limit} dokumentów miesięcznie."),
    "account.subscription.unlimited": "W tym miesiącu możesz wystawiać dokumenty bez limitu.",
    "account.subscription.left": "W tym miesiącu zostało do wystawienia: {left} z {limit} dokumentów.",
    "account.deletion.heading": "Usunięcie konta użytkownika",
    "account.deletion.checkbox": (
        "Aby usunąć konto użytkownika o numerze ID {user_id} oraz wszystkie dane zapisane na tym "
        "koncie (baza dokumentów, klientów oraz produktów), musisz zaznaczyć to pole oraz kliknąć "
        "poniższy przycisk. Ze względów bezpieczeństwa na Twój adres email zostanie wysłana "
        "wiadomość, aby usunąć konto odbierz wiadomość i {within} kliknij znajdujący się w niej "
        "link. Po usunięciu konta, adres email ({email}) zostanie zablokowany i nie ma możliwości "
        "ponownej rejestracji konta z tym samym adresem email. UWAGA! Po kliknięciu w otrzymany "
        "link i potwierdzeniu hasłem, Twoje konto oraz wszystkie zapisane dane zostaną "
        "bezpowrotnie usunięte!"
    ),
    "account.deletion.counts": (
        "Zostanie usunięte: dokumenty: {documents}, klienci: {clients}, produkty: {products}."
    ),
    "account.deletion.submit": "Usuń konto",
    "account.export.submit": "Pobierz kopię danych",
    # User data (issue 6)
    "number.empty": "{field}: podaj wartość.",
    "number.invalid": "{field}: podaj liczbę, np. 12,50.",
    "number.negative": "{field}: wartość nie może być ujemna.",
    "number.zero": "{field}: wartość musi być większa od zera.",
    "number.too_precise": "{field}: najwyżej {places} miejsca po przecinku.",
    "number.too_large": "{field}: wartość jest za duża (najwyżej {maximum}).",
    "text.required": "{field}: to pole jest wymagane.",
    "text.too_long": "{field}: najwyżej {maximum} znaków.",
    "date.empty": "{field}: podaj datę.",
    "date.invalid": "{field}: podaj poprawną datę, np. 23-11-2026.",
    "nip.empty": "NIP: to pole jest wymagane.",
    "nip.format": "NIP musi mieć 10 cyfr, np. 526-025-02-74.",
    "nip.checksum": "Ten NIP jest nieprawidłowy: nie zgadza się cyfra kontrolna. Sprawdź, czy nie ma literówki.",
    "vat.invalid": "Stawka VAT: wybierz 23%, 8%, 5%, 0% albo zw.",
    "seller.bank_account": "Numer konta: podaj same cyfry, np. 12 1020 1026 0000 0402 0207 0123.",
    "client.email": "Adres email klienta jest nieprawidłowy, np. biuro@firma.pl.",
    "client.not_found": "Nie ma takiego klienta na Twoim koncie. Nic nie zostało zmienione.",
    "product.not_found": "Nie ma takiego produktu na Twoim koncie. Nic nie zostało zmienione.",
    "document.not_found": "Nie ma takiego dokumentu na Twoim koncie.",
    "document.line_error": "Pozycja {position}: {message}",
    "document.no_items": "Dodaj co najmniej jedną pozycję dokumentu.",
    "document.too_many_items": "Dokument może mieć najwyżej {maximum} pozycji.",
    "document.too_large": "Łączna kwota dokumentu jest za duża.",
    "document.no_seller": (
        "Najpierw uzupełnij dane sprzedawcy (nazwa firmy, NIP, adres) na stronie Ustawienia: są "
        "drukowane na każdej fakturze."
    ),
    "document.no_client": "Wybierz nabywcę z listy klientów.",
    "document.limit": (
        "Nie wystawiono dokumentu: w darmowym planie można wystawić {limit} dokumentów w miesiącu "
        "kalendarzowym i ten limit został już wykorzystany. Kolejny dokument wystawisz od {since} "
        "albo wcześniej po wykupieniu abonamentu. Wcześniej wystawione dokumenty możesz nadal "
        "oglądać i pobierać."
    ),
    "list.search": "Szukaj",
    "list.search_submit": "Szukaj",
    "list.page": "Strona {page} z {pages} (razem: {total})",
    "list.prev": "Poprzednia strona",
    "list.next": "Następna strona",
    "list.edit": "Edytuj",
    "list.delete": "Usuń",
    "list.cancel": "Anuluj",
    "list.confirm_delete": "Na pewno usunąć „{name}”?",
    "list.confirm_yes": "Tak, usuń",
    "list.nothing_found": "Nic nie pasuje do wyszukiwania „{query}”.",
    "list.actions": "Akcje",
    "settings.title": "Ustawienia",
    "settings.seller.heading": "Dane sprzedawcy",
    "settings.seller.lead": "Te dane są drukowane na każdej wystawianej fakturze.",
    "settings.seller.saved": "Zapisano dane sprzedawcy.",
    "field.company_name": "Nazwa firmy",
    "field.nip": "NIP",
    "field.address": "Adres",
    "field.bank_account": "Numer konta bankowego",
    "field.name": "Nazwa",
    "field.unit": "Jednostka",
    "field.net_price": "Cena netto (zł)",
    "field.vat_rate": "Stawka VAT",
    "field.quantity": "Ilość",
    "field.client": "Nabywca",
    "field.issue_date": "Data wystawienia",
    "field.sale_date": "Data sprzedaży",
    "field.client_email": "Adres email klienta",
    "clients.title": "Klienci",
    "clients.heading.add": "Dodaj klienta",
    "clients.heading.edit": "Edytuj klienta",
    "clients.heading.list": "Lista klientów",
    "clients.add": "Dodaj klienta",
    "clients.empty": (
        "Nie masz jeszcze żadnych klientów. Dodaj pierwszego w formularzu „Dodaj klienta”: "
        "nazwa wystarczy, NIP, adres i email są opcjonalne."
    ),
    "clients.added": "Dodano klienta {name}.",
    "clients.updated": "Zapisano zmiany klienta {name}.",
    "clients.deleted": "Usunięto klienta {name}. Wystawione mu faktury zostały.",
    "products.title": "Produkty",
    "products.heading.add": "Dodaj produkt",
    "products.heading.edit": "Edytuj produkt",
    "products.heading.list": "Lista produktów",
    "products.add": "Dodaj produkt",
    "products.empty": (
        "Nie masz jeszcze żadnych produktów ani usług. Dodaj pierwszy w formularzu „Dodaj produkt”: "
        "potem wybierzesz go jednym kliknięciem przy wystawianiu faktury."
    ),
    "products.added": "Dodano produkt {name}.",
    "products.updated": "Zapisano zmiany produktu {name}.",
    "products.deleted": "Usunięto produkt {name}.",
    "documents.title": "Dokumenty",
    "documents.heading.list": "Lista dokumentów",
    "documents.new": "Wystaw fakturę",
    "documents.empty": (
        "Nie masz jeszcze żadnych dokumentów. Kliknij „Wystaw fakturę” (albo „Wystaw” w menu), "
        "aby wystawić pierwszą."
    ),
    "documents.deleted": "Usunięto dokument {number}.",
    "documents.number": "Numer",
    "documents.buyer": "Nabywca",
    "documents.issue_date": "Data wystawienia",
    "documents.gross": "Brutto (zł)",
    "documents.view": "Pokaż",
    "documents.pdf": "Pobierz PDF",
    "documents.back": "Wróć do listy dokumentów",
    "documents.view_heading": "Faktura VAT nr {number}",
    "documents.seller": "Sprzedawca",
    "documents.totals": "Podsumowanie",
    "documents.to_pay": "Do zapłaty: {amount} zł",
    "documents.net_value": "Wartość netto",
    "documents.vat_amount": "Kwota VAT",
    "documents.gross_value": "Wartość brutto",
    "documents.position": "Lp.",
    "documents.together": "Razem",
    "issue.title": "Wystaw fakturę",
    "issue.heading.buyer": "Nabywca i daty",
    "issue.heading.items": "Pozycje",
    "issue.choose_client": "— wybierz klienta —",
    "issue.no_clients": "Nie masz jeszcze klientów: najpierw dodaj nabywcę na stronie Klienci.",
    "issue.no_seller": "Najpierw uzupełnij dane sprzedawcy na stronie Ustawienia.",
    "issue.add_line": "Dodaj pustą pozycję",
    "issue.add_product": "Dodaj produkt z listy",
    "issue.choose_product": "Produkt z listy",
    "issue.remove_line": "Usuń pozycję {n}",
    "issue.line": "Pozycja {n}",
    "issue.submit": "Wystaw fakturę",
    "issue.done": "Wystawiono fakturę {number}.",
    "issue.go_settings": "Przejdź do Ustawień",
    "issue.go_clients": "Przejdź do Klientów",
    "export.heading": "Kopia danych",
    "export.lead": (
        "Pobierz wszystkie dane konta w jednym pliku ZIP: dane w formacie JSON, pliki CSV "
        "(klienci, produkty, dokumenty, pozycje) i każdą fakturę jako PDF."
    ),
    "export.progress": "Przygotowujemy kopię danych: {done} z {total} dokumentów…",
    "export.starting": "Przygotowujemy kopię danych…",
    "export.queued": "Kopia danych czeka w kolejce i zacznie się przygotowywać za chwilę…",
    "export.already_running": (
        "Kopia danych tego konta już się przygotowuje (w innej karcie lub oknie). Poczekaj, aż się skończy."
    ),
    "export.busy": "Teraz przygotowujemy zbyt wiele kopii danych. Spróbuj ponownie za kilka minut.",
    "export.ready": "Kopia danych jest gotowa, pobieranie powinno się rozpocząć samo.",
    "export.again": "Jeśli pobieranie się nie rozpoczęło, kliknij tutaj.",
    "export.failed": "Nie udało się przygotować kopii danych. Spróbuj ponownie za chwilę.",
    # Durations ("w ciągu godziny" only while the link lives one hour)
    "duration.within_hour": "w ciągu godziny",
    "duration.within_minutes": "w ciągu {n} min",
    "duration.within_seconds": "w ciągu {n} s",
    "duration.within_hours": "w ciągu {n} godz.",
    # Help article
    "help.title": "Jak usunąć konto użytkownika?",
    # Account deletion (issue 3)
    "deletion.tick_box": (
        "Aby usunąć konto, zaznacz najpierw pole potwierdzenia powyżej. Nie wysłaliśmy żadnej wiadomości."
    ),
    "deletion.sent": (
        "Gotowe: wysłaliśmy wiadomość na adres {email}. Otwórz znajdujący się w niej link do "
        "{time} i potwierdź usunięcie konta hasłem."
    ),
    "deletion.too_soon": (
        "Wiadomość z linkiem do usunięcia konta została już niedawno wysłana. Kolejną możesz "
        "wysłać o {time} (za {minutes} min)."
    ),
    "deletion.mail_failed": (
        "Nie udało się wysłać wiadomości z linkiem do usunięcia konta (serwer poczty nie "
        "odpowiada). Konto nie zostało usunięte. Spróbuj ponownie za kilka minut."
    ),
    "deletion.account_gone": "To konto już nie istnieje.",
    "deletion.confirm.title": "Usunięcie konta",
    "deletion.confirm.lead": (
        "Zamierzasz bezpowrotnie usunąć konto użytkownika o numerze ID {user_id} ({email}) oraz "
        "wszystkie zapisane na nim dane."
    ),
    "deletion.confirm.counts": (
        "Zostaną usunięte: dokumenty: {documents}, klienci: {clients}, produkty: {products}."
    ),
    "deletion.confirm.retention": (
        "Pamiętaj: faktury zwykle trzeba przechowywać przez 5 lat od końca roku podatkowego. "
        "Jeśli jeszcze tego nie zrobiłeś, zaloguj się i pobierz kopię danych na stronie Konto."
    ),
    "deletion.confirm.account_link": "Przejdź do strony Konto",
    "deletion.confirm.password_hint": "Wpisz hasło do tego konta, aby potwierdzić usunięcie.",
    "deletion.confirm.submit": "Usuń konto bezpowrotnie",
    "deletion.confirm.wrong_password": (
        "Podano nieprawidłowe hasło. Konto nie zostało usunięte. Pozostałe próby: {left}."
    ),
    "deletion.confirm.voided_now": (
        "Podano nieprawidłowe hasło. Po {attempts} nieudanych próbach link został unieważniony: "
        "zaloguj się i poproś o nowy link na stronie Konto."
    ),
    "deletion.confirm.deleted": (
        "Twoje konto zostało usunięte wraz ze wszystkimi danymi. Wysłaliśmy potwierdzenie na "
        "adres {email}. Dziękujemy za korzystanie z Fakturowo."
    ),
    "deletion.confirm.ask_again": "Zaloguj się, aby poprosić o nowy link",
    "mail.deletion.subject": "Potwierdź usunięcie konta",
    "mail.deleted.subject": "Twoje konto zostało usunięte",
    # Passwords (issue 4)
    "password_change.title": "Zmiana hasła",
    "password_change.lead": (
        "Podaj obecne hasło i dwa razy nowe. Po zmianie wylogujemy wszystkie pozostałe sesje "
        "Twojego konta i wyślemy potwierdzenie na Twój adres email."
    ),
    "password_change.submit": "Zmień hasło",
    "password_change.forced": (
        "Ze względów bezpieczeństwa musisz teraz zmienić hasło: minął termin okresowej zmiany "
        "hasła, którą włączyłeś na stronie Konto. Do czasu zmiany pozostałe strony Twojego konta "
        "są niedostępne."
    ),
    "password_change.done": (
        "Hasło zostało zmienione. Wylogowaliśmy wszystkie pozostałe sesje Twojego konta i "
        "wysłaliśmy potwierdzenie na Twój adres email."
    ),
    "password_change.go_account": "Przejdź do strony Konto",
    "password_change.forgot": "Nie pamiętasz obecnego hasła? Ustaw nowe przez email",
    "password_change.conflict": (
        "Hasło zostało w międzyczasie zmienione w innym miejscu. Odśwież stronę i spróbuj ponownie."
    ),
    "error.current_password_empty": "Podaj obecne hasło.",
    "error.current_password_wrong": "Obecne hasło jest nieprawidłowe.",
    "reset.title": "Ustawienie nowego hasła",
    "reset.lead": ("Podaj adres email swojego konta. Wyślemy na niego link, pod którym ustawisz nowe hasło."),
    "reset.submit": "Wyślij link",
    "reset.sent": (
        "Jeśli w Fakturowo jest konto z adresem {email}, wysłaliśmy na ten adres wiadomość "
        "„Ustaw nowe hasło” z linkiem. Link jest ważny {minutes} minut i działa tylko raz. Na "
        "jeden adres wysyłamy najwyżej {per_hour} takie wiadomości na godzinę. Nie widzisz "
        "wiadomości? Sprawdź folder spam."
    ),
    "reset.form_lead": "Ustaw nowe hasło do konta {email}.",
    "reset.set_submit": "Ustaw hasło",
    "reset.done": (
        "Nowe hasło zostało ustawione. Wylogowaliśmy wszystkie sesje Twojego konta i wysłaliśmy "
        "potwierdzenie na Twój adres email. Możesz się teraz zalogować nowym hasłem."
    ),
    "reset.request_again": "Możesz poprosić o nowy link:",
    "reset.go_login": "Przejdź do logowania",
    "account.periodic.sentence": (
        "Masz włączoną opcję okresowej zmiany hasła, zatem nasz system {how_often} (w dniu "
        "{date}) podczas logowania wymusi zmianę hasła do Twojego konta, więcej informacji w "
        "naszym dziale pomocy."
    ),
    "account.periodic.sentence_every_login": (
        "Masz włączoną opcję okresowej zmiany hasła, zatem nasz system przy każdym logowaniu, "
        "począwszy od dnia {date}, wymusi zmianę hasła do Twojego konta, więcej informacji w "
        "naszym dziale pomocy."
    ),
    "account.periodic.overdue": (
        "Ten termin już nadszedł: przy najbliższym logowaniu trzeba będzie ustawić nowe hasło."
    ),
    "account.periodic.explain": (
        "Po włączeniu tej opcji nasz system {how_often} podczas logowania wymusi zmianę hasła. "
        "Nie jest to konieczne, jeśli Twoje hasło jest długie i nie używasz go w innych serwisach."
    ),
    "account.periodic.once_a_year": "raz na rok",
    "account.periodic.daily": "codziennie",
    "account.periodic.every_n_days": "co {n} dni",
    "account.periodic.every_login": "przy każdym logowaniu",
    "account.periodic.saved_on": "Zapisano: okresowa zmiana hasła jest włączona.",
    "account.periodic.saved_off": "Zapisano: okresowa zmiana hasła jest wyłączona.",
    "account.periodic.change_now": "Zmień hasło teraz",
    "mail.reset.subject": "Ustaw nowe hasło",
    "mail.password_changed.subject": "Twoje hasło zostało zmienione",
    "mail.password_notice.subject": "Za 14 dni zmiana hasła",
    # Mail
    "mail.confirm.subject": "Potwierdź adres email",
    "mail.footer": "Wiadomość wysłana automatycznie przez Fakturowo. Prosimy na nią nie odpowiadać.",
    # Consents and reminders (issue 5)
    "mail.reminder_30.subject": "Twój abonament kończy się za 30 dni",
    "mail.reminder_5.subject": "Twój abonament kończy się za 5 dni",
    "mail.review.subject": "Podziel się opinią o Fakturowo",
    "unsubscribe.title": "Wypisanie z wiadomości",
    "unsubscribe.consent.reminders": "przypomnienia o końcu abonamentu",
    "unsubscribe.consent.info": "wiadomości informacyjne",
    "unsubscribe.lead": (
        "Ten link wypisuje konto o numerze ID {user_id} z wiadomości: {consent}. Naciśnij "
        "przycisk, aby wycofać tę zgodę; samo otwarcie strony niczego nie zmienia."
    ),
    "unsubscribe.submit": "Wypisz mnie",
    "unsubscribe.done": (
        "Wypisano: nie będziemy już wysyłać Ci wiadomości ({consent}). Zgodę możesz ponownie "
        "wyrazić na stronie Konto, w części „Zgody na otrzymywanie wiadomości”."
    ),
    "unsubscribe.already": ("Ta zgoda jest już wycofana: nie wysyłamy Ci tych wiadomości ({consent})."),
    "unsubscribe.account_gone": (
        "To konto nie istnieje: zostało usunięte, więc nie wyślemy na ten adres żadnych wiadomości."
    ),
    "unsubscribe.invalid": "Ten link do wypisania się jest nieprawidłowy.",
    "unsubscribe.bad_request": (
        "Nieprawidłowe żądanie: wypisanie jednym kliknięciem wymaga treści List-Unsubscribe=One-Click."
    ),
}
