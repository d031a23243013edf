"""rnmt: recurrent neural machine translation (type stubs of the compiled module).

    import rnmt
    translator = rnmt.Translator("model.rnmt")
    for result in translator.translate(["Hello world."], beam_size=5):
        print(result.text, result.score)
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy
import numpy.typing

__version__: str  # this rnmt's version, e.g. "0.1.0"

class Error(RuntimeError):
    """Every error rnmt reports: a corrupt model file, a bad recipe, a bad option value."""

class Hypothesis:
    """One translation of a line."""
    @property
    def text(self) -> str: ...
    @property
    def tokens(self) -> List[str]: ...
    @property
    def score(self) -> float:
        """log p / length^length_penalty (the length counts </s>)."""
    @property
    def alignment(self) -> List[Tuple[int, int]]:
        """With return_alignments: (source, target) token positions."""
    @property
    def attention(self) -> Optional[numpy.typing.NDArray[numpy.float32]]:
        """With return_attention: weights [output tokens, source tokens]; else None."""

class TranslationResult:
    """A line's translations, best first; text ... attention are the best one's."""
    @property
    def hypotheses(self) -> List[Hypothesis]: ...
    @property
    def source_tokens(self) -> List[str]: ...
    @property
    def truncated(self) -> bool: ...
    @property
    def text(self) -> str: ...
    @property
    def tokens(self) -> List[str]: ...
    @property
    def score(self) -> float: ...
    @property
    def alignment(self) -> List[Tuple[int, int]]: ...
    @property
    def attention(self) -> Optional[numpy.typing.NDArray[numpy.float32]]: ...

class ScoringResult:
    @property
    def log_probability(self) -> float: ...
    @property
    def tokens(self) -> List[str]: ...
    @property
    def token_log_probabilities(self) -> List[float]: ...
    @property
    def truncated(self) -> bool: ...

class Translator:
    """A model file written by `rnmt run`, or several (an ensemble). Thread-safe."""
    def __init__(self, model_path: Union[str, Sequence[str]], weights: Sequence[float] = ...) -> None: ...
    def translate(
        self,
        lines: Sequence[str],
        *,
        beam_size: int = ...,
        num_hypotheses: int = ...,
        length_penalty: float = ...,
        length_includes_start: bool = ...,
        length_penalty_form: str = ...,
        beam_style: str = ...,
        disable_unk: bool = ...,
        max_length_ratio: float = ...,
        min_decoding_length: int = ...,
        max_decoding_length: int = ...,
        repetition_penalty: float = ...,
        no_repeat_ngram_size: int = ...,
        word_penalty: float = ...,
        target_prefix: Sequence[str] = ...,
        return_alignments: bool = ...,
        return_attention: bool = ...,
        max_batch_size: int = ...,
        max_batch_tokens: int = ...,
        compute_type: str = ...,
        use_shortlist: bool = ...,
        sampling_topk: int = ...,
        sampling_topp: float = ...,
        sampling_temperature: float = ...,
        random_seed: int = ...,
        threads: int = ...,
    ) -> List[TranslationResult]:
        """Translates raw-text lines (the GIL is released meanwhile); options default to the
        model recipe's (default_options())."""
    def score(
        self,
        sources: Sequence[str],
        targets: Sequence[str],
        *,
        max_batch_size: int = ...,
        max_batch_tokens: int = ...,
        compute_type: str = ...,
        threads: int = ...,
    ) -> List[ScoringResult]:
        """log p(target | source) of each pair (forced decoding)."""
    def validate(self, **options: object) -> None:
        """Checks options as translate() and score() do, without translating: rnmt.Error when
        rnmt refuses them."""
    def default_options(self) -> Dict[str, object]: ...
    @property
    def max_source_length(self) -> int: ...

class Tokenizer:
    """rnmt's reversible tokenizer: normalisation, segmentation and BPE."""
    def __init__(self, path: str) -> None: ...
    @staticmethod
    def from_model(model_path: str, side: str = "source") -> Tokenizer: ...
    def tokenize(self, line: str) -> List[str]: ...
    @staticmethod
    def detokenize(pieces: Sequence[str]) -> str: ...
    def decode(self, pieces: Sequence[str]) -> str: ...
    @property
    def vocabulary(self) -> List[str]: ...
    @property
    def merges(self) -> int: ...

class BleuScore:
    """Corpus BLEU as sacreBLEU 2 computes it; str() is sacreBLEU's line."""
    @property
    def score(self) -> float: ...
    @property
    def precisions(self) -> List[float]: ...
    @property
    def bp(self) -> float: ...
    @property
    def sys_len(self) -> int: ...
    @property
    def ref_len(self) -> int: ...
    @property
    def counts(self) -> List[int]: ...
    @property
    def totals(self) -> List[int]: ...
    def signature(self) -> str: ...

def bleu(hypotheses: Sequence[str], references: Union[Sequence[str], Sequence[Sequence[str]]]) -> BleuScore:
    """Corpus BLEU; references: one str per hypothesis, or a list of such lists."""

def run(recipe: str, overrides: Dict[str, Union[str, int, float, bool]] = ..., from_stage: Optional[str] = ...) -> int:
    """Runs a recipe as `rnmt run` does; returns the exit status (130 when interrupted)."""
