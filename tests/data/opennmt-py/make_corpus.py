#!/usr/bin/env python3
"""The corpus of the OpenNMT-py fixtures (make_fixtures.sh): a toy task of our own, deterministic.
Source lines are 2-9 words of a 24-word vocabulary; the target says the same words in another
vocabulary and in reverse order, so that a model must attend to the whole source.
    make_corpus.py OUT_DIR  ->  train.src, train.tgt (3,000 pairs), test.src (12 lines)"""
import random
import sys

words = "sun moon star sky sea land tree rock fire rain snow wind red blue green gold one two three four big small old new".split()
target = {w: w[::-1].upper() + "-" + str(i % 5) for i, w in enumerate(words)}
rng = random.Random(30)


def pair():
    src = [rng.choice(words) for _ in range(rng.randint(2, 9))]
    return " ".join(src), " ".join(target[w] for w in reversed(src))


out = sys.argv[1]
with open(f"{out}/train.src", "w") as s, open(f"{out}/train.tgt", "w") as t:
    for _ in range(3000):
        a, b = pair()
        s.write(a + "\n")
        t.write(b + "\n")
with open(f"{out}/test.src", "w") as s:
    for _ in range(12):
        s.write(pair()[0] + "\n")
