"""Reads CTranslate2's `model.bin`, mirroring `ModelSpec._serialize` and `Model::load`."""

from __future__ import annotations

import logging
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from bot.transcription.errors import ModelUnavailable

logger = logging.getLogger(__name__)

Array = npt.NDArray[np.generic]

# The order of CTranslate2's DataType enum (include/ctranslate2/types.h).
TYPE_IDS = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
OLDEST_VERSION = 4  # versions before 4 stored an item size instead of a type id
NEWEST_VERSION = 6


class Ct2Model:
    """The spec name and every variable by name, aliases resolved to the arrays they share."""

    def __init__(self, spec: str, variables: dict[str, Array]) -> None:
        self.spec = spec
        self.variables = variables

    def __getitem__(self, name: str) -> Array:
        return self.variables[name]

    def __contains__(self, name: object) -> bool:
        return name in self.variables


def read_model(model_bin: Path) -> Ct2Model:
    """Parses the whole file; weights stay in their stored dtype (bfloat16 becomes float32)."""
    with model_bin.open("rb") as stream:
        version = _unpack(stream, "I")
        if not OLDEST_VERSION <= version <= NEWEST_VERSION:
            raise ModelUnavailable(f"{model_bin}: CTranslate2 binary version {version} unsupported")
        spec = _read_string(stream)
        _unpack(stream, "I")  # spec revision; the variable names tell us all we need
        variables = dict(_read_variable(stream) for _ in range(_unpack(stream, "I")))
        for _ in range(_unpack(stream, "I")):
            alias, target = _read_string(stream), _read_string(stream)
            variables[alias] = variables[target]
    logger.debug("Read %d CTranslate2 variables of %s", len(variables), spec)
    return Ct2Model(spec, variables)


def _read_variable(stream: BinaryIO) -> tuple[str, Array]:
    name = _read_string(stream)
    shape = tuple(_unpack(stream, "I") for _ in range(_unpack(stream, "B")))
    type_name = TYPE_IDS[_unpack(stream, "B")]
    raw = _read_exactly(stream, _unpack(stream, "I"))
    return name, _to_array(raw, type_name).reshape(shape)


def _to_array(raw: bytes, type_name: str) -> Array:
    """numpy has no bfloat16: it is the top half of a float32, so widen it."""
    if type_name == "bfloat16":
        halves = np.frombuffer(raw, dtype="<u2").astype(np.uint32)
        return (halves << 16).view(np.float32)
    return np.frombuffer(raw, dtype=np.dtype(type_name).newbyteorder("<"))


def _read_string(stream: BinaryIO) -> str:
    """A uint16 length that counts the trailing NUL, then the UTF-8 bytes and the NUL."""
    length = _unpack(stream, "H")
    return _read_exactly(stream, length)[:-1].decode("utf-8")


def _unpack(stream: BinaryIO, code: str) -> int:
    fmt = "<" + code
    value: int = struct.unpack(fmt, _read_exactly(stream, struct.calcsize(fmt)))[0]
    return value


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ModelUnavailable(f"{getattr(stream, 'name', 'model.bin')}: file ends early")
    return data
