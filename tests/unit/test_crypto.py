"""Encryption at rest and blind indexes, without a database."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest

from db.keys.crypto import DataKey, KeyFileError, Keyring, load_keyring

ID = "11010519491231002X"


def _ring() -> Keyring:
    key = DataKey.generate()
    return Keyring([key], key.key_id)


def test_round_trip_and_no_plaintext_in_ciphertext() -> None:
    ring = _ring()
    blob = ring.encrypt("id_number", ID)
    assert ID.encode() not in blob
    assert ring.decrypt("id_number", blob) == ID


def test_same_value_encrypts_differently_but_indexes_the_same() -> None:
    ring = _ring()
    assert ring.encrypt("phone", "13812345678") != ring.encrypt("phone", "13812345678")
    assert ring.blind_index("phone", "13812345678") == ring.blind_index("phone", " 13812345678")
    assert ring.blind_index("id_number", ID.lower()) == ring.blind_index("id_number", ID)


def test_field_is_bound_to_the_ciphertext() -> None:
    ring = _ring()
    blob = ring.encrypt("id_number", ID)
    with pytest.raises(KeyFileError, match="does not decrypt"):
        ring.decrypt("phone", blob)


def test_blind_index_differs_between_fields_and_keys() -> None:
    ring, other = _ring(), _ring()
    assert ring.blind_index("id_number", "1234") != ring.blind_index("phone", "1234")
    assert ring.blind_index("phone", "1234") != other.blind_index("phone", "1234")


def test_old_key_still_reads_after_a_new_one_becomes_active() -> None:
    old, new = DataKey.generate(), DataKey.generate()
    blob = Keyring([old], old.key_id).encrypt("phone", "13900001111")
    both = Keyring([old, new], new.key_id)
    assert both.decrypt("phone", blob) == "13900001111"
    assert both.encrypt("phone", "x")[:8] == new.key_id.encode()
    with pytest.raises(KeyFileError, match="lacks"):
        Keyring([new], new.key_id).decrypt("phone", blob)


def test_key_file_is_created_owner_only_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "tongxin.key"
    ring = load_keyring(path, create=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_keyring(path)
    assert again.decrypt("phone", ring.encrypt("phone", "13700000000")) == "13700000000"


def test_missing_or_broken_key_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="does not exist"):
        load_keyring(tmp_path / "none.key", create=False)


def test_a_configured_key_file_is_never_created_silently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = tmp_path / "prod.key"
    monkeypatch.setenv("TONGXIN_KEY_FILE", str(configured))
    with pytest.raises(KeyFileError, match="keys init"):
        load_keyring()
    assert not configured.exists()
    load_keyring(create=True)
    assert configured.exists()


def test_broken_key_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.key"
    broken.write_text("{not json")
    with pytest.raises(KeyFileError, match="not valid"):
        load_keyring(broken)


def test_a_check_value_tells_keys_apart_and_holds_no_key() -> None:
    key = DataKey.generate()
    same_id = DataKey(key.key_id, os.urandom(32), os.urandom(32))
    check = key.check_value()
    assert len(check) == 32
    assert check == DataKey(key.key_id, key.enc, key.mac).check_value()
    assert check != same_id.check_value()
    assert check != DataKey(key.key_id, key.enc, same_id.mac).check_value()
    assert check == hmac.new(key.enc + key.mac, b"tongxin key check v1", hashlib.sha256).digest()
