#!/usr/bin/python3
"""Writes an rnmt model's weights as a checkpoint of the PyTorch reference (torch_s2s.py), so that
the two programs translate with the same network in the translation benchmark
(scripts/bench-translate.sh): the same weights give the same translations, and the speeds compare
the same work.

    scripts/rnmt-to-torch.py MODEL.rnmt OUT.pt [SOURCE_TOKENIZER]

With SOURCE_TOKENIZER, the model's source tokenizer is written there too (for `rnmt tokenize --bpe`,
which makes the pieces the PyTorch reference reads).

The model must have the reference's architecture: one bidirectional LSTM encoder layer, one LSTM
decoder layer (with or without input feeding), general attention, encoder and decoder of equal
hidden size, a bridge, untied embeddings. Anything else is refused.
"""
import struct
import sys

import numpy as np
import torch


def read_archive(path):
    """The sections of an rnmt archive (core/archive.cpp's layout). The checksum is left to rnmt,
    which reads the same file in the benchmark."""
    data = open(path, "rb").read()
    if data[:8].rstrip(b"\0") != b"RNMTMODL":
        sys.exit(f"{path}: not an rnmt model file")
    _, count = struct.unpack("<II", data[8:16])
    at, sections = 16, {}
    for _ in range(count):
        (n,) = struct.unpack("<Q", data[at:at + 8])
        name = data[at + 8:at + 8 + n].decode()
        at += 8 + n
        (n,) = struct.unpack("<Q", data[at:at + 8])
        sections[name] = data[at + 8:at + 8 + n]
        at += 8 + n
    return sections


def vocabulary(tokenizer_file):
    lines = tokenizer_file.decode("utf-8").split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("vocabulary "))
    size = int(lines[start].split()[1])
    return lines[start + 1:start + 1 + size]


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sections = read_archive(sys.argv[1])
    src_itos = vocabulary(sections["src_tokenizer"])
    tgt_itos = vocabulary(sections["tgt_tokenizer"])
    values = np.frombuffer(sections["params"], dtype="<f4")
    floats = len(values)
    E = H = None
    # The sizes follow from the vocabularies and the weight count: solve for E (embedding) and H
    # (hidden) over the candidates the recipe allows, with and without input feeding.
    Vs, Vt = len(src_itos), len(tgt_itos)

    def layout(E, H, feeding):
        F = E + (H if feeding else 0)
        return [("src_emb.weight", (Vs, E)), ("tgt_emb.weight", (Vt, E)),
                ("enc.l2r.layer", (E, 4, H)), ("enc.l2r.iter", (H, 4, H)), ("enc.l2r.bias", (4, H)),
                ("enc.r2l.layer", (E, 4, H)), ("enc.r2l.iter", (H, 4, H)), ("enc.r2l.bias", (4, H)),
                ("bridge_h.weight", (H, 2 * H)), ("bridge_h.bias", (H,)),
                ("bridge_c.weight", (H, 2 * H)), ("bridge_c.bias", (H,)),
                ("dec.layer", (F, 4, H)), ("dec.iter", (H, 4, H)), ("dec.bias", (4, H)),
                ("att_W.weight", (H, 2 * H)), ("att_out.weight", (H, 3 * H)),
                ("generator.weight", (Vt, H)), ("generator.bias", (Vt,))]

    def total(shapes):
        at = 0
        for _, shape in shapes:
            at = (at + 15) // 16 * 16 + int(np.prod(shape))  # each starts on 16 floats
        return at

    found = [(E, H, f) for E in range(16, 2049, 16) for H in range(16, 2049, 16) for f in (0, 1)
             if (total(layout(E, H, f)) + 15) // 16 * 16 == floats]
    if len(found) != 1:
        sys.exit("the model is not of the reference's architecture (1-layer BiLSTM, LSTM decoder, "
                 "general attention, equal hidden sizes, untied embeddings)")
    E, H, feeding = found[0]
    at, w = 0, {}
    for name, shape in layout(E, H, feeding):
        at = (at + 15) // 16 * 16
        n = int(np.prod(shape))
        w[name] = values[at:at + n].reshape(shape).copy()
        at += n

    def lstm(prefix):  # oneDNN's [in, gates, H] (gates i, f, c~, o: PyTorch's order) -> [4H, in]
        layer, it, bias = w[prefix + ".layer"], w[prefix + ".iter"], w[prefix + ".bias"]
        return (layer.reshape(layer.shape[0], -1).T, it.reshape(H, -1).T, bias.reshape(-1),
                np.zeros(4 * H, dtype=np.float32))

    state = {k: w[k] for k in ("src_emb.weight", "tgt_emb.weight", "bridge_h.weight",
                               "bridge_h.bias", "bridge_c.weight", "bridge_c.bias",
                               "att_W.weight", "att_out.weight", "generator.weight",
                               "generator.bias")}
    for direction, suffix in (("l2r", "_l0"), ("r2l", "_l0_reverse")):
        ih, hh, b_ih, b_hh = lstm("enc." + direction)
        state.update({"encoder.weight_ih" + suffix: ih, "encoder.weight_hh" + suffix: hh,
                      "encoder.bias_ih" + suffix: b_ih, "encoder.bias_hh" + suffix: b_hh})
    ih, hh, b_ih, b_hh = lstm("dec")
    names = (["dec_cell.weight_ih", "dec_cell.weight_hh", "dec_cell.bias_ih", "dec_cell.bias_hh"]
             if feeding else ["dec_rnn.weight_ih_l0", "dec_rnn.weight_hh_l0", "dec_rnn.bias_ih_l0",
                              "dec_rnn.bias_hh_l0"])
    state.update(dict(zip(names, (ih, hh, b_ih, b_hh))))
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}
    args = {"emb": E, "hidden": H, "input_feed": feeding}
    torch.save({"args": args, "src_itos": src_itos, "tgt_itos": tgt_itos, "model": state},
               sys.argv[2])
    if len(sys.argv) == 4:
        with open(sys.argv[3], "wb") as f:
            f.write(sections["src_tokenizer"])
    print(f"{sys.argv[2]}: embedding {E}, hidden {H}, input feeding {feeding}, "
          f"vocabularies {Vs}/{Vt}", file=sys.stderr)


if __name__ == "__main__":
    main()
