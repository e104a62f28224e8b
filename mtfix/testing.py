"""Models with random weights, for tests, benchmarks and offline demos.

No pretrained weights can be downloaded on the machines mtfix is developed on. A model of the
real architecture with random weights tokenizes and costs exactly like the real one, so it
tests the mechanics (offsets, routing, batching, glossary guarantees) and measures speed;
its translations are nonsense and must never be scored.
"""

from __future__ import annotations

from pathlib import Path


def build_random_model(source: str | Path, out: str | Path, seed: int = 0) -> Path:
    """Save a model with ``source``'s config and tokenizer and random weights into ``out``."""
    import torch
    from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer

    torch.manual_seed(seed)
    config = AutoConfig.from_pretrained(str(source), local_files_only=True)
    model = AutoModelForSeq2SeqLM.from_config(config).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
    out = Path(out)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "RANDOM_WEIGHTS.txt").write_text(
        f"Random weights (seed {seed}) on the architecture of {source}. Output is nonsense.\n"
    )
    return out


def train_sentencepiece(corpus: str | Path, prefix: str | Path, vocab_size: int, model_type: str = "unigram") -> Path:
    import sentencepiece

    sentencepiece.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type=model_type,
        character_coverage=1.0,
        byte_fallback=False,
        minloglevel=2,
        hard_vocab_limit=False,
    )
    return Path(f"{prefix}.model")


def build_tiny_marian(corpus: str | Path, out: str | Path, seed: int = 0, vocab_size: int = 1200) -> Path:
    """A 2-layer Marian (d_model 32) with a sentencepiece vocabulary trained on ``corpus``."""
    import json
    import shutil

    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model_file = train_sentencepiece(corpus, out / "spm", vocab_size)
    shutil.copy(model_file, out / "source.spm")
    shutil.copy(model_file, out / "target.spm")
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    vocab = {piece: index for index, piece in enumerate(pieces)}
    vocab["<pad>"] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    for leftover in out.glob("spm.*"):
        leftover.unlink()
    tokenizer = MarianTokenizer(
        source_spm=str(out / "source.spm"), target_spm=str(out / "target.spm"), vocab=str(out / "vocab.json")
    )
    config = MarianConfig(
        vocab_size=len(vocab), d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=256,
        pad_token_id=vocab["<pad>"], decoder_start_token_id=vocab["<pad>"], eos_token_id=vocab["</s>"],
        bos_token_id=vocab["</s>"], forced_eos_token_id=vocab["</s>"],
    )
    torch.manual_seed(seed)
    MarianMTModel(config).eval().save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def build_tiny_nllb(corpus: str | Path, out: str | Path, seed: int = 0, vocab_size: int = 1200) -> Path:
    """A 1-layer M2M100 (NLLB architecture) with an NLLB tokenizer trained on ``corpus``."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, NllbTokenizer
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    out = Path(out)
    work = out / "spm-work"
    work.mkdir(parents=True, exist_ok=True)
    train_sentencepiece(corpus, work / "sentencepiece.bpe", vocab_size, model_type="bpe")
    tokenizer = NllbTokenizer.from_pretrained(str(work), extra_special_tokens=FAIRSEQ_LANGUAGE_CODES)
    config = M2M100Config(
        vocab_size=len(tokenizer), d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=256,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(seed)
    M2M100ForConditionalGeneration(config).eval().save_pretrained(out)
    tokenizer.save_pretrained(out)
    import shutil

    shutil.rmtree(work)
    return out
