"""What exchange routes (API and web) take from the app: the node's keyring and the HTTP
client it asks its peers with."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from palermo.exchange.keys import Keyring


def keyring_of(request: Request) -> Keyring:
    keyring: Keyring = request.app.state.keyring
    return keyring


def peer_client_of(request: Request) -> httpx.Client:
    client: httpx.Client = request.app.state.peer_client
    return client


KeyringDep = Annotated[Keyring, Depends(keyring_of)]
PeerClientDep = Annotated[httpx.Client, Depends(peer_client_of)]
