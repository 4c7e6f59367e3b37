"""A scan as a value: what to scan, through which path, and how; and running it.

`ScanFlags` is what a command line (or a schedule, or a stored client) says about a scan
before anything is read or checked. `build_request` turns it into a `ScanRequest`: the
profile file (or a client's stored profile) merged with the flags and validated, the
sources, the network path, the depth, the replay world and the timeout. `scan`, the
scheduled `rescan` and `clients scan` / `clients rescan` all build their scans with it, and
`execute` runs one. Bad input is an InputError, raised before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.cli.options import NetworkFlags
from scanner.limits import DEFAULT_DEPTH

if TYPE_CHECKING:
    from scanner.models import Profile, ScanResult, SourceResult, SourceRun
    from scanner.netpath import NetworkPath
    from scanner.pipeline import ScanObserver
    from scanner.sites.catalogue import Catalogue
    from scanner.sources.base import Source

DEFAULT_TIMEOUT = 20.0  # seconds per response (`scan --timeout`)
COMMAND_LINE = "command line"  # a profile given by flags only, in error messages


@dataclass(frozen=True)
class ScanFlags:
    """A scan as asked for, unchecked: the profile file, subject flags and scan options."""

    profile_file: Path | None = None
    subject: Mapping[str, Sequence[str]] = field(default_factory=dict)  # profile key -> values
    sources: tuple[str, ...] | None = None  # None: every source
    sites: Path | None = None  # the site list for account discovery
    all_sites: bool = False  # with the bundled lists: keep the sites they leave out
    replay: Path | None = None  # answer from a recorded world
    network: NetworkFlags = field(default_factory=NetworkFlags)
    depth: int = DEFAULT_DEPTH
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class ScanRequest:
    """A checked scan, ready to run."""

    profile: Profile
    given: Mapping[str, Any]  # the profile data it was built from (counselor mode keeps it)
    sources: tuple[Source, ...]
    path: NetworkPath
    depth: int = DEFAULT_DEPTH
    replay: Path | None = None
    timeout: float = DEFAULT_TIMEOUT


def build_request(
    flags: ScanFlags,
    *,
    stored: Mapping[str, Any] | None = None,
    origin: str | None = None,
    allowed: Callable[[str], bool] | None = None,
    path: NetworkPath | None = None,
) -> ScanRequest:
    """Read, merge and check everything a scan needs, in the order errors are reported:
    the profile, the site list and sources, the network path, the replay world.

    `stored` is the profile to start from when no file is given (a client's); `origin`
    names the profile in error messages (default: the file, or "command line"); `allowed`
    keeps only the sources it accepts (a client's consent); `path` is a network path
    already decided (a batch of client rescans decides it once).
    """
    from scanner.profile import build_profile, merge_flags, read_profile_file
    from scanner.sources import select_sources

    data: dict[str, Any] = dict(stored or {})
    if flags.profile_file is not None:
        data = read_profile_file(flags.profile_file)
    given = merge_flags(data, flags.subject)
    profile = build_profile(given, origin=origin or _origin(flags.profile_file))
    sources = select_sources(
        flags.sources, _site_list(flags.sites, flags.replay, all_sites=flags.all_sites)
    )
    if allowed is not None:
        sources = [source for source in sources if allowed(source.name)]
    if path is None:
        path = flags.network.path()
    _check_ca(path)
    if flags.replay is not None:
        _check_world(flags.replay)
    return ScanRequest(
        profile=profile,
        given=given,
        sources=tuple(sources),
        path=path,
        depth=flags.depth,
        replay=flags.replay,
        timeout=flags.timeout,
    )


def _origin(profile_file: Path | None) -> str:
    if profile_file is None:
        return COMMAND_LINE
    return str(profile_file)


def _site_list(path: Path | None, replay: Path | None, *, all_sites: bool) -> Catalogue | None:
    """--sites, else a replayed world's own sites.json, or no sites for a world without one
    (the bundled lists would send requests the world cannot answer), else the merged lists
    with --all-sites, else None: the accounts source uses the merged lists by default."""
    from scanner.sites.catalogue import Catalogue, load_catalogue

    if path is not None:
        return load_catalogue(path)
    if replay is not None:
        if (replay / "sites.json").is_file():
            return load_catalogue(replay / "sites.json")
        return Catalogue((), f"{replay} (no sites.json)")
    if all_sites:
        from scanner.sites.lists import merged_catalogue

        return merged_catalogue(include_all=True)
    return None


def _check_ca(path: NetworkPath) -> None:
    """A CA bundle or folder that cannot be used is one line now, not once the scan (and
    its history entry) has started."""
    from scanner.netpath import tls_context

    if path.ca_bundle is not None or path.ca_dir is not None:
        tls_context(path)


def _check_world(folder: Path) -> None:
    """A missing or broken replay world is one line before anything starts."""
    from scanner.replay import load_world

    load_world(folder)


def execute(
    request: ScanRequest,
    *,
    observer: ScanObserver | None = None,
    say: Callable[[str], None] | None = None,
    done: Mapping[str, tuple[SourceRun, SourceResult]] | None = None,
    on_outcome: Callable[[SourceRun, SourceResult], None] | None = None,
) -> ScanResult:
    """Run the scan: one Http on the request's path (or its replay world), every source,
    then the leads. `say` hears the network path first; `done` and `on_outcome` are a
    resumed scan's kept sources and the checkpoint of each one that finishes."""
    import asyncio

    from scanner.http import Http, HttpSettings
    from scanner.netpath import describe_route
    from scanner.pipeline import run_scan

    # a recorded world has no service to be polite to
    settings = HttpSettings(
        path=request.path, timeout=request.timeout, pacing=request.replay is None
    )
    replay = None
    transport = None
    if request.replay is not None:
        from scanner.replay import ReplayTransport

        replay = str(request.replay)
        transport = ReplayTransport(request.replay)

    async def scan() -> ScanResult:
        async with Http(settings, transport=transport) as http:
            if say is not None:
                say(f"network path: {describe_route(http.route)[0]}")
            return await run_scan(
                request.profile,
                request.sources,
                http,
                observer=observer,
                depth=request.depth,
                replay=replay,
                done=done,
                on_outcome=on_outcome,
            )

    return asyncio.run(scan())
