"""The Gemma 4 conversation format: control tokens and the tokenizer that resolves them, chat
turns, tool declarations, the tool-call value syntax and the chat template.

It is what a prompt and a model's answer look like, apart from how a model runs: planning renders
prompts with it, decoding builds its grammar and parses calls with it, and the runtime, which
turns token ids and media into token ids, imports none of it.
"""
