"""Turns a CTranslate2 Whisper model into an openai-whisper checkpoint, so both share weights."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.transcription.ct2_format import Ct2Model, read_model
from bot.transcription.errors import ModelUnavailable

logger = logging.getLogger(__name__)

Weights = npt.NDArray[np.float32]
StateDict = dict[str, Weights]
CONVERTER_VERSION = 1
WHISPER_HEAD_WIDTH = 64  # every Whisper size uses 64-wide attention heads


def cached_checkpoint(ct2_dir: Path, models_dir: Path, name: str) -> Path:
    """Converts once; later loads reuse the file while the source model is unchanged."""
    if not (ct2_dir / "model.bin").is_file():
        raise ModelUnavailable(f"{ct2_dir} is not a CTranslate2 Whisper model (no model.bin)")
    target = models_dir / f"openai-whisper-{_safe(name)}.pt"
    stamp = target.with_suffix(".json")
    source = _source_stamp(ct2_dir / "model.bin")
    if target.is_file() and stamp.is_file() and json.loads(stamp.read_text()) == source:
        return target
    logger.info("Converting %s for openai-whisper into %s (once)", ct2_dir, target)
    models_dir.mkdir(parents=True, exist_ok=True)
    _save(convert(ct2_dir), target)
    stamp.write_text(json.dumps(source))
    return target


def convert(ct2_dir: Path) -> dict[str, Any]:
    """The `{"dims", "model_state_dict"}` dict that `whisper.load_model` expects."""
    model = read_model(ct2_dir / "model.bin")
    if model.spec != "WhisperSpec":
        raise ModelUnavailable(f"{ct2_dir} holds a {model.spec}, not a Whisper model")
    dims = model_dimensions(model)
    state = _encoder_state(model, dims["n_audio_layer"])
    state |= _decoder_state(model, dims["n_text_layer"])
    return {"dims": dims, "model_state_dict": state}


def model_dimensions(model: Ct2Model) -> dict[str, int]:
    """openai-whisper's `ModelDimensions`, read off the weight shapes."""
    mels = model["encoder/conv1/weight"].shape[1]
    audio_ctx, audio_state = model["encoder/position_encodings/encodings"].shape
    text_ctx, text_state = model["decoder/position_encodings/encodings"].shape
    return {
        "n_mels": mels,
        "n_audio_ctx": audio_ctx,
        "n_audio_state": audio_state,
        "n_audio_head": _head_count(model, "encoder", audio_state),
        "n_audio_layer": _layer_count(model, "encoder"),
        "n_vocab": model["decoder/embeddings/weight"].shape[0],
        "n_text_ctx": text_ctx,
        "n_text_state": text_state,
        "n_text_head": _head_count(model, "decoder", text_state),
        "n_text_layer": _layer_count(model, "decoder"),
    }


def _encoder_state(model: Ct2Model, layers: int) -> StateDict:
    state = _linear(model, "encoder/conv1", "encoder.conv1")
    state |= _linear(model, "encoder/conv2", "encoder.conv2")
    state["encoder.positional_embedding"] = _weight(model, "encoder/position_encodings/encodings")
    state |= _layer_norm(model, "encoder/layer_norm", "encoder.ln_post")
    for index in range(layers):
        source, block = f"encoder/layer_{index}", f"encoder.blocks.{index}"
        state |= _self_attention(model, f"{source}/self_attention", block)
        state |= _feed_forward(model, f"{source}/ffn", block)
    return state


def _decoder_state(model: Ct2Model, layers: int) -> StateDict:
    state = {"decoder.token_embedding.weight": _weight(model, "decoder/embeddings/weight")}
    state["decoder.positional_embedding"] = _weight(model, "decoder/position_encodings/encodings")
    state |= _layer_norm(model, "decoder/layer_norm", "decoder.ln")
    for index in range(layers):
        source, block = f"decoder/layer_{index}", f"decoder.blocks.{index}"
        state |= _self_attention(model, f"{source}/self_attention", block)
        state |= _cross_attention(model, f"{source}/attention", block)
        state |= _feed_forward(model, f"{source}/ffn", block)
    return state


def _self_attention(model: Ct2Model, source: str, block: str) -> StateDict:
    """`linear_0` is query, key and value fused; the key has no bias in openai-whisper."""
    names = [f"{block}.attn.query", f"{block}.attn.key", f"{block}.attn.value"]
    state = _split_linear(model, f"{source}/linear_0", names, unbiased=f"{block}.attn.key")
    state |= _linear(model, f"{source}/linear_1", f"{block}.attn.out")
    return state | _layer_norm(model, f"{source}/layer_norm", f"{block}.attn_ln")


def _cross_attention(model: Ct2Model, source: str, block: str) -> StateDict:
    """Query from the text (`linear_0`); key and value fused from the audio (`linear_1`)."""
    state = _linear(model, f"{source}/linear_0", f"{block}.cross_attn.query")
    names = [f"{block}.cross_attn.key", f"{block}.cross_attn.value"]
    state |= _split_linear(model, f"{source}/linear_1", names, unbiased=names[0])
    state |= _linear(model, f"{source}/linear_2", f"{block}.cross_attn.out")
    return state | _layer_norm(model, f"{source}/layer_norm", f"{block}.cross_attn_ln")


def _feed_forward(model: Ct2Model, source: str, block: str) -> StateDict:
    state = _linear(model, f"{source}/linear_0", f"{block}.mlp.0")
    state |= _linear(model, f"{source}/linear_1", f"{block}.mlp.2")
    return state | _layer_norm(model, f"{source}/layer_norm", f"{block}.mlp_ln")


def _linear(model: Ct2Model, source: str, target: str) -> StateDict:
    state = {f"{target}.weight": _weight(model, f"{source}/weight")}
    if f"{source}/bias" in model:
        state[f"{target}.bias"] = _weight(model, f"{source}/bias")
    return state


def _split_linear(model: Ct2Model, source: str, targets: list[str], unbiased: str) -> StateDict:
    """Undoes CTranslate2's fusing; the bias it padded with zeros for `unbiased` is dropped."""
    weights = np.split(_weight(model, f"{source}/weight"), len(targets))
    biases = np.split(_weight(model, f"{source}/bias"), len(targets))
    state: StateDict = {}
    for target, weight, bias in zip(targets, weights, biases, strict=True):
        state[f"{target}.weight"] = weight
        if target != unbiased:
            state[f"{target}.bias"] = bias
        elif np.any(bias):
            raise ModelUnavailable(f"{source}: {target} has a bias openai-whisper cannot hold")
    return state


def _layer_norm(model: Ct2Model, source: str, target: str) -> StateDict:
    return {
        f"{target}.weight": _weight(model, f"{source}/gamma"),
        f"{target}.bias": _weight(model, f"{source}/beta"),
    }


def _weight(model: Ct2Model, name: str) -> Weights:
    """float32 for CPU; int8/int16 weights are divided by the scale they were quantised with."""
    values = model[name].astype(np.float32)
    scale_name = f"{name}_scale"
    if scale_name not in model:
        return values
    scale = model[scale_name].astype(np.float32)
    return values / (scale.reshape(-1, *[1] * (values.ndim - 1)) if scale.ndim else scale)


def _head_count(model: Ct2Model, side: str, state_width: int) -> int:
    name = f"{side}/num_heads"
    return int(model[name]) if name in model else state_width // WHISPER_HEAD_WIDTH


def _layer_count(model: Ct2Model, side: str) -> int:
    pattern = re.compile(rf"{side}/layer_(\d+)/")
    return 1 + max(int(m.group(1)) for name in model.variables if (m := pattern.match(name)))


def _source_stamp(model_bin: Path) -> dict[str, Any]:
    """Size and mtime are enough: packages and downloads replace files, never patch them."""
    stat = model_bin.stat()
    return {
        "source": str(model_bin.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "converter": CONVERTER_VERSION,
    }


def _save(checkpoint: dict[str, Any], target: Path) -> None:
    """Writes beside the target and renames, so a crash never leaves half a checkpoint."""
    import torch

    tensors = {
        key: torch.from_numpy(np.ascontiguousarray(value))
        for key, value in checkpoint["model_state_dict"].items()
    }
    partial = target.with_suffix(".partial")
    torch.save({"dims": checkpoint["dims"], "model_state_dict": tensors}, partial)
    partial.replace(target)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "model"
