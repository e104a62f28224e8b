"""``mtfix models``: what is cached, what each language routes to, pulls, conversion to
CTranslate2, random-weight models for tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mtfix.cli.common import model_options, usage_error
from mtfix.errors import printable_path


def models_list(
    languages: list[str] = typer.Argument(None, help="Languages to show routing for (default: common ones)."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help="As for translate: ID|FOLDER, or LANG=ID|FOLDER; shown in the routing."),
) -> None:
    """What is in the local cache (Hugging Face's and the converted CTranslate2 models), and
    which model each language routes to (with --model, as translate would)."""
    from mtfix.engines import routing
    from mtfix.engines.nllb import DEFAULT_MODEL

    try:
        from huggingface_hub import scan_cache_dir

        cached = sorted(
            repo.repo_id for repo in scan_cache_dir().repos if repo.repo_type == "model"
        )
    except Exception:  # an absent or unreadable cache is simply empty
        cached = []
    typer.echo("Cached models:" if cached else "Cached models: none")
    for repo_id in cached:
        typer.echo(f"  {repo_id}")
    from mtfix.engines.ct2_convert import cache_root

    converted = sorted(p.name for p in cache_root().glob("*") if (p / "model.bin").is_file()) if cache_root().is_dir() else []
    typer.echo(f"Converted for ct2 ({printable_path(cache_root())}):" if converted else "Converted for ct2: none")
    for name in converted:
        typer.echo(f"  {name}")
    from mtfix.engines.base import TranslateConfig, chosen_model

    default_model, models = model_options(model, "marian")
    config = TranslateConfig(model=default_model, models=models)
    typer.echo("Routing (marian):")
    for lang in languages or sorted({"zh", "id", "ja", "ko", "de", "fr", "es", "ru", "ar", "ms"} | dict(models).keys()):
        named = chosen_model(config, lang)
        if named:
            state = f"→ {named} (--model{', not found' if not routing.model_available(named) else ''})"
        else:
            chosen = next((m for m in routing.candidate_models(lang) if routing.model_available(m)), None)
            state = f"→ {chosen}" if chosen else f"→ {routing.candidate_models(lang)[0]} (not cached)"
        typer.echo(f"  {lang:6} {state}")
    nllb_state = "cached" if routing.model_available(DEFAULT_MODEL) else "not cached"
    typer.echo(f"Routing (nllb): every language → {DEFAULT_MODEL} ({nllb_state})")


def models_pull(
    languages: list[str] = typer.Argument(None, help="Source languages (marian), e.g. zh id."),
    engine: str = typer.Option("marian", "--engine", "-e"),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="A hub id to download instead."),
    allow_pickle: bool = typer.Option(False, "--allow-pickle", help="Also fetch pickle weights (*.bin)."),
) -> None:
    """Download models into the Hugging Face cache (needs internet). Safetensors weights
    only, unless --allow-pickle (for repos that have none)."""
    from mtfix.engines.routing import candidate_models
    from mtfix.engines.nllb import DEFAULT_MODEL

    if model:
        wanted = [model]
    elif engine == "nllb":
        wanted = [DEFAULT_MODEL]
    elif languages:
        wanted = [candidate_models(lang)[0] for lang in languages]
    else:
        usage_error("models pull: name languages (e.g. `mtfix models pull zh id`) or --model")
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.safetensors", "*.spm", "*.model", "*.txt", "*.md"] + (["*.bin"] if allow_pickle else [])
    failed = 0
    for repo_id in wanted:
        try:
            folder = snapshot_download(repo_id, allow_patterns=patterns)
        except Exception as error:  # network, auth, missing repo: one line each
            failed += 1
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            typer.echo(f"mtfix: {repo_id}: download failed ({reason})", err=True)
            continue
        typer.echo(f"{repo_id} → {folder}")
    raise typer.Exit(1 if failed else 0)


def models_convert(
    model: str = typer.Argument(..., help="A hub id in the local cache, or a model folder."),
    compute_type: str = typer.Option("int8", "--compute-type", help="How the weights are stored: int8, int8_float16, float16, float32..."),
    allow_pickle: bool = typer.Option(False, "--allow-pickle", help="Convert pickle weights (trusted models only)."),
    force: bool = typer.Option(False, "--force", help="Convert again even when the cache has it."),
) -> None:
    """Convert a Marian or NLLB model for the ct2 engine, into ~/.cache/mtfix/ct2 (or
    $MTFIX_CT2_CACHE). `translate --engine ct2` does this by itself the first time."""
    from mtfix.engines import ct2_convert

    quantization = ct2_convert.resolve_compute_type(compute_type, "cpu")
    folder = ct2_convert.convert(model, quantization, allow_pickle=allow_pickle, force=force)
    typer.echo(f"{model} ({quantization}) → {folder}")


def models_random_init(
    source: Path = typer.Argument(..., help="A folder with config.json and tokenizer files."),
    out: Path = typer.Argument(..., help="Where to save the model."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Build a model of SOURCE's architecture with RANDOM weights (tests, demos, speed
    measurements offline). Its translations are nonsense."""
    from mtfix.testing import build_random_model

    if not (source / "config.json").is_file():
        usage_error(f"{printable_path(source)}: no config.json here")
    # Saving a model writes config.json, the weights and the tokenizer's files: into a
    # folder of the user's, that would replace theirs.
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "RANDOM_WEIGHTS.txt").is_file())):
        typer.echo(f"mtfix: {printable_path(out)}: exists and is not an empty folder or a random model of "
                   "mtfix's; it was left as it is: choose another place", err=True)
        raise typer.Exit(2)
    build_random_model(source, out, seed)
    typer.echo(f"{out}: random-weight model of {source} (output is nonsense; for mechanics and speed only)")
