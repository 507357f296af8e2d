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


# As dependencies they are async: reading the app's state needs no thread hop.
async def _keyring(request: Request) -> Keyring:
    return keyring_of(request)


async def _peer_client(request: Request) -> httpx.Client:
    return peer_client_of(request)


KeyringDep = Annotated[Keyring, Depends(_keyring)]
PeerClientDep = Annotated[httpx.Client, Depends(_peer_client)]
