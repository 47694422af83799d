"""Install mmringmoe. Requirements come from requirements/*.txt; exact pins from constraints.txt.

The ``configs/`` and ``tools/`` folders are exposed inside the package as ``mmringmoe/.mim/`` (the
OpenMMLab ``mim`` convention, as mmpretrain's setup.py does): symlinks in an editable install, copies in a
built wheel, so that ``_base_ = ['mmringmoe::_base_/...']`` works from any user config.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(path: str) -> list:
    """Requirement names from a requirements file, comments stripped."""
    reqs = []
    with open(osp.join(HERE, path)) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                reqs.append(line)
    return reqs


def add_mim_extension() -> None:
    """Link (editable install) or copy (wheel/sdist) configs and tools into ``mmringmoe/.mim``."""
    if 'develop' in sys.argv or 'editable_wheel' in sys.argv:
        mode = 'symlink'
    elif any(cmd in sys.argv for cmd in ('sdist', 'bdist_wheel', 'build', 'install')):
        mode = 'copy'
    else:
        return
    mim_path = osp.join(HERE, 'mmringmoe', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in ('configs', 'tools'):
        src, dst = osp.join(HERE, name), osp.join(mim_path, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_path), dst)
        else:
            shutil.copytree(src, dst)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        install_requires=read_requirements('requirements/runtime.txt'),
        extras_require={'tests': read_requirements('requirements/tests.txt')},
        package_data={'mmringmoe': ['.mim/configs/**/*', '.mim/tools/**/*']},
    )
