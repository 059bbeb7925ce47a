"""Phrasing an answer with a language model: any OpenAI-compatible chat-completions endpoint
(a local Ollama, vLLM, or a hosted service an admin chose). The model sees the customer's
question and the article the bot found, is told to answer from it alone and to cite it, and
to say NO_ANSWER when the article does not answer the question."""

from dataclasses import dataclass
from typing import Protocol

import httpx

# What the model says when the article does not answer the question.
NO_ANSWER = "NO_ANSWER"
CITATION = "[1]"
MAX_ARTICLE_CHARACTERS = 4000
LANGUAGE_NAMES = {"pl": "Polish", "en": "English"}

Messages = list[dict[str, str]]


class LanguageModelError(Exception):
    """The endpoint failed, timed out or answered something that is not a chat completion."""


class LanguageModel(Protocol):
    def complete(self, messages: Messages) -> str:
        """The model's reply to ``messages``; LanguageModelError when there is none."""
        ...


@dataclass(frozen=True)
class OpenAICompatible:
    """The chat-completions API: POST {base_url}/chat/completions with the model and the
    messages, the reply in choices[0].message.content."""

    base_url: str
    model: str
    api_key: str
    timeout_seconds: float

    def __repr__(self) -> str:
        return f"<OpenAICompatible {self.model!r} at {self.base_url!r}>"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url.rstrip('/')}/chat/completions"

    def complete(self, messages: Messages) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = httpx.post(
                self.endpoint,
                json={"model": self.model, "messages": messages, "temperature": 0},
                headers=headers,
                timeout=self.timeout_seconds,
            )
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as error:
            raise LanguageModelError(f"{type(error).__name__}: {error}") from error
        if not isinstance(content, str):
            raise LanguageModelError("the reply has no text")
        return content.strip()


def prompt(
    *, question: str, title: str, url: str, text: str, language: str, brand: str
) -> Messages:
    """The messages that ask for an answer from one article only, cited as [1]."""
    language_name = LANGUAGE_NAMES.get(language, language)
    system = (
        f"You are the customer service assistant of {brand}. Answer the customer's question "
        f"using ONLY the article below; never add facts that are not in it. Reply in "
        f"{language_name}, in at most four sentences, and cite the article as {CITATION}. "
        f"If the article does not answer the question, reply with exactly {NO_ANSWER}."
    )
    article = f"{CITATION} {title} ({url})\n{text[:MAX_ARTICLE_CHARACTERS]}"
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"Article:\n{article}\n\nQuestion: {question}"},
    ]


def declined(reply: str) -> bool:
    """The model said the article does not answer, or gave nothing usable."""
    return not reply or NO_ANSWER in reply
