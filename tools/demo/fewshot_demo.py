"""The few-shot demo behind ``tools/demo/run_demo.py --task fewshot`` (run it through that tool).

1. Generates texture scenes of 15 classes in NWPU-RESISC45's release layout
   (``tools/dataset_converters/make_demo_cls_data.py``, 30 images of 64 x 64 per class) if
   ``DATA/fewshot/NWPU-RESISC45`` lacks them. The demo config names 10 of them base classes and 5 novel.
2. Trains the relation module of the demo config (RelationNet on a frozen tiny RingMoE-KC) with episodes of
   the base classes, through mmengine's Runner.
3. Tests on 600 seeded 5-way 1-shot episodes of the novel classes (each unique image's features computed
   once) and prints the mean accuracy with its 95% interval, then draws the first test episode: each novel
   class's shot and some of its queries, framed green (right) or red (wrong) and captioned with the predicted
   class, into ``<work-dir>/episode.png``.
"""
import math
import os.path as osp
import sys
from typing import List, Sequence

import torch
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner
from PIL import Image, ImageDraw, ImageFont

from mmringmoe.datasets.fewshot import Episode, draw_episodes, group_by_class
from mmringmoe.utils.atomic_io import OutputWriteError, atomic_write_image, is_write_failure
from mmringmoe.utils.scripts import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# not the classification demo's DATA/NWPU-RESISC45 (6 classes): each demo keeps the data it finds
DATASET_DIR = osp.join('fewshot', 'NWPU-RESISC45')
CLASSES, PER_CLASS, SIZE = 15, 30, 64
SHOWN_QUERIES, TILE, CAPTION, BORDER = 5, 128, 16, 4


def make_demo_data(data: str) -> str:
    """The demo release under ``DATA/fewshot/NWPU-RESISC45`` (kept when present)."""
    root = osp.join(data, DATASET_DIR)
    if not osp.isdir(root):
        load_script(osp.join(ROOT, 'tools/dataset_converters/make_demo_cls_data.py')).main([
            root, '--dataset', 'nwpu', '--classes',
            str(CLASSES), '--per-class',
            str(PER_CLASS), '--size',
            str(SIZE)
        ])
    return root


def predict_episode(runner: Runner, episode: Episode) -> List[int]:
    """The episode class predicted for each query of ``episode`` (the trained model, test pipeline)."""
    dataset, model = runner.test_dataloader.dataset, runner.model
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(pseudo_collate([dataset[i] for i in episode.indices()]), False)
        return model(data['inputs'], mode='tensor').argmax(dim=1).tolist()


def draw_episode_panel(paths: Sequence[str], episode: Episode, predicted: Sequence[int],
                       classes: Sequence[str], shown: int) -> Image.Image:
    """One row per episode class: its shot (black frame, captioned with its class), then its first ``shown``
    queries framed green (right) or red (wrong), captioned with the predicted class."""
    n_way, n_query = len(episode.classes), len(episode.query[0])
    width, height = (1 + shown) * (TILE + BORDER * 2), CAPTION + n_way * (TILE + CAPTION + BORDER * 2)
    panel = Image.new('RGB', (width + BORDER, height), 'white')
    draw, font = ImageDraw.Draw(panel), ImageFont.load_default()
    draw.text((BORDER, 2),
              'shot (black) | queries -> predicted class (green: right, red: wrong)',
              fill='black',
              font=font)
    for row, label in enumerate(episode.classes):
        top = CAPTION + row * (TILE + CAPTION + BORDER * 2)
        tiles = [(episode.support[row][0], classes[label], 'black')]
        for q, index in enumerate(episode.query[row][:shown]):
            guess = predicted[row * n_query + q]
            tiles.append((index, f'-> {classes[episode.classes[guess]]}', 'green' if guess == row else 'red'))
        for column, (index, caption, colour) in enumerate(tiles):
            left = column * (TILE + BORDER * 2)
            draw.rectangle([left, top, left + TILE + 2 * BORDER - 1, top + TILE + 2 * BORDER - 1],
                           fill=colour)
            image = Image.open(paths[index]).convert('RGB').resize((TILE, TILE), Image.NEAREST)
            panel.paste(image, (left + BORDER, top + BORDER))
            draw.text((left + BORDER, top + TILE + 2 * BORDER + 1), caption[:22], fill='black', font=font)
    return panel


def run(config: str, data: str, work_dir: str) -> int:
    """Steps 1-3 of the module docstring; exits with one line when the accuracy is not finite or a write
    fails."""
    print(f'[1/3] demo data in {osp.join(data, DATASET_DIR)}')
    root = make_demo_data(data)
    cfg = load_script(osp.join(ROOT, 'tools/demo/demo_config.py')).load_demo_config(config, root, work_dir)
    print(f'[2/3] training the relation module of {osp.basename(config)} for {cfg.train_cfg.max_iters} '
          f'episodes (log in {work_dir})')
    runner = Runner.from_cfg(cfg)
    test = cfg.test_cfg
    figure = osp.join(work_dir, 'episode.png')
    try:
        runner.train()
        print(
            f'[3/3] testing on {test.num_episodes} {test.n_way}-way {test.k_shot}-shot episodes of the novel '
            'classes')
        metrics = runner.test()
        dataset = runner.test_dataloader.dataset
        episode = draw_episodes(
            group_by_class(dataset.get_gt_labels()), test.n_way, test.k_shot, test.n_query, test.seed, 1)[0]
        paths = [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))]
        panel = draw_episode_panel(paths, episode, predict_episode(runner, episode),
                                   dataset.metainfo['classes'], SHOWN_QUERIES)
        atomic_write_image(figure, panel, 'PNG')
    except (OutputWriteError, OSError) as err:
        if isinstance(err, OutputWriteError) or is_write_failure(err):
            sys.exit(f'run_demo: cannot write to {work_dir}: {err.strerror}')
        raise
    accuracy, half_width = float(metrics['fewshot/accuracy']), float(metrics['fewshot/ci95'])
    print(
        f'demo result: {test.n_way}-way {test.k_shot}-shot accuracy {accuracy:.2f} +- {half_width:.2f} % '
        f'over {int(metrics["fewshot/episodes"])} novel-class episodes (chance {100 / test.n_way:.2f})')
    print(f'first test episode (shot, then queries framed green = right, red = wrong): {figure}')
    if not math.isfinite(accuracy):
        sys.exit('run_demo: the accuracy is not finite')
    return 0
