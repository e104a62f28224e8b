"""Translation engines behind one small interface (see ``base.Engine``)."""

from mtfix.engines.base import ENGINES, Engine, EngineOutput, TranslateConfig, create_engine

__all__ = ["ENGINES", "Engine", "EngineOutput", "TranslateConfig", "create_engine"]
