"""Gamma (Mathet et al. 2015) per article, through ``pygamma-agreement`` (optional).

The library is heavy (cvxpy, numba, pandas: about 30 s to import on a 2-core machine) and each
article costs about a second (an integer program aligns the units, then 30 sampled continua
give the expected disorder), so gamma runs only when a report asks for it, in the worker, and
the library is imported on first use. Without it installed the report says so and the other
measures ship as usual.
"""

import contextlib
import logging
from collections.abc import Iterable, Mapping

UNAVAILABLE = "pygamma-agreement is not installed on the worker (pip install pygamma-agreement)"


class _DropChatter(logging.Filter):
    # The library logs on the root logger, at every article, that it falls back to GLPK and
    # each of its 30 samples: hundreds of lines per report in a worker's log. Errors still pass.
    def filter(self, record):
        return record.levelno >= logging.ERROR or "pygamma_agreement" not in record.pathname


@contextlib.contextmanager
def _quiet():
    drop = _DropChatter()
    logging.getLogger().addFilter(drop)
    try:
        yield
    finally:
        logging.getLogger().removeFilter(drop)


_library = None


def load():
    """``(pygamma_agreement, Segment, dissimilarity)``; ImportError when not installed."""
    global _library
    if _library is None:
        import pygamma_agreement
        from pyannote.core import Segment

        with contextlib.suppress(ImportError, AttributeError):
            import cvxopt.glpk

            cvxopt.glpk.options["msg_lev"] = "GLP_MSG_OFF"  # GLPK prints every solve otherwise
        # Positional and categorical dissimilarity weighted equally (the paper's default).
        dissimilarity = pygamma_agreement.CombinedCategoricalDissimilarity(alpha=1, beta=1)
        _library = (pygamma_agreement, Segment, dissimilarity)
    return _library


def available() -> bool:
    try:
        load()
    except ImportError:
        return False
    return True


def article_gamma(layers: Mapping[object, Iterable[tuple]], n_samples: int = 30) -> float | None:
    """Gamma of one article's layers (``{coder: [(start, end, label), ...]}``, empty layers
    included: a coder who marked nothing disagrees with those who did). None when undefined:
    fewer than two coders, or no span at all. Raises ImportError without the library.
    """
    layers = {str(coder): list(spans) for coder, spans in layers.items()}
    if len(layers) < 2 or not any(layers.values()):
        return None
    pygamma, segment, dissimilarity = load()
    continuum = pygamma.Continuum()
    for coder, spans in layers.items():
        continuum.add_annotator(coder)
        for start, end, label in spans:
            continuum.add(coder, segment(start, end), str(label))
    with _quiet():
        return float(continuum.compute_gamma(dissimilarity, n_samples=n_samples).gamma)
