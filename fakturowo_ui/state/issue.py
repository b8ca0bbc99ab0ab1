"""State of /wystaw: the buyer, the dates and the lines of a new invoice.

Every event runs one step of services/documents.py (or products.STEPS, for "add a product")
through state/events.act: the session check and the step in one transaction, off the event loop.
"""

from __future__ import annotations

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.i18n import formats, t
from fakturowo_ui.services import clock, documents, products
from fakturowo_ui.services.submissions import new_key
from fakturowo_ui.state.auth import UserBoundState
from fakturowo_ui.state.common import documents_left_text, text_field, whole_number
from fakturowo_ui.state.events import act
from fakturowo_ui.state.messages import PageMessage

# What the page offers (a page takes nothing from services/ itself).
PAYMENT_LABELS = documents.PAYMENT_LABELS
MAX_PLACE = documents.MAX_PLACE
_NEW_LINE = {"name": "", "quantity": "1", "unit": "szt.", "net_price": "", "vat_rate": "23"}


class IssueState(PageMessage, UserBoundState):
    """/wystaw: the buyer, the dates and the lines of a new invoice."""

    loaded: bool = False
    busy: bool = False
    seller_ready: bool = False
    client_options: rx.Field[list[list[str]]] = rx.field([])
    product_options: rx.Field[list[list[str]]] = rx.field([])
    today: str = ""
    # What "Miejsce wystawienia", "Sposób płatności" and "Termin płatności" start from: the latest
    # invoice's place and method, and a due date DEFAULT_DUE_DAYS after today.
    place_default: str = ""
    method_default: str = documents.PAYMENT_METHODS[0]
    due_default: str = ""
    lines: list[dict[str, str]] = []
    form_key: rx.Field[int] = rx.field(0)
    # This form's key (services/submissions.py): a double click or a replayed submit issues once.
    submission_key: str = ""
    product_key: rx.Field[int] = rx.field(0)
    left_text: str = ""
    _next_line: int = 0

    def _line(self, values: dict[str, str]) -> dict[str, str]:
        self._next_line += 1
        return {**_NEW_LINE, **values, "key": str(self._next_line)}

    @rx.event
    async def on_load(self):
        """An empty invoice for the logged-in user, with today's dates and one empty line."""
        done = await act(self, documents.issue_choices_for, what="loading /wystaw")
        if not done.ok:
            return self._refused(done)
        choices = done.value
        self._update(
            seller_ready=choices.seller_ready,
            client_options=[[str(i), name] for i, name in choices.clients],
            product_options=[
                [
                    str(p.id),
                    f"{p.name} ({formats.money(p.net_price)}, {documents.rate_label(p.vat_rate)})",
                ]
                for p in choices.products
            ],
            left_text=documents_left_text(choices.plan),
            today=clock.today_warsaw().isoformat(),
            place_default=choices.last_place,
            method_default=choices.last_method,
            due_default=documents.default_due_date(clock.today_warsaw()).isoformat(),
            message="",
            message_is_error=False,
            busy=False,
            loaded=True,
        )
        self.lines = [self._line({})]
        self.form_key += 1
        self.submission_key = new_key()
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
        if not done.ok:
            return self._refused(done)
        p = done.value
        values = {
            "name": p.name,
            "quantity": "1",
            "unit": p.unit,
            "net_price": formats.plain_amount(p.net_price),
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
    def buyer_chosen(self, client_id: str):
        """A buyer chosen after the form said to choose one: that message no longer stands."""
        if isinstance(client_id, str) and client_id and self.message == t("document.no_client"):
            self._say("")

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
            self._say(done.error or t("document.no_client"), error=True)
            return
        self._keep_typed(form_data)
        form = documents.DocumentForm(
            client_id=whole_number(raw_client, -1),
            issue_date=text_field(form_data, "issue_date", 40),
            sale_date=text_field(form_data, "sale_date", 40),
            items=[documents.ItemForm(**{name: line[name] for name in _NEW_LINE}) for line in self.lines],
            place_of_issue=text_field(form_data, "place_of_issue", 600),
            # A form without the field (a tab opened before it existed) means a transfer, as
            # invoices issued before it say; a value sent is checked.
            payment_method=(
                text_field(form_data, "payment_method", 20)
                if "payment_method" in form_data
                else documents.PAYMENT_METHODS[0]
            ),
            due_date=text_field(form_data, "due_date", 40),
        )
        self._say("")
        self.busy = True
        yield
        try:
            # Checked, counted, numbered and stored, and the plan after it: one write transaction.
            done = await act(
                self,
                documents.issue_for,
                form,
                text_field(form_data, "submission", 64),
                write=True,
                what="issuing a document",
            )
        finally:
            self.busy = False
        if not done.ok:
            if (redirect := self._refused(done)) is not None:
                yield redirect
            return
        issued = done.value
        self._update(left_text=documents_left_text(issued.plan))
        if issued.refusal is not None or issued.document is None:
            refusal = issued.refusal.message() if issued.refusal else t("common.unexpected")
            self._say(refusal, error=True)
            return
        yield rx.redirect(routes.here(routes.show_document(issued.document.id, issued=True)))
