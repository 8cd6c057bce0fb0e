"""Where uploaded files live: one small interface, addressed by the SHA-256 of the bytes.

Every app process and host must reach every file, so nothing is kept on a worker's disk.
The default backend keeps files in the database itself (`file_blobs`, one row per distinct
content: the same bytes uploaded twice are stored once). Its writes join the request's
transaction, so a request that fails leaves no orphan file behind.

A larger deployment can point PAPER_STORAGE at an S3-compatible object store (see the
README): `S3Storage` speaks to it through boto3, which only that deployment needs to
install. Objects are written before the database commits, so a failed request can leave
an object that no paper names; being content-addressed, it is harmless and is reused if the
same bytes come again.

    storage = get_storage()
    stored = storage.put(content)          # StoredFile(sha256, size)
    storage.exists(stored.sha256)          # True
    storage.get(stored.sha256)             # the bytes
    storage.stream(stored.sha256)          # an iterator of chunks, for a download
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import current_app
from sqlalchemy import LargeBinary, String, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from taskforce.db import utcnow
from taskforce.extensions import db

#: Bytes read from the store per step of a download.
CHUNK = 1024 * 1024


class FileBlob(db.Model):
    """The bytes of one stored file, named by their SHA-256 (the database backend)."""

    __tablename__ = "file_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


class Storage(Protocol):
    """What every backend does. Files are immutable: a name always means the same bytes."""

    def put(self, content: bytes) -> StoredFile:
        """Store the bytes (once, however often they come); return their name and size."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def get(self, sha256: str) -> bytes:
        """The whole file; KeyError if there is none of that name."""
        ...

    def stream(self, sha256: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        """The file a chunk at a time, for a download that never holds it all at once."""
        ...


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class DatabaseStorage:
    """Files in the app's own database, inside the caller's transaction."""

    def put(self, content: bytes) -> StoredFile:
        stored = StoredFile(sha256_of(content), len(content))
        insert = _INSERTS[db.session.get_bind().dialect.name]
        # Two requests storing the same bytes at once: the second finds the first's row.
        db.session.execute(
            insert(FileBlob.__table__)
            .values(sha256=stored.sha256, size=stored.size, content=content, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
        return stored

    def exists(self, sha256: str) -> bool:
        return (
            db.session.scalar(select(FileBlob.sha256).where(FileBlob.sha256 == sha256)) is not None
        )

    def get(self, sha256: str) -> bytes:
        content = db.session.scalar(select(FileBlob.content).where(FileBlob.sha256 == sha256))
        if content is None:
            raise KeyError(sha256)
        return bytes(content)

    def stream(self, sha256: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        size = db.session.scalar(select(FileBlob.size).where(FileBlob.sha256 == sha256))
        if size is None:
            raise KeyError(sha256)
        # The chunks are read as the response is sent, after the request's session has
        # ended: on a connection of their own, needing no app context.
        return self._chunks(db.engine, sha256, size, chunk_size)

    @staticmethod
    def _chunks(engine: Engine, sha256: str, size: int, chunk_size: int) -> Iterator[bytes]:
        with engine.connect() as conn:
            # substr() on a BLOB (SQLite) or bytea (PostgreSQL) reads only that slice.
            for offset in range(0, size, chunk_size):
                piece = conn.scalar(
                    select(func.substr(FileBlob.content, offset + 1, chunk_size)).where(
                        FileBlob.sha256 == sha256
                    )
                )
                yield bytes(piece or b"")


class S3Storage:
    """Files in an S3-compatible bucket, one object per content under PREFIX/<sha256>.

    Needs `pip install boto3` and S3_BUCKET (and, for a store other than AWS, S3_ENDPOINT_URL);
    credentials come from S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY or boto3's usual chain.
    """

    def __init__(self, config):
        try:
            import boto3  # type: ignore[import-not-found]
        except ImportError as exc:  # pragma: no cover - only where PAPER_STORAGE=s3
            raise RuntimeError("PAPER_STORAGE=s3 needs boto3: pip install boto3") from exc
        if not config.get("S3_BUCKET"):
            raise RuntimeError("PAPER_STORAGE=s3 needs S3_BUCKET")
        self.bucket = config["S3_BUCKET"]
        self.prefix = config.get("S3_PREFIX", "papers").strip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            region_name=config.get("S3_REGION") or None,
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
        )

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}/{sha256}"

    def put(self, content: bytes) -> StoredFile:
        stored = StoredFile(sha256_of(content), len(content))
        if not self.exists(stored.sha256):
            self.client.put_object(Bucket=self.bucket, Key=self._key(stored.sha256), Body=content)
        return stored

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError  # type: ignore[import-not-found]

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def get(self, sha256: str) -> bytes:
        return b"".join(self.stream(sha256))

    def stream(self, sha256: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        from botocore.exceptions import ClientError  # type: ignore[import-not-found]

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"]
        except ClientError as error:
            raise KeyError(sha256) from error
        return body.iter_chunks(chunk_size)


BACKENDS = {"database": DatabaseStorage, "s3": S3Storage}


def get_storage() -> Storage:
    """The backend PAPER_STORAGE names (database by default), made once per app."""
    app = current_app._get_current_object()
    storage = app.extensions.get("taskforce.storage")
    if storage is None:
        name = app.config.get("PAPER_STORAGE", "database")
        if name not in BACKENDS:
            raise RuntimeError(f"PAPER_STORAGE must be one of {', '.join(BACKENDS)}, not {name!r}")
        storage = DatabaseStorage() if name == "database" else S3Storage(app.config)
        app.extensions["taskforce.storage"] = storage
    return storage
