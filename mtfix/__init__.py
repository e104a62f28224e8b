"""mtfix: turn damaged multilingual documents into faithful English with a review trail.

    >>> import mtfix
    >>> document = mtfix.translate_file("post.md", out_dir="outputs")   # doctest: +SKIP

The heavy parts (torch, transformers) are imported only when a model is loaded.
"""

__version__ = "0.1.0"


def __getattr__(name):
    # Lazy API: `import mtfix` stays cheap, `mtfix.translate_file` loads the pipeline.
    if name in {"translate_file", "prepare_document", "translate_document", "write_outputs", "clean_file"}:
        from mtfix import pipeline

        return getattr(pipeline, name)
    if name in {"TranslateConfig"}:
        from mtfix.engines.base import TranslateConfig

        return TranslateConfig
    if name in {"CleanConfig"}:
        from mtfix.degarble import CleanConfig

        return CleanConfig
    if name in {"Glossary"}:
        from mtfix.glossary import Glossary

        return Glossary
    raise AttributeError(f"module 'mtfix' has no attribute {name!r}")
