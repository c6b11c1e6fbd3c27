"""A reproducible benchmark data set of about one million triples.

100,000 entities in 20 classes with English and Russian labels, a category, a year,
three random links, an organisation and a subject; 1,000 organisations in 100 cities.
The same seed gives the same file.
"""

from __future__ import annotations

import random
from pathlib import Path

EX = "http://example.org/kg/"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SUBJECT = "<http://purl.org/dc/terms/subject>"
YEAR = "<http://www.w3.org/2001/XMLSchema#integer>"
WORDS_EN = (
    "river forest museum gallery mountain harbour market bridge "
    "garden tower valley castle library station island village"
).split()
WORDS_RU = (
    "река лес музей галерея гора гавань рынок мост "
    "сад башня долина замок библиотека станция остров деревня"
).split()


def entity_lines(index: int, rng: random.Random, entities: int) -> list[str]:
    """Return the N-Triples lines describing entity ``index``."""
    node = f"<{EX}e{index}>"
    first, second = rng.randrange(16), rng.randrange(16)
    lines = [
        f"{node} {TYPE} <{EX}Class{index % 20}> .",
        f'{node} {LABEL} "{WORDS_EN[first].title()} {WORDS_EN[second]} {index}"@en .',
        f'{node} {LABEL} "{WORDS_RU[first].title()} {WORDS_RU[second]} {index}"@ru .',
        f"{node} <{EX}category> <{EX}cat{rng.randrange(50)}> .",
        f'{node} <{EX}year> "{1900 + rng.randrange(125)}"^^{YEAR} .',
        f"{node} <{EX}partOf> <{EX}org{index % 1000}> .",
        f"{node} {SUBJECT} <{EX}topic{rng.randrange(500)}> .",
    ]
    lines += [
        f"{node} <{EX}relatedTo> <{EX}e{rng.randrange(entities)}> ." for _ in range(3)
    ]

    return lines


def generate(path: Path, entities: int = 100_000, seed: int = 42) -> int:
    """Write the data set to ``path`` as N-Triples; return the number of lines."""
    rng = random.Random(seed)
    count = 0
    with path.open("w", encoding="utf-8") as output:
        for index in range(entities):
            lines = entity_lines(index, rng, entities)
            output.write("\n".join(lines) + "\n")
            count += len(lines)
        for org in range(1000):
            output.write(f"<{EX}org{org}> <{EX}locatedIn> <{EX}city{org % 100}> .\n")
        for city in range(100):
            output.write(f'<{EX}city{city}> {LABEL} "City {city}"@en .\n')

    return count + 1100
