"""MLServer runtime for the demo model: MLServer's scikit-learn runtime, plus an
optional fixed extra latency per request (model-settings.json
parameters.extra.latency_ms), which makes revision v2 measurably slower.
"""
import asyncio

from mlserver.types import InferenceRequest, InferenceResponse
from mlserver_sklearn import SKLearnModel


class DemoSKLearnModel(SKLearnModel):
    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        extra = (self.settings.parameters.extra or {}) if self.settings.parameters else {}
        latency_ms = float(extra.get("latency_ms", 0))
        if latency_ms > 0:
            await asyncio.sleep(latency_ms / 1000)
        return await super().predict(payload)
