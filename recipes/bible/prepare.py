#!/usr/bin/python3
"""Verse-aligned English (World English Bible) -> Spanish (Reina-Valera 1909) from Debian's SWORD
modules (packages sword-text-web, sword-text-sparv; read with mod2imp from libsword-utils).

  prepare.py OUTDIR [--seed 1] [--test 1000] [--dev 1000]

Markup and notes are stripped; verses present and non-empty in both translations are kept; a fixed
random split (by seed) gives OUTDIR/{train,dev,test}.{en,es}, line-aligned.
"""
import argparse
import html
import os
import random
import re
import subprocess
import sys

KEY = re.compile(r"^(.+) (\d+):(\d+)$")
NOTE = re.compile(r"<note\b.*?</note>", re.S)
TAG = re.compile(r"<[^>]*>")


def verses(module):
    """{"Book C:V": text} for every verse (V > 0) of a SWORD module, markup and notes removed."""
    try:
        raw = subprocess.run(["mod2imp", module], capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        sys.exit("prepare.py: mod2imp not found (Debian package libsword-utils)")
    except subprocess.CalledProcessError as e:
        sys.exit(f"prepare.py: mod2imp {module} failed: {e.stderr.strip()}")
    out, key, lines = {}, None, []

    def flush():
        if key is None:
            return
        m = KEY.match(key)
        if not m or m.group(3) == "0":
            return
        text = NOTE.sub(" ", " ".join(lines))
        text = html.unescape(TAG.sub("", text))
        text = " ".join(text.split())
        if text:
            out[key] = text

    for line in raw.split("\n"):
        if line.startswith("$$$"):
            flush()
            key, lines = line[3:].strip(), []
        else:
            lines.append(line)
    flush()
    if not out:
        sys.exit(f"prepare.py: no verses read from SWORD module {module} (is it installed?)")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--test", type=int, default=1000)
    ap.add_argument("--dev", type=int, default=1000)
    a = ap.parse_args()
    english, spanish = verses("engWEB2015eb"), verses("spaRV1909eb")
    keys = sorted(k for k in english if k in spanish)
    random.Random(a.seed).shuffle(keys)
    splits = {"test": keys[:a.test], "dev": keys[a.test:a.test + a.dev], "train": keys[a.test + a.dev:]}
    os.makedirs(a.outdir, exist_ok=True)
    for name, part in splits.items():
        for lang, source in (("en", english), ("es", spanish)):
            path = os.path.join(a.outdir, f"{name}.{lang}")
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                for k in part:
                    f.write(source[k] + "\n")
            os.replace(path + ".tmp", path)  # never half a file under the final name
    print(f"prepare.py: {len(english)} English and {len(spanish)} Spanish verses, {len(keys)} in both: "
          f"{len(splits['train'])} train, {len(splits['dev'])} dev, {len(splits['test'])} test -> {a.outdir}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
