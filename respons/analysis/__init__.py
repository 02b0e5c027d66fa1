"""Pure analysis of what the engine produced or the config implies: KPIs, confidence
intervals, Erlang C/A, offered load and costs. Imports engine and config, never above."""
