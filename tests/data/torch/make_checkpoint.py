#!/usr/bin/env python3
"""Writes checkpoint.pt, the fixture of tests/test_torch_checkpoint.cpp, with Debian 12's torch
(python3-torch 1.13): the structures torch.save puts in an OpenNMT-py checkpoint (OrderedDict
state dicts, tensors that are views of shared storages, an argparse.Namespace, a set) and values of
every kind the reader knows. The test checks each value against what this script says.
    /usr/bin/python3 tests/data/torch/make_checkpoint.py tests/data/torch/checkpoint.pt"""
import argparse
import collections
import sys

import torch

base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 4 - 1  # -1, -0.75, ..., 1.75
model = collections.OrderedDict()
model["weight"] = base
model["transposed"] = base.t()  # strides (1, 4): not contiguous
model["row"] = base[1]  # offset 4 into base's storage, which it shares
model["half"] = base.to(torch.float16)
model["bf16"] = base.to(torch.bfloat16)
model["double"] = base.to(torch.float64)
model["long"] = torch.arange(3)
opt = argparse.Namespace(rnn_size=8, brnn=True, global_attention="general", dropout=[0.3], name="x")
checkpoint = {
    "model": model,
    "opt": opt,
    "vocab": {"src": ["<unk>", "<blank>", "a", "é"], "tgt": ["<unk>", "<blank>", "<s>", "</s>"]},
    "numbers": [0, 255, 65535, -7, 2**40, -(2**40), 1.5, -2.25e-3, True, False, None],
    "words": {"tokens", "set"},
    "raw": b"\x00\xffbytes",
}
torch.save(checkpoint, sys.argv[1])
