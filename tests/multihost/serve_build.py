"""`reflex run` serving the production build already in REFLEX_WEB_WORKDIR, without building it again.

Reflex 0.10 compiles the app and builds the frontend on every `reflex run --env prod` (a minute
or two of both cores on these machines). A test that restarts a server on a build it has just
made (the fault tests: after a kill -9, or with other settings) runs this instead:

    python -m tests.multihost.serve_build run --env prod --frontend-port PORT [...]

It is Reflex's own CLI with the same arguments, ports, environment and Granian server; only its
two build steps (`_compile_app`, `build.setup_frontend_prod`) are no-ops. The build must come from
`reflex run --env prod` in the same REFLEX_WEB_WORKDIR with the same REFLEX_API_URL (that URL is
baked into the frontend), and the app's code must not have changed since.
"""

from __future__ import annotations

import sys


def main() -> None:
    from reflex import reflex as reflex_cli
    from reflex.utils import build

    reflex_cli._compile_app = lambda **_kwargs: None
    build.setup_frontend_prod = lambda _root: None
    sys.argv = ["reflex", *sys.argv[1:]]
    reflex_cli.cli()


if __name__ == "__main__":
    main()
