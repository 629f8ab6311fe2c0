"""The dashboard's templates; their words come from the ``common`` translations.

The markdown cards are Home Assistant templates (rendered by Home Assistant
for the viewer); ``string.Template`` fills in the translated words with
``$name`` so the template's own braces stay as they are.
"""

from __future__ import annotations

from string import Template
from typing import Final

# Shown while the dog's data source is off: since when the data is old.
STALE_NOTICE: Final = Template(
    """{%- set since = $since %}
{%- if since %}
{%- set when = as_timestamp(since) | timestamp_custom('$fmt') %}
**⚠️ $stale**
{%- else %}
**⚠️ $never**
{%- endif %}"""
)

# The statistics and one row per circuit (its problem sensor names it).
STATISTICS_TABLE: Final = Template(
    """{%- set stats = state_attr('$statistics', 'resilience') %}
{%- if stats %}
**{{ state_translated('$statistics') }}**: $summary

| $circuit | $state | $failures | $opened | $reopened |
|:--|:--|--:|--:|--:|
{%- set names = {'closed': '$closed', 'open': '$open', 'half_open': '$half_open'} %}
{%- for sensor in states.binary_sensor
     if sensor.attributes.get('circuit_name') in stats.circuit_breakers %}
{%- set breaker = stats.circuit_breakers[sensor.attributes.circuit_name] %}
| {{ sensor.name }} | {{ '$isolated' if breaker.isolated else names.get(breaker.state, breaker.state) }} | {{ breaker.failed_calls }} | {{ breaker.outages }} | {{ breaker.reopened_after_probe }} |
{%- endfor %}
{%- else %}
$unavailable
{%- endif %}"""
)
