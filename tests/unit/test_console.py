"""`make run`'s console filter: the address to open and the outbox instead of Reflex's 0.0.0.0."""

from __future__ import annotations

import io
import subprocess

from fakturowo_ui.console import relay
from fakturowo_ui.settings import REPO_ROOT, load_settings

REFLEX_SAYS = [
    "Compiling: 100%\n",
    "Run `uv run reflex run` to start the app.\n",
    "App running at: http://0.0.0.0:3000/\n",
    "Backend running at: http://0.0.0.0:3000\n",
    "[12:00:00] Something else\n",
]


def test_the_console_names_the_base_url_and_the_outbox(tmp_path):
    settings = load_settings({"FAKTUROWO_VAR_DIR": str(tmp_path)})
    out = io.StringIO()
    relay(REFLEX_SAYS, out, settings)
    text = out.getvalue()
    assert "0.0.0.0" not in text and "uv run" not in text
    assert text.count("Fakturowo is running: open http://localhost:3000/\n") == 1
    assert "Mail goes to the local outbox: http://localhost:3000/dev/outbox\n" in text
    assert text.startswith("Compiling: 100%\n") and text.endswith("[12:00:00] Something else\n")


def test_with_smtp_the_console_names_the_mail_server(tmp_path):
    settings = load_settings(
        {
            "FAKTUROWO_VAR_DIR": str(tmp_path),
            "FAKTUROWO_SMTP_HOST": "smtp.example.pl",
            "FAKTUROWO_BASE_URL": "https://f.example.pl",
        }
    )
    out = io.StringIO()
    relay(REFLEX_SAYS, out, settings)
    assert "open https://f.example.pl/" in out.getvalue()
    assert "outbox" not in out.getvalue() and "smtp.example.pl:587" in out.getvalue()


def test_make_run_pipes_reflex_through_the_console():
    plan = subprocess.run(
        ["make", "-n", "run"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "reflex run --env prod" in plan and "| " in plan and "-m fakturowo_ui.console" in plan
    assert "pipefail" in plan
