"""States of /dokumenty (list, one document's view) and /wystaw (the new invoice form).

Each event's database work is one service step (one transaction) run by `blocking.db` in the
database pool, never on the event loop.
"""

from __future__ import annotations

import logging

import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services import blocking, clock, documents, money, products, subscriptions
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.nip import format_nip
from fakturowo_ui.state.auth import (
    UserBoundState,
    login_redirect,
    require_user,
)
from fakturowo_ui.state.common import text_field, whole_number
from fakturowo_ui.state.lists import PagedList

log = logging.getLogger("fakturowo.state")


def documents_left_text(plan: subscriptions.PlanStatus) -> str:
    """This month's documents left, as /konto says it."""
    if plan.documents_left is None:
        return t("account.subscription.unlimited")
    return t("account.subscription.left", left=plan.documents_left, limit=plan.documents_limit)


class DocumentsState(PagedList, UserBoundState):
    """/dokumenty: the list, or one document when the address says ?pokaz=<id>."""

    left_text: str = ""
    # The document shown (0: the list is shown).
    view_id: int = 0
    view: dict[str, str] = {}
    view_items: list[dict[str, str]] = []
    view_rates: list[dict[str, str]] = []

    def _show_page(self, listing: documents.ListPage) -> None:
        result = listing.rows
        self.rows = [
            {"id": str(d.id), "number": d.number, "buyer": d.buyer_name,
             "issue_date": clock.format_date(d.issue_date), "gross": money.format_amount(d.total_gross),
             "pdf": f"/pliki/faktura/{d.id}"}
            for d in result.rows
        ]
        self.page, self.pages, self.total = result.page, result.pages, result.total
        self.left_text = documents_left_text(listing.plan)
        self.shown_query = self.query
        self.loaded = True

    async def _reload(self, user_id: int) -> None:
        self._show_page(await blocking.db(documents.list_page, user_id, self.query, self.page))

    def _show(self, shown: documents.Shown) -> None:
        d = shown.document
        lines = documents.lines_of(shown.items)
        totals = documents.compute_totals(lines)
        self.view_id = d.id
        self.view = {
            "heading": t("documents.view_heading", number=d.number), "number": d.number,
            "issue_date": clock.format_date(d.issue_date), "sale_date": clock.format_date(d.sale_date),
            "seller_name": d.seller_name, "seller_address": d.seller_address,
            "seller_nip": format_nip(d.seller_nip), "seller_bank_account": d.seller_bank_account,
            "buyer_name": d.buyer_name, "buyer_address": d.buyer_address,
            "buyer_nip": format_nip(d.buyer_nip) if d.buyer_nip else "",
            "to_pay": t("documents.to_pay", amount=money.format_amount(totals.gross)),
            "pdf": f"/pliki/faktura/{d.id}", "pdf_name": documents.file_name(d.number),
        }
        self.view_items = [
            {"position": str(n), "name": line.name, "quantity": money.format_quantity(line.quantity),
             "unit": line.unit, "net_price": money.format_amount(line.net_price),
             "net_value": money.format_amount(line.net_value), "vat_rate": documents.rate_label(line.vat_rate)}
            for n, line in enumerate(lines, start=1)
        ]
        self.view_rates = [
            {"rate": documents.rate_label(r.vat_rate), "net": money.format_amount(r.net),
             "vat": money.format_amount(r.vat), "gross": money.format_amount(r.gross)}
            for r in totals.by_rate
        ] + [{"rate": t("documents.together"), "net": money.format_amount(totals.net),
              "vat": money.format_amount(totals.vat), "gross": money.format_amount(totals.gross)}]

    @rx.event
    async def on_load(self):
        """The list, or the document named by ?pokaz= when it is the user's own."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        self.message, self.message_is_error = "", False
        self.deleting_id, self.deleting_name = 0, ""
        self.view_id, self.view, self.view_items, self.view_rates = 0, {}, [], []
        params = self.router.url.query_parameters
        shown = whole_number(params.get("pokaz", 0))
        self.query, self.page = "", 1
        # The document asked for (refused unless it is the user's own) and the list: one step.
        opened = await blocking.db(documents.open_page, user.user_id, shown, self.query, self.page)
        if opened.shown is not None:
            self._show(opened.shown)
        elif opened.refusal is not None:
            self.message, self.message_is_error = opened.refusal.message(), True
        self._show_page(opened.listing)
        issued = params.get("wystawiono", "")
        if issued and self.view_id:
            self.message = t("issue.done", number=self.view.get("number", ""))
        return None

    @rx.event
    async def ask_delete(self, document_id: int):
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        try:
            d = await blocking.db(documents.get_own, user.user_id, whole_number(document_id))
        except DomainError as error:
            self.message, self.message_is_error = error.message(), True
            return None
        self.deleting_id, self.deleting_name = d.id, d.number
        return None

    @rx.event
    async def delete(self, document_id: int):
        """Delete one of the user's own documents (any other ID is refused, nothing changes)."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        try:
            number, listing = await blocking.db(
                documents.delete_and_list, user.user_id, whole_number(document_id), self.query, self.page
            )
        except DomainError as error:
            self.message, self.message_is_error = error.message(), True
            return None
        self.deleting_id, self.deleting_name = 0, ""
        self.message, self.message_is_error = t("documents.deleted", number=number), False
        self._show_page(listing)
        return None


_NEW_LINE = {"name": "", "quantity": "1", "unit": "szt.", "net_price": "", "vat_rate": "23"}


class IssueState(UserBoundState):
    """/wystaw: the buyer, the dates and the lines of a new invoice."""

    loaded: bool = False
    busy: bool = False
    seller_ready: bool = False
    client_options: list[list[str]] = []
    product_options: list[list[str]] = []
    today: str = ""
    lines: list[dict[str, str]] = []
    form_key: int = 0
    product_key: int = 0
    message: str = ""
    message_is_error: bool = False
    left_text: str = ""
    _next_line: int = 0

    def _line(self, values: dict[str, str]) -> dict[str, str]:
        self._next_line += 1
        return {**_NEW_LINE, **values, "key": str(self._next_line)}

    @rx.event
    async def on_load(self):
        """An empty invoice for the logged-in user, with today's dates and one empty line."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        choices = await blocking.db(documents.issue_choices, user.user_id)
        self.seller_ready = choices.seller_ready
        self.client_options = [[str(i), name] for i, name in choices.clients]
        self.product_options = [
            [str(p.id), f"{p.name} ({money.format_amount(p.net_price)} zł, {documents.rate_label(p.vat_rate)})"]
            for p in choices.products
        ]
        self.left_text = documents_left_text(choices.plan)
        self.today = clock.today_warsaw().isoformat()
        self.lines = [self._line({})]
        self.message, self.message_is_error, self.busy = "", False, False
        self.form_key += 1
        self.loaded = True
        return None

    def _keep_typed(self, form_data: dict) -> None:
        # Lines are uncontrolled inputs named <field>-<key>; keep what was typed across re-renders.
        if not isinstance(form_data, dict):
            return  # a forged payload: nothing typed to keep
        self.lines = [
            {**line, **{name: text_field(form_data, f"{name}-{line['key']}", 600)
                        for name in _NEW_LINE if f"{name}-{line['key']}" in form_data}}
            for line in self.lines
        ]

    @rx.event
    def add_line(self, form_data: dict | None = None):
        """Another empty line."""
        if len(self.lines) < documents.MAX_ITEMS:
            self.lines = [*self.lines, self._line({})]

    @rx.event
    async def add_product(self, product_id: str):
        """A line filled from one of the user's own products."""
        user = await require_user(self)
        if user is None:
            return login_redirect(self)
        if not product_id:
            return None
        try:
            p = await blocking.db(products.get_own, user.user_id, whole_number(product_id))
            values = {"name": p.name, "quantity": "1", "unit": p.unit,
                      "net_price": money.plain_amount(p.net_price), "vat_rate": p.vat_rate}
        except DomainError as error:
            self.message, self.message_is_error = error.message(), True
            return None
        # An untouched empty first line is replaced rather than left empty above the product.
        if len(self.lines) == 1 and not self.lines[0]["name"] and not self.lines[0]["net_price"]:
            self.lines = [self._line(values)]
        elif len(self.lines) < documents.MAX_ITEMS:
            self.lines = [*self.lines, self._line(values)]
        # Only the product list starts again from "—" (the rest of the form keeps what was typed).
        self.product_key += 1
        return None

    @rx.event
    def remove_line(self, key: str):
        self.lines = [line for line in self.lines if line["key"] != key]

    @rx.event
    def set_line_field(self, key: str, name: str, value: str):
        """Remember what was typed into one field of one line (so re-renders keep it)."""
        if name not in _NEW_LINE or not isinstance(value, str):
            return
        self.lines = [{**line, name: value[:600]} if line["key"] == key else line for line in self.lines]

    @rx.event
    async def submit(self, form_data: dict):
        """Issue the invoice, then show it; refusals (limit, bad line, foreign IDs) say why."""
        if self.busy:
            return
        user = await require_user(self)
        if user is None:
            yield login_redirect(self)
            return
        self._keep_typed(form_data)
        self.message, self.message_is_error = "", False
        raw_client = text_field(form_data, "client_id", 20)
        form = documents.DocumentForm(
            client_id=whole_number(raw_client, -1) if raw_client else None,
            issue_date=text_field(form_data, "issue_date", 40),
            sale_date=text_field(form_data, "sale_date", 40),
            items=[documents.ItemForm(**{name: line[name] for name in _NEW_LINE}) for line in self.lines],
        )
        if form.client_id is None:
            self.message, self.message_is_error = t("document.no_client"), True
            return
        self.busy = True
        yield
        try:
            document = await blocking.db(documents.issue, user.user_id, form)
        except DomainError as error:
            self.message, self.message_is_error = error.message(), True
        except Exception:  # noqa: BLE001 - never a traceback on screen
            log.exception("issuing a document failed")
            self.message, self.message_is_error = t("common.unexpected"), True
        else:
            yield rx.redirect(f"/dokumenty/?pokaz={document.id}&wystawiono=1")
        finally:
            self.busy = False
            self.left_text = documents_left_text(await blocking.db(subscriptions.current_plan, user.user_id))
