#!/usr/bin/env python3
"""Writes amun-old-layout.npz: amun.npz (Marian's --type amun model, make_fixtures.sh) as Nematus-era
files hold the same network: biases as vectors [n] rather than matrices [1, n], and the output
layer as ff_logit_W [embedding, vocabulary] rather than Marian's transposed decoder_ff_logit_l2_Wt.
    old_layout.py  (in tests/data/marian; needs Debian's python3-numpy)"""
import numpy as np

model = np.load("amun.npz")
arrays = {}
for name in model.files:
    a = model[name]
    if name == "decoder_ff_logit_l2_Wt":
        arrays["ff_logit_W"] = np.ascontiguousarray(a.T)
    elif name != "special:model.yml" and a.ndim == 2 and a.shape[0] == 1 and a.shape[1] > 0:
        arrays[name] = a.reshape(-1)
    else:
        arrays[name] = a
np.savez("amun-old-layout.npz", **arrays)
