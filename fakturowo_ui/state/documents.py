"""States of /dokumenty (list, one document's view) and /wystaw (the new invoice form).

Every event runs one step of services/documents.py (or products.STEPS) through state/events.act:
the session check and the step in one transaction, off the event loop.
"""

from __future__ import annotations

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.i18n import t
from fakturowo_ui.services import clock, documents, money, products, subscriptions
from fakturowo_ui.services.nip import format_nip
from fakturowo_ui.state.auth import UserBoundState
from fakturowo_ui.state.common import text_field, whole_number
from fakturowo_ui.state.events import act
from fakturowo_ui.state.lists import PagedList


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

    def _list_work(self):
        return documents.page_for

    def _show_page(self, listing: documents.ListPage) -> None:
        result = listing.rows
        self._update(
            rows=[
                {
                    "id": str(d.id),
                    "number": d.number,
                    "buyer": d.buyer_name,
                    "issue_date": clock.format_date(d.issue_date),
                    "gross": money.format_amount(d.total_gross),
                    "href": routes.show_document(d.id),
                    "pdf": routes.document_pdf(d.id),
                }
                for d in result.rows
            ],
            page=result.page,
            pages=result.pages,
            total=result.total,
            left_text=documents_left_text(listing.plan),
            shown_query=self.query,
            loaded=True,
        )

    @staticmethod
    def _view_values(shown: documents.Shown) -> dict[str, object]:
        d = shown.document
        lines = documents.lines_of(shown.items)
        totals = documents.compute_totals(lines)
        return {
            "view_id": d.id,
            "view": {
                "heading": t("documents.view_heading", number=d.number),
                "number": d.number,
                "issue_date": clock.format_date(d.issue_date),
                "sale_date": clock.format_date(d.sale_date),
                "seller_name": d.seller_name,
                "seller_address": d.seller_address,
                "seller_nip": format_nip(d.seller_nip),
                "seller_bank_account": d.seller_bank_account,
                "buyer_name": d.buyer_name,
                "buyer_address": d.buyer_address,
                "buyer_nip": format_nip(d.buyer_nip) if d.buyer_nip else "",
                "to_pay": t("documents.to_pay", amount=money.format_amount(totals.gross)),
                "pdf": routes.document_pdf(d.id),
                "pdf_name": documents.file_name(d.number),
            },
            "view_items": [
                {
                    "position": str(n),
                    "name": line.name,
                    "quantity": money.format_quantity(line.quantity),
                    "unit": line.unit,
                    "net_price": money.format_amount(line.net_price),
                    "net_value": money.format_amount(line.net_value),
                    "vat_rate": documents.rate_label(line.vat_rate),
                }
                for n, line in enumerate(lines, start=1)
            ],
            "view_rates": [
                {
                    "rate": documents.rate_label(r.vat_rate),
                    "net": money.format_amount(r.net),
                    "vat": money.format_amount(r.vat),
                    "gross": money.format_amount(r.gross),
                }
                for r in totals.by_rate
            ]
            + [
                {
                    "rate": t("documents.together"),
                    "net": money.format_amount(totals.net),
                    "vat": money.format_amount(totals.vat),
                    "gross": money.format_amount(totals.gross),
                }
            ],
        }

    @rx.event
    async def on_load(self):
        """The list, or the document named by ?pokaz= when it is the user's own."""
        params = self.router.url.query_parameters
        shown = whole_number(params.get("pokaz", 0))
        # The document asked for (refused unless it is the user's own) and the list: one step.
        done = await act(self, documents.open_for, shown, "", 1, what="loading /dokumenty")
        if done.redirect is not None:
            return done.redirect
        values: dict[str, object] = {
            "message": "",
            "message_is_error": False,
            "deleting_id": 0,
            "deleting_name": "",
            "view_id": 0,
            "view": {},
            "view_items": [],
            "view_rates": [],
            "query": "",
            "page": 1,
        }
        if not done.ok:
            values.update(message=done.error, message_is_error=True)
            self._update(**values)
            return None
        opened = done.value
        if opened.shown is not None:
            values.update(self._view_values(opened.shown))
        elif opened.refusal is not None:
            values.update(message=opened.refusal.message(), message_is_error=True)
        if params.get("wystawiono", "") and opened.shown is not None:
            values["message"] = t("issue.done", number=opened.shown.document.number)
        self._update(**values)
        self._show_page(opened.listing)
        return None

    @rx.event
    async def ask_delete(self, document_id: int):
        """Ask before deleting one of the user's own documents."""
        done = await act(self, documents.get_for, whole_number(document_id), what="opening a document")
        if done.redirect is not None:
            return done.redirect
        if not done.ok:
            self._update(message=done.error, message_is_error=True)
            return None
        self._update(deleting_id=done.value.id, deleting_name=done.value.number)
        return None

    @rx.event
    async def delete(self, document_id: int):
        """Delete one of the user's own documents (any other ID is refused, nothing changes)."""
        done = await act(
            self,
            documents.delete_for,
            whole_number(document_id),
            self.query,
            self.page,
            write=True,
            what="deleting a document",
        )
        if done.redirect is not None:
            return done.redirect
        if not done.ok:
            self._update(message=done.error, message_is_error=True)
            return None
        number, listing = done.value
        self._update(
            deleting_id=0,
            deleting_name="",
            message=t("documents.deleted", number=number),
            message_is_error=False,
        )
        self._show_page(listing)
        return None


_NEW_LINE = {"name": "", "quantity": "1", "unit": "szt.", "net_price": "", "vat_rate": "23"}


class IssueState(UserBoundState):
    """/wystaw: the buyer, the dates and the lines of a new invoice."""

    loaded: bool = False
    busy: bool = False
    seller_ready: bool = False
    client_options: rx.Field[list[list[str]]] = rx.field([])
    product_options: rx.Field[list[list[str]]] = rx.field([])
    today: str = ""
    lines: list[dict[str, str]] = []
    form_key: rx.Field[int] = rx.field(0)
    product_key: rx.Field[int] = rx.field(0)
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
        done = await act(self, documents.issue_choices_for, what="loading /wystaw")
        if done.redirect is not None:
            return done.redirect
        if not done.ok:
            self._update(message=done.error, message_is_error=True)
            return None
        choices = done.value
        self._update(
            seller_ready=choices.seller_ready,
            client_options=[[str(i), name] for i, name in choices.clients],
            product_options=[
                [
                    str(p.id),
                    f"{p.name} ({money.format_amount(p.net_price)} zł, {documents.rate_label(p.vat_rate)})",
                ]
                for p in choices.products
            ],
            left_text=documents_left_text(choices.plan),
            today=clock.today_warsaw().isoformat(),
            message="",
            message_is_error=False,
            busy=False,
            loaded=True,
        )
        self.lines = [self._line({})]
        self.form_key += 1
        return None

    def _keep_typed(self, form_data: dict) -> None:
        # Lines are uncontrolled inputs named <field>-<key>; keep what was typed across re-renders.
        if not isinstance(form_data, dict):
            return  # a forged payload: nothing typed to keep
        self.lines = [
            {
                **line,
                **{
                    name: text_field(form_data, f"{name}-{line['key']}", 600)
                    for name in _NEW_LINE
                    if f"{name}-{line['key']}" in form_data
                },
            }
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
        if not product_id:
            return (await act(self, None)).redirect
        done = await act(self, products.STEPS.get_for, whole_number(product_id), what="adding a product")
        if done.redirect is not None:
            return done.redirect
        if not done.ok:
            self._update(message=done.error, message_is_error=True)
            return None
        p = done.value
        values = {
            "name": p.name,
            "quantity": "1",
            "unit": p.unit,
            "net_price": money.plain_amount(p.net_price),
            "vat_rate": p.vat_rate,
        }
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
        raw_client = text_field(form_data, "client_id", 20)
        if not raw_client:
            done = await act(self, None)  # only the session check: there is nothing to issue
            if done.redirect is not None:
                yield done.redirect
                return
            self._keep_typed(form_data)
            self._update(message=done.error or t("document.no_client"), message_is_error=True)
            return
        self._keep_typed(form_data)
        form = documents.DocumentForm(
            client_id=whole_number(raw_client, -1),
            issue_date=text_field(form_data, "issue_date", 40),
            sale_date=text_field(form_data, "sale_date", 40),
            items=[documents.ItemForm(**{name: line[name] for name in _NEW_LINE}) for line in self.lines],
        )
        self._update(message="", message_is_error=False)
        self.busy = True
        yield
        try:
            # Checked, counted, numbered and stored, and the plan after it: one write transaction.
            done = await act(self, documents.issue_for, form, write=True, what="issuing a document")
        finally:
            self.busy = False
        if done.redirect is not None:
            yield done.redirect
            return
        if not done.ok:
            self._update(message=done.error, message_is_error=True)
            return
        issued = done.value
        self._update(left_text=documents_left_text(issued.plan))
        if issued.refusal is not None or issued.document is None:
            refusal = issued.refusal.message() if issued.refusal else t("common.unexpected")
            self._update(message=refusal, message_is_error=True)
            return
        yield rx.redirect(routes.show_document(issued.document.id, issued=True))
