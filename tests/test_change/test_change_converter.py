"""tools/dataset_converters/change_detection.py on LEVIR-CD (split folders and torchgeo's one-folder layout),
LEVIR-CD+ and CDD: 256 -> 1 labels, JPEG change maps thresholded at 128, slices, and one line per bad input."""
import os
import os.path as osp

import numpy as np
import pytest
from change_layouts import load_tool, make_cdd, make_levir_cd, write_image
from PIL import Image

converter = load_tool('tools/dataset_converters/change_detection.py')


def convert(dataset, root, out, patch=32):
    return converter.main(['--dataset', dataset, str(root), '-o', str(out), '--patch', str(patch)])


def slices(out, split, folder):
    return sorted(os.listdir(osp.join(out, split, folder)))


@pytest.mark.parametrize('layout', ['split_folders', 'one_folder', 'plus'])
def test_levir_cd_layouts_become_slices_with_0_1_labels(tmp_path, layout):
    rng = np.random.default_rng(0)
    root, out = tmp_path / 'release', tmp_path / 'out'
    splits = ('train', 'test') if layout == 'plus' else ('train', 'val', 'test')
    make_levir_cd(str(root), rng, splits, flat=layout == 'one_folder', plus=layout == 'plus')
    assert convert('levir-cd', root, out) == 0
    stem = '00' if layout == 'plus' else 'train_1'
    expected = [f'{s}_{y}_{x}.png' for s in (stem, '01' if layout == 'plus' else 'train_2')
                for y in (0, 32) for x in (0, 32)]
    for folder in ('A', 'B', 'label'):
        assert slices(out, 'train', folder) == sorted(expected)  # 4 slices of 32 from each 64 px pair
    assert sorted(os.listdir(out)) == sorted(splits)
    source_dir = root if layout == 'one_folder' else root / 'train'
    label = np.asarray(Image.open(source_dir / 'label' / f'{stem}.png'))
    first = np.asarray(Image.open(source_dir / 'A' / f'{stem}.png'))
    sliced = np.asarray(Image.open(out / 'train' / 'label' / f'{stem}_32_0.png'))
    assert sliced.dtype == np.uint8 and set(np.unique(sliced)) <= {0, 1}
    assert np.array_equal(sliced, label[32:64, 0:32] // 255)  # 255 -> 1, the window at y 32, x 0
    assert np.array_equal(np.asarray(Image.open(out / 'train' / 'A' / f'{stem}_32_0.png')), first[32:64, 0:32])


def test_cdd_jpeg_change_map_is_thresholded_at_128(tmp_path):
    rng = np.random.default_rng(0)
    root, out = tmp_path / 'ChangeDetectionDataset', tmp_path / 'out'
    make_cdd(str(root), rng)
    out_map = root / 'Real' / 'subset' / 'train' / 'OUT' / '0.jpg'
    grey = np.zeros((64, 64), np.uint8)
    grey[:, 16:] = 127
    grey[:, 32:] = 128
    grey[:, 48:] = 255
    Image.fromarray(grey).save(out_map, format='PNG')  # exact grey values (PIL reads by content)
    assert convert('cdd', root, out, patch=64) == 0
    assert slices(out, 'test', 'A') == ['0_0_0.png', '1_0_0.png']
    label = np.asarray(Image.open(out / 'train' / 'label' / '0_0_0.png'))
    assert np.array_equal(label[0], [0] * 32 + [1] * 32)
    jpeg_label = np.asarray(Image.open(out / 'train' / 'label' / '1_0_0.png'))
    source = np.asarray(Image.open(root / 'Real' / 'subset' / 'train' / 'OUT' / '1.jpg').convert('L'))
    assert set(np.unique(jpeg_label)) == {0, 1} and np.array_equal(jpeg_label, (source >= 128).astype(np.uint8))


def test_a_rerun_keeps_the_slices(tmp_path):
    root, out = tmp_path / 'release', tmp_path / 'out'
    make_levir_cd(str(root), np.random.default_rng(0), ('train', ))
    assert convert('levir-cd', root, out) == 0
    first = out / 'train' / 'A' / 'train_1_0_0.png'
    stamp = first.stat().st_mtime_ns
    assert convert('levir-cd', root, out) == 0
    assert first.stat().st_mtime_ns == stamp


def _break_size(root):
    write_image(str(root / 'train' / 'B' / 'train_1.png'), np.zeros((64, 48, 3)))
    return 'train/B/train_1.png: date B is 64x48 but date A'


def _break_bands(root):
    Image.fromarray(np.zeros((64, 64, 4), np.uint8), 'RGBA').save(root / 'train' / 'B' / 'train_1.png')
    return 'train/B/train_1.png: date B has 4 bands but date A'


def _break_label_values(root):
    write_image(str(root / 'train' / 'label' / 'train_2.png'), np.full((64, 64), 128))
    return 'train/label/train_2.png: label values [128] are not 0 / 255 (or 0 / 1)'


def _break_label_size(root):
    write_image(str(root / 'train' / 'label' / 'train_2.png'), np.zeros((32, 64)))
    return 'train/label/train_2.png: label is 32x64 but its pair'


def _missing_b(root):
    os.remove(root / 'train' / 'B' / 'train_2.png')
    return 'train/A/train_2.png: its date B file'


def _missing_label(root):
    os.remove(root / 'train' / 'label' / 'train_1.png')
    return 'train/A/train_1.png: its label file'


def _truncated(root):
    path = root / 'train' / 'A' / 'train_1.png'
    path.write_bytes(path.read_bytes()[:200])
    return 'train/A/train_1.png: cannot read the image'


@pytest.mark.parametrize('breaks', [_break_size, _break_bands, _break_label_values, _break_label_size, _missing_b,
                                    _missing_label, _truncated])
def test_bad_input_stops_with_one_line_naming_the_file(tmp_path, breaks):
    root = tmp_path / 'release'
    make_levir_cd(str(root), np.random.default_rng(0), ('train', ))
    expected = breaks(root)
    with pytest.raises(SystemExit) as exc:
        convert('levir-cd', root, tmp_path / 'out')
    message = str(exc.value.code)
    assert message.startswith('change_detection.py: ') and expected in message and '\n' not in message


def test_nothing_to_convert_says_where_it_looked(tmp_path):
    (tmp_path / 'empty').mkdir()
    with pytest.raises(SystemExit) as exc:
        convert('cdd', tmp_path / 'empty', tmp_path / 'out')
    assert f'no cdd pairs found: looked for {tmp_path}/empty/Real/subset/{{train,val,test}}/A/*.jpg' in str(
        exc.value.code)


def test_a_pair_smaller_than_one_slice_is_refused(tmp_path):
    root = tmp_path / 'release'
    make_levir_cd(str(root), np.random.default_rng(0), ('train', ))
    with pytest.raises(SystemExit, match='train_1.png: 64x64 is smaller than one 256 x 256 slice'):
        convert('levir-cd', root, tmp_path / 'out', patch=256)
