"""Loopback test infrastructure: the scanner over real sockets, with no network at all.

The pieces stand in for the outside world on 127.0.0.1:
- `TestCA`: a throw-away root CA, handed to a client as its CA bundle (`--ca-bundle`),
  that signs a certificate for any host name on demand.
- `WorldServer`: a real HTTPS and HTTP server that answers for every host name from a
  recorded replay world (scanner/replay.py), choosing the site by SNI and Host header.
- `ConnectProxy` and `Socks5Proxy`: an HTTP CONNECT proxy and a SOCKS5 proxy with remote
  DNS that send every host name to the world server (they never use DNS), and can refuse
  names or die mid-scan.

    with WorldServer(Path("demo_world"), ca) as world, Socks5Proxy(world) as proxy:
        httpx.Client(proxy=proxy.url, verify=ca_context).get("https://api.github.com/...")
"""

from tests.loopback.ca import TestCA
from tests.loopback.proxies import ConnectProxy, LoopbackProxy, Socks5Proxy
from tests.loopback.world_server import WorldServer

__all__ = ["ConnectProxy", "LoopbackProxy", "Socks5Proxy", "TestCA", "WorldServer"]
