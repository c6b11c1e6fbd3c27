"""A small catalogue in Turtle for the ingestion tests, loaded into a test store."""

from __future__ import annotations

from pathlib import Path

from rusmeco.core.config import Settings
from rusmeco.kb.store import Store
from rusmeco.ontology.namespaces import InstanceIris, ontology_file

EX = "https://example.org/catalogue#"

SMALL_CATALOGUE = """
@prefix rus: <https://w3id.org/rusmeco/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/catalogue#> .

rus:ContextFactor rdfs:subClassOf skos:Concept .
rus:Indicator rdfs:subClassOf skos:Concept .

ex:Lean a rus:ManagementPractice ;
    skos:prefLabel "lean production"@en , "бережливое производство"@ru ;
    skos:altLabel "lean manufacturing"@en , "лин"@ru .
ex:TQM a rus:ManagementPractice ;
    skos:prefLabel "total quality management"@en , "всеобщее управление качеством"@ru ;
    skos:altLabel "TQM"@en , "TQM"@ru .
ex:QM a rus:ManagementPractice ;
    skos:prefLabel "quality management"@en , "управление качеством"@ru .
ex:Kanban a rus:ManagementPractice ;
    skos:prefLabel "kanban"@en , "канбан"@ru .
ex:LeadTime a rus:Indicator ;
    skos:prefLabel "lead time"@en , "срок поставки"@ru ;
    skos:altLabel "время выполнения заказа"@ru .
ex:DefectRate a rus:Indicator ;
    skos:prefLabel "defect rate"@en , "уровень брака"@ru ;
    skos:hiddenLabel "брак"@ru .
ex:Finance a rus:ContextFactor ;
    skos:prefLabel "access to finance"@en , "доступ к финансированию"@ru .
ex:Competition a rus:ContextFactor ;
    skos:prefLabel "competitive pressure"@en , "конкурентное давление"@ru ;
    skos:altLabel "competition"@en , "конкуренция"@ru .
ex:SmeSupport a rus:ContextFactor ;
    skos:prefLabel "state support for SMEs"@en ,
        "государственная поддержка малого и среднего предпринимательства"@ru ;
    skos:altLabel "малое и среднее предпринимательство"@ru .
"""


def load_small_catalogue(store: Store, settings: Settings, folder: Path) -> str:
    """Load the ontology and the small catalogue into ``store``; return its graph."""
    iris = InstanceIris(settings.base_iri)
    store.load(ontology_file(), iris.graph("ontology"))
    path = folder / "small-catalogue.ttl"
    path.write_text(SMALL_CATALOGUE, encoding="utf-8")
    graph = iris.graph("catalogue")
    store.load(path, graph)

    return graph
