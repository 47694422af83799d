import importlib.util
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmpretrain.models.backbones import SwinTransformerV2

from mmringmoe.models.backbones import RingMoE
from mmringmoe.models.backbones.arch_zoo import RINGMOE_ARCH_ZOO

TOOL = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'model_converters', 'upcycle_swinv2.py')
spec = importlib.util.spec_from_file_location('upcycle_swinv2', TOOL)
upcycle_tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(upcycle_tool)

COMMON = dict(window_size=4, drop_path_rate=0., out_indices=(0, 1, 2, 3), pad_small_map=True)


@pytest.fixture
def upcycled(tmp_path):
    dense = SwinTransformerV2(arch=RINGMOE_ARCH_ZOO['tiny'], in_channels=3, **COMMON)
    dense.eval()
    src, dst = tmp_path / 'swin.pth', tmp_path / 'ringmoe.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in dense.state_dict().items()}}, src)
    assert upcycle_tool.main([str(src), str(dst), '--arch', 'tiny', '--modality', 'opt']) == 0
    model = RingMoE(arch='tiny', init_cfg=dict(type='Pretrained', checkpoint=str(dst)), **COMMON)
    model.init_weights()
    model.eval()
    return dense, model


def test_each_rmoe_layer_is_gate_scaled_dense_ffn(upcycled):
    """Right after upcycling: RMoE(x) = (g_S + g_C + 1) * FFN(x), token by token."""
    dense, model = upcycled
    for dense_block, block in ((dense.stages[s].blocks[b], model.stages[s].blocks[b])
                               for s in range(4) for b in range(2)):
        layer = block.ffn
        x = torch.randn(3, 10, layer.embed_dims)
        modality_index = torch.tensor([0, 2, 3])
        with torch.no_grad():
            out = layer(x, modality_index)
            ffn = dense_block.ffn(x)
            tokens = x.reshape(-1, x.shape[-1])
            g_c = layer.collaborative_router(tokens).gate.sum(-1)
            g_s = torch.stack([layer.specialized_routers[layer.modalities[m]](t[None]).gate.sum()
                               for t, m in zip(tokens, modality_index.repeat_interleave(10).tolist())])
        torch.testing.assert_close(out, (g_s + g_c + 1).view(3, 10, 1) * ffn, atol=1e-5, rtol=1e-5)


def test_upcycled_backbone_reproduces_dense_features(upcycled):
    """Post-norm SwinV2: LN(s * y) = LN(y) up to LN's eps. With eps -> 0 the features are equal."""
    dense, model = upcycled
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        reference, features = dense(x), model(x, modality='opt')
    for a, b in zip(reference, features):
        assert (a - b).abs().max() < 5e-2  # the eps = 1e-5 effect on tiny random weights
    for module in list(dense.modules()) + list(model.modules()):
        if isinstance(module, nn.LayerNorm):
            module.eps = 1e-12
    with torch.no_grad():
        reference, features = dense(x), model(x, modality='opt')
    for a, b in zip(reference, features):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)


def test_refuses_existing_destination_and_wrong_arch(tmp_path, capsys):
    dense = SwinTransformerV2(arch=RINGMOE_ARCH_ZOO['tiny'], **COMMON)
    src = tmp_path / 'swin.pth'
    torch.save(dense.state_dict(), src)
    (tmp_path / 'exists.pth').write_bytes(b'')
    with pytest.raises(SystemExit):
        upcycle_tool.main([str(src), str(tmp_path / 'exists.pth'), '--arch', 'tiny'])
    assert 'refusing to overwrite' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        upcycle_tool.main([str(src), str(tmp_path / 'out.pth'), '--arch', 'base'])
    assert 'embed dims 32 != arch' in capsys.readouterr().err
    assert not (tmp_path / 'out.pth').exists() and not (tmp_path / 'out.pth.tmp').exists()


def test_a_file_that_is_no_checkpoint_is_named_as_such(tmp_path, capsys):
    src = tmp_path / 'weights.pth'
    src.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SystemExit):
        upcycle_tool.main([str(src), str(tmp_path / 'out.pth'), '--arch', 'tiny'])
    err = capsys.readouterr().err
    assert f'{src}: not a PyTorch checkpoint' in err and 'weights_only' not in err
