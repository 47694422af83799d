"""Dataset converters of tools/dataset_converters: each turns a tiny release in the official format into
the layout its dataset class reads, keeps values exact, and stops on bad input with a line naming the file."""
import os
import os.path as osp
import zipfile

import numpy as np
import pytest
import rasterio
from affine import Affine
from PIL import Image
from seg_layouts import (load_tool, unzip_isaid_release, write_dfc23_release, write_png, write_tif,
                         write_whu_release)

from mmringmoe.datasets.dfc23 import DFC23_CATEGORIES
from mmringmoe.registry import DATASETS


def read(path: str) -> np.ndarray:
    with rasterio.open(path) as src:
        return src.read()


def test_isaid_wrapper_keeps_every_class(tmp_path):
    """mmseg's converter, run through our wrapper, keeps classes above 1 (its P-mode PNGs lose them)."""
    demo = load_tool('tools/dataset_converters/make_demo_seg_data.py')
    demo.write_isaid_release(str(tmp_path / 'release'), np.random.default_rng(0))
    load_tool('tools/dataset_converters/isaid.py').main([
        str(tmp_path / 'release'), '-o',
        str(tmp_path / 'iSAID'), '--patch_width', '128', '--patch_height', '128', '--overlap_area', '0'
    ])
    with zipfile.ZipFile(tmp_path / 'release' / 'val' / 'Semantic_masks' / 'images.zip') as z:
        colours = {
            tuple(c)
            for name in z.namelist()
            for c in np.asarray(Image.open(z.open(name))).reshape(-1, 3)
        }
    released = {demo.ISAID_PALETTE.index(c) for c in colours}
    converted = set()
    for name in os.listdir(tmp_path / 'iSAID' / 'ann_dir' / 'val'):
        converted |= set(np.unique(read(str(tmp_path / 'iSAID' / 'ann_dir' / 'val' / name))).tolist())
    assert converted == released and max(converted) > 1
    dataset = DATASETS.build(
        dict(
            type='mmringmoe.ISAIDDataset',
            data_root=str(tmp_path / 'iSAID'),
            data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val')))
    assert len(dataset) == 2 * 4  # two 256 x 256 scenes, four 128 x 128 patches each


def test_isaid_wrapper_rejects_a_folder_that_is_not_the_release(tmp_path):
    with pytest.raises(SystemExit):
        load_tool('tools/dataset_converters/isaid.py').main([str(tmp_path)])


def tree(root):
    """Relative path -> content of every file under ``root``."""
    return {p.relative_to(root): p.read_bytes() for p in root.rglob('*') if p.is_file()}


def test_isaid_reads_the_unzipped_release_and_copies_test_images_whole(tmp_path):
    demo = load_tool('tools/dataset_converters/make_demo_seg_data.py')
    tool = load_tool('tools/dataset_converters/isaid.py')
    args = ['--patch_width', '128', '--patch_height', '128', '--overlap_area', '0']
    release = tmp_path / 'release'
    demo.write_isaid_release(str(release), np.random.default_rng(0))
    tool.main([str(release), '-o', str(tmp_path / 'from_zip')] + args)
    unzip_isaid_release(release)
    assert sorted(p.name for p in (release / 'train' / 'images').iterdir())[0] == 'P0000.png'
    assert (release / 'val' / 'Semantic_masks' / 'images' / 'P0006_instance_color_RGB.png').is_file()
    tool.main([str(release), '-o', str(tmp_path / 'unzipped')] + args)
    converted = tree(tmp_path / 'unzipped')
    assert converted == tree(tmp_path / 'from_zip')
    assert len([p for p in converted if p.parts[:2] == ('ann_dir', 'train')]) == 6 * 4  # 4 patches a scene
    # the test images (no labels) are copied whole, as by mmseg's converter, not cut into patches
    assert {p.name: p.read_bytes() for p in (tmp_path / 'unzipped' / 'img_dir' / 'test').iterdir()} == {
        p.name: p.read_bytes() for p in (release / 'test' / 'images').iterdir()}
    assert not list((tmp_path / 'unzipped').glob('.*'))  # no staging folder left


def test_isaid_split_without_images_fails_with_one_line(tmp_path):
    release = tmp_path / 'release'
    for folder in ('train/images', 'train/Semantic_masks', 'val/images', 'val/Semantic_masks', 'test/images'):
        (release / folder).mkdir(parents=True)
    with pytest.raises(SystemExit, match='^isaid: no images in .*release/train/images: looked for \\*.zip '
                       'archives holding images/\\*.png, and for \\*.png$'):
        load_tool('tools/dataset_converters/isaid.py').main([str(release), '-o', str(tmp_path / 'out')])
    assert not (tmp_path / 'out').exists()


def test_isaid_image_without_mask_is_named(tmp_path):
    release = tmp_path / 'release'
    load_tool('tools/dataset_converters/make_demo_seg_data.py').write_isaid_release(
        str(release), np.random.default_rng(0))
    unzip_isaid_release(release)
    (release / 'val' / 'Semantic_masks' / 'images' / 'P0007_instance_color_RGB.png').unlink()
    with pytest.raises(SystemExit, match='^isaid: no semantic mask P0007_instance_color_RGB.png for '
                       '.*val/images/P0007.png in .*val/Semantic_masks'):
        load_tool('tools/dataset_converters/isaid.py').main([str(release), '-o', str(tmp_path / 'out')])


def test_isaid_truncated_release_image_is_named(tmp_path):
    release = tmp_path / 'release'
    load_tool('tools/dataset_converters/make_demo_seg_data.py').write_isaid_release(
        str(release), np.random.default_rng(0))
    unzip_isaid_release(release)
    image = release / 'train' / 'images' / 'P0003.png'
    image.write_bytes(image.read_bytes()[:5000])
    with pytest.raises(SystemExit, match=f'^isaid: {image} cannot be converted \\(image file is truncated'):
        load_tool('tools/dataset_converters/isaid.py').main([str(release), '-o', str(tmp_path / 'out')])
    assert [p for p in (tmp_path / 'out').rglob('*') if p.name.startswith('P0003')] == []


def test_potsdam_wrapper_converts_the_irrg_tiles_only(tmp_path):
    rng = np.random.default_rng(0)
    colours = np.array([(255, 255, 255), (0, 0, 255), (0, 255, 255), (0, 255, 0), (255, 255, 0), (255, 0, 0)],
                       dtype=np.uint8)  # impervious, building, low vegetation, tree, car, clutter
    index = np.kron(np.arange(4).reshape(2, 2), np.ones((32, 32), dtype=np.int64))  # first four classes
    irrg = rng.integers(0, 256, (3, 64, 64)).astype(np.uint8)
    release = tmp_path / 'release'
    write_tif(str(tmp_path / 'img' / 'top_potsdam_2_10_IRRG.tif'), irrg)
    write_tif(
        str(tmp_path / 'lbl' / 'top_potsdam_2_10_label_noBoundary.tif'), colours[index].transpose(2, 0, 1))
    write_tif(str(tmp_path / 'rgb' / 'top_potsdam_2_10_RGBIR.tif'), np.zeros((4, 64, 64), dtype=np.uint8))
    release.mkdir()
    for archive, folder, inner in (('3_Ortho_IRRG.zip', 'img', '3_Ortho_IRRG/'),
                                   ('5_Labels_all_noBoundary.zip', 'lbl', ''), ('4_Ortho_RGBIR.zip', 'rgb',
                                                                                '')):
        with zipfile.ZipFile(release / archive, 'w') as z:
            for name in os.listdir(tmp_path / folder):
                z.write(tmp_path / folder / name, inner + name)
    load_tool('tools/dataset_converters/potsdam.py').main(
        [str(release), '-o',
         str(tmp_path / 'potsdam'), '--clip_size', '32', '--stride_size', '32'])
    dataset = DATASETS.build(
        dict(
            type='mmringmoe.PotsdamDataset',
            data_root=str(tmp_path / 'potsdam'),
            data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'),
            pipeline=[
                dict(type='mmringmoe.LoadRasterImage', expected_bands=3),
                dict(type='mmringmoe.LoadSegAnnotations')
            ]))
    sample = next(s for s in dataset if s['img_path'].endswith('2_10_0_0_32_32.png'))
    assert np.array_equal(sample['img'].transpose(2, 0, 1), irrg[:, :32, :32])  # NIR, R, G in order
    assert (sample['gt_seg_map'] == 0).all()  # impervious surface
    assert {int(v) for s in dataset for v in np.unique(s['gt_seg_map'])} == {0, 1, 2, 3}


def test_potsdam_wrapper_needs_the_irrg_archive(tmp_path):
    with pytest.raises(SystemExit):
        load_tool('tools/dataset_converters/potsdam.py').main([str(tmp_path)])


def test_potsdam_archive_without_tiles_fails_with_one_line(tmp_path):
    write_tif(str(tmp_path / 'top_potsdam_2_10_RGB.tif'), np.zeros((3, 8, 8), dtype=np.uint8))
    for archive in ('3_Ortho_IRRG.zip', '5_Labels_all_noBoundary.zip'):  # the RGB tiles in the IRRG archive
        with zipfile.ZipFile(tmp_path / archive, 'w') as z:
            z.write(tmp_path / 'top_potsdam_2_10_RGB.tif', '3_Ortho_IRRG/top_potsdam_2_10_RGB.tif')
    with pytest.raises(SystemExit, match='^potsdam: .*3_Ortho_IRRG.zip holds no top_potsdam_\\*_IRRG.tif$'):
        load_tool('tools/dataset_converters/potsdam.py').main([str(tmp_path), '-o', str(tmp_path / 'out')])
    assert not (tmp_path / 'out').exists()


def test_whu_opt_sar_cuts_non_overlapping_patches(tmp_path):
    write_whu_release(str(tmp_path / 'release'), np.random.default_rng(0))
    tool = load_tool('tools/dataset_converters/whu_opt_sar.py')
    tool.main([str(tmp_path / 'release'), '-o', str(tmp_path / 'out'), '--patch', '32'])
    for split, scene in (('train', 'NH49E001013'), ('test', 'NH49E001014')):
        for folder in ('optical', 'sar', 'lbl'):
            names = sorted(os.listdir(tmp_path / 'out' / split / folder))
            assert names == sorted(f'{scene}_{y}_{x}.tif' for y in (0, 32) for x in (0, 32, 64))
    source = read(str(tmp_path / 'release' / 'lbl' / 'NH49E001014.tif'))
    assert np.array_equal(
        read(str(tmp_path / 'out' / 'test' / 'lbl' / 'NH49E001014_32_64.tif')), source[:, 32:64, 64:96])
    with rasterio.open(tmp_path / 'out' / 'train' / 'optical' / 'NH49E001013_32_64.tif') as src:
        assert src.count == 4 and src.transform == Affine(3, 0, 500000 + 64 * 3, 0, -3, 4200000 - 32 * 3)
    assert tool.patch_offsets(5556, 256) == list(range(0, 21 * 256, 256))  # 21 x 14 patches per scene


def test_whu_opt_sar_bad_input_names_the_file(tmp_path):
    release = tmp_path / 'release'
    write_whu_release(str(release), np.random.default_rng(0))
    tool = load_tool('tools/dataset_converters/whu_opt_sar.py')
    write_tif(str(release / 'lbl' / 'NH49E001013.tif'), np.full((1, 64, 96), 15, dtype=np.uint8))
    with pytest.raises(SystemExit, match='whu_opt_sar: .*lbl/NH49E001013.tif: label values \\[15\\]'):
        tool.main([str(release), '-o', str(tmp_path / 'out')])
    os.remove(release / 'sar' / 'NH49E001013.tif')
    with pytest.raises(SystemExit, match='whu_opt_sar: pair partner missing: .*sar/NH49E001013.tif'):
        tool.main([str(release), '-o', str(tmp_path / 'out')])


def test_whu_opt_sar_split_list_without_scenes_fails(tmp_path):
    release = tmp_path / 'release'
    write_whu_release(str(release), np.random.default_rng(0))
    (release / 'The division of the dataset.txt').write_text('train:\n\ntest:\n')
    with pytest.raises(SystemExit, match='^whu_opt_sar: .*The division of the dataset.txt lists no scene'):
        load_tool('tools/dataset_converters/whu_opt_sar.py').main([str(release), '-o', str(tmp_path / 'out')])
    assert not (tmp_path / 'out').exists()


def test_dfc23_reads_the_official_names_and_splits_7_2_1(tmp_path):
    assert DFC23_CATEGORIES[10] == 'revolved' and len(DFC23_CATEGORIES) == 12  # the release's category list
    write_dfc23_release(str(tmp_path))
    load_tool('tools/dataset_converters/dfc23.py').main([str(tmp_path)])
    mask = np.asarray(Image.open(tmp_path / 'train' / 'label' / 'P_0003.png'))
    assert mask[5, 5] == 1  # flat_roof
    assert mask[10, 10] == 11  # revolved, the small roof drawn on top
    assert mask[30, 30] == 0
    splits = {s: (tmp_path / 'splits' / f'{s}.txt').read_text().split() for s in ('train', 'val', 'test')}
    assert [len(v) for v in splits.values()] == [7, 2, 1]
    assert sorted(sum(splits.values(), [])) == [f'P_{i:04d}' for i in range(10)]
    dataset = DATASETS.build(
        dict(type='mmringmoe.DFC23Dataset', data_root=str(tmp_path), ann_file='splits/val.txt'))
    info = dataset.get_data_info(0)
    name = splits['val'][0]
    assert (info['img_path'], info['img_path2']) == (f'{tmp_path}/train/rgb/{name}.tif',
                                                     f'{tmp_path}/train/sar/{name}.tif')
    assert dataset.metainfo['classes'][11] == 'dome'  # shown under the paper's name (Table A9)


def test_dfc23_legacy_suffixes_are_an_option(tmp_path):
    write_dfc23_release(str(tmp_path), tiles=3, rgb_suffix='_RGB', sar_suffix='_SAR')
    tool = load_tool('tools/dataset_converters/dfc23.py')
    with pytest.raises(SystemExit, match='rgb/P_0000.tif not found .*need --rgb-suffix _RGB --sar-suffix '
                       '_SAR$'):
        tool.main([str(tmp_path)])
    tool.main([str(tmp_path), '--rgb-suffix', '_RGB', '--sar-suffix', '_SAR'])
    assert sorted(os.listdir(tmp_path / 'train' / 'label')) == ['P_0000.png', 'P_0001.png', 'P_0002.png']
    dataset = DATASETS.build(
        dict(
            type='mmringmoe.DFC23Dataset',
            data_root=str(tmp_path),
            ann_file='splits/train.txt',
            img_suffix='_RGB.tif',
            img_suffix2='_SAR.tif'))
    assert dataset.get_data_info(0)['img_path2'].endswith('_SAR.tif')


def test_dfc23_accepts_the_papers_names(tmp_path):
    names = tuple('dome' if name == 'revolved' else name for name in DFC23_CATEGORIES)
    write_dfc23_release(str(tmp_path), categories=names, tiles=1)
    load_tool('tools/dataset_converters/dfc23.py').main([str(tmp_path), '--ratios', '1', '0', '0'])
    assert np.asarray(Image.open(tmp_path / 'train' / 'label' / 'P_0000.png'))[10, 10] == 11


def test_dfc23_unknown_category_is_named(tmp_path):
    write_dfc23_release(str(tmp_path), categories=('flat_roof', 'barn'), tiles=1)
    with pytest.raises(SystemExit, match="dfc23: .*category 'barn' is not a DFC23 roof type"):
        load_tool('tools/dataset_converters/dfc23.py').main([str(tmp_path)])


def test_dfc23_annotation_that_is_not_coco_is_named(tmp_path):
    write_dfc23_release(str(tmp_path), tiles=1)
    (tmp_path / 'annotations' / 'roof_fine_train.json').write_text('{"images": [')  # cut short
    with pytest.raises(SystemExit, match='^dfc23: .*roof_fine_train.json is not a COCO annotation file'):
        load_tool('tools/dataset_converters/dfc23.py').main([str(tmp_path)])


def test_dfc23_annotation_without_images_fails(tmp_path):
    write_dfc23_release(str(tmp_path), tiles=0)
    for folder in ('rgb', 'sar'):
        (tmp_path / 'train' / folder).mkdir(parents=True)
    with pytest.raises(SystemExit, match='^dfc23: .*roof_fine_train.json lists no image'):
        load_tool('tools/dataset_converters/dfc23.py').main([str(tmp_path)])
    assert not (tmp_path / 'splits').exists()


def test_sarsegl1_amplitude_phase_to_complex_patches(tmp_path):
    rng = np.random.default_rng(0)
    scene = tmp_path / 'raw' / 'Guangzhou'
    amp_phase = {}
    for pol in ('HH', 'HV', 'VH', 'VV'):
        amp = rng.uniform(0, 100, (11, 13)).astype(np.float32)
        phase = rng.uniform(-np.pi, np.pi, (11, 13)).astype(np.float32)
        amp_phase[pol] = (amp, phase)
        write_tif(str(scene / f'{pol}.tif'), np.stack([amp, phase]), georeferenced=False)
    write_png(str(scene / 'label.png'), rng.integers(0, 6, (11, 13)))
    tool = load_tool('tools/dataset_converters/sarsegl1.py')
    tool.main([
        str(tmp_path / 'raw'), '-o',
        str(tmp_path / 'out'), '--format', 'amp_phase', '--patch', '5', '--overlap', '2'
    ])
    names = {split: sorted(os.listdir(tmp_path / 'out' / 'img_dir' / split)) for split in ('train', 'test')}
    assert sorted(names['train'] + names['test']) == sorted(f'Guangzhou_{y}_{x}.tif' for y in (0, 3, 6)
                                                            for x in (0, 3, 6))
    assert len(names['test']) == 2  # round(9 * 0.2)
    split = 'train' if 'Guangzhou_3_6.tif' in names['train'] else 'test'
    slc = read(str(tmp_path / 'out' / 'img_dir' / split / 'Guangzhou_3_6.tif'))
    amp, phase = amp_phase['VH']
    np.testing.assert_allclose(slc[2], (amp * np.exp(1j * phase))[3:8, 6:11], rtol=1e-5, atol=1e-4)
    label = np.asarray(Image.open(tmp_path / 'out' / 'ann_dir' / split / 'Guangzhou_3_6.png'))
    raw = np.asarray(Image.open(scene / 'label.png'))[3:8, 6:11]
    assert np.array_equal(label, np.where(raw == 0, 255, raw.astype(np.int64) - 1))
    # the paper's two scenes give its 540 patches
    rows_cols = [(4708, 5456), (4888, 6192)]
    assert sum(
        len(tool.patch_offsets(h, 500, 300)) * len(tool.patch_offsets(w, 500, 300))
        for h, w in rows_cols) == 540


def test_sarsegl1_wrong_format_is_named(tmp_path):
    scene = tmp_path / 'raw' / 'Hangzhou'
    for pol in ('HH', 'HV', 'VH', 'VV'):
        write_tif(str(scene / f'{pol}.tif'), np.zeros((2, 8, 8), dtype=np.float32), georeferenced=False)
    write_png(str(scene / 'label.png'), np.zeros((8, 8)))
    with pytest.raises(SystemExit, match='sarsegl1: .*HH.tif: --format complex needs one complex band'):
        load_tool('tools/dataset_converters/sarsegl1.py').main([str(tmp_path / 'raw'), '--format', 'complex'])


def test_sarsegl1_folder_without_scenes_fails(tmp_path):
    (tmp_path / 'raw').mkdir()
    (tmp_path / 'raw' / 'HH.tif').write_bytes(b'')  # a scene's files, but not in a scene folder
    with pytest.raises(SystemExit, match='^sarsegl1: no scene folder in .*raw \\(looked for one folder per '
                       'scene holding HH.tif, HV.tif, VH.tif, VV.tif and label.tif or label.png\\)$'):
        load_tool('tools/dataset_converters/sarsegl1.py').main([str(tmp_path / 'raw'), '--format', 'complex'])


def test_air_polsar_seg_without_tiles_fails(tmp_path):
    write_tif(str(tmp_path / '0_HH.tif'), np.zeros((1, 8, 8), dtype=np.uint8))  # not the release's .tiff
    with pytest.raises(SystemExit, match='^air_polsar_seg: no \\*_HH.tiff under '):
        load_tool('tools/dataset_converters/air_polsar_seg.py').main([str(tmp_path)])
    assert not (tmp_path / 'train.txt').exists()


def test_air_polsar_seg_split_lists(tmp_path):
    for i in range(10):
        for pol in ('HH', 'HV', 'VH', 'VV'):
            write_tif(
                str(tmp_path / 'tiles' / f'{i}_{pol}.tiff'),
                np.zeros((1, 8, 8), dtype=np.uint8),
                georeferenced=False)
        write_png(str(tmp_path / 'tiles' / f'{i}_gt.png'), np.zeros((8, 8, 3)))
    tool = load_tool('tools/dataset_converters/air_polsar_seg.py')
    tool.main([str(tmp_path)])
    train, test = ((tmp_path / f'{s}.txt').read_text().split() for s in ('train', 'test'))
    assert (len(train), len(test)) == (7, 3)
    assert sorted(train + test) == sorted(f'tiles/{i}' for i in range(10))
    dataset = DATASETS.build(
        dict(
            type='mmringmoe.AIRPolSARSegDataset',
            data_root=str(tmp_path),
            ann_file='test.txt',
            polarisation='VV'))
    assert osp.basename(dataset.get_data_info(0)['img_path']).endswith('_VV.tiff')
    os.remove(tmp_path / 'tiles' / '3_gt.png')
    with pytest.raises(SystemExit, match='air_polsar_seg: .*tiles/3_gt.png not found'):
        tool.main([str(tmp_path)])
