"""Rewrites the packaged Moonshine graphs at load so ORT stops dequantising every weight per run.

moonshine-cpp ships ORT-format files whose weights are int8 with a `Cast → Mul → Add` chain in
front of each use. ORT never constant-folds an ORT-format model, so every decoder step turned
all 41 MB of int8 weights back into float (about 100 ms a token on a 2-core server). Here ORT
re-serialises each file as ONNX, unoptimised, and the protobuf is edited without the `onnx`
package: encoder weights become float32 initialisers (the same arithmetic ORT did each run),
and the decoder's one-row matrix products become `MatMulNBits` on the shipped int8 values, which
reads a quarter of the memory per token. The hash check in `moonshine_model` pins the files, so
these patterns are known; anything unexpected raises `GraphRewriteError` and the caller loads
the original files instead.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

logger = logging.getLogger(__name__)

# ONNX protobuf field numbers (onnx/onnx.proto), the only ones this module reads or writes.
MODEL_GRAPH, MODEL_OPSET = 7, 8
OPSET_DOMAIN, OPSET_VERSION = 1, 2
GRAPH_NODE, GRAPH_NAME, GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_OUTPUT = 1, 2, 5, 11, 12
VALUE_NAME, VALUE_TYPE, TYPE_TENSOR = 1, 2, 1
NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP, NODE_ATTRIBUTE, NODE_DOMAIN = 1, 2, 3, 4, 5, 7
ATTR_NAME, ATTR_INT, ATTR_GRAPH, ATTR_INTS, ATTR_GRAPHS, ATTR_TYPE = 1, 3, 6, 8, 11, 20
ATTR_TYPE_INT = 2
TENSOR_DIMS, TENSOR_TYPE, TENSOR_FLOATS, TENSOR_NAME, TENSOR_RAW = 1, 2, 4, 8, 9
FLOAT32, UINT8, INT8 = 1, 2, 3
VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5

MS_DOMAIN = "com.microsoft"
# Encoder frames reach the decoder only through this input; products with it have hundreds of
# rows, where float32 GEMM beats MatMulNBits, so those weights stay float.
ENCODER_STATES = "encoder_hidden_states"
BLOCK_SIZE = 32  # MatMulNBits quantisation block along K; 416 and 1664 both divide by 32
# int8 x int8 products with float accumulation: 0.5 % error on random data, same greedy tokens.
ACCURACY_LEVEL = 4

Field = tuple[int, int, bytes]  # number, wire type, payload (LENGTH) or the raw encoded value
Int8Array = npt.NDArray[np.int8]
Float32Array = npt.NDArray[np.float32]


class GraphRewriteError(Exception):
    """The graph is not the one this rewrite understands; load the original file instead."""


@dataclass(frozen=True)
class QuantizedWeight:
    """One int8 weight and the affine map the graph applied to it: w = q * scale + offset."""

    values: Int8Array
    scale: np.float32
    offset: np.float32

    def dequantized(self) -> Float32Array:
        """The same float32 arithmetic as ORT's Cast, Mul and Add, so results do not drift."""
        result: Float32Array = self.values.astype(np.float32) * self.scale + self.offset
        return result

    def zero_point(self) -> int | None:
        """`q_u8 - zero` equals `q + offset/scale` only when that ratio is a whole number."""
        ratio = float(self.offset) / float(self.scale)
        shift = round(ratio)
        if abs(ratio - shift) > 1e-3 or not 0 <= 128 - shift <= 255:
            return None
        return 128 - shift


@dataclass
class Rewrite:
    """What one pass over the graphs decided, and the initialisers it must add."""

    weights: dict[str, QuantizedWeight]
    int8_matmul: bool
    float_needed: set[str] = field(default_factory=set)
    packed: dict[str, list[bytes]] = field(default_factory=dict)
    transposed: dict[str, str] = field(default_factory=dict)
    subgraphs: int = 0
    reads: list[Counter[str]] = field(default_factory=list)  # per graph open, innermost last


def optimisable_model(path: Path, *, int8_matmul: bool) -> bytes:
    """The ORT-format file as ONNX bytes that ORT can fold and fuse when the session loads."""
    onnx_bytes = ort_format_to_onnx(path)
    try:
        return rewrite_model(onnx_bytes, int8_matmul=int8_matmul)
    except (ValueError, IndexError, KeyError) as error:
        raise GraphRewriteError(f"{path.name}: {error}") from error


def ort_format_to_onnx(path: Path) -> bytes:
    """ORT itself writes the loaded graph out as ONNX; with no optimisation it stays portable."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    with tempfile.TemporaryDirectory(prefix="moonshine-") as scratch:
        target = Path(scratch) / f"{path.stem}.onnx"
        options.optimized_model_filepath = str(target)
        ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return target.read_bytes()


def rewrite_model(model_bytes: bytes, *, int8_matmul: bool) -> bytes:
    """Replaces the dequantising chains, names the nameless subgraphs ORT's checker rejects."""
    model = parse(model_bytes)
    index = next(i for i, (number, _, _) in enumerate(model) if number == MODEL_GRAPH)
    graph = parse(model[index][2])
    graph, weights = _drop_dequantize_chains(graph)
    plan = Rewrite(weights=weights, int8_matmul=int8_matmul)
    graph = _rewrite_graph(graph, "main", plan)
    graph.extend(_new_initializers(plan))
    model[index] = (MODEL_GRAPH, LENGTH, serialize(graph))
    if plan.packed and not _has_opset(model, MS_DOMAIN):
        opset = _string(OPSET_DOMAIN, MS_DOMAIN) + _int(OPSET_VERSION, 1)
        model.append((MODEL_OPSET, LENGTH, opset))
    logger.debug(
        "Moonshine graph: %d int8 weights, %d now float, %d int8 replacements",
        len(weights),
        len(plan.float_needed),
        len(plan.packed),
    )
    return serialize(model)


def _drop_dequantize_chains(graph: list[Field]) -> tuple[list[Field], dict[str, QuantizedWeight]]:
    """Finds `Cast(int8) → Mul(scale) → Add(offset)` in the main graph and removes each chain."""
    initializers = {
        strings(parse(value), TENSOR_NAME)[0]: position
        for position, (number, _, value) in enumerate(graph)
        if number == GRAPH_INITIALIZER
    }
    producers: dict[str, tuple[int, list[Field]]] = {}
    for position, (number, _, value) in enumerate(graph):
        if number == GRAPH_NODE:
            node = parse(value)
            for output in strings(node, NODE_OUTPUT):
                producers[output] = (position, node)
    weights: dict[str, QuantizedWeight] = {}
    dropped: set[int] = set()
    for position, node in list(producers.values()):
        chain = _dequantize_chain(position, node, producers, initializers)
        if chain is None:
            continue
        positions, (quantized, scale, offset) = chain
        weight = QuantizedWeight(
            values=tensor_array(graph[initializers[quantized]][2]).astype(np.int8),
            scale=np.float32(tensor_array(graph[initializers[scale]][2]).reshape(())),
            offset=np.float32(tensor_array(graph[initializers[offset]][2]).reshape(())),
        )
        weights[strings(node, NODE_OUTPUT)[0]] = weight
        dropped.update(positions)
        dropped.update(initializers[name] for name in (quantized, scale, offset))
    if not weights:
        raise ValueError("no int8 weights found")
    return [item for i, item in enumerate(graph) if i not in dropped], weights


def _dequantize_chain(
    position: int,
    add: list[Field],
    producers: dict[str, tuple[int, list[Field]]],
    initializers: dict[str, int],
) -> tuple[tuple[int, int, int], tuple[str, str, str]] | None:
    """The node positions and initialiser names of one chain ending at `add`, if it is one."""
    if strings(add, NODE_OP) != ["Add"]:
        return None
    add_inputs = strings(add, NODE_INPUT)
    if len(add_inputs) != 2 or add_inputs[1] not in initializers or add_inputs[0] not in producers:
        return None
    mul_position, mul = producers[add_inputs[0]]
    mul_inputs = strings(mul, NODE_INPUT)
    if strings(mul, NODE_OP) != ["Mul"] or len(mul_inputs) != 2:
        return None
    if mul_inputs[1] not in initializers or mul_inputs[0] not in producers:
        return None
    cast_position, cast = producers[mul_inputs[0]]
    cast_inputs = strings(cast, NODE_INPUT)
    if strings(cast, NODE_OP) != ["Cast"] or cast_inputs[0] not in initializers:
        return None
    return (position, mul_position, cast_position), (cast_inputs[0], mul_inputs[1], add_inputs[1])


def _rewrite_graph(graph: list[Field], name: str, plan: Rewrite) -> list[Field]:
    """Rewrites nodes (recursing into If branches) and names the graph if it has no name."""
    plan.reads.append(Counter())
    nodes: list[list[Field]] = []
    others: list[Field] = []
    for number, wire, value in graph:
        if number == GRAPH_NODE:
            nodes.extend(_rewrite_node(parse(value), plan))
            continue
        if number == GRAPH_OUTPUT:
            plan.reads[-1].update(strings(parse(value), VALUE_NAME))
        others.append((number, wire, value))
    if not any(number == GRAPH_NAME and value for number, _, value in others):
        others.append((GRAPH_NAME, LENGTH, name.encode()))
    reads = plan.reads.pop()
    for node in nodes:
        reads.update(strings(node, NODE_INPUT))
    nodes = _without_unused_transposes(nodes, reads, plan)
    if plan.reads:
        plan.reads[-1].update(reads)  # a subgraph may read its parent's values
    else:
        plan.float_needed = {weight for weight in plan.weights if reads[weight]}
    return [(GRAPH_NODE, LENGTH, serialize(node)) for node in nodes] + others


def _rewrite_node(node: list[Field], plan: Rewrite) -> list[list[Field]]:
    """A product or lookup moves to the int8 weight where it pays; others keep a float weight."""
    op = strings(node, NODE_OP)[0]
    inputs = strings(node, NODE_INPUT)
    if plan.int8_matmul and op == "MatMul" and len(inputs) == 2:
        replacement = _int8_matmul(node, inputs, plan)
        if replacement is not None:
            return [replacement]
    if plan.int8_matmul and op == "Gather" and inputs[0] in plan.weights:
        return _int8_gather(node, inputs, plan)
    transpose = op == "Transpose" and inputs[0] in plan.weights
    if plan.int8_matmul and transpose and _is_matrix_transpose(node):
        plan.transposed[strings(node, NODE_OUTPUT)[0]] = inputs[0]
    return [[_with_named_subgraphs(item, plan) for item in node]]


def _int8_gather(node: list[Field], inputs: list[str], plan: Rewrite) -> list[list[Field]]:
    """The embedding lookup reads int8 rows and dequantises only those: 54 MB less float."""
    key = inputs[0]
    weight = plan.weights[key]
    if key not in plan.packed:
        plan.packed[key] = [
            tensor_bytes(f"{key}_int8", weight.values),
            tensor_bytes(f"{key}_scale", np.array(weight.scale, dtype=np.float32)),
            tensor_bytes(f"{key}_offset", np.array(weight.offset, dtype=np.float32)),
        ]
    output = strings(node, NODE_OUTPUT)[0]
    attributes = [item for item in node if item[0] == NODE_ATTRIBUTE]  # Gather's axis
    cast_to_float = _message(
        NODE_ATTRIBUTE, _string(ATTR_NAME, "to") + _int(ATTR_INT, FLOAT32) + _int(ATTR_TYPE, 2)
    )
    steps = [
        ("Gather", [f"{key}_int8", *inputs[1:]], f"{output}_int8", attributes),
        ("Cast", [f"{output}_int8"], f"{output}_cast", parse(cast_to_float)),
        ("Mul", [f"{output}_cast", f"{key}_scale"], f"{output}_scaled", []),
        ("Add", [f"{output}_scaled", f"{key}_offset"], output, []),
    ]
    return [
        parse(
            b"".join(_string(NODE_INPUT, name) for name in step_inputs)
            + _string(NODE_OUTPUT, step_output)
            + _string(NODE_NAME, f"{step_output}_node")
            + _string(NODE_OP, op)
        )
        + extra
        for op, step_inputs, step_output, extra in steps
    ]


def _int8_matmul(node: list[Field], inputs: list[str], plan: Rewrite) -> list[Field] | None:
    """`x @ W` (or `x @ Wᵀ` for the tied output projection) on int8 weights, if exact."""
    activations, weight_name = inputs
    if activations == ENCODER_STATES:
        return None
    if weight_name in plan.weights:
        weight, by_rows, key = plan.weights[weight_name], False, weight_name
    elif weight_name in plan.transposed:
        source = plan.transposed[weight_name]
        weight, by_rows, key = plan.weights[source], True, f"{source}_transposed"
    else:
        return None
    zero = weight.zero_point()
    if zero is None:
        return None
    values = weight.values if by_rows else weight.values.T  # MatMulNBits wants B as [N, K]
    n, k = values.shape
    if k % BLOCK_SIZE:
        return None
    if key not in plan.packed:
        plan.packed[key] = _packed_initializers(key, values, weight.scale, zero)
    return _matmul_nbits_node(node, activations, key, k, n)


def _packed_initializers(key: str, values: Int8Array, scale: np.float32, zero: int) -> list[bytes]:
    """8-bit blocks as MatMulNBits stores them: [N, K/block, block] uint8, one scale per block."""
    n, k = values.shape
    blocks = k // BLOCK_SIZE
    unsigned = (values.astype(np.int16) + 128).astype(np.uint8).reshape(n, blocks, BLOCK_SIZE)
    return [
        tensor_bytes(f"{key}_int8", np.ascontiguousarray(unsigned)),
        tensor_bytes(f"{key}_scales", np.full(n * blocks, scale, dtype=np.float32)),
        tensor_bytes(f"{key}_zeros", np.full(n * blocks, zero, dtype=np.uint8)),
    ]


def _matmul_nbits_node(
    node: list[Field], activations: str, key: str, k: int, n: int
) -> list[Field]:
    """The replacement node, writing the same output name so nothing downstream changes."""
    names = strings(node, NODE_NAME) or [key]
    parts = [
        _string(NODE_INPUT, activations),
        _string(NODE_INPUT, f"{key}_int8"),
        _string(NODE_INPUT, f"{key}_scales"),
        _string(NODE_INPUT, f"{key}_zeros"),
        _string(NODE_OUTPUT, strings(node, NODE_OUTPUT)[0]),
        _string(NODE_NAME, f"{names[0]}_int8"),
        _string(NODE_OP, "MatMulNBits"),
        _string(NODE_DOMAIN, MS_DOMAIN),
    ]
    attributes = {
        "K": k,
        "N": n,
        "bits": 8,
        "block_size": BLOCK_SIZE,
        "accuracy_level": ACCURACY_LEVEL,
    }
    for attribute, value in attributes.items():
        encoded = _string(ATTR_NAME, attribute) + _int(ATTR_INT, value)
        parts.append(_message(NODE_ATTRIBUTE, encoded + _int(ATTR_TYPE, ATTR_TYPE_INT)))
    return parse(b"".join(parts))


def _is_matrix_transpose(node: list[Field]) -> bool:
    """Only a plain 2-D transpose (perm absent or [1, 0]) is the tied output projection."""
    for number, _, value in node:
        if number == NODE_ATTRIBUTE:
            attribute = parse(value)
            if strings(attribute, ATTR_NAME) == ["perm"]:
                return _integers(attribute, ATTR_INTS) == [1, 0]
    return True


def _with_named_subgraphs(item: Field, plan: Rewrite) -> Field:
    """Recurses into an attribute holding If/Loop bodies; other fields pass through untouched."""
    number, wire, value = item
    if number != NODE_ATTRIBUTE:
        return item
    attribute: list[Field] = []
    for inner_number, inner_wire, inner in parse(value):
        if inner_number in (ATTR_GRAPH, ATTR_GRAPHS):
            plan.subgraphs += 1
            body = _rewrite_graph(parse(inner), f"subgraph_{plan.subgraphs}", plan)
            inner = serialize(body)
        attribute.append((inner_number, inner_wire, inner))
    return number, wire, serialize(attribute)


def _without_unused_transposes(
    nodes: list[list[Field]], reads: Counter[str], plan: Rewrite
) -> list[list[Field]]:
    """Drops a weight transpose whose only readers became MatMulNBits, so it is never computed."""
    kept: list[list[Field]] = []
    for node in nodes:
        output = strings(node, NODE_OUTPUT)[0]
        if output in plan.transposed and not reads[output]:
            reads.subtract(strings(node, NODE_INPUT))
            continue
        kept.append(node)
    return kept


def _new_initializers(plan: Rewrite) -> Iterator[Field]:
    """Float weights still read as float (embeddings, convolutions) and the packed int8 ones."""
    for name in sorted(plan.float_needed):
        yield GRAPH_INITIALIZER, LENGTH, tensor_bytes(name, plan.weights[name].dequantized())
    for tensors in plan.packed.values():
        for tensor in tensors:
            yield GRAPH_INITIALIZER, LENGTH, tensor


def _has_opset(model: list[Field], domain: str) -> bool:
    """Whether the model already imports an operator set for `domain`."""
    return any(
        strings(parse(value), OPSET_DOMAIN) == [domain]
        for number, _, value in model
        if number == MODEL_OPSET
    )


def tensor_array(tensor: bytes) -> npt.NDArray[np.generic]:
    """A TensorProto's values from raw_data or float_data, the two forms ORT writes."""
    message = parse(tensor)
    dims = _integers(message, TENSOR_DIMS)
    dtype = {FLOAT32: np.float32, INT8: np.int8, UINT8: np.uint8}[
        _integers(message, TENSOR_TYPE)[0]
    ]
    raw = [value for number, _, value in message if number == TENSOR_RAW]
    if raw:
        return np.frombuffer(raw[0], dtype=dtype).reshape(dims)
    floats = b"".join(
        value if wire == LENGTH else value[-4:]
        for number, wire, value in message
        if number == TENSOR_FLOATS
    )
    if dtype is not np.float32 or not floats:
        raise ValueError("tensor without raw or float data")
    return np.frombuffer(floats, dtype=np.float32).reshape(dims)


def _integers(message: list[Field], number: int) -> list[int]:
    """A repeated integer field, packed or not (the key of an unpacked one is one byte here)."""
    values: list[int] = []
    for n, wire, value in message:
        if n == number:
            values.extend(_varints(value) if wire == LENGTH else [read_varint(value, 1)[0]])
    return values


def tensor_bytes(name: str, array: npt.NDArray[np.generic]) -> bytes:
    """A TensorProto holding `array` as raw little-endian data."""
    kind = {np.dtype(np.float32): FLOAT32, np.dtype(np.uint8): UINT8, np.dtype(np.int8): INT8}
    dims = b"".join(_int(TENSOR_DIMS, size) for size in array.shape)
    return (
        dims
        + _int(TENSOR_TYPE, kind[array.dtype])
        + _string(TENSOR_NAME, name)
        + _message(TENSOR_RAW, np.ascontiguousarray(array).tobytes())
    )


def parse(buffer: bytes) -> list[Field]:
    """One level of a protobuf message; nested messages stay bytes until asked for."""
    fields: list[Field] = []
    position, end = 0, len(buffer)
    while position < end:
        start = position
        key, position = read_varint(buffer, position)
        number, wire = key >> 3, key & 7
        if wire == VARINT:
            _, position = read_varint(buffer, position)
        elif wire in (FIXED64, FIXED32):
            position += 8 if wire == FIXED64 else 4
        elif wire == LENGTH:
            size, position = read_varint(buffer, position)
            fields.append((number, wire, buffer[position : position + size]))
            position += size
            continue
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        fields.append((number, wire, buffer[start:position]))
    return fields


def serialize(fields: list[Field]) -> bytes:
    """The inverse of `parse`."""
    return b"".join(_message(n, value) if wire == LENGTH else value for n, wire, value in fields)


def strings(message: list[Field], number: int) -> list[str]:
    """Every string (or nested message, undecoded) stored under `number`."""
    return [value.decode() for n, wire, value in message if n == number and wire == LENGTH]


def read_varint(buffer: bytes, position: int) -> tuple[int, int]:
    """A base-128 integer and the position after it."""
    result = shift = 0
    while True:
        byte = buffer[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, position
        shift += 7


def _varints(buffer: bytes) -> Iterator[int]:
    """A packed repeated integer field."""
    position = 0
    while position < len(buffer):
        value, position = read_varint(buffer, position)
        yield value


def _encode_varint(value: int) -> bytes:
    """Base-128, low group first."""
    out = bytearray()
    while True:
        group = value & 0x7F
        value >>= 7
        if not value:
            out.append(group)
            return bytes(out)
        out.append(group | 0x80)


def _message(number: int, payload: bytes) -> bytes:
    """A length-delimited field."""
    return _encode_varint(number << 3 | LENGTH) + _encode_varint(len(payload)) + payload


def _string(number: int, text: str) -> bytes:
    """A string field."""
    return _message(number, text.encode())


def _int(number: int, value: int) -> bytes:
    """A varint field."""
    return _encode_varint(number << 3 | VARINT) + _encode_varint(value)


@dataclass(frozen=True)
class SplitDecoder:
    """The merged decoder's two branches as flat graphs, so no step pays for ORT's `If`.

    `first` runs <s> on the encoder states and also returns each layer's cross-attention keys
    already transposed and scaled (`scaled_keys`); `step` takes those as inputs, so the
    [heads, frames, size] transpose and multiply that every step repeated (a third of a step's
    time on 20 s chunks) happen once per chunk. Same arithmetic, so the same logits.
    """

    first: bytes
    step: bytes
    scaled_keys: dict[str, str]  # step input (scaled, transposed key) ← the cache input it replaces


def split_decoder(model_bytes: bytes) -> SplitDecoder:
    """Flattens the merged decoder's `If`: else_branch (no cache) first, then_branch per step."""
    try:
        model = parse(model_bytes)
        index = next(i for i, (number, _, _) in enumerate(model) if number == MODEL_GRAPH)
        graph = parse(model[index][2])
        branches = _if_branches(graph)
        first_branch, step_branch = branches["else_branch"], branches["then_branch"]
        scaled_keys = _scaled_cross_keys(step_branch, first_branch)
        outputs = [name for name, _ in _values(graph, GRAPH_OUTPUT)]
        inputs = [name for name, _ in _values(graph, GRAPH_INPUT)]
        first = _flat_graph(
            graph, first_branch, [*outputs, *scaled_keys], ["input_ids", ENCODER_STATES]
        )
        step_inputs = [
            name for name in inputs if name != "use_cache_branch" and name != ENCODER_STATES
        ]
        step = _flat_graph(
            graph,
            step_branch,
            [name for name in outputs if ".encoder." not in name],
            [*step_inputs, *scaled_keys],
        )
    except (ValueError, IndexError, KeyError, StopIteration) as error:
        raise GraphRewriteError(f"cannot split the decoder: {error}") from error
    return SplitDecoder(
        _with_graph(model, index, first), _with_graph(model, index, step), scaled_keys
    )


def _if_branches(graph: list[Field]) -> dict[str, list[Field]]:
    """The main graph must be one `If`; its two bodies by attribute name."""
    nodes = [parse(value) for number, _, value in graph if number == GRAPH_NODE]
    if len(nodes) != 1 or strings(nodes[0], NODE_OP) != ["If"]:
        raise ValueError("the decoder is not a single If")
    branches: dict[str, list[Field]] = {}
    for number, _, value in nodes[0]:
        if number == NODE_ATTRIBUTE:
            attribute = parse(value)
            body = next(inner for n, _, inner in attribute if n == ATTR_GRAPH)
            branches[strings(attribute, ATTR_NAME)[0]] = parse(body)
    return branches


def _scaled_cross_keys(step_branch: list[Field], first_branch: list[Field]) -> dict[str, str]:
    """Each `Mul(Transpose(past encoder key), s)` in the step whose output `first` also makes."""
    nodes = [parse(value) for number, _, value in step_branch if number == GRAPH_NODE]
    readers: dict[str, list[list[Field]]] = {}
    for node in nodes:
        for name in strings(node, NODE_INPUT):
            readers.setdefault(name, []).append(node)
    first_outputs = {
        name
        for number, _, value in first_branch
        if number == GRAPH_NODE
        for name in strings(parse(value), NODE_OUTPUT)
    }
    scaled: dict[str, str] = {}
    for node in nodes:
        source = strings(node, NODE_INPUT)[0]
        if strings(node, NODE_OP) != ["Transpose"] or not source.endswith(".encoder.key"):
            continue
        (multiply,) = readers[strings(node, NODE_OUTPUT)[0]]
        output = strings(multiply, NODE_OUTPUT)[0]
        if strings(multiply, NODE_OP) != ["Mul"] or output not in first_outputs:
            raise ValueError(f"unexpected use of {source}")
        scaled[output] = source
    if not scaled:
        raise ValueError("no cross-attention keys found")
    return scaled


def _flat_graph(
    graph: list[Field], branch: list[Field], outputs: list[str], inputs: list[str]
) -> list[Field]:
    """The branch's nodes that `outputs` need, stopping at `inputs`, with what they read."""
    needed = set(outputs)
    kept: list[list[Field]] = []
    for node in reversed([parse(value) for number, _, value in branch if number == GRAPH_NODE]):
        produced = set(strings(node, NODE_OUTPUT))
        if produced & needed and not produced & set(inputs):
            kept.append(node)
            needed.update(strings(node, NODE_INPUT))
    declared = dict(_values(graph, GRAPH_INPUT) + _values(graph, GRAPH_OUTPUT))
    initializers = [
        item
        for item in graph + branch
        if item[0] == GRAPH_INITIALIZER and strings(parse(item[2]), TENSOR_NAME)[0] in needed
    ]
    return [
        *((GRAPH_NODE, LENGTH, serialize(node)) for node in reversed(kept)),
        (GRAPH_NAME, LENGTH, b"decoder"),
        *initializers,
        *((GRAPH_INPUT, LENGTH, declared.get(n) or _float_value(n)) for n in inputs if n in needed),
        *((GRAPH_OUTPUT, LENGTH, declared.get(n) or _float_value(n)) for n in outputs),
    ]


def _values(graph: list[Field], number: int) -> list[tuple[str, bytes]]:
    """A graph's inputs or outputs as (name, ValueInfoProto bytes)."""
    return [(strings(parse(v), VALUE_NAME)[0], v) for n, _, v in graph if n == number]


def _float_value(name: str) -> bytes:
    """A ValueInfoProto for a float tensor of any shape: ORT needs the element type."""
    return _string(VALUE_NAME, name) + _message(VALUE_TYPE, _message(TYPE_TENSOR, _int(1, FLOAT32)))


def _with_graph(model: list[Field], index: int, graph: list[Field]) -> bytes:
    """The model with its main graph replaced."""
    changed = list(model)
    changed[index] = (MODEL_GRAPH, LENGTH, serialize(graph))
    return serialize(changed)
