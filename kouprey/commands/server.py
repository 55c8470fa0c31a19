"""``kouprey serve``: the web application under waitress, static files through WhiteNoise."""

from __future__ import annotations

import errno
from typing import Annotated, Any

import typer

from kouprey.cli import app, console, err_console, fail, setup_django

# Headers a reverse proxy in front of Kouprey sets; trusted only from --trusted-proxy.
PROXY_HEADERS = {"x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"}


def url(host: str, port: int) -> str:
    """The address a browser opens for a listening socket."""
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104  # nosec B104 - names the wildcard, binds nothing
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def listening(server: Any) -> list[tuple[str, int]]:
    """Every (host, port) a waitress server listens on (one socket or several)."""
    if hasattr(server, "effective_listen"):
        return [(str(h), int(p)) for h, p in server.effective_listen]
    return [(str(server.effective_host), int(server.effective_port))]


def pending_migrations() -> int:
    """How many migrations the database still lacks (0 when it is up to date)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def create_server(host: str, port: int, threads: int, trusted_proxy: str | None) -> Any:
    """A waitress server for kouprey.wsgi, bound but not yet running."""
    from waitress.server import create_server as waitress_server

    from kouprey.wsgi import application

    options: dict[str, Any] = {"host": host, "port": port, "threads": threads,
                               "ident": "kouprey"}
    if trusted_proxy:
        options.update(trusted_proxy=trusted_proxy, trusted_proxy_headers=PROXY_HEADERS,
                       clear_untrusted_proxy_headers=True)
    return waitress_server(application, **options)


HostOption = Annotated[str, typer.Option(
    metavar="HOST",
    help="Address to listen on; 0.0.0.0 for every interface (then set KOUPREY_ALLOWED_HOSTS).")]
PortOption = Annotated[int, typer.Option(
    metavar="PORT", min=0, max=65535, help="TCP port (0: any free port).")]
ThreadsOption = Annotated[int, typer.Option(
    metavar="N", min=1, max=256, help="Worker threads serving requests.")]
ProxyOption = Annotated[str | None, typer.Option(
    metavar="ADDRESS",
    help="Address of a reverse proxy whose X-Forwarded-* headers are trusted "
    "(e.g. 127.0.0.1 when nginx terminates TLS on this machine).")]


@app.command()
def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    threads: ThreadsOption = 8,
    trusted_proxy: ProxyOption = None,
) -> None:
    """Start the Kouprey web application and print its address.

    Serves pages, the API and the static files from one process (waitress and WhiteNoise);
    put a TLS-terminating reverse proxy in front of it for anything but a laptop.
    Stop it with Ctrl+C.

    Example: kouprey serve --host 0.0.0.0 --port 8080 --threads 16
    """
    setup_django()
    from django.conf import settings

    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    try:
        missing = pending_migrations()
    except Exception as error:  # noqa: BLE001 - any database error becomes a clean message
        fail(f"cannot read the database ({type(error).__name__}); check KOUPREY_DATABASE_URL.")
    if missing:
        err_console.print(f"[yellow]Warning:[/yellow] the database lacks {missing} "
                          "migration(s); run `kouprey init` first.", highlight=False)
    try:
        server = create_server(host, port, threads, trusted_proxy)
    except OSError as error:
        hint = (" (another program uses the port: choose another with --port, or "
                "`make demo PORT=8080`)" if error.errno == errno.EADDRINUSE else "")
        fail(f"cannot listen on {host}:{port}: {error.strerror or error}{hint}")
    for address in listening(server):
        console.print(f"Kouprey is running at {url(*address)}  (Ctrl+C stops it)",
                      highlight=False, soft_wrap=True)
    try:
        server.run()
    except KeyboardInterrupt:
        console.print("Stopped.")
    finally:
        server.close()
