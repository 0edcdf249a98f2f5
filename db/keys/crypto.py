"""Encryption at rest of resident ID and phone numbers, and their blind indexes.

The key file lives outside the database (`TONGXIN_KEY_FILE`, or beside the
embedded cluster for the demo). Each stored value is
`key id (8 bytes) || nonce (12 bytes) || AES-256-GCM ciphertext`, with the
field name as associated data so a value cannot be moved to another column.
The blind index is an HMAC-SHA256 of the normalised value under a separate
key, so equal numbers can be found and duplicates refused without decrypting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from db.core.errors import UserError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_FILE_ENV = "TONGXIN_KEY_FILE"
# What a sealed value is: the field name is the associated data, so a value
# cannot be moved to another column (or a draft read as an ID number).
Field = Literal["id_number", "phone", "draft"]
KEY_ID_BYTES = 8
NONCE_BYTES = 12
# What a key's check value is an HMAC of (sql/V009__key_check.sql): a fixed label, so
# the database can tell a key file that is not its own without holding any key.
CHECK_LABEL = b"tongxin key check v1"


class KeyFileError(UserError):
    """The key file is missing, unreadable, or does not fit the stored data."""


@dataclass(frozen=True, slots=True)
class DataKey:
    """One generation of keys: AES for the values, HMAC for the blind index."""

    key_id: str
    enc: bytes
    mac: bytes

    @classmethod
    def generate(cls) -> DataKey:
        return cls(secrets.token_hex(KEY_ID_BYTES // 2), os.urandom(32), os.urandom(32))

    def check_value(self) -> bytes:
        """HMAC-SHA256 of CHECK_LABEL under both halves of the key: equal only for the
        same key, and telling nothing about it."""
        return hmac.new(self.enc + self.mac, CHECK_LABEL, hashlib.sha256).digest()


class Keyring:
    """The active key plus older ones still needed to read values not yet rotated.

    A keyring read from a file notices when the file is replaced (a rotation by
    another process) and reloads it, so running sessions switch keys without a
    restart.
    """

    def __init__(self, keys: list[DataKey], active: str, *, source: Path | None = None) -> None:
        self._install(keys, active)
        self.source = source
        self._mtime = _mtime(source)

    def _install(self, keys: list[DataKey], active: str) -> None:
        by_id = {k.key_id: k for k in keys}
        if active not in by_id:
            raise KeyFileError(f"active key {active} is not in the key file")
        self._keys = by_id
        self.active = by_id[active]
        self._aead: dict[str, AESGCM] = {}

    def _cipher(self, key_id: str) -> AESGCM | None:
        # The cipher library loads on the first seal or unseal, not at start: the list
        # shows masked copies and searches by HMAC, and a session may never need it.
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if key_id not in self._aead and key_id in self._keys:
            self._aead[key_id] = AESGCM(self._keys[key_id].enc)
        return self._aead.get(key_id)

    def _refresh(self) -> None:
        if self.source is None or _mtime(self.source) == self._mtime:
            return
        fresh = Keyring.from_json(self.source.read_text())
        self._install(list(fresh._keys.values()), fresh.active.key_id)
        self._mtime = _mtime(self.source)

    def encrypt(self, field: Field, value: str) -> bytes:
        self._refresh()
        nonce = os.urandom(NONCE_BYTES)
        aead = self._cipher(self.active.key_id)
        assert aead is not None  # the active key is always in the ring
        sealed = aead.encrypt(nonce, value.encode(), field.encode())
        return self.active.key_id.encode() + nonce + sealed

    def decrypt(self, field: Field, blob: bytes) -> str:
        from cryptography.exceptions import InvalidTag

        key_id = blob[:KEY_ID_BYTES].decode("ascii", "replace")
        if key_id not in self._keys:
            self._refresh()
        aead = self._cipher(key_id)
        if aead is None:
            raise KeyFileError(f"value was encrypted under key {key_id}, which the key file lacks")
        nonce = blob[KEY_ID_BYTES : KEY_ID_BYTES + NONCE_BYTES]
        try:
            plain = aead.decrypt(nonce, blob[KEY_ID_BYTES + NONCE_BYTES :], field.encode())
        except InvalidTag as exc:
            raise KeyFileError(f"a stored {field} does not decrypt under key {key_id}") from exc
        return plain.decode()

    def blind_index(self, field: Field, value: str) -> bytes:
        """The index under the active key: what new and rotated rows carry."""
        self._refresh()
        return _hmac(self.active.mac, field, value)

    def blind_indexes(
        self, field: Field, value: str, *, key_ids: Collection[str] = ()
    ) -> list[bytes]:
        """The index under every key (or those of `key_ids` the ring holds), for lookups
        while a rotation is under way."""
        self._refresh()
        keys = [k for k in self._keys.values() if not key_ids or k.key_id in key_ids]
        return [_hmac(k.mac, field, value) for k in keys]

    def bind(self, path: Path) -> None:
        """From now on, follow the file at `path` (just written with this ring)."""
        self.source = path
        self._mtime = _mtime(path)

    def key_ids(self) -> list[str]:
        return list(self._keys)

    def data_keys(self) -> list[DataKey]:
        return list(self._keys.values())

    def with_new_active_key(self) -> Keyring:
        """A keyring that keeps every key and encrypts under a fresh one."""
        key = DataKey.generate()
        return Keyring([*self._keys.values(), key], key.key_id)

    def to_json(self) -> str:
        return json.dumps(
            {
                "active": self.active.key_id,
                "keys": [
                    {
                        "id": k.key_id,
                        "enc": base64.b64encode(k.enc).decode(),
                        "mac": base64.b64encode(k.mac).decode(),
                    }
                    for k in self._keys.values()
                ],
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str, *, source: Path | None = None) -> Keyring:
        try:
            doc = json.loads(text)
            keys = [
                DataKey(k["id"], base64.b64decode(k["enc"]), base64.b64decode(k["mac"]))
                for k in doc["keys"]
            ]
            return cls(keys, doc["active"], source=source)
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyFileError(f"the key file is not valid: {exc}") from exc


def _hmac(key: bytes, field: Field, value: str) -> bytes:
    normalised = value.strip().upper()
    return hmac.new(key, f"{field}:{normalised}".encode(), hashlib.sha256).digest()


def _mtime(path: Path | None) -> int | None:
    try:
        return path.stat().st_mtime_ns if path is not None else None
    except OSError:
        return None


def default_key_path() -> Path:
    configured = os.environ.get(KEY_FILE_ENV, "").strip()
    if configured:
        return Path(configured)
    from db.core.connect import data_dir

    return data_dir() / "tongxin.key"


def load_keyring(path: Path | None = None, *, create: bool = False) -> Keyring:
    """Read the key file.

    A missing file is created (readable by its owner only) only when `create` says
    so: by `tongxin keys init`, or the demo, and only for a database that holds no
    sealed values (db/key_check.py). A missing key is otherwise an error, never
    silently replaced by a new one that could not read the stored data.
    """
    target = path or default_key_path()
    if target.exists():
        try:
            return Keyring.from_json(target.read_text(), source=target)
        except OSError as exc:
            raise KeyFileError(f"cannot read the key file {target}: {exc}") from exc
    if not create:
        raise KeyFileError(
            f"the key file {target} does not exist (create it with `tongxin keys init`)"
        )
    key = DataKey.generate()
    ring = Keyring([key], key.key_id)
    save_keyring(ring, target)
    return ring


def save_keyring(ring: Keyring, path: Path) -> None:
    """Write the key file atomically (a reader sees the old file or the new, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(ring.to_json())
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    ring.bind(path)
