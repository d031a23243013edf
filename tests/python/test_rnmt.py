"""import rnmt: the Python module against the command line, threads, errors, tokenizer, BLEU, run().

Run by CTest (tests/CMakeLists.txt) with PYTHONPATH at the built module, RNMT_CLI the rnmt command
and RNMT_QUICKSTART the folder where cli_run.sh kept the quickstart model and test set.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy
import pytest

import rnmt

CLI = os.environ["RNMT_CLI"]
QUICKSTART = os.environ["RNMT_QUICKSTART"]
MODEL = os.path.join(QUICKSTART, "model.rnmt")


def sample_lines(n=40):
    with open(os.path.join(QUICKSTART, "test.en"), encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f][:n]
    return lines + ["", "seven"]  # an empty line gives an empty translation


@pytest.fixture(scope="module")
def translator():
    return rnmt.Translator(MODEL)


def command_line(lines, *options):
    out = subprocess.run([CLI, "translate", "-m", MODEL, "--output-format", "json", *options],
                         input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_translations_equal_the_command_lines():
    lines = sample_lines()
    python = rnmt.Translator(MODEL).translate(lines, beam_size=3, num_hypotheses=2,
                                               length_penalty=1.0)
    cli = command_line(lines, "--beam", "3", "--n-best", "2", "--length-penalty", "1.0")
    assert len(python) == len(cli) == len(lines)
    for ours, theirs in zip(python, cli):
        assert [h.text for h in ours.hypotheses] == [h["text"] for h in theirs["hypotheses"]]
        assert [h.tokens for h in ours.hypotheses] == [h["tokens"] for h in theirs["hypotheses"]]
        for h, t in zip(ours.hypotheses, theirs["hypotheses"]):
            assert h.score == pytest.approx(t["score"], abs=1e-5)
        assert ours.text == ours.hypotheses[0].text
    # the model learned its task: most numbers come out as the reference says
    with open(os.path.join(QUICKSTART, "test.es"), encoding="utf-8") as f:
        references = [line.rstrip("\n") for line in f][:40]
    exact = sum(r.text == ref for r, ref in zip(python, references))
    assert exact >= 30


def test_defaults_are_the_recipes(translator):
    defaults = translator.default_options()
    assert defaults["beam_size"] == 1  # recipes/quickstart.yaml: translate.beam 1
    assert defaults["max_length_ratio"] == 2.0
    assert [r.text for r in translator.translate(["two hundred"])] == \
        [r.text for r in translator.translate(["two hundred"], **defaults)]


def test_the_stubs_list_every_option(translator):
    """rnmt.pyi's keyword arguments are the options' table's (default_options() reads the table)."""
    import re
    with open(os.path.join(os.path.dirname(rnmt.__file__), "rnmt.pyi"), encoding="utf-8") as f:
        stubs = f.read()
    def keywords(method, returns):
        begin = stubs.index(f"def {method}(\n        self,")
        signature = stubs[begin:stubs.index(f") -> {returns}:", begin)]
        return re.findall(r"^\s+(\w+): ", signature.split("*,", 1)[1], re.M)
    options = set(translator.default_options())
    assert set(keywords("translate", "List[TranslationResult]")) == options
    assert set(keywords("score", "List[ScoringResult]")) <= options


def test_validate_checks_options_without_translating(translator):
    translator.validate(beam_size=3, num_hypotheses=2)
    with pytest.raises(rnmt.Error, match="beam size must be at least 1"):
        translator.validate(beam_size=0)
    with pytest.raises(rnmt.Error, match="compute type"):
        translator.validate(compute_type="float8")
    with pytest.raises(TypeError, match="unknown option 'beam'"):
        translator.validate(beam=2)


def test_int8_translates_as_float32_does_on_most_lines(translator):
    lines = sample_lines()
    exact = translator.translate(lines, compute_type="float32")
    reduced = translator.translate(lines, compute_type="int8")
    assert len(reduced) == len(lines)
    assert sum(a.text == b.text for a, b in zip(exact, reduced)) >= len(lines) - 2
    assert any(a.score != b.score for a, b in zip(exact, reduced))  # int8 did run


def test_four_threads_at_once_equal_the_serial_results(translator):
    lines = sample_lines(60)
    serial = [r.text for r in translator.translate(lines, beam_size=2)]
    outputs = [None] * 4

    def work(k):
        outputs[k] = [r.text for r in translator.translate(lines, beam_size=2, threads=1)]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outputs == [serial] * 4


def tiny_recipe(tmp_path):
    """A recipe that trains in a second or two on 1,000 quickstart pairs: (path, its workdir)."""
    data = tmp_path / "data"
    subprocess.run([CLI, "quickstart-data", str(data), "--train", "1000", "--valid", "40",
                    "--test", "40"], check=True, capture_output=True)
    recipe = tmp_path / "tiny.yaml"
    recipe.write_text(f"""workdir: {tmp_path}/run
data:
  train: {{src: {data}/train.en, tgt: {data}/train.es}}
  valid: {{src: {data}/valid.en, tgt: {data}/valid.es}}
tokenizer: {{bpe: {{merges: 100}}}}
model: {{embedding: 16, encoder: {{hidden: 32}}, decoder: {{hidden: 32}}}}
validation: {{every: 20, metric: loss}}
""")
    return recipe, tmp_path / "run"


@pytest.mark.parametrize("call", ["translate", "score", "run"])
def test_the_gil_is_released(call, translator, tmp_path):
    # This thread keeps running Python while another is inside a call to rnmt, noting every moment
    # it could not run for over a millisecond. A call that held the GIL would block it for the
    # whole call: one such gap spanning the call's middle. Released, this thread runs beside it
    # (the call uses one thread of the two cores). No rate or duration threshold: an event.
    lines = sample_lines(40) * 10
    if call == "translate":
        def work():
            translator.translate(lines, beam_size=5, threads=1)
    elif call == "score":
        targets = [r.text for r in translator.translate(lines)]

        def work():
            translator.score(lines, targets, threads=1)
    else:
        recipe, _ = tiny_recipe(tmp_path)

        def work():
            rnmt.run(str(recipe), {"training.max_steps": 20, "training.max_time": 0,
                                   "training.threads": 1})
    state = {"done": False}

    def worker():
        state["start"] = time.perf_counter()
        work()
        state["end"] = time.perf_counter()
        state["done"] = True

    gaps = []  # (from, to): this thread did not run in between
    thread = threading.Thread(target=worker)
    thread.start()
    previous = time.perf_counter()
    while not state["done"]:
        now = time.perf_counter()
        if now - previous > 0.001:
            gaps.append((previous, now))
        previous = now
    thread.join()
    length = state["end"] - state["start"]
    middle = (state["start"] + 0.1 * length, state["end"] - 0.1 * length)
    spanning = [(a, b) for a, b in gaps if a <= middle[0] and b >= middle[1]]
    assert not spanning, f"{call}() held the GIL: this thread was blocked for its {length:.3f} s"


def test_decoding_features_sampling_prefixes_ensembles(translator):
    lines = sample_lines(12)[:12]  # no empty line: it has one, empty, hypothesis
    # sampling: reproducible by seed, n samples per line, other seeds other samples somewhere
    first = translator.translate(lines, sampling_topk=0, sampling_temperature=1.5, num_hypotheses=3,
                                 beam_size=1, random_seed=7)
    again = translator.translate(lines, sampling_topk=0, sampling_temperature=1.5, num_hypotheses=3,
                                 beam_size=1, random_seed=7, max_batch_size=5)
    other = translator.translate(lines, sampling_topk=0, sampling_temperature=1.5, num_hypotheses=3,
                                 beam_size=1, random_seed=8)
    texts = lambda results: [[h.text for h in r.hypotheses] for r in results]
    assert all(len(r.hypotheses) == 3 for r in first)
    assert texts(first) == texts(again)
    assert texts(first) != texts(other)
    # prefixes: every output starts with its line's prefix
    prefixed = translator.translate(["two hundred", "nine"], target_prefix=["doscientos", "ocho"])
    assert prefixed[0].text.startswith("doscientos")
    assert prefixed[1].text.startswith("ocho")
    # an ensemble of the model with itself translates as the model
    twice = rnmt.Translator([MODEL, MODEL], [0.5, 0.5])
    assert [r.text for r in twice.translate(lines, beam_size=3)] == \
        [r.text for r in translator.translate(lines, beam_size=3)]


def test_attention_is_a_numpy_array_and_alignments_pairs(translator):
    [result] = translator.translate(["three hundred twelve"], return_attention=True,
                                    return_alignments=True)
    attention = result.attention
    assert isinstance(attention, numpy.ndarray)
    assert attention.dtype == numpy.float32
    assert attention.shape == (len(result.tokens), len(result.source_tokens))
    assert numpy.allclose(attention.sum(axis=1), 1.0, atol=1e-4)
    # each output token and the source token it attends to most
    assert [t for _, t in result.alignment] == list(range(len(result.tokens)))
    assert all(s == int(numpy.argmax(attention[t])) for s, t in result.alignment)
    assert translator.translate(["three"])[0].attention is None


def test_scores_equal_the_translations_log_probabilities(translator):
    # With length_penalty 0 a translation's score is its log-probability (</s> included): scoring
    # the same text must give the same number, token by token summed.
    for line in ["forty-two", "three hundred seven", "nineteen"]:
        [best] = translator.translate([line], beam_size=1, length_penalty=0.0)
        [scored] = translator.score([line], [best.text])
        assert scored.tokens == best.tokens
        assert len(scored.token_log_probabilities) == len(best.tokens) + 1
        assert scored.log_probability == pytest.approx(sum(scored.token_log_probabilities), abs=1e-4)
        assert scored.log_probability == pytest.approx(best.score, abs=1e-4)
        assert scored.log_probability < 0


def test_errors_raise_with_their_messages(tmp_path, translator):
    assert issubclass(rnmt.Error, RuntimeError)
    with pytest.raises(rnmt.Error, match="cannot open model"):
        rnmt.Translator(str(tmp_path / "missing.rnmt"))
    broken = tmp_path / "broken.rnmt"
    broken.write_bytes(b"RNMTMODL" + b"\0" * 40)
    with pytest.raises(rnmt.Error, match="broken.rnmt"):
        rnmt.Translator(str(broken))
    with pytest.raises(TypeError, match="option 'beam_size' expects an int, got str"):
        translator.translate(["one"], beam_size="5")
    with pytest.raises(TypeError, match="option 'return_attention' expects a bool, got int"):
        translator.translate(["one"], return_attention=1)
    with pytest.raises(TypeError, match="unknown option 'beam'"):
        translator.translate(["one"], beam=5)
    with pytest.raises(TypeError, match="lines must be a list of str"):
        translator.translate("one")
    with pytest.raises(TypeError, match="option 'target_prefix' expects a list of str"):
        translator.translate(["one"], target_prefix="uno")
    with pytest.raises(rnmt.Error, match="the beam size must be at least 1"):
        translator.translate(["one"], beam_size=0)
    with pytest.raises(rnmt.Error, match="unknown compute type .float8."):
        translator.translate(["one"], compute_type="float8")
    with pytest.raises(rnmt.Error):
        translator.score(["one", "two"], ["uno"])
    with pytest.raises(rnmt.Error, match="reference set 1 has 1"):
        rnmt.bleu(["a", "b"], ["a"])
    with pytest.raises(TypeError, match="references must be"):
        rnmt.bleu(["a"], [1])
    with pytest.raises(rnmt.Error, match="cannot open"):
        rnmt.Tokenizer(str(tmp_path / "missing.tokenizer"))
    with pytest.raises(ValueError, match="side must be"):
        rnmt.Tokenizer.from_model(MODEL, side="left")
    recipe = tmp_path / "bad.yaml"
    recipe.write_text("workdir: w\nmodel:\n  dropot: 0.1\n")
    with pytest.raises(rnmt.Error, match=r"bad.yaml:3: model.dropot: unknown key"):
        rnmt.run(str(recipe))
    with pytest.raises(TypeError, match="override 'training.lr' expects"):
        rnmt.run(str(recipe), {"training.lr": [0.1]})


def test_tokenizer_round_trip():
    source = rnmt.Tokenizer.from_model(MODEL, "source")
    target = rnmt.Tokenizer.from_model(MODEL, "target")
    assert source.vocabulary[:4] == ["<pad>", "<unk>", "<s>", "</s>"]
    assert source.merges > 0
    for line in sample_lines() + ["  two  spaces, «quotes» and\ttabs ", "ünïcödé 123"]:
        pieces = source.tokenize(line)
        assert rnmt.Tokenizer.detokenize(pieces) == line
        assert rnmt.Tokenizer.detokenize(target.tokenize(line)) == line


def test_bleu_as_sacrebleu_publishes():
    # sacreBLEU 2.0.0 on these (its test_api.py example): 48.53 with two references
    hypotheses = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]
    references = [["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
                  ["The dog had bit the man.", "No one was surprised.",
                   "The man had bitten the dog."]]
    score = rnmt.bleu(hypotheses, references)
    assert round(score.score, 2) == 48.53
    assert score.signature() == "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0"
    assert str(score).startswith("BLEU = 48.53 ")
    single = rnmt.bleu(hypotheses, references[0])
    assert single.signature().startswith("nrefs:1|")
    assert rnmt.bleu(["a b c d"], ["a b c d"]).score == pytest.approx(100.0)


def test_run_trains_a_recipe(tmp_path):
    recipe, workdir = tiny_recipe(tmp_path)
    status = rnmt.run(str(recipe), {"training.max_steps": 40, "training.lr": 0.01,
                                    "training.max_time": 0})
    assert status == 0
    model = workdir / "model.rnmt"
    assert model.exists()
    metrics = [json.loads(line) for line in open(workdir / "train" / "metrics.jsonl")]
    losses = [m["valid_loss"] for m in metrics if "valid_loss" in m]
    assert len(losses) == 2 and losses[1] < losses[0]  # it learned
    # the model run() exported translates as the command line does with it
    lines = ["one", "twenty-two", "five hundred"]
    out = subprocess.run([CLI, "translate", "-m", str(model)], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert [r.text for r in rnmt.Translator(str(model)).translate(lines)] == out


# The child: rnmt.run() on the recipe with the overrides given as JSON; a KeyboardInterrupt is
# caught, and the interpreter shows it goes on by printing after it.
INTERRUPTED_CHILD = """
import json, sys
import rnmt
try:
    status = rnmt.run(sys.argv[1], json.loads(sys.argv[2]))
    print("run returned", status, flush=True)
except KeyboardInterrupt:
    print("KeyboardInterrupt; the interpreter goes on:", sum(range(10)), flush=True)
"""


@pytest.mark.parametrize("stage", ["prepare", "train", "evaluate"])
def test_ctrl_c_in_run_raises_keyboard_interrupt(stage, tmp_path):
    recipe, workdir = tiny_recipe(tmp_path)
    data = tmp_path / "data"
    overrides = {"training.max_time": 0, "training.threads": 1}
    if stage == "prepare":  # the data is missing: data.prepare runs, for a minute
        overrides.update({"data.train.src": str(data / "missing.en"), "data.prepare": "sleep 60"})
        started = "prepare: running data.prepare"
    elif stage == "train":
        overrides.update({"training.max_steps": 10 ** 7, "validation.every": 10 ** 6})
        started = "train: 1000 pairs kept"
    else:  # every test line decodes 2,000 tokens: minutes, in batches of 64
        subprocess.run([CLI, "quickstart-data", str(tmp_path / "big"), "--train", "10",
                        "--valid", "10", "--test", "640"], check=True, capture_output=True)
        overrides.update({"training.max_steps": 5, "data.test.src": str(tmp_path / "big/test.en"),
                          "data.test.tgt": str(tmp_path / "big/test.es"),
                          "translate.min_decoding_length": 2000,
                          "translate.max_decoding_length": 2000,
                          "translate.max_length_ratio": 10000})
        started = "train: stopped at step 5"
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED_CHILD, str(recipe),
                              json.dumps(overrides)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    log = []
    deadline = time.monotonic() + 120
    for line in child.stderr:  # the run's log, line by line as it comes
        log.append(line)
        if started in line:
            break
        assert time.monotonic() < deadline, "".join(log)
    else:
        pytest.fail("the run ended before '" + started + "':\n" + "".join(log))
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    log.append(err)
    assert child.returncode == 0, "".join(log)
    assert out == "KeyboardInterrupt; the interpreter goes on: 45\n", out + "".join(log)
    if stage == "train":  # training stopped as on the command line: a checkpoint to resume from
        assert "(interrupted)" in err and (workdir / "train" / "last.ckpt").exists(), err
    if stage == "evaluate":  # nothing half written
        assert not (workdir / "evaluate" / "scores.txt").exists()
    assert not (workdir / "model.rnmt").exists()


def test_version_is_the_command_lines():
    out = subprocess.run([CLI, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0] == "rnmt " + rnmt.__version__


OPENNMT_PY_FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                   "data", "opennmt-py")


def converted(tmp_path, name):
    """rnmt convert's model of the OpenNMT-py fixture NAME (tests/data/opennmt-py)."""
    model = str(tmp_path / (name + ".rnmt"))
    subprocess.run([CLI, "convert", "--from", "opennmt-py",
                    os.path.join(OPENNMT_PY_FIXTURES, name + ".pt"), "-o", model],
                   check=True, capture_output=True)
    return model


def test_a_converted_opennmt_py_model_translates_as_opennmt_py(tmp_path):
    """rnmt convert's model (tests/data/opennmt-py) from Python: OpenNMT-py's own 3-best lists."""
    fixtures = OPENNMT_PY_FIXTURES
    model = converted(tmp_path, "lstm-mlp-bridge")
    with open(os.path.join(fixtures, "test.src"), encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    with open(os.path.join(fixtures, "lstm-mlp-bridge.nbest"), encoding="utf-8") as f:
        expected = [line.rstrip("\n").split("\t") for line in f]
    translator = rnmt.Translator(model)
    assert translator.default_options()["length_includes_start"] is True
    results = translator.translate(lines, beam_size=3, num_hypotheses=3)
    ours = [(h.text, h.score) for r in results for h in r.hypotheses]
    assert [text for text, _ in ours] == [text for text, _ in expected]
    for (_, score), (_, theirs) in zip(ours, expected):
        assert score == pytest.approx(float(theirs), abs=1e-4)


def test_a_converted_sentencepiece_model_reads_and_writes_raw_text(tmp_path):
    """An OpenNMT-py model trained through SentencePiece: its tokenizers from Python."""
    fixtures = OPENNMT_PY_FIXTURES
    model = converted(tmp_path, "lstm-sentencepiece")
    source = rnmt.Tokenizer.from_model(model, "source")
    target = rnmt.Tokenizer.from_model(model, "target")
    pieces = source.tokenize("\uff53\uff55\uff4e   moon")  # full-width letters: nmt_nfkc
    assert pieces == source.tokenize("sun moon")
    assert source.decode(pieces) == "sun moon"
    assert target.decode(target.tokenize("NUS-0  NOOM-1")) == "NUS-0 NOOM-1"
    with open(os.path.join(fixtures, "lstm-sentencepiece.nbest"), encoding="utf-8") as f:
        best = f.readline().split("\t")[0]
    with open(os.path.join(fixtures, "test-raw.src"), encoding="utf-8") as f:
        first = f.readline().rstrip("\n")
    assert rnmt.Translator(model).translate([first], beam_size=3)[0].hypotheses[0].text == best
