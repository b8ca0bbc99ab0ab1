"""State of /dokumenty: the list of the user's documents and one document's view.

Every event runs one step of services/documents.py through state/events.act: the session check
and the step in one transaction, off the event loop.
"""

from __future__ import annotations

import reflex as rx

from fakturowo_ui import routes
from fakturowo_ui.i18n import formats, t
from fakturowo_ui.services import documents
from fakturowo_ui.services.nip import format_nip
from fakturowo_ui.state import router
from fakturowo_ui.state.auth import UserBoundState
from fakturowo_ui.state.common import documents_left_text, whole_number
from fakturowo_ui.state.events import act
from fakturowo_ui.state.lists import PagedList


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

    def _get_work(self):
        return documents.get_for

    def _delete_work(self):
        return documents.delete_for

    def _row_name(self, row) -> str:
        return row.number

    def _deleted_text(self, name: str) -> str:
        return t("documents.deleted", number=name)

    def _fill_page(self, listing: documents.ListPage) -> None:
        result = listing.rows
        self._update(
            rows=[
                {
                    "id": str(d.id),
                    "number": d.number,
                    "buyer": d.buyer_name,
                    "issue_date": formats.date(d.issue_date),
                    "gross": formats.amount(d.total_gross),
                    "href": routes.here(routes.show_document(d.id)),
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
                "issue_date": formats.date(d.issue_date),
                "sale_date": formats.date(d.sale_date),
                "seller_name": d.seller_name,
                "seller_address": d.seller_address,
                "seller_nip": format_nip(d.seller_nip),
                "seller_bank_account": d.seller_bank_account,
                "buyer_name": d.buyer_name,
                "buyer_address": d.buyer_address,
                "buyer_nip": format_nip(d.buyer_nip) if d.buyer_nip else "",
                "to_pay": t("documents.to_pay", amount=formats.money(totals.gross)),
                # The invoice's own words (Polish, as on its PDF), whatever the page's language.
                "in_words": documents.amount_in_words(totals.gross),
                "place_of_issue": d.place_of_issue,
                "payment_method": t(documents.PAYMENT_LABELS.get(d.payment_method, "payment.transfer")),
                "due_date": formats.date(d.due_date) if d.due_date else "",
                "pdf": routes.document_pdf(d.id),
                "pdf_name": documents.file_name(d.number),
            },
            "view_items": [
                {
                    "position": str(n),
                    "name": line.name,
                    "quantity": formats.quantity(line.quantity),
                    "unit": line.unit,
                    "net_price": formats.amount(line.net_price),
                    "net_value": formats.amount(line.net_value),
                    "vat_rate": documents.rate_label(line.vat_rate),
                }
                for n, line in enumerate(lines, start=1)
            ],
            "view_rates": [
                {
                    "rate": documents.rate_label(r.vat_rate),
                    "net": formats.amount(r.net),
                    "vat": formats.amount(r.vat),
                    "gross": formats.amount(r.gross),
                }
                for r in totals.by_rate
            ]
            + [
                {
                    "rate": t("documents.together"),
                    "net": formats.amount(totals.net),
                    "vat": formats.amount(totals.vat),
                    "gross": formats.amount(totals.gross),
                }
            ],
        }

    @rx.event
    async def on_load(self):
        """The list, or the document named by ?pokaz= when it is the user's own."""
        params = router.url(self).query_parameters
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
