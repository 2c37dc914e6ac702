"""Train the tagger + dependency parser that newsfacts ships, from UD English EWT.

    python training/syntax/train.py --ud PATH/TO/en_ewt [--steps 4000] [--work DIR]

Converts the three CoNLL-U files to spaCy's binary format, trains with `config.cfg` beside this
script, scores the best model on the EWT test file (gold tokens) and installs it, with the
treebank's licence and the scores in its metadata, as the package's syntax model. Training is
never part of CI: the tests load the shipped model. On a busy 2-core machine it took about 50 minutes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "config.cfg"
MODEL_DIR = HERE.parents[1] / "extractors" / "models" / "syntax"
SPLITS = ("train", "dev", "test")
LICENCE_NOTE = (
    "Trained on UD English EWT (Universal Dependencies, the UD English EWT team), licensed "
    "CC BY-SA 4.0. These model files are shared under the same licence: "
    "https://creativecommons.org/licenses/by-sa/4.0/"
)


def convert(ud_dir: Path, work: Path) -> dict[str, Path]:
    """CoNLL-U -> .spacy, ten sentences a document (what `spacy convert -n 10` does)."""
    from spacy.tokens import DocBin
    from spacy.training.converters import conllu_to_docs

    paths = {}
    for split in SPLITS:
        source = ud_dir / f"en_ewt-ud-{split}.conllu"
        target = work / f"{split}.spacy"
        if not target.exists():
            docs = conllu_to_docs(source.read_text(encoding="utf-8"), n_sents=10, no_print=True)
            DocBin(docs=docs, store_user_data=False).to_disk(target)
        paths[split] = target
    return paths


def train(paths: dict[str, Path], work: Path, steps: int) -> Path:
    from spacy.cli.train import train as spacy_train

    overrides = {
        "paths.train": str(paths["train"]),
        "paths.dev": str(paths["dev"]),
        "training.max_steps": steps,
    }
    spacy_train(CONFIG, work / "output", overrides=overrides)
    return work / "output" / "model-best"


def evaluate(model: Path, test: Path) -> dict[str, float]:
    from spacy.cli.evaluate import evaluate as spacy_evaluate

    scores = spacy_evaluate(str(model), str(test), silent=True)
    return {key: round(float(scores[key]), 4) for key in ("tag_acc", "dep_uas", "dep_las", "sents_f")}


def install(model: Path, scores: dict[str, float], seconds: float, steps: int) -> None:
    from thinc.api import Config

    if MODEL_DIR.exists():
        shutil.rmtree(MODEL_DIR)
    shutil.copytree(model, MODEL_DIR)
    # the training data's paths on this machine do not ship with the model
    config_path = MODEL_DIR / "config.cfg"
    config = Config().from_disk(config_path, interpolate=False)
    config["paths"]["train"] = None
    config["paths"]["dev"] = None
    config.to_disk(config_path)
    meta_path = MODEL_DIR / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(
        name="newsfacts_syntax",
        version="1.0.0",
        description="Tagger and dependency parser for newsfacts' fact attribution.",
        license="CC BY-SA 4.0",
        sources=[
            {
                "name": "UD English EWT",
                "url": "https://github.com/UniversalDependencies/UD_English-EWT",
                "license": "CC BY-SA 4.0",
                "author": "The UD English EWT team",
            }
        ],
        newsfacts={"ewt_test": scores, "train_seconds": round(seconds), "steps": steps},
    )
    meta.pop("performance", None)
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (MODEL_DIR / "LICENSE").write_text(LICENCE_NOTE + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ud", type=Path, required=True, help="folder holding en_ewt-ud-*.conllu")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--work", type=Path, default=Path("build/syntax"))
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    paths = convert(args.ud, args.work)
    best = train(paths, args.work, args.steps)
    seconds = time.monotonic() - started
    scores = evaluate(best, paths["test"])
    install(best, scores, seconds, args.steps)
    print(json.dumps({"ewt_test": scores, "train_seconds": round(seconds)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
