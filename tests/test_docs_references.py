"""Every document the code, configs, tools and docs point a reader to exists: each path under docs/,
each section quoted after it (``docs/pruning.md, "Step by step"``), and each relative Markdown link of the
README and docs/ (with its ``#anchor``)."""
import glob
import os.path as osp
import re

import pytest

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..'))
SOURCES = sorted(
    osp.relpath(p, ROOT) for pattern in ('mmringmoe/**/*.py', 'tools/**/*.py', 'configs/**/*.py',
                                         'benchmarks/**/*.py', 'tests/**/*.py', 'README.md', 'docs/**/*.md')
    for p in glob.glob(osp.join(ROOT, pattern), recursive=True))
# A docs/ path, optionally followed by the quoted title of one of its sections.
DOC_PATH = re.compile(r'(docs/[\w/-]+\.md)`*(?:,? \(?(?:section )?"([^"\n]+)")?')
MD_LINK = re.compile(r'\]\(([^)\s]+?\.md)(#[\w-]+)?\)')


def headings(doc: str):
    with open(osp.join(ROOT, doc), encoding='utf-8') as f:
        return [line.lstrip('#').strip() for line in f if line.startswith('#')]


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return '#' + re.sub(r'[^\w\- ]', '', heading.lower()).replace(' ', '-')


def references(source: str):
    """(target document, section title or anchor or None) of every reference in ``source``."""
    with open(osp.join(ROOT, source), encoding='utf-8') as f:
        text = f.read()
    for match in DOC_PATH.finditer(text):
        yield match.group(1), match.group(2)
    if source.endswith('.md'):
        for match in MD_LINK.finditer(text):
            if '://' not in match.group(1):
                target = osp.normpath(osp.join(osp.dirname(source), match.group(1)))
                yield target, match.group(2)


def broken(source: str):
    for doc, section in references(source):
        if not osp.isfile(osp.join(ROOT, doc)):
            yield f'{doc} does not exist'
        elif section and section.startswith('#'):
            if section not in {anchor(h) for h in headings(doc)}:
                yield f'{doc} has no heading with anchor {section}'
        elif section and not any(h.startswith(section) for h in headings(doc)):
            yield f'{doc} has no section "{section}"'


def test_the_scan_finds_references_and_flags_missing_ones(tmp_path):
    assert ('docs/pruning.md', 'Step by step') in set(references('mmringmoe/pruning/__init__.py'))
    assert len({doc for source in SOURCES for doc, _ in references(source)}) >= 3
    assert anchor("KC equals KS in the paper's setting") == '#kc-equals-ks-in-the-papers-setting'


@pytest.mark.parametrize('source', SOURCES)
def test_cited_documents_and_sections_exist(source):
    problems = sorted(set(broken(source)))
    assert not problems, f'{source}: ' + '; '.join(problems)
