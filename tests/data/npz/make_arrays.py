#!/usr/bin/env python3
"""The .npz fixtures of tests/test_npz.cpp, written by numpy (Debian's python3-numpy) as Marian's
models are: arrays.npz holds float32, float16 and float64 arrays and a text as int8 bytes (Marian's
"special:model.yml"); refused.npz holds what rnmt refuses (Fortran order, big-endian, integers as
weights); marian-missing.npz and marian-shape.npz are Marian s2s models' options without the
arrays, or with an array of the wrong shape.
    make_arrays.py OUT_DIR"""
import sys

import numpy as np

out = sys.argv[1]
np.savez(f"{out}/arrays.npz",
         matrix=np.arange(12, dtype=np.float32).reshape(3, 4) / 8,
         half=np.array([1.5, -2.25, 65504, 6e-8], dtype=np.float16),
         double=np.array([[0.1], [1e-30]], dtype=np.float64),
         scalar=np.float32(7.5),
         **{"special:model.yml": np.frombuffer(b"type: s2s\ndim-emb: 16\n\0", dtype=np.int8)})
np.savez(f"{out}/refused.npz",
         fortran=np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
         big=np.array([1, 2], dtype=">f4"),
         integers=np.array([1, 2], dtype=np.int32))
marian = b"type: s2s\ndim-emb: 4\ndim-rnn: 3\ndim-vocabs: [26, 26]\n\0"
np.savez(f"{out}/marian-missing.npz",
         **{"special:model.yml": np.frombuffer(marian, dtype=np.int8)})
np.savez(f"{out}/marian-shape.npz", encoder_Wemb=np.zeros((26, 5), dtype=np.float32),
         **{"special:model.yml": np.frombuffer(marian, dtype=np.int8)})
