"""An encrypted stream for backup archives: AES-256-GCM in chunks, under a key kept apart from the backups.

The key text (`BACKUP_KEY`, or a key file) is stretched per archive with HKDF-SHA256 and a random
salt. The stream is cut into chunks of at most CHUNK bytes, each sealed with its own nonce: a random
prefix, the chunk's number and a flag for the last chunk, with the header as associated data. A
chunk changed, swapped, dropped or added, or an archive cut short, fails to open (SealedError):
nothing restores from a damaged or foreign archive. Memory stays at one chunk whatever the size.

    header: MAGIC | salt (16) | nonce prefix (7)
    chunk:  last flag (1) | length (4, big-endian) | ciphertext with its 16-byte tag
"""

import io
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"HZ-PORTAL-BACKUP/1\n"
CHUNK = 1024 * 1024
HEADER_SIZE = len(MAGIC) + 16 + 7


class SealedError(Exception):
    """The archive cannot be opened: wrong key, not a backup, damaged or cut short."""


def _cipher(key_text, salt):
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"hz-portal backup archive").derive(
        key_text.encode("utf-8")
    )
    return AESGCM(key)


def _nonce(prefix, number, last):
    return prefix + number.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class SealingWriter(io.RawIOBase):
    """Write plaintext, get sealed chunks in `out`; close() seals the last chunk (it does not close `out`)."""

    def __init__(self, out, key_text):
        salt, self._prefix = os.urandom(16), os.urandom(7)
        self._header = MAGIC + salt + self._prefix
        self._aead = _cipher(key_text, salt)
        self._out = out
        self._buffer = bytearray()
        self._number = 0
        out.write(self._header)

    def writable(self):
        return True

    def write(self, data):
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain, last):
        sealed = self._aead.encrypt(_nonce(self._prefix, self._number, last), plain, self._header)
        self._out.write((b"\x01" if last else b"\x00") + len(sealed).to_bytes(4, "big") + sealed)
        self._number += 1

    def close(self):
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


class OpeningReader(io.RawIOBase):
    """Read the plaintext of a sealed stream `source`; raises SealedError on any damage."""

    def __init__(self, source, key_text):
        self._source = source
        self._header = source.read(HEADER_SIZE)
        if len(self._header) != HEADER_SIZE or not self._header.startswith(MAGIC):
            raise SealedError("不是本系统的备份文件。")
        salt = self._header[len(MAGIC) : len(MAGIC) + 16]
        self._prefix = self._header[len(MAGIC) + 16 :]
        self._aead = _cipher(key_text, salt)
        self._number = 0
        self._plain = b""
        self._offset = 0
        self._ended = False

    def readable(self):
        return True

    def _next_chunk(self):
        frame = self._source.read(5)
        if len(frame) != 5 or frame[0] not in (0, 1):
            raise SealedError("备份文件不完整（被截断或损坏）。")
        last = frame[0] == 1
        length = int.from_bytes(frame[1:], "big")
        if length > CHUNK + 16:
            raise SealedError("备份文件已损坏。")
        sealed = self._source.read(length)
        try:
            plain = self._aead.decrypt(_nonce(self._prefix, self._number, last), sealed, self._header)
        except InvalidTag:
            raise SealedError("备份密钥不对，或备份文件已损坏。") from None
        self._number += 1
        if last:
            if self._source.read(1):
                raise SealedError("备份文件末尾有多余的数据。")
            self._ended = True
        return plain

    def readinto(self, buffer):
        while self._offset == len(self._plain) and not self._ended:
            self._plain, self._offset = self._next_chunk(), 0
        count = min(len(buffer), len(self._plain) - self._offset)
        buffer[:count] = self._plain[self._offset : self._offset + count]
        self._offset += count
        return count
