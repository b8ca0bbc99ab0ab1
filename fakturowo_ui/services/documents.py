"""VAT invoices: numbering per month, totals per VAT rate in Decimal, issuing under the plan's limit.

Totals follow the usual Polish method: each line's net value is quantity x net price rounded to
grosze; for each VAT rate the tax is computed once from the sum of that rate's net values and
rounded to grosze (halves up); gross is net + tax. An issued invoice keeps copies of the seller's
and buyer's details and is never edited afterwards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from num2words import num2words
from sqlmodel import Session, col

from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import N_, Count, Phrase, formats
from fakturowo_ui.models import Client, Document, DocumentItem, Product, SellerProfile, User
from fakturowo_ui.services import clients, clock, money, polish, products, seller, submissions, subscriptions
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.listing import (
    PER_PAGE,
    Page,
    clean_text,
    owned_row,
    paged,
    search_condition,
)

if TYPE_CHECKING:
    from fakturowo_ui.services.sessions import CurrentUser

MAX_ITEMS = 100
# "Sposób płatności": the stored code of each method and its label's key, in the form's order.
PAYMENT_LABELS = {"transfer": N_("payment.transfer"), "cash": N_("payment.cash"), "card": N_("payment.card")}
PAYMENT_METHODS = tuple(PAYMENT_LABELS)
# "Termin płatności" the form suggests: this many days after the issue date.
DEFAULT_DUE_DAYS = 14
MAX_PLACE = 100
NUMBER_PREFIX = "FV"
_NUMBER_RE = re.compile(r"^FV (\d+)/(\d{1,2})/(\d{4})$")
# Print order of the rates in the summary.
_RATE_ORDER = {rate: index for index, rate in enumerate(products.VAT_RATES)}


# -- totals ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Line:
    """A checked invoice line."""

    name: str
    quantity: Decimal
    unit: str
    net_price: Decimal
    vat_rate: str

    @property
    def net_value(self) -> Decimal:
        """Quantity x net price, rounded to grosze."""
        return money.round_grosze(self.quantity * self.net_price)


@dataclasses.dataclass(frozen=True)
class RateTotal:
    """The sums of one VAT rate."""

    vat_rate: str
    net: Decimal
    vat: Decimal
    gross: Decimal


@dataclasses.dataclass(frozen=True)
class Totals:
    """An invoice's totals: per VAT rate (in print order) and in all."""

    by_rate: tuple[RateTotal, ...]
    net: Decimal
    vat: Decimal
    gross: Decimal


def rate_percent(vat_rate: str) -> Decimal:
    """23 -> 0.23; "zw" (exempt) and 0 -> 0."""
    return Decimal(0) if vat_rate == "zw" else Decimal(vat_rate) / 100


def rate_label(vat_rate: str) -> str:
    """How a rate is printed: "23%", "zw"."""
    return "zw" if vat_rate == "zw" else f"{vat_rate}%"


def compute_totals(lines: Iterable[Line]) -> Totals:
    """Totals per VAT rate and in all, from the lines' rounded net values."""
    nets: dict[str, Decimal] = {}
    for line in lines:
        nets[line.vat_rate] = nets.get(line.vat_rate, Decimal("0.00")) + line.net_value
    by_rate = []
    for rate in sorted(nets, key=lambda r: _RATE_ORDER.get(r, 99)):
        net = nets[rate]
        vat = money.round_grosze(net * rate_percent(rate))
        by_rate.append(RateTotal(rate, net, vat, net + vat))
    zero = Decimal("0.00")
    return Totals(
        by_rate=tuple(by_rate),
        net=sum((r.net for r in by_rate), zero),
        vat=sum((r.vat for r in by_rate), zero),
        gross=sum((r.gross for r in by_rate), zero),
    )


def lines_of(items: Iterable[DocumentItem]) -> list[Line]:
    """Stored items as lines (for totals and printing)."""
    return [
        Line(i.name, Decimal(i.quantity), i.unit, Decimal(i.net_price), i.vat_rate)
        for i in sorted(items, key=lambda item: item.position)
    ]


# -- numbering ------------------------------------------------------------------------------------


def format_number(sequence: int, day: dt.date) -> str:
    """FV 1/11/2026: the sequence within the month of issue, the month, the year."""
    return f"{NUMBER_PREFIX} {sequence}/{day.month}/{day.year}"


def next_number(session: Session, user_id: int, issue_date: dt.date) -> str:
    """The next free number in the month of `issue_date` (one more than the highest used)."""
    first = issue_date.replace(day=1)
    after = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    numbers = session.scalars(
        sa.select(col(Document.number)).where(
            col(Document.user_id) == user_id,
            col(Document.issue_date) >= first,
            col(Document.issue_date) < after,
        )
    ).all()
    highest = 0
    for number in numbers:
        match = _NUMBER_RE.match(number)
        if match and (int(match[2]), int(match[3])) == (first.month, first.year):
            highest = max(highest, int(match[1]))
    return format_number(highest + 1, issue_date)


# -- issuing --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ItemForm:
    """One line as typed."""

    name: str
    quantity: str
    unit: str
    net_price: str
    vat_rate: str


@dataclasses.dataclass(frozen=True)
class DocumentForm:
    """What the invoice form sends: the buyer by ID, dates as typed, the lines."""

    client_id: object
    issue_date: str
    sale_date: str
    items: Sequence[ItemForm]
    place_of_issue: str = ""
    payment_method: str = "transfer"
    # Empty: no due date on the invoice (the form suggests one).
    due_date: str = ""


def parse_date(raw: object, field: str | Phrase) -> dt.date:
    """A date typed as YYYY-MM-DD (date inputs) or DD-MM-YYYY / DD.MM.YYYY, years 2000-2099."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise DomainError("date.empty", field=field)
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
        if not 2000 <= day.year <= 2099:
            break
        return day
    raise DomainError("date.invalid", field=field)


def check_line(item: ItemForm, position: int) -> Line:
    """A line checked field by field; the error names the line."""
    try:
        return Line(
            name=clean_text(item.name, Phrase("field.name"), 200, required=True),
            quantity=money.parse_quantity(item.quantity),
            unit=products.clean_unit(item.unit),
            net_price=money.parse_price(item.net_price),
            vat_rate=products.clean_vat_rate(item.vat_rate),
        )
    except DomainError as error:
        raise DomainError("document.line_error", position=position, message=error.message()) from None


@dataclasses.dataclass(frozen=True)
class Payment:
    """Where the invoice is issued and how it is paid."""

    place_of_issue: str
    method: str
    due_date: dt.date | None


def check_payment(form: DocumentForm, issue_date: dt.date) -> Payment:
    """The place of issue (optional), one of PAYMENT_METHODS and a due date not before the issue."""
    place = clean_text(form.place_of_issue, Phrase("field.place_of_issue"), MAX_PLACE)
    method = form.payment_method if isinstance(form.payment_method, str) else ""
    if method not in PAYMENT_METHODS:
        raise DomainError("document.payment_method")
    due = None
    if isinstance(form.due_date, str) and form.due_date.strip():
        due = parse_date(form.due_date, Phrase("field.due_date"))
        if due < issue_date:
            raise DomainError("document.due_before_issue")
    return Payment(place, method, due)


def default_due_date(issue_date: dt.date) -> dt.date:
    """The "Termin płatności" the form suggests."""
    return issue_date + dt.timedelta(days=DEFAULT_DUE_DAYS)


def amount_in_words(amount: Decimal) -> str:
    """The amount due in Polish words, as an invoice's "Słownie" says it: "tysiąc dwieście
    trzydzieści złotych, pięćdziesiąt groszy" (num2words knows the Polish plural forms)."""
    return num2words(money.round_grosze(amount), lang="pl", to="currency", currency="PLN")


def check_form(form: DocumentForm) -> tuple[dt.date, dt.date, list[Line], Totals, Payment]:
    """Everything that can be checked without the database."""
    issue_date = parse_date(form.issue_date, Phrase("field.issue_date"))
    sale_date = parse_date(form.sale_date, Phrase("field.sale_date"))
    payment = check_payment(form, issue_date)
    if not form.items:
        raise DomainError("document.no_items")
    if len(form.items) > MAX_ITEMS:
        raise DomainError("document.too_many_items", maximum=MAX_ITEMS)
    lines = [check_line(item, position) for position, item in enumerate(form.items, start=1)]
    totals = compute_totals(lines)
    if totals.gross > money.MAX_DOCUMENT_GROSS:
        raise DomainError("document.too_large")
    return issue_date, sale_date, lines, totals, payment


def _next_month_start(today: dt.date) -> dt.date:
    return dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)


def check_limit(session: Session, user_id: int, today: dt.date) -> None:
    """Refuse when the free plan's documents of this Warsaw month are used up."""
    plan = subscriptions.plan_status(session, user_id, today)
    if plan.documents_left is not None and plan.documents_left <= 0:
        raise DomainError(
            "document.limit",
            limit=Count("count.documents", plan.documents_limit or 0),
            since=formats.date(_next_month_start(today)),
        )


def issue(user_id: int, form: DocumentForm) -> Document:
    """Issue an invoice: checked, limited, numbered and stored in one write transaction.

    The transaction takes the write lock first (SQLite BEGIN IMMEDIATE; on PostgreSQL the user's
    row FOR UPDATE), so two invoices issued at the same moment are counted and numbered one
    after the other: they can neither both slip past the limit nor get the same number.
    """
    checked_form = check_form(form)
    with session_scope(write_lock=True) as session:
        return _store(session, _checked(session, user_id, form, checked_form))


@dataclasses.dataclass(frozen=True)
class _Checked:
    """An invoice that passed every check, ready to be numbered and stored."""

    user_id: int
    today: dt.date
    issue_date: dt.date
    sale_date: dt.date
    lines: list[Line]
    totals: Totals
    profile: SellerProfile
    buyer: Client
    payment: Payment


def _checked(
    session: Session,
    user_id: int,
    form: DocumentForm,
    checked_form: tuple[dt.date, dt.date, list[Line], Totals, Payment],
) -> _Checked:
    """Lock the user's row, then check the plan's limit, the seller's details and the buyer, in
    that order; writes nothing, so a refusal here leaves nothing to undo."""
    issue_date, sale_date, lines, totals, payment = checked_form
    session.execute(sa.select(col(User.id)).where(col(User.id) == user_id).with_for_update())
    today = clock.today_warsaw()
    check_limit(session, user_id, today)
    profile = seller.get(session, user_id)
    if profile is None or not seller.is_complete(profile):
        raise DomainError("document.no_seller")
    buyer = clients.get(session, user_id, form.client_id)
    return _Checked(user_id, today, issue_date, sale_date, lines, totals, profile, buyer, payment)


def _store(session: Session, checked: _Checked) -> Document:
    """Count, number and store a checked invoice with its lines."""
    user_id, profile, buyer, totals = checked.user_id, checked.profile, checked.buyer, checked.totals
    subscriptions.record_issued_document(session, user_id, checked.today)
    document = Document(
        user_id=user_id,
        client_id=buyer.id,
        number=next_number(session, user_id, checked.issue_date),
        issue_date=checked.issue_date,
        sale_date=checked.sale_date,
        created_at=clock.now(),
        seller_name=profile.company_name,
        seller_nip=profile.nip,
        seller_address=profile.address,
        seller_bank_account=profile.bank_account,
        buyer_name=buyer.name,
        buyer_nip=buyer.nip,
        buyer_address=buyer.address,
        total_net=totals.net,
        total_vat=totals.vat,
        total_gross=totals.gross,
        place_of_issue=checked.payment.place_of_issue,
        payment_method=checked.payment.method,
        due_date=checked.payment.due_date,
    )
    document.search_text = polish.fold(f"{document.number} {buyer.name} {buyer.nip}")
    session.add(document)
    session.flush()
    for position, line in enumerate(checked.lines, start=1):
        session.add(
            DocumentItem(
                document_id=document.id,
                position=position,
                name=line.name,
                quantity=line.quantity,
                unit=line.unit,
                net_price=line.net_price,
                vat_rate=line.vat_rate,
            )
        )
    session.flush()
    return document


# -- reading and deleting -------------------------------------------------------------------------


def get(session: Session, user_id: int, document_id: object) -> Document:
    """The user's own document; any other ID is refused."""
    return owned_row(session, Document, user_id, document_id, N_("document.not_found"))


def items_of(session: Session, document_id: int) -> list[DocumentItem]:
    """A document's lines in order (the caller has checked whose document it is)."""
    return list(
        session.scalars(
            sa.select(DocumentItem)
            .where(col(DocumentItem.document_id) == document_id)
            .order_by(col(DocumentItem.position))
        ).all()
    )


def delete(session: Session, user_id: int, document_id: object) -> None:
    """Delete the user's own document with its lines."""
    document = get(session, user_id, document_id)
    session.execute(sa.delete(DocumentItem).where(col(DocumentItem.document_id) == document.id))
    session.delete(document)
    session.flush()


def search(
    session: Session, user_id: int, query: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page[Document]:
    """One page of the user's documents, newest first, matching the query in number or buyer."""
    where = [col(Document.user_id) == user_id]
    condition = search_condition(query, Document.search_text)
    if condition is not None:
        where.append(condition)
    statement = (
        sa.select(Document).where(*where).order_by(col(Document.issue_date).desc(), col(Document.id).desc())
    )
    count = sa.select(sa.func.count()).select_from(Document).where(*where)
    return paged(session, statement, count, page, per_page)


def file_name(number: str) -> str:
    """A file name for a document's PDF: "FV 1/11/2026" -> "FV_1_11_2026.pdf"."""
    return re.sub(r"[^A-Za-z0-9-]+", "_", number).strip("_") + ".pdf"


# -- the steps of /dokumenty and /wystaw: each the work of one private event (state/events.act) --


@dataclasses.dataclass(frozen=True)
class ListPage:
    """One page of the user's documents and the plan (this month's documents left)."""

    rows: Page[Document]
    plan: subscriptions.PlanStatus


@dataclasses.dataclass(frozen=True)
class Shown:
    """One document with its lines, for /dokumenty?pokaz=<id>."""

    document: Document
    items: list[DocumentItem]


@dataclasses.dataclass(frozen=True)
class OpenedPage:
    """What /dokumenty opens with: the document asked for (or why not) and the list."""

    shown: Shown | None
    refusal: DomainError | None
    listing: ListPage


def _list_page(session: Session, user_id: int, query: str, page: int) -> ListPage:
    return ListPage(search(session, user_id, query, page), subscriptions.plan_status(session, user_id))


def page_for(session: Session, user: CurrentUser, query: str = "", page: int = 1) -> ListPage:
    """One page of the user's documents and the plan."""
    return _list_page(session, user.user_id, query, page)


def open_for(
    session: Session, user: CurrentUser, document_id: int, query: str = "", page: int = 1
) -> OpenedPage:
    """The document `document_id` (none for 0; refused unless it is the user's own) and the
    list's page."""
    shown = refusal = None
    if document_id:
        try:
            document = get(session, user.user_id, document_id)
            shown = Shown(document, items_of(session, document.id))
        except DomainError as error:
            refusal = error
    return OpenedPage(shown, refusal, _list_page(session, user.user_id, query, page))


def get_for(session: Session, user: CurrentUser, document_id: object) -> Document:
    """The user's own document; any other ID is refused."""
    return get(session, user.user_id, document_id)


def delete_for(
    session: Session, user: CurrentUser, document_id: object, query: str = "", page: int = 1
) -> tuple[str, ListPage]:
    """Delete the user's own document; its number and the list's page (run it with write=True)."""
    number = get(session, user.user_id, document_id).number
    delete(session, user.user_id, document_id)
    return number, _list_page(session, user.user_id, query, page)


@dataclasses.dataclass(frozen=True)
class IssueChoices:
    """What the empty invoice form of /wystaw needs."""

    seller_ready: bool
    clients: list[tuple[int, str]]
    products: list[Product]
    plan: subscriptions.PlanStatus
    # The place and the payment method of the user's latest invoice, which the next one suggests.
    last_place: str = ""
    last_method: str = PAYMENT_METHODS[0]


def issue_choices_for(session: Session, user: CurrentUser) -> IssueChoices:
    """The seller's readiness, the user's clients and products, the plan, and the place and
    payment method of the latest invoice."""
    user_id = user.user_id
    latest = session.execute(
        sa.select(col(Document.place_of_issue), col(Document.payment_method))
        .where(col(Document.user_id) == user_id)
        .order_by(col(Document.id).desc())
        .limit(1)
    ).first()
    return IssueChoices(
        seller_ready=seller.is_complete(seller.get(session, user_id)),
        clients=clients.all_for_choice(session, user_id),
        products=products.all_for_choice(session, user_id),
        plan=subscriptions.plan_status(session, user_id),
        last_place=latest[0] if latest else "",
        last_method=latest[1] if latest and latest[1] in PAYMENT_METHODS else PAYMENT_METHODS[0],
    )


@dataclasses.dataclass(frozen=True)
class Issued:
    """What "Wystaw" came to: the document, or the refusal that stored nothing; and the plan
    after it (this month's documents left)."""

    document: Document | None
    refusal: DomainError | None
    plan: subscriptions.PlanStatus


def issue_for(session: Session, user: CurrentUser, form: DocumentForm, submission: str = "") -> Issued:
    """Issue an invoice as `issue` does, inside the event's write transaction (run it with
    write=True, which takes the write lock before the session check already).

    A refusal (a line, the limit, the seller, a buyer not the user's own) is raised before
    anything is written, so it is returned with the plan rather than raised: the page shows
    both from this one transaction.
    """
    key = submissions.clean_key(submission)
    # The user's row is locked first, so of two events with the same form key the second waits
    # and then finds the first one's invoice (issue 13: one click, one document).
    session.execute(sa.select(col(User.id)).where(col(User.id) == user.user_id).with_for_update())
    made = submissions.previous(session, user.user_id, key, "document")
    if made is not None:
        return Issued(session.get(Document, made), None, subscriptions.plan_status(session, user.user_id))
    try:
        checked = _checked(session, user.user_id, form, check_form(form))
    except DomainError as refusal:
        return Issued(None, refusal, subscriptions.plan_status(session, user.user_id))
    document = _store(session, checked)
    submissions.remember(session, user.user_id, key, "document", document.id)
    return Issued(document, None, subscriptions.plan_status(session, user.user_id))
